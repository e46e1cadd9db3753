package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"wugongkai/internal/postgres"
)

// TestFilesLimitFromEnvAndAuditVerifyFindsAChangedFile: the service takes the file size limit
// from the environment, and `audit verify` passes over an uploaded file until its stored content
// is changed in the database, then names it.
func TestFilesLimitFromEnvAndAuditVerifyFindsAChangedFile(t *testing.T) {
	env, dsn := testEnv(t, map[string]string{"WUGONGKAI_FILES_MAX_BYTES": "4096"})
	addr, stop := startService(t, env, "run", "--demo")
	base := "http://" + addr
	call := func(method, path, token, contentType string, body []byte) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out bytes.Buffer
		out.ReadFrom(resp.Body)
		return resp.StatusCode, out.Bytes()
	}
	var session struct{ Token string }
	_, b := call(http.MethodPost, "/api/v1/session", "", "application/json", []byte(`{"username":"drafter","password":"`+DemoPassword+`"}`))
	if err := json.Unmarshal(b, &session); err != nil || session.Token == "" {
		t.Fatalf("login: %v %s", err, b)
	}
	var doc struct{ ID int64 }
	_, b = call(http.MethodPost, "/api/v1/documents", session.Token, "application/json", []byte(`{"unit":"chengjian","title":"附件测试","attribute":"主动公开"}`))
	if err := json.Unmarshal(b, &doc); err != nil || doc.ID == 0 {
		t.Fatalf("create: %v %s", err, b)
	}
	upload := func(size int) (int, []byte) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("kind", "original")
		w, _ := mw.CreateFormFile("file", "原件.pdf")
		w.Write(append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), size-9)...))
		mw.Close()
		return call(http.MethodPost, fmt.Sprintf("/api/v1/documents/%d/files", doc.ID), session.Token, mw.FormDataContentType(), body.Bytes())
	}
	if status, b := upload(5000); status != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "too_large") {
		t.Fatalf("5000 bytes over a 4096-byte limit: %d %s", status, b)
	}
	if status, b := upload(4000); status != http.StatusCreated {
		t.Fatalf("upload: %d %s", status, b)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if out, err := cli(t, env, "", "audit", "verify"); err != nil || !strings.HasPrefix(out, "ok:") {
		t.Fatalf("audit verify before the change: %v\n%s", err, out)
	}
	db, err := postgres.Open(context.Background(), dsn, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), `UPDATE document_file_chunks SET data = overlay(data placing 'y'::bytea from 100 for 1)`); err != nil {
		t.Fatal(err)
	}
	out, err := cli(t, env, "", "audit", "verify")
	if err == nil || !strings.Contains(out, fmt.Sprintf("BAD org 1 document %d", doc.ID)) || !strings.Contains(out, "changed") {
		t.Fatalf("audit verify after a file was changed: %v\n%s", err, out)
	}
}
