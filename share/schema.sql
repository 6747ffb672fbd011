-- schema.sql - the smkit store, version 1. Later versions are share/migrations/NNNN-*.sql,
-- applied in order by every command that opens the store (PRAGMA user_version counts them,
-- the table smkit_migrations names them: a store whose names differ is refused).

-- Channels as the config named them when they were last fetched.
CREATE TABLE channels (
	name TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	first_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Where each source of a channel (a feed URL, a stream) was read up to.
-- A row changes only in the transaction that commits the items it covers.
CREATE TABLE cursors (
	channel TEXT NOT NULL,
	source TEXT NOT NULL,       -- the URL, or '' for the channel as a whole
	etag TEXT,
	last_modified TEXT,
	cursor TEXT,                -- since_id, a page token...: the adapter's own
	fetched_at TEXT,            -- last attempt
	ok_at TEXT,                 -- last success
	error TEXT,                 -- last failure, NULL after a success
	PRIMARY KEY (channel, source)
) WITHOUT ROWID;

CREATE TABLE authors (
	id TEXT PRIMARY KEY,        -- network:handle, e.g. mastodon:kunde@social.example
	network TEXT,
	handle TEXT,
	name TEXT,
	first_seen TEXT,
	last_seen TEXT
);

-- Every item ever read: its columns for queries, and the whole record as it came,
-- unknown fields included, so it can be printed again untouched.
CREATE TABLE items (
	rowid INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,    -- CHANNEL:EXT_ID
	channel TEXT NOT NULL,
	network TEXT,
	kind TEXT,
	ext_id TEXT,
	url TEXT,
	thread TEXT,
	in_reply_to TEXT,
	author_id TEXT,
	title TEXT,
	text TEXT,
	lang TEXT,
	created_at TEXT,
	fetched_at TEXT NOT NULL,   -- first seen; later fetches keep it
	updated_at TEXT,            -- when a later fetch found other content
	record TEXT NOT NULL
);
CREATE INDEX items_channel_created ON items (channel, created_at);
CREATE INDEX items_thread ON items (thread);
CREATE INDEX items_author ON items (author_id);

-- Full-text index of title and text, kept by triggers.
CREATE VIRTUAL TABLE items_fts USING fts5 (
	title, text, content = 'items', content_rowid = 'rowid',
	tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
	INSERT INTO items_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
	INSERT INTO items_fts (items_fts, rowid, title, text)
	VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text ON items BEGIN
	INSERT INTO items_fts (items_fts, rowid, title, text)
	VALUES ('delete', old.rowid, old.title, old.text);
	INSERT INTO items_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
