package portal_test

import (
	"strings"
	"testing"

	"wugongkai/workflow"
	"wugongkai/workflow/portal"
)

// TestCheckPortalText: a portal text is trimmed with its line ends made \n; an unknown key is not
// found; an empty, overlong, non-UTF-8 or control-character text is refused on the body field.
func TestCheckPortalText(t *testing.T) {
	got, err := portal.CheckText(portal.Guide, "  一、受理机构\r\n二、办公时间  ")
	if err != nil || got != "一、受理机构\n二、办公时间" {
		t.Fatalf("CheckText = %q, %v", got, err)
	}
	if _, err := portal.CheckText("other", "x"); workflow.ErrorCode(err) != workflow.ENotFound {
		t.Errorf("unknown key: %v", err)
	}
	for name, body := range map[string]string{"empty": " \n ", "long": strings.Repeat("字", portal.MaxTextRunes+1),
		"utf8": "a\xffb", "control": "a\x07b"} {
		if _, err := portal.CheckText(portal.Rules, body); workflow.ErrorCode(err) != workflow.EInvalid ||
			workflow.AsError(err).Field != "body" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
