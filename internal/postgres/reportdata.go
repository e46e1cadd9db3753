package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"wugongkai/internal/report"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// yearDays returns 1 January and 31 December of year as YYYY-MM-DD.
func yearDays(year int) (first, last string) {
	return fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
}

// yearInstants returns the start of year and of the next year in Asia/Shanghai.
func yearInstants(year int) (start, end time.Time) {
	start = time.Date(year, 1, 1, 0, 0, 0, 0, workflow.Shanghai)
	return start.UTC(), start.AddDate(1, 0, 0).UTC()
}

// RequestCounts aggregates Table 三 of year from the requests with two GROUP BY queries (see
// report.RequestCounts for the rules): received in the year, carried in, still open at its end,
// and closed in it by outcome.
func (s *ReportData) RequestCounts(ctx context.Context, year int) (report.RequestCounts, error) {
	first, last := yearDays(year)
	var out report.RequestCounts
	const qApplicants = `SELECT applicant_type AS applicant,
		count(*) FILTER (WHERE received_on >= $1) AS received,
		count(*) FILTER (WHERE received_on < $1) AS carried_in,
		count(*) FILTER (WHERE closed_on IS NULL OR closed_on > $2) AS open_at_end
		FROM requests WHERE org_id = $3 AND received_on <= $2 AND (closed_on IS NULL OR closed_on >= $1)
		GROUP BY applicant_type ORDER BY applicant_type`
	var as []struct {
		Applicant string `db:"applicant"`
		Received  int    `db:"received"`
		CarriedIn int    `db:"carried_in"`
		OpenAtEnd int    `db:"open_at_end"`
	}
	if err := s.db.SelectContext(ctx, &as, qApplicants, first, last, s.org); err != nil {
		return out, translate(fmt.Errorf("count requests by applicant: %w", err), "")
	}
	for _, a := range as {
		out.Applicants = append(out.Applicants, report.ApplicantCounts{Applicant: a.Applicant, Received: a.Received,
			CarriedIn: a.CarriedIn, OpenAtEnd: a.OpenAtEnd})
	}
	const qClosed = `SELECT outcome, applicant_type AS applicant, count(*) AS n FROM requests
		WHERE org_id = $3 AND closed_on BETWEEN $1 AND $2 GROUP BY outcome, applicant_type ORDER BY outcome, applicant_type`
	var cs []struct {
		Outcome   string `db:"outcome"`
		Applicant string `db:"applicant"`
		N         int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &cs, qClosed, first, last, s.org); err != nil {
		return out, translate(fmt.Errorf("count closed requests: %w", err), "")
	}
	for _, c := range cs {
		out.Closed = append(out.Closed, report.ClosedCount{Outcome: c.Outcome, Applicant: c.Applicant, Count: c.N})
	}
	return out, nil
}

// CaseRecords returns the cases Table 四 of year counts: filed by its end and not concluded
// before its start (report.TallyCases applies the rules).
func (s *ReportData) CaseRecords(ctx context.Context, year int) ([]report.CaseRecord, error) {
	first, last := yearDays(year)
	const q = `SELECT kind, outcome, filed_on, concluded_on FROM cases
		WHERE org_id = $1 AND filed_on <= $2 AND (concluded_on IS NULL OR concluded_on >= $3) ORDER BY id`
	return selectAll(ctx, s.db, "read cases", caseRecordRow.toDomain, q, s.org, last, first)
}

type caseRecordRow struct {
	Kind        string       `db:"kind"`
	Outcome     string       `db:"outcome"`
	FiledOn     time.Time    `db:"filed_on"`
	ConcludedOn sql.NullTime `db:"concluded_on"`
}

func (r caseRecordRow) toDomain() report.CaseRecord {
	return report.CaseRecord{Kind: r.Kind, Outcome: r.Outcome, Filed: dayOf(r.FiledOn), Concluded: nullDay(r.ConcludedOn)}
}

// NormativeCounts are the figures of Table 二 第二十条第（一）项 the documents give for a year:
// 规范性文件 only (the system has no 规章 kind, so 规章 stay 0).
type NormativeCounts struct {
	Made           int // signed (or decided) in the year: 本年新制作 / 本年制发
	Published      int // published in the year: 本年新公开 (2019 format)
	PublishedTotal int // published by the year's end: 对外公开总数量 (2019 format)
	Repealed       int // validity changed to 废止 in the year: 本年废止 (2021 format)
	InForce        int // published by the year's end and 有效 then: 现行有效 (2021 format)
}

// NormativeCounts counts the normative documents of year. Validity at the year's end is read from
// the audit log (the last "validity" event before the year ended), so a report for a past year
// does not change when a document is repealed later.
func (s *ReportData) NormativeCounts(ctx context.Context, year int) (NormativeCounts, error) {
	first, last := yearDays(year)
	start, end := yearInstants(year)
	var n NormativeCounts
	const q = `WITH v AS (
			SELECT DISTINCT ON (a.subject_id) a.subject_id, a.data->>'validity' AS validity
			FROM audit_events a
			WHERE a.org_id = $1 AND a.action = 'validity' AND a.subject_kind = 'document' AND a.at < $5
			ORDER BY a.subject_id, a.seq DESC)
		SELECT
			count(*) FILTER (WHERE COALESCE(d.facts->>'signed_on', d.facts->>'decided_on') BETWEEN $2 AND $3) AS made,
			count(*) FILTER (WHERE d.published_at >= $4 AND d.published_at < $5) AS published,
			count(*) FILTER (WHERE d.published_at < $5) AS published_total,
			count(*) FILTER (WHERE d.published_at < $5 AND COALESCE(v.validity, '有效') = '有效') AS in_force
		FROM documents d LEFT JOIN v ON v.subject_id = d.id
		WHERE d.org_id = $1 AND d.doc_kind = '规范性文件'`
	row := s.db.QueryRowxContext(ctx, q, s.org, first, last, start, end)
	if err := row.Scan(&n.Made, &n.Published, &n.PublishedTotal, &n.InForce); err != nil {
		return n, translate(fmt.Errorf("count normative documents: %w", err), "")
	}
	const qRepealed = `SELECT count(DISTINCT a.subject_id) FROM audit_events a
		JOIN documents d ON d.org_id = a.org_id AND d.id = a.subject_id AND d.doc_kind = '规范性文件'
		WHERE a.org_id = $1 AND a.action = 'validity' AND a.subject_kind = 'document' AND a.data->>'validity' = '废止'
		AND a.at >= $2 AND a.at < $3`
	if err := s.db.GetContext(ctx, &n.Repealed, qRepealed, s.org, start, end); err != nil {
		return n, translate(fmt.Errorf("count repealed documents: %w", err), "")
	}
	return n, nil
}

// figureJSON is the stored form of a workflow.ReportFigure.
type figureJSON struct {
	Item   string     `json:"item"`
	Label  string     `json:"label"`
	Values []*float64 `json:"values"`
}

type reportInputsRow struct {
	Version     int            `db:"version"`
	Sections    []byte         `db:"sections"`
	Proactive   []byte         `db:"proactive"`
	UpdatedAt   time.Time      `db:"updated_at"`
	UpdatedBy   string         `db:"updated_by"`
	FinalJSON   sql.NullString `db:"final_json"`
	FinalizedAt sql.NullTime   `db:"finalized_at"`
	FinalizedBy string         `db:"finalized_by"`
}

func (s *ReportData) reportInputsRow(ctx context.Context, q queryer, year int, lock bool) (reportInputsRow, bool, error) {
	query := `SELECT version, sections, proactive, updated_at, updated_by, final_json, finalized_at, finalized_by
		FROM report_inputs WHERE org_id = $1 AND year = $2`
	if lock {
		query += ` FOR UPDATE`
	}
	var r reportInputsRow
	if err := q.GetContext(ctx, &r, query, s.org, year); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, false, nil
		}
		return r, false, translate(fmt.Errorf("read report inputs: %w", err), "")
	}
	return r, true, nil
}

// ReportInputs returns what the office entered for year (empty inputs if nothing yet).
func (s *ReportData) ReportInputs(ctx context.Context, year int) (requests.ReportInputs, error) {
	r, ok, err := s.reportInputsRow(ctx, s.db, year, false)
	in := requests.ReportInputs{Year: year, Sections: map[string]string{}, Figures: []requests.ReportFigure{}}
	if err != nil || !ok {
		return in, err
	}
	if err := json.Unmarshal(r.Sections, &in.Sections); err != nil {
		return in, fmt.Errorf("decode report sections: %w", err)
	}
	var figs []figureJSON
	if err := json.Unmarshal(r.Proactive, &figs); err != nil {
		return in, fmt.Errorf("decode report figures: %w", err)
	}
	for _, f := range figs {
		in.Figures = append(in.Figures, requests.ReportFigure{Item: f.Item, Label: f.Label, Values: f.Values})
	}
	in.Version, in.UpdatedAt, in.UpdatedBy = r.Version, r.UpdatedAt, r.UpdatedBy
	in.Final, in.FinalizedAt, in.FinalizedBy = r.FinalJSON.Valid, r.FinalizedAt.Time, r.FinalizedBy
	return in, nil
}

// checkInputs validates the office's inputs against the year's format: sections 一, 五 and 六
// only; Table 二 rows of the format's blocks other than the one the system counts, with one
// value per column, not negative except in a 增/减 column.
func checkInputs(year int, in requests.ReportInputs) error {
	bad := func(field, format string, args ...any) error {
		return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	for k, v := range in.Sections {
		if k != report.SectionOverview && k != report.SectionProblems && k != report.SectionOther {
			return bad("sections", "年度报告只有第一、五、六部分由公开办填写，“%s”不是其中之一", k)
		}
		if len([]rune(v)) > 50000 {
			return bad("sections", "第%s部分过长（不超过 50000 字）", k)
		}
	}
	p, err := report.ProactiveTemplate(mustFormat(year))
	if err != nil {
		return bad("year", "%v", err)
	}
	for i, row := range in.Figures {
		if row.Item == report.CountedItem {
			return bad("proactive", "表二 %s 由系统根据公文数据统计，不能手工填写", report.CountedItem)
		}
		var block *report.ProactiveBlock
		for bi := range p.Blocks {
			if p.Blocks[bi].Item == row.Item {
				block = &p.Blocks[bi]
			}
		}
		if block == nil {
			return bad("proactive", "表二第 %d 行：%d年度报告格式没有“%s”", i+1, year, row.Item)
		}
		if strings.TrimSpace(row.Label) == "" || len([]rune(row.Label)) > 100 {
			return bad("proactive", "表二第 %d 行：请填写信息内容（不超过 100 字）", i+1)
		}
		if len(row.Values) != len(block.Columns)-1 {
			return bad("proactive", "表二 %s “%s”应有 %d 个数值，实为 %d 个", row.Item, row.Label, len(block.Columns)-1, len(row.Values))
		}
		for c, v := range row.Values {
			if v != nil && (*v < 0 && !strings.Contains(block.Columns[c+1], "增/减") || *v > 1e12) {
				return bad("proactive", "表二 %s “%s”的“%s”不能为负数或过大", row.Item, row.Label, block.Columns[c+1])
			}
		}
	}
	return nil
}

// mustFormat returns the format of year, or "" for a year before 2019.
func mustFormat(year int) string {
	f, _ := report.FormatForYear(year)
	return f
}

// SaveReportInputs replaces what the office entered for year, if the stored version is still
// prevVersion (0 when nothing was saved yet). A final report can no longer be changed.
func (s *ReportData) SaveReportInputs(ctx context.Context, in requests.ReportInputs, prevVersion int, actor workflow.Actor, now time.Time) (requests.ReportInputs, error) {
	if _, err := report.FormatForYear(in.Year); err != nil {
		return requests.ReportInputs{}, &workflow.Error{Code: workflow.EInvalid, Field: "year", Message: err.Error()}
	}
	if in.Sections == nil {
		in.Sections = map[string]string{}
	}
	figs := []figureJSON{}
	for _, f := range in.Figures {
		figs = append(figs, figureJSON{Item: f.Item, Label: f.Label, Values: f.Values})
	}
	if err := checkInputs(in.Year, in); err != nil {
		return requests.ReportInputs{}, err
	}
	sections, err := jsonText(in.Sections)
	if err != nil {
		return requests.ReportInputs{}, fmt.Errorf("encode report sections: %w", err)
	}
	proactive, err := jsonText(figs)
	if err != nil {
		return requests.ReportInputs{}, fmt.Errorf("encode report figures: %w", err)
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		cur, ok, err := s.reportInputsRow(ctx, tx, in.Year, true)
		if err != nil {
			return err
		}
		switch {
		case cur.FinalJSON.Valid:
			return &workflow.Error{Code: workflow.EConflict, Message: fmt.Sprintf("%d年度报告已定稿，不能再修改", in.Year)}
		case ok && prevVersion != cur.Version || !ok && prevVersion != 0:
			return &workflow.Error{Code: workflow.EConflict, Message: fmt.Sprintf("年度报告已被他人修改（您看到的是第 %d 版，当前为第 %d 版），请刷新后重试", prevVersion, cur.Version),
				Details: map[string]any{"your_version": prevVersion, "current_version": cur.Version}}
		}
		const q = `INSERT INTO report_inputs (org_id, year, sections, proactive, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org_id, year) DO UPDATE SET sections = EXCLUDED.sections, proactive = EXCLUDED.proactive,
			updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by, version = report_inputs.version + 1`
		if _, err := tx.ExecContext(ctx, q, s.org, in.Year, sections, proactive, now.UTC(), actorName(actor)); err != nil {
			return translate(fmt.Errorf("save report inputs: %w", err), "年度报告")
		}
		return nil
	})
	if err != nil {
		return requests.ReportInputs{}, err
	}
	return s.ReportInputs(ctx, in.Year)
}

// AnnualReport returns the report of year for org: the snapshot taken when it was marked final,
// or else the report assembled now from the data (Table 二 第二十条第（一）项 from the documents,
// Table 三 from the requests, Table 四 from the cases) and the office's inputs (sections 一, 五,
// 六 and the other Table 二 rows), in the format of the year.
func (s *ReportData) AnnualReport(ctx context.Context, year int, org string) (*report.Report, requests.ReportInputs, error) {
	in, err := s.ReportInputs(ctx, year)
	if err != nil {
		return nil, in, err
	}
	if in.Final {
		r, _, err := s.reportInputsRow(ctx, s.db, year, false)
		if err != nil {
			return nil, in, err
		}
		rep, err := report.ReadJSON(strings.NewReader(r.FinalJSON.String))
		if err != nil {
			return nil, in, fmt.Errorf("read final report %d: %w", year, err)
		}
		return rep, in, nil
	}
	rep, err := report.New(org, year)
	if err != nil {
		return nil, in, &workflow.Error{Code: workflow.EInvalid, Field: "year", Message: err.Error(), Err: err}
	}
	nc, err := s.NormativeCounts(ctx, year)
	if err != nil {
		return nil, in, err
	}
	if rep.Format == report.Format2019 {
		err = errors.Join(rep.Proactive.Set(report.CountedItem, "规章", report.Num(0), report.Num(0), report.Num(0)),
			rep.Proactive.Set(report.CountedItem, "规范性文件", report.Num(float64(nc.Made)), report.Num(float64(nc.Published)),
				report.Num(float64(nc.PublishedTotal))))
	} else {
		err = errors.Join(rep.Proactive.Set(report.CountedItem, "规章", report.Num(0), report.Num(0), report.Num(0)),
			rep.Proactive.Set(report.CountedItem, "行政规范性文件", report.Num(float64(nc.Made)), report.Num(float64(nc.Repealed)),
				report.Num(float64(nc.InForce))))
	}
	if err != nil {
		return nil, in, fmt.Errorf("assemble report %d: %w", year, err)
	}
	for _, row := range in.Figures {
		cells := make([]report.Cell, len(row.Values))
		for i, v := range row.Values {
			if v == nil {
				cells[i] = report.Cell{Blank: true}
			} else {
				cells[i] = report.Num(*v)
			}
		}
		if err := rep.Proactive.Set(row.Item, row.Label, cells...); err != nil {
			return nil, in, fmt.Errorf("assemble report %d: %w", year, err)
		}
	}
	for k, v := range in.Sections {
		rep.Sections[k] = v
	}
	counts, err := s.RequestCounts(ctx, year)
	if err != nil {
		return nil, in, err
	}
	rep.Requests = report.RequestsFromCounts(rep.Format, counts)
	cases, err := s.CaseRecords(ctx, year)
	if err != nil {
		return nil, in, err
	}
	rep.ReviewLitigation = report.TallyCases(year, cases)
	return rep, in, nil
}

// PreviousReport returns last year's report for the carry-over check, or nil when year is the
// first year of the formats (2019).
func (s *ReportData) PreviousReport(ctx context.Context, year int, org string) (*report.Report, error) {
	if _, err := report.FormatForYear(year - 1); err != nil {
		return nil, nil
	}
	prev, _, err := s.AnnualReport(ctx, year-1, org)
	return prev, err
}

// FinalizeReport marks the report of year final: only if report.Check passes, against last year's
// report too. The report as it then stands is kept and served from then on. The failures are
// returned with an *workflow.Error of code EGuardFailed when a check fails.
func (s *ReportData) FinalizeReport(ctx context.Context, year int, org string, actor workflow.Actor, now time.Time) (*report.Report, []report.Failure, error) {
	rep, in, err := s.AnnualReport(ctx, year, org)
	if err != nil {
		return nil, nil, err
	}
	if in.Final {
		return nil, nil, &workflow.Error{Code: workflow.EConflict, Message: fmt.Sprintf("%d年度报告已于 %s 定稿", year, in.FinalizedAt.In(workflow.Shanghai).Format("2006-01-02 15:04"))}
	}
	prev, err := s.PreviousReport(ctx, year, org)
	if err != nil {
		return nil, nil, err
	}
	if fs := report.Check(rep, prev); len(fs) > 0 {
		msgs := make([]string, len(fs))
		for i, f := range fs {
			msgs[i] = f.Message
		}
		return rep, fs, &workflow.Error{Code: workflow.EGuardFailed,
			Message: fmt.Sprintf("%d年度报告有 %d 处勾稽关系不成立，不能定稿：%s", year, len(fs), strings.Join(msgs, "；")),
			Details: map[string]any{"failures": msgs}}
	}
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, rep); err != nil {
		return nil, nil, fmt.Errorf("encode final report: %w", err)
	}
	err = s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		cur, ok, err := s.reportInputsRow(ctx, tx, year, true)
		if err != nil {
			return err
		}
		if cur.FinalJSON.Valid || ok && cur.Version != in.Version {
			return &workflow.Error{Code: workflow.EConflict, Message: "年度报告刚被他人修改或定稿，请刷新后重试"}
		}
		const q = `INSERT INTO report_inputs (org_id, year, final_json, finalized_at, finalized_by, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $4, $5)
			ON CONFLICT (org_id, year) DO UPDATE SET final_json = EXCLUDED.final_json, finalized_at = EXCLUDED.finalized_at,
			finalized_by = EXCLUDED.finalized_by, version = report_inputs.version + 1`
		if _, err := tx.ExecContext(ctx, q, s.org, year, buf.String(), now.UTC(), actorName(actor)); err != nil {
			return translate(fmt.Errorf("finalize report: %w", err), "年度报告")
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return rep, nil, nil
}
