-- 0009-assign.sql - sm-assign: indexes for what its queries ask, and few on the row every
-- new case writes; who forwarded a case, for the retries.
-- The CHECK on cases.status said `status IN (4 names)`, which SQLite evaluates by building
-- a temporary index of the list on every INSERT and UPDATE of a case (a quarter of the time
-- of opening one). The same condition as comparisons costs nothing; a CHECK is not stored
-- in the rows, so its text is changed in place, the way SQLite's documentation describes
-- for such changes (lang_altertable.html, "otherwise"); the statements after it change the
-- schema version, so every connection reads the new text.
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql,
	'CHECK (status IN (''new'', ''open'', ''pending'', ''resolved''))',
	'CHECK (status = ''new'' OR status = ''open'' OR status = ''pending'' OR status = ''resolved'')')
	WHERE type = 'table' AND name = 'cases';
PRAGMA writable_schema = OFF;
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
-- the agents' loads are counted in one pass when sm-assign starts, and list --agent walks
-- cases_open_due like list itself: an index of assignees is one more write per case and
-- change for nothing
DROP INDEX cases_assignee_status;
-- a retried forward says who forwarded it, not the cron run that retried it
ALTER TABLE forwards ADD COLUMN forwarded_by TEXT;
