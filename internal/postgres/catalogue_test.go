package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"wugongkai/configs"
	"wugongkai/internal/postgres"
	"wugongkai/workflow"
	"wugongkai/workflow/catalogue"
)

// mustCatalogueStore returns a fixture, its catalogue store and the shipped catalogue's items.
func mustCatalogueStore(tb testing.TB) (fixture, *postgres.Catalogue, []catalogue.Item) {
	tb.Helper()
	f := mustFixture(tb)
	items, err := catalogue.LoadDir(configs.Catalogue())
	if err != nil {
		tb.Fatal(err)
	}
	return f, f.store.Catalogue, items
}

// TestCatalogueVersions: loading the shipped catalogue adds every item at version 1; loading it
// again changes nothing; an item changed in YAML gets version 2 while version 1 stays readable; an
// item dropped from YAML is retired (no longer listed, still readable) and comes back when it
// returns; another organisation has its own catalogue.
func TestCatalogueVersions(t *testing.T) {
	ctx := context.Background()
	f, s, items := mustCatalogueStore(t)
	t1 := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	res, err := s.SaveCatalogue(ctx, items, t1)
	if err != nil || len(res.Added) != len(items) || len(res.Changed)+len(res.Retired)+res.Unchanged != 0 {
		t.Fatalf("first load = %+v, %v", res, err)
	}
	got, err := s.CatalogueItems(ctx)
	if err != nil || len(got) != len(items) {
		t.Fatalf("items = %d, %v", len(got), err)
	}
	for i := range got {
		if !catalogue.Same(got[i], items[i]) || got[i].Version != 1 || got[i].Seq != i+1 || got[i].File != items[i].File ||
			got[i].Line != items[i].Line || !got[i].LoadedAt.Equal(t1) || got[i].Retired() {
			t.Fatalf("item %d read back as %+v, want %+v", i, got[i], items[i])
		}
	}
	if res, err := s.SaveCatalogue(ctx, items, t1.Add(time.Hour)); err != nil || res.Unchanged != len(items) || len(res.Added)+len(res.Changed)+len(res.Retired) != 0 {
		t.Fatalf("same load again = %+v, %v", res, err)
	}

	changed := slices.Clone(items)
	changed[1].Subject = "政策法规科"
	changed[1].Channels = append(slices.Clone(changed[1].Channels), "两微一端")
	dropped := changed[2].Code
	changed = slices.Delete(changed, 2, 3)
	t2 := t1.Add(24 * time.Hour)
	res, err = s.SaveCatalogue(ctx, changed, t2)
	if err != nil || !slices.Equal(res.Changed, []string{items[1].Code}) || !slices.Equal(res.Retired, []string{dropped}) ||
		res.Unchanged != len(items)-2 || len(res.Added) != 0 {
		t.Fatalf("changed load = %+v, %v", res, err)
	}
	v2, err := s.CatalogueItem(ctx, items[1].Code, 0)
	if err != nil || v2.Version != 2 || v2.Subject != "政策法规科" || !v2.LoadedAt.Equal(t2) {
		t.Fatalf("current version = %+v, %v", v2, err)
	}
	v1, err := s.CatalogueItem(ctx, items[1].Code, 1)
	if err != nil || v1.Version != 1 || !catalogue.Same(v1, items[1]) {
		t.Fatalf("version 1 = %+v, %v", v1, err)
	}
	if _, err := s.CatalogueItem(ctx, items[1].Code, 3); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Fatalf("version 3: %v, want not found", err)
	}
	if _, err := s.CatalogueItem(ctx, "NO-SUCH", 0); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Fatalf("unknown code: %v, want not found", err)
	}
	retired, err := s.CatalogueItem(ctx, dropped, 0)
	if err != nil || !retired.RetiredAt.Equal(t2) || retired.Version != 1 {
		t.Fatalf("retired item = %+v, %v", retired, err)
	}
	got, _ = s.CatalogueItems(ctx)
	if len(got) != len(changed) || slices.ContainsFunc(got, func(it catalogue.Item) bool { return it.Code == dropped }) {
		t.Fatalf("items after retiring %s: %d", dropped, len(got))
	}
	for i := range got {
		if got[i].Seq != i+1 {
			t.Fatalf("item %s at seq %d, want %d", got[i].Code, got[i].Seq, i+1)
		}
	}

	res, err = s.SaveCatalogue(ctx, items, t2.Add(time.Hour))
	if err != nil || !slices.Equal(res.Restored, []string{dropped}) || !slices.Equal(res.Changed, []string{items[1].Code}) {
		t.Fatalf("restoring load = %+v, %v", res, err)
	}
	if back, _ := s.CatalogueItem(ctx, items[1].Code, 0); back.Version != 3 || !catalogue.Same(back, items[1]) {
		t.Fatalf("item changed back = %+v", back)
	}
	if back, _ := s.CatalogueItem(ctx, dropped, 0); back.Retired() || back.Version != 1 || back.Seq != 3 {
		t.Fatalf("restored item = %+v", back)
	}

	other, err := postgres.EnsureOrg(ctx, f.db, "TESTORG002", "另一局")
	if err != nil {
		t.Fatal(err)
	}
	others := postgres.NewStores(f.db, other, nil)
	t.Cleanup(others.Close)
	otherStore := others.Catalogue
	if got, err := otherStore.CatalogueItems(ctx); err != nil || len(got) != 0 {
		t.Fatalf("another organisation sees %d items, %v", len(got), err)
	}
	if _, err := otherStore.CatalogueItem(ctx, items[0].Code, 0); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Fatalf("another organisation reads an item: %v", err)
	}
}

// TestCatalogueSaveIsWhole: a load the database refuses half way (an item the schema's checks
// refuse) writes nothing and says why in Chinese.
func TestCatalogueSaveIsWhole(t *testing.T) {
	ctx := context.Background()
	_, s, items := mustCatalogueStore(t)
	bad := slices.Clone(items)
	bad[len(bad)-1].Category = "其他"
	if _, err := s.SaveCatalogue(ctx, bad, time.Now()); workflow.ErrorCode(err) != workflow.EInvalid {
		t.Fatalf("bad load: %v, want invalid", err)
	}
	if got, err := s.CatalogueItems(ctx); err != nil || len(got) != 0 {
		t.Fatalf("a refused load left %d items, %v", len(got), err)
	}
}
