DROP TABLE catalogue_item_versions;
DROP TABLE catalogue_items;
