package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/internal/tasks"
	"wugongkai/internal/testkit"
	"wugongkai/workflow"
)

// interpView is a document's detail with its links to a policy and its interpretations.
type interpView struct {
	docView
	Interprets           int64  `json:"interprets"`
	InterpretationReason string `json:"interpretation_reason"`
	InterpretedDocument  *struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
	} `json:"interpreted_document"`
	Interpretations []struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
	} `json:"interpretations"`
}

func (s *stack) interpDetail(user string, id int64) interpView {
	s.t.Helper()
	var v interpView
	s.mustDo(http.MethodGet, pathf("/api/v1/documents/%d", id), user, nil, http.StatusOK, &v)
	return v
}

// policy drafts a 主动公开 规范性文件 and takes it to awaiting publication.
func (s *stack) policy(title string) docView {
	s.t.Helper()
	d := s.create("drafter", map[string]any{"title": title, "body": "第一条……", "doc_kind": "规范性文件",
		"subject_category": "城乡建设、环境保护\\住房保障", "summary": title, "doc_number": "测建规〔2026〕1号", "attribute": "主动公开"})
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	d = s.fire("legal", d, "approve", map[string]string{"opinion": "经合法性审核，未发现违法内容"})
	return s.fire("leader", d, "sign", nil)
}

// interpretation drafts a 主动公开 interpretation of policy and takes it to awaiting publication.
func (s *stack) interpretation(title string, policy int64) docView {
	s.t.Helper()
	d := s.create("drafter", map[string]any{"title": title, "body": "一、起草背景……", "subject_category": "城乡建设、环境保护\\住房保障",
		"summary": title, "attribute": "主动公开", "interprets": policy})
	d = s.fire("drafter", d, "submit", nil)
	d = s.fire("unithead", d, "approve", nil)
	return s.fire("leader", d, "sign", nil)
}

func deadlineOf(v docView, name string) (due, status string) {
	for _, dl := range v.Deadlines {
		if dl.Name == name {
			return dl.DueDate, dl.Status
		}
	}
	return "", ""
}

func hasAction(v docView, action string) map[string]string {
	for _, h := range v.History {
		if h.Action == action {
			return h.Data
		}
	}
	return nil
}

// TestInterpretationLinksAndRefusals: an interpretation (政策解读) names the 规范性文件 it
// interprets on create or edit; the link is shown on both documents and written to both audit
// chains. It cannot point at a document that is not a 规范性文件, at another organisation's, at
// itself or at a missing one: 400 invalid on field interprets with a stable reason, a Chinese
// message and nothing written.
func TestInterpretationLinksAndRefusals(t *testing.T) {
	s := newStack(t)
	policy := s.create("drafter", map[string]any{"title": "住房租赁补贴管理办法", "doc_kind": "规范性文件", "attribute": "主动公开"})
	other := s.create("drafter", map[string]any{"title": "关于召开工作会议的通知", "attribute": "主动公开"})
	foreign := testkit.ForeignDocument(t, s.db, "drafting", "外机关的文件")
	count := func() int {
		var l struct {
			Total int `json:"total"`
		}
		s.mustDo(http.MethodGet, "/api/v1/documents", "drafter", nil, http.StatusOK, &l)
		return l.Total
	}
	before := count()
	for _, tt := range []struct {
		target any
		reason string
	}{
		{other.ID, "interprets_not_policy"},
		{foreign.ID, "interprets_not_found"},
		{99999999, "interprets_not_found"},
		{-1, "interprets_not_found"},
	} {
		p := s.mustFail(http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": "政策解读", "interprets": tt.target},
			http.StatusBadRequest, workflow.EInvalid)
		if p.Field != "interprets" || p.Details["reason"] != tt.reason {
			t.Errorf("interprets %v: field %q reason %v, want %s: %s", tt.target, p.Field, p.Details["reason"], tt.reason, p.Detail)
		}
	}
	if n := count(); n != before {
		t.Fatalf("refused interpretations were written: %d documents, were %d", n, before)
	}
	// A normative interpretation is refused too.
	p := s.mustFail(http.MethodPost, "/api/v1/documents", "drafter", map[string]any{"title": "政策解读", "doc_kind": "规范性文件", "interprets": policy.ID},
		http.StatusBadRequest, workflow.EInvalid)
	if p.Details["reason"] != "interpretation_normative" {
		t.Errorf("normative interpretation: %+v", p)
	}

	in := s.create("drafter", map[string]any{"title": "《住房租赁补贴管理办法》政策解读", "attribute": "主动公开", "interprets": policy.ID})
	// Pointing it at itself, or at the plain notice, changes nothing.
	for target, reason := range map[int64]string{in.ID: "interprets_self", other.ID: "interprets_not_policy"} {
		p := s.mustFail(http.MethodPatch, pathf("/api/v1/documents/%d", in.ID), "drafter", map[string]any{"version": in.Version, "interprets": target},
			http.StatusBadRequest, workflow.EInvalid)
		if p.Details["reason"] != reason {
			t.Errorf("update to %d: %+v", target, p)
		}
	}
	// The policy may no longer stop being a 规范性文件.
	p = s.mustFail(http.MethodPatch, pathf("/api/v1/documents/%d", policy.ID), "drafter", map[string]any{"version": policy.Version, "doc_kind": "其他公文"},
		http.StatusBadRequest, workflow.EInvalid)
	if p.Details["reason"] != "policy_has_interpretations" {
		t.Errorf("policy kind change: %+v", p)
	}
	iv := s.interpDetail("drafter", in.ID)
	if iv.Version != in.Version || iv.Interprets != policy.ID || iv.InterpretedDocument == nil || iv.InterpretedDocument.Title != "住房租赁补贴管理办法" {
		t.Fatalf("interpretation after refused edits: %+v", iv)
	}
	if d := hasAction(iv.docView, "create"); d["interprets"] != strconv.FormatInt(policy.ID, 10) {
		t.Errorf("the interpretation's create event: %v", d)
	}
	pv := s.interpDetail("officer", policy.ID)
	if len(pv.Interpretations) != 1 || pv.Interpretations[0].ID != in.ID {
		t.Fatalf("policy's interpretations: %+v", pv.Interpretations)
	}
	link := hasAction(pv.docView, "link_interpretation")
	if link["interpretation_id"] != strconv.FormatInt(in.ID, 10) {
		t.Fatalf("policy's audit chain has no link_interpretation: %+v", pv.History)
	}
	// Unlinking is written to both chains as well.
	var after interpView
	s.mustDo(http.MethodPatch, pathf("/api/v1/documents/%d", in.ID), "drafter", map[string]any{"version": in.Version, "interprets": 0}, http.StatusOK, &after)
	if after.Interprets != 0 || hasAction(after.docView, "edit")["interprets"] != "0" {
		t.Fatalf("after unlinking: %+v", after)
	}
	if pv := s.interpDetail("officer", policy.ID); len(pv.Interpretations) != 0 || hasAction(pv.docView, "unlink_interpretation") == nil {
		t.Fatalf("policy after unlinking: %+v", pv)
	}
	// The link and unlink events extend the policy's chain without changing its version (an
	// officer about to publish it is not sent back): the log still verifies.
	if _, problems, err := postgres.VerifyAudit(context.Background(), s.db); err != nil || len(problems) > 0 {
		t.Fatalf("audit after linking and unlinking: %v %v", err, problems)
	}
}

// TestInterpretationDeadline: a 规范性文件 published without a published interpretation and
// without a reason raises the interpretation deadline (3 working days), whose reminder and overdue
// alert the sweep sends to the disclosure office; publishing the interpretation ends it and shows
// both on the portal, linked. With a reason, no deadline and the reason is shown; an
// interpretation published first makes the policy's publication need neither.
func TestInterpretationDeadline(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	policy := s.policy("住房租赁补贴管理办法")
	in := s.create("drafter", map[string]any{"title": "《住房租赁补贴管理办法》政策解读", "body": "一、起草背景……",
		"subject_category": "城乡建设、环境保护\\住房保障", "summary": "政策解读", "attribute": "主动公开", "interprets": policy.ID})

	policy = s.fire("officer", policy, "publish", nil)
	due, status := deadlineOf(policy, "interpretation_due")
	remind, _ := deadlineOf(policy, "interpretation_due.remind")
	published, _ := workflow.ParseDate(time.Now().In(workflow.Shanghai).Format("2006-01-02"))
	if want := mustEngine(t).Calendar().AddWorkingDays(published, 3).Due.String(); policy.State != "published" || due != want || status != "pending" || remind == "" || remind >= due {
		t.Fatalf("after publishing without interpretation: state %s, interpretation_due %s %s (want %s), reminder %s", policy.State, due, status, want, remind)
	}
	dueDay, _ := workflow.ParseDate(due)
	remindDay, _ := workflow.ParseDate(remind)

	var now time.Time
	sweep := tasks.NewSweep(tasks.OneOrg(s.store.Org(), s.store.Outbox, s.store.Deadlines), mustEngine(t), tasks.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)),
		workflow.ClockFunc(func() time.Time { return now }))
	notes := func() []string {
		var out []string
		var n struct {
			Items []struct {
				Kind    string `json:"kind"`
				Message string `json:"message"`
			} `json:"items"`
		}
		s.mustDo(http.MethodGet, "/api/v1/notifications", "officer", nil, http.StatusOK, &n)
		for _, it := range n.Items {
			if (it.Kind == "reminder" || it.Kind == "overdue") && strings.Contains(it.Message, "政策解读") {
				out = append(out, it.Kind)
			}
		}
		return out
	}
	now = remindDay.End().Add(time.Minute)
	for range 2 {
		if _, err := sweep.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := notes(); len(n) != 1 || n[0] != "reminder" {
		t.Fatalf("after the reminder day: %v", n)
	}
	now = dueDay.End().Add(time.Minute)
	if _, err := sweep.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := notes(); len(n) != 2 || n[0] != "overdue" {
		t.Fatalf("after the due day: %v", n)
	}

	// The interpretation, published late, ends the deadline: recorded on the policy by the system.
	in = s.fire("drafter", in, "submit", nil)
	in = s.fire("unithead", in, "approve", nil)
	in = s.fire("leader", in, "sign", nil)
	in = s.fire("officer", in, "publish", nil)
	if in.State != "published" {
		t.Fatalf("interpretation: %s", in.State)
	}
	pv := s.interpDetail("officer", policy.ID)
	if _, st := deadlineOf(pv.docView, "interpretation_due"); st != "done" {
		t.Fatalf("interpretation_due after its alert and the interpretation's publication: %s", st)
	}
	if d := hasAction(pv.docView, "interpreted"); d["interpretation"] != strconv.FormatInt(in.ID, 10) {
		t.Fatalf("policy history has no interpreted event: %+v", pv.History)
	}
	// The portal's JSON links them both ways.
	var pub struct {
		Interprets *struct {
			ID int64 `json:"id"`
		} `json:"interprets"`
		Interpretations []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"interpretations"`
	}
	s.mustDo(http.MethodGet, pathf("/api/v1/public/documents/%d", policy.ID), "", nil, http.StatusOK, &pub)
	if len(pub.Interpretations) != 1 || pub.Interpretations[0].ID != in.ID {
		t.Fatalf("public policy: %+v", pub)
	}
	pub.Interpretations = nil
	s.mustDo(http.MethodGet, pathf("/api/v1/public/documents/%d", in.ID), "", nil, http.StatusOK, &pub)
	if pub.Interprets == nil || pub.Interprets.ID != policy.ID {
		t.Fatalf("public interpretation: %+v", pub)
	}

	t.Run("interpretation published in time", func(t *testing.T) {
		p := s.policy("住宅专项维修资金管理办法")
		p = s.fire("officer", p, "publish", nil)
		if _, st := deadlineOf(p, "interpretation_due"); st != "pending" {
			t.Fatalf("interpretation_due: %q", st)
		}
		i := s.interpretation("《住宅专项维修资金管理办法》政策解读", p.ID)
		s.fire("officer", i, "publish", nil)
		v := s.interpDetail("officer", p.ID)
		_, st := deadlineOf(v.docView, "interpretation_due")
		_, rst := deadlineOf(v.docView, "interpretation_due.remind")
		if st != "cancelled" || rst != "cancelled" {
			t.Fatalf("after the interpretation's publication: deadline %s, reminder %s", st, rst)
		}
	})

	t.Run("with a reason", func(t *testing.T) {
		p := s.policy("城镇老旧小区改造实施细则")
		p = s.fire("officer", p, "publish", map[string]string{"interpretation_reason": "解读材料正在征求专家意见"})
		v := s.interpDetail("officer", p.ID)
		if _, st := deadlineOf(p, "interpretation_due"); p.State != "published" || st != "" || v.InterpretationReason != "解读材料正在征求专家意见" {
			t.Fatalf("published with a reason: state %s, deadline %q, reason %q", p.State, st, v.InterpretationReason)
		}
	})

	t.Run("interpretation published first", func(t *testing.T) {
		p := s.policy("物业服务收费管理办法")
		i := s.interpretation("《物业服务收费管理办法》政策解读", p.ID)
		s.fire("officer", i, "publish", nil)
		pv := s.interpDetail("officer", p.ID)
		if hasAction(pv.docView, "interpreted") == nil {
			t.Fatalf("the policy awaiting publication does not record the interpretation: %+v", pv.History)
		}
		// The policy's version moved on: the office publishes what it sees now.
		p = s.fire("officer", pv.docView, "publish", nil)
		if _, st := deadlineOf(p, "interpretation_due"); p.State != "published" || st != "" {
			t.Fatalf("published after its interpretation: state %s, interpretation_due %q", p.State, st)
		}
	})
}
