-- 0008-plan.sql - sm-plan: the entries of the editorial plan, followed through renames, and
-- where each plan draft came from, so a later commit can replace or withdraw it.
CREATE TABLE plan_entries (
	id INTEGER PRIMARY KEY,
	path TEXT NOT NULL,          -- its file on the reviewed branch (a rename moves it)
	created_at TEXT NOT NULL,
	deleted TEXT                 -- the commit that deleted it; NULL while it is there
);
CREATE UNIQUE INDEX plan_entries_path ON plan_entries (path) WHERE deleted IS NULL;

-- The reviewed commit the drafts were last made from, per branch.
CREATE TABLE plan_synced (
	branch TEXT PRIMARY KEY,
	commit_id TEXT NOT NULL,
	at TEXT NOT NULL
);

ALTER TABLE drafts ADD COLUMN plan_entry INTEGER REFERENCES plan_entries (id);
ALTER TABLE drafts ADD COLUMN plan_commit TEXT;   -- the reviewed commit it was made from
ALTER TABLE drafts ADD COLUMN plan_version TEXT;  -- SHA-256 of the entry's blob and its media's
-- one draft per version of an entry, channel and occurrence
CREATE UNIQUE INDEX drafts_plan ON drafts (plan_entry, plan_version, channel, scheduled_at)
	WHERE plan_entry IS NOT NULL;
