ALTER TABLE notifications DROP CONSTRAINT notifications_org_id_user_id_source_key;
ALTER TABLE notifications ALTER COLUMN source TYPE text COLLATE "default";
ALTER TABLE notifications ADD CONSTRAINT notifications_org_id_user_id_source_key UNIQUE (org_id, user_id, source);
ALTER TABLE notifications DROP CONSTRAINT notifications_pkey;
ALTER TABLE notifications ADD PRIMARY KEY (org_id, id);
CREATE INDEX notifications_user_idx ON notifications (org_id, user_id, created_at DESC);
ALTER TABLE notifications ADD CONSTRAINT notifications_org_id_user_id_fkey
    FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE;
