-- 000003_consultations: public comments on decision drafts (重大行政决策草案), the adoption summary
-- (意见采纳情况说明) kept with the draft, and the key that hashes commenters' addresses.

-- adoption_summary is the 意见采纳情况说明 the drafter attaches after the comment period; the fact
-- summary_attached says it is there. It is published with the decision.
ALTER TABLE documents ADD COLUMN adoption_summary text NOT NULL DEFAULT '';

-- comments are the public's comments on a consultation. They are written in batches (group
-- commit) with ids drawn from comments_id_seq first, so the receipt number can be derived from the
-- id. contact is personal information: never shown publicly or exported, masked in staff lists
-- unless the reader holds comment:read_contact. client_key is a keyed hash of the sender's address
-- (never the address itself), used to find bursts.
CREATE TABLE comments (
    org_id              bigint NOT NULL,
    id                  bigserial,
    document_id         bigint NOT NULL,
    receipt_no          text NOT NULL,          -- 回执编号, YJ<yyyymmdd>-<id>
    name                text NOT NULL DEFAULT '',
    contact             text NOT NULL DEFAULT '',
    body                text NOT NULL CHECK (body <> ''),
    created_at          timestamptz NOT NULL,
    campaign_key        text NOT NULL,          -- hash of the normalised text: groups identical opinions
    client_key          text NOT NULL,
    status              text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'hidden')),
    moderation_reason   text NOT NULL DEFAULT '',
    moderated_by        bigint,
    moderated_at        timestamptz,
    disposition         text NOT NULL DEFAULT ''
                        CHECK (disposition IN ('', '采纳', '部分采纳', '不采纳', '不属于本次征求意见范围')),
    disposition_reason  text NOT NULL DEFAULT '',
    disposed_by         bigint,
    disposed_at         timestamptz,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, receipt_no),
    FOREIGN KEY (org_id, document_id) REFERENCES documents(org_id, id)
);
CREATE INDEX comments_document_idx ON comments (org_id, document_id, created_at, id);
CREATE INDEX comments_campaign_idx ON comments (org_id, document_id, campaign_key);
CREATE INDEX comments_published_idx ON comments (org_id, document_id, created_at DESC) WHERE status = 'published';

-- comment_salts holds each organisation's random key for the client_key hash, so the same sender
-- hashes alike on every node and across restarts while the hash cannot be reversed by trying
-- every address.
CREATE TABLE comment_salts (
    org_id  bigint PRIMARY KEY REFERENCES orgs(id),
    salt    text NOT NULL
);
