// Package filehttp is what the JSON API (internal/httpapi) and the pages (internal/web) share
// about files on the wire: reading a streamed multipart upload and serving a stored file with
// ranges, its type and its Chinese name.
package filehttp

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/files"
)

// FormOverhead is what a route's body limit allows beyond the largest file, for the form's
// other fields and the multipart framing.
const FormOverhead = 64 << 10

// Saver stores one upload: the use case, bound to its caller and document.
type Saver func(up files.Upload, version int, content io.Reader) (files.File, error)

// Upload reads a multipart/form-data upload as it arrives: the fields kind and version (before
// the file), then the part named "file", whose content goes to save without being buffered
// whole. The raw file name is passed on (multipart's FileName would drop a path silently; the
// use case refuses one). timeout extends the request's read deadline for a large file.
func Upload(w http.ResponseWriter, r *http.Request, timeout time.Duration, save Saver) (files.File, error) {
	if timeout > 0 {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout))
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return files.File{}, &workflow.Error{Code: workflow.EInvalid, Field: "file",
			Message: "请以 multipart/form-data 表单上传文件（文件字段名为 file）", Details: map[string]any{"reason": "not_multipart"}}
	}
	up := files.Upload{Kind: r.URL.Query().Get("kind"), Size: -1}
	version := 0
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return files.File{}, &workflow.Error{Code: workflow.EInvalid, Field: "file", Message: "请选择要上传的文件",
				Details: map[string]any{"reason": files.ReasonName}}
		}
		if err != nil {
			return files.File{}, formError(err)
		}
		switch p.FormName() {
		case "file":
			_, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
			up.Name, up.DeclaredType = params["filename"], p.Header.Get("Content-Type")
			return save(up, version, p)
		case "kind", "version":
			b, err := io.ReadAll(io.LimitReader(p, 64))
			if err != nil {
				return files.File{}, formError(err)
			}
			v := strings.TrimSpace(string(b))
			if p.FormName() == "kind" {
				up.Kind = v
			} else if version, err = strconv.Atoi(v); err != nil {
				return files.File{}, &workflow.Error{Code: workflow.EInvalid, Field: "version", Message: "版本号必须是整数"}
			}
		}
	}
}

func formError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return files.TooLarge(mbe.Limit - FormOverhead)
	}
	return &workflow.Error{Code: workflow.EInvalid, Field: "file", Message: "上传的表单格式错误或没有传完，请重新上传",
		Details: map[string]any{"reason": "bad_form"}, Err: err}
}

// Serve writes f from content, which it closes: the headers of f.Headers, conditional requests
// and byte ranges by http.ServeContent. timeout extends the write deadline for a large file on a
// slow line.
func Serve(w http.ResponseWriter, r *http.Request, f files.File, content io.ReadSeekCloser, cacheControl string, timeout time.Duration) {
	defer content.Close()
	if timeout > 0 {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(timeout))
	}
	h := w.Header()
	for k, v := range f.Headers() {
		h.Set(k, v)
	}
	h.Set("Cache-Control", cacheControl)
	http.ServeContent(w, r, "", f.CreatedAt, content)
}
