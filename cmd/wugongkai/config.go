package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"wugongkai/configs"
	"wugongkai/workflow"
	"wugongkai/workflow/files"
)

// Config is the service configuration: defaults, then the YAML file, then the environment,
// validated once (the Prometheus config model).
type Config struct {
	Org      OrgConfig      `yaml:"org"`
	HTTP     HTTPConfig     `yaml:"http"`
	Database DatabaseConfig `yaml:"database"`
	Redis    RedisConfig    `yaml:"redis"`
	Worker   WorkerConfig   `yaml:"worker"`
	Paths    PathsConfig    `yaml:"paths"`
	Session  SessionConfig  `yaml:"session"`
	Publish  PublishConfig  `yaml:"publication"`
	Comments CommentsConfig `yaml:"comments"`
	Requests RequestsConfig `yaml:"requests"`
	Audit    AuditConfig    `yaml:"audit"`
	Log      LogConfig      `yaml:"log"`
	Portal   PortalConfig   `yaml:"portal"`
	Files    FilesConfig    `yaml:"files"`
}

// FilesConfig configures the files of documents (签发原件, 附件, 图解).
type FilesConfig struct {
	MaxBytes        int64         `yaml:"max_bytes"`
	Types           []string      `yaml:"types"`
	TransferTimeout time.Duration `yaml:"transfer_timeout"`
}

// PortalConfig holds the portal footer's site identifiers and the 我为政府网站找错 address.
type PortalConfig struct {
	SiteCode       string `yaml:"site_code"`
	ICP            string `yaml:"icp"`
	PoliceRecord   string `yaml:"police_record"`
	ErrorReportURL string `yaml:"error_report_url"`
	CityName       string `yaml:"city_name"`
}

// AuditConfig locates the audit log's HMAC key and signed checkpoints, both outside the database.
type AuditConfig struct {
	// Key is the key itself, hex, from WUGONGKAI_AUDIT_KEY only (never from the file).
	Key             string `yaml:"-"`
	KeyFile         string `yaml:"key_file"`
	CheckpointsFile string `yaml:"checkpoints_file"`
}

// OrgConfig names the organisation this deployment serves.
type OrgConfig struct {
	Code string `yaml:"code"`
	Name string `yaml:"name"`
}

// HTTPConfig configures the web server.
type HTTPConfig struct {
	Addr            string        `yaml:"addr"`
	MaxBodyBytes    int64         `yaml:"max_body_bytes"`
	ReadTimeout     time.Duration `yaml:"read_timeout"`
	WriteTimeout    time.Duration `yaml:"write_timeout"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	TrustedProxies  []string      `yaml:"trusted_proxies"`
	PublicBaseURL   string        `yaml:"public_base_url"`
	PageCacheTTL    time.Duration `yaml:"page_cache_ttl"`
	PageCacheMB     int           `yaml:"page_cache_mb"`
	MetricsAddr     string        `yaml:"metrics_addr"`
}

// DatabaseConfig configures PostgreSQL.
type DatabaseConfig struct {
	URL      string `yaml:"url"`
	MaxConns int    `yaml:"max_conns"`
	// ListenURL is where the LISTEN connections go (public page changes, role and calendar
	// changes): a direct connection to PostgreSQL when URL goes through a pooler in transaction
	// mode, where LISTEN does not work. Empty = URL.
	ListenURL string `yaml:"listen_url"`
}

// Listen returns the URL of the LISTEN connections.
func (c DatabaseConfig) Listen() string {
	if c.ListenURL != "" {
		return c.ListenURL
	}
	return c.URL
}

// RedisConfig configures the queue's Redis.
type RedisConfig struct {
	URL      string `yaml:"url"`
	Fallback bool   `yaml:"fallback"`
}

// WorkerConfig configures the background worker.
type WorkerConfig struct {
	Concurrency   int           `yaml:"concurrency"`
	RelayInterval time.Duration `yaml:"relay_interval"`
	SweepInterval time.Duration `yaml:"sweep_interval"`
	RequeueAfter  time.Duration `yaml:"requeue_after"`
}

// PathsConfig points at the data directories an operator may change without a release.
type PathsConfig struct {
	Workflows string `yaml:"workflows"`
	Holidays  string `yaml:"holidays"`
	Catalogue string `yaml:"catalogue"`
}

// SessionConfig configures staff sessions.
type SessionConfig struct {
	TTL            time.Duration `yaml:"ttl"`
	MaxLifetime    time.Duration `yaml:"max_lifetime"`
	MaxFailures    int           `yaml:"max_failures"`
	FailureDelay   time.Duration `yaml:"failure_delay"`
	FailureWindow  time.Duration `yaml:"failure_window"`
	AddressCeiling int           `yaml:"address_ceiling"`
	SecureCookie   bool          `yaml:"secure_cookie"`
}

// PublishConfig configures publication.
type PublishConfig struct {
	IndexTemplate string `yaml:"index_template"`
	// InterpretationDays is the time, in working days from its publication, within which a
	// 规范性文件 published without its interpretation (政策解读) and without a stated reason is to
	// have it published.
	InterpretationDays int `yaml:"interpretation_days"`
}

// CommentsConfig configures public comment intake and the comment period.
type CommentsConfig struct {
	RatePerMinute float64 `yaml:"rate_per_minute"`
	Burst         int     `yaml:"burst"`
	MaxLength     int     `yaml:"max_length"`
	// ShortestPeriod is the floor of a comment period shortened with a stated reason.
	ShortestPeriod time.Duration `yaml:"shortest_period"`
}

// RequestsConfig configures disclosure requests (依申请公开).
type RequestsConfig struct {
	Unit          string  `yaml:"unit"`
	RatePerMinute float64 `yaml:"rate_per_minute"`
	Burst         int     `yaml:"burst"`
	// LookupsPerMinute and LookupBurst limit progress lookups (受理编号 + contact) per client.
	LookupsPerMinute float64 `yaml:"lookups_per_minute"`
	LookupBurst      int     `yaml:"lookup_burst"`
}

// LogConfig configures logging.
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// defaultConfigPath is where --config points by default.
const defaultConfigPath = "configs/wugongkai.yaml"

// loadConfig reads the defaults (the embedded configs/wugongkai.yaml), then path if it exists (an
// explicitly named path must exist), then the environment, and validates the result.
func loadConfig(path string, explicit bool, env func(string) string) (Config, error) {
	var c Config
	if err := decodeConfig(configs.DefaultConfig(), "defaults", &c); err != nil {
		return c, err
	}
	if path != "" {
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			if err := decodeConfig(b, path, &c); err != nil {
				return c, err
			}
		case errors.Is(err, fs.ErrNotExist) && !explicit:
		default:
			return c, fmt.Errorf("read config: %w", err)
		}
	}
	if err := applyEnv(&c, env); err != nil {
		return c, err
	}
	return c, c.validate()
}

func decodeConfig(b []byte, name string, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		if errors.Is(err, io.EOF) { // an empty file
			return nil
		}
		return fmt.Errorf("config %s: %w", name, err)
	}
	return nil
}

func applyEnv(c *Config, env func(string) string) error {
	str := map[string]*string{
		"WUGONGKAI_DATABASE_URL":        &c.Database.URL,
		"WUGONGKAI_DATABASE_LISTEN_URL": &c.Database.ListenURL,
		"WUGONGKAI_REDIS_URL":           &c.Redis.URL,
		"WUGONGKAI_HTTP_ADDR":           &c.HTTP.Addr,
		"WUGONGKAI_ORG_CODE":            &c.Org.Code,
		"WUGONGKAI_ORG_NAME":            &c.Org.Name,
		"WUGONGKAI_LOG_LEVEL":           &c.Log.Level,
		"WUGONGKAI_LOG_FORMAT":          &c.Log.Format,
		"WUGONGKAI_WORKFLOWS_DIR":       &c.Paths.Workflows,
		"WUGONGKAI_HOLIDAYS_DIR":        &c.Paths.Holidays,
		"WUGONGKAI_CATALOGUE_DIR":       &c.Paths.Catalogue,
		"WUGONGKAI_PUBLIC_BASE_URL":     &c.HTTP.PublicBaseURL,
		"WUGONGKAI_AUDIT_KEY":           &c.Audit.Key,
		"WUGONGKAI_AUDIT_KEY_FILE":      &c.Audit.KeyFile,
		"WUGONGKAI_AUDIT_CHECKPOINTS":   &c.Audit.CheckpointsFile,
		"WUGONGKAI_METRICS_ADDR":        &c.HTTP.MetricsAddr,
		"WUGONGKAI_SITE_CODE":           &c.Portal.SiteCode,
		"WUGONGKAI_ICP":                 &c.Portal.ICP,
		"WUGONGKAI_POLICE_RECORD":       &c.Portal.PoliceRecord,
		"WUGONGKAI_CITY_NAME":           &c.Portal.CityName,
	}
	for k, p := range str {
		if v := env(k); v != "" {
			*p = v
		}
	}
	if v := env("WUGONGKAI_FILES_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("WUGONGKAI_FILES_MAX_BYTES: %q is not a number of bytes", v)
		}
		c.Files.MaxBytes = n
	}
	if v := env("WUGONGKAI_REDIS_FALLBACK"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("WUGONGKAI_REDIS_FALLBACK: %q is not true or false", v)
		}
		c.Redis.Fallback = b
	}
	if v := env("WUGONGKAI_SHORTEST_PERIOD"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("WUGONGKAI_SHORTEST_PERIOD: %q is not a duration such as 168h", v)
		}
		c.Comments.ShortestPeriod = d
	}
	if v := env("WUGONGKAI_SECURE_COOKIE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("WUGONGKAI_SECURE_COOKIE: %q is not true or false", v)
		}
		c.Session.SecureCookie = b
	}
	// A portal served over https never sends the session cookie over plain http.
	if u, err := url.Parse(c.HTTP.PublicBaseURL); err == nil && strings.EqualFold(u.Scheme, "https") {
		c.Session.SecureCookie = true
	}
	return nil
}

func (c Config) validate() error {
	var errs []string
	if c.Org.Code == "" || strings.ContainsAny(c.Org.Code, " /") {
		errs = append(errs, "org.code must be set (the organisation code used in 索引号) and contain no spaces or slashes")
	}
	if c.Org.Name == "" {
		errs = append(errs, "org.name must be set")
	}
	if c.Portal.ErrorReportURL != "" {
		if u, err := url.Parse(c.Portal.ErrorReportURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, "portal.error_report_url must be an http(s) URL (or empty for the national platform)")
		}
	}
	if c.HTTP.Addr == "" {
		errs = append(errs, "http.addr must be set")
	}
	if c.HTTP.PageCacheMB < 0 {
		errs = append(errs, "http.page_cache_mb must be 0 (the default, 256 MB) or more")
	}
	if c.HTTP.MaxBodyBytes < 1024 {
		errs = append(errs, "http.max_body_bytes must be at least 1024")
	}
	if c.Database.ListenURL != "" {
		if u, err := url.Parse(c.Database.ListenURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || strings.Trim(u.Path, "/") == "" {
			errs = append(errs, "database.listen_url must be empty or a postgres:// URL naming the same database as database.url")
		}
	}
	if u, err := url.Parse(c.Database.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || strings.Trim(u.Path, "/") == "" {
		errs = append(errs, "database.url must be a postgres:// URL naming a database")
	}
	if c.Redis.URL != "" {
		if u, err := url.Parse(c.Redis.URL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "redis-socket" && u.Scheme != "redis-sentinel") {
			errs = append(errs, "redis.url must be a redis:// URL (or empty to use the in-process fallback)")
		}
	}
	if c.Session.TTL < time.Minute {
		errs = append(errs, "session.ttl must be at least 1m")
	}
	if c.Session.MaxLifetime < c.Session.TTL {
		errs = append(errs, "session.max_lifetime must be at least session.ttl")
	}
	if c.Session.MaxFailures < 1 || c.Session.AddressCeiling < c.Session.MaxFailures {
		errs = append(errs, "session.max_failures must be at least 1 and session.address_ceiling at least max_failures")
	}
	if c.Session.FailureDelay <= 0 || c.Session.FailureWindow < c.Session.FailureDelay {
		errs = append(errs, "session.failure_delay must be positive and session.failure_window at least failure_delay")
	}
	if !strings.Contains(c.Publish.IndexTemplate, "{serial") {
		errs = append(errs, "publication.index_template must contain {serial} or {serial:N}")
	}
	if c.Publish.InterpretationDays < 1 || c.Publish.InterpretationDays > 20 {
		errs = append(errs, "publication.interpretation_days must be between 1 and 20 (working days)")
	}
	if c.Files.MaxBytes < 1024 {
		errs = append(errs, "files.max_bytes must be at least 1024")
	}
	if len(c.Files.Types) == 0 {
		errs = append(errs, "files.types must name at least one type")
	}
	for _, t := range c.Files.Types {
		if _, ok := files.TypeByName(t); !ok {
			errs = append(errs, fmt.Sprintf("files.types: unknown type %q (known: pdf, ofd, docx, wps, xlsx, et, png, jpeg, html, svg)", t))
		}
	}
	if c.Files.TransferTimeout < time.Minute {
		errs = append(errs, "files.transfer_timeout must be at least 1m")
	}
	if c.Comments.ShortestPeriod <= 0 || c.Comments.ShortestPeriod > workflow.MinConsultation {
		errs = append(errs, "comments.shortest_period must be positive and at most 720h (30 days)")
	}
	if c.Requests.Unit == "" {
		errs = append(errs, "requests.unit must name the unit that handles disclosure requests")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, "log.level must be debug, info, warn or error")
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		errs = append(errs, "log.format must be json or text")
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// masked returns the configuration with secrets hidden, for the start-up log.
func (c Config) masked() Config {
	m := c
	m.Database.URL = redact(c.Database.URL)
	m.Database.ListenURL = redact(c.Database.ListenURL)
	m.Redis.URL = redact(c.Redis.URL)
	if m.Audit.Key != "" {
		m.Audit.Key = "(set)"
	}
	return m
}

func redact(s string) string {
	if s == "" {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}
