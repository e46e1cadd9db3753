// Package calendars is the admin's holiday calendar: uploading a year's official arrangement
// (the configs/holidays YAML format), checking it with the engine's parser, showing what changes
// when a year in force is replaced, storing it and putting it in force on every node.
//
// Uploaded years are stored per organisation (every table carries org_id, DESIGN "Scale path"),
// although the State Council's arrangement is national: each organisation's admin keeps the
// calendar its deadlines are counted on, and a process serving one organisation reads that
// organisation's years on top of the files (configs/holidays or paths.holidays).
package calendars

import (
	"context"
	"fmt"
	"slices"
	"time"

	"wugongkai/workflow"
)

// Stored is one year's arrangement as uploaded.
type Stored struct {
	Year       int
	File       string // the uploaded file's name
	Source     []byte // the YAML as uploaded
	UploadedAt time.Time
	UploadedBy string
}

// Store is what the calendar use cases need from the database.
type Store interface {
	// StoredCalendars returns every uploaded year, by year.
	StoredCalendars(ctx context.Context) ([]Stored, error)
	// SaveCalendar stores y (replacing a stored year), appends the audit event describing diff,
	// and recounts, with cal, the pending deadlines counted in working days that were provisional
	// or reach into y's year, in one transaction; it returns how many deadlines changed.
	SaveCalendar(ctx context.Context, y Stored, diff Diff, cal *workflow.Calendar, actor workflow.Actor) (int, error)
}

// Unit is the unit calendar:manage is checked in: the calendar is the bureau's.
const Unit = "*"

// Calendars is the holiday calendar use cases of the console and the API.
type Calendars struct {
	Store Store
	Auth  workflow.Authorizer
	// Engine counts deadlines; an upload puts the new calendar in force on it at once (other
	// nodes reload on the database's notification, see Load).
	Engine *workflow.Engine
	// Files is the calendar of the holiday files, under the uploaded years.
	Files *workflow.Calendar
	Clock workflow.Clock
}

func (c *Calendars) now() time.Time {
	if c.Clock == nil {
		return time.Now()
	}
	return c.Clock.Now()
}

// Load returns the calendar in force: the files' years with the uploaded ones on top (an
// uploaded year replaces the file of the same year).
func Load(ctx context.Context, s Store, files *workflow.Calendar) (*workflow.Calendar, error) {
	stored, err := s.StoredCalendars(ctx)
	if err != nil {
		return nil, err
	}
	cal := files
	if cal == nil {
		cal, _ = workflow.NewCalendar()
	}
	for _, st := range stored {
		y, err := workflow.ParseCalendarYear(st.File, st.Source)
		if err != nil {
			return nil, fmt.Errorf("stored holiday calendar %d: %w", st.Year, err)
		}
		cal = cal.With(y)
	}
	return cal, nil
}

// Reload puts the calendar in force (Load) on the engine: what a node does when the database
// announces an upload.
func (c *Calendars) Reload(ctx context.Context) error {
	cal, err := Load(ctx, c.Store, c.Files)
	if err != nil {
		return err
	}
	c.Engine.SetCalendar(cal)
	return nil
}

// YearView is one year in force.
type YearView struct {
	Year     workflow.CalendarYear
	Uploaded *Stored // nil: from the files
}

// Years returns the years in force, newest first, saying which were uploaded.
func (c *Calendars) Years(ctx context.Context, actor workflow.Actor) ([]YearView, error) {
	if err := c.Auth.Authorize(ctx, actor, Unit, "calendar:manage"); err != nil {
		return nil, err
	}
	stored, err := c.Store.StoredCalendars(ctx)
	if err != nil {
		return nil, err
	}
	cal := c.Engine.Calendar()
	years := cal.Years()
	slices.Reverse(years)
	var out []YearView
	for _, n := range years {
		y, _ := cal.Year(n)
		v := YearView{Year: y}
		if i := slices.IndexFunc(stored, func(s Stored) bool { return s.Year == n }); i >= 0 {
			v.Uploaded = &stored[i]
		}
		out = append(out, v)
	}
	return out, nil
}

// Diff is what replacing a year's arrangement changes.
type Diff struct {
	Year            int
	HolidaysAdded   []workflow.Day // days off that were working days or weekends before
	HolidaysRemoved []workflow.Day // days off no longer off
	WorkdaysAdded   []workflow.Day // make-up working days added
	WorkdaysRemoved []workflow.Day // make-up working days no longer worked
}

// Empty reports whether nothing changes.
func (d Diff) Empty() bool {
	return len(d.HolidaysAdded)+len(d.HolidaysRemoved)+len(d.WorkdaysAdded)+len(d.WorkdaysRemoved) == 0
}

// Compare returns what replacing old by y changes (old zero: a new year, everything is added).
func Compare(old, y workflow.CalendarYear) Diff {
	d := Diff{Year: y.Year}
	oldOff, newOff := DaysOff(old), DaysOff(y)
	d.HolidaysAdded, d.HolidaysRemoved = added(oldOff, newOff), added(newOff, oldOff)
	d.WorkdaysAdded, d.WorkdaysRemoved = added(old.Workdays, y.Workdays), added(y.Workdays, old.Workdays)
	return d
}

// DaysOff lists every day off of y's holidays, each with its holiday's name.
func DaysOff(y workflow.CalendarYear) []workflow.Day {
	var out []workflow.Day
	for _, h := range y.Holidays {
		for d := h.From; !d.After(h.To); d = d.AddDays(1) {
			out = append(out, workflow.Day{Date: d, Name: h.Name})
		}
	}
	return out
}

// added returns the days of b whose date is not in a.
func added(a, b []workflow.Day) []workflow.Day {
	var out []workflow.Day
	for _, d := range b {
		if !slices.ContainsFunc(a, func(x workflow.Day) bool { return x.Date == d.Date }) {
			out = append(out, d)
		}
	}
	return out
}

// Upload is the answer to an upload.
type Upload struct {
	Year      workflow.CalendarYear
	Replaces  bool // the year was in force: Diff is what changed (or would change)
	Diff      Diff
	Applied   bool // stored and in force
	Recounted int  // pending deadlines whose due date was recounted
}

// Upload checks one year's arrangement (the configs/holidays format; file names it in the
// messages) and, unless its year is in force and confirm is false, stores it, recounts the pending
// deadlines it changes and puts it in force. A year in force without confirm answers EConflict
// (reason confirm_replace) with the differences in Upload.Diff, and changes nothing. A file with
// problems is EInvalid listing each as file:line (details "problems").
func (c *Calendars) Upload(ctx context.Context, actor workflow.Actor, file string, data []byte, confirm bool) (Upload, error) {
	if err := c.Auth.Authorize(ctx, actor, Unit, "calendar:manage"); err != nil {
		return Upload{}, err
	}
	if file == "" {
		file = "upload.yaml"
	}
	y, err := workflow.ParseCalendarYear(file, data)
	if err != nil {
		var problems []string
		if ces, ok := err.(workflow.ConfigErrors); ok {
			for _, ce := range ces {
				problems = append(problems, ce.Error())
			}
		} else {
			problems = []string{err.Error()}
		}
		return Upload{}, &workflow.Error{Code: workflow.EInvalid, Field: "file",
			Message: fmt.Sprintf("节假日文件有 %d 处问题，未作任何更改：%s", len(problems), problems[0]),
			Details: map[string]any{"problems": problems}}
	}
	cur := c.Engine.Calendar()
	old, inForce := cur.Year(y.Year)
	up := Upload{Year: y, Replaces: inForce, Diff: Compare(old, y)}
	if inForce && !confirm {
		return up, &workflow.Error{Code: workflow.EConflict, Field: "confirm",
			Message: fmt.Sprintf("%d 年的节假日安排已在使用，请核对差异后确认替换", y.Year),
			Details: map[string]any{"reason": "confirm_replace"}}
	}
	next := cur.With(y)
	st := Stored{Year: y.Year, File: file, Source: data, UploadedAt: c.now(), UploadedBy: actor.Name}
	if up.Recounted, err = c.Store.SaveCalendar(ctx, st, up.Diff, next, actor); err != nil {
		return Upload{}, err
	}
	c.Engine.SetCalendar(next)
	up.Applied = true
	return up, nil
}
