package main

import (
	"context"
	"fmt"
	"time"

	"wugongkai/internal/postgres"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/agencies"
	"wugongkai/workflow/documents"
)

// demoAgency is the demo platform's second agency, on a host of its own (browsers and most
// systems resolve *.localhost to this machine).
var demoAgency = agencies.NewAgency{Code: "114110000057945108", Name: "许昌市发展和改革委员会", CreditCode: "114110000057945108",
	Host: "fgw.localhost", RequestUnit: "bangongshi", RequestUnitName: "办公室",
	AdminUsername: "fgw-admin", AdminName: "发改委系统管理员", AdminPassword: DemoPassword}

var demoAgencyUnits = []struct{ code, name string }{
	{"bangongshi", "办公室"}, {"fagui", "法规科"}, {"tizhi", "体制改革科"}, {"lingdao", "委领导"},
}

var demoAgencyUsers = []demoUser{
	{"fgw-drafter", "孙磊（体制改革科）", "drafter", "tizhi"},
	{"fgw-unithead", "郑华（体制改革科科长）", "unit_head", "tizhi"},
	{"fgw-legal", "冯雪（法规科）", "legal_reviewer", "*"},
	{"fgw-officer", "何静（办公室）", "disclosure_officer", "*"},
	{"fgw-leader", "马主任", "leader", "*"},
	{"fgw-admin", "发改委系统管理员", "admin", "*"},
}

// demoSecondAgency adds the second agency with its units, staff, catalogue, a published document
// and an open consultation, unless it is there already.
func demoSecondAgency(ctx context.Context, a *app) error {
	if _, err := postgres.AgencyByCode(ctx, a.db, demoAgency.Code); err == nil {
		return nil
	} else if workflow.ErrorCode(err) != workflow.ENotFound {
		return err
	}
	ag, err := agencies.Add(ctx, a.stores.Agencies, workflow.Actor{System: true, Name: "演示数据"}, demoAgency, time.Now(), nil)
	if err != nil {
		return err
	}
	stores := postgres.NewStores(a.db, ag.ID, nil)
	defer stores.Close()
	if err := stores.Orgs.SaveDefinitions(ctx, a.reg.All()); err != nil {
		return err
	}
	if err := seedCatalogue(ctx, a.cfg, stores.Catalogue, a.log); err != nil {
		return err
	}
	if _, err := demoStaff(ctx, stores, demoAgencyUnits, demoAgencyUsers); err != nil {
		return err
	}
	enf, err := policy.New(ctx, stores.Accounts)
	if err != nil {
		return err
	}
	actor := demoActor(ctx, stores)
	str := func(s string) *string { return &s }
	fire := func(docs *documents.Documents, d documents.Document, steps ...[2]string) (documents.Document, error) {
		for _, s := range steps {
			var in workflow.Input
			if s[1] == "sign" {
				in = workflow.Input{"opinion": "同意"}
			}
			if d, err = docs.Fire(ctx, actor(s[0]), d.ID, 0, s[1], in); err != nil {
				return d, fmt.Errorf("%s by %s: %w", s[1], s[0], err)
			}
		}
		return d, nil
	}
	docs := a.documentsOf(stores, enf)
	kind := documents.KindOther
	d, err := docs.Create(ctx, actor("fgw-drafter"), documents.Draft{Definition: "document", Unit: "tizhi",
		Title: str("关于做好2026年优化营商环境重点工作的通知"), Body: str("各县（市、区）发展改革委：为持续优化营商环境，现将2026年重点工作通知如下。"),
		DocKind: &kind, SubjectCategory: str("综合政务\\政务公开"), DocNumber: str("许发改〔2026〕7号"), Attribute: str(policy.AttrProactive),
		Summary: str("部署2026年优化营商环境重点工作。")})
	if err != nil {
		return err
	}
	if _, err := fire(docs, d, [2]string{"fgw-drafter", "submit"}, [2]string{"fgw-unithead", "approve"},
		[2]string{"fgw-leader", "sign"}, [2]string{"fgw-officer", "publish"}); err != nil {
		return err
	}
	// The decision draft is scheduled on a clock two minutes behind, so that its comment period has
	// begun when the system opens it here; it stays open 30 days.
	now := time.Now().Truncate(time.Second)
	behind := *docs
	behind.Clock = workflow.ClockFunc(func() time.Time { return time.Now().Add(-2 * time.Minute) })
	opens, closes := now.Add(-time.Minute), now.Add(-time.Minute).Add(30*24*time.Hour)
	dec, err := behind.Create(ctx, actor("fgw-drafter"), documents.Draft{Definition: "decision", Unit: "tizhi",
		Title: str("许昌市社会信用体系建设管理办法（征求意见稿）"), Body: str("第一条 为推进社会信用体系建设，规范信用信息管理，制定本办法。"),
		Explanation: str("起草说明：依据《优化营商环境条例》等规定起草。"), Attribute: str(policy.AttrProactive),
		SubjectCategory: str("综合政务\\政务公开"), Summary: str("社会信用体系建设的规定。"), OpensAt: &opens, ClosesAt: &closes})
	if err != nil {
		return err
	}
	if dec, err = fire(&behind, dec, [2]string{"fgw-drafter", "submit"}, [2]string{"fgw-unithead", "approve"}); err != nil {
		return err
	}
	// The system opens it, as the sweep does at opens_at.
	res, err := a.engine.Fire(dec.Instance, "open", workflow.Actor{System: true}, nil, time.Now())
	if err == nil {
		_, err = stores.Documents.Apply(ctx, dec.Instance, res)
	}
	if err != nil {
		return fmt.Errorf("open the consultation: %w", err)
	}
	return nil
}
