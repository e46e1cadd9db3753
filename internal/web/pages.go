package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
	"wugongkai/workflow/documents"
)

// What the page handlers share: showing a page or its error page, answering a refused form, and
// reading the document a console page or form is about.

// show renders the page called name from what load reads; adjust (optional) adds what the
// request's query asks for, such as the message after a form was saved. A page that cannot be
// read gets the error page.
func show[V any](s *Site, c *gin.Context, name string, load func(*gin.Context) (V, error), adjust func(*V)) {
	v, err := load(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	if adjust != nil {
		adjust(&v)
	}
	s.render(c, http.StatusOK, name, v)
}

// refused answers a form the use case refused with err. A server failure gets the error page; a
// refusal shows the page called name again, read by load, with adjust putting the message and
// what was typed into it, under err's status. A page that cannot be read again gets the error
// page of that failure.
func refused[V any](s *Site, c *gin.Context, err error, name string, load func(*gin.Context) (V, error), adjust func(*V)) {
	if statusFor(err) >= 500 {
		s.errorPage(c, err)
		return
	}
	v, lerr := load(c)
	if lerr != nil {
		s.errorPage(c, lerr)
		return
	}
	adjust(&v)
	s.render(c, statusFor(err), name, v)
}

// again shows a form again as it was typed (v) under err's status, after adjust put the message
// in; a server failure gets the error page.
func again[V any](s *Site, c *gin.Context, err error, name string, v V, adjust func(*V)) {
	refused(s, c, err, name, func(*gin.Context) (V, error) { return v, nil }, adjust)
}

// from puts err's message and the field it concerns into a form's view.
func (f *fieldError) from(err error) {
	f.Error = workflow.ErrorMessage(err)
	if e := workflow.AsError(err); e != nil {
		f.ErrorField = e.Field
	}
}

// staffDocument reads the :id document as the signed-in member of staff may see it, with its flow
// definition.
func (s *Site) staffDocument(c *gin.Context) (workflow.Staff, documents.Document, *workflow.Definition, error) {
	st, d, err := s.staffDoc(c)
	if err != nil {
		return st, d, nil, err
	}
	def, err := s.Docs.Engine.Definition(d.Instance)
	return st, d, def, err
}

// staffDoc reads the :id document as the signed-in member of staff may see it.
func (s *Site) staffDoc(c *gin.Context) (workflow.Staff, documents.Document, error) {
	st := *staffOf(c)
	id, err := pathID(c)
	if err != nil {
		return st, documents.Document{}, err
	}
	d, err := s.Docs.Get(c.Request.Context(), st.Actor(), id)
	return st, d, err
}

// docPost reads the :id of a document's form and the version the form was loaded at; a bad id
// gets the error page (ok false).
func (s *Site) docPost(c *gin.Context) (id int64, version int, ok bool) {
	id, ok = s.docID(c)
	version, _ = strconv.Atoi(c.PostForm("version"))
	return id, version, ok
}

// docID reads the :id of a document's form; a bad one gets the error page (ok false).
func (s *Site) docID(c *gin.Context) (id int64, ok bool) {
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return 0, false
	}
	return id, true
}
