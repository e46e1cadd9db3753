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
	"unicode/utf8"

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
	CreateSession(ctx context.Context, tokenHash string, user int64, expires time.Time) error
	SessionStaff(ctx context.Context, tokenHash string, now time.Time, extendTo time.Time) (workflow.Staff, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	LoginFailures(ctx context.Context, keys []string, since time.Time) (int, error)
	RecordLoginFailure(ctx context.Context, keys []string, at time.Time) error
	ClearLoginFailures(ctx context.Context, keys []string) error
}

// Accounts is the login use case shared by the API (bearer tokens) and the pages (cookies).
type Accounts struct {
	Store         AccountStore
	Clock         workflow.Clock
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
		return &workflow.Error{Code: workflow.EInvalid, Field: "password", Message: fmt.Sprintf("密码至少需要 %d 个字符", MinPasswordLength)}
	}
	if len(password) > 72 {
		return &workflow.Error{Code: workflow.EInvalid, Field: "password", Message: "密码不能超过 72 个字节"}
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

var errBadLogin = &workflow.Error{Code: workflow.EUnauthenticated, Message: "用户名或密码错误"}

// Login checks a user name and password and opens a session. Repeated failures for the same user
// name or from the same client are refused with ETooMany for the rest of the window, whether or not
// the password is right, so guessing gains nothing.
func (a *Accounts) Login(ctx context.Context, username, password, client string) (string, workflow.Staff, error) {
	username = strings.TrimSpace(username)
	if username == "" || password == "" {
		return "", workflow.Staff{}, &workflow.Error{Code: workflow.EInvalid, Message: "请输入用户名和密码"}
	}
	now := a.now()
	keys := []string{"user:" + strings.ToLower(username)}
	if client != "" {
		keys = append(keys, "ip:"+client)
	}
	failures, err := a.Store.LoginFailures(ctx, keys, now.Add(-a.FailureWindow))
	if err != nil {
		return "", workflow.Staff{}, err
	}
	if a.MaxFailures > 0 && failures >= a.MaxFailures {
		return "", workflow.Staff{}, &workflow.Error{Code: workflow.ETooMany, Message: fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试", int(a.FailureWindow.Minutes())),
			Details: map[string]any{"retry_after_seconds": int(a.FailureWindow.Seconds())}}
	}
	cred, err := a.Store.Credentials(ctx, username)
	if err != nil && workflow.ErrorCode(err) != workflow.ENotFound {
		return "", workflow.Staff{}, err
	}
	if err != nil || cred.Disabled || bcrypt.CompareHashAndPassword([]byte(cred.PasswordHash), []byte(password)) != nil {
		if rerr := a.Store.RecordLoginFailure(ctx, keys, now); rerr != nil {
			return "", workflow.Staff{}, rerr
		}
		return "", workflow.Staff{}, errBadLogin
	}
	if err := a.Store.ClearLoginFailures(ctx, keys[:1]); err != nil {
		return "", workflow.Staff{}, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", workflow.Staff{}, fmt.Errorf("session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	if err := a.Store.CreateSession(ctx, TokenHash(token), cred.ID, now.Add(a.TTL)); err != nil {
		return "", workflow.Staff{}, err
	}
	return token, cred.Staff, nil
}

// Authenticate returns the staff member of a live session and extends it.
func (a *Accounts) Authenticate(ctx context.Context, token string) (workflow.Staff, error) {
	if token == "" {
		return workflow.Staff{}, &workflow.Error{Code: workflow.EUnauthenticated, Message: "请先登录"}
	}
	now := a.now()
	s, err := a.Store.SessionStaff(ctx, TokenHash(token), now, now.Add(a.TTL))
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
