package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"wugongkai/configs"
	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
	"wugongkai/internal/testkit"
	"wugongkai/policy"
	"wugongkai/workflow"
	"wugongkai/workflow/accounts"
	"wugongkai/workflow/agencies"
	"wugongkai/workflow/catalogue"
	"wugongkai/workflow/consultations"
	"wugongkai/workflow/documents"
	"wugongkai/workflow/files"
	"wugongkai/workflow/portal"
	"wugongkai/workflow/requests"
)

// agencyRows is one agency's stores and the rows of every kind it holds.
type agencyRows struct {
	s                                 *postgres.Stores
	enf                               *policy.Enforcer
	users                             map[string]workflow.Actor
	published, draft, decision, filed documents.Document
	request                           requests.Request
	caseID                            int64
	comment                           consultations.Comment
	file                              files.File
	session                           string
}

// seedAgency gives org one row of every kind through the use cases: units and staff, a published
// document, a draft with a file, a filed 依申请公开 document, an open consultation with a comment,
// a request linked to the filed document, a case, a session, a login failure, portal texts, report
// inputs, the catalogue and the stored definitions; the transitions leave deadlines and outbox rows.
func seedAgency(t *testing.T, db *postgres.DB, engine *workflow.Engine, code, name string) agencyRows {
	t.Helper()
	ctx := context.Background()
	org, err := postgres.EnsureOrg(ctx, db, code, name)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s := postgres.NewStores(db, org, nil)
	t.Cleanup(s.Close)
	for _, u := range [][2]string{{"chengjian", "城建科"}, {"bangongshi", "办公室"}, {"fagui", "法规科"}} {
		if err := s.Orgs.EnsureUnit(ctx, u[0], u[1]); err != nil {
			t.Fatal(err)
		}
	}
	a := agencyRows{s: s, users: map[string]workflow.Actor{}}
	for _, u := range []struct{ name, role, unit string }{{"drafter", "drafter", "chengjian"}, {"head", "unit_head", "chengjian"},
		{"legal", "legal_reviewer", "*"}, {"officer", "disclosure_officer", "*"}, {"leader", "leader", "*"}} {
		created, err := s.Accounts.CreateUser(ctx, postgres.User{Username: u.name, DisplayName: name + u.name, PasswordHash: "x"},
			[]postgres.RoleAssignment{{Role: u.role, Unit: u.unit}})
		if err != nil {
			t.Fatal(err)
		}
		a.users[u.name] = workflow.Actor{UserID: created.ID, Username: created.Username, Name: created.DisplayName}
	}
	if a.enf, err = policy.New(ctx, s.Accounts); err != nil {
		t.Fatal(err)
	}
	if err := s.Orgs.SaveDefinitions(ctx, engine.Registry().All()); err != nil {
		t.Fatal(err)
	}
	docs := &documents.Documents{Engine: engine, Store: s.Documents, Auth: a.enf, IndexTemplate: testkit.IndexTemplate,
		UnitCodes: s.Orgs.UnitCodes, Disclosure: func(f workflow.Facts) error { return policy.ValidateDisclosure(policy.DisclosureFromFacts(f)) }}
	str := func(s string) *string { return &s }
	walk := func(docs *documents.Documents, d documents.Document, steps ...string) documents.Document {
		t.Helper()
		for i := 0; i < len(steps); i += 2 {
			var in workflow.Input
			switch steps[i+1] {
			case "sign":
				in = workflow.Input{"opinion": "同意"}
			case "approve":
				if steps[i] == "legal" {
					in = workflow.Input{"opinion": "理由成立"}
				}
			}
			var err error
			if d, err = docs.Fire(ctx, a.users[steps[i]], d.ID, 0, steps[i+1], in); err != nil {
				t.Fatalf("%s by %s: %v", steps[i+1], steps[i], err)
			}
		}
		return d
	}
	kind := documents.KindOther
	create := func(docs *documents.Documents, dr documents.Draft) documents.Document {
		t.Helper()
		d, err := docs.Create(ctx, a.users["drafter"], dr)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a.published = walk(docs, create(docs, documents.Draft{Definition: "document", Unit: "chengjian", Title: str(name + "关于公开的通知"),
		Body: str("公开正文"), DocKind: &kind, SubjectCategory: str("综合政务\\政务公开"), DocNumber: str(name + "〔2026〕1号"),
		Attribute: str(policy.AttrProactive), Summary: str("摘要")}), "drafter", "submit", "head", "approve", "leader", "sign", "officer", "publish")
	a.filed = walk(docs, create(docs, documents.Draft{Definition: "document", Unit: "chengjian", Title: str(name + "关于依申请公开事项的函"),
		Body: str("依申请公开正文"), Attribute: str(policy.AttrOnRequest), DocNumber: str(name + "〔2026〕2号"),
		Summary: str("依申请公开摘要"), GroundsExplanation: str("仅涉及特定企业的资质核查，与公众无直接关系。")}), "drafter", "submit", "head", "approve", "legal", "approve", "leader", "sign")
	a.draft = create(docs, documents.Draft{Definition: "document", Unit: "chengjian", Title: str(name + "内部草稿"), Body: str("草稿"),
		Attribute: str(policy.AttrProactive)})
	fs := &files.Files{Engine: engine, Store: s.Files, Auth: a.enf, Docs: docs, MaxBytes: 1 << 20}
	if a.file, err = fs.Upload(ctx, a.users["drafter"], a.draft.ID, 0, files.Upload{Kind: "attachment", Name: "附件.pdf", Size: -1},
		bytes.NewReader([]byte("%PDF-1.7\n"+name))); err != nil {
		t.Fatal(err)
	}
	behind := *docs
	behind.Clock = workflow.ClockFunc(func() time.Time { return now.Add(-2 * time.Minute) })
	opens := now.Add(-time.Minute)
	closes := opens.Add(31 * 24 * time.Hour)
	a.decision = walk(&behind, create(&behind, documents.Draft{Definition: "decision", Unit: "chengjian", Title: str(name + "管理办法（征求意见稿）"),
		Body: str("第一条"), Explanation: str("起草说明"), Attribute: str(policy.AttrProactive), SubjectCategory: str("综合政务\\政务公开"),
		Summary: str("摘要"), OpensAt: &opens, ClosesAt: &closes}), "drafter", "submit", "head", "approve")
	res, err := engine.Fire(a.decision.Instance, "open", workflow.Actor{System: true}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if a.decision.Instance, err = s.Documents.Apply(ctx, a.decision.Instance, res); err != nil {
		t.Fatal(err)
	}
	if a.comment, err = s.Comments.AddComment(ctx, consultations.Comment{DocumentID: a.decision.ID, Contact: "13900000000",
		Text: name + "的意见", Client: "192.0.2.1", CreatedAt: now, Status: consultations.CommentPublished}); err != nil {
		t.Fatal(err)
	}
	reqs := &requests.Requests{Engine: engine, Store: s.Requests, Auth: a.enf, Unit: "bangongshi"}
	if a.request, err = reqs.Submit(ctx, requests.Application{ApplicantType: "natural", Name: "孙丽", IDType: requests.IDResidentCard,
		IDNumber: "11010519491231002X", Phone: "13800000001", Description: name + "的信息", Form: "纸质", Delivery: "自行领取"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := (&requests.OnRequest{Requests: reqs, Store: s.OnRequest}).Link(ctx, a.users["officer"], a.request.ID, []int64{a.filed.ID}); err != nil {
		t.Fatal(err)
	}
	c, err := (&requests.Cases{Store: s.Requests, Auth: a.enf, Unit: "bangongshi"}).Record(ctx, a.users["officer"],
		requests.CaseInput{Kind: "reconsideration", FiledOn: workflow.DateOf(now).String(), RequestID: a.request.ID})
	if err != nil {
		t.Fatal(err)
	}
	a.caseID = c.ID
	a.session = "session-of-" + code
	if err := s.Accounts.CreateSession(ctx, a.session, a.users["officer"].UserID, now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accounts.CountLoginAttempt(ctx, accounts.LoginLimit{Key: "user:officer", Free: 5, Delay: time.Hour, MaxDelay: time.Hour,
		Window: time.Hour}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Portal.SavePortalText(ctx, portal.Text{Key: portal.Guide, Body: name + "的指南", UpdatedBy: "officer", UpdatedAt: now}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReportData.SaveReportInputs(ctx, requests.ReportInputs{Year: now.Year(), Sections: map[string]string{"一": name + "概述"}}, 0, a.users["officer"], now); err != nil {
		t.Fatal(err)
	}
	items, err := catalogue.LoadDir(configs.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&catalogue.Catalogue{Store: s.Catalogue}).Load(ctx, items[:3]); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestStoresKeepAgenciesApart walks every method of every store of one agency (A) with the ids,
// keys and names of another agency's rows (B, which holds one row of every kind, and the same
// unit codes and usernames as A): no row of B is returned, changed or counted, and each id of B
// answers as an id that does not exist. A method added to a store fails this test until it is
// walked here.
func TestStoresKeepAgenciesApart(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	engine := testkit.Engine(t)
	b := seedAgency(t, db, engine, "TESTORG-B", "乙局")
	a := seedAgency(t, db, engine, "TESTORG-A", "甲局")
	s := a.s
	now := time.Now()
	far := now.Add(400 * 24 * time.Hour)
	year := now.Year()
	bDocs := []int64{b.published.ID, b.draft.ID, b.decision.ID, b.filed.ID}
	notFound := func(what string, err error) {
		t.Helper()
		if code := workflow.ErrorCode(err); code != workflow.ENotFound {
			t.Errorf("%s with B's id: %v, want not found", what, err)
		}
	}
	refused := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s with B's id succeeded", what)
		}
	}
	noneOf := func(what string, got []int64, of []int64) {
		t.Helper()
		for _, id := range got {
			if slices.Contains(of, id) {
				t.Errorf("%s returns B's row %d", what, id)
			}
		}
	}
	docIDs := func(ds []documents.Document) []int64 {
		var out []int64
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	none := func(what string, n int, err error) {
		t.Helper()
		if err != nil || n != 0 {
			t.Errorf("%s: %d rows of B (err %v)", what, n, err)
		}
	}
	pub := []string{"published"}
	fire := func(workflow.Deadline, workflow.Instance) (workflow.Result, error) {
		return workflow.Result{}, errors.New("fired a deadline")
	}
	bUser := b.users["officer"].UserID
	items, err := catalogue.LoadDir(configs.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	bOnly := items[3]
	if _, err := (&catalogue.Catalogue{Store: b.s.Catalogue}).Load(ctx, items[:4]); err != nil {
		t.Fatal(err)
	}

	if err := b.s.Orgs.EnsureUnit(ctx, "only_b", "乙局独有科"); err != nil {
		t.Fatal(err)
	}
	if err := b.s.Accounts.AddUnit(ctx, accounts.Unit{Code: "b_admin_unit", Name: "乙局新设科"}, b.users["officer"], now); err != nil {
		t.Fatal(err)
	}
	bIDs := func() []int64 {
		var ids []int64
		for _, u := range b.users {
			ids = append(ids, u.UserID)
		}
		return ids
	}()
	// B's draft is a 政策解读 of B's published document, so that B has an interpretation to hide.
	if _, err := db.ExecContext(ctx, `UPDATE documents SET interprets = $1 WHERE org_id = $2 AND id = $3`, b.published.ID, b.s.Org(), b.draft.ID); err != nil {
		t.Fatal(err)
	}
	if ds, err := b.s.Documents.Interpretations(ctx, b.published.ID); err != nil || len(ds) != 1 {
		t.Fatalf("B's own interpretations: %d (%v)", len(ds), err)
	}
	// B's rows as they are before the walk: nothing A does may change them.
	bBefore := snapshotOf(t, db, b)

	checks := map[string]func(){
		// Documents and the engine's instances.
		"Documents.CreateDocument": nil, // writes a new row of A only
		"Documents.Document":       func() { _, err := s.Documents.Document(ctx, b.draft.ID); notFound("Document", err) },
		"Documents.UpdateDocument": func() {
			d := b.draft
			d.Title = "改"
			_, err := s.Documents.UpdateDocument(ctx, d, d.Version, a.users["drafter"], now, nil)
			refused("UpdateDocument", err)
		},
		"Documents.ApplyPublication": func() {
			_, err := s.Documents.ApplyPublication(ctx, b.draft.Instance, result(b.draft.Instance, "published", "publish", a.users["officer"], now),
				documents.Publication{PublishedAt: now})
			refused("ApplyPublication", err)
		},
		"Documents.SetValidity": func() {
			_, err := s.Documents.SetValidity(ctx, b.published.ID, b.published.Version, documents.ValidityRepealed, time.Time{}, a.users["officer"], now)
			refused("SetValidity", err)
		},
		"Documents.ExpireValidity": func() {
			n, err := s.Documents.ExpireValidity(ctx, workflow.DateOf(far))
			none("ExpireValidity", n, err)
		},
		"Documents.Versions": func() {
			v, err := s.Documents.Versions(ctx, b.draft.ID)
			if err == nil && len(v) > 0 {
				t.Errorf("Versions of B's draft: %d", len(v))
			}
		},
		"Documents.ListDocuments": func() {
			ds, _, err := s.Documents.ListDocuments(ctx, documents.DocumentQuery{IDs: bDocs})
			none("ListDocuments", len(ds), err)
			all, _, _ := s.Documents.ListDocuments(ctx, documents.DocumentQuery{})
			noneOf("ListDocuments", docIDs(all), bDocs)
		},
		"Documents.PublicDocuments": func() {
			ds, _, err := s.Documents.PublicDocuments(ctx, documents.PublicQuery{States: pub, Limit: 100})
			if err != nil {
				t.Error(err)
			}
			noneOf("PublicDocuments", docIDs(ds), bDocs)
		},
		"Documents.PublicDocument": func() {
			_, err := s.Documents.PublicDocument(ctx, b.published.ID, pub)
			notFound("PublicDocument", err)
		},
		"Documents.Interpretations": func() {
			ds, err := s.Documents.Interpretations(ctx, b.published.ID)
			none("Documents.Interpretations", len(ds), err)
		},
		"Documents.PublicInterpretations": func() {
			ds, err := s.Documents.PublicInterpretations(ctx, b.published.ID, []string{"published", "drafting"})
			none("Documents.PublicInterpretations", len(ds), err)
		},
		"Documents.History": func() {
			h, err := s.Documents.History(ctx, "document", b.published.ID)
			none("Documents.History", len(h), err)
		},
		"Documents.Deadlines": func() {
			ds, err := s.Documents.Deadlines(ctx, "document", b.decision.ID)
			none("Documents.Deadlines", len(ds), err)
		},
		"Documents.Apply": func() {
			_, err := s.Documents.Apply(ctx, b.draft.Instance, result(b.draft.Instance, "unit_review", "submit", a.users["drafter"], now))
			refused("Documents.Apply", err)
		},
		"Instances.Instance": func() { _, err := s.Instances.Instance(ctx, b.draft.ID); notFound("Instance", err) },
		"Instances.Apply": func() {
			_, err := s.Instances.Apply(ctx, b.draft.Instance, result(b.draft.Instance, "unit_review", "submit", a.users["drafter"], now))
			refused("Instances.Apply", err)
		},

		// Requests and cases.
		"Requests.CreateRequest": nil, // writes a new row of A only
		"Requests.Request":       func() { _, err := s.Requests.Request(ctx, b.request.ID); notFound("Request", err) },
		"Requests.RequestByReceipt": func() {
			r, err := s.Requests.RequestByReceipt(ctx, b.request.ReceiptNo)
			if err == nil && r.ID == b.request.ID {
				t.Error("RequestByReceipt returns B's request")
			}
		},
		"Requests.ListRequests": func() {
			rs, _, err := s.Requests.ListRequests(ctx, requests.RequestQuery{Limit: 100})
			if err != nil {
				t.Error(err)
			}
			for _, r := range rs {
				if r.ID == b.request.ID {
					t.Error("ListRequests returns B's request")
				}
			}
		},
		"Requests.ApplyRequest": func() {
			_, err := s.Requests.ApplyRequest(ctx, b.request.Instance, result(b.request.Instance, b.request.State, "note", a.users["officer"], now), nil)
			refused("ApplyRequest", err)
		},
		"Requests.ApplicantMonthCount": func() {
			r := b.request
			r.ID = 1 << 62 // every request of the month up to now
			n, err := s.Requests.ApplicantMonthCount(ctx, r)
			if err != nil || n != 1 { // A's own request of the same applicant only
				t.Errorf("ApplicantMonthCount = %d, %v; want A's 1", n, err)
			}
		},
		"Requests.CreateCase": nil, // writes a new row of A only
		"Requests.UpdateCase": func() {
			c, err := b.s.Requests.Case(ctx, b.caseID)
			if err != nil {
				t.Fatal(err)
			}
			c.Summary = "改"
			_, err = s.Requests.UpdateCase(ctx, c, c.Version, a.users["officer"], now)
			refused("UpdateCase", err)
		},
		"Requests.Case": func() { _, err := s.Requests.Case(ctx, b.caseID); notFound("Case", err) },
		"Requests.ListCases": func() {
			cs, _, err := s.Requests.ListCases(ctx, requests.CaseQuery{Limit: 100})
			if err != nil {
				t.Error(err)
			}
			for _, c := range cs {
				if c.ID == b.caseID {
					t.Error("ListCases returns B's case")
				}
			}
		},
		"Comments.History": func() {
			h, err := s.Comments.History(ctx, "document", b.decision.ID)
			none("Comments.History", len(h), err)
		},
		"Comments.Deadlines": func() {
			d, err := s.Comments.Deadlines(ctx, "document", b.decision.ID)
			none("Comments.Deadlines", len(d), err)
		},
		"Requests.History": func() {
			h, err := s.Requests.History(ctx, "request", b.request.ID)
			none("Requests.History", len(h), err)
		},
		"Requests.Deadlines": func() {
			d, err := s.Requests.Deadlines(ctx, "request", b.request.ID)
			none("Requests.Deadlines", len(d), err)
		},

		// Consultations and comments.
		"Comments.Close": nil, // stops A's intake
		"Comments.AddComment": func() {
			_, err := s.Comments.AddComment(ctx, consultations.Comment{DocumentID: b.decision.ID, Text: "甲局发到乙局的意见", Client: "192.0.2.9", CreatedAt: now})
			refused("AddComment", err)
		},
		"Comments.Consultation": func() { _, err := s.Comments.Consultation(ctx, b.decision.ID, true); notFound("Consultation", err) },
		"Comments.PublicConsultations": func() {
			cs, _, err := s.Comments.PublicConsultations(ctx, consultations.ConsultationQuery{Now: now, States: consultations.PublicConsultationStates(), Limit: 100})
			if err != nil {
				t.Error(err)
			}
			for _, c := range cs {
				if c.ID == b.decision.ID {
					t.Error("PublicConsultations returns B's consultation")
				}
			}
		},
		"Comments.PublishedComments": func() {
			cs, err := s.Comments.PublishedComments(ctx, b.decision.ID, 100)
			none("PublishedComments", len(cs), err)
		},
		"Comments.CommentByReceipt": func() {
			c, err := s.Comments.CommentByReceipt(ctx, b.comment.ReceiptNo)
			if err == nil && c.ID == b.comment.ID {
				t.Error("CommentByReceipt returns B's comment")
			}
		},
		"Comments.ListComments": func() {
			p, err := s.Comments.ListComments(ctx, consultations.CommentQuery{DocumentID: b.decision.ID, Limit: 100})
			none("ListComments", len(p.Items), err)
		},
		"Comments.Moderate": func() {
			_, err := s.Comments.Moderate(ctx, b.decision.ID, b.comment.ID, consultations.CommentHidden, "广告", a.users["officer"], now)
			refused("Moderate", err)
		},
		"Comments.Dispose": func() {
			d, err := s.Comments.Dispose(ctx, b.decision.ID, consultations.Disposal{CommentIDs: []int64{b.comment.ID}, Disposition: consultations.DispositionAdopted},
				b.decision.State, a.users["drafter"], now)
			if err == nil && d.Count > 0 {
				t.Error("Dispose changed B's comment")
			}
		},
		"Comments.SummaryGroups": func() { g, err := s.Comments.SummaryGroups(ctx, b.decision.ID); none("SummaryGroups", len(g), err) },
		"Comments.AttachSummary": func() {
			_, err := s.Comments.AttachSummary(ctx, b.decision.ID, b.decision.Version, b.decision.State, "采纳情况", a.users["drafter"], now)
			refused("AttachSummary", err)
		},
		"Comments.SetCommentsPublic": func() {
			_, err := s.Comments.SetCommentsPublic(ctx, b.decision.ID, b.decision.Version, b.decision.State, false, a.users["drafter"], now)
			refused("SetCommentsPublic", err)
		},

		// Accounts, sessions and the role assignments.
		"Accounts.Credentials": func() {
			c, err := s.Accounts.Credentials(ctx, "officer")
			if err != nil || c.ID == bUser {
				t.Errorf("Credentials of officer: %+v %v", c, err)
			}
		},
		"Accounts.CreateSession": nil, // writes a new row of A only
		"Accounts.SessionStaff": func() {
			_, err := s.Accounts.SessionStaff(ctx, b.session, now, now.Add(time.Hour), time.Time{})
			if code := workflow.ErrorCode(err); code != workflow.EUnauthenticated && code != workflow.ENotFound {
				t.Errorf("SessionStaff with B's session: %v", err)
			}
		},
		"Accounts.DeleteSession": func() { _ = s.Accounts.DeleteSession(ctx, b.session) },
		"Accounts.CountLoginAttempt": func() {
			until, err := s.Accounts.CountLoginAttempt(ctx, accounts.LoginLimit{Key: "user:officer", Free: 3, Delay: time.Hour, MaxDelay: time.Hour, Window: time.Hour}, now)
			if err != nil || !until.IsZero() { // A's second failure here; B's do not count
				t.Errorf("CountLoginAttempt: %v %v", until, err)
			}
		},
		"Accounts.ForgetLoginAttempt": func() { _ = s.Accounts.ForgetLoginAttempt(ctx, "user:officer", true, now) },
		"Accounts.CreateUser":         nil, // writes a new row of A only
		"Accounts.AssignRoles": func() {
			refused("AssignRoles", s.Accounts.AssignRoles(ctx, bUser, []postgres.RoleAssignment{{Role: "admin", Unit: "*"}}))
		},
		"Accounts.SetPassword": func() { _ = s.Accounts.SetPassword(ctx, "officer", "changed-by-A") },
		"Accounts.UserByUsername": func() {
			u, err := s.Accounts.UserByUsername(ctx, "officer")
			if err != nil || u.ID == bUser {
				t.Errorf("UserByUsername: %+v %v", u, err)
			}
		},
		"Accounts.Account":    func() { _, err := s.Accounts.Account(ctx, bUser); notFound("Account", err) },
		"Accounts.AddAccount": nil, // writes a new row of A only
		"Accounts.AddUnit":    nil, // writes a new row of A only
		"Accounts.AdminLog": func() {
			log, err := s.Accounts.AdminLog(ctx, 100)
			if err != nil || strings.Contains(fmt.Sprintf("%+v", log), "乙局新设科") {
				t.Errorf("AdminLog shows B's change (%v)", err)
			}
		},
		"Accounts.EndSessions": func() {
			if n, err := s.Accounts.EndSessions(ctx, bUser, a.users["officer"], now); err == nil && n > 0 {
				t.Errorf("EndSessions ended %d of B's sessions", n)
			}
		},
		"Accounts.GrantRole": func() {
			refused("GrantRole", s.Accounts.GrantRole(ctx, bUser, workflow.RoleAssignment{Role: "admin", Unit: "*"}, a.users["officer"], now))
		},
		"Accounts.RevokeRole": func() {
			_ = s.Accounts.RevokeRole(ctx, bUser, workflow.RoleAssignment{Role: "disclosure_officer", Unit: "*"}, a.users["officer"], now)
		},
		"Accounts.ListAccounts": func() {
			accs, err := s.Accounts.ListAccounts(ctx)
			if err != nil || len(accs) != len(a.users) {
				t.Errorf("ListAccounts: %d, want A's %d (%v)", len(accs), len(a.users), err)
			}
			for _, x := range accs {
				if slices.Contains(bIDs, x.ID) {
					t.Errorf("ListAccounts returns B's %d", x.ID)
				}
			}
		},
		"Accounts.ListUnits": func() {
			us, err := s.Accounts.ListUnits(ctx)
			if err != nil || strings.Contains(fmt.Sprintf("%+v", us), "only_b") || strings.Contains(fmt.Sprintf("%+v", us), "b_admin_unit") {
				t.Errorf("ListUnits shows B's units: %+v %v", us, err)
			}
		},
		"Accounts.RenameUnit": func() {
			_, err := s.Accounts.RenameUnit(ctx, accounts.Unit{Code: "only_b", Name: "甲局改名"}, a.users["officer"], now)
			refused("RenameUnit", err)
		},
		"Accounts.ResetPassword": func() {
			if n, err := s.Accounts.ResetPassword(ctx, bUser, "changed-by-A", a.users["officer"], now); err == nil {
				t.Errorf("ResetPassword of B's user: %d", n)
			}
		},
		"Accounts.SetDisabled": func() {
			if n, err := s.Accounts.SetDisabled(ctx, bUser, true, a.users["officer"], now); err == nil {
				t.Errorf("SetDisabled of B's user: %d", n)
			}
		},
		"Audit.VerifyOrgAudit": func() {
			// (A's own request linked to a document is reported: the link appends to the request's
			// chain without bumping its version — a finding of main's, not of the separation.)
			_, problems, err := s.Audit.VerifyOrgAudit(ctx)
			if err != nil {
				t.Error(err)
			}
			for _, p := range problems {
				if (p.Kind == "request" && p.Subject == b.request.ID) || (p.Kind == "document" && slices.Contains(bDocs, p.Subject)) {
					t.Errorf("VerifyOrgAudit reports B's %+v", p)
				}
			}
		},
		"Catalogue.SaveCatalogueAs": nil, // writes A's own catalogue
		"Calendars.SaveCalendar":    nil, // writes A's own upload (the platform's calendar is the first agency's)
		"Calendars.StoredCalendars": func() {
			cs, err := s.Calendars.StoredCalendars(ctx)
			none("StoredCalendars", len(cs), err)
		},
		"Accounts.UserByID":  func() { _, err := s.Accounts.UserByID(ctx, bUser); notFound("UserByID", err) },
		"Accounts.UserRoles": func() { r, err := s.Accounts.UserRoles(ctx, bUser); none("UserRoles", len(r), err) },
		"Accounts.Assignments": func() {
			as, err := s.Accounts.Assignments(ctx)
			if err != nil {
				t.Error(err)
			}
			if len(as) != len(a.users) { // B's staff have the same names: any of theirs is one too many
				t.Errorf("Assignments: %d, want A's %d", len(as), len(a.users))
			}
		},

		// Deadlines, the outbox and the audit.
		"Deadlines.Deadlines": func() {
			d, err := s.Deadlines.Deadlines(ctx, "document", b.decision.ID)
			none("Deadlines", len(d), err)
		},
		"Deadlines.DueDeadlines": func() {
			ds, err := s.Deadlines.DueDeadlines(ctx, far, 1000)
			if err != nil {
				t.Error(err)
			}
			bIDs := pendingIDs(t, db, "deadlines", b.s.Org())
			for _, d := range ds {
				if slices.Contains(bIDs, d.ID) {
					t.Errorf("DueDeadlines returns B's %+v", d)
				}
			}
		},
		"Deadlines.DeadlineStats": func() {
			n, _, err := s.Deadlines.DeadlineStats(ctx, now)
			nb, _, _ := b.s.Deadlines.DeadlineStats(ctx, now)
			na := countPending(t, db, "deadlines", s.Org())
			if err != nil || n != na || nb == 0 {
				t.Errorf("DeadlineStats = %d, want A's %d (B has %d)", n, na, nb)
			}
		},
		"Deadlines.FireDeadline": func() {
			for _, id := range pendingIDs(t, db, "deadlines", b.s.Org()) {
				done, err := s.Deadlines.FireDeadline(ctx, id, far, func(workflow.Instance) (workflow.Result, error) {
					return workflow.Result{}, errors.New("fired B's deadline")
				})
				if done || (err != nil && strings.Contains(err.Error(), "fired")) {
					t.Errorf("FireDeadline %d of B: %v %v", id, done, err)
				}
			}
		},
		"Deadlines.FireDeadlines": func() {
			n, err := s.Deadlines.FireDeadlines(ctx, pendingIDs(t, db, "deadlines", b.s.Org()), far, fire)
			none("FireDeadlines", n, err)
		},
		"Deadlines.FireDueDeadlines":      nil, // walked last, below: it fires A's own due deadlines
		"Deadlines.FireDueDeadlinesAfter": nil, // walked last, below, from the start and after a cursor
		"Deadlines.Recount": func() {
			cal, _ := workflow.LoadCalendar(configs.Holidays())
			if _, err := s.Deadlines.Recount(ctx, cal); err != nil {
				t.Error(err)
			}
		},
		"Outbox.PendingOutbox": func() {
			items, err := s.Outbox.PendingOutbox(ctx, far, 0, 1000)
			if err != nil {
				t.Error(err)
			}
			bIDs := pendingIDs(t, db, "outbox", b.s.Org())
			for _, it := range items {
				if slices.Contains(bIDs, it.ID) {
					t.Errorf("PendingOutbox returns B's %d", it.ID)
				}
			}
		},
		"Outbox.MarkEnqueued": func() { _ = s.Outbox.MarkEnqueued(ctx, pendingIDs(t, db, "outbox", b.s.Org()), now) },
		"Outbox.OutboxStats": func() {
			n, _, err := s.Outbox.OutboxStats(ctx, now)
			if na := countPending(t, db, "outbox", s.Org()); err != nil || n != na {
				t.Errorf("OutboxStats = %d, want A's %d", n, na)
			}
		},
		"Outbox.ProcessOutbox": func() {
			for _, id := range pendingIDs(t, db, "outbox", b.s.Org()) {
				if done, _ := s.Outbox.ProcessOutbox(ctx, id, now); done {
					t.Errorf("ProcessOutbox processed B's %d", id)
				}
			}
		},
		"Outbox.ProcessOutboxBatch": func() {
			if ids := pendingIDs(t, db, "outbox", b.s.Org()); len(ids) > 0 {
				if n, _ := s.Outbox.ProcessOutboxBatch(ctx, ids, now); n != 0 {
					t.Errorf("ProcessOutboxBatch processed %d of B's rows %v", n, ids)
				}
			}
		},
		"Outbox.Notifications": func() {
			ns, err := s.Outbox.Notifications(ctx, b.users["drafter"].UserID, 100)
			none("Notifications", len(ns), err)
		},
		"Audit.History": func() { h, err := s.Audit.History(ctx, "document", b.draft.ID); none("Audit.History", len(h), err) },
		"Audit.ActedOn": func() {
			acted, err := s.Audit.ActedOn(ctx, b.users["drafter"].UserID, "document", 100)
			none("ActedOn", len(acted), err)
		},

		// The report, the portal's texts, the units and definitions, the desk, the catalogue.
		"ReportData.RequestCounts": func() {
			rc, err := s.ReportData.RequestCounts(ctx, year)
			ra, _ := b.s.ReportData.RequestCounts(ctx, year)
			if err != nil || !reflect.DeepEqual(rc, ra) { // A and B received one request each
				t.Errorf("RequestCounts of A %+v differ from B's one request %+v (%v)", rc, ra, err)
			}
		},
		"ReportData.CaseRecords": func() {
			cs, err := s.ReportData.CaseRecords(ctx, year)
			if err != nil || len(cs) != 1 {
				t.Errorf("CaseRecords: %d, want A's 1 (%v)", len(cs), err)
			}
		},
		"ReportData.NormativeCounts": func() {
			if _, err := s.ReportData.NormativeCounts(ctx, year); err != nil {
				t.Error(err)
			}
		},
		"ReportData.ReportInputs": func() {
			in, err := s.ReportData.ReportInputs(ctx, year)
			if err != nil || in.Version != 1 {
				t.Errorf("ReportInputs: %+v %v", in, err)
			}
		},
		"ReportData.SaveReportInputs": nil, // writes A's own inputs
		"ReportData.AnnualReport": func() {
			r, _, err := s.ReportData.AnnualReport(ctx, year, "甲局")
			if err != nil || strings.Contains(fmt.Sprintf("%+v", r), "乙局") {
				t.Errorf("AnnualReport of A shows B's inputs (%v)", err)
			}
		},
		"ReportData.PreviousReport": func() {
			if _, err := s.ReportData.PreviousReport(ctx, year, "甲局"); err != nil && workflow.ErrorCode(err) != workflow.ENotFound {
				t.Error(err)
			}
		},
		"ReportData.FinalizeReport": nil, // writes A's own snapshot
		"Portal.PortalText": func() {
			tx, err := s.Portal.PortalText(ctx, portal.Guide)
			if err != nil || strings.Contains(tx.Body, "乙局") {
				t.Errorf("PortalText: %+v %v", tx, err)
			}
		},
		"Portal.SavePortalText": nil, // writes A's own text
		"Orgs.OrgCode": func() {
			if c, err := s.Orgs.OrgCode(ctx); err != nil || c != "TESTORG-A" {
				t.Errorf("OrgCode = %q %v", c, err)
			}
		},
		"Orgs.EnsureUnit":          nil, // writes A's own unit
		"Orgs.CreateUnitIfMissing": nil, // writes A's own unit
		"Orgs.Units": func() {
			us, err := s.Orgs.Units(ctx)
			if err != nil || len(us) != 3 {
				t.Errorf("Units: %v %v", us, err)
			}
		},
		"Orgs.UnitCodes": func() {
			cs, err := s.Orgs.UnitCodes(ctx)
			if err != nil || slices.Contains(cs, "only_b") {
				t.Errorf("UnitCodes: %v %v", cs, err)
			}
		},
		"Orgs.SaveDefinitions":   nil, // writes A's own definitions
		"Orgs.StoredDefinitions": func() { stored(t, s) },
		"Desk.PendingDeadlines": func() {
			m, err := s.Desk.PendingDeadlines(ctx, "document", bDocs)
			none("PendingDeadlines", len(m), err)
		},
		"Desk.ModerationQueue": func() {
			q, err := s.Desk.ModerationQueue(ctx, nil, true)
			if err != nil {
				t.Error(err)
			}
			for _, m := range q {
				if m.DocumentID == b.decision.ID {
					t.Error("ModerationQueue returns B's consultation")
				}
			}
		},
		"Catalogue.CatalogueItems": func() {
			items, err := s.Catalogue.CatalogueItems(ctx)
			if err != nil || len(items) != 3 {
				t.Errorf("CatalogueItems: %d %v", len(items), err)
			}
		},
		"Catalogue.CatalogueItem": func() {
			if _, err := s.Catalogue.CatalogueItem(ctx, bOnly.Code, 1); workflow.ErrorCode(err) != workflow.ENotFound {
				t.Errorf("CatalogueItem of B's own item: %v", err)
			}
		},
		"Catalogue.SaveCatalogue": nil, // writes A's own catalogue
		"Catalogue.DocumentTag": func() {
			if _, err := s.Catalogue.DocumentTag(ctx, bOnly.Code); workflow.ErrorCode(err) == "" {
				t.Error("DocumentTag finds B's own item")
			}
		},
		"Catalogue.Compliance": func() {
			rows, err := s.Catalogue.Compliance(ctx, pub, []string{"awaiting_publication"}, time.Date(year, 1, 1, 0, 0, 0, 0, workflow.Shanghai), now)
			if err != nil || len(rows) != 3 { // A's three items, not B's fourth
				t.Errorf("Compliance: %d rows (%v)", len(rows), err)
			}
		},

		// Files and the documents available on request.
		"Files.Save": func() {
			_, err := s.Files.Save(ctx, files.File{DocumentID: b.draft.ID, Kind: "attachment", Name: "x.pdf", ContentType: "application/pdf"},
				b.draft.Version, files.NewContent(strings.NewReader("%PDF-1.7\n"), 1<<20), a.users["drafter"], now)
			refused("Files.Save", err)
		},
		"Files.Files": func() { fs, err := s.Files.Files(ctx, b.draft.ID); none("Files", len(fs), err) },
		"Files.File":  func() { _, err := s.Files.File(ctx, b.draft.ID, b.file.ID); notFound("File", err) },
		"Files.PublicFiles": func() {
			fs, err := s.Files.PublicFiles(ctx, b.draft.ID, []string{"drafting"})
			if len(fs) > 0 || (err != nil && workflow.ErrorCode(err) != workflow.ENotFound) {
				t.Errorf("PublicFiles of B's document: %d %v", len(fs), err)
			}
		},
		"Files.PublicFile": func() {
			_, err := s.Files.PublicFile(ctx, b.draft.ID, b.file.ID, []string{"drafting"})
			notFound("PublicFile", err)
		},
		"Files.Open": func() {
			r, err := s.Files.Open(ctx, b.file)
			if err == nil {
				var buf bytes.Buffer
				_, err = buf.ReadFrom(r)
				r.Close()
				if buf.Len() > 0 {
					t.Errorf("Open reads B's file: %q", buf.String())
				}
			}
		},
		"OnRequest.SearchOnRequest": func() {
			ds, err := s.OnRequest.SearchOnRequest(ctx, []string{"available_on_request"}, []string{"乙局"}, 100)
			none("SearchOnRequest", len(ds), err)
		},
		"OnRequest.LinkDocuments": func() {
			err := s.OnRequest.LinkDocuments(ctx, b.request.ID, []int64{b.filed.ID}, nil, []string{"available_on_request"}, a.users["officer"], now)
			refused("LinkDocuments", err)
			err = s.OnRequest.LinkDocuments(ctx, a.request.ID, []int64{b.filed.ID}, nil, []string{"available_on_request"}, a.users["officer"], now)
			refused("LinkDocuments of A's request to B's document", err)
		},
		"OnRequest.LinkedDocuments": func() {
			ds, err := s.OnRequest.LinkedDocuments(ctx, b.request.ID)
			none("LinkedDocuments", len(ds), err)
		},
		"OnRequest.CitingRequests": func() { rs, err := s.OnRequest.CitingRequests(ctx, b.filed.ID); none("CitingRequests", len(rs), err) },

		// The platform's agencies are the one table every agency reads whole.
		"Agencies.Agencies":  nil, // lists every agency by design (the platform's admins)
		"Agencies.AddAgency": nil, // adds a new agency, audited in A's chain
	}

	// Every exported method of every store is walked or named above with why not.
	st := reflect.ValueOf(s).Elem()
	for i := 0; i < st.NumField(); i++ {
		f := st.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		mt := st.Field(i).Type()
		for j := 0; j < mt.NumMethod(); j++ {
			name := f.Name + "." + mt.Method(j).Name
			if _, ok := checks[name]; !ok {
				t.Errorf("store method %s is not walked with two agencies", name)
			}
		}
	}
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if c := checks[n]; c != nil {
			t.Run(n, func(t *testing.T) { c() })
		}
	}
	bDeadlines := pendingIDs(t, db, "deadlines", b.s.Org())
	if n, err := s.Deadlines.FireDueDeadlines(ctx, far, 1000, func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error) {
		if slices.Contains(bDeadlines, d.ID) {
			t.Errorf("FireDueDeadlines gives A B's deadline %+v", d)
		}
		return workflow.Result{}, errors.New("not fired here")
	}); err == nil && n < 0 {
		t.Error(n)
	}
	for _, after := range []workflow.DueCursor{{}, {DueAt: now.Add(-24 * time.Hour)}} {
		_, _, _ = s.Deadlines.FireDueDeadlinesAfter(ctx, far, after, 1000, func(d workflow.Deadline, inst workflow.Instance) (workflow.Result, error) {
			if slices.Contains(bDeadlines, d.ID) {
				t.Errorf("FireDueDeadlinesAfter gives A B's deadline %+v", d)
			}
			return workflow.Result{}, errors.New("not fired here")
		})
	}
	if after := snapshotOf(t, db, b); !reflect.DeepEqual(after, bBefore) {
		t.Errorf("B's rows changed while A's stores were walked:\nbefore %+v\nafter  %+v", bBefore, after)
	}
}

// snapshotOf reads what org b holds, to compare before and after another org's walk.
func snapshotOf(t *testing.T, db *postgres.DB, b agencyRows) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for name, q := range map[string]string{
		"documents":   `SELECT id || ':' || version || ':' || state || ':' || title FROM documents WHERE org_id = $1 ORDER BY id`,
		"requests":    `SELECT id || ':' || version || ':' || state FROM requests WHERE org_id = $1 ORDER BY id`,
		"cases":       `SELECT id || ':' || version FROM cases WHERE org_id = $1 ORDER BY id`,
		"comments":    `SELECT id || ':' || status || ':' || COALESCE(disposition, '') FROM comments WHERE org_id = $1 ORDER BY id`,
		"sessions":    `SELECT token_hash FROM sessions WHERE org_id = $1 ORDER BY 1`,
		"users":       `SELECT id || ':' || username || ':' || password_hash || ':' || disabled FROM users WHERE org_id = $1 ORDER BY id`,
		"unit names":  `SELECT code || ':' || name FROM units WHERE org_id = $1 ORDER BY 1`,
		"roles":       `SELECT user_id || ':' || role || ':' || unit_code FROM role_assignments WHERE org_id = $1 ORDER BY 1`,
		"deadlines":   `SELECT id || ':' || status FROM deadlines WHERE org_id = $1 ORDER BY id`,
		"outbox":      `SELECT id || ':' || (processed_at IS NULL) || ':' || (enqueued_at IS NULL) FROM outbox WHERE org_id = $1 ORDER BY id`,
		"files":       `SELECT id::text FROM document_files WHERE org_id = $1 ORDER BY id`,
		"links":       `SELECT request_id || ':' || document_id FROM request_documents WHERE org_id = $1 ORDER BY 1`,
		"audit":       `SELECT count(*)::text FROM audit_events WHERE org_id = $1`,
		"throttle":    `SELECT key || ':' || attempts FROM login_throttle WHERE org_id = $1 ORDER BY 1`,
		"units":       `SELECT code FROM units WHERE org_id = $1 ORDER BY 1`,
		"portal":      `SELECT key || ':' || version FROM portal_texts WHERE org_id = $1 ORDER BY 1`,
		"catalogue":   `SELECT count(*)::text FROM catalogue_items WHERE org_id = $1`,
		"definitions": `SELECT count(*)::text FROM workflow_definitions WHERE org_id = $1`,
	} {
		var rows []string
		if err := db.SelectContext(ctx, &rows, q, b.s.Org()); err != nil {
			t.Fatalf("snapshot %s: %v", name, err)
		}
		out[name] = rows
	}
	return out
}

// pendingIDs lists the ids of org's rows of table (deadlines or outbox) not yet carried out.
func pendingIDs(t *testing.T, db *postgres.DB, table string, org int64) []int64 {
	t.Helper()
	q := `SELECT id FROM deadlines WHERE org_id = $1 AND status = 'pending' ORDER BY id`
	if table == "outbox" {
		q = `SELECT id FROM outbox WHERE org_id = $1 AND processed_at IS NULL ORDER BY id`
	}
	var ids []int64
	if err := db.SelectContext(context.Background(), &ids, q, org); err != nil {
		t.Fatal(err)
	}
	return ids
}

func countPending(t *testing.T, db *postgres.DB, table string, org int64) int {
	return len(pendingIDs(t, db, table, org))
}

// stored checks that A's stored definitions are A's own.
func stored(t *testing.T, s *postgres.Stores) {
	t.Helper()
	defs, err := s.Orgs.StoredDefinitions(context.Background())
	if err != nil || len(defs) == 0 {
		t.Errorf("StoredDefinitions: %d %v", len(defs), err)
	}
}

// TestAddAgencyAudited: an added agency, its request unit and its admin are written with the audit
// event in the adding agency's chain, in one transaction; a duplicate leaves nothing behind.
func TestAddAgencyAudited(t *testing.T) {
	f := mustFixture(t)
	ctx := context.Background()
	in := agencies.NewAgency{Code: "TESTORG-C", Name: "丙局", CreditCode: "114110000057945108", Host: "c.example",
		RequestUnit: "bangongshi", RequestUnitName: "办公室", AdminUsername: "c-admin", AdminName: "丙局管理员", AdminPasswordHash: "x"}
	ag, err := f.store.Agencies.AddAgency(ctx, in, f.actor, t0)
	if err != nil {
		t.Fatal(err)
	}
	h, err := f.store.Audit.History(ctx, "agency", ag.ID)
	if err != nil || len(h) != 1 || h[0].Action != "create" || h[0].Data["credit_code"] != in.CreditCode || h[0].Data["admin"] != "c-admin" ||
		h[0].ActorID != f.user.ID {
		t.Fatalf("audit of the added agency: %+v %v", h, err)
	}
	c := postgres.NewStores(f.db, ag.ID, nil)
	t.Cleanup(c.Close)
	as, err := c.Accounts.Assignments(ctx)
	if err != nil || len(as) != 1 || as[0].User != "c-admin" || as[0].Role != "admin" {
		t.Fatalf("the new agency's assignments: %+v %v", as, err)
	}
	if us, _ := c.Orgs.UnitCodes(ctx); !slices.Equal(us, []string{"bangongshi"}) {
		t.Fatalf("the new agency's units: %v", us)
	}
	before := snapshotCount(t, f.db)
	for _, dup := range []struct {
		edit  func(*agencies.NewAgency)
		field string
	}{
		{func(a *agencies.NewAgency) { a.CreditCode, a.Host = "", "" }, "code"},
		{func(a *agencies.NewAgency) { a.Code, a.CreditCode = "TESTORG-D", "" }, "host"},
		{func(a *agencies.NewAgency) { a.Code, a.Host = "TESTORG-D", "" }, "credit_code"},
	} {
		d := in
		dup.edit(&d)
		_, err := f.store.Agencies.AddAgency(ctx, d, f.actor, t0)
		if e := workflow.AsError(err); e == nil || e.Code != workflow.EConflict || e.Field != dup.field || !strings.Contains(e.Message, "已由另一个机构使用") {
			t.Errorf("duplicate %s: %v", dup.field, err)
		}
	}
	if after := snapshotCount(t, f.db); after != before {
		t.Errorf("a refused agency left rows: %s → %s", before, after)
	}
}

func snapshotCount(t *testing.T, db *postgres.DB) string {
	t.Helper()
	var s string
	if err := db.GetContext(context.Background(), &s, `SELECT (SELECT count(*) FROM orgs) || '/' || (SELECT count(*) FROM units) || '/' ||
		(SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM audit_events)`); err != nil {
		t.Fatal(err)
	}
	return s
}
