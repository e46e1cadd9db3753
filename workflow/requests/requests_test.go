package requests_test

import (
	"testing"

	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// TestRequestClockOf reads the reply clock from a request's facts and state: a finished pause
// from the pauses fact, an open consultation or fee notice from the state, none while a
// supplement is awaited or once the request is closed.
func TestRequestClockOf(t *testing.T) {
	base := workflow.Facts{"received_on": "2025-09-19", "supplemented_on": "2025-09-22", "extension_days": "10",
		"pauses": "co_maker:2025-09-23:2025-09-25", "consult_kind": "third_party", "consult_started_on": "2025-09-26",
		"fee_notified_on": "2025-09-29"}
	cases := []struct {
		state  string
		ok     bool
		pauses int
		open   string // kind of the open pause, if any
	}{
		{requests.RequestReceived, true, 1, ""},
		{requests.RequestProcessing, true, 1, ""},
		{requests.RequestConsulting, true, 2, requests.PauseThirdParty},
		{requests.RequestAwaitingPayment, true, 2, requests.PauseFee},
		{requests.RequestAwaitingSupplement, false, 0, ""},
		{requests.RequestAnswered, false, 0, ""},
		{requests.RequestClosed, false, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.state, func(t *testing.T) {
			rc, ok := requests.RequestClockOf(workflow.Instance{State: c.state, Facts: base})
			if ok != c.ok || len(rc.Pauses) != c.pauses {
				t.Fatalf("ok %v pauses %+v, want %v and %d", ok, rc.Pauses, c.ok, c.pauses)
			}
			if !ok {
				return
			}
			if rc.Received.String() != "2025-09-19" || rc.Supplemented.String() != "2025-09-22" || rc.ExtensionDays != 10 {
				t.Fatalf("clock = %+v", rc)
			}
			last := rc.Pauses[len(rc.Pauses)-1]
			if c.open != "" && (last.Kind != c.open || !last.To.IsZero()) {
				t.Fatalf("open pause = %+v, want an open %s", last, c.open)
			}
		})
	}
	if _, ok := requests.RequestClockOf(workflow.Instance{State: requests.RequestReceived, Facts: workflow.Facts{}}); ok {
		t.Fatal("a request without a receipt date has a clock")
	}
}

func TestMasks(t *testing.T) {
	for in, want := range map[string]string{
		"41100219800101001X": "411***********001X",
		"AB1234":             "****34",
		"13800138000":        "138****8000",
		"zhang@example.com":  "z****@example.com",
		"河南省许昌市魏都区某路1号":      "河南省许昌市……",
		"":                   "",
	} {
		got := requests.MaskID(in)
		if in == "13800138000" || in == "zhang@example.com" || in == "河南省许昌市魏都区某路1号" {
			got = requests.MaskContact(in)
		}
		if got != want {
			t.Errorf("mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRequestOutcomes: every outcome key is distinct and only the two lapses are the system's.
func TestRequestOutcomes(t *testing.T) {
	seen := map[string]bool{}
	var system []string
	for _, o := range requests.RequestOutcomes() {
		if seen[o.Key] || o.Label == "" {
			t.Errorf("outcome %+v repeated or without a label", o)
		}
		seen[o.Key] = true
		if o.System {
			system = append(system, o.Key)
		}
	}
	if len(seen) != 21 || len(system) != 2 || system[0] != requests.OutcomeNoSupplement || system[1] != requests.OutcomeNoPayment {
		t.Fatalf("%d outcomes, system %v", len(seen), system)
	}
	if _, ok := requests.RequestChannelOf(requests.ChannelOnline); !ok {
		t.Fatal("no online channel")
	}
}
