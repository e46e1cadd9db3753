DROP INDEX outbox_requeue_idx;
DROP INDEX outbox_new_idx;
CREATE INDEX deadlines_due_idx ON deadlines (due_at) WHERE status = 'pending';
DROP INDEX deadlines_due_order_idx;
