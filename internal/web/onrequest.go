package web

// The request desk's documents available on request (issue 13): on a request's page the officer
// searches the signed 依申请公开 documents, links one or more to the request and answers with them;
// a linked document's page shows the requests it answered.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// onRequestView is the request page's section of documents available on request.
type onRequestView struct {
	Linked   []requests.OnRequestDocument
	Citation string // how the reply cites the linked documents
	CanLink  bool   // the user handles requests and the request is still open
	Query    string
	Searched bool
	Found    []requests.OnRequestDocument
	Error    string
}

// replyCiting is the reply letter offered once documents are linked: it provides them.
func replyCiting(citation string) string {
	return "经查，您申请获取的政府信息为本机关制作的" + citation + "，现予以公开，随本答复书一并提供。"
}

// onRequestSection fills v's section of documents available on request: the linked ones, and for
// someone who may link, the search of ?doc_q; the answer's reply letter, still empty, is offered
// a text citing the linked documents.
func (s *Site) onRequestSection(c *gin.Context, v *requestPageView) error {
	if s.OnRequest == nil {
		return nil
	}
	actor := staffOf(c).Actor()
	linked, err := s.OnRequest.Linked(c.Request.Context(), actor, v.R.ID)
	if err != nil {
		return err
	}
	o := &onRequestView{Linked: linked, CanLink: v.R.Open() && s.Requests.Handles(actor)}
	var cites []string
	for _, d := range linked {
		cites = append(cites, d.Citation())
	}
	o.Citation = strings.Join(cites, "、")
	if q, ok := c.GetQuery("doc_q"); ok && o.CanLink {
		o.Query, o.Searched = q, true
		if o.Found, err = s.OnRequest.Search(c.Request.Context(), actor, q); err != nil {
			if statusFor(err) >= 500 {
				return err
			}
			o.Error = workflow.ErrorMessage(err)
		}
	}
	v.OnRequest = o
	if o.Citation == "" {
		return nil
	}
	for i := range v.Actions {
		for j := range v.Actions[i].Fields {
			if f := &v.Actions[i].Fields[j]; v.Actions[i].Name == "answer" && f.Name == "reply_letter" && f.Value == "" {
				f.Value = replyCiting(o.Citation)
			}
		}
	}
	return nil
}

// linkDocuments links the checked documents to the request. On success it goes back to the
// request's section; a refusal shows the page again with the message in the section.
func (s *Site) linkDocuments(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	var docs []int64
	for _, v := range c.PostFormArray("document_id") {
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			n = -1 // refused by the use case as no document
		}
		docs = append(docs, n)
	}
	_, err = s.OnRequest.Link(c.Request.Context(), staffOf(c).Actor(), id, docs)
	answerForm(s, c, err, fmt.Sprintf("/console/requests/%d?done=link_document#onrequest", id), "console_request",
		func() (requestPageView, error) { return s.loadRequestPage(c, id) },
		func(v *requestPageView) {
			v.Error = "未能关联文件：" + workflow.ErrorMessage(err)
			if v.OnRequest != nil {
				v.OnRequest.Error = workflow.ErrorMessage(err)
			}
		})
}

// citingRequests lists the requests document id answered, for the document's page; someone who
// may not read requests sees none.
func (s *Site) citingRequests(c *gin.Context, id int64) ([]requests.CitingRequest, error) {
	if s.OnRequest == nil {
		return nil, nil
	}
	return s.OnRequest.Citing(c.Request.Context(), staffOf(c).Actor(), id)
}
