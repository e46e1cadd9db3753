-- The audit log becomes tamper-evident against someone with database access (issue 18, item 7).
-- keyed marks an event whose hash is HMAC-SHA256 under a key the database does not hold (events
-- written before this migration stay plain SHA-256 and verify as legacy). gseq numbers every event
-- of an organisation without gaps, and the keyed hash covers it, so a deleted event or a deleted
-- document with its whole chain leaves a hole that `wugongkai audit verify` finds. audit_heads holds
-- the last gseq handed out; taking the next one locks the row until commit, which is what keeps the
-- numbering gap-free. legacy_until is the last gseq written before the key; every keyed hash covers
-- it, so an event rewritten as legacy after that point, or a moved boundary, is found.
ALTER TABLE audit_events ADD COLUMN gseq bigint, ADD COLUMN keyed boolean NOT NULL DEFAULT false;

ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update;
UPDATE audit_events a SET gseq = n.rn
FROM (SELECT org_id, id, row_number() OVER (PARTITION BY org_id ORDER BY id) AS rn FROM audit_events) n
WHERE a.org_id = n.org_id AND a.id = n.id;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update;

ALTER TABLE audit_events ALTER COLUMN gseq SET NOT NULL;
CREATE UNIQUE INDEX audit_events_gseq_idx ON audit_events (org_id, gseq);

CREATE TABLE audit_heads (
    org_id  bigint PRIMARY KEY,
    gseq          bigint NOT NULL,
    legacy_until  bigint NOT NULL DEFAULT 0
);
INSERT INTO audit_heads (org_id, gseq, legacy_until) SELECT org_id, max(gseq), max(gseq) FROM audit_events GROUP BY org_id;
