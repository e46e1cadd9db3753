package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/portal"
	"wugongkai/workflow/requests"
)

// PortalTexts keeps the disclosure office's texts of the portal (政府信息公开指南, 政府信息公开制度);
// *postgres.Portal satisfies it.
type PortalTexts interface {
	PortalText(ctx context.Context, key string) (portal.Text, error)
	SavePortalText(ctx context.Context, t portal.Text, prevVersion int) (portal.Text, error)
}

// DefaultErrorReportURL is the national 我为政府网站找错 platform.
const DefaultErrorReportURL = "https://zfwzzc.www.gov.cn/"

// footerView is the portal footer's site identifiers (each omitted when empty).
type footerView struct {
	SiteCode       string
	ICP            string
	PoliceRecord   string
	ErrorReportURL string
}

func (s *Site) footer() footerView {
	u := s.ErrorReportURL
	if u == "" {
		u = DefaultErrorReportURL
	}
	return footerView{SiteCode: s.SiteCode, ICP: s.ICP, PoliceRecord: s.PoliceRecord, ErrorReportURL: u}
}

// defaultTexts are shown until the office saves its own.
var defaultTexts = map[string]string{
	portal.Guide: "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。\n" +
		"一、主动公开：本机关主动公开的政府信息在本网站“政府信息公开”栏目发布，可以按主题分类、发布年份检索，并可订阅更新。\n" +
		"二、依申请公开：公民、法人或者其他组织可以在本网站“依申请公开”栏目在线填写申请表，也可以书面提出申请。本机关自收到申请之日起 20 个工作日内予以答复。\n" +
		"三、监督和救济：认为本机关在政府信息公开工作中侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。",
	portal.Rules: "本机关依照《中华人民共和国政府信息公开条例》建立政府信息公开工作制度，包括政府信息公开审查、主动公开、依申请公开、年度报告和监督保障等制度。具体制度文本由本机关政府信息公开工作机构整理后在此发布。",
}

type portalTextView struct {
	Title      string
	Key        string
	Paragraphs []string
	UpdatedAt  string
	Default    bool
}

// portalTextPage is the public page of one of the office's texts.
func (s *Site) portalTextPage(key string) gin.HandlerFunc {
	return func(c *gin.Context) {
		t, err := s.Texts.PortalText(c.Request.Context(), key)
		if err != nil {
			s.errorPage(c, err)
			return
		}
		v := portalTextView{Title: portal.TextTitle(key), Key: key, Paragraphs: paragraphs(t.Body), UpdatedAt: formatDate(t.UpdatedAt)}
		if t.Version == 0 {
			v.Paragraphs, v.Default = paragraphs(defaultTexts[key]), true
		}
		s.render(c, http.StatusOK, "portal_text", v)
	}
}

type textEditView struct {
	Title   string
	Key     string
	Body    string
	Version int
	Updated string
	By      string
	Max     int
	Flash   string
	fieldError
	Conflict bool
}

func textKey(c *gin.Context) (string, error) {
	key := c.Param("key")
	if portal.TextTitle(key) == "" {
		return "", workflow.Errorf(workflow.ENotFound, "没有这项公开内容")
	}
	return key, nil
}

// editPortalText is the console form of one of the office's texts.
func (s *Site) editPortalText(c *gin.Context) {
	show(s, c, "console_portal_text", func(c *gin.Context) (textEditView, error) {
		key, err := textKey(c)
		if err != nil {
			return textEditView{}, err
		}
		t, err := s.Texts.PortalText(c.Request.Context(), key)
		v := textEditView{Title: portal.TextTitle(key), Key: key, Body: t.Body, Version: t.Version,
			Updated: formatDateTime(t.UpdatedAt), By: t.UpdatedBy, Max: portal.MaxTextRunes}
		if t.Version == 0 {
			v.Body = defaultTexts[key]
		}
		if c.Query("done") == "saved" {
			v.Flash = fmt.Sprintf("已保存（第 %d 版），门户网站已更新。", t.Version)
		}
		return v, err
	}, nil)
}

// savePortalText saves one of the office's texts if nobody saved it since the form was opened.
func (s *Site) savePortalText(c *gin.Context) {
	key, err := textKey(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	st := *staffOf(c)
	raw := c.PostForm("body")
	v := textEditView{Title: portal.TextTitle(key), Key: key, Body: raw, Max: portal.MaxTextRunes}
	version, verr := strconv.Atoi(c.PostForm("version"))
	v.Version = version
	fail := func(err error) {
		again(s, c, err, "console_portal_text", v, func(v *textEditView) {
			v.from(err)
			v.Conflict = workflow.ErrorCode(err) == workflow.EConflict
			if cur, cerr := s.Texts.PortalText(c.Request.Context(), key); cerr == nil && v.Conflict {
				v.Version, v.Updated, v.By = cur.Version, formatDateTime(cur.UpdatedAt), cur.UpdatedBy
			}
		})
	}
	if verr != nil || version < 0 {
		fail(&workflow.Error{Code: workflow.EInputMissing, Field: "version", Message: "表单缺少版本号，请刷新页面后重试"})
		return
	}
	body, err := portal.CheckText(key, raw)
	if err != nil {
		fail(err)
		return
	}
	name := st.Name
	if name == "" {
		name = st.Username
	}
	if _, err := s.Texts.SavePortalText(c.Request.Context(), portal.Text{Key: key, Body: body,
		UpdatedAt: s.now(), UpdatedBy: name}, version); err != nil {
		fail(err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/portal-texts/"+key+"?done=saved")
}

type publicReportRow struct {
	Year        int
	Title       string
	FinalizedOn string
}

// finalReports returns the final annual reports of the last years, newest first. A draft is never
// listed.
func (s *Site) finalReports(ctx context.Context) ([]publicReportRow, error) {
	current := workflow.DateOf(s.now()).Year
	var rows []publicReportRow
	for y := current; y >= max(2019, current-reportListYears+1); y-- {
		final, at, err := s.Reports.Final(ctx, y)
		if err != nil {
			return nil, err
		}
		if final {
			rows = append(rows, publicReportRow{Year: y, Title: fmt.Sprintf("%s%d年政府信息公开工作年度报告", s.OrgName, y),
				FinalizedOn: cnDate(at)})
		}
	}
	return rows, nil
}

// publicReports is the 政府信息公开工作年度报告 column: the final reports only.
func (s *Site) publicReports(c *gin.Context) {
	rows, err := s.finalReports(c.Request.Context())
	if err != nil {
		s.errorPage(c, err)
		return
	}
	s.render(c, http.StatusOK, "portal_reports", rows)
}

// finalReport loads a final report for the portal; a draft or an unknown year is not found.
func (s *Site) finalReport(c *gin.Context) (*report.Report, requests.ReportInputs, error) {
	year, err := parseReportYear(c.Param("year"))
	if err != nil {
		return nil, requests.ReportInputs{}, workflow.Errorf(workflow.ENotFound, "年度报告不存在或尚未发布")
	}
	return s.Reports.Published(c.Request.Context(), year)
}

type publicReportView struct {
	Year        int
	Title       string
	FinalizedOn string
	reportText
	Tables template.HTML
}

// publicReport is one final annual report with its tables as HTML.
func (s *Site) publicReport(c *gin.Context) {
	show(s, c, "portal_report", func(c *gin.Context) (publicReportView, error) {
		rep, in, err := s.finalReport(c)
		if err != nil {
			return publicReportView{}, err
		}
		tables, err := tablesHTML(rep)
		return publicReportView{Year: rep.Year, Title: rep.Title(), FinalizedOn: cnDate(in.FinalizedAt), reportText: textOf(rep),
			Tables: tables}, err
	}, nil)
}

// publicReportXLSX downloads a final report as an Excel workbook.
func (s *Site) publicReportXLSX(c *gin.Context) {
	rep, _, err := s.finalReport(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	var buf bytes.Buffer
	if err := report.RenderXLSX(&buf, rep); err != nil {
		s.errorPage(c, err)
		return
	}
	name := fmt.Sprintf("annual-report-%d.xlsx", rep.Year)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

type sitemapLink struct {
	Title string
	Href  string
	Note  string
}

// sitemapPage is the human 网站地图: every column of the portal.
func (s *Site) sitemapPage(c *gin.Context) {
	links := []sitemapLink{{"政府信息公开目录", "/", "主动公开的政府信息，可按主题分类、年份和有效性检索"}}
	if s.Catalogue != nil {
		links = append(links, sitemapLink{"标准目录", "/catalogue", "基层政务公开标准目录：每个公开事项的内容、依据、时限、主体、渠道和“五公开”类别"})
	}
	if s.Texts != nil {
		links = append(links, sitemapLink{"政府信息公开指南", "/guide", "公开方式、申请办法、受理机构和监督救济途径"},
			sitemapLink{"政府信息公开制度", "/rules", "本机关的政府信息公开工作制度"})
	}
	if s.Reports != nil {
		links = append(links, sitemapLink{"政府信息公开工作年度报告", "/reports", "历年年度报告，可在线查阅和下载"})
	}
	if s.consultationsOn() {
		links = append(links, sitemapLink{"征求意见", "/consultations", "正在征求意见和已结束的决策草案"},
			sitemapLink{"意见查询", "/comment-receipts", "凭回执编号查询所提意见的处理情况"})
	}
	if s.requestsOn() {
		links = append(links, sitemapLink{"依申请公开", "/requests/new", "在线提交政府信息公开申请"},
			sitemapLink{"申请进度查询", "/requests/status", "凭受理编号查询办理进度"})
	}
	links = append(links, sitemapLink{"信息订阅（Atom）", "/feeds/documents.atom", "新发布的政府信息"})
	s.render(c, http.StatusOK, "portal_sitemap", links)
}

// columnPaths are the portal's column pages besides the home page, for the XML sitemap.
func (s *Site) columnPaths() []string {
	paths := []string{"/sitemap"}
	if s.Catalogue != nil {
		paths = append(paths, "/catalogue")
	}
	if s.Texts != nil {
		paths = append(paths, "/guide", "/rules")
	}
	if s.Reports != nil {
		paths = append(paths, "/reports")
	}
	return paths
}
