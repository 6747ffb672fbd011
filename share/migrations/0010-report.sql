-- 0010-report.sql - sm-report: indexes that let reports read only what they count.
-- Matched items (rules IS NOT NULL) with what topics counts, in time order: a partial
-- index, so the ingest (where rules is still NULL) never writes to it; sm-match's
-- annotation of a matched item adds one entry.
CREATE INDEX items_matched ON items (created_at, channel, tags, rules) WHERE rules IS NOT NULL;
-- The reopened cases, few among the events: where a case's current round began.
CREATE INDEX case_events_reopened ON case_events (case_id, id) WHERE what = 'reopened';
