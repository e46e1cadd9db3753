package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"wugongkai/internal/benchtext"
)

// Growth rows: what is read, at which data size.
const (
	GrowthList     = "public list (JSON, pages 1–50)"
	GrowthSearch   = "public search (JSON, one topic)"
	GrowthDocument = "public document page (HTML)"
	GrowthTasks    = "待办 of a unit head (GET /api/v1/tasks)"
)

// growth loads published documents up to each of the configured sizes in turn (the bulk loader,
// COPY) and at each size measures the public list, the search (the bigram index) and the public
// document page, and the 待办 of a unit head with Data.OpenTasks documents waiting for review.
// Every request carries a distinct query parameter, so the page cache misses and each row is the
// cost of the query and the render: the growth of the work, not of the cache.
func (b *runner) growth(ctx context.Context) error {
	if b.t.LoadOpenTasks == nil {
		b.skip("growth", "the open-task loader is not in this build")
		return nil
	}
	sizes := slices.Clone(b.cfg.GrowthSizes)
	slices.Sort(sizes)
	tasks := b.cfg.Data.OpenTasks
	b.t.logf("bench: loading %d documents awaiting the unit head's review", tasks)
	if err := b.t.LoadOpenTasks(ctx, b.t.DB, b.t.Owner, tasks, time.Now()); err != nil {
		return err
	}
	head, err := b.api.login(ctx, b.t.UnitHead)
	if err != nil {
		return err
	}
	var ids []int64
	for _, size := range sizes {
		if more := size - len(ids); more > 0 {
			b.t.logf("bench: growth: loading %d published documents (to %d)", more, size)
			start := time.Now()
			// The newest documents are published now: load the increment after what is there.
			loaded, err := b.t.LoadPublished(ctx, b.t.DB, b.t.Owner, b.t.OrgCode, more, time.Now())
			if err != nil {
				return err
			}
			ids = append(ids, loaded...)
			if _, err := b.t.DB.ExecContext(ctx, `VACUUM ANALYZE documents`); err != nil {
				return fmt.Errorf("analyze: %w", err)
			}
			b.t.logf("bench: growth: %d documents loaded and analysed in %s", more, time.Since(start).Round(time.Second))
		}
		if err := b.growthAt(ctx, size, ids, tasks, head); err != nil {
			return err
		}
	}
	return nil
}

// growthAt measures the growth rows at one data size.
func (b *runner) growthAt(ctx context.Context, size int, ids []int64, tasks int, head string) error {
	get := func(ctx context.Context, path, token string, html bool, check func([]byte) error) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.t.BaseURL+path, nil)
		if err != nil {
			return err
		}
		if html {
			req.Header.Set("Accept", "text/html")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		var body []byte
		if err := Expect(b.client, req, http.StatusOK, &body); err != nil {
			return err
		}
		if check != nil {
			return check(body)
		}
		return nil
	}
	bust := func(w, seq int) string { return fmt.Sprintf("bench=%d-%d-%d", size, w, seq) }
	// The 待办 must list every open task, else the row would time a truncated answer.
	countTasks := func(body []byte) error {
		var out struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return fmt.Errorf("tasks: %w", err)
		}
		if len(out.Items) < tasks {
			return fmt.Errorf("the 待办 lists %d of the %d open tasks", len(out.Items), tasks)
		}
		return nil
	}
	cases := []struct {
		name string
		op   Op
	}{
		{GrowthList, func(ctx context.Context, w, seq int) error {
			return get(ctx, fmt.Sprintf("/api/v1/public/documents?page=%d&%s", 1+(w+seq)%50, bust(w, seq)), "", false, nil)
		}},
		{GrowthSearch, func(ctx context.Context, w, seq int) error {
			q := benchtext.Topics[(w+seq)%len(benchtext.Topics)]
			return get(ctx, fmt.Sprintf("/api/v1/public/documents?q=%s&%s", url.QueryEscape(q), bust(w, seq)), "", false, nil)
		}},
		{GrowthDocument, func(ctx context.Context, w, seq int) error {
			id := ids[(w*7919+seq*104729)%len(ids)]
			return get(ctx, fmt.Sprintf("/documents/%d?%s", id, bust(w, seq)), "", true, nil)
		}},
		{GrowthTasks, func(ctx context.Context, w, seq int) error {
			return get(ctx, "/api/v1/tasks", head, false, countTasks)
		}},
	}
	for _, c := range cases {
		if err := c.op(ctx, 0, 0); err != nil {
			if routeMissing(err) {
				b.skip(fmt.Sprintf("%s at %d", c.name, size), "not wired into this build")
				continue
			}
			return fmt.Errorf("%s at %d documents: %w", c.name, size, err)
		}
		b.t.logf("bench: growth: %s at %d", c.name, size)
		st, err := b.load().Drive(ctx, c.op)
		if err != nil {
			return err
		}
		row := statsRow(c.name, "growth", "req/s", st)
		row.Size = size
		note := fmt.Sprintf("%d published documents; load average %s at the end", size, loadAverage())
		if c.name == GrowthTasks {
			note = fmt.Sprintf("%d open tasks beside %d published documents; load average %s at the end", tasks, size, loadAverage())
		}
		row.Note = strings.TrimSpace(note + ". " + row.Note)
		row.Note = strings.TrimSuffix(row.Note, ".")
		b.r.Rows = append(b.r.Rows, row)
	}
	return nil
}

// loadAverage returns the one-minute load average of the machine, or "?" where it cannot be read:
// figures taken on a shared machine are read beside it.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(raw)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
