-- 0009-assign.sql - sm-assign: indexes for what its queries ask, and few on the row every
-- new case writes; who forwarded a case, for the retries.
-- A conversation's case not resolved is found by the unique index of 0003; the newest
-- resolved one (to reopen a thread) by a partial index that new cases never enter.
DROP INDEX cases_conversation;
CREATE INDEX cases_conversation_resolved ON cases (conversation, id) WHERE status = 'resolved';
-- the team queues: only the cases that wait for an agent are in it
DROP INDEX cases_team_status;
CREATE INDEX cases_queue ON cases (team, queued_at, id) WHERE queued_at IS NOT NULL;
-- sm-assign list (and escalate): the cases not resolved, most urgent first, without a sort
DROP INDEX cases_due;
CREATE INDEX cases_open_due ON cases (coalesce(first_response_due, '9999'), id)
	WHERE status != 'resolved';
-- a retried forward says who forwarded it, not the cron run that retried it
ALTER TABLE forwards ADD COLUMN forwarded_by TEXT;
