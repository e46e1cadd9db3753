package workflow

import "time"

// Document is an official document (公文, definition "document") or a major-decision draft
// (重大行政决策草案, definition "decision") with its workflow instance.
type Document struct {
	Instance
	Title           string
	Body            string
	Explanation     string // 起草说明 / 决策草案说明
	DocKind         string // 规范性文件 | 其他公文
	SubjectCategory string // 主题分类, "一级\二级"
	DocNumber       string // 发文字号
	Summary         string // 内容概述
	UnitName        string
	CreatedBy       int64
	CreatedByName   string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	IndexNo         string    // 索引号, assigned on publication
	PublishedAt     time.Time // zero until published
	Validity        string    // 有效 | 失效 | 废止
	ValidUntil      time.Time // zero = no end; the day after which validity flips to 失效
}

// The validity values of a published document.
const (
	ValidityValid    = "有效"
	ValidityExpired  = "失效"
	ValidityRepealed = "废止"
)

// The document kinds.
const (
	KindNormative = "规范性文件"
	KindOther     = "其他公文"
)

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

// OutboxItem is one committed side effect waiting to be handed to the queue or processed.
type OutboxItem struct {
	ID      int64
	Kind    string
	Payload []byte
	RunAt   time.Time
}
