DROP TABLE login_throttle;

CREATE TABLE login_failures (
    org_id      bigint NOT NULL,
    key         text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (org_id, key, at);
