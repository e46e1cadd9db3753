DROP INDEX documents_interprets_idx;
ALTER TABLE documents DROP CONSTRAINT documents_interprets_fkey;
ALTER TABLE documents DROP COLUMN interprets;
