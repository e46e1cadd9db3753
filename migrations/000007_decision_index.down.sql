DROP INDEX documents_decision_idx;
