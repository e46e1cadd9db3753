DROP TABLE portal_texts;
