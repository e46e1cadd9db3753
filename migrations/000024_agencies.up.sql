-- 000024_agencies: one deployment serves many agencies (issue 15). An agency is a row of orgs: its
-- portal's host (unique, optional), its 统一社会信用代码 (unique, checked by workflow/agencies) and
-- the unit that handles its disclosure requests ('' = the configured requests.unit, as for the
-- platform's first agency).
ALTER TABLE orgs
    ADD COLUMN host text,
    ADD COLUMN credit_code text,
    ADD COLUMN request_unit text NOT NULL DEFAULT '';
ALTER TABLE orgs ADD CONSTRAINT orgs_host_key UNIQUE (host);
ALTER TABLE orgs ADD CONSTRAINT orgs_credit_code_key UNIQUE (credit_code);
ALTER TABLE orgs ADD CONSTRAINT orgs_host_shape CHECK (host IS NULL OR (host = lower(host) AND host <> ''));

-- A change to who holds which role now names its organisation: one LISTEN connection serves the
-- role changes of every agency and reloads only that agency's enforcer. pg_notify folds identical
-- payloads of one transaction, so a bulk change still notifies once per agency. A TRUNCATE names
-- none ('' = reload every agency).
CREATE OR REPLACE FUNCTION roles_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_LEVEL = 'ROW' THEN
		PERFORM pg_notify('wugongkai_roles', COALESCE(NEW.org_id, OLD.org_id)::text);
	ELSE
		PERFORM pg_notify('wugongkai_roles', '');
	END IF;
	RETURN NULL;
END $$;

DROP TRIGGER role_assignments_notify ON role_assignments;
DROP TRIGGER users_roles_notify ON users;
CREATE TRIGGER role_assignments_notify AFTER INSERT OR UPDATE OR DELETE ON role_assignments
	FOR EACH ROW EXECUTE FUNCTION roles_notify();
CREATE TRIGGER role_assignments_truncate_notify AFTER TRUNCATE ON role_assignments
	FOR EACH STATEMENT EXECUTE FUNCTION roles_notify();
CREATE TRIGGER users_roles_notify AFTER UPDATE OF username, disabled OR DELETE ON users
	FOR EACH ROW EXECUTE FUNCTION roles_notify();
