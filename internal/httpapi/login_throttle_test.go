package httpapi_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// TestLoginParallelGuessesAreCounted: 60 parallel logins to one account (59 wrong, the right one
// among them) are counted before their passwords are checked: at most the 5 free attempts reach
// the password check, the rest answer 429. The right password resets the count when it is checked,
// so if it is among the first five, up to five more may be checked after it: ten at most, never
// the sixty that reading the count after the password check let through.
func TestLoginParallelGuessesAreCounted(t *testing.T) {
	s := newStack(t)
	var checked, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			pw := "wrong-password-123"
			if i == 30 {
				pw = testPassword
			}
			status, body := s.do(http.MethodPost, "/api/v1/session", "", map[string]string{"username": "drafter", "password": pw})
			switch status {
			case http.StatusCreated, http.StatusUnauthorized:
				checked.Add(1)
			case http.StatusTooManyRequests:
				refused.Add(1)
			default:
				t.Errorf("attempt %d: status %d: %s", i, status, body)
			}
		})
	}
	wg.Wait()
	if checked.Load() > 10 || refused.Load() < 50 {
		t.Fatalf("%d of 60 parallel attempts had their password checked (%d refused), want at most 10", checked.Load(), refused.Load())
	}
	// Another account from the same address is not affected.
	s.mustDo(http.MethodPost, "/api/v1/session", "", map[string]string{"username": "drafter2", "password": testPassword}, http.StatusCreated, nil)
}
