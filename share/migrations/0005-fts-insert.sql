-- 0005-fts-insert.sql - new items are entered in the full-text index by the store itself
-- (sm_store_put_row), not by a trigger: a trigger that writes to the FTS5 table makes
-- every INSERT flush FTS5's pending terms, once per row instead of once per commit, which
-- cost a third of the time of a large ingest. Rows written into items by anything else
-- than smkit are not indexed until: INSERT INTO items_fts (items_fts) VALUES ('rebuild').
DROP TRIGGER items_fts_insert;
