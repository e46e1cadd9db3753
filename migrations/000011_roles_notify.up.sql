-- A change to who holds which role notifies every server process on channel wugongkai_roles
-- (delivered after the commit, once per transaction for identical payloads); each one reloads its
-- casbin assignments at once (policy.Enforcer.Reload, postgres.Listen), so a revoked user loses
-- their rights on every node without waiting for a periodic re-read.
CREATE FUNCTION roles_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('wugongkai_roles', '');
	RETURN NULL;
END $$;

CREATE TRIGGER role_assignments_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role_assignments
	FOR EACH STATEMENT EXECUTE FUNCTION roles_notify();

-- The assignments read join users: disabling, renaming or deleting a user changes them too.
CREATE TRIGGER users_roles_notify AFTER UPDATE OF username, disabled OR DELETE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION roles_notify();

-- The shape of a row is checked where it is written, too (the role itself is checked against
-- policy/roles.csv by the store): a role is a lower-case identifier and the unit is not blank.
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_shape
	CHECK (role ~ '^[a-z][a-z0-9_]*$' AND btrim(unit_code) <> '') NOT VALID;
