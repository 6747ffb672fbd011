-- 0002-annotations.sql - what sm-match found in an item, kept beside its record
-- (the record stays as it came; commands print the two merged).
ALTER TABLE items ADD COLUMN tags TEXT;       -- JSON array of tags, NULL when no rule matched
ALTER TABLE items ADD COLUMN priority TEXT;   -- low | normal | high | urgent
ALTER TABLE items ADD COLUMN team TEXT;
ALTER TABLE items ADD COLUMN rules TEXT;      -- JSON array of the names of the rules that matched
ALTER TABLE items ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0;  -- a rule said Action: drop
ALTER TABLE items ADD COLUMN matched_at TEXT; -- when these annotations were last changed
CREATE INDEX items_created ON items (created_at);
