DROP TABLE audit_heads;
DROP INDEX audit_events_gseq_idx;
ALTER TABLE audit_events DROP COLUMN keyed, DROP COLUMN gseq;
