-- The head of each document's and request's audit chain (the seq and hash of its last event) is
-- kept on the subject's row, so a transition reads it in the same statement that updates the row
-- (UPDATE … RETURNING) instead of asking audit_events for it (docs/performance.md).
--
-- Every appender keeps it, through this trigger: after each statement that inserts audit events
-- (one event, a batch of the deadline sweep, a COPY), the subjects' rows take the seq and hash of
-- their last event. A transaction that waited for a subject's row lock re-reads the row after the
-- other's commit (READ COMMITTED re-checks the updated row), so it sees the head that transaction
-- wrote even when that transaction did not change the version (a comment disposition).
-- The trigger is the only writer of audit_seq and audit_hash, and writes nothing else: the
-- public-change notification (000005) ignores an update that moves the head.
ALTER TABLE documents ADD COLUMN audit_seq integer NOT NULL DEFAULT 0, ADD COLUMN audit_hash text NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN audit_seq integer NOT NULL DEFAULT 0, ADD COLUMN audit_hash text NOT NULL DEFAULT '';

UPDATE documents d SET audit_seq = h.seq, audit_hash = h.hash
FROM (SELECT DISTINCT ON (org_id, subject_id) org_id, subject_id, seq, hash FROM audit_events
	WHERE subject_kind = 'document' ORDER BY org_id, subject_id, seq DESC) h
WHERE d.org_id = h.org_id AND d.id = h.subject_id;
UPDATE requests r SET audit_seq = h.seq, audit_hash = h.hash
FROM (SELECT DISTINCT ON (org_id, subject_id) org_id, subject_id, seq, hash FROM audit_events
	WHERE subject_kind = 'request' ORDER BY org_id, subject_id, seq DESC) h
WHERE r.org_id = h.org_id AND r.id = h.subject_id;

CREATE FUNCTION audit_chain_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE documents d SET audit_seq = h.seq, audit_hash = h.hash
	FROM (SELECT DISTINCT ON (org_id, subject_id) org_id, subject_id, seq, hash FROM new_events
		WHERE subject_kind = 'document' ORDER BY org_id, subject_id, seq DESC) h
	WHERE d.org_id = h.org_id AND d.id = h.subject_id AND d.audit_seq < h.seq;
	UPDATE requests r SET audit_seq = h.seq, audit_hash = h.hash
	FROM (SELECT DISTINCT ON (org_id, subject_id) org_id, subject_id, seq, hash FROM new_events
		WHERE subject_kind = 'request' ORDER BY org_id, subject_id, seq DESC) h
	WHERE r.org_id = h.org_id AND r.id = h.subject_id AND r.audit_seq < h.seq;
	RETURN NULL;
END $$;

CREATE TRIGGER audit_chain_head AFTER INSERT ON audit_events
	REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head();

CREATE OR REPLACE FUNCTION documents_public_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	-- workflow.PublicConsultationStates: where a decision draft's consultation page is public.
	consultation_states CONSTANT text[] := ARRAY['consultation_scheduled', 'consultation_open',
		'consultation_closed', 'legality_review', 'deciding', 'awaiting_publication', 'published'];
BEGIN
	-- The audit chain head moved (audit_chain_head writes nothing else): nothing the public sees.
	IF TG_OP = 'UPDATE' AND NEW.audit_seq <> OLD.audit_seq THEN
		RETURN NULL;
	END IF;
	IF (TG_OP <> 'INSERT' AND (OLD.state = 'published'
			OR (OLD.definition = 'decision' AND OLD.state = ANY (consultation_states))))
		OR (TG_OP <> 'DELETE' AND (NEW.state = 'published'
			OR (NEW.definition = 'decision' AND NEW.state = ANY (consultation_states)))) THEN
		PERFORM pg_notify('wugongkai_public', '');
	END IF;
	RETURN NULL;
END $$;
