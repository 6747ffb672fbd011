-- 0007-publish.sql - sm-publish: what it takes to send a draft exactly once.
-- A draft is claimed by moving it to 'sending' with a lease (the claiming process and the
-- time the claim runs out); a draft left 'sending' after its lease ran out was claimed by a
-- process that died, and is reconciled with the network before anything is sent again.
ALTER TABLE drafts ADD COLUMN send_key TEXT;       -- Idempotency-Key / record key / Message-ID
ALTER TABLE drafts ADD COLUMN lease_owner TEXT;    -- host:pid of the process sending it
ALTER TABLE drafts ADD COLUMN lease_until TEXT;    -- the claim runs out then
ALTER TABLE drafts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE drafts ADD COLUMN next_attempt TEXT;   -- after a temporary failure: not before
ALTER TABLE drafts ADD COLUMN published_id TEXT;   -- the network's id of the post
ALTER TABLE drafts ADD COLUMN published_url TEXT;
ALTER TABLE drafts ADD COLUMN published_at TEXT;
ALTER TABLE drafts ADD COLUMN approved_hash TEXT;  -- sm_draft_hash when it was released
CREATE INDEX drafts_sending ON drafts (state, lease_until) WHERE state = 'sending';
CREATE INDEX drafts_published ON drafts (published_at) WHERE published_at IS NOT NULL;
