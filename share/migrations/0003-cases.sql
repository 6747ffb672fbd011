-- 0003-cases.sql - sm-assign: cases (one per conversation), their items, their history,
-- the agents' and teams' assignment state, and forwards to other teams.

CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	conversation TEXT NOT NULL,   -- a thread id, or dm:CHANNEL:AUTHOR for direct messages and e-mail
	channel TEXT NOT NULL,
	author_id TEXT,               -- the customer who opened it
	team TEXT,
	assignee TEXT,                -- an [agent] name, NULL while new or queued
	status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'pending', 'resolved')),
	priority TEXT,
	policy TEXT,
	opened_at TEXT NOT NULL,
	queued_at TEXT,               -- waiting for an agent with capacity since then
	first_response_due TEXT,
	resolution_due TEXT,
	first_response_at TEXT,
	resolved_at TEXT,
	escalated_at TEXT,
	updated_at TEXT NOT NULL
);
-- one case that is not resolved per conversation: two processes can never open two
CREATE UNIQUE INDEX cases_conversation_open ON cases (conversation) WHERE status != 'resolved';
CREATE INDEX cases_assignee_status ON cases (assignee, status);
CREATE INDEX cases_team_status ON cases (team, status, queued_at);
CREATE INDEX cases_due ON cases (status, first_response_due);

-- every item belongs to exactly one case
CREATE TABLE case_items (
	item_id TEXT PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases (id),
	added_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX case_items_case ON case_items (case_id);

-- the history of a case: who changed what, when (for response and resolution reports)
CREATE TABLE case_events (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases (id),
	at TEXT NOT NULL,
	actor TEXT NOT NULL,          -- an agent, a login, or 'sm-assign' for the automatic stage
	what TEXT NOT NULL,           -- opened, assigned, queued, status, reopened, forwarded, escalated...
	old TEXT,
	new TEXT,
	note TEXT
);
CREATE INDEX case_events_case ON case_events (case_id, at);

CREATE TABLE agent_state (
	agent TEXT PRIMARY KEY,
	away INTEGER NOT NULL DEFAULT 0,
	last_assigned_at TEXT
);

CREATE TABLE team_state (
	team TEXT PRIMARY KEY,
	last_agent TEXT               -- round-robin: who got the last case
);

CREATE TABLE forwards (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases (id),
	team TEXT NOT NULL,
	via TEXT NOT NULL CHECK (via IN ('email', 'webhook')),
	target TEXT NOT NULL,
	note TEXT,
	state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
	tries INTEGER NOT NULL DEFAULT 0,
	error TEXT,
	created_at TEXT NOT NULL,
	sent_at TEXT
);
