-- 000002_publication: 索引号 serials, search terms for the public full-text search, and the
-- indexes of the public read path.

-- index_serials hands out the per-organisation, per-year serial of the 索引号.
CREATE TABLE index_serials (
    org_id  bigint NOT NULL REFERENCES orgs(id),
    year    integer NOT NULL,
    last    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, year)
);

-- search_terms holds the character bigrams and single characters of title and body (stock
-- PostgreSQL has no Chinese parser), set when a document is published.
ALTER TABLE documents ADD COLUMN search_terms text[] NOT NULL DEFAULT '{}';
CREATE INDEX documents_search_idx ON documents USING gin (search_terms);
CREATE INDEX documents_public_idx ON documents (org_id, published_at DESC, id DESC)
    WHERE state = 'published' AND facts->>'attribute' = '主动公开';
CREATE INDEX documents_valid_until_idx ON documents (valid_until) WHERE validity = '有效' AND valid_until IS NOT NULL;
