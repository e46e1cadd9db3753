package workflowtest_test

import (
	"context"
	"testing"

	"wugongkai/workflow"
	"wugongkai/workflow/workflowtest"
)

func TestStoreContract(t *testing.T) {
	workflowtest.RunStoreContract(t, func(t *testing.T) workflowtest.Harness { return workflowtest.NewStore() })
}

func TestAuthorizer(t *testing.T) {
	a := workflowtest.NewAuthorizer().
		Grant("li", "chengjian", "document:submit").
		Grant("wang", "*", "document:publish")
	tests := []struct {
		user, unit, perm string
		want             string
	}{
		{"li", "chengjian", "document:submit", ""},
		{"li", "fangchan", "document:submit", workflow.EForbidden},
		{"li", "chengjian", "document:publish", workflow.EForbidden},
		{"wang", "fangchan", "document:publish", ""},
		{"wang", "chengjian", "document:submit", workflow.EForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.unit+"/"+tt.perm, func(t *testing.T) {
			err := a.Authorize(context.Background(), workflow.Actor{Username: tt.user}, tt.unit, tt.perm)
			if got := workflow.ErrorCode(err); got != tt.want {
				t.Errorf("Authorize = %v (code %q), want code %q", err, got, tt.want)
			}
		})
	}
}
