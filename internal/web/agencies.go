package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow/agencies"
)

// agenciesView is the platform's agencies and the form that adds one.
type agenciesView struct {
	Agencies []agencyRow
	Fields   []formField
	Flash    string
	fieldError
}

// agencyFields are the boxes of the form that adds an agency, filled with in.
func agencyFields(in agencies.NewAgency, fe fieldError) []formField {
	fields := []formField{
		{Name: "code", Label: "机构代码", Value: in.Code, Required: true, MaxLength: 32, Help: "组织机构代码，是该机构每个索引号的开头，添加后不能修改。"},
		{Name: "name", Label: "机构名称", Value: in.Name, Required: true, MaxLength: 100, Help: "例如：许昌市发展和改革委员会。"},
		{Name: "credit_code", Label: "统一社会信用代码", Value: in.CreditCode, Required: true, MaxLength: 18, Help: "18 位，按 GB 32100-2015 校验。"},
		{Name: "host", Label: "门户域名", Value: in.Host, MaxLength: 253, Help: "该机构门户网站的主机名，例如 fgw.xuchang.gov.cn；不含 http:// 和路径。"},
		{Name: "request_unit", Label: "依申请公开办理科室代码", Value: in.RequestUnit, Required: true, MaxLength: 32, Help: "例如 bangongshi。"},
		{Name: "request_unit_name", Label: "依申请公开办理科室名称", Value: in.RequestUnitName, Required: true, MaxLength: 50, Help: "例如 办公室。"},
		{Name: "admin_username", Label: "管理员用户名", Value: in.AdminUsername, MaxLength: 64, Help: "该机构第一个系统管理员的登录名（可选）。"},
		{Name: "admin_name", Label: "管理员姓名", Value: in.AdminName, MaxLength: 50},
	}
	for i := range fields {
		fields[i].ID, fields[i].Kind = "agency-"+fields[i].Name, "text"
		fields[i].Error = fe.Err(fields[i].Name)
	}
	return fields
}

// agencyRow is one agency in the list.
type agencyRow struct {
	agencies.Agency
	Created string
}

// agencyList shows the platform's agencies and the form to add one; only the first agency's admins
// get it.
func (s *Site) agencyList(c *gin.Context) {
	show(s, c, "console_agencies", s.loadAgencies, func(v *agenciesView) {
		if code := c.Query("added"); code != "" {
			v.Flash = "已添加机构 " + code + "，其门户网站即可访问。"
		}
	})
}

func (s *Site) loadAgencies(c *gin.Context) (agenciesView, error) {
	all, err := s.Agencies.List(c.Request.Context(), staffOf(c).Actor())
	if err != nil {
		return agenciesView{}, err
	}
	v := agenciesView{Fields: agencyFields(agencies.NewAgency{RequestUnit: "bangongshi", RequestUnitName: "办公室"}, fieldError{})}
	for _, a := range all {
		v.Agencies = append(v.Agencies, agencyRow{Agency: a, Created: formatDateTime(a.CreatedAt)})
	}
	return v, nil
}

// addAgency adds an agency with its request unit and its admin.
func (s *Site) addAgency(c *gin.Context) {
	in := agencies.NewAgency{Code: c.PostForm("code"), Name: c.PostForm("name"), CreditCode: c.PostForm("credit_code"),
		Host: c.PostForm("host"), RequestUnit: c.PostForm("request_unit"), RequestUnitName: c.PostForm("request_unit_name"),
		AdminUsername: c.PostForm("admin_username"), AdminName: c.PostForm("admin_name"), AdminPassword: c.PostForm("admin_password")}
	ag, err := s.Agencies.Add(c.Request.Context(), staffOf(c).Actor(), in)
	if err != nil {
		refused(s, c, err, "console_agencies", s.loadAgencies, func(v *agenciesView) {
			v.from(err)
			v.Fields = agencyFields(in, v.fieldError)
		})
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/agencies?added="+url.QueryEscape(ag.Code))
}
