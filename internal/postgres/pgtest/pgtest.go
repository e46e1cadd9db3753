// Package pgtest gives each test package its own freshly migrated PostgreSQL database on the real
// server, dropped when the tests finish. Set WUGONGKAI_TEST_DATABASE_URL to point at another server.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"wugongkai/internal/postgres"
	"wugongkai/migrations"
)

// BaseURL is the server the tests use.
func BaseURL() string {
	if u := os.Getenv("WUGONGKAI_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// NewURL creates an empty, migrated database and returns its URL; it is dropped at cleanup.
func NewURL(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	dsn, err := postgres.WithDatabase(BaseURL(), "wgk_test_"+hex.EncodeToString(b[:]))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := postgres.EnsureDatabase(ctx, dsn); err != nil {
		tb.Fatalf("create test database (is PostgreSQL running on 127.0.0.1:5432?): %v", err)
	}
	tb.Cleanup(func() {
		if err := postgres.DropDatabase(context.Background(), dsn); err != nil {
			tb.Logf("drop test database: %v", err)
		}
	})
	db, err := postgres.Open(ctx, dsn, 4)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	m, err := postgres.NewMigrator(db, migrations.FS)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		tb.Fatal(err)
	}
	return dsn
}

// New returns an open connection pool to a fresh migrated database.
func New(tb testing.TB) *postgres.DB {
	tb.Helper()
	dsn := NewURL(tb)
	db, err := postgres.Open(context.Background(), dsn, 20)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.SetAudit(postgres.AuditOptions{Key: TestAuditKey})
	return db
}

// TestAuditKey is the audit HMAC key of test pools.
var TestAuditKey = []byte("wugongkai test audit key, 32+ bytes long")
