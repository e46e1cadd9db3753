package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"wugongkai/internal/postgres"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/requests"
)

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

// DemoPassword is the password of every demo account.
const DemoPassword = "wugongkai-demo"

var demoUnits = []struct{ code, name string }{
	{"bangongshi", "办公室"}, {"fagui", "法规科"}, {"chengjian", "城建科"}, {"fangchan", "房产科"}, {"lingdao", "局领导"},
}

type demoUser = struct{ username, name, role, unit string }

var demoUsers = []demoUser{
	{"drafter", "王晓明（城建科）", "drafter", "chengjian"},
	{"drafter2", "刘芳（房产科）", "drafter", "fangchan"},
	{"unithead", "李建国（城建科科长）", "unit_head", "chengjian"},
	{"unithead2", "赵红（房产科科长）", "unit_head", "fangchan"},
	{"legal", "陈静（法规科）", "legal_reviewer", "*"},
	{"officer", "周敏（办公室）", "disclosure_officer", "*"},
	{"head", "吴强（办公室主任）", "disclosure_head", "*"},
	{"leader", "张局长", "leader", "*"},
	{"admin", "系统管理员", "admin", "*"},
	{"cityoffice", "孙丽（市政务公开办）", "city_office", "*"},
}

func demoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "create a demo bureau (units, one user per role, sample documents) and print how to log in",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			a, err := newApp(cmd.Context(), cfg, newLogger(cfg, g))
			if err != nil {
				return err
			}
			defer a.Close()
			return seedDemo(cmd.Context(), a, g.stdout)
		},
	}
}

// seedDemo creates the demo platform once: the housing bureau (the configured organisation) and
// a second agency on its own host; running it again changes nothing.
func seedDemo(ctx context.Context, a *app, out io.Writer) error {
	created, err := demoStaff(ctx, a.stores, demoUnits, demoUsers)
	if err != nil {
		return err
	}
	if created {
		if err := demoDocuments(ctx, a); err != nil {
			return fmt.Errorf("demo documents: %w", err)
		}
	}
	port := ""
	if _, p, err := net.SplitHostPort(a.cfg.HTTP.Addr); err == nil && p != "80" {
		port = ":" + p
	}
	fmt.Fprintf(out, "演示数据已就绪。%s：登录地址 http://%s/console ，所有演示账号的密码均为 %s\n", a.cfg.Org.Name, a.cfg.HTTP.Addr, DemoPassword)
	for _, u := range demoUsers {
		fmt.Fprintf(out, "  %-10s %s（%s）\n", u.username, u.name, policy.RoleLabel(u.role))
	}
	if err := demoSecondAgency(ctx, a); err != nil {
		return fmt.Errorf("demo agency %s: %w", demoAgency.Name, err)
	}
	fmt.Fprintf(out, "第二个机构%s：门户 http://%s%s/ ，登录地址 http://%s%s/console （*.localhost 指向本机）\n",
		demoAgency.Name, demoAgency.Host, port, demoAgency.Host, port)
	for _, u := range demoAgencyUsers {
		fmt.Fprintf(out, "  %-12s %s（%s）\n", u.username, u.name, policy.RoleLabel(u.role))
	}
	return nil
}

// demoStaff creates the units and, unless they exist, the users of an agency, and reports whether
// it created any user.
func demoStaff(ctx context.Context, stores *postgres.Stores, units []struct{ code, name string }, users []demoUser) (bool, error) {
	for _, u := range units {
		if err := stores.Orgs.EnsureUnit(ctx, u.code, u.name); err != nil {
			return false, err
		}
	}
	hash, err := accounts.HashPassword(DemoPassword)
	if err != nil {
		return false, err
	}
	created := false
	for _, u := range users {
		if _, err := stores.Accounts.UserByUsername(ctx, u.username); err == nil {
			continue
		}
		if _, err := stores.Accounts.CreateUser(ctx, postgres.User{Username: u.username, DisplayName: u.name, PasswordHash: hash},
			[]postgres.RoleAssignment{{Role: u.role, Unit: u.unit}}); err != nil {
			return false, err
		}
		created = true
	}
	return created, nil
}

// demoActor returns the actor of an agency's user.
func demoActor(ctx context.Context, stores *postgres.Stores) func(string) workflow.Actor {
	return func(username string) workflow.Actor {
		u, _ := stores.Accounts.UserByUsername(ctx, username)
		return workflow.Actor{UserID: u.ID, Username: u.Username, Name: u.DisplayName}
	}
}

// demoDocuments walks a few documents through the real use cases, so the portal and the task lists
// have content.
func demoDocuments(ctx context.Context, a *app) error {
	enf, err := policy.New(ctx, a.stores.Accounts)
	if err != nil {
		return err
	}
	docs := a.documentsOf(a.stores, enf)
	actor := demoActor(ctx, a.stores)
	str := func(s string) *string { return &s }
	// item tags a demo document with a catalogue item when the organisation's catalogue has it in
	// force (a configured catalogue may not have the default codes).
	item := func(code string) *string {
		if it, err := a.stores.Catalogue.CatalogueItem(ctx, code, 0); err != nil || it.Retired() {
			return nil
		}
		return &code
	}
	published := []struct{ title, body, category, number, item string }{
		{"许昌市住房租赁补贴发放管理办法", "第一条 为规范住房租赁补贴发放工作，保障城镇中低收入住房困难家庭的基本住房需求，制定本办法。\n第二条 本办法适用于本市中心城区住房租赁补贴的申请、审核、发放和监督管理。", "城乡建设、环境保护\\住房保障", "许建〔2026〕12号", "TY-02"},
		{"关于做好2026年城镇老旧小区改造工作的通知", "各县（市、区）住建局：为扎实推进城镇老旧小区改造，现将有关事项通知如下。", "城乡建设、环境保护\\城市建设", "许建〔2026〕18号", "TY-05"},
		{"许昌市物业服务收费管理实施细则", "第一条 为规范物业服务收费行为，维护业主和物业服务企业的合法权益，制定本细则。", "城乡建设、环境保护\\房地产", "许建〔2026〕25号", "TY-02"},
	}
	walk := func(d documents.Document, steps ...struct {
		who, name string
		in        workflow.Input
	}) (documents.Document, error) {
		var err error
		for _, s := range steps {
			if d, err = docs.Fire(ctx, actor(s.who), d.ID, 0, s.name, s.in); err != nil {
				return d, fmt.Errorf("%s by %s: %w", s.name, s.who, err)
			}
		}
		return d, nil
	}
	type step = struct {
		who, name string
		in        workflow.Input
	}
	for i, p := range published {
		kind := documents.KindNormative
		if i == 1 {
			kind = documents.KindOther
		}
		d, err := docs.Create(ctx, actor("drafter"), documents.Draft{Definition: "document", Unit: "chengjian", Title: str(p.title),
			Body: str(p.body), DocKind: &kind, SubjectCategory: str(p.category), DocNumber: str(p.number), Attribute: str(policy.AttrProactive),
			Summary: str(p.title + "。"), CatalogueItem: item(p.item)})
		if err != nil {
			return err
		}
		steps := []step{{"drafter", "submit", nil}, {"unithead", "approve", nil}}
		if kind == workflow.KindNormative {
			// Every 规范性文件 passes the legal section's legality review before it is signed.
			steps = append(steps, step{"legal", "approve", workflow.Input{"opinion": "经合法性审核，符合法律、法规和规章的规定。"}})
		}
		steps = append(steps, step{"leader", "sign", workflow.Input{"opinion": "同意"}}, step{"officer", "publish", nil})
		if _, err := walk(d, steps...); err != nil {
			return err
		}
	}
	withheld, err := docs.Create(ctx, actor("drafter"), documents.Draft{Definition: "document", Unit: "chengjian",
		Title: str("关于城建重点项目招标情况的请示"), Body: str("局领导：现将城建重点项目招标有关情况请示如下……"),
		Attribute: str(policy.AttrWithheld), Grounds: &[]string{"art16_process"},
		GroundsExplanation: str("本件为向局领导报送的请示，属于过程性信息，依《条例》第十六条第二款可不予公开。")})
	if err != nil {
		return err
	}
	if _, err := walk(withheld, step{"drafter", "submit", nil}, step{"unithead", "approve", nil}); err != nil {
		return err
	}
	draft, err := docs.Create(ctx, actor("drafter"), documents.Draft{Definition: "document", Unit: "chengjian",
		Title: str("关于开展建筑工地扬尘专项整治的通知"), Body: str("各有关单位：……"), Attribute: str(policy.AttrProactive),
		CatalogueItem: item("TY-05")})
	if err != nil {
		return err
	}
	if _, err := walk(draft, step{"drafter", "submit", nil}, step{"unithead", "approve", nil}); err != nil {
		return err
	}
	// Signed and waiting for publication within its item's time limit: the compliance view shows it.
	signed, err := docs.Create(ctx, actor("drafter"), documents.Draft{Definition: "document", Unit: "chengjian",
		Title: str("2026年第四季度住房租赁补贴发放对象名单"), Body: str("经审核，下列家庭符合住房租赁补贴发放条件……"),
		Attribute: str(policy.AttrProactive), CatalogueItem: item("BZ-05")})
	if err != nil {
		return err
	}
	if _, err := walk(signed, step{"drafter", "submit", nil}, step{"unithead", "approve", nil}, step{"leader", "sign", workflow.Input{"opinion": "同意"}}); err != nil {
		return err
	}
	return demoRequests(ctx, a, enf, actor("officer"))
}

// demoRequests files three disclosure requests, so the request desk and the annual report have
// content: two on the public form and a letter registered by the disclosure officer.
func demoRequests(ctx context.Context, a *app, enf *policy.Enforcer, officer workflow.Actor) error {
	reqs := &requests.Requests{Engine: a.engine, Store: a.stores.Requests, Auth: enf, Clock: workflow.SystemClock, Unit: a.cfg.Requests.Unit}
	public := []requests.Application{
		{ApplicantType: "natural", Name: "孙丽", IDType: requests.IDResidentCard, IDNumber: "11010519491231002X",
			Phone: "13800000001", Description: "2025年度许昌市中心城区住房租赁补贴发放名单及发放金额", Form: "电子邮件",
			Delivery: "电子邮件", Email: "sunli@example.com"},
		{ApplicantType: "commercial", Name: "许昌某某置业有限公司", ContactPerson: "高强", IDType: requests.IDCreditCode,
			IDNumber: "91411000MA1234567X", Phone: "0374-1234567", Address: "许昌市魏都区示例路1号",
			Description: "许昌市物业服务收费管理实施细则的制定说明及征求意见情况", Delivery: "邮寄"},
	}
	for _, in := range public {
		if _, err := reqs.Submit(ctx, in, ""); err != nil {
			return fmt.Errorf("demo request: %w", err)
		}
	}
	letter := requests.Application{ApplicantType: "natural", Name: "钱伟", IDType: "护照", IDNumber: "E12345678",
		Address: "许昌市建安区示例街8号", Description: "某小区老旧小区改造项目的招标文件及中标结果", Delivery: "邮寄",
		Channel: "registered_post", ReceiptDate: workflow.DateOf(time.Now()).String(), Note: "挂号信，今日签收"}
	if _, err := reqs.Register(ctx, officer, letter); err != nil {
		return fmt.Errorf("demo request: %w", err)
	}
	return nil
}
