package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"wugongkai/workflow"
)

// maxJSONDepth bounds nesting so a deeply nested body cannot exhaust the decoder.
const maxJSONDepth = 20

// decodeJSON reads the request body as one JSON object into dst, strictly: the content type must
// be JSON, unknown fields, wrong types, trailing data, invalid UTF-8 and deep nesting are refused
// with a Chinese message that names the field.
func decodeJSON(c *gin.Context, dst any) error {
	ct := c.GetHeader("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return &workflow.Error{Code: workflow.EInvalid, Message: "请求内容类型应为 application/json"}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(mbe.Limit)
		}
		return &workflow.Error{Code: workflow.EInvalid, Message: "无法读取请求内容", Err: err}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &workflow.Error{Code: workflow.EInvalid, Message: "请求内容为空，请提交一个 JSON 对象"}
	}
	if !utf8.Valid(body) {
		return &workflow.Error{Code: workflow.EInvalid, Message: "请求内容不是合法的 UTF-8 文本"}
	}
	if depth(body) > maxJSONDepth {
		return &workflow.Error{Code: workflow.EInvalid, Message: "请求内容嵌套层数过多"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	// Nothing may follow the value but white space. (dec.More reports false before a stray "}" or
	// "]", so it cannot tell "{}}" from "{}"; the next token must be the end of the input.)
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &workflow.Error{Code: workflow.EInvalid, Message: "请求内容只能包含一个 JSON 对象，其后不能再有其他内容"}
	}
	return checkDecoded(dst)
}

// depth returns the deepest nesting of objects and arrays in a JSON text, ignoring strings.
func depth(b []byte) int {
	d, max, inStr, esc := 0, 0, false, false
	for _, ch := range b {
		switch {
		case esc:
			esc = false
		case inStr && ch == '\\':
			esc = true
		case ch == '"':
			inStr = !inStr
		case inStr:
		case ch == '{' || ch == '[':
			d++
			if d > max {
				max = d
			}
		case ch == '}' || ch == ']':
			d--
		}
	}
	return max
}

var jsonTypeNames = map[string]string{
	"string": "字符串", "int": "整数", "int64": "整数", "bool": "true 或 false", "float64": "数字",
	"[]string": "字符串数组", "time.Time": "RFC 3339 时间（如 2026-12-01T09:00:00+08:00）",
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		want := jsonTypeNames[typeErr.Type.String()]
		if want == "" {
			want = typeErr.Type.String()
		}
		field := typeErr.Field
		if field == "" {
			return &workflow.Error{Code: workflow.EInvalid, Message: "请求内容应为一个 JSON 对象"}
		}
		return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: fmt.Sprintf("字段 %s 的类型错误：应为%s", field, want)}
	case errors.As(err, &syntaxErr):
		return &workflow.Error{Code: workflow.EInvalid, Message: fmt.Sprintf("JSON 格式错误（第 %d 字节附近）", syntaxErr.Offset)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &workflow.Error{Code: workflow.EInvalid, Field: f, Message: fmt.Sprintf("未知字段 %s，请检查字段名", f)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &workflow.Error{Code: workflow.EInvalid, Message: "JSON 内容不完整"}
	}
	var te *time.ParseError
	if errors.As(err, &te) {
		return &workflow.Error{Code: workflow.EInvalid, Message: "时间格式错误：请使用 RFC 3339 格式，如 2026-12-01T09:00:00+08:00"}
	}
	return &workflow.Error{Code: workflow.EInvalid, Message: "请求内容无法解析：" + err.Error()}
}

// pathID reads a positive integer path parameter.
func pathID(c *gin.Context, name string) (int64, error) {
	v, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, &workflow.Error{Code: workflow.ENotFound, Message: "编号无效：" + c.Param(name)}
	}
	return v, nil
}

// reportYear reads the :year path parameter: a year the report formats cover.
func reportYear(c *gin.Context) (int, error) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 2019 || year > 2200 {
		return 0, &workflow.Error{Code: workflow.EInvalid, Field: "year", Message: "年度应为 2019 年以后的年份（年度报告格式自 2019 年起适用）"}
	}
	return year, nil
}

// queryInt reads an optional integer query parameter within [min, max].
func queryInt(c *gin.Context, name string, def, min, max int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, &workflow.Error{Code: workflow.EInvalid, Field: name, Message: fmt.Sprintf("参数 %s 应为 %d 到 %d 之间的整数", name, min, max)}
	}
	return n, nil
}

// idAndBody reads the :id path parameter and the JSON body into dst.
func idAndBody(c *gin.Context, dst any) (int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, err
	}
	return id, decodeJSON(c, dst)
}

// paging reads the page (1 to maxPage) and page_size (1 to maxSize, def when absent) query
// parameters.
func paging(c *gin.Context, maxPage, def, maxSize int) (page, size int, err error) {
	if page, err = queryInt(c, "page", 1, 1, maxPage); err != nil {
		return 0, 0, err
	}
	if size, err = queryInt(c, "page_size", def, 1, maxSize); err != nil {
		return 0, 0, err
	}
	return page, size, nil
}

// versioned is the body of an update: it names the version its author saw.
type versioned interface{ seenVersion() int }

// idAndUpdate reads the :id path parameter and the body of an update into dst, refusing a body
// that does not say which version its author saw.
func idAndUpdate(c *gin.Context, dst versioned) (int64, error) {
	id, err := idAndBody(c, dst)
	if err == nil && dst.seenVersion() == 0 {
		err = &workflow.Error{Code: workflow.EInputMissing, Field: "version", Message: "请提供您看到的版本号 version，以免覆盖他人的修改"}
	}
	return id, err
}

// withID runs f with the :id path parameter, or returns why there is none.
func withID(c *gin.Context, f func(id int64) error) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return f(id)
}

// fireRequest is the optional body of a transition: the version the caller saw and the input.
type fireRequest struct {
	Version int               `json:"version"`
	Input   map[string]string `json:"input"`
}

// firer fires transition name on the object id with the caller's version and input, and returns
// the name of the object's flow definition and the short answer of the transition (nil when the
// object's kind has none: its full detail answers).
type firer func(c *gin.Context, id int64, version int, name string, in workflow.Input) (string, any, error)

// transition is the handler of POST …/:id/transitions/:name of every kind of object: it reads the
// object's id, the optional body and the transition's name, fires it, counts it and answers the
// short answer (state, version, what the caller may do next), or the object's detail when the
// caller asks for it (?detail=full or Prefer: return=representation) or the kind has no short one.
func (s *Server) transition(fire firer, detail func(c *gin.Context, status int, id int64) error) handler {
	return func(c *gin.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req fireRequest
		if c.Request.ContentLength != 0 || c.GetHeader("Content-Type") != "" {
			if err := decodeJSON(c, &req); err != nil {
				return err
			}
		}
		name := c.Param("name")
		if len(name) > 64 {
			return &workflow.Error{Code: workflow.EUnknownTransition, Message: "未知的操作"}
		}
		full, err := wantsDetail(c)
		if err != nil {
			return err
		}
		def, short, err := fire(c, id, req.Version, name, workflow.Input(req.Input))
		if err != nil {
			return err
		}
		s.transitions.WithLabelValues(def, name).Inc()
		if full || short == nil {
			return detail(c, http.StatusOK, id)
		}
		c.JSON(http.StatusOK, short)
		return nil
	}
}

// wantsDetail reports whether the caller of a change asked for the object's full detail in the
// answer: ?detail=full, or the header Prefer: return=representation (RFC 7240).
func wantsDetail(c *gin.Context) (bool, error) {
	switch c.Query("detail") {
	case "full":
		return true, nil
	case "", "short":
	default:
		return false, &workflow.Error{Code: workflow.EInvalid, Field: "detail", Message: "detail 只能是 full 或 short"}
	}
	for _, v := range c.Request.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.ReplaceAll(strings.TrimSpace(p), " ", ""), "return=representation") {
				return true, nil
			}
		}
	}
	return false, nil
}

// detailOf is the GET handler of an object's detail: it reads the :id path parameter and answers
// detail's JSON.
func detailOf(detail func(c *gin.Context, status int, id int64) error) handler {
	return func(c *gin.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		return detail(c, http.StatusOK, id)
	}
}

// reply answers v as JSON with status, or returns err (v is then not written).
func reply(c *gin.Context, status int, v any, err error) error {
	if err != nil {
		return err
	}
	c.JSON(status, v)
	return nil
}

// listPage answers one page of a list: its items converted by conv (never null), the total and
// the paging.
func listPage[T, D any](c *gin.Context, items []T, conv func(T) D, total, page, size int) error {
	out := make([]D, 0, len(items))
	for _, it := range items {
		out = append(out, conv(it))
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "total": total, "page": page, "page_size": size})
	return nil
}
