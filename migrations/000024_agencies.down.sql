DROP TRIGGER users_roles_notify ON users;
DROP TRIGGER role_assignments_truncate_notify ON role_assignments;
DROP TRIGGER role_assignments_notify ON role_assignments;
CREATE OR REPLACE FUNCTION roles_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('wugongkai_roles', '');
	RETURN NULL;
END $$;
CREATE TRIGGER role_assignments_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role_assignments
	FOR EACH STATEMENT EXECUTE FUNCTION roles_notify();
CREATE TRIGGER users_roles_notify AFTER UPDATE OF username, disabled OR DELETE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION roles_notify();

ALTER TABLE orgs DROP CONSTRAINT orgs_host_shape, DROP CONSTRAINT orgs_credit_code_key, DROP CONSTRAINT orgs_host_key,
    DROP COLUMN request_unit, DROP COLUMN credit_code, DROP COLUMN host;
