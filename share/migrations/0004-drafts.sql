-- 0004-drafts.sql - sm-approve: drafts, their approvals (each bound to a hash of what
-- was approved), and the hash-chained audit log of every change to a case or a draft.

CREATE TABLE drafts (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('reply', 'post')),
	reply_to TEXT,               -- the item answered (CHANNEL:EXT_ID); NULL for a post
	case_id INTEGER,
	channel TEXT NOT NULL,
	text TEXT NOT NULL,
	author TEXT NOT NULL,        -- the agent who wrote it
	state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'sending',
	                                     'published', 'failed')),
	needs INTEGER NOT NULL,      -- approvals from distinct people, none the author
	policy TEXT,
	approver_role TEXT NOT NULL,
	approver_team TEXT,
	scheduled_at TEXT,           -- not before this time
	batch TEXT,                  -- drafts submitted together
	plan TEXT,                   -- the plan entry (file) of a plan post
	plan_blob TEXT,              -- its blob id
	reason TEXT,                 -- why it was rejected, or why sending failed
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX drafts_state ON drafts (state, scheduled_at);
CREATE INDEX drafts_batch ON drafts (batch);

CREATE TABLE approvals (
	id INTEGER PRIMARY KEY,
	draft_id INTEGER NOT NULL REFERENCES drafts (id),
	approver TEXT NOT NULL,
	hash TEXT NOT NULL,          -- what was approved: sm_draft_hash of text, channel, target, time
	at TEXT NOT NULL,
	UNIQUE (draft_id, approver, hash)
);

-- Append-only: each entry holds the hash of the one before, so an entry altered, inserted
-- or deleted breaks the chain from there on (sm-approve verify).
CREATE TABLE audit (
	seq INTEGER PRIMARY KEY,
	at TEXT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,        -- draft, edit, approve, reject, opened, assigned, forwarded...
	object TEXT NOT NULL,        -- draft:17, case:42
	detail TEXT,
	prev TEXT NOT NULL,
	hash TEXT NOT NULL
);
