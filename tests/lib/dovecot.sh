# dovecot.sh - a real, private dovecot IMAP server for the tests (Debian: dovecot-imapd).
# Sourced after test.sh:
#   . "$SM_SRC/tests/lib/dovecot.sh"
#   dovecot_available || skip_all "dovecot not installed"
#   dovecot_start USER PASSWORD   # sets IMAP_PORT, MAILDIR (INBOX of USER), DOVECOT_DIR;
#                                 # no ':' or newline in either (a passwd-file line)
#   dovecot_deliver FILE          # an RFC 5322 message into INBOX (Maildir new/)
#   dovecot_stop                  # also done by test.sh's cleanup through $TMP/dovecot.pid
# Everything lives in $TMP/dovecot: dovecot.conf, passwd ({PLAIN} password), run/ (base_dir,
# master.pid), mail/USER/Maildir, dovecot.log (read it when a login fails).  Only IMAP on
# 127.0.0.1:IMAP_PORT, no TLS, PLAIN and LOGIN allowed in clear.  As root the mail processes
# run as dovecot and logins as dovenull; otherwise all runs as the calling user.

dovecot_available() { command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ]; }

dovecot_start() {
	_dc_user=$1 _dc_pass=$2
	DOVECOT_DIR=$TMP/dovecot
	DOVECOT_BIN=$(command -v dovecot || echo /usr/sbin/dovecot)
	IMAP_PORT=$(free_port)
	MAILDIR=$DOVECOT_DIR/mail/$_dc_user/Maildir
	mkdir -p "$DOVECOT_DIR/run" "$MAILDIR/cur" "$MAILDIR/new" "$MAILDIR/tmp" || return 1
	if [ "$(id -u)" = 0 ]; then
		_dc_mailuser=dovecot _dc_loginuser=dovenull _dc_chroot=login
		# the mail processes (user dovecot) must reach $TMP/dovecot/mail
		chmod o+x "$TMP" "$DOVECOT_DIR"
	else
		_dc_mailuser=$(id -un) _dc_loginuser=$(id -un) _dc_chroot=
	fi
	printf '%s:{PLAIN}%s::::::\n' "$_dc_user" "$_dc_pass" >"$DOVECOT_DIR/passwd"
	cat >"$DOVECOT_DIR/dovecot.conf" <<-EOF
	protocols = imap
	listen = 127.0.0.1
	base_dir = $DOVECOT_DIR/run
	state_dir = $DOVECOT_DIR/run/state
	instance_name = smkit-test-$$
	log_path = $DOVECOT_DIR/dovecot.log
	ssl = no
	disable_plaintext_auth = no
	auth_mechanisms = plain login
	auth_verbose = yes
	auth_failure_delay = 0
	default_internal_user = $_dc_mailuser
	default_internal_group = $(id -gn "$_dc_mailuser")
	default_login_user = $_dc_loginuser
	first_valid_uid = 1
	first_valid_gid = 1
	mail_location = maildir:~/Maildir
	passdb {
	  driver = passwd-file
	  args = scheme=PLAIN username_format=%u $DOVECOT_DIR/passwd
	}
	userdb {
	  driver = static
	  args = uid=$_dc_mailuser gid=$(id -gn "$_dc_mailuser") home=$DOVECOT_DIR/mail/%u
	}
	service imap-login {
	  chroot = $_dc_chroot
	  inet_listener imap {
	    address = 127.0.0.1
	    port = $IMAP_PORT
	  }
	  inet_listener imaps {
	    port = 0
	  }
	}
	service anvil {
	  chroot =
	  # no auth penalty: a login after a failed one from 127.0.0.1 is not delayed
	  unix_listener anvil-auth-penalty {
	    mode = 0
	  }
	}
	EOF
	[ "$(id -u)" = 0 ] && chown -R "$_dc_mailuser:$(id -gn "$_dc_mailuser")" "$DOVECOT_DIR/mail"
	if ! "$DOVECOT_BIN" -c "$DOVECOT_DIR/dovecot.conf" 2>"$DOVECOT_DIR/start.err"; then
		diag "dovecot did not start:" "$(cat "$DOVECOT_DIR/start.err" "$DOVECOT_DIR/dovecot.log" 2>/dev/null | tail -20)"
		return 1
	fi
	# wait (up to 5 s) for the master's pid file and the listening port
	_dc_i=0
	while [ $_dc_i -lt 50 ]; do
		# registered as soon as it exists: test.sh's cleanup kills it even if we give up
		[ -s "$DOVECOT_DIR/run/master.pid" ] && cp "$DOVECOT_DIR/run/master.pid" "$TMP/dovecot.pid"
		if [ -s "$TMP/dovecot.pid" ] &&
			/usr/bin/python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()' "$IMAP_PORT" 2>/dev/null; then
			export IMAP_PORT MAILDIR DOVECOT_DIR
			return 0
		fi
		sleep 0.1
		_dc_i=$((_dc_i + 1))
	done
	diag "dovecot is not listening on $IMAP_PORT:" "$(tail -20 "$DOVECOT_DIR/dovecot.log" 2>/dev/null)"
	return 1
}

# dovecot_deliver FILE: put the message into INBOX as a new mail (written in tmp/, renamed
# into new/ as Maildir delivery does, owned by the mail user).
_dc_seq=0
dovecot_deliver() {
	_dc_seq=$((_dc_seq + 1))
	_dc_name=$(date +%s).M${_dc_seq}P$$.smkit-test
	cp "$1" "$MAILDIR/tmp/$_dc_name" || return 1
	[ "$(id -u)" = 0 ] && chown "$_dc_mailuser:$(id -gn "$_dc_mailuser")" "$MAILDIR/tmp/$_dc_name"
	mv "$MAILDIR/tmp/$_dc_name" "$MAILDIR/new/$_dc_name"
}

# dovecot_stop: returns when the master has stopped its children and removed master.pid
# (about 1 s: dovecot pauses there); its last processes exit a moment later.
dovecot_stop() {
	[ -s "$TMP/dovecot.pid" ] || return 0
	kill "$(cat "$TMP/dovecot.pid")" 2>/dev/null
	_dc_i=0
	while [ -e "$DOVECOT_DIR/run/master.pid" ] && [ $_dc_i -lt 50 ]; do
		sleep 0.1
		_dc_i=$((_dc_i + 1))
	done
	rm -f "$TMP/dovecot.pid"
}
