package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"wugongkai/internal/postgres"
)

// openConsultation schedules a decision draft for public comment opening two seconds from now
// and waits until the comment form accepts comments; it returns the comment URL.
func openConsultation(t *testing.T, f *flows) string {
	t.Helper()
	opens := time.Now().Add(2 * time.Second).Truncate(time.Second)
	d := f.consultation("关于城市道路占用挖掘管理的规定（征求意见稿）", opens, opens.Add(31*24*time.Hour))
	url := fmt.Sprintf("%s/api/v1/public/consultations/%d/comments", f.base, d.ID)
	status, b, err := call(context.Background(), http.MethodPost, url, "", map[string]string{"text": "开放前的探测意见内容"})
	if err != nil {
		t.Fatal(err)
	}
	if status == http.StatusNotFound && strings.Contains(string(b), "页面或接口不存在") {
		t.Fatalf("comment intake is not wired into the binary (POST /api/v1/public/consultations/:id/comments: %s); "+
			"cmd/wugongkai/serve.go must mount httpapi.MountConsultations", b)
	}
	waitFor(t, "the consultation to open", 30*time.Second, func() bool {
		st, _, err := call(context.Background(), http.MethodPost, url, "", map[string]string{"text": "开放后的第一条意见内容"})
		return err == nil && st == http.StatusCreated
	})
	return url
}

// TestKill9WhileCommenting SIGKILLs the server while clients post comments (invariant 9:
// accepted means durable): afterwards every comment answered 201 is in the database with the
// receipt number it was given, every stored comment is exactly a text a client sent (none is
// half-written), and the restarted server accepts comments again.
func TestKill9WhileCommenting(t *testing.T) {
	e := newEnv(t, scratchDB(t), "")
	e.bureau()
	srv := e.start("run")
	db := e.db()
	url := openConsultation(t, newFlows(t, srv.base()))
	docID := strings.TrimSuffix(strings.TrimPrefix(url, srv.base()+"/api/v1/public/consultations/"), "/comments")

	var (
		mu       sync.Mutex
		accepted = map[string]string{} // text → receipt number
		failed   = map[string]bool{}
		sent     = map[string]string{} // text → name
		okCount  atomic.Int64
		killed   atomic.Bool
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ctx.Err() == nil; seq++ {
				name := fmt.Sprintf("市民%d", c)
				text := fmt.Sprintf("第%d位市民的第%d条意见：建议明确夜间施工的噪声限值，并在第%d条增加公示要求。%s", c, seq, seq%40+1,
					strings.Repeat("补充说明。", seq%7))
				mu.Lock()
				sent[text] = name
				mu.Unlock()
				status, b, err := call(ctx, http.MethodPost, url, "", map[string]string{"name": name, "text": text})
				mu.Lock()
				if err == nil && status == http.StatusCreated {
					var r struct {
						ReceiptNo string `json:"receipt_no"`
					}
					if json.Unmarshal(b, &r) != nil || r.ReceiptNo == "" {
						t.Errorf("201 without a receipt number: %s", b)
					}
					accepted[text] = r.ReceiptNo
					okCount.Add(1)
				} else {
					failed[text] = true
					if err == nil && !killed.Load() {
						t.Errorf("comment refused before the kill: %d %s", status, b)
					}
				}
				mu.Unlock()
				if killed.Load() && err != nil {
					return // the server is gone
				}
			}
		}()
	}
	waitFor(t, "comments to flow", 30*time.Second, func() bool { return okCount.Load() >= 1000 })
	killed.Store(true)
	srv.kill()
	wg.Wait()
	cancel()

	rows, err := db.QueryContext(context.Background(), `SELECT id, receipt_no, name, body, created_at FROM comments WHERE document_id = $1`, docID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]string{}
	for rows.Next() {
		var (
			id            int64
			receipt, name string
			body          string
			at            time.Time
		)
		if err := rows.Scan(&id, &receipt, &name, &body, &at); err != nil {
			t.Fatal(err)
		}
		if receipt != postgres.ReceiptNo(id, at) {
			t.Errorf("comment %d: receipt %s, want %s", id, receipt, postgres.ReceiptNo(id, at))
		}
		if _, dup := stored[body]; dup {
			t.Errorf("comment stored twice: %q", body)
		}
		stored[body] = receipt
		if want, ok := sent[body]; ok && want != name {
			t.Errorf("comment %d: name %q, sent %q", id, name, want)
		} else if !ok && !strings.HasPrefix(body, "开放") {
			t.Errorf("comment %d is not a text any client sent (half-written?): %q", id, body)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for text, receipt := range accepted {
		if got, ok := stored[text]; !ok || got != receipt {
			lost++
			if lost <= 5 {
				t.Errorf("comment answered 201 with %s is missing after the kill: %q", receipt, text)
			}
		}
	}
	committedUnanswered := 0
	for text := range failed {
		if _, ok := stored[text]; ok {
			committedUnanswered++
		}
	}
	t.Logf("%d comments accepted before the kill, %d failed, %d of those committed without an answer; %d lost",
		len(accepted), len(failed), committedUnanswered, lost)
	if len(failed) == 0 {
		t.Error("no request failed: the kill did not happen under load")
	}

	again := e.start("run")
	status, b, err := call(context.Background(), http.MethodPost, strings.Replace(url, srv.base(), again.base(), 1), "",
		map[string]string{"name": "重启后", "text": "重启之后提交的意见内容。"})
	if err != nil || status != http.StatusCreated {
		t.Fatalf("comment after restart: %d %s %v", status, b, err)
	}
	again.stop()
}
