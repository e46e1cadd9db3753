package postgres

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"wugongkai/workflow"
	"wugongkai/workflow/desk"
)

// Desk answers the queries of the 待办 (workflow/desk) for one organisation.
type Desk struct{ base }

// PendingDeadlines implements desk.Store.
func (s *Desk) PendingDeadlines(ctx context.Context, kind string, ids []int64) (map[int64][]workflow.Deadline, error) {
	const q = `SELECT ` + deadlineCols + ` FROM deadlines
		WHERE org_id = $1 AND subject_kind = $2 AND subject_id = ANY($3) AND status = 'pending'
		ORDER BY due_at, id`
	var rows []deadlineRow
	if err := s.db.SelectContext(ctx, &rows, q, s.org, kind, pq.Array(ids)); err != nil {
		return nil, translate(fmt.Errorf("list pending deadlines: %w", err), "")
	}
	out := map[int64][]workflow.Deadline{}
	for _, r := range rows {
		out[r.SubjectID] = append(out[r.SubjectID], r.toDomain())
	}
	return out, nil
}

type moderationRow struct {
	ID         int64  `db:"id"`
	Version    int    `db:"version"`
	Unit       string `db:"unit_code"`
	UnitName   string `db:"unit_name"`
	Title      string `db:"title"`
	State      string `db:"state"`
	Definition string `db:"definition"`
	DefVersion int    `db:"definition_version"`
	Pending    int    `db:"pending"`
}

// ModerationQueue implements desk.Store.
func (s *Desk) ModerationQueue(ctx context.Context, units []string, all bool) ([]desk.Moderation, error) {
	const q = `SELECT d.id, d.version, d.unit_code, un.name AS unit_name, d.title, d.state, d.definition,
			d.definition_version, count(*) AS pending
		FROM documents d
		JOIN units un ON un.org_id = d.org_id AND un.code = d.unit_code
		JOIN comments c ON c.org_id = d.org_id AND c.document_id = d.id AND c.status = 'pending'
		WHERE d.org_id = $1 AND d.facts->>'comments_public' = 'true' AND ($2 OR d.unit_code = ANY($3))
		GROUP BY d.id, d.version, d.unit_code, un.name, d.title, d.state, d.definition, d.definition_version
		ORDER BY d.id`
	var rows []moderationRow
	if err := s.db.SelectContext(ctx, &rows, q, s.org, all, pq.Array(units)); err != nil {
		return nil, translate(fmt.Errorf("list moderation queue: %w", err), "")
	}
	out := make([]desk.Moderation, len(rows))
	for i, r := range rows {
		out[i] = desk.Moderation{DocumentID: r.ID, Version: r.Version, Unit: r.Unit, UnitName: r.UnitName, Title: r.Title,
			State: r.State, Definition: r.Definition, DefVersion: r.DefVersion, Pending: r.Pending}
	}
	return out, nil
}
