# tests/e2e/lib/web.sh - what the web server tests share (sourced after
# common.sh; 75_nginx.sh, 76_apache.sh): the set-up (accounts, the
# verify group, a scratch directory with a throwaway certificate and a
# free port, apikeyd on the installed socket, the shipped PAM example as a
# service of this test) and the cases every server must pass.
# shellcheck shell=sh disable=SC2034

# web_setup NAME: the accounts ALICE, BOB and WEB (the server's workers, in
# the verify group); D (removed at exit), PORT, SVC.
web_setup() {
	e2e_add_user ALICE alice
	e2e_add_user BOB bob
	e2e_add_user WEB web
	usermod -a -G "$VERIFY_GROUP" "$WEB" || bail "usermod -G $VERIFY_GROUP $WEB"
	D=$(mktemp -d "/tmp/apkt-$1.XXXXXX") || bail "mktemp"
	trap 'e2e_cleanup; rm -rf "$D"' EXIT
	chmod 0755 "$D"
	mkdir -m 0755 "$D/www" "$D/t" && echo "hello from the API" >"$D/www/index.html" &&
		chmod 0644 "$D/www/index.html" || bail "the site's files"
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 \
		-keyout "$D/key.pem" -out "$D/cert.pem" >/dev/null 2>&1 || bail "openssl req"
	PORT=$("$E2E_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

	# the apikeyd of the installed database, as the package's unit starts it
	if "$APIKEYD" --status >/dev/null 2>&1; then
		bail "an apikeyd already serves $RUNDIR/verify.sock; stop it for this test"
	fi
	"$APIKEYD" --foreground >"$D/apikeyd.log" 2>&1 9>&- &
	E2E_PIDS="$E2E_PIDS $!"
	i=0
	while ! "$APIKEYD" --status >/dev/null 2>&1 && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	"$APIKEYD" --status >/dev/null 2>&1 || { diag_file "$D/apikeyd.log"; bail "apikeyd did not start"; }
	SVC=apkt-http-$$
	e2e_pam_service "$SVC" <"$APK_TOP/doc/pam.d/apikey-http"
}

# web_cases ACCESS-LOG: once the server just started on PORT answers, every
# case against https://127.0.0.1:PORT/index.html (a file "hello from the
# API"); its access log (common format) is ACCESS-LOG.
web_cases() {
	URL=https://127.0.0.1:$PORT/index.html
	ACCESS_LOG=$1
	i=0
	while ! curl -sk -o /dev/null "$URL" && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	tap_is "no key: 401" "$(curl -sk -o /dev/null -w '%{http_code}' "$URL")" 401
	e2e_generate KEY "$ALICE" --name web-api
	e2e_generate KEY_SSHD "$ALICE" --name sshonly --service sshd
	e2e_generate KEY_NET "$ALICE" --name othernet --from 198.51.100.0/24
	e2e_generate KEY_LOCAL "$ALICE" --name local --from 127.0.0.1
	e2e_generate KEY_EXP "$ALICE" --name brief --expires 1s
	e2e_generate KEY_DEL "$ALICE" --name gone
	e2e_generate KEY_BOB "$BOB" --name bobs
	run_cmd as_user "$ALICE" "$APKCTL" delete --yes gone
	[ "$RC" -eq 0 ] || bail "delete gone"

	# code USER SECRET: the status curl -u gets
	code() {
		printf 'user = "%s:%s"\n' "$1" "$2" >"$D/curlrc" # the secret off the command line
		curl -sk -o "$D/body" -w '%{http_code}' -K "$D/curlrc" "$URL"
	}
	# expect DESC WANT USER SECRET: the status, and the attempt's one log line
	# (ERE, for the module, naming the key or the refusal) when given as $5
	expect() {
		log_mark
		got=$(code "$3" "$4")
		tap_is "$1" "$got" "$2"
		log_window "$E2E_TMP/window"
		[ -z "${5:-}" ] || tap_one_line "$1: its one log line" "$E2E_TMP/window" "pam_apikey\\($SVC:auth\\): $5"
	}
	ID=$(key_id "$KEY")
	expect "curl -u alice:\$KEY: 200" 200 "$ALICE" "$KEY" \
		"accepted key web-api \\(id $ID\\) for user $ALICE service $SVC rhost 127\\.0\\.0\\.1\$"
	tap_is "... with the file" "$(cat "$D/body")" "hello from the API"
	grep -q "^127\\.0\\.0\\.1 - $ALICE \\[" "$ACCESS_LOG"
	tap_check "... and REMOTE_USER $ALICE in the access log" $?
	expect "a wrong key: 401" 401 "$ALICE" "$("$E2E_PY" "$E2E_LIB/keytool.py" forge "$KEY")" \
		"refused key \\(id $ID\\) .*: key does not match"
	expect "another user's key: 401" 401 "$ALICE" "$KEY_BOB" "refused key \\(id $(key_id "$KEY_BOB")\\)"
	expect "a deleted key: 401" 401 "$ALICE" "$KEY_DEL" "refused key \\(id $(key_id "$KEY_DEL")\\)"
	sleep 1
	expect "an expired key: 401" 401 "$ALICE" "$KEY_EXP" \
		"refused key \\(id $(key_id "$KEY_EXP")\\) .*: key expired"
	expect "a key limited to sshd: 401" 401 "$ALICE" "$KEY_SSHD" \
		"refused key \\(id $(key_id "$KEY_SSHD")\\) .*: service not allowed for this key"
	expect "a key limited to another network: 401" 401 "$ALICE" "$KEY_NET" \
		"refused key \\(id $(key_id "$KEY_NET")\\) .*: source address not allowed for this key"
	expect "a key limited to 127.0.0.1 (PAM_RHOST is the client's address): 200" 200 "$ALICE" \
		"$KEY_LOCAL" "accepted key local "
	expect "her password (no pam_unix in the stack): 401" 401 "$ALICE" "$ALICE_PW" \
		"refused key \\(id malformed\\)"
	expect "her key for bob: 401" 401 "$BOB" "$KEY"
	# no cache: a key deleted after it logged in is refused at the next request
	e2e_generate KEY_REVOKE "$ALICE" --name revoked-soon
	expect "a key that is about to be deleted: 200" 200 "$ALICE" "$KEY_REVOKE"
	run_cmd as_user "$ALICE" "$APKCTL" delete --yes revoked-soon
	expect "... deleted: 401 at the next request (the example has no cache)" 401 "$ALICE" \
		"$KEY_REVOKE" "refused key \\(id $(key_id "$KEY_REVOKE")\\) .*: key does not match"

	run_cmd as_user "$ALICE" "$APKCTL" list --json
	last=$("$E2E_PY" -c 'import json, sys
for k in json.load(sys.stdin):
    if k["name"] == "web-api":
        u = k["last_used"] or {}
        print(u.get("service"), u.get("rhost"))' <"$E2E_TMP/out")
	tap_is "the last use: this service, the client's address" "$last" "$SVC 127.0.0.1"

	# curl --netrc-file, the key in a file of mode 0600 (the README's recipe)
	netrc() {
		(umask 077 && printf 'machine 127.0.0.1 login %s password %s\n' "$1" "$2" >"$D/netrc")
		curl -s --cacert "$D/cert.pem" -o "$D/body" -w '%{http_code}' --netrc-file "$D/netrc" "$URL"
	}
	tap_is "curl --netrc-file, TLS verified against the test's certificate: 200" \
		"$(netrc "$ALICE" "$KEY")" 200
	tap_is "... the netrc file mode 0600" "$(stat -c %a "$D/netrc")" 600
	tap_is "... with the file" "$(cat "$D/body")" "hello from the API"
	tap_is "curl --netrc-file with a wrong key: 401" \
		"$(netrc "$ALICE" "$("$E2E_PY" "$E2E_LIB/keytool.py" forge "$KEY")")" 401

	# Python requests, as a program calls an API
	printf '%s\n' "$KEY" >"$D/pykey"
	got=$("$E2E_PY" "$E2E_LIB/web_requests.py" "$URL" "$ALICE" "$D/pykey")
	tap_is "Python requests with HTTPBasicAuth: 200, and 401 for a wrong key" "$got" \
		"200 hello from the API 401"
}
