-- 000004_requests: disclosure requests (依申请公开) and their receipt numbers, administrative
-- reconsideration and litigation cases, the figures and text the disclosure office enters for the
-- annual report, and the indexes the report's aggregation needs on documents and the audit log.

-- request_serials hands out the per-organisation, per-year serial of the receipt number.
CREATE TABLE request_serials (
    org_id  bigint NOT NULL REFERENCES orgs(id),
    year    integer NOT NULL,
    last    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, year)
);

-- requests holds disclosure requests (definition 'request'). The applicant's identity and contact
-- are personal information: never shown publicly, masked in staff lists. received_on is the receipt
-- date of 《条例》第31条. reply_due, outcome and closed_on mirror the facts of the same names (see the
-- trigger below), so the annual report counts requests with plain indexed columns however a
-- transition was fired (by staff or by the deadline sweep).
CREATE TABLE requests (
    org_id              bigint NOT NULL REFERENCES orgs(id),
    id                  bigserial,
    definition          text NOT NULL,
    definition_version  integer NOT NULL,
    unit_code           text NOT NULL,
    state               text NOT NULL,
    version             integer NOT NULL DEFAULT 1,
    facts               jsonb NOT NULL DEFAULT '{}',
    receipt_no          text NOT NULL,                 -- 受理编号, YSQ-<year>-<serial>
    title               text NOT NULL,
    channel             text NOT NULL CHECK (channel IN ('online', 'in_person', 'oral', 'registered_post', 'letter', 'fax', 'email')),
    received_on         date NOT NULL,
    applicant_type      text NOT NULL CHECK (applicant_type IN ('natural', 'commercial', 'research', 'nonprofit', 'legal_service', 'other')),
    applicant_name      text NOT NULL,
    contact_person      text NOT NULL DEFAULT '',
    id_type             text NOT NULL,
    id_number           text NOT NULL,
    phone               text NOT NULL DEFAULT '',
    email               text NOT NULL DEFAULT '',
    address             text NOT NULL DEFAULT '',
    description         text NOT NULL,
    info_form           text NOT NULL,                 -- 载体形式
    delivery            text NOT NULL,                 -- 获取方式
    note                text NOT NULL DEFAULT '',
    created_by          bigint,                        -- NULL when filed on the public form
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    reply_due           date,
    outcome             text CHECK (outcome IN ('三(一)', '三(二)', '三(三)1', '三(三)2', '三(三)3', '三(三)4', '三(三)5',
                            '三(三)6', '三(三)7', '三(三)8', '三(四)1', '三(四)2', '三(四)3', '三(五)1', '三(五)2', '三(五)3',
                            '三(五)4', '三(五)5', '三(六)1', '三(六)2', '三(六)3')),
    closed_on           date,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, receipt_no),
    CHECK ((outcome IS NULL) = (closed_on IS NULL)),
    FOREIGN KEY (org_id, unit_code) REFERENCES units(org_id, code),
    FOREIGN KEY (org_id, created_by) REFERENCES users(org_id, id)
);
CREATE INDEX requests_received_idx ON requests (org_id, received_on);
CREATE INDEX requests_closed_idx ON requests (org_id, closed_on);
CREATE INDEX requests_open_idx ON requests (org_id, reply_due) WHERE closed_on IS NULL;
CREATE INDEX requests_applicant_idx ON requests (org_id, id_type, id_number, received_on);

-- requests_sync keeps reply_due, outcome and closed_on equal to the facts of the same names.
CREATE FUNCTION requests_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.reply_due := NULLIF(NEW.facts->>'reply_due', '')::date;
    NEW.outcome := NULLIF(NEW.facts->>'outcome', '');
    NEW.closed_on := NULLIF(NEW.facts->>'closed_on', '')::date;
    RETURN NEW;
END $$;
CREATE TRIGGER requests_sync BEFORE INSERT OR UPDATE OF facts ON requests
    FOR EACH ROW EXECUTE FUNCTION requests_sync();

-- cases are administrative reconsiderations (行政复议) and lawsuits (行政诉讼) about disclosure
-- work, as Table 四 of the annual report counts them. A pending case has no concluded_on.
CREATE TABLE cases (
    org_id          bigint NOT NULL REFERENCES orgs(id),
    id              bigserial,
    version         integer NOT NULL DEFAULT 1,
    kind            text NOT NULL CHECK (kind IN ('reconsideration', 'litigation_direct', 'litigation_after_reconsideration')),
    case_no         text NOT NULL DEFAULT '',           -- 案号
    organ           text NOT NULL DEFAULT '',           -- 复议机关 or 法院
    applicant_name  text NOT NULL DEFAULT '',
    request_id      bigint,
    filed_on        date NOT NULL,
    concluded_on    date,
    outcome         text NOT NULL CHECK (outcome IN ('upheld', 'corrected', 'other', 'pending')),
    summary         text NOT NULL DEFAULT '',
    created_by      bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    CHECK ((outcome = 'pending') = (concluded_on IS NULL)),
    CHECK (concluded_on IS NULL OR concluded_on >= filed_on),
    FOREIGN KEY (org_id, request_id) REFERENCES requests(org_id, id),
    FOREIGN KEY (org_id, created_by) REFERENCES users(org_id, id)
);
CREATE INDEX cases_filed_idx ON cases (org_id, filed_on);

-- report_inputs holds what the disclosure office writes for a year's annual report: the text of
-- sections 一, 五 and 六 and the Table 二 figures the system does not count. final_json is the
-- report as it was marked final (it passed every check); a final report no longer changes.
CREATE TABLE report_inputs (
    org_id        bigint NOT NULL REFERENCES orgs(id),
    year          integer NOT NULL,
    version       integer NOT NULL DEFAULT 1,
    sections      jsonb NOT NULL DEFAULT '{}',
    proactive     jsonb NOT NULL DEFAULT '[]',
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    text NOT NULL DEFAULT '',
    final_json    text,
    finalized_at  timestamptz,
    finalized_by  text NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, year)
);

-- The report's Table 二 第二十条第（一）项 counts normative documents made, published, repealed
-- and in force; these keep it fast on a million documents and their audit events.
CREATE INDEX documents_normative_idx ON documents (org_id, published_at) WHERE doc_kind = '规范性文件';
CREATE INDEX audit_events_validity_idx ON audit_events (org_id, subject_id, seq) WHERE action = 'validity';
