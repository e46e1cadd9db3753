-- Folding user names cannot be undone: the original case is not kept.
SELECT 1;
