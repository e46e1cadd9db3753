-- The sweep asks for the earliest due deadlines in order (ORDER BY due_at, id LIMIT n): with the
-- organisation and the order in the index it stops at the batch instead of sorting every due row.
CREATE INDEX deadlines_due_order_idx ON deadlines (org_id, due_at, id) WHERE status = 'pending';
DROP INDEX deadlines_due_idx;

-- The relay hands over rows never handed over, and hands again rows handed over long ago and still
-- not processed. Each has its own index, so neither walks the rows handed over a moment ago.
CREATE INDEX outbox_new_idx ON outbox (org_id, id) WHERE processed_at IS NULL AND enqueued_at IS NULL;
CREATE INDEX outbox_requeue_idx ON outbox (org_id, enqueued_at) WHERE processed_at IS NULL AND enqueued_at IS NOT NULL;
