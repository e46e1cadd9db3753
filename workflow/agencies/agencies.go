// Package agencies is the platform's agencies (机构): one deployment serves many government
// agencies, each a row of orgs with its own units, staff, catalogue, documents and requests, and
// its portal on a host of its own. The organisation configured at start is the platform's first
// agency; its admins add the others.
package agencies

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
)

// PermManage is the permission of adding agencies. Only the first agency's admins use it.
const PermManage = "agency:manage"

// Agency is one agency of the platform.
type Agency struct {
	ID          int64
	Code        string // 组织机构代码, the start of every 索引号 of the agency
	Name        string
	CreditCode  string // 统一社会信用代码 ("" for the first agency when none was given)
	Host        string // its portal's host name ("" = none: served on the platform's own host only when it is the only agency)
	RequestUnit string // the unit that handles its disclosure requests ("" = the configured one)
	CreatedAt   time.Time
}

// NewAgency is what adding an agency takes: the agency, the unit that handles its requests and,
// optionally, its first admin.
type NewAgency struct {
	Code, Name, CreditCode, Host string
	RequestUnit, RequestUnitName string
	AdminUsername, AdminName     string
	AdminPasswordHash            string // set by Add from AdminPassword
	AdminPassword                string
}

// Store keeps the agencies. AddAgency writes the agency, its request unit, its admin (when
// AdminUsername is set) and the audit event in one transaction; a duplicate code, credit code or
// host is a conflict naming which.
type Store interface {
	Agencies(ctx context.Context) ([]Agency, error)
	AddAgency(ctx context.Context, in NewAgency, actor workflow.Actor, at time.Time) (Agency, error)
}

// Authorizer checks a permission; *policy.Enforcer satisfies it.
type Authorizer interface {
	Authorize(ctx context.Context, actor workflow.Actor, unit, permission string) error
}

// Agencies is the use cases of the platform's agencies, served in one agency: Platform says
// whether it is the platform's first agency, the only one whose admins may add agencies.
type Agencies struct {
	Store    Store
	Auth     Authorizer
	Platform bool
	Clock    workflow.Clock // nil = the wall clock
	// Added is called after an agency is committed (the cmd seeds its catalogue and lets the
	// dispatcher serve its host at once); nil = nothing.
	Added func(ctx context.Context, a Agency) error
}

// errNotPlatform refuses agency management in any agency but the first.
var errNotPlatform = &workflow.Error{Code: workflow.EForbidden, Message: "只有平台机构（第一个机构）的系统管理员可以管理机构",
	Details: map[string]any{"permission": PermManage}}

func (a *Agencies) allowed(ctx context.Context, actor workflow.Actor) error {
	if !a.Platform {
		return errNotPlatform
	}
	return a.Auth.Authorize(ctx, actor, "*", PermManage)
}

// List returns every agency of the platform, by id.
func (a *Agencies) List(ctx context.Context, actor workflow.Actor) ([]Agency, error) {
	if err := a.allowed(ctx, actor); err != nil {
		return nil, err
	}
	return a.Store.Agencies(ctx)
}

// Add checks in and adds the agency with its request unit and admin.
func (a *Agencies) Add(ctx context.Context, actor workflow.Actor, in NewAgency) (Agency, error) {
	if err := a.allowed(ctx, actor); err != nil {
		return Agency{}, err
	}
	clock := a.Clock
	if clock == nil {
		clock = workflow.SystemClock
	}
	return Add(ctx, a.Store, actor, in, clock.Now(), a.Added)
}

// Add checks in and adds the agency on behalf of actor (the command line's is the system), then
// calls added (if not nil). It is the one path of `wugongkai agency add` and the console page.
func Add(ctx context.Context, s Store, actor workflow.Actor, in NewAgency, now time.Time, added func(context.Context, Agency) error) (Agency, error) {
	in, err := Check(in)
	if err != nil {
		return Agency{}, err
	}
	if in.AdminPassword != "" {
		if in.AdminPasswordHash, err = accounts.HashPassword(in.AdminPassword); err != nil {
			return Agency{}, err
		}
		in.AdminPassword = ""
	}
	ag, err := s.AddAgency(ctx, in, actor, now)
	if err != nil {
		return Agency{}, err
	}
	if added != nil {
		if err := added(ctx, ag); err != nil {
			return ag, fmt.Errorf("after adding agency %s: %w", ag.Code, err)
		}
	}
	return ag, nil
}

var (
	codeRE     = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z-]{1,31}$`)
	unitCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	hostRE     = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

func invalid(field, format string, args ...any) error {
	return &workflow.Error{Code: workflow.EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Check returns in trimmed and normalised (host in lower case, credit code in upper case), or the
// first reason it is refused, in Chinese, naming the field.
func Check(in NewAgency) (NewAgency, error) {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.CreditCode = strings.ToUpper(strings.TrimSpace(in.CreditCode))
	in.RequestUnit = strings.TrimSpace(in.RequestUnit)
	in.RequestUnitName = strings.TrimSpace(in.RequestUnitName)
	in.AdminUsername = accounts.FoldUsername(strings.TrimSpace(in.AdminUsername))
	in.AdminName = strings.TrimSpace(in.AdminName)
	if !codeRE.MatchString(in.Code) {
		return in, invalid("code", "机构代码须为 2 至 32 位字母、数字或连字符（它是该机构每个索引号的开头）")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		return in, invalid("name", "请填写机构名称（不超过 100 字）")
	}
	if err := CheckCreditCode(in.CreditCode); err != nil {
		return in, err
	}
	host, err := NormalizeHost(in.Host)
	if err != nil {
		return in, err
	}
	in.Host = host
	if !unitCodeRE.MatchString(in.RequestUnit) {
		return in, invalid("request_unit", "请填写办理依申请公开的科室代码（小写字母开头，字母、数字、_ 或 -，不超过 32 位）")
	}
	if in.RequestUnitName == "" || utf8.RuneCountInString(in.RequestUnitName) > 50 {
		return in, invalid("request_unit_name", "请填写办理依申请公开的科室名称（不超过 50 字）")
	}
	if in.AdminUsername == "" && in.AdminPassword != "" {
		return in, invalid("admin_username", "给出了管理员密码，请同时填写管理员用户名")
	}
	if in.AdminUsername != "" {
		if in.AdminPassword == "" && in.AdminPasswordHash == "" {
			return in, invalid("admin_password", "请为管理员 %s 设置密码", in.AdminUsername)
		}
		if in.AdminName == "" {
			in.AdminName = in.Name + "系统管理员"
		}
	}
	return in, nil
}

// NormalizeHost returns the host name h in lower case without a port or a trailing dot; "" stays
// "" (an agency without a host of its own). Anything but a host name is refused.
func NormalizeHost(raw string) (string, error) {
	h := HostOnly(raw)
	if h == "" {
		return "", nil
	}
	if strings.ContainsAny(raw, "/@?#") || len(h) > 253 || !hostRE.MatchString(h) || net.ParseIP(h) != nil {
		return "", invalid("host", "域名“%s”不是有效的主机名（例如 fgw.xuchang.gov.cn，不含 http:// 和路径）", strings.TrimSpace(raw))
	}
	return h, nil
}

// HostOnly returns the host of a Host header value in lower case, without its port and trailing dot.
func HostOnly(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimPrefix(strings.TrimSuffix(h, "]"), "[")
	return strings.TrimSuffix(h, ".")
}

// creditCharset is the character set of the 统一社会信用代码 (GB 32100-2015): digits and the capital
// letters without I, O, Z, S and V; a character's value is its index.
const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the weights of the first 17 characters in the check digit (3^i mod 31).
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CheckCreditCode checks a 统一社会信用代码: 18 characters of the GB 32100-2015 character set whose
// last is the check digit of the first 17 (31 minus the weighted sum modulo 31).
func CheckCreditCode(code string) error {
	if utf8.RuneCountInString(code) != 18 {
		return invalid("credit_code", "统一社会信用代码应为 18 位（现为 %d 位）", utf8.RuneCountInString(code))
	}
	sum := 0
	for i, r := range []rune(code) {
		v := strings.IndexRune(creditCharset, r)
		if v < 0 {
			return invalid("credit_code", "统一社会信用代码第 %d 位“%c”不是有效字符（只用数字和除 I、O、Z、S、V 以外的大写字母）", i+1, r)
		}
		if i < 17 {
			sum += v * creditWeights[i]
		} else if want := (31 - sum%31) % 31; v != want {
			return invalid("credit_code", "统一社会信用代码的校验位不符（按前 17 位应为“%c”），请核对是否输错", creditCharset[want])
		}
	}
	return nil
}
