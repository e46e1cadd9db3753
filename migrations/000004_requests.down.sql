DROP INDEX audit_events_validity_idx;
DROP INDEX documents_normative_idx;
DROP TABLE report_inputs;
DROP TABLE cases;
DROP TRIGGER requests_sync ON requests;
DROP FUNCTION requests_sync();
DROP TABLE requests;
DROP TABLE request_serials;
