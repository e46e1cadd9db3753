-- The public consultation lists (and the box of open consultations beside the portal's document
-- list) look for decision drafts in public states; without this index they walk every published
-- document, which are nearly all of definition 'document'.
CREATE INDEX documents_decision_idx ON documents (org_id, state) WHERE definition = 'decision';
