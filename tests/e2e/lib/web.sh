# tests/e2e/lib/web.sh - what the web server tests share (sourced after
# common.sh; 75_nginx.sh, 76_apache.sh, tests/deb/40_web.sh): the set-up (accounts, the
# verify group, a scratch directory with a throwaway certificate and a
# free port, apikeyd on the installed socket, the shipped PAM example as a
# service of this test) and the cases every server must pass.
# shellcheck shell=sh disable=SC2034

# What the servers are set up from: the source tree's examples (make install
# puts the same files in DOCDIR/examples); the package's test points these at
# the copies the package installed. WEB_APIKEYD: the command line that starts
# the daemon (the package's test: its unit's ExecStart=).
: "${WEB_PAM_EXAMPLE:=$APK_TOP/doc/pam.d/apikey-http}"
: "${WEB_NGINX_EXAMPLE:=$APK_TOP/doc/web/nginx-apikey.conf}"
: "${WEB_APACHE_EXAMPLE:=$APK_TOP/doc/web/apache-apikey.conf}"
: "${WEB_APIKEYD:=$APIKEYD --foreground}"

# web_exit: the EXIT trap web_setup sets: the servers and the daemon
# stopped, D removed, then WEB_EXIT_HOOK (the package's test: the system
# put back), then e2e_cleanup.
: "${WEB_EXIT_HOOK:=:}"
web_exit() {
	for pid in $E2E_PIDS; do
		e2e_stop_pid "$pid"
	done
	E2E_PIDS=""
	[ -n "${D:-}" ] && rm -rf "$D"
	$WEB_EXIT_HOOK
	e2e_cleanup
}

# web_setup NAME: the accounts ALICE, BOB and WEB (the server's workers, in
# the verify group); D (removed at exit), PORT, SVC; the daemon's pid
# WEB_APIKEYD_PID.
web_setup() {
	e2e_add_user ALICE alice
	e2e_add_user BOB bob
	e2e_add_user WEB web
	usermod -a -G "$VERIFY_GROUP" "$WEB" || bail "usermod -G $VERIFY_GROUP $WEB"
	D=$(mktemp -d "/tmp/apkt-$1.XXXXXX") || bail "mktemp"
	trap web_exit EXIT
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
	# shellcheck disable=SC2086 # a command line, as a unit's ExecStart=
	$WEB_APIKEYD >"$D/apikeyd.log" 2>&1 9>&- &
	WEB_APIKEYD_PID=$!
	E2E_PIDS="$E2E_PIDS $!"
	i=0
	while ! "$APIKEYD" --status >/dev/null 2>&1 && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	"$APIKEYD" --status >/dev/null 2>&1 || { diag_file "$D/apikeyd.log"; bail "apikeyd did not start"; }
	SVC=apkt-http-$$
	e2e_pam_service "$SVC" <"$WEB_PAM_EXAMPLE"
}

# web_nginx: nginx started from the nginx example (this test's address,
# certificate, root and service), its workers WEB; access log $D/access.log,
# its pid WEB_SERVER_PID.
web_nginx() {
	MODDIR=/usr/lib/nginx/modules
	[ -f "$MODDIR/ngx_http_auth_pam_module.so" ] ||
		bail "no $MODDIR/ngx_http_auth_pam_module.so (make deps: libnginx-mod-http-auth-pam)"
	sed -e "s|listen 443 ssl;|listen 127.0.0.1:$PORT ssl;|" \
		-e "s|/etc/ssl/certs/api.example.org.pem|$D/cert.pem|" \
		-e "s|/etc/ssl/private/api.example.org.key|$D/key.pem|" \
		-e "s|root /var/www/api;|root $D/www;|" \
		-e "s|\"apikey-http\"|\"$SVC\"|" "$WEB_NGINX_EXAMPLE" >"$D/site.conf"
	grep -q "127.0.0.1:$PORT" "$D/site.conf" && grep -q "$SVC" "$D/site.conf" ||
		bail "the example's lines this test rewrites are not in $WEB_NGINX_EXAMPLE"
	cat >"$D/nginx.conf" <<EOF
user $WEB;
worker_processes 2;
pid $D/nginx.pid;
error_log $D/error.log;
load_module $MODDIR/ngx_http_auth_pam_module.so;
events { worker_connections 64; }
http {
    access_log $D/access.log;
    client_body_temp_path $D/t/body;
    proxy_temp_path $D/t/proxy;
    fastcgi_temp_path $D/t/fastcgi;
    uwsgi_temp_path $D/t/uwsgi;
    scgi_temp_path $D/t/scgi;
    include $D/site.conf;
}
EOF
	nginx -t -c "$D/nginx.conf" -p "$D/" >"$D/nginx-t.log" 2>&1 ||
		{ diag_file "$D/nginx-t.log"; bail "nginx -t"; }
	nginx -c "$D/nginx.conf" -p "$D/" -g 'daemon off;' >"$D/nginx.out" 2>&1 9>&- &
	WEB_SERVER_PID=$!
	E2E_PIDS="$E2E_PIDS $!"
}

# web_stop_server: the server started last stopped, and no longer among
# the pids stopped at exit (its pid may belong to another process by then).
web_stop_server() {
	e2e_stop_pid "$WEB_SERVER_PID"
	# shellcheck disable=SC2086 # the pids, one a line
	E2E_PIDS=$(printf '%s\n' $E2E_PIDS | grep -vx "$WEB_SERVER_PID" | tr '\n' ' ')
	WEB_SERVER_PID=""
}

# web_apache_site: $D/site.conf from the Apache example (this test's
# address, certificate, root and service). The caller may add to it, and
# put server configuration in $D/extra.conf, before web_apache starts it.
web_apache_site() {
	MODS=/usr/lib/apache2/modules
	[ -f "$MODS/mod_authnz_pam.so" ] ||
		bail "no $MODS/mod_authnz_pam.so (make deps: libapache2-mod-authnz-pam)"
	sed -e "s|<VirtualHost \\*:443>|<VirtualHost 127.0.0.1:$PORT>|" \
		-e "s|/etc/ssl/certs/api.example.org.pem|$D/cert.pem|" \
		-e "s|/etc/ssl/private/api.example.org.key|$D/key.pem|" \
		-e "s|DocumentRoot /var/www/api|DocumentRoot $D/www|" \
		-e "s|AuthPAMService apikey-http|AuthPAMService $SVC|" \
		"$WEB_APACHE_EXAMPLE" >"$D/site.conf"
	grep -q "127.0.0.1:$PORT" "$D/site.conf" && grep -q "AuthPAMService $SVC" "$D/site.conf" ||
		bail "the example's lines this test rewrites are not in $WEB_APACHE_EXAMPLE"
	: >>"$D/extra.conf"
}

# web_apache: apache2 started with $D/extra.conf and $D/site.conf, its
# workers WEB; access log (common format: %u, the user Apache
# authenticated) $D/access.log, its pid WEB_SERVER_PID.
web_apache() {
	cat >"$D/apache2.conf" <<EOF
ServerRoot $D
ServerName 127.0.0.1
PidFile $D/apache2.pid
DefaultRuntimeDir $D
Mutex file:$D default
ErrorLog $D/error.log
LogLevel warn
User $WEB
Group $(id -gn "$WEB")
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule authz_user_module $MODS/mod_authz_user.so
LoadModule authn_core_module $MODS/mod_authn_core.so
LoadModule auth_basic_module $MODS/mod_auth_basic.so
LoadModule authnz_pam_module $MODS/mod_authnz_pam.so
LoadModule socache_shmcb_module $MODS/mod_socache_shmcb.so
LoadModule ssl_module $MODS/mod_ssl.so
Listen 127.0.0.1:$PORT
LogFormat "%h %l %u %t \"%r\" %>s %b" common
CustomLog $D/access.log common
SSLSessionCache none
Include $D/extra.conf
Include $D/site.conf
EOF
	run_cmd apache2 -t -f "$D/apache2.conf"
	[ "$RC" -eq 0 ] || { diag_file "$E2E_TMP/err"; bail "apache2 -t"; }
	apache2 -f "$D/apache2.conf" -DFOREGROUND >"$D/apache2.out" 2>&1 9>&- &
	WEB_SERVER_PID=$!
	E2E_PIDS="$E2E_PIDS $!"
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
	# expect DESC WANT USER SECRET ERE: the status, and the attempt's one log
	# line: exactly one line from the module, and it matches ERE (naming the
	# key or the refusal)
	expect() {
		log_mark
		got=$(code "$3" "$4")
		tap_is "$1" "$got" "$2"
		log_window "$E2E_TMP/window"
		n_all=$(count_re "$E2E_TMP/window" "^10 [0-7] .*pam_apikey\\(")
		n_one=$(count_re "$E2E_TMP/window" "^10 [0-7] .*pam_apikey\\($SVC:auth\\): $5")
		if [ "$n_all $n_one" = "1 1" ]; then
			tap_ok "$1: one log line from the module, the expected one"
		else
			tap_not_ok "$1: one log line from the module, the expected one"
			diag "$n_all line(s) from the module, $n_one matching: $5" "logged in the window:"
			diag_file "$E2E_TMP/window"
		fi
	}
	ID=$(key_id "$KEY")
	expect "curl -u alice:\$KEY: 200" 200 "$ALICE" "$KEY" \
		"accepted key web-api \\(id $ID\\) for user $ALICE service $SVC rhost 127\\.0\\.0\\.1\$"
	tap_is "... with the file" "$(cat "$D/body")" "hello from the API"
	grep -q "^127\\.0\\.0\\.1 - $ALICE \\[.*\"GET /index\\.html HTTP/[0-9.]*\" 200 " "$ACCESS_LOG"
	tap_check "... and REMOTE_USER $ALICE in the access log's line of that 200" $?
	# the README's first recipe as it is written: the key on curl's command line
	log_mark
	got=$(curl -s --cacert "$D/cert.pem" -o "$D/body" -w '%{http_code}' -u "$ALICE:$KEY" "$URL")
	log_window "$E2E_TMP/window"
	tap_is "curl -u \"\$ALICE:\$KEY\" literally, TLS verified: 200, the file, one accepted line" \
		"$got $(cat "$D/body") $(count_re "$E2E_TMP/window" "^10 [0-7] .*pam_apikey\\($SVC:auth\\): accepted key web-api ")" \
		"200 hello from the API 1"
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
	expect "her key for bob: 401" 401 "$BOB" "$KEY" "refused key \\(id $ID\\) for user $BOB "
	# no cache: a key deleted after it logged in is refused at the next request
	e2e_generate KEY_REVOKE "$ALICE" --name revoked-soon
	expect "a key that is about to be deleted: 200" 200 "$ALICE" "$KEY_REVOKE" \
		"accepted key revoked-soon "
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
	got=$("$E2E_PY" "$E2E_LIB/web_requests.py" "$URL" "$ALICE" "$D/pykey" "$D/cert.pem")
	tap_is "Python requests with HTTPBasicAuth, TLS verified: 200, and 401 for a wrong key" "$got" \
		"200 hello from the API 401"
}
