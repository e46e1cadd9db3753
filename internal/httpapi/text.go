package httpapi

import (
	"errors"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
)

// badTextReason is the stable reason (details.reason) of a text input refused at the edge.
const badTextReason = "nul_or_invalid_utf8"

// badText is the error of a text input that carries a NUL or is not valid UTF-8. PostgreSQL
// stores neither in a text column, so such input can only ever fail later, and worse.
func badText(where, name string) error {
	return &workflow.Error{Code: workflow.EInvalid, Field: name,
		Message: where + "含有空字符（NUL）或不是合法的 UTF-8 文本，请删除这些字符后重试",
		Details: map[string]any{"reason": badTextReason}}
}

// cleanText reports whether s is valid UTF-8 without NUL bytes.
func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// checkTextInputs refuses, before any handler runs, a request whose path, query (names and values)
// or form body (application/x-www-form-urlencoded or multipart) carries a NUL or invalid UTF-8.
// JSON bodies are checked by decodeJSON. The API gets problem+json; a page gets a Chinese page.
func (s *Server) checkTextInputs(c *gin.Context) {
	limit, streamed := s.bodyLimit(c)
	if err := textInputsError(c.Request, limit, !streamed); err != nil {
		s.refuse(c, err)
		return
	}
	c.Next()
}

func textInputsError(r *http.Request, maxBody int64, body bool) error {
	if !cleanText(r.URL.Path) {
		return badText("请求地址", "")
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return &workflow.Error{Code: workflow.EInvalid, Message: "请求参数格式错误，无法解析", Details: map[string]any{"reason": "bad_query"}}
	}
	if err := checkValues("请求参数", q); err != nil {
		return err
	}
	if !body || r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "multipart/form-data":
		err = r.ParseMultipartForm(maxBody)
	default:
		return nil
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(mbe.Limit)
		}
		return &workflow.Error{Code: workflow.EInvalid, Message: "表单内容格式错误，无法解析", Details: map[string]any{"reason": "bad_form"}}
	}
	if err := checkValues("表单内容", r.PostForm); err != nil {
		return err
	}
	if r.MultipartForm != nil {
		return checkValues("表单内容", r.MultipartForm.Value)
	}
	return nil
}

func checkValues(where string, vs map[string][]string) error {
	for k, v := range vs {
		if !cleanText(k) {
			return badText(where, "")
		}
		for _, x := range v {
			if !cleanText(x) {
				return badText(where, k)
			}
		}
	}
	return nil
}

// checkDecoded refuses a decoded JSON value any string of which (map keys included) carries a NUL
// (the JSON escape \u0000; invalid UTF-8 is refused before decoding).
func checkDecoded(v any) error {
	if field, ok := findBadString(reflect.ValueOf(v), ""); ok {
		return badText("请求内容", field)
	}
	return nil
}

func findBadString(v reflect.Value, field string) (string, bool) {
	switch v.Kind() {
	case reflect.String:
		return field, !cleanText(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return findBadString(v.Elem(), field)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
			if name == "" {
				name = t.Field(i).Name
			}
			if f, bad := findBadString(v.Field(i), name); bad {
				return f, true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if f, bad := findBadString(v.Index(i), field); bad {
				return f, true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if f, bad := findBadString(it.Key(), field); bad {
				return f, true
			}
			if f, bad := findBadString(it.Value(), field); bad {
				return f, true
			}
		}
	}
	return "", false
}

// isAPI reports whether path belongs to the JSON API (and its health endpoints) rather than the pages.
func isAPI(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/api" || path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// refuse answers err as problem+json on the API, or as a short Chinese page elsewhere.
func (s *Server) refuse(c *gin.Context, err error) {
	if isAPI(c.Request.URL.Path) {
		WriteProblem(c, s.log, err)
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Header("X-Error-Code", workflow.ErrorCode(err))
	c.AbortWithStatus(StatusOf(err))
	_, _ = c.Writer.WriteString(errorPage(StatusOf(err), workflow.ErrorMessage(err)))
}

// errorPage is the page a person gets for a request refused before any page handler ran.
func errorPage(status int, message string) string {
	title := "请求有误"
	if status == http.StatusRequestEntityTooLarge {
		title = "内容过大"
	}
	return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>` + title + `</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/site.css"></head>
<body><main style="max-width:40em;margin:4em auto;padding:0 1em"><h1>` + title + `</h1>
<p>` + template.HTMLEscapeString(message) + `</p><p><a href="/">返回首页</a></p></main></body></html>`
}
