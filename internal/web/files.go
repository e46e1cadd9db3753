package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/filehttp"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/files"
)

// streamer is the router's way to let a route take a large body that its handler reads as it
// arrives; *httpapi.Server has it. Without it uploads are held to the server's body limit.
type streamer interface {
	StreamBody(method, path string, limit int64)
}

// streamUploads lets the upload form's target take a body up to the file limit, read as it arrives.
func (s *Site) streamUploads(r Router) {
	if st, ok := r.(streamer); ok {
		st.StreamBody(http.MethodPost, "/console/documents/:id/files", s.Files.Limit()+filehttp.FormOverhead)
	}
}

// fileRow is one file in a page's list.
type fileRow struct {
	Kind string
	Name string
	Type string
	Size string
	Href string
	// Staff see who uploaded it, when, and its SHA-256.
	Uploader string
	At       string
	SHA256   string
}

// filesPanel is the console document page's list of files and, on a draft its user may edit,
// the upload form.
type filesPanel struct {
	DocID     int64
	Version   int
	Files     []fileRow
	CanUpload bool
	Kinds     []kindOption
	Accept    string
	Limit     string
	Error     string
}

type kindOption struct {
	Value string
	Label string
}

func toFileRows(fs []files.File, href string) []fileRow {
	out := make([]fileRow, 0, len(fs))
	for _, f := range fs {
		row := fileRow{Kind: files.KindLabel(f.Kind), Name: f.Name, Size: files.FormatSize(f.Size),
			Href: fmt.Sprintf(href, f.DocumentID, f.ID), Uploader: f.UploaderName, At: formatDateTime(f.CreatedAt), SHA256: f.SHA256}
		if t, ok := files.TypeByMIME(f.ContentType); ok {
			row.Type = t.Label
		}
		out = append(out, row)
	}
	return out
}

// filesPanelOf lists document d's files for the signed-in user; canEdit offers the upload form.
func (s *Site) filesPanelOf(c *gin.Context, st workflow.Staff, d documents.Document, canEdit bool) (*filesPanel, error) {
	if s.Files == nil {
		return nil, nil
	}
	fs, err := s.Files.List(c.Request.Context(), st.Actor(), d.ID)
	if err != nil {
		return nil, err
	}
	p := &filesPanel{DocID: d.ID, Version: d.Version, Files: toFileRows(fs, "/console/documents/%d/files/%d"), CanUpload: canEdit,
		Accept: s.Files.Accept(), Limit: files.FormatSize(s.Files.Limit())}
	for _, k := range files.Kinds {
		p.Kinds = append(p.Kinds, kindOption{Value: k, Label: files.KindLabel(k)})
	}
	return p, nil
}

// publicFileRows lists a public document's files for its portal page (none when files are off).
func (s *Site) publicFileRows(c *gin.Context, doc int64) ([]fileRow, error) {
	if s.Files == nil {
		return nil, nil
	}
	fs, err := s.Files.PublicList(c.Request.Context(), doc)
	if err != nil {
		return nil, err
	}
	rows := toFileRows(fs, "/documents/%d/files/%d")
	for i := range rows {
		rows[i].Uploader, rows[i].At = "", ""
	}
	return rows, nil
}

// uploadFile takes the upload form of a draft and goes back to its page, which shows the file or
// what was wrong with it.
func (s *Site) uploadFile(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	st := *staffOf(c)
	_, err = filehttp.Upload(c.Writer, c.Request, s.FileTimeout, func(up files.Upload, version int, content io.Reader) (files.File, error) {
		return s.Files.Upload(c.Request.Context(), st.Actor(), id, version, up, content)
	})
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/console/documents/"+strconv.FormatInt(id, 10)+"?done=upload")
		return
	}
	v, lerr := s.loadDocPage(c, id)
	if lerr != nil || v.Files == nil {
		s.errorPage(c, err)
		return
	}
	v.Files.Error = workflow.ErrorMessage(err)
	s.render(c, statusFor(err), "console_document", v)
}

func (s *Site) staffFile(c *gin.Context) {
	id, fid, err := fileIDs(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	f, content, err := s.Files.Open(c.Request.Context(), staffOf(c).Actor(), id, fid)
	s.serveFile(c, f, content, err, "private, no-store")
}

func (s *Site) publicFile(c *gin.Context) {
	id, fid, err := fileIDs(c)
	if err != nil {
		s.errorPage(c, err)
		return
	}
	f, content, err := s.Files.PublicOpen(c.Request.Context(), id, fid)
	s.serveFile(c, f, content, err, "no-cache")
}

func (s *Site) serveFile(c *gin.Context, f files.File, content io.ReadSeekCloser, err error, cacheControl string) {
	if err != nil {
		s.errorPage(c, err)
		return
	}
	// A file is not a page: the pages' Content-Security-Policy would keep the browser's PDF viewer
	// from showing a PDF. What it guards against cannot happen here: HTML and SVG are never served
	// inline, and nosniff keeps the browser to the sniffed type.
	c.Writer.Header().Del("Content-Security-Policy")
	filehttp.Serve(c.Writer, c.Request, f, content, cacheControl, s.FileTimeout)
}

// fileIDs reads the document and file ids of a file route.
func fileIDs(c *gin.Context) (int64, int64, error) {
	id, err := pathID(c)
	if err != nil {
		return 0, 0, err
	}
	fid, err := strconv.ParseInt(c.Param("fid"), 10, 64)
	if err != nil || fid <= 0 {
		return 0, 0, &workflow.Error{Code: workflow.ENotFound, Message: "页面不存在：编号无效"}
	}
	return id, fid, nil
}
