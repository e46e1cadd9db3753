package workflow_test

import (
	"strings"
	"testing"

	"wugongkai/workflow"
)

// TestBlocked: every state says what is missing before the next step. What Available leaves out
// of the user transitions from a state, Blocked gives with the refusal Fire would give.
func TestBlocked(t *testing.T) {
	eng := mustEngine(t)
	reviewer := workflow.Actor{UserID: 21, Username: "wang", Name: "王审核"}
	tests := []struct {
		name, def, state string
		version          int
		facts            workflow.Facts
		actor            workflow.Actor
		want             map[string]string // blocked transition → a piece of its reason
		wantAvailable    []string
	}{
		{name: "decision draft with a short period and no reason", def: "decision", version: 4, state: "drafting",
			facts: consulted("closes_at", "2026-10-01T01:00:00Z"), actor: drafter,
			want: map[string]string{"submit": "征求意见期少于 30 日且未说明缩短理由", "submit_exempt": "未标为依法不予公开"}},
		{name: "decision draft shortened below the floor", def: "decision", version: 4, state: "drafting",
			facts: consulted("closes_at", "2026-09-21T01:06:00Z", "shortening_reason", "紧急"), actor: drafter,
			want: map[string]string{"submit": "不得少于 7 日", "submit_exempt": "未标为依法不予公开"}},
		{name: "a valid draft: only the exempt path is blocked", def: "decision", version: 4, state: "drafting", facts: consulted(), actor: drafter,
			want: map[string]string{"submit_exempt": "未标为依法不予公开"}, wantAvailable: []string{"submit"}},
		{name: "withheld document at sign-off without the legal section", def: "document", version: 2, state: "sign_off", facts: withheld(),
			actor: leader, want: map[string]string{"sign": "尚未经法规科审查同意"}, wantAvailable: []string{"withdraw", "return"}},
		{name: "the submitter may not approve", def: "document", version: 2, state: "unit_review",
			facts: with(public(), workflow.ActorFact("submit"), "21"), actor: reviewer,
			want: map[string]string{"approve": "按职责分离的要求"}, wantAvailable: []string{"withdraw", "return"}},
		{name: "a closed consultation without the summary", def: "decision", version: 4, state: "consultation_closed",
			facts: consulted(), actor: drafter, want: map[string]string{"attach_summary": "征求意见期尚未结束"}, wantAvailable: []string{"redraft"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst := workflow.Instance{Definition: tt.def, DefinitionVersion: tt.version, State: tt.state, Facts: tt.facts}
			got := map[string]string{}
			for _, b := range eng.Blocked(inst, tt.actor, friday) {
				if b.Reason == nil || b.Reason.Message == "" {
					t.Fatalf("%s blocked without a reason", b.Transition.Name)
				}
				got[b.Transition.Name] = b.Reason.Message
			}
			if len(got) != len(tt.want) {
				t.Errorf("Blocked = %v, want %v", got, tt.want)
			}
			for name, part := range tt.want {
				if !strings.Contains(got[name], part) {
					t.Errorf("%s: reason %q, want it to say %q", name, got[name], part)
				}
			}
			var avail []string
			for _, tr := range eng.Available(inst, tt.actor, friday) {
				avail = append(avail, tr.Name)
				if _, both := got[tr.Name]; both {
					t.Errorf("%s both available and blocked", tr.Name)
				}
			}
			if strings.Join(avail, ",") != strings.Join(tt.wantAvailable, ",") {
				t.Errorf("Available = %v, want %v", avail, tt.wantAvailable)
			}
		})
	}
}
