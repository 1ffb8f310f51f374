#!/bin/sh
# tests/e2e/76_apache.sh - curl -u alice:$KEY through Apache's mod_authnz_pam
# and the installed pam_apikey, as the shipped examples set it up
# (doc/web/apache-apikey.conf, doc/pam.d/apikey-http): apache2 on 127.0.0.1
# with a temporary configuration and a throwaway certificate, its workers a
# throwaway account in the verify group (as www-data would be); the cases
# are tests/e2e/lib/web.sh's, as for nginx. Then what Apache adds: a CGI
# program sees REMOTE_USER; git over HTTPS as the README has it (the
# credential helper asks once and stores the key); a mod_authn_socache
# location keeps a deleted key working until its entry expires.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin apache2 curl openssl usermod git
e2e_install
e2e_syslog_start
. "$E2E_LIB/web.sh"
web_setup apache

# The shipped example, with this test's address, certificate, root and service.
web_apache_site
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

# A location whose PAM service the admin stacked with pam_unix (as
# doc/pam.d/apikey-http says: forward_pass, and the workers in the group
# shadow so that pam_unix may read /etc/shadow): there a password works too.
SVC_PW=$SVC-pw
e2e_pam_service "$SVC_PW" <<EOF
auth    [success=done default=ignore]   pam_apikey.so forward_pass
auth    required                        pam_unix.so try_first_pass
account required                        pam_permit.so
EOF
usermod -a -G shadow "$WEB" || bail "usermod -G shadow $WEB"
mkdir -m 0755 "$D/www/withpw" && echo "hello with a password" >"$D/www/withpw/index.html" &&
	chmod 0644 "$D/www/withpw/index.html" || bail "the stacked location's file"
sed -i "s|^</VirtualHost>|    <Location \"/withpw/\">\\
        AuthPAMService $SVC_PW\\
    </Location>\\
</VirtualHost>|" "$D/site.conf"
grep -q "AuthPAMService $SVC_PW" "$D/site.conf" || bail "the stacked location"

# git over HTTPS: a bare repository served by git-http-backend (mod_cgid)
# behind the example's <Location "/">, the same PAM authentication.
GIT_BACKEND=/usr/lib/git-core/git-http-backend
[ -x "$GIT_BACKEND" ] || bail "no $GIT_BACKEND (make deps: git)"
git init -q -b main "$D/src" && echo "the project" >"$D/src/README" &&
	git -C "$D/src" add README &&
	git -C "$D/src" -c user.name=t -c user.email=t@localhost commit -qm first &&
	git clone -q --bare "$D/src" "$D/git/project.git" && chown -R "$WEB" "$D/git" ||
	bail "the test's git repository"
cat >>"$D/extra.conf" <<EOF
LoadModule authn_socache_module $MODS/mod_authn_socache.so
AuthnCacheSOCache shmcb:$D/authn_cache(65536)
LoadModule alias_module $MODS/mod_alias.so
LoadModule env_module $MODS/mod_env.so
LoadModule cgid_module $MODS/mod_cgid.so
ScriptSock $D/cgid.sock
SetEnv GIT_PROJECT_ROOT $D/git
SetEnv GIT_HTTP_EXPORT_ALL 1
ScriptAlias /git/ $GIT_BACKEND/
ScriptAlias /whoami $D/whoami.cgi
EOF
# shellcheck disable=SC2016 # $REMOTE_USER is the script's
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\nREMOTE_USER=%%s\\n" "$REMOTE_USER"\n' >"$D/whoami.cgi"
chmod 0755 "$D/whoami.cgi"
web_apache
web_cases "$D/access.log"

# REMOTE_USER as a program behind the example sees it: a CGI script under
# its <Location "/"> prints the variable Apache sets.
WHOAMI_URL=https://127.0.0.1:$PORT/whoami
who=$(curl -s --cacert "$D/cert.pem" -o "$D/body" -w '%{http_code}' -u "$ALICE:$KEY" "$WHOAMI_URL")
tap_is "a CGI program behind the example sees REMOTE_USER=$ALICE" "$(cat "$D/body") $who" \
	"REMOTE_USER=$ALICE 200"
who=$(curl -s --cacert "$D/cert.pem" -o /dev/null -w '%{http_code}' \
	-u "$ALICE:$("$E2E_PY" "$E2E_LIB/keytool.py" forge "$KEY")" "$WHOAMI_URL")
tap_is "... and with a wrong key it does not run: 401" "$who" 401

# git over HTTPS as the README has it: credential.helper store in the
# user's git configuration, `git clone https://alice@host/...` asks for the
# password once (GIT_ASKPASS here, counting), git stores the key like a token
# in ~/.git-credentials (mode 0600; git 2.39 writes the port's colon as
# %3a) and later commands take it from there.
GIT_URL=https://$ALICE@127.0.0.1:$PORT/git/project.git
GHOME=$D/t/githome
mkdir -m 0700 "$GHOME" || bail "mkdir $GHOME"
printf '#!/bin/sh\necho asked >>"%s/asked"\ncat "%s/askkey"\n' "$D" "$D" >"$D/askpass"
chmod 0700 "$D/askpass"
(umask 077 && printf '%s\n' "$KEY" >"$D/askkey")
# git_as ASKPASS ARG...: git with the test's HOME, TLS verified against the
# test's certificate (GIT_SSL_* in the environment would override it)
git_as() {
	a=$1
	shift
	env -u GIT_SSL_CAINFO -u GIT_SSL_CAPATH -u GIT_SSL_NO_VERIFY HOME="$GHOME" \
		GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS="$a" \
		git -c http.sslCAInfo="$D/cert.pem" -c http.sslVerify=true "$@" \
		>"$E2E_TMP/out" 2>"$E2E_TMP/err"
}
git_as /bin/false config --global credential.helper store
git_as "$D/askpass" clone -q "$GIT_URL" "$D/clone"
rc=$?
tap_check "git clone https://$ALICE@.../project.git, credential.helper store: cloned" $rc
[ "$rc" -eq 0 ] || { diag_file "$E2E_TMP/err"; diag_file "$D/error.log"; }
tap_is "... the repository's file" "$(cat "$D/clone/README" 2>/dev/null)" "the project"
tap_is "... git asked for the password once" "$(wc -l <"$D/asked" 2>/dev/null)" 1
tap_is "... and stored the key in ~/.git-credentials, mode 600" \
	"$(stat -c %a "$GHOME/.git-credentials" 2>/dev/null) $(grep -cE "^https://$ALICE:$KEY@127\\.0\\.0\\.1(:|%3[aA])$PORT\$" "$GHOME/.git-credentials" 2>/dev/null)" \
	"600 1"
git_as /bin/false -C "$D/clone" fetch -q
tap_check "a later git fetch takes the stored key (nothing asked)" $?
tap_is "... (still asked once)" "$(wc -l <"$D/asked")" 1
# a stored key that is wrong: refused, and git forgets it
wrong=$("$E2E_PY" "$E2E_LIB/keytool.py" forge "$KEY")
(umask 077 && printf 'https://%s:%s@127.0.0.1:%s\n' "$ALICE" "$wrong" "$PORT" >"$GHOME/.git-credentials")
! git_as /bin/false clone -q "$GIT_URL" "$D/clone-wrong" && grep -q "Authentication failed" "$E2E_TMP/err"
tap_check "git clone with a wrong stored key: refused (Authentication failed)" $?
[ ! -e "$D/clone-wrong/README" ]
tap_check "... and nothing was cloned" $?
tap_is "... and git erased the rejected key from ~/.git-credentials" \
	"$(cat "$GHOME/.git-credentials" 2>/dev/null | grep -c -- "$wrong")" 0

# Passwords: refused by the example (above, in the cases), accepted where
# the admin stacked pam_unix.
PW_URL=https://127.0.0.1:$PORT/withpw/index.html
pw_get() {
	printf 'user = "%s:%s"\n' "$1" "$2" >"$D/curlrc"
	curl -s --cacert "$D/cert.pem" -o "$D/body" -w '%{http_code}' -K "$D/curlrc" "$PW_URL"
}
tap_is "pam_unix stacked by the admin: her password, 200" \
	"$(pw_get "$ALICE" "$ALICE_PW") $(cat "$D/body")" "200 hello with a password"
tap_is "... her key, 200" "$(pw_get "$ALICE" "$KEY")" 200
tap_is "... a wrong password, 401" "$(pw_get "$ALICE" "wrong-$ALICE_PW")" 401
tap_is "... her key for bob, 401 (a key goes no further)" "$(pw_get "$BOB" "$KEY")" 401

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
log_mark
tap_is "... deleted: still 200 at once from the cache" "$(get "$KEY_CACHED" /cached/index.html)" 200
log_window "$E2E_TMP/window"
tap_is "... answered from the cache: no PAM, no log line from the module" \
	"$(count_re "$E2E_TMP/window" "pam_apikey\\(")" 0
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
