DROP TABLE document_file_chunks;
DROP TABLE document_files;
