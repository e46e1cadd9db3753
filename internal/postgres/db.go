// Package postgres is the PostgreSQL side of wugongkai: connections, migrations, the stores behind
// the workflow interfaces, the audit log, the outbox and the deadlines. It is the only package that
// imports lib/pq.
package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"wugongkai/workflow"
)

// DB is the connection pool with the helpers every store shares.
type DB struct {
	*sqlx.DB
	auditKey        []byte   // HMAC key of the audit chains; the database never holds it
	checkpointsFile string   // where signed audit checkpoints are appended, outside the database
	stmts           sync.Map // query → *sql.Stmt: the hot statements, prepared once per connection
	preparing       sync.Map // query → true: being prepared in the background (preparedIn)
}

// Open connects to the database at dsn and checks the connection. Unless the URL says otherwise
// it sets lib/pq's binary_parameters=yes: a statement with parameters then costs one round trip
// (the unnamed statement is parsed, bound and executed in one go) instead of two, which is most of
// what a transition waits for (docs/performance.md). JSON parameters are therefore passed as text
// (jsonText).
func Open(ctx context.Context, dsn string, maxConns int) (*DB, error) {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		if q.Get("binary_parameters") == "" {
			q.Set("binary_parameters", "yes")
			u.RawQuery = q.Encode()
			dsn = u.String()
		}
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if maxConns <= 0 {
		maxConns = 20
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return &DB{DB: db}, nil
}

var dbNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// DatabaseName returns the database name of a postgres:// URL.
func DatabaseName(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("parse database url: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return "", errors.New("database url names no database")
	}
	return name, nil
}

// WithDatabase returns dsn with its database replaced by name.
func WithDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("parse database url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// EnsureDatabase creates the database named in dsn if it does not exist, connecting through the
// maintenance database "postgres" on the same server.
func EnsureDatabase(ctx context.Context, dsn string) (created bool, err error) {
	name, err := DatabaseName(dsn)
	if err != nil {
		return false, err
	}
	if !dbNameRE.MatchString(name) {
		return false, fmt.Errorf("database name %q: only letters, digits and _ are allowed", name)
	}
	admin, err := WithDatabase(dsn, "postgres")
	if err != nil {
		return false, err
	}
	db, err := sql.Open("postgres", admin)
	if err != nil {
		return false, fmt.Errorf("open maintenance database: %w", err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return false, fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return false, nil
	}
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "42P04" { // created concurrently by another node
			return false, nil
		}
		return false, fmt.Errorf("create database %s: %w", name, err)
	}
	return true, nil
}

// DropDatabase drops the database named in dsn, ending its connections first. Tests use it.
func DropDatabase(ctx context.Context, dsn string) error {
	name, err := DatabaseName(dsn)
	if err != nil {
		return err
	}
	admin, err := WithDatabase(dsn, "postgres")
	if err != nil {
		return err
	}
	db, err := sql.Open("postgres", admin)
	if err != nil {
		return fmt.Errorf("open maintenance database: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

var migrationName = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.(up|down)\.sql$`)

// migrationsFromFS turns NNNNNN_name.up.sql / .down.sql pairs into goose migrations, so the files
// keep the pair layout while goose does the versioning and locking.
func migrationsFromFS(fsys fs.FS) ([]*goose.Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	type pair struct{ up, down string }
	pairs := map[int64]*pair{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNNNN_name.up.sql or .down.sql", e.Name())
		}
		v, _ := strconv.ParseInt(m[1], 10, 64)
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		p := pairs[v]
		if p == nil {
			p = &pair{}
			pairs[v] = p
		}
		if m[3] == "up" {
			p.up = string(body)
		} else {
			p.down = string(body)
		}
	}
	versions := make([]int64, 0, len(pairs))
	for v, p := range pairs {
		if p.up == "" || p.down == "" {
			return nil, fmt.Errorf("migration %06d: both .up.sql and .down.sql are required", v)
		}
		versions = append(versions, v)
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i] < versions[j] })
	out := make([]*goose.Migration, 0, len(versions))
	for _, v := range versions {
		p := pairs[v]
		up, down := p.up, p.down
		out = append(out, goose.NewGoMigration(v,
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { _, err := tx.ExecContext(ctx, up); return err }},
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { _, err := tx.ExecContext(ctx, down); return err }},
		))
	}
	return out, nil
}

// Migrator applies the embedded migrations under a PostgreSQL advisory lock, so that several nodes
// starting at once migrate once.
type Migrator struct {
	p *goose.Provider
}

// NewMigrator prepares the migrations in fsys for db.
func NewMigrator(db *DB, fsys fs.FS) (*Migrator, error) {
	ms, err := migrationsFromFS(fsys)
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB.DB, nil,
		goose.WithGoMigrations(ms...), goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migration provider: %w", err)
	}
	return &Migrator{p: p}, nil
}

// Up applies every pending migration and returns the versions applied.
func (m *Migrator) Up(ctx context.Context) ([]int64, error) {
	res, err := m.p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	var vs []int64
	for _, r := range res {
		vs = append(vs, r.Source.Version)
	}
	return vs, nil
}

// Down rolls back the newest migration and returns its version.
func (m *Migrator) Down(ctx context.Context) (int64, error) {
	r, err := m.p.Down(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate down: %w", err)
	}
	return r.Source.Version, nil
}

// DownTo rolls back every migration newer than version.
func (m *Migrator) DownTo(ctx context.Context, version int64) error {
	if _, err := m.p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("migrate down to %d: %w", version, err)
	}
	return nil
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version   int64
	Applied   bool
	AppliedAt time.Time
}

// Status lists every migration and whether it is applied.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	st, err := m.p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{Version: s.Source.Version, Applied: s.State == goose.StateApplied, AppliedAt: s.AppliedAt})
	}
	return out, nil
}

// translate turns driver errors into *workflow.Error where the cause is the caller's: a unique
// violation is a conflict, a missing row is not found, a lost connection is unavailable. Anything
// else is returned wrapped as it is.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &workflow.Error{Code: workflow.ENotFound, Message: what + "不存在或您无权查看", Err: err}
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code {
		case "23505":
			return &workflow.Error{Code: workflow.EConflict, Message: what + "已存在", Err: err}
		case "23503":
			return &workflow.Error{Code: workflow.EInvalid, Message: what + "引用的科室、用户或记录不存在", Err: err}
		case "23514", "22001", "22P02":
			return &workflow.Error{Code: workflow.EInvalid, Message: what + "的内容不符合要求", Err: err}
		case "40001", "40P01":
			return &workflow.Error{Code: workflow.EConflict, Message: "操作冲突，请刷新后重试", Err: err}
		case "57P01", "57P02", "57P03", "08000", "08003", "08006":
			return &workflow.Error{Code: workflow.EUnavailable, Message: "数据库暂时不可用，请稍后重试", Err: err}
		}
		return err
	}
	if isConnError(err) {
		return &workflow.Error{Code: workflow.EUnavailable, Message: "数据库暂时不可用，请稍后重试", Err: err}
	}
	return err
}

func isConnError(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	s := err.Error()
	for _, frag := range []string{"connection refused", "driver: bad connection", "broken pipe", "connection reset", "EOF", "the database system is"} {
		if strings.Contains(s, frag) {
			return true
		}
	}
	return false
}

// prepared returns query as a statement prepared on the pool (database/sql prepares it on each
// connection at its first use there, and keeps it). lib/pq otherwise parses and plans each
// statement with parameters anew on every call; the hot paths (a transition, the session, the
// document a transition loads) run their statements through here.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, translate(fmt.Errorf("prepare: %w", err), "")
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// preparedIn returns query prepared for tx (on tx's connection, once per connection), or nil when
// the pool has not prepared it yet: it is then prepared in the background, and the caller runs it
// unprepared this time. Preparing it here would wait for a second connection of the pool while
// tx holds one, which under a crowd of transactions waiting for one row's lock never comes.
func (db *DB) preparedIn(ctx context.Context, tx *sqlx.Tx, query string) *sql.Stmt {
	if st, ok := db.stmts.Load(query); ok {
		return tx.StmtContext(ctx, st.(*sql.Stmt))
	}
	if _, busy := db.preparing.LoadOrStore(query, true); !busy {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := db.prepared(ctx, query); err != nil {
				db.preparing.Delete(query)
			}
		}()
	}
	return nil
}

// getPrepared is GetContext through a prepared statement (prepared).
func (db *DB) getPrepared(ctx context.Context, dest any, query string, args ...any) error {
	st, err := db.prepared(ctx, query)
	if err != nil {
		return err
	}
	return (&sqlx.Stmt{Stmt: st, Mapper: db.Mapper}).GetContext(ctx, dest, args...)
}

// queryRowIn runs query in tx, prepared when the pool has it (preparedIn).
func (db *DB) queryRowIn(ctx context.Context, tx *sqlx.Tx, query string, args ...any) *sql.Row {
	if st := db.preparedIn(ctx, tx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// execPrepared runs query, with :name parameters from p, in tx, prepared when the pool has it
// (preparedIn).
func (db *DB) execPrepared(ctx context.Context, tx *sqlx.Tx, query string, p params) error {
	q, args, err := sqlx.Named(query, p)
	if err != nil {
		return err
	}
	q = sqlx.Rebind(sqlx.DOLLAR, q)
	if st := db.preparedIn(ctx, tx, q); st != nil {
		_, err = st.ExecContext(ctx, args...)
		return err
	}
	_, err = tx.ExecContext(ctx, q, args...)
	return err
}

// InTx runs fn in one transaction, committing if it returns nil and rolling back otherwise.
func (db *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("begin: %w", err), "")
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("commit: %w", err), "")
	}
	return nil
}

// params are a statement's named parameters: :name in the query.
type params = map[string]any

// namedGet runs a statement with :name parameters and scans its one row into dest. Statements with
// many parameters name them, so that no value can slip into another's place.
func namedGet(ctx context.Context, q sqlx.QueryerContext, dest any, query string, p params) error {
	bound, args, err := sqlx.BindNamed(sqlx.DOLLAR, query, p)
	if err != nil {
		return err
	}
	return sqlx.GetContext(ctx, q, dest, bound, args...)
}

// selectAll runs query and converts every row with conv; what names the list in errors.
func selectAll[R, T any](ctx context.Context, q sqlx.QueryerContext, what string, conv func(R) T, query string, args ...any) ([]T, error) {
	var rows []R
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, translate(fmt.Errorf("%s: %w", what, err), "")
	}
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out, nil
}

// toDomains converts scanned rows to their domain values, stopping at the first that does not convert.
func toDomains[R interface{ toDomain() (T, error) }, T any](rows []R) ([]T, error) {
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		v, err := r.toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// jsonText encodes v as JSON text for a json or jsonb parameter. Connections send []byte
// parameters in binary format (binary_parameters=yes, see Open), which jsonb does not take as text,
// so JSON goes as a string.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
