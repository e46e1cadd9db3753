DROP STATISTICS IF EXISTS documents_attribute_stats;
