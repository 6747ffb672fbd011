#!/bin/sh
# 0504-assign-forward.t - sm-assign forward (a webhook the test runs: the JSON POSTed; a
# dead one: recorded, exit 75, retried by escalate once it is up; HTTP 500 and 404; the
# e-mail path through an SMTP server on loopback, when the email channel is there),
# escalate (overdue cases to the escalation team, or to a lead; the team told; never
# twice) and community channels (answered by the community, or handed to staff after the
# window).
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-assign >/dev/null || skip_all "sm-assign not built"
command -v jq >/dev/null || skip_all "jq not installed"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3


# A webhook receiver: each POST is a JSON line {path, type, body} in $TMP/NAME.log; it
# answers with the status in $TMP/NAME.status (200 when there is none).
cat >hook.py <<'EOF'
import http.server, json, os, sys
port, name = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            status = int(open(name + ".status").read())
        except OSError:
            status = 200
        with open(name + ".log", "a") as f:
            f.write(json.dumps({"path": self.path, "type": self.headers.get("Content-Type"),
                                "body": body.decode(), "status": status}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", port), H)
open(name + ".ready", "w").close()
s.serve_forever()
EOF
# start_hook NAME PORT: run the receiver; wait until it listens
start_hook() {
	rm -f "$1.ready"
	"$PY" hook.py "$2" "$TMP/$1" 2>"$1.err" &
	echo $! >"$TMP/$1.pid"
	for _i in $(seq 50); do [ -e "$1.ready" ] && return 0; sleep 0.1; done
	return 1
}
# posts NAME [JQ]: the bodies POSTed to NAME, as compact JSON, through JQ (default .)
posts() { [ -s "$1.log" ] && jq -c '.body | fromjson' "$1.log" | jq -c "${2:-.}"; }
nposts() { if [ -s "$1.log" ]; then wc -l <"$1.log" | tr -d ' '; else echo 0; fi; }

HOOK=$(free_port)
DEAD=$(free_port)
while [ "$DEAD" = "$HOOK" ]; do DEAD=$(free_port); done
start_hook tech "$HOOK" || { fail "the webhook receiver starts"; diag "$(cat tech.err)"; done_testing; }

sm-init -q ws || { fail "sm-init ws"; done_testing; }
export SM_DIR=$TMP/ws
WS=$TMP/ws
cat >>ws/config <<EOF
[security]
	identity = env
[fetch]
	attempts = 1
	connect-timeout = 5s
	timeout = 10s
[assign]
	default-team = support
[team "support"]
	strategy = least-loaded
	escalate-to = tech
[team "tech"]
	strategy = least-loaded
	webhook = http://127.0.0.1:$HOOK/tech
	escalate-to = lena
[team "billing"]
	webhook = http://127.0.0.1:$DEAD/billing
[team "quiet"]
	strategy = round-robin
[agent "alice"]
	team = support
[agent "tom"]
	team = tech
[agent "lena"]
	role = agent
[agent "root"]
	role = admin
[channel "m"]
	self = acme
[channel "forum"]
	community = true
[channel "board"]
	community = true
[policy "forum"]
	channel = forum
	community-window = 2h
	route-to = support
	first-response = 1h
[policy "p"]
	first-response = 1h
	resolution = 8h
EOF
it() {
	printf '{"id":"%s","channel":"%s","thread":"%s","author":{"id":"%s","handle":"@%s"},"text":"text of %s","created_at":"%s"%s}\n' \
		"$1" "$2" "$3" "$4" "$4" "$1" "$5" "${6:-}"
}
col() { sqlval "select coalesce($2, 'null') from cases where id = $1"; }
case_of() { sqlval "select case_id from case_items where item_id = '$1'"; }
# fw ID: a forward's row: team via state tries error-or-"-"
fw() { sqlval "select team || ' ' || via || ' ' || state || ' ' || tries || ' ' || coalesce(error, '-') from forwards where id = $1"; }

{
	it m:1b m t1 u1 2026-11-23T09:50:00Z
	it m:1 m t1 u1 2026-11-23T09:40:00Z
	it m:2 m t2 u2 2026-11-23T09:45:00Z
} | SM_NOW=2026-11-23T10:00:00Z sm-assign >out 2>err
is "the cases: exit 0" "$?:$(cat err)" "0:"

# --- forward to a webhook -------------------------------------------------------------------

SM_USER=alice SM_NOW=2026-11-23T10:05:00Z sm-assign forward 1 tech -m "Router kaputt, bitte übernehmen" >out 2>err
is "forward to a webhook: exit 0, nothing printed" "$?:$(cat out)$(cat err)" "0:"
is "forward: one POST" "$(nposts tech)" 1
is "forward: to the team's webhook, as JSON" "$(jq -r '.path + " " + .type' tech.log)" "/tech application/json"
is "forward: the case, the team, who, when, the note" \
	"$(posts tech '[.case, .team, .forwarded_by, .forwarded_at, .note, .status, .channel]')" \
	'[1,"tech","alice","2026-11-23T10:05:00Z","Router kaputt, bitte übernehmen","open","m"]'
is "forward: the case's items, oldest first, whole" "$(posts tech '[.items[] | [.id, .text, .author.id]]')" \
	'[["m:1","text of m:1","u1"],["m:1b","text of m:1b","u1"]]'
is "forward: recorded as sent" "$(fw 1) $(sqlval 'select sent_at from forwards where id = 1')" \
	"tech webhook sent 1 - 2026-11-23T10:05:00Z"
is "forward: the event, by the agent" \
	"$(sqlval "select actor || ' ' || what || ' ' || old || ' ' || new || ' ' || note from case_events where what like 'forward%'")" \
	"alice forwarded webhook http://127.0.0.1:$HOOK/tech Router kaputt, bitte übernehmen"
is "forward: the case stays where it is" "$(col 1 team) $(col 1 assignee)" "support alice"
SM_USER=alice SM_NOW=2026-11-23T10:06:00Z sm-assign forward 2 tech >out 2>err
is "forward without -m: no note" "$?:$(posts tech 'select(.case == 2) | .note')" "0:null"

exits "forward to a team without email or webhook: 78" 78 quiet env SM_USER=alice sm-assign forward 1 quiet
exits "forward to an unknown team: 78" 78 quiet env SM_USER=alice sm-assign forward 1 nosuch
exits "forward by someone who is no agent: 77" 77 quiet env SM_USER=mallory sm-assign forward 1 tech
exits "forward without a team: 64" 64 quiet env SM_USER=alice sm-assign forward 1
exits "forward of no case number: 64" 64 quiet env SM_USER=alice sm-assign forward x tech
exits "forward of no such case: 65" 65 quiet env SM_USER=alice sm-assign forward 99 tech
is "refused forwards are not recorded" "$(sqlval 'select count(*) from forwards')" 2

echo 500 >tech.status
SM_USER=alice SM_NOW=2026-11-23T10:07:00Z sm-assign forward 2 tech -m again >out 2>err
is "the webhook answers 500: exit 75" "$?" 75
like "the webhook answers 500: says so, and that escalate tries again" err 'HTTP 500.*next escalate tries again'
is "the webhook answers 500: recorded as failed" "$(fw 3)" "tech webhook failed 1 http://127.0.0.1:$HOOK/tech: HTTP 500"
is "the webhook answers 500: the event forward-failed" \
	"$(sqlval "select actor || ' ' || what from case_events where what = 'forward-failed'")" "alice forward-failed"
echo 404 >tech.status
SM_USER=alice SM_NOW=2026-11-23T10:08:00Z sm-assign forward 2 tech >out 2>err
is "the webhook answers 404: exit 69" "$?" 69
rm -f tech.status

# a webhook nobody listens on
SM_USER=alice SM_NOW=2026-11-23T10:10:00Z sm-assign forward 2 billing -m "Rechnung prüfen" >out 2>err
is "a dead webhook: exit 75" "$?" 75
is "a dead webhook: recorded as failed" "$(sqlval "select state || ' ' || tries from forwards where team = 'billing'")" "failed 1"
like "a dead webhook: the error is kept" err "billing by webhook failed"
SM_NOW=2026-11-23T10:15:00Z sm-assign escalate >out 2>err
is "escalate while it is still down: exit 75" "$?" 75
is "escalate while it is still down: tried again, failed again" \
	"$(sqlval "select state || ' ' || tries from forwards where team = 'billing'")" "failed 2"
is "escalate: the failed tech forwards were tried again and went" \
	"$(sqlval "select group_concat(state || ' ' || tries) from forwards where team = 'tech' and id > 2")" "sent 2,sent 2"
start_hook billing "$DEAD" || fail "the second receiver starts"
SM_NOW=2026-11-23T10:20:00Z sm-assign escalate >out 2>err
is "escalate once it is up: exit 0" "$?" 0
is "escalate once it is up: sent, on the third try" \
	"$(sqlval "select state || ' ' || tries || ' ' || sent_at from forwards where team = 'billing'")" \
	"sent 3 2026-11-23T10:20:00Z"
is "the retried POST: the case, its note, its items" "$(posts billing '[.case, .team, .note, [.items[].id]]')" \
	'[2,"billing","Rechnung prüfen",["m:2"]]'
is "the retried POST: forwarded_by is who forwarded it" "$(posts billing .forwarded_by)" '"alice"'
SM_NOW=2026-11-23T10:25:00Z sm-assign escalate >out 2>err
is "escalate again: nothing sent twice" "$?:$(nposts billing)" "0:1"

SM_USER=tom SM_NOW=2026-11-23T10:30:00Z sm-assign forward 1 tech >out 2>err
is "forward by an agent who does not hold the case (nor is an admin): 77" "$?" 77

# --- escalate -------------------------------------------------------------------------------

{
	it e:1 m e1 u11 2026-11-23T12:00:00Z
	it e:2 m e2 u12 2026-11-23T12:00:00Z ',"team":"tech"'
	it e:3 m e3 u13 2026-11-23T12:00:00Z
	it e:3r m e3 acme 2026-11-23T12:10:00Z
	it e:4 m e4 u14 2026-11-23T12:00:00Z
	it e:4r m e4 acme 2026-11-23T12:10:00Z
	it e:4c m e4 u14 2026-11-23T12:20:00Z
	it e:5 m e5 u15 2026-11-23T12:50:00Z
} | SM_NOW=2026-11-23T12:50:00Z sm-assign >out 2>err
E1=$(case_of e:1) E2=$(case_of e:2) E3=$(case_of e:3) E4=$(case_of e:4) E5=$(case_of e:5)
# the cases of the forwards above are due too: resolve them first
SM_USER=root SM_NOW=2026-11-23T12:50:00Z sm-assign set 1 status=resolved &&
	SM_USER=root SM_NOW=2026-11-23T12:50:00Z sm-assign set 2 status=resolved
n0=$(nposts tech)
SM_NOW=2026-11-23T13:30:00Z sm-assign escalate >out 2>err
is "escalate: exit 0, a summary on stderr" "$?:$(cat out)$(cat err)" \
	"0:sm-assign: 2 escalated, 0 community questions to staff, 0 forwards retried (0 failed)"
is "escalate: past first response due: to the escalation team, its strategy picks" \
	"$(col "$E1" team) $(col "$E1" assignee) $(col "$E1" status) $(col "$E1" escalated_at)" \
	"tech tom open 2026-11-23T13:30:00Z"
is "escalate: the events, by sm-assign" \
	"$(sqlval "select group_concat(actor || ' ' || what || ' ' || coalesce(old, '-') || ' ' || coalesce(new, '-') || ' ' || coalesce(note, '-'), '|') from case_events where case_id = $E1 and what in ('overdue', 'escalated')")" \
	"sm-assign overdue - 2026-11-23T13:30:00Z first response overdue since 2026-11-23T13:00:00Z|sm-assign escalated support tech first response overdue since 2026-11-23T13:00:00Z"
is "escalate: the new team is told by its webhook" \
	"$(posts tech "select(.case == $E1) | [.team, .forwarded_by, .note]")" \
	'["tech","sm-assign","first response overdue since 2026-11-23T13:00:00Z"]'
is "escalate: to a lead (escalate-to names an agent): the lead holds it, the team stays" \
	"$(col "$E2" team) $(col "$E2" assignee) $(col "$E2" escalated_at)" "tech lena 2026-11-23T13:30:00Z"
is "escalate to a lead: the event" \
	"$(sqlval "select old || ' ' || new from case_events where case_id = $E2 and what = 'escalated'")" "tom lena"
is "escalate: answered in time, not yet due: left alone" \
	"$(col "$E3" escalated_at) $(col "$E4" escalated_at) $(col "$E5" escalated_at)" "null null null"
is "escalate: the team was told twice, once per case" "$(($(nposts tech) - n0))" 2
SM_NOW=2026-11-23T13:31:00Z sm-assign escalate >out 2>err
is "escalate again: nothing twice" "$?:$(cat err):$(($(nposts tech) - n0))" "0::2"
SM_NOW=2026-11-23T20:30:00Z sm-assign escalate >out 2>err
is "escalate: open past resolution due" "$(col "$E4" escalated_at) $(col "$E4" team)" "2026-11-23T20:30:00Z tech"
is "escalate: resolution's note" \
	"$(sqlval "select note from case_events where case_id = $E4 and what = 'overdue'")" \
	"resolution overdue since 2026-11-23T20:00:00Z"
is "escalate: pending past resolution due (list --overdue shows it)" "$(col "$E3" escalated_at)" \
	"2026-11-23T20:30:00Z"
SM_NOW=2026-11-23T20:30:00Z sm-assign list --overdue >out 2>err
is "list --overdue shows the pending one" "$(jq -r .case out | grep -cx "$E3")" 1

# --- community channels ---------------------------------------------------------------------

{
	it f:1 forum f1 u21 2026-11-24T10:00:00Z
	it f:2 forum f1 u22 2026-11-24T10:30:00Z
	it f:3 forum f3 u23 2026-11-24T10:00:00Z
	it f:4 forum f3 u23 2026-11-24T10:15:00Z
	it b:1 board b1 u24 2026-11-24T10:00:00Z
} | SM_NOW=2026-11-24T10:40:00Z sm-assign >out 2>err
F1=$(case_of f:1) F3=$(case_of f:3) B1=$(case_of b:1)
is "community: a question is not routed" "$(jq -c 'select(.id == "f:1") | [.status, .team, .assignee, .due]' out)" \
	'["new",null,null,null]'
is "community: the event says it waits for the community" \
	"$(sqlval "select what || ': ' || note from case_events where case_id = $F1 and what = 'community'")" \
	"community: waiting for the community to answer"
is "community: another author answers: answered, pending" \
	"$(jq -c 'select(.id == "f:2") | [.case, .status]' out) $(col "$F1" first_response_at)" \
	"[$F1,\"pending\"] 2026-11-24T10:30:00Z"
is "community: the asker writing again is no answer" "$(col "$F3" status) $(col "$F3" first_response_at)" "new null"
SM_NOW=2026-11-24T11:30:00Z sm-assign escalate >out 2>err
is "community: within the window, nothing moves" "$(col "$F3" team) $(col "$B1" team)" "null null"
SM_NOW=2026-11-24T12:30:00Z sm-assign escalate >out 2>err
is "community: unanswered past the window: to the policy's route-to, assigned" \
	"$?:$(col "$F3" team) $(col "$F3" assignee) $(col "$F3" status)" "0:support alice open"
like "community: the summary counts it" err "1 community questions to staff"
is "community: the event" "$(sqlval "select actor || ' ' || coalesce(new, '-') || ' ' || note from case_events where case_id = $F3 and what = 'escalated'")" \
	"sm-assign support no one in the community answered within the window"
is "community: the answered question stays with the community" "$(col "$F1" team)" null
is "community: no policy window: 4h, not yet" "$(col "$B1" team)" null
SM_NOW=2026-11-24T14:30:00Z sm-assign escalate >out 2>err
is "community: after 4h, to the default team" "$(col "$B1" team) $(col "$B1" assignee)" "support alice"
is "community: a question handed to staff gets a first-response due" \
	"$([ "$(col "$F3" first_response_due)" = null ] && echo none || echo set)" set
it f:5 forum f1 u21 2026-11-24T14:40:00Z | SM_NOW=2026-11-24T14:45:00Z sm-assign >out 2>err
is "community: the asker writes after the community answered: someone will see it" \
	"$(sqlval "select status = 'new' or team is not null from cases where id = $F1")" 1
is "community: the asker wrote again: the community has a new window from then" \
	"$(col "$F1" status) $(col "$F1" team) $(col "$F1" queued_at) $(sqlval "select max(at) from case_events where case_id = $F1 and what = 'community'")" \
	"new null null 2026-11-24T14:45:00Z"
SM_NOW=2026-11-24T16:00:00Z sm-assign escalate >out 2>err
is "community: within the new window, nothing moves" "$(col "$F1" team)" null
SM_NOW=2026-11-24T17:00:00Z sm-assign escalate >out 2>err
is "community: past it, to staff, due an hour from the hand-over (policy forum)" \
	"$(col "$F1" team) $(col "$F1" assignee) $(col "$F1" first_response_due)" "support alice 2026-11-24T18:00:00Z"

# --- cases the config sends nowhere; who may forward a case nobody holds --------------------

git config -f ws/config team.quiet.escalate-to nobody
it q:1 m q1 u31 2026-11-25T09:00:00Z ',"team":"quiet"' | SM_NOW=2026-11-25T09:00:00Z sm-assign >out 2>err
Q1=$(case_of q:1)
is "a team without agents: the case waits in its queue" "$(col "$Q1" team) $(col "$Q1" assignee) $(col "$Q1" status)" "quiet null new"
SM_NOW=2026-11-25T11:00:00Z sm-assign escalate >out 2>err
is "escalate-to naming nothing: exit 0, the case stays, marked escalated" \
	"$?:$(col "$Q1" team) $(col "$Q1" escalated_at)" "0:quiet 2026-11-25T11:00:00Z"
like "escalate-to naming nothing: a warning says where" err \
	"^sm-assign: team 'quiet': escalate-to 'nobody' is neither a team nor an agent of the config: case $Q1 stays where it is\$"
exits "forward of a queued case by an agent of another team: 77" 77 quiet env SM_USER=tom sm-assign forward "$Q1" tech
exits "forward of a queued case by an admin: allowed (the team's webhook answers)" 0 quiet env SM_USER=root sm-assign forward "$Q1" tech

# --- forward by e-mail ------------------------------------------------------------------------

mkdir probe && printf '[channel "mail"]\n\tkind = email\n' >probe/config
sm-fetch --dir probe -c mail >/dev/null 2>probe.err
if grep -q "not supported" probe.err; then
	skip "forward by e-mail: sm-fetch has no email channel yet ($(cat probe.err))"
elif ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
	skip "forward by e-mail: python3-aiosmtpd is not installed"
else
	SMTP=$(free_port)
	start_smtp() {
		"$PY" "$SM_SRC/tests/lib/smtpd.py" --port "$SMTP" --maildir "$TMP/mail" \
			--pid-file "$TMP/smtp.pid" --log "$TMP/smtp.log" 2>smtp.err &
		for _i in $(seq 50); do
			"$PY" -c "import socket; socket.create_connection(('127.0.0.1', $SMTP))" 2>/dev/null && return 0
			sleep 0.1
		done
		return 1
	}
	git config -f ws/config channel.mail.kind email
	git config -f ws/config channel.mail.smtp "smtp://127.0.0.1:$SMTP"
	git config -f ws/config channel.mail.from "Care <care@example.com>"
	git config -f ws/config channel.mail.starttls never
	git config -f ws/config team.accounts.email accounts@example.com
	# E5 went to tech (tom) when escalate found it overdue: its holder forwards it
	SM_USER=tom SM_NOW=2026-11-24T15:00:00Z sm-assign forward "$E5" accounts -m "Bitte prüfen" >out 2>err
	is "forward by e-mail without [assign] forward-channel: exit 69, says what is missing" \
		"$? $(grep -c 'forward-channel' err)" "69 1"
	git config -f ws/config assign.forward-channel mail
	if start_smtp; then
		SM_USER=tom SM_NOW=2026-11-24T15:01:00Z sm-assign forward "$E5" accounts -m "Bitte prüfen" >out 2>err
		is "forward by e-mail: exit 0" "$?:$(cat err)" "0:"
		# mail FILE: To, Subject and the decoded body of a message
		mail() {
			"$PY" -c 'import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print("To:", m["To"]); print("Subject:", m["Subject"])
sys.stdout.write(m.get_payload(decode=True).decode(m.get_content_charset()))' "$1"
		}
		mail mail/0001.eml >mail1.txt 2>&1
		like "the mail: to the team" mail1.txt '^To: <?accounts@example\.com>?$'
		like "the mail: its subject names the case" mail1.txt "^Subject: \\[case $E5\\] forwarded to you$"
		like "the mail: the note first" mail1.txt '^Bitte prüfen$'
		like "the mail: who forwarded it" mail1.txt "^Case $E5, forwarded by tom$"
		like "the mail: the thread quoted" mail1.txt '^> text of e:5$'
		is "the mail: recorded as sent" \
			"$(sqlval "select via || ' ' || state || ' ' || target from forwards where team = 'accounts' and state = 'sent'")" \
			"email sent accounts@example.com"
		kill "$(cat smtp.pid)" && rm -f smtp.pid
		sleep 0.2
		SM_USER=tom SM_NOW=2026-11-24T15:02:00Z sm-assign forward "$E5" accounts >out 2>err
		rc=$?
		is "forward by e-mail, the server down: exit 75" "$rc" 75
		start_smtp
		SM_NOW=2026-11-24T15:03:00Z sm-assign escalate >out 2>err
		is "escalate sends what failed once the server is up" \
			"$?:$(sqlval "select group_concat(state || ' ' || tries) from forwards where team = 'accounts'"):$(grep -c '"file"' smtp.log)" \
			"0:sent 2,sent 1,sent 2:3"
	else
		fail "the SMTP server starts"
		diag "$(cat smtp.err)"
	fi
fi

done_testing
