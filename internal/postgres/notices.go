package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The notifications of a batch (the sweep's reminders, the relay's batch of outbox rows) are
// written with a fixed number of statements whatever the batch size: one read of the subjects per
// table, one of the role holders, one insert of every inbox entry.

// subjectSummary is what a notification says of its subject.
type subjectSummary struct {
	ID      int64         `db:"id"`
	Title   string        `db:"title"`
	Unit    string        `db:"unit_code"`
	Creator sql.NullInt64 `db:"created_by"`
}

// subjectSummaries reads the title, unit and creator of every subject named, one statement per
// table.
func subjectSummaries(ctx context.Context, tx *sqlx.Tx, org int64, subjects map[string][]int64) (map[subjectKey]subjectSummary, error) {
	sums := map[subjectKey]subjectSummary{}
	for kind, ids := range subjects {
		var rows []subjectSummary
		q := `SELECT id, title, unit_code, created_by FROM ` + tableOf(kind) + ` WHERE org_id = $1 AND id = ANY($2::bigint[])`
		if err := tx.SelectContext(ctx, &rows, q, org, pq.Array(ids)); err != nil {
			return nil, translate(fmt.Errorf("read %s summaries: %w", kind, err), "")
		}
		for _, r := range rows {
			sums[subjectKey{kind, r.ID}] = r
		}
	}
	return sums, nil
}

// roleUnit is a role in a unit whose holders are told.
type roleUnit struct{ role, unit string }

// roleHoldersOf lists the users holding each role in its unit or bureau-wide, in one statement.
func roleHoldersOf(ctx context.Context, tx *sqlx.Tx, org int64, pairs []roleUnit) (map[roleUnit][]int64, error) {
	holders := map[roleUnit][]int64{}
	var roles, units []string
	seen := map[roleUnit]bool{}
	for _, p := range pairs {
		if p.role != "" && !seen[p] {
			seen[p] = true
			roles, units = append(roles, p.role), append(units, p.unit)
		}
	}
	if len(roles) == 0 {
		return holders, nil
	}
	var rows []struct {
		Role string `db:"role"`
		Unit string `db:"unit"`
		User int64  `db:"user_id"`
	}
	const q = `SELECT DISTINCT p.role, p.unit, ra.user_id FROM unnest($2::text[], $3::text[]) AS p(role, unit)
		JOIN role_assignments ra ON ra.org_id = $1 AND ra.role = p.role AND (ra.unit_code = p.unit OR ra.unit_code = '*')
		JOIN users u ON u.org_id = ra.org_id AND u.id = ra.user_id AND NOT u.disabled
		ORDER BY p.role, p.unit, ra.user_id`
	if err := tx.SelectContext(ctx, &rows, q, org, pq.Array(roles), pq.Array(units)); err != nil {
		return nil, translate(fmt.Errorf("read role holders: %w", err), "")
	}
	for _, r := range rows {
		k := roleUnit{r.Role, r.Unit}
		holders[k] = append(holders[k], r.User)
	}
	return holders, nil
}

// rolePairs are the (role, unit) pairs whose holders p's transition tells: its roles in the
// subject's unit, and the roles it names in other units (a countersign's co-units).
func (p notifyPayload) rolePairs(subjectUnit string) []roleUnit {
	var pairs []roleUnit
	for _, role := range p.Roles {
		pairs = append(pairs, roleUnit{role, subjectUnit})
	}
	for _, ru := range p.UnitRoles {
		pairs = append(pairs, roleUnit{ru.Role, ru.Unit})
	}
	return pairs
}

// addTransition adds the inbox entries of a transition's notification p: the holders of the roles
// it names (in the subject's unit, or the unit a co-unit's role names, or bureau-wide) and the
// subject's creator, never the actor; source makes a repeat a no-op.
func (n *noticeRows) addTransition(p notifyPayload, sum subjectSummary, holders map[roleUnit][]int64, source string) {
	var to []int64
	for _, ru := range p.rolePairs(sum.Unit) {
		to = append(to, holders[ru]...)
	}
	if sum.Creator.Int64 != 0 {
		to = append(to, sum.Creator.Int64)
	}
	label := p.Transition
	if p.Label != "" {
		label = p.Label
	}
	msg := fmt.Sprintf("「%s」：%s 执行了“%s”", sum.Title, p.ActorName, label)
	if p.Opinion != "" {
		msg += "，意见：" + strings.TrimSpace(p.Opinion)
	}
	n.add(to, p.ActorID, p.SubjectKind, p.SubjectID, p.Transition, msg, source)
}

// noticeRows are inbox entries to insert, column by column.
type noticeRows struct {
	users, subjects              []int64
	kinds, nkinds, msgs, sources []string
}

// add adds one entry per distinct user of to, except skip (the actor; 0 = the system, no user).
func (n *noticeRows) add(to []int64, skip int64, kind string, subject int64, nkind, msg, source string) {
	seen := map[int64]bool{}
	for _, u := range to {
		if u == skip || seen[u] {
			continue
		}
		seen[u] = true
		n.users, n.kinds, n.subjects = append(n.users, u), append(n.kinds, kind), append(n.subjects, subject)
		n.nkinds, n.msgs, n.sources = append(n.nkinds, nkind), append(n.msgs, msg), append(n.sources, source)
	}
}

// insertFresh writes every entry in one statement, for entries whose sources are new in this
// transaction (a batch's firings, each under its deadline's lock): a plain insert, which costs
// less than insert's ON CONFLICT and answers nothing. A repeat would fail the statement.
func (n *noticeRows) insertFresh(ctx context.Context, tx *sqlx.Tx, org int64) error {
	if len(n.users) == 0 {
		return nil
	}
	const q = `INSERT INTO notifications (org_id, user_id, subject_kind, subject_id, kind, message, source)
		SELECT $1, u, k, sid, nk, m, src FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
			AS r(u, k, sid, nk, m, src)`
	if _, err := tx.ExecContext(ctx, q, org, pq.Array(n.users), pq.Array(n.kinds), pq.Array(n.subjects),
		pq.Array(n.nkinds), pq.Array(n.msgs), pq.Array(n.sources)); err != nil {
		return translate(fmt.Errorf("insert notifications: %w", err), "")
	}
	return nil
}

// insert writes every entry in one statement (a repeat of a user and source is a no-op) and
// returns the sources of the entries it inserted, one per entry.
func (n *noticeRows) insert(ctx context.Context, tx *sqlx.Tx, org int64) ([]string, error) {
	if len(n.users) == 0 {
		return nil, nil
	}
	const q = `INSERT INTO notifications (org_id, user_id, subject_kind, subject_id, kind, message, source)
		SELECT $1, u, k, sid, nk, m, src FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
			WITH ORDINALITY AS r(u, k, sid, nk, m, src, n) ORDER BY n
		ON CONFLICT (org_id, user_id, source) DO NOTHING RETURNING source`
	var inserted []string
	if err := tx.SelectContext(ctx, &inserted, q, org, pq.Array(n.users), pq.Array(n.kinds), pq.Array(n.subjects),
		pq.Array(n.nkinds), pq.Array(n.msgs), pq.Array(n.sources)); err != nil {
		return nil, translate(fmt.Errorf("insert notifications: %w", err), "")
	}
	return inserted, nil
}
