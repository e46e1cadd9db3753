ALTER TABLE deadlines DROP COLUMN unit;
