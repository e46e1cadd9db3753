-- A deadline may be addressed to another unit than its subject's: each co-unit of a countersign
-- (会签) has its own deadline, whose reminder and overdue alert go to that unit's head. Empty = the
-- subject's own unit, as before.
ALTER TABLE deadlines ADD COLUMN unit text NOT NULL DEFAULT '';
