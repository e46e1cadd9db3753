-- 000001_foundation: organisations, units, users, documents and their versions, the hash-chained
-- audit log, the outbox, deadlines, notifications and the stored workflow definitions.
-- Every table carries org_id and every unique key includes it (DESIGN.md, "Scale path").

CREATE TABLE orgs (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE,          -- 组织机构代码 / 统一社会信用代码, used in the 索引号
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE units (
    org_id      bigint NOT NULL REFERENCES orgs(id),
    code        text NOT NULL,                 -- casbin domain
    name        text NOT NULL,
    PRIMARY KEY (org_id, code)
);

CREATE TABLE users (
    org_id        bigint NOT NULL REFERENCES orgs(id),
    id            bigserial,
    username      text NOT NULL,
    display_name  text NOT NULL,
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, username)
);

-- role_assignments are the user→role-in-unit rows the casbin adapter reads. unit_code '*' means
-- bureau-wide (legal section, disclosure office, leadership, admin).
CREATE TABLE role_assignments (
    org_id      bigint NOT NULL,
    user_id     bigint NOT NULL,
    role        text NOT NULL,
    unit_code   text NOT NULL,
    PRIMARY KEY (org_id, user_id, role, unit_code),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);

-- sessions are staff logins; only a SHA-256 of the token is stored.
CREATE TABLE sessions (
    org_id      bigint NOT NULL,
    token_hash  text NOT NULL,
    user_id     bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (org_id, token_hash),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

-- login_failures throttles password guessing per username and per client address.
CREATE TABLE login_failures (
    org_id      bigint NOT NULL,
    key         text NOT NULL,             -- 'user:<name>' or 'ip:<addr>'
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (org_id, key, at);

-- workflow_definitions keeps every definition version an instance may still refer to.
CREATE TABLE workflow_definitions (
    org_id      bigint NOT NULL REFERENCES orgs(id),
    name        text NOT NULL,
    version     integer NOT NULL,
    source      text NOT NULL,
    sha256      text NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, name, version)
);

-- documents holds official documents (definition 'document') and decision drafts ('decision').
CREATE TABLE documents (
    org_id              bigint NOT NULL REFERENCES orgs(id),
    id                  bigserial,
    definition          text NOT NULL,
    definition_version  integer NOT NULL,
    unit_code           text NOT NULL,
    state               text NOT NULL,
    version             integer NOT NULL DEFAULT 1,
    facts               jsonb NOT NULL DEFAULT '{}',
    title               text NOT NULL,
    body                text NOT NULL DEFAULT '',
    explanation         text NOT NULL DEFAULT '',      -- 决策草案说明 / 起草说明
    doc_kind            text NOT NULL DEFAULT '其他公文',
    subject_category    text NOT NULL DEFAULT '',      -- 主题分类 (two levels, "一级\二级")
    doc_number          text NOT NULL DEFAULT '',      -- 发文字号
    summary             text NOT NULL DEFAULT '',      -- 内容概述
    created_by          bigint NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    index_no            text,                          -- 索引号, set on publication
    published_at        timestamptz,
    validity            text NOT NULL DEFAULT '有效' CHECK (validity IN ('有效', '失效', '废止')),
    valid_until         date,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, index_no),
    FOREIGN KEY (org_id, unit_code) REFERENCES units(org_id, code),
    FOREIGN KEY (org_id, created_by) REFERENCES users(org_id, id)
);
CREATE INDEX documents_state_idx ON documents (org_id, state);
CREATE INDEX documents_unit_idx ON documents (org_id, unit_code, state);

-- document_versions keeps every saved body.
CREATE TABLE document_versions (
    org_id       bigint NOT NULL,
    document_id  bigint NOT NULL,
    version_no   integer NOT NULL,
    title        text NOT NULL,
    body         text NOT NULL,
    explanation  text NOT NULL DEFAULT '',
    author_id    bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, document_id, version_no),
    FOREIGN KEY (org_id, document_id) REFERENCES documents(org_id, id)
);

-- audit_events is append-only and hash-chained per subject: hash = sha256(prev_hash || canonical
-- event). A trigger refuses UPDATE and DELETE; `wugongkai audit verify` recomputes every chain.
CREATE TABLE audit_events (
    org_id        bigint NOT NULL,
    id            bigserial,
    subject_kind  text NOT NULL,          -- 'document' (also decision drafts) or 'request'
    subject_id    bigint NOT NULL,
    seq           integer NOT NULL,
    action        text NOT NULL,          -- transition name, or 'create', 'edit', ...
    from_state    text NOT NULL DEFAULT '',
    to_state      text NOT NULL DEFAULT '',
    actor_id      bigint,
    actor_name    text NOT NULL,
    data          jsonb NOT NULL DEFAULT '{}',
    at            timestamptz NOT NULL,
    prev_hash     text NOT NULL,
    hash          text NOT NULL,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, subject_kind, subject_id, seq)
);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- outbox holds side effects committed with a state change; the relay hands each row to asynq
-- with the row id as task id and the handler marks it processed.
CREATE TABLE outbox (
    org_id        bigint NOT NULL,
    id            bigserial,
    kind          text NOT NULL,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    run_at        timestamptz NOT NULL DEFAULT now(),
    enqueued_at   timestamptz,
    processed_at  timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id)
);
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE processed_at IS NULL;

-- deadlines are the timed steps: consultation openings and closings, publication due dates,
-- reminders, re-reviews. The sweep fires every pending deadline whose due_at has passed.
CREATE TABLE deadlines (
    org_id        bigint NOT NULL,
    id            bigserial,
    subject_kind  text NOT NULL,
    subject_id    bigint NOT NULL,
    name          text NOT NULL,
    due_at        timestamptz NOT NULL,
    due_date      date NOT NULL,
    provisional   boolean NOT NULL DEFAULT false,
    action        text NOT NULL CHECK (action IN ('fire', 'remind', 'overdue')),
    transition    text NOT NULL DEFAULT '',
    role          text NOT NULL DEFAULT '',
    explanation   text NOT NULL DEFAULT '',
    count_from    date,                   -- the count's start (not counted), to recompute when a
    count_days    integer NOT NULL DEFAULT 0,   -- holiday calendar is added or changed
    count_unit    text NOT NULL DEFAULT '' CHECK (count_unit IN ('', 'working', 'calendar')),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped', 'cancelled')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    done_at       timestamptz,
    outcome       text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, id)
);
CREATE INDEX deadlines_due_idx ON deadlines (due_at) WHERE status = 'pending';
CREATE INDEX deadlines_subject_idx ON deadlines (org_id, subject_kind, subject_id);

-- notifications is each user's inbox. source makes delivery idempotent: one row per user and
-- originating outbox row or deadline.
CREATE TABLE notifications (
    org_id        bigint NOT NULL,
    id            bigserial,
    user_id       bigint NOT NULL,
    subject_kind  text NOT NULL,
    subject_id    bigint NOT NULL,
    kind          text NOT NULL,
    message       text NOT NULL,
    source        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    read_at       timestamptz,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, user_id, source),
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_user_idx ON notifications (org_id, user_id, created_at DESC);
