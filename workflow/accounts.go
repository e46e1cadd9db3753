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
	LoginFailures(ctx context.Context, keys []string, since time.Time) (int, error)
	RecordLoginFailure(ctx context.Context, keys []string, at time.Time) error
	ClearLoginFailures(ctx context.Context, keys []string) error
}

// Accounts is the login use case shared by the API (bearer tokens) and the pages (cookies).
type Accounts struct {
	Store         AccountStore
	Clock         Clock
	TTL           time.Duration // a session lasts this long after its last use
	MaxFailures   int           // failed logins per user name and per client within Window
	FailureWindow time.Duration
}

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

// Login checks a user name and password and opens a session. Repeated failures for the same user
// name or from the same client are refused with ETooMany for the rest of the window, whether or not
// the password is right, so guessing gains nothing.
func (a *Accounts) Login(ctx context.Context, username, password, client string) (string, Staff, error) {
	username = strings.TrimSpace(username)
	if username == "" || password == "" {
		return "", Staff{}, &Error{Code: EInvalid, Message: "请输入用户名和密码"}
	}
	now := a.now()
	keys := []string{"user:" + strings.ToLower(username)}
	if client != "" {
		keys = append(keys, "ip:"+client)
	}
	failures, err := a.Store.LoginFailures(ctx, keys, now.Add(-a.FailureWindow))
	if err != nil {
		return "", Staff{}, err
	}
	if a.MaxFailures > 0 && failures >= a.MaxFailures {
		return "", Staff{}, &Error{Code: ETooMany, Message: fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试", int(a.FailureWindow.Minutes())),
			Details: map[string]any{"retry_after_seconds": int(a.FailureWindow.Seconds())}}
	}
	cred, err := a.Store.Credentials(ctx, username)
	if err != nil && ErrorCode(err) != ENotFound {
		return "", Staff{}, err
	}
	if err != nil || cred.Disabled || bcrypt.CompareHashAndPassword([]byte(cred.PasswordHash), []byte(password)) != nil {
		if rerr := a.Store.RecordLoginFailure(ctx, keys, now); rerr != nil {
			return "", Staff{}, rerr
		}
		return "", Staff{}, errBadLogin
	}
	if err := a.Store.ClearLoginFailures(ctx, keys[:1]); err != nil {
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
