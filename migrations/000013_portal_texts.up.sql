-- The disclosure office's own texts on the portal (国办公开办函〔2019〕61号 first-level columns):
-- 政府信息公开指南 (key guide) and 政府信息公开制度 (key rules). One row per organisation and text;
-- version is the optimistic lock of the console's edit page.
CREATE TABLE portal_texts (
    org_id     bigint      NOT NULL REFERENCES orgs(id),
    key        text        NOT NULL CHECK (key IN ('guide', 'rules')),
    body       text        NOT NULL,
    version    integer     NOT NULL CHECK (version > 0),
    updated_at timestamptz NOT NULL,
    updated_by text        NOT NULL,
    PRIMARY KEY (org_id, key)
);
