#!/bin/sh
# tests/e2e/76_apache.sh - curl -u alice:$KEY through Apache's mod_authnz_pam
# and the installed pam_apikey, as the shipped examples set it up
# (doc/web/apache-apikey.conf, doc/pam.d/apikey-http): apache2 on 127.0.0.1
# with a temporary configuration and a throwaway certificate, its workers a
# throwaway account in the verify group (as www-data would be); the cases
# are tests/e2e/lib/web.sh's, as for nginx.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin apache2 curl openssl usermod git
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
# A variant location with a credential cache (mod_authn_socache), as
# doc/web/CACHE.md describes: the same PAM service, results kept CACHE_S s.
CACHE_S=6
mkdir -m 0755 "$D/www/cached" && echo "hello from the cache" >"$D/www/cached/index.html" &&
	chmod 0644 "$D/www/cached/index.html" || bail "the cached location's file"
sed -i "s|^</VirtualHost>|    <Location \"/cached/\">\\
        AuthBasicProvider socache PAM\\
        AuthnCacheProvideFor PAM\\
        AuthnCacheTimeout $CACHE_S\\
    </Location>\\
</VirtualHost>|" "$D/site.conf"
grep -q "AuthnCacheTimeout $CACHE_S" "$D/site.conf" || bail "the cached location"

# git over HTTPS: a bare repository served by git-http-backend (mod_cgid)
# behind the example's <Location "/">, the same PAM authentication.
GIT_BACKEND=/usr/lib/git-core/git-http-backend
[ -x "$GIT_BACKEND" ] || bail "no $GIT_BACKEND (make deps: git)"
git init -q -b main "$D/src" && echo "the project" >"$D/src/README" &&
	git -C "$D/src" add README &&
	git -C "$D/src" -c user.name=t -c user.email=t@localhost commit -qm first &&
	git clone -q --bare "$D/src" "$D/git/project.git" && chown -R "$WEB" "$D/git" ||
	bail "the test's git repository"
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
LoadModule authn_socache_module $MODS/mod_authn_socache.so
AuthnCacheSOCache shmcb:$D/authn_cache(65536)
LoadModule alias_module $MODS/mod_alias.so
LoadModule env_module $MODS/mod_env.so
LoadModule cgid_module $MODS/mod_cgid.so
ScriptSock $D/cgid.sock
SetEnv GIT_PROJECT_ROOT $D/git
SetEnv GIT_HTTP_EXPORT_ALL 1
ScriptAlias /git/ $GIT_BACKEND/
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

# git clone with the key from a credential helper (git's store, a file of
# mode 0600, as it keeps a token), TLS verified against the test's certificate
GIT_URL=https://127.0.0.1:$PORT/git/project.git
# clone DIR USER SECRET: git clone's exit status, the key from the helper only
clone() {
	(umask 077 && printf 'https://%s:%s@127.0.0.1:%s\n' "$2" "$3" "$PORT" >"$D/git-credentials")
	# (GIT_SSL_* in the environment would override http.sslCAInfo)
	env -u GIT_SSL_CAINFO -u GIT_SSL_CAPATH -u GIT_SSL_NO_VERIFY HOME="$D/t" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false \
		git -c credential.helper= -c credential.helper="store --file=$D/git-credentials" \
		-c http.sslCAInfo="$D/cert.pem" -c http.sslVerify=true \
		clone -q "$GIT_URL" "$1" >"$E2E_TMP/out" 2>"$E2E_TMP/err"
}
clone "$D/clone" "$ALICE" "$KEY"
rc=$?
tap_check "git clone over HTTPS, the key from credential.helper=store: cloned" $rc
[ "$rc" -eq 0 ] || { diag_file "$E2E_TMP/err"; diag_file "$D/error.log"; }
tap_is "... the repository's file" "$(cat "$D/clone/README" 2>/dev/null)" "the project"
clone "$D/clone-wrong" "$ALICE" "$("$E2E_PY" "$E2E_LIB/keytool.py" forge "$KEY")"
[ $? -ne 0 ]
tap_check "git clone with a wrong key: refused" $?
grep -q "Authentication failed" "$E2E_TMP/err"
tap_check "... git says: Authentication failed" $?
[ ! -e "$D/clone-wrong/README" ]
tap_check "... and nothing was cloned" $?

# A cache delays revocation: a key deleted after it logged in through the
# cached location still works until its entry expires, then is refused.
CURL_URL=https://127.0.0.1:$PORT
get() {
	printf 'user = "%s:%s"\n' "$ALICE" "$1" >"$D/curlrc"
	curl -s --cacert "$D/cert.pem" -o /dev/null -w '%{http_code}' -K "$D/curlrc" "$CURL_URL$2"
}
e2e_generate KEY_CACHED "$ALICE" --name cached
tap_is "the cached location, a key: 200 (now cached)" "$(get "$KEY_CACHED" /cached/index.html)" 200
run_cmd as_user "$ALICE" "$APKCTL" delete --yes cached
[ "$RC" -eq 0 ] || bail "delete cached"
t0=$(date +%s)
tap_is "... deleted: still 200 at once from the cache" "$(get "$KEY_CACHED" /cached/index.html)" 200
tap_is "... while the uncached example refuses it: 401" "$(get "$KEY_CACHED" /index.html)" 401
# poll until refused; give up well after the timeout
while :; do
	st=$(get "$KEY_CACHED" /cached/index.html)
	t1=$(date +%s)
	[ "$st" = 200 ] && [ $((t1 - t0)) -le $((CACHE_S + 20)) ] || break
	sleep 0.5
done
diag "deleted key accepted through the cache for about $((t1 - t0)) s (AuthnCacheTimeout $CACHE_S; the refusal itself waits 2 s)"
tap_is "... refused once the entry expired" "$st" 401
[ $((t1 - t0)) -le $((CACHE_S + 10)) ]
tap_check "... within the timeout and a margin ($((t1 - t0)) s <= $((CACHE_S + 10)) s)" $?
e2e_end
