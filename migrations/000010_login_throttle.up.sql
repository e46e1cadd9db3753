-- login_throttle replaces login_failures. Each row is one counter the login use case bumps in a
-- single UPSERT before it checks a password, so parallel guesses cannot all pass a count read
-- before any of them is written (workflow.Accounts.Login). Keys:
--   'pair:<username>|<address>'  attempts at one account from one address: a few are free, then
--                                each admitted attempt blocks the pair for a doubling delay;
--   'addr:<address>'             attempts from one address at any account: a much higher ceiling.
-- A success deletes its pair row and gives its attempt back to the address.
CREATE TABLE login_throttle (
    org_id        bigint NOT NULL,
    key           text NOT NULL,
    attempts      integer NOT NULL,
    last_at       timestamptz NOT NULL,
    blocked_until timestamptz,
    PRIMARY KEY (org_id, key)
);
CREATE INDEX login_throttle_last_idx ON login_throttle (org_id, last_at);

DROP TABLE login_failures;
