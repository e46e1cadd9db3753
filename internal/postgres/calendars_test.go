package postgres_test

import (
	"context"
	"testing"
	"time"

	"wugongkai/configs"
	"wugongkai/internal/postgres"
	"wugongkai/internal/postgres/pgtest"
	"wugongkai/workflow"
	"wugongkai/workflow/calendars"
)

type allowAll struct{}

func (allowAll) Authorize(context.Context, workflow.Actor, string, string) error { return nil }

// TestUploadedCalendarReachesEveryNode: a year the admin uploads on one node is in force on
// another node's engine within moments (NOTIFY wugongkai_calendar), and a node that starts later
// reads it on top of the files.
func TestUploadedCalendarReachesEveryNode(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, dsn, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetAudit(postgres.AuditOptions{Key: pgtest.TestAuditKey})
	org, err := postgres.EnsureOrg(ctx, db, "TESTORG001", "测试局")
	if err != nil {
		t.Fatal(err)
	}
	s := postgres.NewStores(db, org, nil)
	t.Cleanup(s.Close)
	files, err := workflow.LoadCalendar(configs.Holidays())
	if err != nil {
		t.Fatal(err)
	}
	node := func() *calendars.Calendars {
		return &calendars.Calendars{Store: s.Calendars, Auth: allowAll{}, Engine: workflow.NewEngine(nil, nil, files), Files: files}
	}
	a, b := node(), node()
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		if err := postgres.Listen(lctx, dsn, postgres.CalendarChannel, func() { _ = b.Reload(lctx) }, nil); err != nil {
			t.Error(err)
		}
	}()
	const src = "year: 2031\nsource: 国务院办公厅关于2031年部分节假日安排的通知\nholidays:\n  - {name: 元旦, from: 2031-01-01, to: 2031-01-01}\n" +
		"  - {name: 春节, from: 2031-01-22, to: 2031-01-28}\nworkdays: []\n"
	if _, err := a.Upload(ctx, workflow.Actor{UserID: 1, Name: "管理员"}, "2031.yaml", []byte(src), false); err != nil {
		t.Fatal(err)
	}
	day := workflow.Date{Year: 2031, Month: time.January, Day: 27}
	deadline := time.Now().Add(1500 * time.Millisecond)
	for {
		if w, known := b.Engine.Calendar().IsWorkingDay(day); known && !w {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other node does not count on the uploaded year within 1.5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	later, err := calendars.Load(ctx, s.Calendars, files)
	if err != nil {
		t.Fatal(err)
	}
	if y, ok := later.Year(2031); !ok || y.Source != "国务院办公厅关于2031年部分节假日安排的通知" {
		t.Fatalf("a node starting later reads %+v", y)
	}
	if _, ok := later.Year(2026); !ok {
		t.Fatal("the files' years are gone")
	}
}
