#!/bin/sh
# The email channel against a real dovecot IMAP server and an aiosmtpd SMTP sink on
# loopback: MIME decoding (quoted-printable ISO-8859-1, base64 UTF-8, HTML-only
# alternative, attachments), reading without marking anything seen, new mail by UID, a
# mailbox made anew (new UIDVALIDITY), a message that mimics the end of the response, a
# wrong password, replies and new mail sent by SMTP, config errors, and secrets kept out
# of every output, trace and the store.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/dovecot.sh"

command -v sm-fetch >/dev/null && command -v sm-init >/dev/null || skip_all "sm-fetch not built"
command -v jq >/dev/null || skip_all "jq not installed"
PY=/usr/bin/python3
[ -x $PY ] || skip_all "/usr/bin/python3 not installed"
dovecot_available || skip_all "dovecot not installed (Debian: dovecot-imapd)"
$PY -c 'import aiosmtpd' 2>/dev/null || skip_all "python3-aiosmtpd not installed"
SENDTOOL=$SM_BUILD/tests/unit/sendtool
[ -x "$SENDTOOL" ] || skip_all "tests/unit/sendtool not built"

PASS=tok-SECRET-1234
WRONG=wrong-Passw0rd-77
export SM_TEST_MAILPW=$PASS
WS=$TMP/ws

dovecot_start care "$PASS" || { echo "Bail out! dovecot did not start"; exit 1; }
$PY "$SM_SRC/tests/lib/smtpd.py" --maildir "$TMP/sent" --auth "care:$PASS" \
	--reject nobody@example.org --port 0 --port-file "$TMP/smtpd.port" \
	--pid-file "$TMP/smtpd.pid" --log "$TMP/smtpd.log" 2>"$TMP/smtpd.err" &
i=0
while [ ! -s "$TMP/smtpd.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$TMP/smtpd.port" ] || { echo "Bail out! smtpd.py did not start: $(cat "$TMP/smtpd.err")"; exit 1; }
SMTP_PORT=$(cat "$TMP/smtpd.port")

# --- helpers ---------------------------------------------------------------------------

cfg() { git config -f "$WS/config" "$@"; }
# run_fetch NAME STATUS ARGS...: sm-fetch on the workspace, stdout to out, stderr to err
run_fetch() {
	_rn=$1 _rw=$2
	shift 2
	timeout 60 sm-fetch --dir "$WS" "$@" >out 2>err
	_rc=$?
	if [ "$_rc" -eq "$_rw" ]; then pass "$_rn"; else
		fail "$_rn"
		diag "exit $_rc, want $_rw; stderr:" "$(head -c 1500 err)"
	fi
}
lines() { if [ -s "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
# field EXT KEY: a field (jq path) of the item with that ext_id as printed (file out)
field() { jq -r --arg e "$1" "select(.ext_id == \$e) | $2" out; }
count() { sqlval "select count(*) from items where channel='mail'"; }
# uidvalidity: INBOX's, as the server tells it (STATUS)
uidvalidity() {
	$PY - <<-'EOF'
	import imaplib, os, re
	m = imaplib.IMAP4("127.0.0.1", int(os.environ["IMAP_PORT"]))
	m.login("care", os.environ["SM_TEST_MAILPW"])
	print(re.search(rb"UIDVALIDITY (\d+)", m.status("INBOX", "(UIDVALIDITY)")[1][0]).group(1).decode())
	m.logout()
	EOF
}
# seen: how many messages of INBOX carry \Seen (read-only EXAMINE, so we change nothing)
seen() {
	$PY - <<-'EOF'
	import imaplib, os
	m = imaplib.IMAP4("127.0.0.1", int(os.environ["IMAP_PORT"]))
	m.login("care", os.environ["SM_TEST_MAILPW"])
	m.select("INBOX", readonly=True)
	typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
	print(sum(1 for d in data if d and b"\\Seen" in d))
	m.logout()
	EOF
}
# no_secret NAME FILES...: the password (and its SASL PLAIN form) is in none of the files
PLAIN64=$($PY -c 'import base64,sys; print(base64.b64encode(b"\0care\0" + sys.argv[1].encode()).decode())' "$PASS")
no_secret() {
	_ns=$1
	shift
	if grep -a -q -F -e "$PASS" -e "$PLAIN64" -e "$WRONG" "$@" 2>/dev/null; then
		fail "$_ns"
		diag "a secret in: $(grep -a -l -F -e "$PASS" -e "$PLAIN64" -e "$WRONG" "$@")"
	else pass "$_ns"; fi
}

# --- fixtures --------------------------------------------------------------------------

# quoted-printable ISO-8859-1 with an encoded-word subject and sender name
cat >m1.eml <<'EOF'
Return-Path: <juergen@example.de>
From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <Juergen@Example.DE>
To: Kundenservice <service@support.example>
Subject: =?ISO-8859-1?Q?St=F6rung_in_K=F6ln?=
Date: Mon, 23 Nov 2026 10:58:00 +0100 (CET)
Message-ID: <m1.4711@example.de>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable
Content-Language: de

Seit heute Morgen kein Internet in K=F6ln-Ehrenfeld, der Router blinkt rot.=
 Bitte um R=FCckruf.

Gr=FC=DFe
J=FCrgen
EOF
# base64 UTF-8, a reply in a thread, a non-ASCII subject in B words
cat >m2.eml <<'EOF'
From: Anna Beispiel <anna@example.org>
To: service@support.example
Cc: Buchhaltung <buchhaltung@example.org>
Subject: =?UTF-8?B?UmU6IFJlY2hudW5nIMO8YmVyIDQ5LDk5IOKCrA==?=
 =?UTF-8?B?IGRvcHBlbHQgYWJnZWJ1Y2h0?=
Date: Tue, 24 Nov 2026 08:00:00 +0000
Message-ID: <m2.0815@example.org>
In-Reply-To: <m0.0001@support.example>
References: <m-root.1@example.org>
 <m0.0001@support.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

TWlyIHd1cmRlIGRpZSBOb3ZlbWJlcnJlY2hudW5nIMO8YmVyIDQ5LDk5IOKCrCB6d2VpbWFsIGFi
Z2VidWNodC4KCkdyw7zDn2UsIEFubmE=
EOF
# multipart/alternative whose text/plain part is empty: the HTML holds the message
cat >m3.eml <<'EOF'
From: "Chen, M." <m.chen@example.net>
To: service@support.example
Subject: App login failing
Date: Tue, 24 Nov 2026 09:00:00 -0500
Message-ID: <m3@example.net>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="=_alt_42"

This is a multi-part message in MIME format.

--=_alt_42
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit


--=_alt_42
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<html><head><style>p {color: red}</style></head><body><p>Can&#39;t log in si=
nce this morning, <b>error 503</b>.</p><p>Anyone else? &ndash; M.</p></body></html>
--=_alt_42--
EOF
# multipart/mixed with an attachment (listed, not stored)
cat >m4.eml <<'EOF'
From: kunde@example.com (Max Kunde)
To: service@support.example
Subject: Vertrag
Date: Wed, 25 Nov 2026 12:00:00 +0100
Message-ID: <m4@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=mix

--mix
Content-Type: text/plain; charset=utf-8; format=flowed
Content-Transfer-Encoding: 8bit

Anbei mein Vertrag, bitte kündigen. 
Danke.
--mix
Content-Type: application/pdf; name="Vertrag.pdf"
Content-Disposition: attachment; filename*=UTF-8''K%C3%BCndigung%20Vertrag.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCg==
--mix--
EOF
# after the mailbox is made anew
cat >m5.eml <<'EOF'
From: neu@example.com
To: service@support.example
Subject: Nach dem Umzug
Date: Thu, 26 Nov 2026 12:00:00 +0000
Message-ID: <m5@example.com>

Neue Nachricht nach dem Umzug des Postfachs.
EOF
# a message whose lines look like the end of curl's FETCH command (tag NO), then one more
{
	printf 'From: evil@example.com\nSubject: tags\nDate: Thu, 26 Nov 2026 13:00:00 +0000\n'
	printf 'Message-ID: <m6@example.com>\n\nbefore the tags\n'
	for l in A B C D E F; do
		for n in 001 002 003 004 005 006 007 008 009 010 011 012 013 014 015; do
			printf '%s%s NO [ALERT] not the end\n' "$l" "$n"
		done
	done
	printf 'after the tags\n'
} >m6.eml
cat >m7.eml <<'EOF'
From: after@example.com
Subject: after the tags
Date: Thu, 26 Nov 2026 14:00:00 +0000
Message-ID: <m7@example.com>

Still read.
EOF

# --- a workspace with one email channel ------------------------------------------------

ok "sm-init creates a workspace" quiet sm-init "$WS"
for c in $(git config -f "$WS/config" --name-only --get-regexp '^channel\..*\.kind$' 2>/dev/null); do
	c=${c#channel.}
	git config -f "$WS/config" --remove-section "channel.${c%.kind}"
done
cfg fetch.timeout 10s
cfg fetch.attempts 1
cfg fetch.max-wait 1
cfg channel.mail.kind email
cfg channel.mail.url "imap://127.0.0.1:$IMAP_PORT/INBOX"
cfg channel.mail.user care
cfg channel.mail.token-env SM_TEST_MAILPW
cfg channel.mail.smtp "smtp://127.0.0.1:$SMTP_PORT"
cfg channel.mail.from "Kundenservice Beispiel <service@support.example>"

# --- fetching --------------------------------------------------------------------------

dovecot_deliver m1.eml
dovecot_deliver m2.eml
dovecot_deliver m3.eml
run_fetch "first fetch: exit 0" 0 -v -v
is "three new items" "$(lines out)" 3
is "all are email items of the channel" \
	"$(jq -r '[.channel, .network, .kind] | join(" ")' out | sort -u)" "mail email email"
is "ids are CHANNEL:Message-ID" "$(jq -r .id out | sort | tr '\n' ' ')" \
	"mail:m1.4711@example.de mail:m2.0815@example.org mail:m3@example.net "
is "QP latin-1: encoded-word subject decoded" "$(field m1.4711@example.de .title)" "Störung in Köln"
is "QP latin-1: subject extra" "$(field m1.4711@example.de .subject)" "Störung in Köln"
is "QP latin-1: text decoded, soft break joined" "$(field m1.4711@example.de .text)" \
	"$(printf 'Seit heute Morgen kein Internet in Köln-Ehrenfeld, der Router blinkt rot. Bitte um Rückruf.\n\nGrüße\nJürgen')"
is "QP latin-1: author" "$(field m1.4711@example.de '.author | "\(.id)|\(.handle)|\(.name)"')" \
	"email:juergen@example.de|Juergen@Example.DE|Jürgen Müller"
is "Date in UTC" "$(field m1.4711@example.de .created_at)" "2026-11-23T09:58:00Z"
is "Content-Language" "$(field m1.4711@example.de .lang)" "de"
is "a first message is its own thread" "$(field m1.4711@example.de '.thread + " " + (.in_reply_to // "-")')" \
	"mail:m1.4711@example.de -"
is "base64 UTF-8: subject in two B words" "$(field m2.0815@example.org .title)" \
	"Re: Rechnung über 49,99 € doppelt abgebucht"
is "base64 UTF-8: text" "$(field m2.0815@example.org .text)" \
	"$(printf 'Mir wurde die Novemberrechnung über 49,99 € zweimal abgebucht.\n\nGrüße, Anna')"
is "reply: in_reply_to and thread (first of References)" \
	"$(field m2.0815@example.org '.in_reply_to + " " + .thread')" \
	"mail:m0.0001@support.example mail:m-root.1@example.org"
is "reply: references and cc extras" "$(field m2.0815@example.org '(.references | join(",")) + " " + .cc')" \
	"m-root.1@example.org,m0.0001@support.example Buchhaltung <buchhaltung@example.org>"
is "HTML-only alternative: text from the HTML" "$(field m3@example.net .text)" \
	"$(printf "Can't log in since this morning, error 503.\n\nAnyone else? – M.")"
is "quoted display name with a comma" "$(field m3@example.net .author.name)" "Chen, M."
is "url names the message (RFC 5092)" "$(field m3@example.net .url)" \
	"imap://127.0.0.1:$IMAP_PORT/INBOX;UIDVALIDITY=$(uidvalidity)/;UID=3"
is "the mailbox is still unread" "$(seen)" 0
is "three items stored" "$(count)" 3
V1=$(uidvalidity)
is "cursor: UIDVALIDITY:LASTUID" "$(sqlval "select cursor from cursors where channel='mail' and source='INBOX'")" "$V1:3"
no_secret "fetch -v -v: no password in stdout, stderr (trace)" out err
like "the trace shows the login, password hidden" err 'AUTHENTICATE PLAIN \*\*\*'

run_fetch "again: exit 0" 0
is "again: nothing new" "$(lines out)" 0

dovecot_deliver m4.eml
run_fetch "one more message: exit 0" 0 -v
is "exactly one new" "$(jq -r .ext_id out)" "m4@example.com"
is "attachment listed as media, content not kept" "$(field m4@example.com '.media | tostring')" \
	'[{"filename":"Kündigung Vertrag.pdf","type":"application/pdf"}]'
is "format=flowed joined" "$(field m4@example.com .text)" "Anbei mein Vertrag, bitte kündigen. Danke."
is "comment-style sender name" "$(field m4@example.com .author.name)" "Max Kunde"
like "summary" err 'mail: 1 new, 0 known'

# --- the mailbox made anew: a new UIDVALIDITY, old UIDs meaningless ----------------------

mv "$MAILDIR"/cur/* "$MAILDIR/new/" 2>/dev/null
rm -f "$MAILDIR"/dovecot-uidlist "$MAILDIR"/dovecot.index*
dovecot_deliver m5.eml
V2=$(uidvalidity)
nok "the mailbox has a new UIDVALIDITY" test "$V1" = "$V2"
run_fetch "after the new UIDVALIDITY: exit 0" 0 -v
is "only the new message is new" "$(jq -r .ext_id out)" "m5@example.com"
like "the change is reported" err 'UIDVALIDITY changed'
like "the old ones are known, not stored again" err 'mail: 1 new, 4 known'
is "no duplicates in the store" "$(count)" 5
is "cursor reset to the new UIDVALIDITY" "$(sqlval "select cursor from cursors where channel='mail'")" "$V2:5"
is "still unread" "$(seen)" 0

# --- a message with lines that look like the end of the FETCH response ---------------------

dovecot_deliver m6.eml
dovecot_deliver m7.eml
run_fetch "tag-like lines inside a message: exit 0" 0 -v
is "both messages stored" "$(sqlval "select count(*) from items where ext_id in ('m6@example.com','m7@example.com')")" 2
is "the one after it is whole" "$(sqlval "select json_extract(record,'\$.text') from items where ext_id='m7@example.com'")" "Still read."
like "the text up to the tags is kept" out 'before the tags'
# curl 7 takes such a line for the end of the response: the message is kept as far as it
# came, and said so; a curl that reads the literal whole keeps all of it
if grep -q 'after the tags' out; then pass "the message came whole"; else
	like "the message cut short is reported" err 'message UID 6 came cut short'; fi

# --- a second mailbox (a name with a blank): the newest page first, then pages -------------

ARCHIVE="$MAILDIR/.Kunden Archiv"
mkdir -p "$ARCHIVE/cur" "$ARCHIVE/new" "$ARCHIVE/tmp"
[ "$(id -u)" = 0 ] && chown -R dovecot:dovecot "$ARCHIVE"
# archive N...: deliver message N (Message-ID <aN@example.com>) into the mailbox
archive() {
	_inbox=$MAILDIR
	MAILDIR=$ARCHIVE
	for _a; do
		printf 'From: a%s@example.com\nSubject: Archiv %s\nMessage-ID: <a%s@example.com>\n\nNr. %s\n' \
			"$_a" "$_a" "$_a" "$_a" >a.eml
		dovecot_deliver a.eml
	done
	MAILDIR=$_inbox
}
archive $(seq 1 25)
cfg channel.archive.kind email
cfg channel.archive.url "imap://127.0.0.1:$IMAP_PORT/Kunden%20Archiv"
cfg channel.archive.user care
cfg channel.archive.token-env SM_TEST_MAILPW
run_fetch "first run of a mailbox of 25: exit 0" 0 -c archive
is "the newest page only (20)" "$(jq -r .ext_id out | sed -n '1p;$p' | tr '\n' ' ')" "a6@example.com a25@example.com "
is "a cursor for the mailbox" "$(sqlval "select cursor from cursors where channel='archive'" | sed 's/.*://')" 25
is "the mailbox is named in the items" "$(jq -r .mailbox out | sort -u)" "Kunden Archiv"
archive 26 27
run_fetch "two more: exit 0" 0 -c archive
is "two more: new" "$(jq -r .ext_id out | tr '\n' ' ')" "a26@example.com a27@example.com "
rm -f "$ARCHIVE"/dovecot-uidlist "$ARCHIVE"/dovecot.index*
run_fetch "made anew: all read again, in pages: exit 0" 0 -c archive -v
is "made anew: the five never read are new" "$(jq -r .ext_id out | tr '\n' ' ')" \
	"a1@example.com a2@example.com a3@example.com a4@example.com a5@example.com "
like "made anew: the others known" err 'archive: 5 new, 22 known'
is "made anew: the cursor at the last" "$(sqlval "select cursor from cursors where channel='archive'" | sed 's/.*://')" 27
cfg --remove-section channel.archive

# --- a wrong password: permanent (69), and it is never shown ------------------------------

SM_TEST_MAILPW=$WRONG run_fetch "wrong password: exit 69" 69 -v -v
like "the server's refusal is reported" err 'mail: INBOX: .*(Login denied|AUTHENTICATIONFAILED)'
no_secret "wrong password: not in stdout or stderr" out err

# --- sending -----------------------------------------------------------------------------

"$SENDTOOL" --dir "$WS" --channel mail --text "$(printf 'Hallo Frau Beispiel,\n\ndie doppelte Abbuchung über 49,99 € ist storniert.\n\nViele Grüße\nIhr Kundenservice')" \
	--reply-to mail:m2.0815@example.org --key draft-42 --trace >sent.json 2>trace
is "reply sent: exit 0" "$?" 0
is "ext_id is the Message-ID made from the key" "$(jq -r .ext_id sent.json)" "draft-42@support.example"
no_secret "sendtool --trace: no password" sent.json trace
like "the SMTP trace hides AUTH" trace '> \*\*\*|AUTH PLAIN \*\*\*'
is "the SMTP peer received one message" "$(ls "$TMP/sent" | grep -c '\.eml$')" 1
$PY - "$TMP/sent/0001.eml" >parsed 2>&1 <<'EOF'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
print("defects", len(m.defects) + sum(len(p.defects) for p in m.walk()))
for h in ("Message-ID", "In-Reply-To", "References", "Subject", "To", "From", "MIME-Version"):
    print(h, str(m[h]))
print("type", m.get_content_type(), m.get_content_charset(), m["Content-Transfer-Encoding"])
print("date", email.utils.parsedate_to_datetime(m["Date"]).tzinfo is not None)
print("body", repr(m.get_content().replace("\r\n", "\n")))
print("lines <= 78, CRLF", max(len(l) for l in raw.split(b"\r\n")) <= 78 and b"\n" not in raw.replace(b"\r\n", b""))
print("encoded subject", m["Subject"].defects == () and b"=?UTF-8?" in raw)
EOF
cat >want <<'EOF'
defects 0
Message-ID <draft-42@support.example>
In-Reply-To <m2.0815@example.org>
References <m-root.1@example.org> <m0.0001@support.example> <m2.0815@example.org>
Subject Re: Rechnung über 49,99 € doppelt abgebucht
To Anna Beispiel <anna@example.org>
From Kundenservice Beispiel <service@support.example>
MIME-Version 1.0
type text/plain utf-8 quoted-printable
date True
body 'Hallo Frau Beispiel,\n\ndie doppelte Abbuchung über 49,99 € ist storniert.\n\nViele Grüße\nIhr Kundenservice\n'
lines <= 78, CRLF True
encoded subject True
EOF
cmp_file "the reply parses with Python's email package, threaded and encoded" parsed want
is "envelope: from us to the original's sender, authenticated" \
	"$(jq -r 'select(.file) | "\(.mail_from) \(.rcpt_tos | join(",")) \(.auth_user)"' "$TMP/smtpd.log")" \
	"service@support.example anna@example.org care"

"$SENDTOOL" --dir "$WS" --channel mail --text "Neue Tarife ab Dezember." --to 'Max Kunde <kunde@example.com>, b@example.com' \
	--subject "Ihre Anfrage – Tarifwechsel" --key "plan/2026 12 tarif" >new.json 2>/dev/null
is "a new mail: exit 0" "$?" 0
$PY - "$TMP/sent/0002.eml" >parsed 2>&1 <<'EOF'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(m["Subject"], "|", m["To"], "|", m["In-Reply-To"], "|", m["Message-ID"].endswith("@support.example>"))
EOF
is "a new mail: subject, two recipients, no In-Reply-To, a key that is no dot-atom digested" \
	"$(cat parsed)" "Ihre Anfrage – Tarifwechsel | Max Kunde <kunde@example.com>, b@example.com | None | True"
is "the same key gives the same Message-ID" "$("$SENDTOOL" --dir "$WS" --channel mail --text x --to b@example.com --key "plan/2026 12 tarif" 2>/dev/null | jq -r .ext_id)" \
	"$(jq -r .ext_id new.json)"

"$SENDTOOL" --dir "$WS" --channel mail --text "x" --to nobody@example.org --key draft-43 >refused.json 2>/dev/null
is "a refused recipient: exit 1" "$?" 1
is "refused: permanent, the server's words" "$(jq -r '"\(.failed) \(.temporary) \(.error | test("550"))"' refused.json)" \
	"true false true"
SM_TEST_MAILPW=$WRONG "$SENDTOOL" --dir "$WS" --channel mail --text "x" --to b@example.com --trace >badauth.json 2>trace
is "wrong SMTP password: refused" "$(jq -r '"\(.failed) \(.temporary)"' badauth.json)" "true false"
no_secret "wrong SMTP password: not shown" badauth.json trace
"$SENDTOOL" --dir "$WS" --channel mail --text "x" >norcpt.json 2>err
is "no recipient: our own error (2)" "$?" 2
like "no recipient: said so" err 'no recipient'

no_secret "no password in the store" "$WS"/store.db*

# --- config errors (78), each naming the channel ---------------------------------------------

cfg channel.mail.url "https://127.0.0.1/INBOX"
run_fetch "url not imap: exit 78" 78
like "url not imap: said so" err "channel 'mail': url must be imap"
cfg channel.mail.url "imap://care:$PASS@127.0.0.1:$IMAP_PORT/INBOX"
run_fetch "credentials in url: exit 78" 78
no_secret "credentials in url: not repeated" err
cfg channel.mail.url "imap://127.0.0.1:$IMAP_PORT/INBOX"
cfg --unset channel.mail.user
run_fetch "no user: exit 78" 78
like "no user: said so" err "channel 'mail': .*needs user"
cfg channel.mail.user care
cfg channel.mail.smtp "http://127.0.0.1:$SMTP_PORT"
run_fetch "smtp not smtp: exit 78" 78
cfg channel.mail.smtp "smtp://127.0.0.1:$SMTP_PORT"
cfg channel.mail.starttls sometimes
run_fetch "bad starttls: exit 78" 78
cfg --unset channel.mail.starttls
env -u SM_TEST_MAILPW sm-fetch --dir "$WS" >out 2>err
is "password env unset: exit 78" "$?" 78

# --- another mailbox of the same account; a missing one fails alone --------------------------

cfg channel.mail.fetch INBOX
cfg --add channel.mail.fetch "No Such Box"
cfg --add channel.mail.fetch INBOX
run_fetch "a missing mailbox: exit 69" 69
like "the missing mailbox is named" err 'mail: No Such Box: '
is "INBOX still read (nothing new)" "$(lines out)" 0

done_testing
