package workflow

import "time"

// AuditEntry is one link of a subject's hash-chained audit log.
type AuditEntry struct {
	Seq       int
	Action    string
	FromState string
	ToState   string
	ActorID   int64
	ActorName string
	Data      map[string]string
	At        time.Time
	PrevHash  string
	Hash      string
}

// Acted is the latest audit entry of one subject that a user acted on (the 已办 list).
type Acted struct {
	SubjectID int64
	Entry     AuditEntry
}

// Deadline is a stored timed step of a subject.
type Deadline struct {
	ID          int64
	SubjectKind string
	SubjectID   int64
	Name        string
	DueAt       time.Time
	DueDate     string // YYYY-MM-DD in Asia/Shanghai
	Provisional bool
	Action      DeadlineAction
	Transition  string
	Role        string
	Unit        string // the unit whose Role holders are told; "" = the subject's own unit
	Explanation string
	CountFrom   Date // the count's start (not counted); zero for an instant
	CountDays   int
	CountUnit   string // "working", "calendar" or ""
	Status      string // pending | done | skipped | cancelled
	DoneAt      time.Time
	Outcome     string
}

// Notification is one entry of a user's inbox.
type Notification struct {
	ID          int64
	UserID      int64
	SubjectKind string
	SubjectID   int64
	Kind        string
	Message     string
	CreatedAt   time.Time
	ReadAt      time.Time
}

// DueCursor is a position in the order the sweep takes an organisation's due deadlines: by due
// time, then id. The zero cursor is before the first.
type DueCursor struct {
	DueAt time.Time
	ID    int64
}

// OutboxItem is one committed side effect waiting to be handed to the queue or processed.
type OutboxItem struct {
	ID      int64
	Org     int64 // the organisation whose row it is
	Kind    string
	Payload []byte
	RunAt   time.Time
}
