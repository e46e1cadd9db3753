package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
)

const loginPassword = "正确的密码-Correct-2026"

// loginFixture is a store with the accounts alice and bob (password loginPassword, bob disabled
// never) and Accounts over it whose clock the test moves.
type loginFixture struct {
	accounts *accounts.Accounts
	now      *atomic.Int64 // seconds after t0
}

func mustLoginFixture(tb testing.TB, ceiling int) loginFixture {
	tb.Helper()
	f := mustFixture(tb)
	hash, err := accounts.HashPassword(loginPassword)
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range []string{"alice", "bob"} {
		if _, err := f.store.Accounts.CreateUser(context.Background(), postgres.User{Username: name, DisplayName: name, PasswordHash: hash},
			[]postgres.RoleAssignment{{Role: "drafter", Unit: "chengjian"}}); err != nil {
			tb.Fatal(err)
		}
	}
	var now atomic.Int64
	clock := workflow.ClockFunc(func() time.Time { return t0.Add(time.Duration(now.Load()) * time.Second) })
	return loginFixture{now: &now, accounts: &accounts.Accounts{Store: f.store.Accounts, Clock: clock, TTL: time.Hour,
		MaxFailures: 5, FailureDelay: 30 * time.Second, FailureWindow: 15 * time.Minute, AddressCeiling: ceiling}}
}

func (f loginFixture) login(user, password, client string) error {
	_, _, err := f.accounts.Login(context.Background(), user, password, client)
	return err
}

func wantCode(tb testing.TB, what string, err error, code string) {
	tb.Helper()
	if got := workflow.ErrorCode(err); (err == nil && code != "") || (err != nil && got != code) {
		tb.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// TestLoginCountsAttemptsBeforeThePassword: 60 parallel attempts at one account from one address
// (59 wrong, 1 right) get no more password checks than the free attempts; the rest wait. The right
// password resets the pair's count when it is checked, so if it is among the first five checked,
// up to five more may be checked after it: at most ten in all, never the sixty that reading the
// count after the password check let through.
func TestLoginCountsAttemptsBeforeThePassword(t *testing.T) {
	f := mustLoginFixture(t, 1000)
	var checked, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			pw := "wrong-password"
			if i == 30 {
				pw = loginPassword
			}
			err := f.login("alice", pw, "10.0.0.1")
			switch workflow.ErrorCode(err) {
			case workflow.ETooMany:
				refused.Add(1)
			case "", workflow.EUnauthenticated:
				checked.Add(1)
			default:
				t.Errorf("attempt %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if checked.Load() > 10 || refused.Load() < 50 {
		t.Fatalf("%d passwords checked, %d refused; want at most 10 checked", checked.Load(), refused.Load())
	}
}

// TestLoginThrottlesAccountAndAddressPairs: five wrong passwords for alice from one address make
// that address wait (with a growing delay) for alice only; alice from elsewhere and bob from the
// same address (an office behind one NAT) get in at once.
func TestLoginThrottlesAccountAndAddressPairs(t *testing.T) {
	f := mustLoginFixture(t, 100)
	for i := range 5 {
		wantCode(t, fmt.Sprintf("wrong password %d", i+1), f.login("alice", "wrong-password", "10.0.0.1"), workflow.EUnauthenticated)
	}
	wantCode(t, "right password from the guessing address", f.login("alice", loginPassword, "10.0.0.1"), workflow.ETooMany)
	wantCode(t, "alice from another address", f.login("alice", loginPassword, "10.0.0.2"), "")
	wantCode(t, "bob from the same address", f.login("Bob", loginPassword, "10.0.0.1"), "")

	f.now.Store(31) // the first delay (30 s) is over: one more attempt is admitted ...
	wantCode(t, "wrong password after the delay", f.login("alice", "wrong-password", "10.0.0.1"), workflow.EUnauthenticated)
	f.now.Store(62) // ... and the next delay is twice as long (60 s from 31 s)
	err := f.login("alice", loginPassword, "10.0.0.1")
	wantCode(t, "right password within the doubled delay", err, workflow.ETooMany)
	if ra := workflow.AsError(err).Details["retry_after_seconds"]; ra != 29 {
		t.Errorf("retry_after_seconds = %v, want 29", ra)
	}
	f.now.Store(92)
	wantCode(t, "right password after the doubled delay", f.login("alice", loginPassword, "10.0.0.1"), "")
	wantCode(t, "wrong password after a success starts again", f.login("alice", "wrong-password", "10.0.0.1"), workflow.EUnauthenticated)
}

// TestLoginAddressCeiling: an address that failed at many accounts is refused for every account,
// even with a right password; another address is not.
func TestLoginAddressCeiling(t *testing.T) {
	f := mustLoginFixture(t, 12)
	for i := range 12 {
		wantCode(t, "spray", f.login(fmt.Sprintf("user%d", i), "wrong-password", "10.0.0.9"), workflow.EUnauthenticated)
	}
	wantCode(t, "right password from the spraying address", f.login("alice", loginPassword, "10.0.0.9"), workflow.ETooMany)
	wantCode(t, "right password from another address", f.login("alice", loginPassword, "10.0.0.1"), "")
	// Successes do not count towards the ceiling.
	g := mustLoginFixture(t, 6)
	for i := range 10 {
		wantCode(t, fmt.Sprintf("office login %d", i), g.login([]string{"alice", "bob"}[i%2], loginPassword, "10.0.0.1"), "")
	}
}

// TestLoginUnknownUserTakesAsLong: an unknown user name is compared against a dummy hash, so its
// answer does not tell that the account does not exist.
func TestLoginUnknownUserTakesAsLong(t *testing.T) {
	f := mustLoginFixture(t, 1000)
	// The two are measured in turns, so both see the same load on a busy machine, and the fastest
	// of each is compared (noise only ever adds time). Before the dummy hash an unknown user
	// answered in a tenth of the time.
	time1 := func(user string, i int) time.Duration {
		start := time.Now()
		wantCode(t, user, f.login(user, "wrong-password", fmt.Sprintf("10.1.0.%d", i)), workflow.EUnauthenticated)
		return time.Since(start)
	}
	known, unknown := time.Hour, time.Hour
	for i := range 8 {
		known = min(known, time1("alice", i))
		unknown = min(unknown, time1("nobody", i))
	}
	if unknown < known/2 {
		t.Fatalf("unknown user answered in %v, known user in %v: the difference tells which accounts exist", unknown, known)
	}
}

// TestSessionEndsAfterItsLifetime (issue 18 item 12): a session kept busy is extended by its idle
// timeout, but never past its absolute lifetime after sign-in.
func TestSessionEndsAfterItsLifetime(t *testing.T) {
	f := mustLoginFixture(t, 1000)
	f.accounts.MaxLifetime = 3 * time.Hour
	ctx := context.Background()
	token, _, err := f.accounts.Login(ctx, "alice", loginPassword, "10.2.0.1")
	if err != nil {
		t.Fatal(err)
	}
	for minutes := 50; minutes < 180; minutes += 50 { // every 50 minutes, within the 1 h idle timeout
		f.now.Store(int64(minutes * 60))
		if _, err := f.accounts.Authenticate(ctx, token); err != nil {
			t.Fatalf("busy session after %d minutes: %v", minutes, err)
		}
	}
	f.now.Store(int64((180 + 1) * 60))
	wantCode(t, "busy session past its lifetime", func() error { _, err := f.accounts.Authenticate(ctx, token); return err }(),
		workflow.EUnauthenticated)
}
