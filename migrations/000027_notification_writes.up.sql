-- The deadline sweep writes its transitions' notifications itself, a batch at a time: 100,000
-- consultations opening at once in a unit of eight drafters are 800,000 inbox entries, the largest
-- part of the sweep's work (docs/performance.md). Each entry cost a heap row, three index entries
-- and a foreign-key check; now it costs the row and two index entries:
--
-- * The foreign-key check on users (a SELECT … FOR KEY SHARE per entry, and a MultiXact whenever
--   two batches told the same user) is dropped. Users are never deleted (an account is disabled,
--   so its audit history keeps its name), and every writer takes the recipients from users and
--   role_assignments in the same transaction, so the check guarded nothing that can happen.
-- * The inbox is read by user, newest first: the primary key becomes (org_id, user_id, id) and
--   serves that read (in the order entries arrived), so the separate (org_id, user_id,
--   created_at) index goes.
-- * source, the key that makes delivery idempotent, compares bytewise (COLLATE "C"): it is an
--   identifier ("outbox:12", "deadline:34"), never sorted for a reader.
ALTER TABLE notifications DROP CONSTRAINT notifications_org_id_user_id_fkey;
DROP INDEX notifications_user_idx;
ALTER TABLE notifications DROP CONSTRAINT notifications_pkey;
ALTER TABLE notifications ADD PRIMARY KEY (org_id, user_id, id);
ALTER TABLE notifications DROP CONSTRAINT notifications_org_id_user_id_source_key;
ALTER TABLE notifications ALTER COLUMN source TYPE text COLLATE "C";
ALTER TABLE notifications ADD CONSTRAINT notifications_org_id_user_id_source_key UNIQUE (org_id, user_id, source);
