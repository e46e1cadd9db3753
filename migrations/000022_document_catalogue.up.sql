-- 000022_document_catalogue: the item of the standard catalogue (标准目录) a document or decision
-- draft belongs to, at the version it was tagged with (an item changed or retired later keeps the
-- document's reading). Both NULL = not tagged.
ALTER TABLE documents
    ADD COLUMN catalogue_code    text,
    ADD COLUMN catalogue_version integer,
    ADD CONSTRAINT documents_catalogue_both CHECK ((catalogue_code IS NULL) = (catalogue_version IS NULL)),
    ADD CONSTRAINT documents_catalogue_fk FOREIGN KEY (org_id, catalogue_code, catalogue_version)
        REFERENCES catalogue_item_versions (org_id, code, version);

-- The portal's list by item and the compliance view read the documents of one item.
CREATE INDEX documents_catalogue_idx ON documents (org_id, catalogue_code) WHERE catalogue_code IS NOT NULL;
