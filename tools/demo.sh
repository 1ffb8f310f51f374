#!/bin/sh
# tools/demo.sh - the main job end to end, inside a temporary directory:
# generate a key, log in with it through the real libpam (pam_wrapper +
# pamtester), list, rename, describe, delete, and see the deleted key refused.
# Touches nothing outside the temporary directory.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ctl="$top/build/apikeyctl"
module="$top/build/pam_apikey.so"
work=$(mktemp -d /tmp/pam_apikey-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
mkdir "$work/pam.d"
export APIKEY_DB="$work/db"
mkdir -m 700 "$APIKEY_DB"
user=$(id -un)

step() { printf '\n==> %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

# pamtester through pam_wrapper, which reads services from our own directory
# and shows the module's syslog lines on stderr.
login() { # KEY
	printf '%s\n' "$1" | LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$work/pam.d" PAM_WRAPPER_DEBUGLEVEL=2 \
		pamtester demo "$user" authenticate 2>&1 |
		sed -n 's/^.*SYSLOG([0-9]*): /    syslog: /p; s/^pamtester: /    pamtester: /p'
}

cat >"$work/pam.d/demo" <<EOT
auth required $module db=$APIKEY_DB nodelay
EOT
printf 'auth required pam_deny.so\n' >"$work/pam.d/other"

step "Everything happens in $work (database: \$APIKEY_DB)"
echo "PAM service 'demo':"; sed 's/^/    /' "$work/pam.d/demo"

step "$user generates a key; it is shown once"
run "$ctl" generate --description "demo laptop"
key=$("$ctl" generate -q --name ci-runner)
echo "\$ KEY=\$(apikeyctl generate -q --name ci-runner)    # a second key, for a script"

step "Logging in as $user with the key, through libpam"
login "$key"

step "A mistyped key is refused before the database is opened"
bad=$(printf '%s' "$key" | sed 's/.$/x/')
login "$bad"

step "Listing keys (never the secret or the hash)"
run "$ctl" list
run "$ctl" list --json

step "Renaming and describing; the key itself never changes"
run "$ctl" rename ci-runner build-server
run "$ctl" describe build-server "nightly builds"
run "$ctl" list
login "$key"

step "Deleting it (--yes: no terminal to confirm on)"
run "$ctl" delete build-server --yes
run "$ctl" list

step "The deleted key is refused"
login "$key"

step "Bad input changes nothing"
run "$ctl" rename key-1 'no spaces allowed' || echo "    (exit status $?)"
run "$ctl" delete key-1 no-such-key --yes || echo "    (exit status $?)"
run "$ctl" list
echo
echo "Demo finished; $work is removed."
