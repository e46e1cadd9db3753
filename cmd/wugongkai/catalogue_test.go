package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wugongkai/configs"
	"wugongkai/internal/postgres"
)

// TestCatalogueValidateAndLoad: validate passes the shipped catalogue and prints every problem of
// a bad one with file:line (exit non-zero); load records a catalogue directory, a changed item
// gets a new version with the old one kept, a bad directory writes nothing.
func TestCatalogueValidateAndLoad(t *testing.T) {
	env, dsn := testEnv(t, nil)
	out, err := cli(t, env, "", "catalogue", "validate")
	if err != nil || !strings.HasPrefix(out, "ok  ") || !strings.Contains(out, "5 个领域") {
		t.Fatalf("validate shipped: %v\n%s", err, out)
	}
	bad := "../../workflow/catalogue/testdata/bad"
	out, err = cli(t, env, "", "catalogue", "validate", bad)
	if err == nil || !strings.Contains(out, "a.yaml:9: 事项 X-01：看不懂公开时限") || !strings.Contains(out, "b.yaml:3: 编码 X-01 重复（另见 a.yaml:4）") ||
		strings.Count(out, "\n") != 8 {
		t.Fatalf("validate bad: %v\n%s", err, out)
	}

	dir := t.TempDir()
	copyFS(t, configs.Catalogue(), dir)
	out, err = cli(t, env, "", "catalogue", "load", dir)
	if err != nil || !strings.HasPrefix(out, "新增 30，新版本 0，停用 0") {
		t.Fatalf("first load: %v\n%s", err, out)
	}
	file := filepath.Join(dir, "05-municipal.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), "subject: 城市供水行政主管部门", "subject: 城市管理局", 1))
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "04-rural.yaml")); err != nil {
		t.Fatal(err)
	}
	out, err = cli(t, env, "", "catalogue", "load", dir)
	if err != nil || !strings.Contains(out, "新版本：SZ-04\n") || !strings.Contains(out, "停用：WG-01 WG-02 WG-03 WG-04\n") {
		t.Fatalf("second load: %v\n%s", err, out)
	}
	if out, err := cli(t, env, "", "catalogue", "load", bad); err == nil || !strings.Contains(out, "a.yaml:9:") {
		t.Fatalf("bad load: %v\n%s", err, out)
	}

	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg, err := loadConfig("", false, env)
	if err != nil {
		t.Fatal(err)
	}
	org, err := postgres.EnsureOrg(ctx, db, cfg.Org.Code, cfg.Org.Name)
	if err != nil {
		t.Fatal(err)
	}
	stores := postgres.NewStores(db, org, nil)
	defer stores.Close()
	s := stores.Catalogue
	items, err := s.CatalogueItems(ctx)
	if err != nil || len(items) != 26 {
		t.Fatalf("items in force: %d, %v", len(items), err)
	}
	if v1, err := s.CatalogueItem(ctx, "SZ-04", 1); err != nil || v1.Subject != "城市供水行政主管部门" {
		t.Fatalf("SZ-04 v1 = %+v, %v", v1, err)
	}
	if v2, err := s.CatalogueItem(ctx, "SZ-04", 0); err != nil || v2.Version != 2 || v2.Subject != "城市管理局" {
		t.Fatalf("SZ-04 current = %+v, %v", v2, err)
	}
}

// copyFS copies the files at the root of fsys into dir.
func copyFS(t *testing.T, fsys fs.FS, dir string) {
	t.Helper()
	names, err := fs.Glob(fsys, "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestServiceSeedsCatalogue: the first start records the shipped catalogue, which the public API
// then serves.
func TestServiceSeedsCatalogue(t *testing.T) {
	env, _ := testEnv(t, nil)
	addr, stop := startService(t, env, "serve")
	status, body := get(t, "http://"+addr+"/api/v1/public/catalogue")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if status != 200 || !strings.Contains(body, `"count":30,`) || !strings.Contains(body, `"code":"SZ-04"`) {
		t.Fatalf("public catalogue after the first start: %d %.300s", status, body)
	}
}
