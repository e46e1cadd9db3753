DROP TABLE comment_salts;
DROP TABLE comments;
ALTER TABLE documents DROP COLUMN adoption_summary;
