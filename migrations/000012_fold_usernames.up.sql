-- User names are case-folded (workflow.FoldUsername): the store writes and looks them up in lower
-- case. Existing names are folded here unless another account of the organisation already has
-- the folded name; such a pair is left as it is for an administrator to resolve (the mixed-case
-- one can no longer log in until renamed).
UPDATE users u SET username = lower(btrim(u.username))
WHERE u.username <> lower(btrim(u.username))
  AND NOT EXISTS (SELECT 1 FROM users o WHERE o.org_id = u.org_id AND o.id <> u.id
                  AND lower(btrim(o.username)) = lower(btrim(u.username)));
