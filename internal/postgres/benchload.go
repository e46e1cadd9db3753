package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/lib/pq"
	"gopkg.in/yaml.v3"

	"wugongkai/configs"
	"wugongkai/internal/benchtext"
	"wugongkai/workflow"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/requests"
)

// BenchOwner is who rows bulk-loaded for the benchmark belong to: the organisation, a unit and a
// user of it (bench.Owner converts to it).
type BenchOwner struct {
	Org  int64
	Unit string
	User int64
}

// reserveIDs draws n ids from the sequence of table's id column, so that rows copied in can be
// referred to by other rows copied in.
func reserveIDs(ctx context.Context, db *sql.DB, table string, n int) ([]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, fmt.Errorf("reserve %s ids: %w", table, err)
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("reserve %s ids: %w", table, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// copyIn runs COPY table (cols) FROM STDIN in one transaction, feeding it n rows from row.
func copyIn(ctx context.Context, db *sql.DB, table string, cols []string, n int, row func(i int) ([]any, error)) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	for i := range n {
		vals, err := row(i)
		if err != nil {
			stmt.Close()
			return err
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			stmt.Close()
			return fmt.Errorf("copy row %d into %s: %w", i, table, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	if err := stmt.Close(); err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("copy into %s: commit: %w", table, err)
	}
	return nil
}

var documentCols = []string{"id", "org_id", "definition", "definition_version", "unit_code", "state", "version", "facts",
	"title", "body", "explanation", "doc_kind", "subject_category", "doc_number", "summary", "created_by", "created_at",
	"updated_at", "index_no", "published_at", "validity", "search_terms"}

// LoadPublished copies in n published 主动公开 documents with catalogue data and search terms, as
// the publish transition leaves them, published over the year before now. It returns their ids.
func LoadPublished(ctx context.Context, db *sql.DB, o BenchOwner, orgCode string, n int, now time.Time) ([]int64, error) {
	ids, err := reserveIDs(ctx, db, "documents", n)
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	err = copyIn(ctx, db, "documents", documentCols, n, func(i int) ([]any, error) {
		title, body := benchtext.Title(r, i), benchtext.Text(r, 6+r.IntN(20))
		published := now.Add(-time.Duration(n-i) * (365 * 24 * time.Hour / time.Duration(n+1)))
		facts, _ := json.Marshal(map[string]string{"attribute": workflow.AttributeProactive, "signed_on": workflow.DateOf(published).String(),
			"signer": "张局长", "published_on": workflow.DateOf(published).String()})
		index := fmt.Sprintf("%s/%d-B%08d", orgCode, published.Year(), ids[i]) // unique across loads
		return []any{ids[i], o.Org, "document", 1, o.Unit, "published", 7, string(facts), title, body, "", documents.KindOther,
			benchtext.Categories[r.IntN(len(benchtext.Categories))], fmt.Sprintf("许建〔%d〕%d号", published.Year(), i+1), summaryOf(body),
			o.User, published, published, index, published, documents.ValidityValid,
			pq.Array(documents.SearchTerms(title + "\n" + body))}, nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// shippedVersion returns the version of the shipped workflow definition file name: loaded drafts
// run on it, as new drafts do.
func shippedVersion(name string) (int, error) {
	data, err := fs.ReadFile(configs.Workflows(), name)
	if err != nil {
		return 0, fmt.Errorf("read shipped definition: %w", err)
	}
	var def struct {
		Version int `yaml:"version"`
	}
	if err := yaml.Unmarshal(data, &def); err != nil {
		return 0, fmt.Errorf("read shipped definition %s: %w", name, err)
	}
	return def.Version, nil
}

// LoadDueConsultations copies in n decision drafts scheduled for public comment whose period has
// begun, and then, in a second transaction, their opening deadlines, all due at once. It returns
// when the deadlines are committed: from then on the sweep may fire them.
func LoadDueConsultations(ctx context.Context, db *sql.DB, o BenchOwner, n int, now time.Time) error {
	ids, err := reserveIDs(ctx, db, "documents", n)
	if err != nil {
		return err
	}
	opens := now.Add(-time.Minute).UTC()
	closes := now.Add(40 * 24 * time.Hour).UTC()
	facts, _ := json.Marshal(map[string]string{"attribute": workflow.AttributeProactive,
		"opens_at": opens.Format(time.RFC3339), "closes_at": closes.Format(time.RFC3339)})
	version, err := shippedVersion("decision.yaml")
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(3, 4))
	err = copyIn(ctx, db, "documents", documentCols, n, func(i int) ([]any, error) {
		title := "关于" + benchtext.Topics[r.IntN(len(benchtext.Topics))] + "的决策草案（征求意见稿）"
		return []any{ids[i], o.Org, "decision", version, o.Unit, "consultation_scheduled", 3, string(facts), title,
			benchtext.Text(r, 3), "起草说明", documents.KindOther, "", "", "", o.User, now, now, nil, nil, documents.ValidityValid,
			pq.Array([]string{})}, nil
	})
	if err != nil {
		return err
	}
	cols := []string{"org_id", "subject_kind", "subject_id", "name", "due_at", "due_date", "action", "transition", "explanation"}
	due := now.Add(-time.Second).UTC()
	day := workflow.DateOf(due).String()
	return copyIn(ctx, db, "deadlines", cols, n, func(i int) ([]any, error) {
		return []any{o.Org, "document", ids[i], "consultation_opens", due, day, string(workflow.ActionFire), "open",
			"征求意见开始时间"}, nil
	})
}

// summaryOf returns the first 60 characters of body, the 内容概述 of a generated document.
func summaryOf(body string) string {
	rs := []rune(strings.ReplaceAll(body, "\n", ""))
	return string(rs[:min(len(rs), 60)])
}

// Request outcomes the report loader spreads closed requests over (leaf rows of Table 三).
var loadOutcomes = []string{"三(一)", "三(二)", "三(三)1", "三(三)3", "三(三)4", "三(三)7", "三(四)1", "三(四)3", "三(五)1", "三(六)1"}

// Applicant types of the requests table, the first far the most common.
var loadApplicants = []string{"natural", "natural", "natural", "natural", "commercial", "research", "nonprofit", "legal_service", "other"}

// LoadReportYear copies in a year's worth of what the annual report counts: documents documents
// made in year (one in ten a 规范性文件, most published in the year, some repealed with a validity
// audit event) and requests disclosure requests received in year or carried in from the year
// before, most answered in the year with an outcome. Rows are spread over the year; nothing else
// of the workflow (histories, deadlines) is loaded.
func LoadReportYear(ctx context.Context, db *sql.DB, o BenchOwner, year, documents, requests int) error {
	if err := loadReportDocuments(ctx, db, o, year, documents); err != nil {
		return err
	}
	return loadReportRequests(ctx, db, o, year, requests)
}

func loadReportDocuments(ctx context.Context, db *sql.DB, o BenchOwner, year, n int) error {
	ids, err := reserveIDs(ctx, db, "documents", n)
	if err != nil {
		return err
	}
	start := time.Date(year, 1, 1, 9, 0, 0, 0, workflow.Shanghai)
	day := func(i int) time.Time { return start.AddDate(0, 0, i%365).Add(time.Duration(i%480) * time.Minute) }
	r := rand.New(rand.NewPCG(7, 8))
	var repealed []int
	err = copyIn(ctx, db, "documents", documentCols, n, func(i int) ([]any, error) {
		signed := day(i)
		kind := documents.KindOther
		if i%10 == 0 {
			kind = documents.KindNormative
		}
		state, attribute := "published", workflow.AttributeProactive
		var published, index any
		switch i % 20 {
		case 3:
			state, attribute = "filed", "依申请公开"
		case 10:
			state = "awaiting_publication" // signed, not yet published: a normative one in two
		default:
			p := signed.Add(72 * time.Hour)
			published, index = p, fmt.Sprintf("RPT/%d-%08d", year, i+1)
			if kind == documents.KindNormative && i%30 == 0 {
				repealed = append(repealed, i)
			}
		}
		facts, _ := json.Marshal(map[string]string{"attribute": attribute, "signed_on": workflow.DateOf(signed).String(), "signer": "张局长"})
		title := benchtext.Title(r, i)
		return []any{ids[i], o.Org, "document", 1, o.Unit, state, 6, string(facts), title, benchtext.Sentences[i%len(benchtext.Sentences)], "", kind,
			benchtext.Categories[i%len(benchtext.Categories)], fmt.Sprintf("许建〔%d〕%d号", year, i+1), title, o.User, signed, signed, index, published,
			documents.ValidityValid, pq.Array([]string{})}, nil
	})
	if err != nil {
		return err
	}
	// The organisation's audit sequence has no gaps: take a range of it for these events.
	var last int64
	if err := db.QueryRowContext(ctx, `INSERT INTO audit_heads (org_id, gseq) VALUES ($1, $2)
		ON CONFLICT (org_id) DO UPDATE SET gseq = audit_heads.gseq + $2 RETURNING gseq`, o.Org, len(repealed)).Scan(&last); err != nil {
		return fmt.Errorf("reserve audit sequence: %w", err)
	}
	first := last - int64(len(repealed)) + 1
	cols := []string{"org_id", "subject_kind", "subject_id", "seq", "action", "from_state", "to_state", "actor_id", "actor_name",
		"data", "at", "prev_hash", "hash", "gseq"}
	return copyIn(ctx, db, "audit_events", cols, len(repealed), func(k int) ([]any, error) {
		i := repealed[k]
		return []any{o.Org, "document", ids[i], 1, "validity", "published", "published", o.User, "周公开",
			`{"validity":"废止"}`, day(i).Add(100 * 24 * time.Hour), "", fmt.Sprintf("bench-%d", ids[i]), first + int64(k)}, nil
	})
}

func loadReportRequests(ctx context.Context, db *sql.DB, o BenchOwner, year, n int) error {
	cols := []string{"org_id", "definition", "definition_version", "unit_code", "state", "version", "facts", "receipt_no", "title",
		"channel", "received_on", "applicant_type", "applicant_name", "id_type", "id_number", "phone", "description", "info_form",
		"delivery", "address"}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, workflow.Shanghai)
	return copyIn(ctx, db, "requests", cols, n, func(i int) ([]any, error) {
		received := start.AddDate(0, 0, i%365)
		if i%25 == 0 {
			received = start.AddDate(0, 0, -1-i%40) // carried in from the year before
		}
		facts := map[string]string{"reply_due": workflow.DateOf(received.AddDate(0, 0, 28)).String()}
		state := "processing"
		if i%12 != 0 { // most are answered within about three weeks
			facts["outcome"] = loadOutcomes[i%len(loadOutcomes)]
			facts["closed_on"] = workflow.DateOf(received.AddDate(0, 0, 5+i%20)).String()
			state = requests.RequestAnswered
		}
		fb, _ := json.Marshal(facts)
		applicant := loadApplicants[i%len(loadApplicants)]
		idType, idNumber := requests.IDResidentCard, "410102199001011234"
		if applicant != "natural" {
			idType, idNumber = requests.IDCreditCode, "91410100MA12345678"
		}
		return []any{o.Org, "request", 1, o.Unit, state, 3, string(fb), fmt.Sprintf("YSQ-B%d-%07d", year, i+1),
			"申请公开" + benchtext.Topics[i%len(benchtext.Topics)] + "相关文件", "online", workflow.DateOf(received).String(), applicant,
			fmt.Sprintf("申请人%d", i+1), idType, idNumber, "13800000000", "请公开" + benchtext.Topics[i%len(benchtext.Topics)] + "的相关文件。",
			"纸质", "邮寄", "河南省许昌市某路1号"}, nil
	})
}

// LoadOpenTasks copies in n documents of o's unit drafted by o.User and submitted for the unit
// head's review (state unit_review), as the submit transition leaves them: each one a 待办 of
// the unit's head.
func LoadOpenTasks(ctx context.Context, db *sql.DB, o BenchOwner, n int, now time.Time) error {
	ids, err := reserveIDs(ctx, db, "documents", n)
	if err != nil {
		return err
	}
	version, err := shippedVersion("document.yaml")
	if err != nil {
		return err
	}
	facts, _ := json.Marshal(map[string]string{"attribute": workflow.AttributeProactive, "legal_approved": "", "legal_opinion": ""})
	r := rand.New(rand.NewPCG(9, 10))
	return copyIn(ctx, db, "documents", documentCols, n, func(i int) ([]any, error) {
		at := now.Add(-time.Duration(n-i) * time.Minute)
		return []any{ids[i], o.Org, "document", version, o.Unit, "unit_review", 2, string(facts), benchtext.Title(r, i),
			benchtext.Text(r, 6), "", documents.KindOther, "", "", "", o.User, at, at, nil, nil, documents.ValidityValid,
			pq.Array([]string{})}, nil
	})
}
