package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"wugongkai/workflow"
	"wugongkai/workflow/calendars"
)

// CalendarChannel is the notification channel on which an uploaded holiday calendar is announced
// (migrations/000021); every server process reloads its calendar.
const CalendarChannel = "wugongkai_calendar"

// Calendars keeps the holiday calendars the admin uploaded. It implements calendars.Store.
type Calendars struct{ base }

type storedCalendarRow struct {
	Year       int       `db:"year"`
	File       string    `db:"file"`
	Source     string    `db:"source"`
	UploadedAt time.Time `db:"uploaded_at"`
	UploadedBy string    `db:"uploaded_by"`
}

func (r storedCalendarRow) toDomain() calendars.Stored {
	return calendars.Stored{Year: r.Year, File: r.File, Source: []byte(r.Source), UploadedAt: r.UploadedAt, UploadedBy: r.UploadedBy}
}

// StoredCalendars implements calendars.Store.
func (s *Calendars) StoredCalendars(ctx context.Context) ([]calendars.Stored, error) {
	return selectAll(ctx, s.db, "list holiday calendars", storedCalendarRow.toDomain,
		`SELECT year, file, source, uploaded_at, uploaded_by FROM holiday_calendars WHERE org_id = $1 ORDER BY year`, s.org)
}

// daysText lists days as "2026-10-08 国庆节" separated by "、".
func daysText(days []workflow.Day) string {
	parts := make([]string, len(days))
	for i, d := range days {
		parts[i] = d.Date.String() + " " + d.Name
	}
	return strings.Join(parts, "、")
}

// SaveCalendar implements calendars.Store in one transaction: the year, its audit event and the
// recount of the deadlines it changes.
func (s *Calendars) SaveCalendar(ctx context.Context, y calendars.Stored, diff calendars.Diff, cal *workflow.Calendar, actor workflow.Actor) (int, error) {
	changed := 0
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		const q = `INSERT INTO holiday_calendars (org_id, year, file, source, uploaded_at, uploaded_by)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org_id, year) DO UPDATE SET file = EXCLUDED.file, source = EXCLUDED.source,
				uploaded_at = EXCLUDED.uploaded_at, uploaded_by = EXCLUDED.uploaded_by`
		if _, err := tx.ExecContext(ctx, q, s.org, y.Year, y.File, string(y.Source), y.UploadedAt.UTC(), y.UploadedBy); err != nil {
			return translate(fmt.Errorf("save holiday calendar %d: %w", y.Year, err), "节假日安排")
		}
		var err error
		if changed, err = s.recount(ctx, tx, cal, y.Year); err != nil {
			return err
		}
		return s.appendAdminAudit(ctx, tx, actor, y.UploadedAt, "calendar_upload", map[string]string{
			"year": fmt.Sprint(y.Year), "file": y.File, "holidays_added": daysText(diff.HolidaysAdded),
			"holidays_removed": daysText(diff.HolidaysRemoved), "workdays_added": daysText(diff.WorkdaysAdded),
			"workdays_removed": daysText(diff.WorkdaysRemoved), "deadlines_recounted": fmt.Sprint(changed)})
	})
	return changed, err
}
