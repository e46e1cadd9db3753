DROP TRIGGER documents_public_notify ON documents;
DROP FUNCTION documents_public_notify();
