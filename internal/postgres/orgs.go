package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"wugongkai/workflow"
)

// EnsureOrg returns the id of the organisation with code, creating it (or renaming it) as needed.
func EnsureOrg(ctx context.Context, db *DB, code, name string) (int64, error) {
	const q = `INSERT INTO orgs (code, name) VALUES ($1, $2)
		ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING id`
	var id int64
	if err := db.QueryRowContext(ctx, q, code, name).Scan(&id); err != nil {
		return 0, translate(fmt.Errorf("ensure org %s: %w", code, err), "")
	}
	return id, nil
}

// OrgCode returns the organisation code (组织机构代码) used in 索引号.
func (s *Orgs) OrgCode(ctx context.Context) (string, error) {
	var code string
	if err := s.db.GetContext(ctx, &code, `SELECT code FROM orgs WHERE id = $1`, s.org); err != nil {
		return "", translate(fmt.Errorf("read org: %w", err), "机构")
	}
	return code, nil
}

// EnsureUnit creates the unit code or renames it.
func (s *Orgs) EnsureUnit(ctx context.Context, code, name string) error {
	const q = `INSERT INTO units (org_id, code, name) VALUES ($1, $2, $3)
		ON CONFLICT (org_id, code) DO UPDATE SET name = EXCLUDED.name`
	_, err := s.db.ExecContext(ctx, q, s.org, code, name)
	if err != nil {
		return translate(fmt.Errorf("ensure unit %s: %w", code, err), "科室")
	}
	return nil
}

// CreateUnitIfMissing adds the unit code named name unless it exists, and reports whether it
// added it. An existing unit keeps its name whatever name says; an unknown unit without a name is
// refused (a typo must not create a unit, nor a code become a public unit name).
func (s *Orgs) CreateUnitIfMissing(ctx context.Context, code, name string) (bool, error) {
	var exists bool
	if err := s.db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM units WHERE org_id = $1 AND code = $2)`, s.org, code); err != nil {
		return false, translate(fmt.Errorf("find unit %s: %w", code, err), "科室")
	}
	if exists {
		return false, nil
	}
	if strings.TrimSpace(name) == "" {
		return false, &workflow.Error{Code: workflow.EInvalid, Field: "unit_name",
			Message: fmt.Sprintf("科室“%s”不存在；新建科室须用 --unit-name 给出科室名称", code)}
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO units (org_id, code, name) VALUES ($1, $2, $3) ON CONFLICT (org_id, code) DO NOTHING`,
		s.org, code, strings.TrimSpace(name))
	if err != nil {
		return false, translate(fmt.Errorf("create unit %s: %w", code, err), "科室")
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Unit is a drafting unit or office of the bureau.
type Unit struct {
	Code string `db:"code"`
	Name string `db:"name"`
}

// Units lists the organisation's units by code.
func (s *Orgs) Units(ctx context.Context) ([]Unit, error) {
	var us []Unit
	if err := s.db.SelectContext(ctx, &us, `SELECT code, name FROM units WHERE org_id = $1 ORDER BY code`, s.org); err != nil {
		return nil, translate(fmt.Errorf("list units: %w", err), "")
	}
	return us, nil
}

// UnitCodes lists the codes of the organisation's units.
func (s *Orgs) UnitCodes(ctx context.Context) ([]string, error) {
	var codes []string
	if err := s.db.SelectContext(ctx, &codes, `SELECT code FROM units WHERE org_id = $1 ORDER BY code`, s.org); err != nil {
		return nil, translate(fmt.Errorf("list unit codes: %w", err), "")
	}
	return codes, nil
}

// SaveDefinitions records each definition's source so instances started on it can still be
// served after the file changes. The same name and version with different content is refused:
// a changed definition needs a new version number.
func (s *Orgs) SaveDefinitions(ctx context.Context, defs []*workflow.Definition) error {
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, d := range defs {
			sum := sha256.Sum256(d.Source)
			h := hex.EncodeToString(sum[:])
			const q = `INSERT INTO workflow_definitions (org_id, name, version, source, sha256)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, name, version) DO NOTHING`
			if _, err := tx.ExecContext(ctx, q, s.org, d.Name, d.Version, string(d.Source), h); err != nil {
				return translate(fmt.Errorf("save definition %s v%d: %w", d.Name, d.Version, err), "")
			}
			var stored string
			if err := tx.GetContext(ctx, &stored, `SELECT sha256 FROM workflow_definitions WHERE org_id = $1 AND name = $2 AND version = $3`,
				s.org, d.Name, d.Version); err != nil {
				return translate(fmt.Errorf("read definition %s v%d: %w", d.Name, d.Version, err), "")
			}
			if stored != h {
				return fmt.Errorf("workflow definition %s version %d changed since it was first used: give the changed file a new version number", d.Name, d.Version)
			}
		}
		return nil
	})
}

// StoredDefinition is a definition source kept in the database.
type StoredDefinition struct {
	Name    string `db:"name"`
	Version int    `db:"version"`
	Source  string `db:"source"`
}

// StoredDefinitions returns every definition version the database has seen.
func (s *Orgs) StoredDefinitions(ctx context.Context) ([]StoredDefinition, error) {
	var out []StoredDefinition
	const q = `SELECT name, version, source FROM workflow_definitions WHERE org_id = $1 ORDER BY name, version`
	if err := s.db.SelectContext(ctx, &out, q, s.org); err != nil {
		return nil, translate(fmt.Errorf("list definitions: %w", err), "")
	}
	return out, nil
}

// OrgIDs lists the id of every organisation in the database, in order. The worker serves them all
// (issue 15): it builds each one's stores with NewStores and asks again every round, so an
// organisation added while it runs is served from its next round.
func OrgIDs(ctx context.Context, db *DB) ([]int64, error) {
	var ids []int64
	if err := db.SelectContext(ctx, &ids, `SELECT id FROM orgs ORDER BY id`); err != nil {
		return nil, translate(fmt.Errorf("list organisations: %w", err), "")
	}
	return ids, nil
}
