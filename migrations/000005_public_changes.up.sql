-- Public pages are cached in each server process (internal/pagecache). A change to a document the
-- public can see (published, or a decision draft whose consultation is public) notifies every
-- listening process on channel wugongkai_public; the notification is delivered after the commit,
-- and identical notifications of one transaction are delivered once.
CREATE FUNCTION documents_public_notify() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER documents_public_notify AFTER INSERT OR UPDATE OR DELETE ON documents
	FOR EACH ROW EXECUTE FUNCTION documents_public_notify();
