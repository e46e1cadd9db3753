-- The planner's statistics of facts->>'attribute', which every public read filters on
-- (documents_public_idx's predicate). Without them PostgreSQL guesses that one row in two hundred
-- is 主动公开, so it estimates a search of the public documents at one row and walks the whole
-- public index, reading every document's search terms, instead of asking the bigram index
-- (documents_search_idx): at 10,000 published documents the search's count took 1.7 s, with the
-- statistics 40 ms (docs/performance.md, growth).
CREATE STATISTICS documents_attribute_stats ON (facts->>'attribute') FROM documents;
ANALYZE documents;
