DROP INDEX documents_valid_until_idx;
DROP INDEX documents_public_idx;
DROP INDEX documents_search_idx;
ALTER TABLE documents DROP COLUMN search_terms;
DROP TABLE index_serials;
