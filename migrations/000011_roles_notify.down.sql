ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_shape;
DROP TRIGGER users_roles_notify ON users;
DROP TRIGGER role_assignments_notify ON role_assignments;
DROP FUNCTION roles_notify();
