package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Account is a staff login the scenarios use.
type Account struct {
	Username string
	Password string
}

// api is a small client of the service's JSON API.
type api struct {
	base   string
	client *http.Client
}

// request builds a request with a JSON body (nil = none) and a bearer token ("" = anonymous).
func (a api) request(ctx context.Context, method, path, token string, body any) (*http.Request, error) {
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode %s body: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, method, a.base+path, rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, a.base+path, nil)
	}
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// do sends a request and decodes the answer into out (if not nil) when the status is want.
func (a api) do(ctx context.Context, method, path, token string, body any, want int, out any) error {
	req, err := a.request(ctx, method, path, token, body)
	if err != nil {
		return err
	}
	var b []byte
	if err := Expect(a.client, req, want, &b); err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return nil
}

// login opens a session and returns its token.
func (a api) login(ctx context.Context, acc Account) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	if err := a.do(ctx, http.MethodPost, "/api/v1/session", "", map[string]string{"username": acc.Username, "password": acc.Password},
		http.StatusCreated, &out); err != nil {
		return "", fmt.Errorf("log in as %s: %w", acc.Username, err)
	}
	return out.Token, nil
}

// document is the part of a document's detail the scenarios follow.
type document struct {
	ID      int64  `json:"id"`
	Version int    `json:"version"`
	State   string `json:"state"`
}

func (a api) create(ctx context.Context, token string, body map[string]any) (document, error) {
	var d document
	err := a.do(ctx, http.MethodPost, "/api/v1/documents", token, body, http.StatusCreated, &d)
	return d, err
}

func (a api) get(ctx context.Context, token string, id int64) (document, error) {
	var d document
	err := a.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/documents/%d", id), token, nil, http.StatusOK, &d)
	return d, err
}

func (a api) fire(ctx context.Context, token string, d document, name string, input map[string]string) (document, error) {
	var out document
	body := map[string]any{"version": d.Version}
	if input != nil {
		body["input"] = input
	}
	err := a.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/documents/%d/transitions/%s", d.ID, name), token, body, http.StatusOK, &out)
	return out, err
}

// routeMissing reports whether err is the service's answer to a path it has no route for (the
// feature is not wired into this build).
func routeMissing(err error) bool {
	se, ok := err.(*StatusError)
	return ok && (strings.Contains(se.Body, "页面或接口不存在") || strings.Contains(se.Body, "不支持此请求方法"))
}
