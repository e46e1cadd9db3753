package workflow

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
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Staff is a signed-in member of staff with the roles they hold.
type Staff struct {
	ID       int64
	Username string
	Name     string
	Roles    []RoleAssignment
}

// RoleAssignment is one role held in one unit ("*" = bureau-wide).
type RoleAssignment struct {
	Role string
	Unit string
}

// Actor returns the staff member as a workflow actor.
func (s Staff) Actor() Actor { return Actor{UserID: s.ID, Username: s.Username, Name: s.Name} }

// HasRole reports whether s holds role in any unit.
func (s Staff) HasRole(role string) bool {
	for _, r := range s.Roles {
		if r.Role == role {
			return true
		}
	}
	return false
}

// Credentials are what the account store keeps for a login.
type Credentials struct {
	Staff
	PasswordHash string
	Disabled     bool
}

// AccountStore is what Accounts needs from the database.
type AccountStore interface {
	Credentials(ctx context.Context, username string) (Credentials, error)
	CreateSession(ctx context.Context, tokenHash string, user int64, expires time.Time) error
	SessionStaff(ctx context.Context, tokenHash string, now time.Time, extendTo time.Time) (Staff, error)
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
	Clock          Clock
	TTL            time.Duration // a session lasts this long after its last use
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

// CheckPassword says what is wrong with a new password, in Chinese.
func CheckPassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return &Error{Code: EInvalid, Field: "password", Message: fmt.Sprintf("密码至少需要 %d 个字符", MinPasswordLength)}
	}
	if len(password) > 72 {
		return &Error{Code: EInvalid, Field: "password", Message: "密码不能超过 72 个字节"}
	}
	return nil
}

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

var errBadLogin = &Error{Code: EUnauthenticated, Message: "用户名或密码错误"}

// Login checks a user name and password and opens a session. Every attempt is counted before the
// password is checked (so parallel guesses gain nothing); a counter that is blocked refuses with
// ETooMany whether or not the password is right. See Accounts for the limits.
func (a *Accounts) Login(ctx context.Context, username, password, client string) (string, Staff, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if username == "" || password == "" {
		return "", Staff{}, &Error{Code: EInvalid, Message: "请输入用户名和密码"}
	}
	now := a.now()
	limits := a.limits(username, client)
	for _, l := range limits {
		until, err := a.Store.CountLoginAttempt(ctx, l, now)
		if err != nil {
			return "", Staff{}, err
		}
		if !until.IsZero() {
			wait := max(int(until.Sub(now).Seconds()+0.999), 1)
			return "", Staff{}, &Error{Code: ETooMany, Message: fmt.Sprintf("登录失败次数过多，请 %s后再试", waitText(wait)),
				Details: map[string]any{"retry_after_seconds": wait}}
		}
	}
	cred, err := a.Store.Credentials(ctx, username)
	if err != nil && ErrorCode(err) != ENotFound {
		return "", Staff{}, err
	}
	hash := cred.PasswordHash
	if err != nil || cred.Disabled {
		hash = dummyHash
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || hash == dummyHash {
		return "", Staff{}, errBadLogin
	}
	if err := a.Store.ForgetLoginAttempt(ctx, limits[0].Key, true, now); err != nil {
		return "", Staff{}, err
	}
	if err := a.Store.ForgetLoginAttempt(ctx, limits[1].Key, false, now); err != nil {
		return "", Staff{}, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", Staff{}, fmt.Errorf("session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	if err := a.Store.CreateSession(ctx, TokenHash(token), cred.ID, now.Add(a.TTL)); err != nil {
		return "", Staff{}, err
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
func (a *Accounts) Authenticate(ctx context.Context, token string) (Staff, error) {
	if token == "" {
		return Staff{}, &Error{Code: EUnauthenticated, Message: "请先登录"}
	}
	now := a.now()
	s, err := a.Store.SessionStaff(ctx, TokenHash(token), now, now.Add(a.TTL))
	if err != nil {
		if ErrorCode(err) == ENotFound {
			return Staff{}, &Error{Code: EUnauthenticated, Message: "登录已过期，请重新登录"}
		}
		return Staff{}, err
	}
	return s, nil
}

// Logout ends a session.
func (a *Accounts) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	err := a.Store.DeleteSession(ctx, TokenHash(token))
	if errors.Is(err, nil) || ErrorCode(err) == ENotFound {
		return nil
	}
	return err
}
