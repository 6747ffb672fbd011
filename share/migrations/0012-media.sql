-- 0012-media.sql - the media a draft is posted with (a plan entry's Media lines): each file
-- as it was in the plan repository's reviewed commit, named by its git blob, with its alt
-- text, type, size and SHA-256. The approval hash covers the SHA-256 and the alt text of
-- each, so a changed image voids the approvals; sm-publish reads the bytes from the plan
-- repository and sends them only if they still have that SHA-256.
CREATE TABLE draft_media (
	draft_id INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,   -- 0, 1...: the order of the Media lines
	path TEXT NOT NULL,          -- the file in the plan repository
	blob TEXT NOT NULL,          -- its git blob id at the draft's plan_commit
	alt TEXT NOT NULL,           -- the description for those who cannot see it
	mime TEXT NOT NULL,          -- the type its first bytes say (image/png...)
	size INTEGER NOT NULL,       -- bytes
	sha256 TEXT NOT NULL,
	width INTEGER,               -- pixels, for an image whose header says
	height INTEGER,
	PRIMARY KEY (draft_id, position)
);
