DROP INDEX IF EXISTS documents_catalogue_idx;
ALTER TABLE documents
    DROP CONSTRAINT IF EXISTS documents_catalogue_fk,
    DROP CONSTRAINT IF EXISTS documents_catalogue_both,
    DROP COLUMN IF EXISTS catalogue_version,
    DROP COLUMN IF EXISTS catalogue_code;
