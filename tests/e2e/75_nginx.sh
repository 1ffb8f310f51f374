#!/bin/sh
# tests/e2e/75_nginx.sh - curl -u alice:$KEY through nginx's auth_pam and the
# installed pam_apikey, as the shipped examples set it up
# (doc/web/nginx-apikey.conf, doc/pam.d/apikey-http): nginx on 127.0.0.1 with
# a temporary configuration and a throwaway certificate, its workers a
# throwaway account in the verify group (as www-data would be), the keys in
# the installed database, apikeyd on the installed socket.
# Checked: the right key 200 (curl and Python requests) with REMOTE_USER
# alice in the access log; 401 for a wrong key, another user's, a deleted,
# an expired key, one limited to sshd, one limited to another network, her
# password; each attempt's one log line naming the key.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin nginx curl openssl usermod
MODDIR=/usr/lib/nginx/modules
[ -f "$MODDIR/ngx_http_auth_pam_module.so" ] ||
	bail "no $MODDIR/ngx_http_auth_pam_module.so (make deps: libnginx-mod-http-auth-pam)"
e2e_install
e2e_syslog_start
. "$E2E_LIB/web.sh"
web_setup nginx

# The shipped example, with this test's port, certificate, root and service.
sed -e "s|listen 443 ssl;|listen 127.0.0.1:$PORT ssl;|" \
	-e "s|/etc/ssl/certs/api.example.org.pem|$D/cert.pem|" \
	-e "s|/etc/ssl/private/api.example.org.key|$D/key.pem|" \
	-e "s|root /var/www/api;|root $D/www;|" \
	-e "s|\"apikey-http\"|\"$SVC\"|" "$APK_TOP/doc/web/nginx-apikey.conf" >"$D/site.conf"
grep -q "127.0.0.1:$PORT" "$D/site.conf" && grep -q "$SVC" "$D/site.conf" ||
	bail "the example's lines this test rewrites are not in doc/web/nginx-apikey.conf"
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
nginx -t -c "$D/nginx.conf" -p "$D/" >"$D/nginx-t.log" 2>&1 || { diag_file "$D/nginx-t.log"; bail "nginx -t"; }
nginx -c "$D/nginx.conf" -p "$D/" -g 'daemon off;' >"$D/nginx.out" 2>&1 9>&- &
E2E_PIDS="$E2E_PIDS $!"
web_cases "$D/access.log"

e2e_end
