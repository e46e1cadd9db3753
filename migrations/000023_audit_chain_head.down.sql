CREATE OR REPLACE FUNCTION documents_public_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	-- workflow.PublicConsultationStates: where a decision draft's consultation page is public.
	consultation_states CONSTANT text[] := ARRAY['consultation_scheduled', 'consultation_open',
		'consultation_closed', 'legality_review', 'deciding', 'awaiting_publication', 'published'];
BEGIN
	IF (TG_OP <> 'INSERT' AND (OLD.state = 'published'
			OR (OLD.definition = 'decision' AND OLD.state = ANY (consultation_states))))
		OR (TG_OP <> 'DELETE' AND (NEW.state = 'published'
			OR (NEW.definition = 'decision' AND NEW.state = ANY (consultation_states)))) THEN
		PERFORM pg_notify('wugongkai_public', '');
	END IF;
	RETURN NULL;
END $$;

DROP TRIGGER audit_chain_head ON audit_events;
DROP FUNCTION audit_chain_head();
ALTER TABLE requests DROP COLUMN audit_seq, DROP COLUMN audit_hash;
ALTER TABLE documents DROP COLUMN audit_seq, DROP COLUMN audit_hash;
