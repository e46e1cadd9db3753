package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"wugongkai/internal/postgres"
)

// auditKeyFile returns where the audit key file is: the configured one, or audit.key in the user's
// configuration directory.
func (c AuditConfig) auditKeyFile() (string, error) {
	if c.KeyFile != "" {
		return c.KeyFile, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find a place for the audit key (set audit.key_file): %w", err)
	}
	return filepath.Join(dir, "wugongkai", "audit.key"), nil
}

// auditOptions returns the audit key and checkpoint file: the key from WUGONGKAI_AUDIT_KEY, else
// from the key file. If generate is set and there is no key file, a new key is written to it
// (created atomically, so processes starting together agree on one key) and a warning logged.
func auditOptions(c AuditConfig, generate bool, log *slog.Logger) (postgres.AuditOptions, error) {
	path, err := c.auditKeyFile()
	if err != nil {
		return postgres.AuditOptions{}, err
	}
	o := postgres.AuditOptions{CheckpointsFile: c.CheckpointsFile}
	if o.CheckpointsFile == "" {
		o.CheckpointsFile = filepath.Join(filepath.Dir(path), "audit-checkpoints.jsonl")
	}
	text := c.Key
	if text == "" {
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			text = string(b)
		case errors.Is(err, fs.ErrNotExist) && generate:
			if text, err = generateAuditKey(path); err != nil {
				return o, err
			}
			log.Warn("audit key generated: keep a copy off the database host, the audit log cannot be verified without it",
				"file", path)
		case errors.Is(err, fs.ErrNotExist):
			return o, fmt.Errorf("no audit key: set WUGONGKAI_AUDIT_KEY or audit.key_file (looked for %s)", path)
		default:
			return o, fmt.Errorf("read audit key: %w", err)
		}
	}
	key, err := hex.DecodeString(strings.TrimSpace(text))
	if err != nil || len(key) < 32 {
		return o, errors.New("audit key: want at least 64 hex digits (32 bytes)")
	}
	o.Key = key
	return o, nil
}

func generateAuditKey(path string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate audit key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("create audit key directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".audit-key-*")
	if err != nil {
		return "", fmt.Errorf("write audit key: %w", err)
	}
	defer os.Remove(tmp.Name())
	text := hex.EncodeToString(b[:]) + "\n"
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write audit key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write audit key: %w", err)
	}
	tmp.Close()
	// A hard link fails if another process got there first; then its key is the key.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("read audit key: %w", err)
			}
			return string(b), nil
		}
		return "", fmt.Errorf("write audit key: %w", err)
	}
	return text, nil
}
