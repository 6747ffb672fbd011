-- 0006-cases-conversation.sql - finding a conversation's newest case, resolved or not, must
-- not scan every case: the unique index of 0003 covers unresolved cases only.
CREATE INDEX cases_conversation ON cases (conversation, id);
