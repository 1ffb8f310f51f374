# bench/web.sh - requests/s through nginx: auth_pam + pam_apikey (through
# apikeyd) against nginx's own auth_basic with htpasswd files, apr1 and
# bcrypt, the same run (sourced by bench/apikeyd.sh, which has started the
# daemon: W, MODULE, KEY, USER_, SOCK, and "$@" the account to run as).
#
# nginx runs on 127.0.0.1 as that account, its PAM service file in a
# private directory through pam_wrapper (libpam-wrapper: nothing in
# /etc/pam.d); plain HTTP on the loopback, so the figures are the
# authentication's, not TLS's. ab -k -c 8 (apache2-utils) asks for one
# small file, the same user and secret for each kind, the kinds in
# interleaved rounds. Sets WEB_OK 1 when
# every request got 200 (or nothing could be measured, said why).
# shellcheck shell=sh disable=SC2154
WEB_OK=1
NGX_MOD=/usr/lib/nginx/modules/ngx_http_auth_pam_module.so
PWRAP=$(ls /usr/lib/*/libpam_wrapper.so 2>/dev/null | head -n 1)
if ! command -v nginx >/dev/null || ! command -v ab >/dev/null || ! command -v htpasswd >/dev/null ||
	[ ! -f "$NGX_MOD" ] || [ -z "$PWRAP" ]; then
	echo "web: not measured: needs nginx, libnginx-mod-http-auth-pam, apache2-utils and" \
		"libpam-wrapper (make deps)"
	return 0
fi
WREQ=${WREQ:-4000}
mkdir -p "$W/web/www/pam" "$W/web/www/apr1" "$W/web/www/bcrypt" "$W/web/t" "$W/web/pam.d"
for d in pam apr1 bcrypt; do echo "a small file" >"$W/web/www/$d/f.txt"; done
printf 'auth required %s nodelay db=%s socket=%s\naccount required pam_permit.so\n' \
	"$MODULE" "$W/db" "$SOCK" >"$W/web/pam.d/apikey-bench"
htpasswd -nbm "$USER_" "$KEY" >"$W/web/apr1" && htpasswd -nbB "$USER_" "$KEY" >"$W/web/bcrypt" ||
	{ echo "web: htpasswd failed"; WEB_OK=0; return 0; }
WPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$W/web/nginx.conf" <<EOF
worker_processes 2;
pid $W/web/nginx.pid;
error_log $W/web/error.log;
load_module $NGX_MOD;
env LD_PRELOAD;
env PAM_WRAPPER;
env PAM_WRAPPER_SERVICE_DIR;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $W/web/t/body;
    proxy_temp_path $W/web/t/proxy;
    fastcgi_temp_path $W/web/t/fastcgi;
    uwsgi_temp_path $W/web/t/uwsgi;
    scgi_temp_path $W/web/t/scgi;
    server {
        listen 127.0.0.1:$WPORT;
        root $W/web/www;
        location /pam/ { auth_pam "API"; auth_pam_service_name "apikey-bench"; }
        location /apr1/ { auth_basic "API"; auth_basic_user_file $W/web/apr1; }
        location /bcrypt/ { auth_basic "API"; auth_basic_user_file $W/web/bcrypt; }
    }
}
EOF
chmod -R a+rX "$W/web"
[ "$#" -gt 0 ] && chown -R nobody: "$W/web"
LD_PRELOAD=$PWRAP PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$W/web/pam.d \
	"$@" nginx -c "$W/web/nginx.conf" -p "$W/web/" -g 'daemon off;' >"$W/web/nginx.out" 2>&1 &
NGX=$!
i=0
while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $WPORT))" 2>/dev/null &&
	[ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
printf '%s:%s' "$USER_" "$KEY" >"$W/web/cred"
# Interleaved: WROUNDS rounds, each asking every location for WREQ/WROUNDS
# requests in turn, so that a load that comes and goes during the run
# weighs on the three alike; a location's rate is its requests over its
# summed time.
WROUNDS=${WROUNDS:-4}
echo "web: requests/s through nginx, ab -k -c 8, $WREQ requests a location in $WROUNDS interleaved rounds, one small file (higher is better)"
for kind in pam apr1 bcrypt; do eval "T_$kind=0 N_$kind=0 BAD_$kind=0"; done
r=0
while [ "$r" -lt "$WROUNDS" ]; do
	for kind in pam apr1 bcrypt; do
		ab -q -k -c 8 -n "$((WREQ / WROUNDS))" -A "$(cat "$W/web/cred")" \
			"http://127.0.0.1:$WPORT/$kind/f.txt" >"$W/web/ab.$kind" 2>&1
		t=$(awk '/^Time taken for tests:/ { print $5 }' "$W/web/ab.$kind")
		n=$(awk '/^Complete requests:/ { print $3 }' "$W/web/ab.$kind")
		non2xx=$(awk '/^Non-2xx responses:/ { print $3 }' "$W/web/ab.$kind")
		[ -n "$t" ] && [ -n "$n" ] && [ -z "$non2xx" ] || eval "BAD_$kind=1"
		eval "T_$kind=\$(awk -v a=\"\$T_$kind\" -v b=\"\${t:-0}\" 'BEGIN { print a + b }')"
		eval "N_$kind=\$((N_$kind + \${n:-0}))"
	done
	r=$((r + 1))
done
for kind in pam apr1 bcrypt; do
	eval "t=\$T_$kind n=\$N_$kind bad=\$BAD_$kind"
	rps=$(awk -v n="$n" -v t="$t" 'BEGIN { if (t > 0) printf "%.2f", n / t; else print 0 }')
	eval "RPS_$kind=\$rps"
	printf '  %-34s %10s req/s%s\n' "$(case $kind in pam) echo "auth_pam + pam_apikey (apikeyd)" ;;
		apr1) echo "auth_basic, htpasswd apr1" ;; bcrypt) echo "auth_basic, htpasswd bcrypt" ;; esac)" \
		"$rps" "$([ "$bad" -eq 0 ] || echo "  (some not 200)")"
	[ "$bad" -eq 0 ] || WEB_OK=0
done
printf '  pam_apikey against apr1: %.2fx, against bcrypt: %.2fx (goal: at least the apr1 figure)\n' \
	"$(awk -v a="$RPS_pam" -v b="$RPS_apr1" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
	"$(awk -v a="$RPS_pam" -v b="$RPS_bcrypt" 'BEGIN { print (b > 0 ? a / b : 0) }')"
kill "$NGX" 2>/dev/null
wait "$NGX" 2>/dev/null
[ "$WEB_OK" -eq 1 ] || { echo "web: some requests were not 200:"; tail -5 "$W/web/error.log"; }
