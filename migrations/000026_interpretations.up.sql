-- A document may be the interpretation (政策解读) of a 规范性文件 of its own organisation (issue 12):
-- interprets names the policy. The documents use case checks what it may point at; the pages show
-- the link both ways, and each link and unlink is also an audit event of the policy.
ALTER TABLE documents ADD COLUMN interprets bigint;
ALTER TABLE documents ADD CONSTRAINT documents_interprets_fkey
    FOREIGN KEY (org_id, interprets) REFERENCES documents(org_id, id);
CREATE INDEX documents_interprets_idx ON documents (org_id, interprets) WHERE interprets IS NOT NULL;
