package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// reportDTO is the console's view of a year's report: the report in the JSON form of `wugongkai
// report annual --format json`, the failures of its checks (against last year's report too), the
// office's inputs and whether it is final.
type reportDTO struct {
	Year        int               `json:"year"`
	Format      string            `json:"format"`
	Report      json.RawMessage   `json:"report"`
	Failures    []failureDTO      `json:"failures"`
	Final       bool              `json:"final"`
	FinalizedAt *time.Time        `json:"finalized_at,omitempty"`
	FinalizedBy string            `json:"finalized_by,omitempty"`
	Version     int               `json:"version"`
	Sections    map[string]string `json:"sections"`
	Figures     []figureDTO       `json:"figures"`
}

type failureDTO struct {
	Table   string  `json:"table"`
	Cell    string  `json:"cell"`
	Rule    string  `json:"rule"`
	Message string  `json:"message"`
	Left    float64 `json:"left"`
	Right   float64 `json:"right"`
}

func (r *RequestsAPI) getReport(c *gin.Context) error {
	year, err := reportYear(c)
	if err != nil {
		return err
	}
	ch, err := r.Reports.Check(c.Request.Context(), staffOf(c).Actor(), year)
	if err != nil {
		return err
	}
	rep, in := ch.Report, ch.Inputs
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, rep); err != nil {
		return err
	}
	out := reportDTO{Year: rep.Year, Format: rep.Format, Report: buf.Bytes(), Failures: []failureDTO{}, Final: in.Final,
		FinalizedBy: in.FinalizedBy, Version: in.Version, Sections: in.Sections, Figures: []figureDTO{}}
	for _, f := range in.Figures {
		out.Figures = append(out.Figures, figureDTO{Item: f.Item, Label: f.Label, Values: f.Values})
	}
	if in.Final {
		t := in.FinalizedAt
		out.FinalizedAt = &t
	}
	for _, f := range ch.Failures {
		out.Failures = append(out.Failures, failureDTO{Table: f.Table, Cell: f.Cell, Rule: f.Rule, Message: f.Message, Left: f.Left, Right: f.Right})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (r *RequestsAPI) exportReport(c *gin.Context) error {
	year, err := reportYear(c)
	if err != nil {
		return err
	}
	rep, _, err := r.Reports.Year(c.Request.Context(), staffOf(c).Actor(), year)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	format := c.DefaultQuery("format", "html")
	ctype, err := report.Render(&buf, rep, format)
	if errors.Is(err, report.ErrFormat) {
		return &workflow.Error{Code: workflow.EInvalid, Field: "format", Message: "导出格式只能是 html、csv、xlsx 或 json"}
	}
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="report-%d.%s"`, rep.Year, format))
	c.Data(http.StatusOK, ctype, buf.Bytes())
	return nil
}

// figureDTO is one Table 二 row the office enters: its block, label and values (null = blank).
type figureDTO struct {
	Item   string     `json:"item"`
	Label  string     `json:"label"`
	Values []*float64 `json:"values"`
}

type inputsRequest struct {
	Version  int               `json:"version"`
	Sections map[string]string `json:"sections"`
	Figures  []figureDTO       `json:"figures"`
}

func (r *RequestsAPI) saveInputs(c *gin.Context) error {
	year, err := reportYear(c)
	if err != nil {
		return err
	}
	var req inputsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := requests.ReportInputs{Year: year, Sections: map[string]string{}}
	for k, v := range req.Sections {
		in.Sections[k] = strings.TrimSpace(v)
	}
	for _, f := range req.Figures {
		in.Figures = append(in.Figures, requests.ReportFigure{Item: strings.TrimSpace(f.Item), Label: strings.TrimSpace(f.Label), Values: f.Values})
	}
	if _, err := r.Reports.Save(c.Request.Context(), staffOf(c).Actor(), in, req.Version); err != nil {
		return err
	}
	return r.getReport(c)
}

func (r *RequestsAPI) finalize(c *gin.Context) error {
	year, err := reportYear(c)
	if err != nil {
		return err
	}
	if _, _, err := r.Reports.Finalize(c.Request.Context(), staffOf(c).Actor(), year); err != nil {
		return err
	}
	return r.getReport(c)
}
