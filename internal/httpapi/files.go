package httpapi

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/filehttp"
	"wugongkai/workflow/files"
)

// FilesAPI is the JSON API of a document's files: upload to a draft, list and download for staff
// who may read the document, and for the public only where the document is public.
type FilesAPI struct {
	Files *files.Files
	// Timeout is how long one upload or download may take (config files.transfer_timeout).
	Timeout time.Duration
	api     *API
}

// MountFiles registers the file routes; the upload takes a body up to the file limit, read as it
// arrives.
func MountFiles(srv *Server, a *API, f *FilesAPI) {
	if a.srv == nil {
		a.srv = srv
	}
	f.api = a
	a.files = f
	srv.StreamBody(http.MethodPost, "/api/v1/documents/:id/files", f.Files.Limit()+filehttp.FormOverhead)
	a.mount("files")
}

// fileDTO is a file as the API shows it; staff also see who uploaded it at which version.
type fileDTO struct {
	ID              int64     `json:"id"`
	Kind            string    `json:"kind"`
	KindLabel       string    `json:"kind_label"`
	Name            string    `json:"name"`
	ContentType     string    `json:"content_type"`
	Size            int64     `json:"size"`
	SHA256          string    `json:"sha256"`
	UploadedAt      time.Time `json:"uploaded_at"`
	Uploader        string    `json:"uploader,omitempty"`
	DocumentVersion int       `json:"document_version,omitempty"`
	URL             string    `json:"url"`
}

func toFileDTO(f files.File, public bool) fileDTO {
	dto := fileDTO{ID: f.ID, Kind: f.Kind, KindLabel: files.KindLabel(f.Kind), Name: f.Name, ContentType: f.ContentType,
		Size: f.Size, SHA256: f.SHA256, UploadedAt: f.CreatedAt, URL: fmt.Sprintf("/api/v1/documents/%d/files/%d", f.DocumentID, f.ID)}
	if public {
		dto.URL = fmt.Sprintf("/api/v1/public/documents/%d/files/%d", f.DocumentID, f.ID)
	} else {
		dto.Uploader, dto.DocumentVersion = f.UploaderName, f.DocumentVersion
	}
	return dto
}

func (f *FilesAPI) upload(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	actor := staffOf(c).Actor()
	saved, err := filehttp.Upload(c.Writer, c.Request, f.Timeout, func(up files.Upload, version int, content io.Reader) (files.File, error) {
		return f.Files.Upload(c.Request.Context(), actor, id, version, up, content)
	})
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, toFileDTO(saved, false))
}

func (f *FilesAPI) list(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	fs, err := f.Files.List(c.Request.Context(), staffOf(c).Actor(), id)
	renderFiles(c, fs, err, false)
}

func (f *FilesAPI) publicList(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		c.Error(err)
		return
	}
	fs, err := f.Files.PublicList(c.Request.Context(), id)
	renderFiles(c, fs, err, true)
}

func renderFiles(c *gin.Context, fs []files.File, err error, public bool) {
	if err != nil {
		c.Error(err)
		return
	}
	items := []fileDTO{}
	for _, x := range fs {
		items = append(items, toFileDTO(x, public))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (f *FilesAPI) download(c *gin.Context) {
	id, fid, err := fileIDs(c)
	if err != nil {
		c.Error(err)
		return
	}
	file, content, err := f.Files.Open(c.Request.Context(), staffOf(c).Actor(), id, fid)
	if err != nil {
		c.Error(err)
		return
	}
	filehttp.Serve(c.Writer, c.Request, file, content, "private, no-store", f.Timeout)
}

func (f *FilesAPI) publicDownload(c *gin.Context) {
	id, fid, err := fileIDs(c)
	if err != nil {
		c.Error(err)
		return
	}
	file, content, err := f.Files.PublicOpen(c.Request.Context(), id, fid)
	if err != nil {
		c.Error(err)
		return
	}
	filehttp.Serve(c.Writer, c.Request, file, content, "no-cache", f.Timeout)
}

// fileIDs reads the document and file ids of a file route.
func fileIDs(c *gin.Context) (int64, int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, 0, err
	}
	fid, err := pathID(c, "fid")
	return id, fid, err
}
