#!/bin/sh
# sm-publish through an e-mail channel, with a real dovecot and a real SMTP server: the reply
# goes out by SMTP and a copy into the sent folder (IMAP APPEND); a run that died while
# sending is reconciled by looking for the Message-ID in that folder: found, the mail is
# not sent again; not found, it is sent once. Without a sent folder an interrupted mail is
# never sent again (at most once) and ends failed with the Message-ID to look for.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/dovecot.sh"

command -v sm-publish >/dev/null || skip_all "sm-publish not built"
command -v jq >/dev/null || skip_all "jq not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
PY=/usr/bin/python3
dovecot_available || skip_all "dovecot not installed (Debian: dovecot-imapd)"
$PY -c 'import aiosmtpd' 2>/dev/null || skip_all "python3-aiosmtpd not installed"

PASS=tok-MAIL-2468
export SM_TEST_MAILPW=$PASS
WS=$TMP/ws
export SM_DIR=$WS
cfg() { git config -f "$WS/config" "$@"; }

dovecot_start care "$PASS" || { echo "Bail out! dovecot did not start"; exit 1; }
export IMAP_PORT
peer smtpd smtpd.py --maildir "$TMP/smtp" --auth "care:$PASS"
SMTP_PORT=$PORT

# imap CMD: Sent folder operations through Python's imaplib (create, count, ids)
imap() {
	$PY - "$1" <<-'EOF'
	import imaplib, os, sys
	m = imaplib.IMAP4("127.0.0.1", int(os.environ["IMAP_PORT"]))
	m.login("care", os.environ["SM_TEST_MAILPW"])
	if sys.argv[1] == "create":
	    m.create("Sent")
	else:
	    m.select("Sent", readonly=True)
	    typ, data = m.search(None, "ALL")
	    nums = data[0].split()
	    if sys.argv[1] == "count":
	        print(len(nums))
	    else:
	        for n in nums:
	            typ, d = m.fetch(n, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
	            print(d[0][1].decode().split(":", 1)[1].strip())
	m.logout()
	EOF
}
smtp_count() { ls "$TMP/smtp" 2>/dev/null | grep -c '\.eml$'; }

sm-init "$WS" >/dev/null 2>&1 || { echo "Bail out! sm-init failed"; exit 1; }
cfg security.identity env
cfg channel.mail.kind email
cfg channel.mail.url "imap://127.0.0.1:$IMAP_PORT/INBOX"
cfg channel.mail.user care
cfg channel.mail.token-env SM_TEST_MAILPW
cfg channel.mail.smtp "smtp://127.0.0.1:$SMTP_PORT"
cfg channel.mail.from "Kundenservice <service@support.example>"
cfg channel.mail.sent-folder Sent
cfg agent.alice.role agent
cfg agent.bob.role approver
cfg agent.otto.role publisher
imap create

cat > q1.eml <<'EOF'
From: Jana Kunde <jana@example.org>
To: service@support.example
Subject: Rechnung doppelt
Date: Mon, 23 Nov 2026 10:00:00 +0000
Message-ID: <q1.100@example.org>

Meine Rechnung wurde doppelt abgebucht.
EOF
dovecot_deliver q1.eml
sm-fetch -c mail 2>/dev/null | sm-assign > assigned 2>&1
ITEM=$(sqlval "SELECT id FROM items WHERE channel = 'mail' LIMIT 1")
CASE=$(sqlval "SELECT case_id FROM case_items WHERE item_id = '$ITEM'")
ok "the question is fetched and put in a case" test -n "$ITEM" -a -n "$CASE"

# draft TEXT: a reply to the question, approved; its id
draft() {
	SM_USER=alice sm-approve draft "$ITEM" -m "$1" | SM_USER=bob sm-approve ok - | jq -r .draft
}

# --- a reply: SMTP, and a copy in Sent --------------------------------------------------
D1=$(draft "Wir erstatten den Betrag.")
SM_USER=otto sm-publish > out 2> err
is "published: exit 0" "$?" 0
is "the result record says published" "$(jq -r .state out)" published
MID=$(jq -r .published.ext_id out)
is "one mail reached the SMTP server" "$(smtp_count)" 1
like "... to the customer" "$TMP/smtpd.log" '"rcpt_tos": \["jana@example.org"\]'
like "... in the thread" "$TMP/smtp/0001.eml" "^In-Reply-To: <q1.100@example.org>"
like "... with our Message-ID" "$TMP/smtp/0001.eml" "^Message-ID: <$MID>"
is "a copy is in Sent" "$(imap ids)" "<$MID>"
is "the case is pending, its first response recorded" \
	"$(sqlval "SELECT status, first_response_at IS NOT NULL FROM cases WHERE id = $CASE")" "pending|1"

# --- a run that died after the mail went out: found in Sent, not sent again ----------------
sqlval "UPDATE drafts SET state = 'sending', lease_owner = 'elsewhere:1:1',
	lease_until = '2000-01-01T00:00:00Z', published_id = NULL, published_at = NULL WHERE id = $D1"
SM_USER=otto sm-publish > out 2> err
is "reconciled: exit 0" "$?" 0
like "... the run says it looked" err "did not finish: looking whether it went out"
is "... found, published again in the store" "$(jq -r '.state + " " + .published.ext_id' out)" "published $MID"
is "... and not sent a second time" "$(smtp_count)" 1
is "... nor copied twice" "$(imap count)" 1

# --- a run that died before the mail went out: not in Sent, sent once ----------------------
D2=$(draft "Zweite Antwort.")
sqlval "UPDATE drafts SET state = 'sending', lease_owner = 'elsewhere:1:1',
	lease_until = '2000-01-01T00:00:00Z', attempts = 1 WHERE id = $D2"
SM_USER=otto sm-publish > out 2> err
is "not found: sent now, exit 0" "$?" 0
is "... published" "$(jq -r .state out)" published
is "... one more mail at the SMTP server" "$(smtp_count)" 2
is "... and in Sent" "$(imap count)" 2
SM_USER=otto sm-publish > out 2> err
is "a further run sends nothing" "$(smtp_count):$(wc -c < out | tr -d ' ')" "2:0"

# --- no sent folder: an interrupted mail is never sent twice ------------------------------
cfg --unset channel.mail.sent-folder
D3=$(draft "Dritte Antwort.")
sqlval "UPDATE drafts SET state = 'sending', lease_owner = 'elsewhere:1:1',
	lease_until = '2000-01-01T00:00:00Z', attempts = 1 WHERE id = $D3"
exits "no sent folder: the draft fails, exit 65" 65 sh -c 'SM_USER=otto sm-publish > out 2> err'
is "... failed" "$(jq -r .state out)" failed
like "... with the Message-ID to look for" out 'whether the mail went out is unknown \(look for Message-ID <smkit-'
is "... and nothing was sent" "$(smtp_count)" 2
is "sm-approve edit revives it (pending again)" \
	"$(SM_USER=alice sm-approve edit "$D3" -m "Dritte Antwort, neu." | jq -r .state)" pending
is "audit: each publish, reconciliation and failure, in order" \
	"$(sqlval "SELECT group_concat(action, ',') FROM (SELECT action FROM audit WHERE action IN ('published','reconcile','failed') ORDER BY seq)")" \
	"published,reconcile,published,reconcile,published,reconcile,failed"
ok "the audit chain is intact" quiet sm-approve verify

done_testing
