// Package accounts holds staff sign-in: password hashing (bcrypt), login, session tokens and
// the store interface they need.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"wugongkai/workflow"
)

// Credentials are what the account store keeps for a login.
type Credentials struct {
	workflow.Staff
	PasswordHash string
	Disabled     bool
}

// AccountStore is what Accounts needs from the database.
type AccountStore interface {
	Credentials(ctx context.Context, username string) (Credentials, error)
	CreateSession(ctx context.Context, tokenHash string, user int64, created, expires time.Time) error
	// SessionStaff returns the staff member of a session that has not expired at now and was
	// created after createdAfter (the absolute lifetime), and moves its expiry to extendTo.
	SessionStaff(ctx context.Context, tokenHash string, now, extendTo, createdAfter time.Time) (workflow.Staff, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	// CountLoginAttempt counts one attempt against limit atomically, before the password is
	// checked, and returns the zero time if the attempt is admitted, else when to try again.
	CountLoginAttempt(ctx context.Context, limit LoginLimit, now time.Time) (time.Time, error)
	// ForgetLoginAttempt undoes the count of a successful attempt: reset deletes the counter,
	// otherwise the attempt is given back.
	ForgetLoginAttempt(ctx context.Context, key string, reset bool, now time.Time) error
}

// LoginLimit is one login throttle counter. Free attempts are admitted at once; the attempt that
// reaches Free blocks the counter for Delay, and each further admitted attempt doubles the delay,
// up to MaxDelay. A counter left alone for Window starts again.
type LoginLimit struct {
	Key             string
	Free            int
	Delay, MaxDelay time.Duration
	Window          time.Duration
}

// DefaultMaxLifetime is how long a session lasts at most after sign-in, however busy: a working
// day, so a stolen or forgotten session does not live on while it is used.
const DefaultMaxLifetime = 12 * time.Hour

// Accounts is the login use case shared by the API (bearer tokens) and the pages (cookies).
//
// Logins are throttled the well-known way: per account and address, MaxFailures attempts are
// free, then each attempt waits for a doubling delay (FailureDelay, at most FailureWindow); per
// address, AddressCeiling failed attempts at any accounts within FailureWindow block the address
// for FailureWindow. So one person's typos lock neither their colleagues behind the same address
// nor their own account from elsewhere, and a right password from an address that has not been
// abusive always gets in.
type Accounts struct {
	Store          AccountStore
	Clock          workflow.Clock
	TTL            time.Duration // a session lasts this long after its last use
	MaxLifetime    time.Duration // and never longer than this after sign-in (default DefaultMaxLifetime)
	MaxFailures    int           // free attempts per account and address (default 5)
	FailureDelay   time.Duration // first delay after them, doubling (default 30s)
	FailureWindow  time.Duration // longest delay, and how long counters are remembered (default 15m)
	AddressCeiling int           // failed attempts per address at any account (default 20 × MaxFailures)
}

// limits returns the account-and-address and the address counters of one login attempt.
func (a *Accounts) limits(username, client string) []LoginLimit {
	free, delay, window := a.MaxFailures, a.FailureDelay, a.FailureWindow
	if free <= 0 {
		free = 5
	}
	if window <= 0 {
		window = 15 * time.Minute
	}
	if delay <= 0 {
		delay = min(30*time.Second, window)
	}
	ceiling := a.AddressCeiling
	if ceiling <= 0 {
		ceiling = 20 * free
	}
	return []LoginLimit{
		{Key: "pair:" + username + "|" + client, Free: free, Delay: delay, MaxDelay: window, Window: window},
		{Key: "addr:" + client, Free: ceiling, Delay: window, MaxDelay: window, Window: window},
	}
}

// dummyHash is a bcrypt hash (default cost) of a password nobody has: an unknown or disabled
// account is compared against it, so that it answers in the same time as a known one.
const dummyHash = "$2a$10$/ZOoV4xiBAb5DvjsjkhTx.uxL.HZTWkWISNPKmITKZLu4shFmu6R6"

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// HashPassword hashes a password with bcrypt.
func HashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword says what is wrong with a new password, in Chinese: too short or too long, only
// whitespace, one character repeated, a short pattern repeated ("abcabcabc"), a run such as
// "12345678" or "abcdefgh", or one of the commonly used passwords.
func CheckPassword(password string) error {
	bad := func(msg string) error {
		return &workflow.Error{Code: workflow.EInvalid, Field: "password", Message: msg}
	}
	rs := []rune(password)
	switch {
	case strings.TrimSpace(password) == "":
		return bad("密码不能只由空白字符组成")
	case len(rs) < MinPasswordLength:
		return bad(fmt.Sprintf("密码至少需要 %d 个字符", MinPasswordLength))
	case len(password) > 72:
		return bad("密码不能超过 72 个字节")
	case repeats(rs):
		return bad("密码不能是同一个字符或一小段字符的重复，请换一个更难猜的密码")
	case sequence(rs):
		return bad("密码不能是连续的数字或字母（如 12345678、abcdefgh），请换一个更难猜的密码")
	case commonPassword(password):
		return bad("这是常用密码，很容易被猜到，请换一个")
	}
	return nil
}

// repeats reports whether rs is a pattern of at most 3 characters repeated.
func repeats(rs []rune) bool {
	for p := 1; p <= 3 && p < len(rs); p++ {
		same := true
		for i := p; i < len(rs) && same; i++ {
			same = rs[i] == rs[i-p]
		}
		if same {
			return true
		}
	}
	return false
}

// sequence reports whether rs runs up or down by one throughout ("12345678", "hgfedcba"),
// ignoring case.
func sequence(rs []rune) bool {
	lower := []rune(strings.ToLower(string(rs)))
	d := lower[1] - lower[0]
	if d != 1 && d != -1 {
		return false
	}
	for i := 2; i < len(lower); i++ {
		if lower[i]-lower[i-1] != d {
			return false
		}
	}
	return true
}

// commonPasswords are widely used passwords of 8 characters or more (from public breach lists,
// and the Chinese favourites among them); a password equal to one, ignoring case, is refused.
const commonPasswords = `password password1 password123 passw0rd p@ssw0rd p@ssword 123456789 1234567890 12345678910
qwertyuiop qwerty123 qwertyui 1qaz2wsx 1q2w3e4r 1q2w3e4r5t 1qazxsw2 zaq12wsx qazwsxedc q1w2e3r4
abc12345 abcd1234 a1234567 a12345678 aa123456 aa12345678 abc123456 1234qwer qwer1234 asdf1234
asdfghjkl zxcvbnm123 iloveyou iloveyou1 sunshine princess football baseball superman batman123
trustno1 welcome1 welcome123 admin123 admin1234 administrator root1234 letmein1 changeme
dragon123 monkey123 whatever shadow123 master123 michael1 11223344 12344321 12341234 123123123
147258369 159357456 741852963 789456123 987654321 5201314520 520131400 woaini1314 woaini520
wo123456 w123456789 zhang123 li123456 wang1234 aini1314 1314520520 88888888a 66666666a
admin888 test1234 testtest guest1234 user1234 computer internet 00000000a qq123456 qq123456789
wugongkai wugongkai123 gongkai123`

func commonPassword(password string) bool {
	p := strings.ToLower(password)
	for _, c := range strings.Fields(commonPasswords) {
		if p == c {
			return true
		}
	}
	return false
}

// FoldUsername returns the stored form of a user name: trimmed and in lower case, so "Drafter"
// and "drafter" are one account (and one login throttle counter).
func FoldUsername(username string) string { return strings.ToLower(strings.TrimSpace(username)) }

// TokenHash returns the stored form of a session token.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func (a *Accounts) now() time.Time {
	if a.Clock == nil {
		return time.Now()
	}
	return a.Clock.Now()
}

var errBadLogin = &workflow.Error{Code: workflow.EUnauthenticated, Message: "用户名或密码错误"}

// Login checks a user name and password and opens a session. Every attempt is counted before the
// password is checked (so parallel guesses gain nothing); a counter that is blocked refuses with
// workflow.ETooMany whether or not the password is right. See Accounts for the limits.
func (a *Accounts) Login(ctx context.Context, username, password, client string) (string, workflow.Staff, error) {
	username = FoldUsername(username)
	if username == "" || password == "" {
		return "", workflow.Staff{}, &workflow.Error{Code: workflow.EInvalid, Message: "请输入用户名和密码"}
	}
	now := a.now()
	// The account is read first: it has no side effect, so a failure there (the database going
	// away) leaves nothing counted.
	cred, err := a.Store.Credentials(ctx, username)
	if err != nil && workflow.ErrorCode(err) != workflow.ENotFound {
		return "", workflow.Staff{}, err
	}
	// Then the attempt is counted, before its password is checked, so parallel guesses cannot
	// outrun the count. An attempt a later counter refused was no guess: what was counted of it is
	// given back.
	limits := a.limits(username, client)
	var counted []string
	giveBack := func() {
		for _, key := range counted {
			_ = a.Store.ForgetLoginAttempt(context.WithoutCancel(ctx), key, false, now)
		}
	}
	for _, l := range limits {
		until, err := a.Store.CountLoginAttempt(ctx, l, now)
		if err != nil {
			giveBack()
			return "", workflow.Staff{}, err
		}
		if !until.IsZero() {
			giveBack()
			wait := max(int(until.Sub(now).Seconds()+0.999), 1)
			return "", workflow.Staff{}, &workflow.Error{Code: workflow.ETooMany, Message: fmt.Sprintf("登录失败次数过多，请 %s后再试", waitText(wait)),
				Details: map[string]any{"retry_after_seconds": wait}}
		}
		counted = append(counted, l.Key)
	}
	hash := cred.PasswordHash
	if err != nil || cred.Disabled {
		hash = dummyHash
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || hash == dummyHash {
		return "", workflow.Staff{}, errBadLogin
	}
	if err := a.Store.ForgetLoginAttempt(ctx, limits[0].Key, true, now); err != nil {
		return "", workflow.Staff{}, err
	}
	if err := a.Store.ForgetLoginAttempt(ctx, limits[1].Key, false, now); err != nil {
		return "", workflow.Staff{}, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", workflow.Staff{}, fmt.Errorf("session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	if err := a.Store.CreateSession(ctx, TokenHash(token), cred.ID, now, now.Add(a.TTL)); err != nil {
		return "", workflow.Staff{}, err
	}
	return token, cred.Staff, nil
}

// waitText says how long to wait in Chinese: seconds under two minutes, else whole minutes.
func waitText(seconds int) string {
	if seconds < 120 {
		return fmt.Sprintf("%d 秒", seconds)
	}
	return fmt.Sprintf("%d 分钟", (seconds+59)/60)
}

// Authenticate returns the staff member of a live session and extends it.
func (a *Accounts) Authenticate(ctx context.Context, token string) (workflow.Staff, error) {
	if token == "" {
		return workflow.Staff{}, &workflow.Error{Code: workflow.EUnauthenticated, Message: "请先登录"}
	}
	now := a.now()
	lifetime := a.MaxLifetime
	if lifetime <= 0 {
		lifetime = DefaultMaxLifetime
	}
	s, err := a.Store.SessionStaff(ctx, TokenHash(token), now, now.Add(a.TTL), now.Add(-lifetime))
	if err != nil {
		if workflow.ErrorCode(err) == workflow.ENotFound {
			return workflow.Staff{}, &workflow.Error{Code: workflow.EUnauthenticated, Message: "登录已过期，请重新登录"}
		}
		return workflow.Staff{}, err
	}
	return s, nil
}

// Logout ends a session.
func (a *Accounts) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	err := a.Store.DeleteSession(ctx, TokenHash(token))
	if errors.Is(err, nil) || workflow.ErrorCode(err) == workflow.ENotFound {
		return nil
	}
	return err
}
