package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// The reconsideration and litigation cases of Table 四 about requests.

// caseForm is what staff typed about a case, kept when the form comes back with a message.
type caseForm struct {
	Kind          string
	CaseNo        string
	Organ         string
	ApplicantName string
	RequestID     string
	FiledOn       string
	ConcludedOn   string
	Outcome       string
	Summary       string
}

func caseFormFrom(c *gin.Context) caseForm {
	return caseForm{Kind: c.PostForm("kind"), CaseNo: c.PostForm("case_no"), Organ: c.PostForm("organ"),
		ApplicantName: c.PostForm("applicant_name"), RequestID: c.PostForm("request_id"), FiledOn: c.PostForm("filed_on"),
		ConcludedOn: c.PostForm("concluded_on"), Outcome: c.PostForm("outcome"), Summary: c.PostForm("summary")}
}

func caseFormOf(k requests.Case) caseForm {
	f := caseForm{Kind: k.Kind, CaseNo: k.CaseNo, Organ: k.Organ, ApplicantName: k.ApplicantName, FiledOn: k.FiledOn.String(),
		ConcludedOn: k.ConcludedOn.String(), Outcome: k.Outcome, Summary: k.Summary}
	if k.RequestID != 0 {
		f.RequestID = strconv.FormatInt(k.RequestID, 10)
	}
	return f
}

// input turns the form into the use case's input; only the request number is read here.
func (f caseForm) input() (requests.CaseInput, error) {
	in := requests.CaseInput{Kind: f.Kind, CaseNo: f.CaseNo, Organ: f.Organ, ApplicantName: f.ApplicantName, FiledOn: f.FiledOn,
		ConcludedOn: f.ConcludedOn, Outcome: f.Outcome, Summary: f.Summary}
	if v := strings.TrimSpace(f.RequestID); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return in, &workflow.Error{Code: workflow.EInvalid, Field: "request_id", Message: "关联申请的系统编号应为正整数（见申请页面），没有关联申请的请留空"}
		}
		in.RequestID = n
	}
	return in, nil
}

var caseKinds = []string{requests.CaseReconsideration, requests.CaseLitigationDirect, requests.CaseLitigationAfterReconsideration}

var caseOutcomes = []string{requests.CasePending, requests.CaseUpheld, requests.CaseCorrected, requests.CaseOther}

// caseChoices are the kinds and outcomes of a case as options.
type caseChoices struct {
	Kinds    []option
	Outcomes []option
	Today    string
}

func (s *Site) caseChoices() caseChoices {
	ch := caseChoices{Today: workflow.DateOf(s.now()).String()}
	for _, k := range caseKinds {
		ch.Kinds = append(ch.Kinds, option{Value: k, Label: requests.CaseKindLabel(k)})
	}
	for _, o := range caseOutcomes {
		ch.Outcomes = append(ch.Outcomes, option{Value: o, Label: requests.CaseOutcomeLabel(o)})
	}
	return ch
}

// caseRow is one case in the list.
type caseRow struct {
	ID            int64
	Kind          string
	CaseNo        string
	Organ         string
	ApplicantName string
	FiledOn       string
	ConcludedOn   string
	Outcome       string
	Pending       bool
}

type caseListView struct {
	caseChoices
	Rows      []caseRow
	Total     int
	Year      int
	Kind      string
	Years     []int
	PageLinks []pageLink
	PrevHref  string
	NextHref  string
	Form      caseForm
	fieldError
	Flash     string
	RequestNo string // the receipt number of the request the new case is about
	Version   int    // always 0: the form records a new case (part_case.html)
}

const casePageSize = 50

// loadCaseList builds the case list with its filters and an empty record form.
func (s *Site) loadCaseList(c *gin.Context) (caseListView, error) {
	st := *staffOf(c)
	v := caseListView{caseChoices: s.caseChoices(), Kind: c.Query("kind"), Form: caseForm{Outcome: requests.CasePending}}
	page := 1
	if p := c.Query("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 10000 {
			return v, &workflow.Error{Code: workflow.EInvalid, Message: "页码无效"}
		}
		page = n
	}
	if y := c.Query("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2200 {
			return v, &workflow.Error{Code: workflow.EInvalid, Message: "年度无效"}
		}
		v.Year = n
	}
	if v.Kind != "" && requests.CaseKindLabel(v.Kind) == "" {
		return v, &workflow.Error{Code: workflow.EInvalid, Message: "未知的案件类型：" + v.Kind}
	}
	this := workflow.DateOf(s.now()).Year
	for y := this; y >= this-5; y-- {
		v.Years = append(v.Years, y)
	}
	ks, total, err := s.Cases.List(c.Request.Context(), st.Actor(), requests.CaseQuery{Year: v.Year, Kind: v.Kind, Limit: casePageSize,
		Offset: (page - 1) * casePageSize})
	if err != nil {
		return v, err
	}
	for _, k := range ks {
		v.Rows = append(v.Rows, caseRow{ID: k.ID, Kind: requests.CaseKindLabel(k.Kind), CaseNo: k.CaseNo, Organ: k.Organ,
			ApplicantName: k.ApplicantName, FiledOn: k.FiledOn.String(), ConcludedOn: k.ConcludedOn.String(),
			Outcome: requests.CaseOutcomeLabel(k.Outcome), Pending: k.Outcome == requests.CasePending})
	}
	v.Total = total
	pages := (total + casePageSize - 1) / casePageSize
	v.PageLinks, v.PrevHref, v.NextHref = pageLinks(page, pages, func(n int) string {
		q := url.Values{}
		if v.Year != 0 {
			q.Set("year", strconv.Itoa(v.Year))
		}
		if v.Kind != "" {
			q.Set("kind", v.Kind)
		}
		q.Set("page", strconv.Itoa(n))
		return "/console/cases?" + q.Encode()
	})
	return v, nil
}

// requestOf returns request id if the user may read it; false if not, or there is none.
func (s *Site) requestOf(c *gin.Context, id int64) (requests.Request, bool) {
	if id <= 0 {
		return requests.Request{}, false
	}
	r, err := s.Requests.Get(c.Request.Context(), staffOf(c).Actor(), id)
	if err != nil {
		return requests.Request{}, false
	}
	return r, true
}

// requestNo returns the receipt number of request id if the user may read it, else "".
func (s *Site) requestNo(c *gin.Context, id int64) string {
	r, _ := s.requestOf(c, id)
	return r.ReceiptNo
}

// caseList lists the reconsideration and litigation cases with a form to record one; coming from
// a request (?request_id=), the form is about it.
func (s *Site) caseList(c *gin.Context) {
	v, err := s.loadCaseList(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	if id, err := strconv.ParseInt(c.Query("request_id"), 10, 64); err == nil && id > 0 {
		if r, ok := s.requestOf(c, id); ok {
			v.RequestNo, v.Form.RequestID, v.Form.ApplicantName = r.ReceiptNo, strconv.FormatInt(id, 10), r.ApplicantName
		}
	}
	s.render(c, http.StatusOK, "console_cases", v)
}

// recordCase records a case and goes to its page.
func (s *Site) recordCase(c *gin.Context) {
	st := *staffOf(c)
	form := caseFormFrom(c)
	in, err := form.input()
	var k requests.Case
	if err == nil {
		k, err = s.Cases.Record(c.Request.Context(), st.Actor(), in)
	}
	answerForm(s, c, err, fmt.Sprintf("/console/cases/%d?done=recorded", k.ID), "console_cases", func() (caseListView, error) { return s.loadCaseList(c) },
		func(v *caseListView) {
			v.Form, v.Error = form, workflow.ErrorMessage(err)
			if e := workflow.AsError(err); e != nil {
				v.ErrorField = e.Field
			}
			if in.RequestID > 0 {
				v.RequestNo = s.requestNo(c, in.RequestID)
			}
		})
}

type casePageView struct {
	caseChoices
	Case         requests.Case
	KindLabel    string
	OutcomeLabel string
	RequestNo    string
	Form         caseForm
	Version      int
	fieldError
	Conflict bool
	Flash    string
}

func (s *Site) loadCasePage(c *gin.Context, id int64) (casePageView, error) {
	k, err := s.Cases.Get(c.Request.Context(), staffOf(c).Actor(), id)
	if err != nil {
		return casePageView{}, err
	}
	return casePageView{caseChoices: s.caseChoices(), Case: k, KindLabel: requests.CaseKindLabel(k.Kind),
		OutcomeLabel: requests.CaseOutcomeLabel(k.Outcome), RequestNo: s.requestNo(c, k.RequestID), Form: caseFormOf(k), Version: k.Version}, nil
}

// casePage shows one case with the form to update it (for example when it is concluded).
func (s *Site) casePage(c *gin.Context) {
	_, v, ok := pageByID(s, c, s.loadCasePage)
	if !ok {
		return
	}
	switch c.Query("done") {
	case "recorded":
		v.Flash = "案件已登记。"
	case "saved":
		v.Flash = "已保存。"
	}
	s.render(c, http.StatusOK, "console_case", v)
}

// updateCase replaces a case's record if it is still at the version the form showed.
func (s *Site) updateCase(c *gin.Context) {
	st := *staffOf(c)
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	form := caseFormFrom(c)
	version, _ := strconv.Atoi(c.PostForm("version"))
	in, err := form.input()
	if err == nil && version <= 0 {
		err = &workflow.Error{Code: workflow.EInputMissing, Message: "表单缺少版本号，请刷新页面后重试"}
	}
	if err == nil {
		_, err = s.Cases.Update(c.Request.Context(), st.Actor(), id, version, in)
	}
	answerForm(s, c, err, fmt.Sprintf("/console/cases/%d?done=saved", id), "console_case", func() (casePageView, error) { return s.loadCasePage(c, id) },
		func(v *casePageView) {
			v.Form, v.Error, v.Version = form, workflow.ErrorMessage(err), version
			v.Conflict = workflow.ErrorCode(err) == workflow.EConflict
			if e := workflow.AsError(err); e != nil {
				v.ErrorField = e.Field
			}
		})
}
