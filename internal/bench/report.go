package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Row is one line of the result table: a scenario (or a limit of the machine), its throughput
// and latency, and the limit it is compared with.
type Row struct {
	Name       string  `json:"name"`
	Kind       string  `json:"kind"`           // "scenario", "limit", "memory" or "growth"
	Size       int     `json:"size,omitempty"` // growth rows: the published documents at which it was measured
	Unit       string  `json:"unit"`           // what Throughput counts, e.g. "req/s"
	Throughput float64 `json:"throughput"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Limit      string  `json:"limit,omitempty"`       // the name of the row compared with
	LimitValue float64 `json:"limit_value,omitempty"` // its throughput
	Ratio      float64 `json:"ratio,omitempty"`       // Throughput / LimitValue
	Note       string  `json:"note,omitempty"`
	Skipped    string  `json:"skipped,omitempty"` // why the row was not measured
}

// Report is one run of `wugongkai bench`.
type Report struct {
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished"`
	Machine     Machine   `json:"machine"`
	Duration    string    `json:"duration_per_scenario"`
	Concurrency int       `json:"concurrency"`
	DBConns     int       `json:"db_conns"`
	Data        DataSizes `json:"data"`
	Rows        []Row     `json:"rows"`
}

// Row returns the row called name, or nil.
func (r *Report) Row(name string) *Row {
	for i := range r.Rows {
		if r.Rows[i].Name == name {
			return &r.Rows[i]
		}
	}
	return nil
}

// Compare sets a scenario row's limit and ratio against the limit row called limit, if that row
// was measured.
func (r *Report) Compare(row *Row, limit string) {
	row.Limit = limit
	l := r.Row(limit)
	if l == nil || l.Skipped != "" || l.Throughput <= 0 {
		return
	}
	row.LimitValue = l.Throughput
	row.Ratio = row.Throughput / l.Throughput
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// statsRow turns load-generator stats into a row.
func statsRow(name, kind, unit string, st Stats) Row {
	r := Row{Name: name, Kind: kind, Unit: unit, Throughput: st.PerSecond, P50ms: ms(st.P50), P99ms: ms(st.P99),
		Requests: st.Requests, Errors: st.Errors}
	if st.FirstErr != "" {
		r.Note = "first error: " + st.FirstErr
	}
	return r
}

// WriteMarkdown writes the report as a Markdown table with the machine and settings above it.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "# wugongkai bench, %s\n\n", r.Started.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Machine: %d CPUs (%s), %d MB memory, Linux %s; %s; PostgreSQL %s; Redis %s.  \n",
		m.CPUs, orDash(m.CPUModel), m.MemoryMB, orDash(m.Kernel), m.GoVersion, orDash(m.PostgreSQL), orDash(m.Redis))
	fmt.Fprintf(&b, "Load: %d concurrent HTTP clients over loopback, %s per scenario; database pool %d connections "+
		"(pgbench runs %d clients, as many as the pool serves); data: %d published documents, %d due deadlines, %d report documents, %d report requests.\n\n",
		r.Concurrency, r.Duration, r.DBConns, min(r.Concurrency, r.DBConns), r.Data.Published, r.Data.Deadlines, r.Data.ReportDocuments, r.Data.ReportRequests)
	b.WriteString("| scenario | throughput | p50 | p99 | errors | compared with | limit | ratio |\n")
	b.WriteString("|---|---:|---:|---:|---:|---|---:|---:|\n")
	for _, row := range r.Rows {
		if row.Kind == "growth" {
			continue
		}
		if row.Skipped != "" {
			fmt.Fprintf(&b, "| %s | skipped: %s | | | | | | |\n", row.Name, cell(row.Skipped))
			continue
		}
		limit, limitValue, ratio := "", "", ""
		if row.Limit != "" {
			limit = row.Limit
			if row.LimitValue > 0 {
				limitValue = fmt.Sprintf("%s %s", num(row.LimitValue), unitOf(r, row.Limit))
				ratio = fmt.Sprintf("%.2f", row.Ratio)
			} else {
				limitValue = "not measured"
			}
		}
		through := fmt.Sprintf("%s %s", num(row.Throughput), row.Unit)
		p50, p99 := fmt.Sprintf("%.1f ms", row.P50ms), fmt.Sprintf("%.1f ms", row.P99ms)
		if row.Kind == "memory" {
			p50, p99 = "", ""
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %s | %s | %s |\n", row.Name, through, p50, p99, row.Errors,
			limit, limitValue, ratio)
	}
	writeGrowth(&b, r.Rows)
	var notes []string
	for _, row := range r.Rows {
		if row.Note != "" {
			notes = append(notes, fmt.Sprintf("- %s: %s", row.Name, row.Note))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\nNotes:\n\n" + strings.Join(notes, "\n") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func unitOf(r *Report, name string) string {
	if row := r.Row(name); row != nil {
		return row.Unit
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", "/"), "\n", " ") }

// num formats a throughput with a precision that suits its size.
func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// WriteFiles writes bench-<time>.md and bench-<time>.json (and latest.md, latest.json) into
// dir, creating it, and returns the Markdown path.
func (r *Report) WriteFiles(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create output directory: %w", err)
	}
	stamp := r.Started.UTC().Format("20060102-150405")
	var md strings.Builder
	if err := r.WriteMarkdown(&md); err != nil {
		return "", err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode report: %w", err)
	}
	js = append(js, '\n')
	mdPath := filepath.Join(dir, "bench-"+stamp+".md")
	for path, body := range map[string][]byte{
		mdPath: []byte(md.String()), filepath.Join(dir, "bench-"+stamp+".json"): js,
		filepath.Join(dir, "latest.md"): []byte(md.String()), filepath.Join(dir, "latest.json"): js,
	} {
		if err := os.WriteFile(path, body, 0o644); err != nil {
			return "", fmt.Errorf("write %s: %w", path, err)
		}
	}
	return mdPath, nil
}

// writeGrowth writes the growth rows as one table per read: throughput and latency against the
// number of published documents, so a reader sees how the cost grows with the data.
func writeGrowth(b *strings.Builder, rows []Row) {
	var names []string
	for _, row := range rows {
		if row.Kind == "growth" && !slices.Contains(names, row.Name) {
			names = append(names, row.Name)
		}
	}
	if len(names) == 0 {
		return
	}
	b.WriteString("\nGrowth (every request misses the page cache):\n\n| read | published documents | throughput | p50 | p99 | errors |\n|---|---:|---:|---:|---:|---:|\n")
	for _, name := range names {
		for _, row := range rows {
			if row.Kind == "growth" && row.Name == name {
				fmt.Fprintf(b, "| %s | %d | %s %s | %.1f ms | %.1f ms | %d |\n", name, row.Size, num(row.Throughput), row.Unit, row.P50ms, row.P99ms, row.Errors)
			}
		}
	}
}
