-- The console's 已办 list reads a user's latest actions; without this index it would read the
-- whole audit log.
CREATE INDEX audit_events_actor_idx ON audit_events (org_id, actor_id, id DESC) WHERE actor_id IS NOT NULL;
