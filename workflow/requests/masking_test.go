package requests_test

import (
	"context"
	"testing"

	"wugongkai/internal/testkit"
	"wugongkai/workflow"
	"wugongkai/workflow/requests"
)

// TestMaskingFollowsPermission checks what each caller sees of an applicant on the real database:
// the officer who handles requests sees the record whole; the head, who may read requests but does
// not handle them, sees the name, identity number and contacts masked; every list is masked for
// everyone.
func TestMaskingFollowsPermission(t *testing.T) {
	ctx := context.Background()
	users := []testkit.User{
		{Name: "officer", Display: "周公开", Role: "disclosure_officer", Unit: "*"},
		{Name: "head", Display: "吴主任", Role: "disclosure_head", Unit: "*"},
	}
	b := testkit.NewBureau(t, "测试市住房和城乡建设局", []testkit.Unit{{Code: requests.DefaultRequestUnit, Name: "办公室"}}, users)
	reqs := &requests.Requests{Engine: b.Engine, Store: b.Stores.Requests, Auth: b.Enforcer}
	actor := map[string]workflow.Actor{}
	for _, u := range users {
		actor[u.Name] = b.Actor(t, u.Name)
	}
	const name, id, phone, email = "赵小明", "11010519491231002X", "13812345678", "zhao@example.com"
	r, err := reqs.Register(ctx, actor["officer"], requests.Application{ApplicantType: "natural", Name: name,
		IDType: requests.IDResidentCard, IDNumber: id, Phone: phone, Email: email, Description: "请公开2025年保障性住房分配名单",
		Form: "纸质", Delivery: "自行领取", Channel: "in_person"})
	if err != nil {
		t.Fatal(err)
	}
	whole := func(r requests.Request) bool {
		return r.ApplicantName == name && r.IDNumber == id && r.Phone == phone && r.Email == email
	}
	masked := func(r requests.Request) bool {
		return r.ApplicantName == "赵**" && r.IDNumber == "110***********002X" && r.Phone == "138****5678" && r.Email == "z***@example.com"
	}
	d, err := reqs.Detail(ctx, actor["officer"], r.ID)
	if err != nil || !whole(d.Request) {
		t.Fatalf("officer's detail: %+v, %v", d.Request, err)
	}
	d, err = reqs.Detail(ctx, actor["head"], r.ID)
	if err != nil || !masked(d.Request) {
		t.Fatalf("head's detail: %+v, %v", d.Request, err)
	}
	for _, who := range []string{"officer", "head"} {
		list, _, err := reqs.List(ctx, actor[who], requests.RequestQuery{Limit: 10})
		if err != nil || len(list) != 1 || !masked(list[0]) {
			t.Fatalf("%s's list: %+v, %v", who, list, err)
		}
	}
	// An organisation's name is public; its contact person's is not.
	org := requests.Request{ApplicantType: "legal_service", ApplicantName: "某某律师事务所", ContactPerson: "钱律师"}.Masked()
	if org.ApplicantName != "某某律师事务所" || org.ContactPerson != "钱**" {
		t.Fatalf("organisation masked: %+v", org)
	}
}
