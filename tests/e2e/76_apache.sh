#!/bin/sh
# tests/e2e/76_apache.sh - curl -u alice:$KEY through Apache's mod_authnz_pam
# and the installed pam_apikey, as the shipped examples set it up
# (doc/web/apache-apikey.conf, doc/pam.d/apikey-http): apache2 on 127.0.0.1
# with a temporary configuration and a throwaway certificate, its workers a
# throwaway account in the verify group (as www-data would be); the cases
# are tests/e2e/lib/web.sh's, as for nginx.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin apache2 curl openssl usermod
MODS=/usr/lib/apache2/modules
[ -f "$MODS/mod_authnz_pam.so" ] ||
	bail "no $MODS/mod_authnz_pam.so (make deps: libapache2-mod-authnz-pam)"
e2e_install
e2e_syslog_start
. "$E2E_LIB/web.sh"
web_setup apache

# The shipped example, with this test's address, certificate, root and service.
sed -e "s|<VirtualHost \\*:443>|<VirtualHost 127.0.0.1:$PORT>|" \
	-e "s|/etc/ssl/certs/api.example.org.pem|$D/cert.pem|" \
	-e "s|/etc/ssl/private/api.example.org.key|$D/key.pem|" \
	-e "s|DocumentRoot /var/www/api|DocumentRoot $D/www|" \
	-e "s|AuthPAMService apikey-http|AuthPAMService $SVC|" \
	"$APK_TOP/doc/web/apache-apikey.conf" >"$D/site.conf"
grep -q "127.0.0.1:$PORT" "$D/site.conf" && grep -q "AuthPAMService $SVC" "$D/site.conf" ||
	bail "the example's lines this test rewrites are not in doc/web/apache-apikey.conf"
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
Include $D/site.conf
EOF
run_cmd apache2 -t -f "$D/apache2.conf"
[ "$RC" -eq 0 ] || { diag_file "$E2E_TMP/err"; bail "apache2 -t"; }
apache2 -f "$D/apache2.conf" -DFOREGROUND >"$D/apache2.out" 2>&1 9>&- &
E2E_PIDS="$E2E_PIDS $!"
web_cases "$D/access.log"
e2e_end
