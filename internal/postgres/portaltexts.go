package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"wugongkai/workflow"
	"wugongkai/workflow/portal"
)

// portalTextRow is a row of portal_texts.
type portalTextRow struct {
	Key       string    `db:"key"`
	Body      string    `db:"body"`
	Version   int       `db:"version"`
	UpdatedAt time.Time `db:"updated_at"`
	UpdatedBy string    `db:"updated_by"`
}

func (r portalTextRow) toDomain() portal.Text {
	return portal.Text{Key: r.Key, Body: r.Body, Version: r.Version, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}
}

// PortalText returns the disclosure office's text called key; one the office has not saved yet
// comes back with version 0 and an empty body.
func (s *Portal) PortalText(ctx context.Context, key string) (portal.Text, error) {
	const q = `SELECT key, body, version, updated_at, updated_by FROM portal_texts WHERE org_id = $1 AND key = $2`
	var r portalTextRow
	err := s.db.GetContext(ctx, &r, q, s.org, key)
	if errors.Is(err, sql.ErrNoRows) {
		return portal.Text{Key: key}, nil
	}
	if err != nil {
		return portal.Text{}, translate(fmt.Errorf("read portal text %s: %w", key, err), "公开内容")
	}
	return r.toDomain(), nil
}

// SavePortalText saves the text t.Key if its version is still prevVersion (0: never saved) and
// returns it with the next version; a stale version gets EConflict.
func (s *Portal) SavePortalText(ctx context.Context, t portal.Text, prevVersion int) (portal.Text, error) {
	const (
		qInsert = `INSERT INTO portal_texts (org_id, key, body, version, updated_at, updated_by)
			VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (org_id, key) DO NOTHING
			RETURNING key, body, version, updated_at, updated_by`
		qUpdate = `UPDATE portal_texts SET body = $3, version = version + 1, updated_at = $4, updated_by = $5
			WHERE org_id = $1 AND key = $2 AND version = $6
			RETURNING key, body, version, updated_at, updated_by`
	)
	var r portalTextRow
	var err error
	if prevVersion == 0 {
		err = s.db.GetContext(ctx, &r, qInsert, s.org, t.Key, t.Body, t.UpdatedAt, t.UpdatedBy)
	} else {
		err = s.db.GetContext(ctx, &r, qUpdate, s.org, t.Key, t.Body, t.UpdatedAt, t.UpdatedBy, prevVersion)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return portal.Text{}, &workflow.Error{Code: workflow.EConflict,
			Message: "他人已修改了“" + portal.TextTitle(t.Key) + "”，请刷新页面，在最新内容上重新修改"}
	}
	if err != nil {
		return portal.Text{}, translate(fmt.Errorf("save portal text %s: %w", t.Key, err), "公开内容")
	}
	return r.toDomain(), nil
}
