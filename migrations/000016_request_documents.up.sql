-- request_documents links a disclosure request to the signed 依申请公开 documents the office
-- answers it with (issue 13): the request desk finds a document available on request, links it,
-- and the reply cites it; the document's page shows the requests it answered. Each link is also
-- an audit event of the request.
CREATE TABLE request_documents (
    org_id       bigint NOT NULL,
    request_id   bigint NOT NULL,
    document_id  bigint NOT NULL,
    linked_by    bigint NOT NULL,
    linked_at    timestamptz NOT NULL,
    PRIMARY KEY (org_id, request_id, document_id),
    FOREIGN KEY (org_id, request_id) REFERENCES requests(org_id, id),
    FOREIGN KEY (org_id, document_id) REFERENCES documents(org_id, id),
    FOREIGN KEY (org_id, linked_by) REFERENCES users(org_id, id)
);
CREATE INDEX request_documents_document_idx ON request_documents (org_id, document_id);
