package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"wugongkai/workflow"
	"wugongkai/workflow/agencies"
)

// Agencies keeps the platform's agencies (the orgs table, which every other table is keyed by).
// It is bound to the agency it serves, in whose audit chain an added agency is recorded.
type Agencies struct{ base }

// agencyRow is a row of orgs.
type agencyRow struct {
	ID          int64          `db:"id"`
	Code        string         `db:"code"`
	Name        string         `db:"name"`
	CreditCode  sql.NullString `db:"credit_code"`
	Host        sql.NullString `db:"host"`
	RequestUnit string         `db:"request_unit"`
	CreatedAt   time.Time      `db:"created_at"`
}

func (r agencyRow) toAgency() agencies.Agency {
	return agencies.Agency{ID: r.ID, Code: r.Code, Name: r.Name, CreditCode: r.CreditCode.String, Host: r.Host.String,
		RequestUnit: r.RequestUnit, CreatedAt: r.CreatedAt}
}

const agencyCols = `id, code, name, credit_code, host, request_unit, created_at`

// ListAgencies returns every agency of the platform by id (the first is the platform's own).
func ListAgencies(ctx context.Context, db *DB) ([]agencies.Agency, error) {
	var rows []agencyRow
	if err := db.SelectContext(ctx, &rows, `SELECT `+agencyCols+` FROM orgs ORDER BY id`); err != nil {
		return nil, translate(fmt.Errorf("list agencies: %w", err), "")
	}
	out := make([]agencies.Agency, len(rows))
	for i, r := range rows {
		out[i] = r.toAgency()
	}
	return out, nil
}

// AgencyByCode returns the agency with code.
func AgencyByCode(ctx context.Context, db *DB, code string) (agencies.Agency, error) {
	var r agencyRow
	if err := db.GetContext(ctx, &r, `SELECT `+agencyCols+` FROM orgs WHERE code = $1`, code); err != nil {
		return agencies.Agency{}, translate(fmt.Errorf("read agency %s: %w", code, err), "机构 "+code)
	}
	return r.toAgency(), nil
}

// Agencies returns every agency of the platform by id.
func (s *Agencies) Agencies(ctx context.Context) ([]agencies.Agency, error) {
	return ListAgencies(ctx, s.db)
}

// AddAgency adds the agency, its request unit and its admin (when in names one), and records it in
// the audit chain of the agency the store serves, in one transaction.
func (s *Agencies) AddAgency(ctx context.Context, in agencies.NewAgency, actor workflow.Actor, at time.Time) (agencies.Agency, error) {
	var r agencyRow
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		const q = `INSERT INTO orgs (code, name, credit_code, host, request_unit, created_at)
			VALUES (:code, :name, NULLIF(:credit_code, ''), NULLIF(:host, ''), :request_unit, :at) RETURNING ` + agencyCols
		rows, err := sqlx.NamedQueryContext(ctx, tx, q, params{"code": in.Code, "name": in.Name, "credit_code": in.CreditCode, "host": in.Host,
			"request_unit": in.RequestUnit, "at": at})
		if err != nil {
			return agencyConflict(err, in)
		}
		defer rows.Close()
		if !rows.Next() {
			return agencyConflict(errors.Join(errors.New("insert agency: no row"), rows.Err()), in)
		}
		if err := rows.StructScan(&r); err != nil {
			return fmt.Errorf("read agency: %w", err)
		}
		rows.Close()
		if _, err := tx.ExecContext(ctx, `INSERT INTO units (org_id, code, name) VALUES ($1, $2, $3)`, r.ID, in.RequestUnit, in.RequestUnitName); err != nil {
			return translate(fmt.Errorf("insert request unit: %w", err), "科室 "+in.RequestUnit)
		}
		data := map[string]string{"code": in.Code, "name": in.Name, "credit_code": in.CreditCode, "host": in.Host,
			"request_unit": in.RequestUnit}
		if in.AdminUsername != "" {
			var admin int64
			const qu = `INSERT INTO users (org_id, username, display_name, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`
			if err := tx.QueryRowContext(ctx, qu, r.ID, in.AdminUsername, in.AdminName, in.AdminPasswordHash).Scan(&admin); err != nil {
				return translate(fmt.Errorf("insert admin %s: %w", in.AdminUsername, err), "用户名 "+in.AdminUsername)
			}
			if err := assignRoles(ctx, tx, r.ID, admin, []RoleAssignment{{Role: "admin", Unit: "*"}}); err != nil {
				return err
			}
			data["admin"] = in.AdminUsername
		}
		return s.db.appendAudit(ctx, tx, s.org, "agency", r.ID, workflow.AuditEntry{Action: "create", ActorID: actor.UserID,
			ActorName: actorName(actor), Data: data, At: at})
	})
	if err != nil {
		return agencies.Agency{}, err
	}
	return r.toAgency(), nil
}

// agencyConflict names which of the agency's unique fields another agency already has.
func agencyConflict(err error, in agencies.NewAgency) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		e := &workflow.Error{Code: workflow.EConflict, Err: err}
		switch pqErr.Constraint {
		case "orgs_host_key":
			e.Field, e.Message = "host", fmt.Sprintf("域名 %s 已由另一个机构使用", in.Host)
		case "orgs_credit_code_key":
			e.Field, e.Message = "credit_code", fmt.Sprintf("统一社会信用代码 %s 已由另一个机构使用", in.CreditCode)
		default:
			e.Field, e.Message = "code", fmt.Sprintf("机构代码 %s 已由另一个机构使用", in.Code)
		}
		return e
	}
	return translate(fmt.Errorf("insert agency %s: %w", in.Code, err), "机构")
}
