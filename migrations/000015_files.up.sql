-- The files of a document: the signed original (签发原件), its attachments (附件) and 图解 images,
-- uploaded while the document is a draft. Each file's content is kept in chunks (document_file_chunks),
-- so neither an upload nor a download ever holds a whole file in memory; sha256 is also recorded in
-- the document's audit chain, which `wugongkai audit verify` checks the stored content against.
CREATE TABLE document_files (
    org_id           bigint      NOT NULL REFERENCES orgs(id),
    id               bigserial,
    document_id      bigint      NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('original', 'attachment', 'figure')),
    name             text        NOT NULL CHECK (name <> ''),
    content_type     text        NOT NULL,
    size             bigint      NOT NULL CHECK (size >= 0),
    sha256           text        NOT NULL,
    chunk_size       integer     NOT NULL CHECK (chunk_size > 0),
    uploaded_by      bigint      NOT NULL,
    document_version integer     NOT NULL,  -- the document's version the upload made
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, document_id) REFERENCES documents(org_id, id),
    FOREIGN KEY (org_id, uploaded_by) REFERENCES users(org_id, id)
);
CREATE INDEX document_files_document ON document_files (org_id, document_id, id);

-- Chunk no of a file holds bytes [no * chunk_size, (no + 1) * chunk_size). Files are mostly
-- compressed already (PDF, OFD, DOCX, images): the data is stored without trying to compress it.
CREATE TABLE document_file_chunks (
    org_id  bigint  NOT NULL,
    file_id bigint  NOT NULL,
    no      integer NOT NULL CHECK (no >= 0),
    data    bytea   NOT NULL,
    PRIMARY KEY (org_id, file_id, no),
    FOREIGN KEY (org_id, file_id) REFERENCES document_files(org_id, id) ON DELETE CASCADE
);
ALTER TABLE document_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
