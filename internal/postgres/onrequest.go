package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// OnRequest keeps the links between disclosure requests and the documents available on request
// they are answered with (requests.OnRequestStore).
type OnRequest struct{ base }

type onRequestRow struct {
	ID           int64          `db:"id"`
	Title        string         `db:"title"`
	DocNumber    string         `db:"doc_number"`
	Summary      string         `db:"summary"`
	UnitName     string         `db:"unit_name"`
	SignedOn     string         `db:"signed_on"`
	Reason       string         `db:"reason"`
	LinkedAt     sql.NullTime   `db:"linked_at"`
	LinkedByName sql.NullString `db:"linked_by_name"`
}

func (r onRequestRow) toDomain() requests.OnRequestDocument {
	d := requests.OnRequestDocument{ID: r.ID, Title: r.Title, DocNumber: r.DocNumber, Summary: r.Summary, UnitName: r.UnitName,
		Reason: r.Reason, LinkedAt: r.LinkedAt.Time, LinkedByName: r.LinkedByName.String}
	d.SignedOn, _ = workflow.ParseDate(r.SignedOn)
	return d
}

// onRequestCols are the columns of onRequestRow but the link's, over documents d and units un.
const onRequestCols = `d.id, d.title, d.doc_number, d.summary, un.name AS unit_name,
	COALESCE(d.facts->>'signed_on', '') AS signed_on, COALESCE(d.facts->>'grounds_explanation', '') AS reason`

// likePattern returns a LIKE pattern matching s anywhere, with LIKE's wildcards escaped.
func likePattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// SearchOnRequest implements requests.OnRequestStore.
func (s *OnRequest) SearchOnRequest(ctx context.Context, states, words []string, limit int) ([]requests.OnRequestDocument, error) {
	patterns := make([]string, len(words))
	for i, w := range words {
		patterns[i] = likePattern(w)
	}
	const q = `SELECT ` + onRequestCols + `, NULL AS linked_at, NULL AS linked_by_name
		FROM documents d JOIN units un ON un.org_id = d.org_id AND un.code = d.unit_code
		WHERE d.org_id = $1 AND d.state = ANY($2)
		  AND NOT EXISTS (SELECT 1 FROM unnest($3::text[]) AS w(p)
		                  WHERE NOT (d.title ILIKE w.p OR d.doc_number ILIKE w.p OR d.summary ILIKE w.p))
		ORDER BY signed_on DESC, d.id DESC LIMIT $4`
	return selectAll(ctx, s.db, "search documents available on request", onRequestRow.toDomain, q, s.org, pq.Array(states),
		pq.Array(patterns), limit)
}

// LinkDocuments implements requests.OnRequestStore. The request's row is locked, so a link and
// the reply that closes the request do not cross.
func (s *OnRequest) LinkDocuments(ctx context.Context, id int64, docs []int64, ended, states []string, actor workflow.Actor, now time.Time) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		var state string
		const qReq = `SELECT state FROM requests WHERE org_id = $1 AND id = $2 FOR UPDATE`
		if err := tx.GetContext(ctx, &state, qReq, s.org, id); err != nil {
			return translate(fmt.Errorf("lock request: %w", err), "申请")
		}
		if slices.Contains(ended, state) {
			return requests.ClosedRequest()
		}
		var found []onRequestRow
		const qDocs = `SELECT ` + onRequestCols + `, NULL AS linked_at, NULL AS linked_by_name
			FROM documents d JOIN units un ON un.org_id = d.org_id AND un.code = d.unit_code
			WHERE d.org_id = $1 AND d.id = ANY($2) AND d.state = ANY($3)
			ORDER BY d.id FOR SHARE OF d`
		if err := tx.SelectContext(ctx, &found, qDocs, s.org, pq.Array(docs), pq.Array(states)); err != nil {
			return translate(fmt.Errorf("read documents to link: %w", err), "")
		}
		var missing []int64
		for _, d := range docs {
			if !slices.ContainsFunc(found, func(r onRequestRow) bool { return r.ID == d }) {
				missing = append(missing, d)
			}
		}
		if len(missing) > 0 {
			return requests.NotOnRequest(missing)
		}
		for _, d := range found {
			doc := d.toDomain()
			const qLink = `INSERT INTO request_documents (org_id, request_id, document_id, linked_by, linked_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`
			res, err := tx.ExecContext(ctx, qLink, s.org, id, d.ID, actor.UserID, now.UTC())
			if err != nil {
				return translate(fmt.Errorf("link document %d: %w", d.ID, err), "关联")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if err := s.db.appendAudit(ctx, tx, s.org, "request", id, workflow.AuditEntry{Action: "link_document",
				FromState: state, ToState: state, ActorID: actor.UserID, ActorName: actorName(actor), At: now,
				Data: map[string]string{"document_id": strconv.FormatInt(d.ID, 10), "document": doc.Citation()}}); err != nil {
				return err
			}
		}
		return nil
	})
}

// LinkedDocuments implements requests.OnRequestStore.
func (s *OnRequest) LinkedDocuments(ctx context.Context, id int64) ([]requests.OnRequestDocument, error) {
	const q = `SELECT ` + onRequestCols + `, l.linked_at, u.display_name AS linked_by_name
		FROM request_documents l
		JOIN documents d ON d.org_id = l.org_id AND d.id = l.document_id
		JOIN units un ON un.org_id = d.org_id AND un.code = d.unit_code
		JOIN users u ON u.org_id = l.org_id AND u.id = l.linked_by
		WHERE l.org_id = $1 AND l.request_id = $2
		ORDER BY l.linked_at, d.id`
	return selectAll(ctx, s.db, "list linked documents", onRequestRow.toDomain, q, s.org, id)
}

type citingRow struct {
	RequestID int64          `db:"request_id"`
	ReceiptNo string         `db:"receipt_no"`
	Title     string         `db:"title"`
	State     string         `db:"state"`
	Outcome   sql.NullString `db:"outcome"`
	LinkedAt  time.Time      `db:"linked_at"`
}

func (r citingRow) toDomain() requests.CitingRequest {
	return requests.CitingRequest{RequestID: r.RequestID, ReceiptNo: r.ReceiptNo, Title: r.Title, State: r.State,
		Outcome: r.Outcome.String, LinkedAt: r.LinkedAt}
}

// CitingRequests implements requests.OnRequestStore.
func (s *OnRequest) CitingRequests(ctx context.Context, doc int64) ([]requests.CitingRequest, error) {
	const q = `SELECT r.id AS request_id, r.receipt_no, r.title, r.state, r.outcome, l.linked_at
		FROM request_documents l JOIN requests r ON r.org_id = l.org_id AND r.id = l.request_id
		WHERE l.org_id = $1 AND l.document_id = $2
		ORDER BY l.linked_at DESC, r.id DESC`
	return selectAll(ctx, s.db, "list requests citing a document", citingRow.toDomain, q, s.org, doc)
}
