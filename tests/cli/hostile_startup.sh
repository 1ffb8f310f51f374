#!/bin/sh
# tests/cli/hostile_startup.sh - apikeyctl started by someone who means harm:
# an empty argv, closed standard descriptors, a poisoned environment, umask
# 000, a core-dump limit, and a writer holding the lock for too long.
# The build under test is not setuid; tests/e2e/50_hostile.sh repeats what
# matters with the installed setuid helper. Runs as root or not.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/cli.sh"
cli_start hostile-start
nb=""
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$work"
	[ -n "$nb" ] && rm -rf "$nb"
}
trap cleanup EXIT
cli_db
need_tool

# no_secret_in DIR TOKEN: neither the key, its secret part nor the secret's
# raw bytes appear in any file under DIR (locks included).
no_secret_in() {
	python3 - "$1" "$2" <<'EOF'
import base64, os, sys
top, tok = sys.argv[1], sys.argv[2]
sec = tok[16:60]
raw = base64.urlsafe_b64decode(sec + "=" * (-len(sec) % 4))
needles = [tok.encode(), sec.encode(), raw, raw[:16]]
for d, _, files in os.walk(top):
    for f in files:
        data = open(os.path.join(d, f), "rb").read()
        for n in needles:
            if n in data:
                print("# found in", os.path.join(d, f))
                sys.exit(1)
EOF
}
# one_line FILE: exactly one line, starting "apikeyctl: "
one_line() { [ "$(wc -l <"$1")" -eq 1 ] && grep -q '^apikeyctl: ' "$1"; }

"$ctl" generate -q --name first >"$work/key1" || not_ok "a first key can be generated"
key1=$(cat "$work/key1")

# (tap.sh counts in $n: the loops below use other names)

# ---- argc == 0 (CVE-2021-4034) ---------------------------------------------
# Linux 5.18 and later turn an execve with an empty argv into argc 1,
# argv[0] "": shown here on cat, which waits on its input meanwhile. That is
# what reaches apikeyctl, which refuses an empty argv[0] with or without
# arguments after it. The first environment string is "generate": a program
# that read argv[1] past an empty argv would run it.
sleep 2 | "$tool" noargv /bin/cat &
catpid=$!
pids="$pids $catpid"
sleep 0.5
check "the kernel makes an empty argv argc 1, argv[0] \"\" (cat's cmdline: one NUL byte)" \
	test "$(od -An -tx1 "/proc/$catpid/cmdline" 2>/dev/null | tr -d ' ')" = 00
wait "$catpid" 2>/dev/null
refusal="apikeyctl: refused: empty argument list"
before=$(db_state)
"$tool" noargv "$ctl" generate "APIKEY_DB=$db" >"$work/out" 2>"$work/err"
rc=$?
check "an empty argv is refused (status $rc) as such" \
	test "$rc" -ne 0 -a "$(cat "$work/err")" = "$refusal"
check "an empty argv changes nothing" test "$before" = "$(db_state)"
check "an empty argv prints no key" sh -c "! grep -q apk_ '$work/out'"
perl -e 'exec { $ARGV[0] } "", "generate", "-q" or exit 127' "$ctl" >"$work/out" 2>"$work/err"
rc=$?
check "argv[0] \"\" before a command is refused (status $rc) as an empty argv" \
	test "$rc" -ne 0 -a "$(cat "$work/err")" = "$refusal"
check "argv[0] \"\" changes nothing and prints no key" \
	sh -c "test '$before' = '$(db_state)' && ! grep -q apk_ '$work/out'"

# ---- closed standard descriptors ---------------------------------------------
before=$(db_state)
"$ctl" generate >&- 2>"$work/err"
rc=$?
check "generate with stdout closed is refused (status $rc) with one line" \
	sh -c "test $rc -ne 0 && test \"\$(wc -l <'$work/err')\" -eq 1"
check "generate with stdout closed stores nothing" test "$before" = "$(db_state)"
"$ctl" generate -q >&- 2>&-
rc=$?
check "generate with stdout and stderr closed is refused (status $rc)" test "$rc" -ne 0
check "generate with stdout and stderr closed stores nothing" test "$before" = "$(db_state)"
"$ctl" generate -q >&- 2>&- <&-
rc=$?
check "generate with 0, 1 and 2 closed is refused (status $rc)" test "$rc" -ne 0
check "generate with 0, 1 and 2 closed stores nothing" test "$before" = "$(db_state)"
# What a setuid program finds instead of a closed stdout: glibc opens
# /dev/null there, read-only, so that writes fail (csu/check_fds.c).
"$ctl" generate -q 1</dev/null 2>"$work/err"
rc=$?
check "generate with stdout open read-only is refused (status $rc)" test "$rc" -ne 0
check "generate with stdout open read-only stores nothing" test "$before" = "$(db_state)"
"$ctl" generate -q 1</dev/null 2</dev/null
rc=$?
check "generate with stdout and stderr open read-only is refused (status $rc)" test "$rc" -ne 0
check "generate with stdout and stderr open read-only stores nothing" test "$before" = "$(db_state)"
k=0
for how in "2>&-" "<&-" "<&- 2>&-"; do
	k=$((k + 1))
	eval "\"\$ctl\" generate -q --name closed-$k >\"\$work/key\" $how"
	rc=$?
	key=$(cat "$work/key")
	if [ "$rc" -eq 0 ] && printf '%s' "$key" | grep -Eqx 'apk_[A-Za-z0-9_-]{64}'; then
		ok "generate -q $how prints a key"
		no_secret_in "$db" "$key"
		check "generate -q $how: the key is in no file of the database directory" test $? -eq 0
		"$tool" verify "$db" "$(id -un)" "$key" >/dev/null
		check "generate -q $how: the key works" test $? -eq 0
	else
		not_ok "generate -q $how prints a key (status $rc)"
	fi
done
no_secret_in "$db" "$key1"
check "the first key is in no file of the database directory" test $? -eq 0

# ---- a poisoned environment ----------------------------------------------------
mkdir -p "$work/gconv" "$work/locale" "$work/lib"
printf 'module INTERNAL EVIL// evil 1\n' >"$work/gconv/gconv-modules"
printf 'set editing-mode vi\n$include /etc/shadow\n' >"$work/inputrc"
hostile() {
	env GCONV_PATH="$work/gconv" NLSPATH="$work/%N" LANGUAGE=de:fr LANG=de_DE.UTF-8 \
		LC_ALL=de_DE.UTF-8 LC_MESSAGES=fr_FR LOCPATH="$work/locale" TZ="${HTZ:-../../../etc/shadow}" \
		MALLOC_CHECK_=3 MALLOC_PERTURB_=165 GLIBC_TUNABLES=glibc.malloc.check=3 \
		INPUTRC="$work/inputrc" HOSTALIASES="$work/inputrc" RES_OPTIONS=debug \
		TMPDIR=/nonexistent HOME=/nonexistent PATH=/nonexistent IFS=x \
		POSIXLY_CORRECT=1 COLUMNS=-1 TERM="$(printf 'dumb\033[2J')" "$@"
}
"$ctl" rename nosuch other >"$work/clean.out" 2>"$work/clean.err"; crc=$?
hostile "$ctl" rename nosuch other >"$work/hostile.out" 2>"$work/hostile.err"; hrc=$?
check "errors are the same in a poisoned environment" \
	sh -c "test $crc -eq $hrc && cmp -s '$work/clean.err' '$work/hostile.err'"
"$ctl" list >"$work/clean.out" 2>&1
hostile "$ctl" list >"$work/hostile.out" 2>&1
check "list is the same in a poisoned environment" cmp -s "$work/clean.out" "$work/hostile.out"
"$ctl" list --json >"$work/clean.out" 2>&1
HTZ=XXX-14 hostile "$ctl" list --json >"$work/hostile.out" 2>&1
check "list --json is the same with TZ=XXX-14 and the rest" cmp -s "$work/clean.out" "$work/hostile.out"
t0=$(date -u +%s)
HTZ=XXX-14 hostile "$ctl" generate -q --name in-utc >"$work/key" 2>"$work/err"
rc=$?
t1=$(date -u +%s)
check "generate works in a poisoned environment (status $rc)" test "$rc" -eq 0
"$ctl" list --json | python3 -c '
import calendar, json, sys, time
t0, t1 = int(sys.argv[1]), int(sys.argv[2])
k = [k for k in json.load(sys.stdin) if k["name"] == "in-utc"][0]
c = k["created"]
assert c.endswith("Z"), c
t = calendar.timegm(time.strptime(c, "%Y-%m-%dT%H:%M:%SZ"))
assert t0 - 1 <= t <= t1 + 1, (c, t0, t1)
' "$t0" "$t1"
check "a key made with TZ=XXX-14 is dated in UTC, at the time it was made" test $? -eq 0
TZ=XXX-14 "$ctl" list >"$work/out"
check "list shows UTC whatever TZ says" \
	sh -c "grep in-utc '$work/out' | grep -q '$(date -u +%Y-%m-%d)T'"

# ---- umask 000 ---------------------------------------------------------------------
(umask 000 && "$ctl" generate -q --name umask-a >/dev/null && "$ctl" rename umask-a umask-b &&
	"$ctl" describe umask-b "made under umask 000" && "$ctl" delete umask-b --yes)
check "commands work under umask 000" test $? -eq 0
modes=$(cd "$db" && find . -type f -printf '%m %p\n' | sort)
bad=$(printf '%s\n' "$modes" | grep -v '^600 ')
check "every file of the database is 0600 after umask 000 ($(printf '%s' "$modes" | tr '\n' ' '))" \
	test -z "$bad"
fresh=$work/fresh
mkdir -m 700 "$fresh"
(umask 000 && APIKEY_DB=$fresh "$ctl" generate -q >/dev/null)
modes=$(cd "$fresh" && find . -type f -printf '%m %p\n' | sort)
bad=$(printf '%s\n' "$modes" | grep -v '^600 ')
check "a database created under umask 000 has only 0600 files ($(printf '%s' "$modes" | tr '\n' ' '))" \
	test -n "$modes" -a -z "$bad"

# ---- a writer that holds the lock too long -------------------------------------------
# A caller to inspect: ourselves, or nobody when we are root (to see what an
# ordinary user can do to their own apikeyctl).
if [ "$uid" -eq 0 ]; then
	nb=$(mktemp -d /tmp/apk-hostile-nobody.XXXXXX)
	chown nobody "$nb"
	chmod 700 "$nb"
	ndb=$nb/db
	setpriv --reuid=nobody --regid=nogroup --clear-groups mkdir -m 700 "$ndb"
	as_caller() { setpriv --reuid=nobody --regid=nogroup --clear-groups env APIKEY_DB="$ndb" "$@"; }
	cuid=$(id -u nobody)
	cwd=$nb
else
	ndb=$db
	as_caller() { "$@"; }
	cuid=$uid
	cwd=$work
fi
as_caller "$ctl" generate -q --name mine >/dev/null || not_ok "the caller generates a key"
nbefore=$(cd "$ndb" && find . -type f ! -name '*.lock' | sort | xargs -r sha256sum)
lock=$ndb/u$cuid.lock
"$tool" hold "$lock" 9 >"$work/hold" &
holder=$!
pids="$pids $holder"
i=0
while ! grep -q locked "$work/hold" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "the test holds $lock" grep -q locked "$work/hold"

tag=waiter$$
start=$(date +%s%N)
for c in "generate -q --name $tag" "rename mine other" "describe mine text" "delete mine --yes"; do
	w=$(echo "$c" | cut -d' ' -f1)
	# shellcheck disable=SC2086
	(cd "$cwd" && as_caller "$ctl" $c >"$work/$w.out" 2>"$work/$w.err"; echo $? >"$work/$w.rc") &
	pids="$pids $!"
done
sleep 1
gpid=$(pgrep -n -f -- "generate -q --name $tag\$" || true)
t0=$(date +%s%N)
as_caller "$ctl" list >/dev/null
lrc=$?
t=$((($(date +%s%N) - t0) / 1000000))
check "list does not wait for a writer's lock (status $lrc, $t ms)" test "$lrc" -eq 0 -a "$t" -lt 1000

if [ -n "$gpid" ] && [ -r "/proc/$gpid/limits" ]; then
	core=$(awk '/^Max core file size/ { print $5, $6 }' "/proc/$gpid/limits")
	check "a waiting apikeyctl has a core-file limit of 0 (got '$core')" test "$core" = "0 0"
	as_caller cat "/proc/$gpid/environ" >/dev/null 2>&1
	check "its caller cannot read /proc/PID/environ (not dumpable)" test $? -ne 0
	check "its /proc entries belong to root (not dumpable)" test "$(stat -c %u "/proc/$gpid/status")" -eq 0
else
	not_ok "a waiting apikeyctl generate was found to inspect"
fi
for p in $pids; do [ "$p" = "$holder" ] || wait "$p" 2>/dev/null; done
end=$(date +%s%N)
ms=$(((end - start) / 1000000))
for w in generate rename describe delete; do
	rc=$(cat "$work/$w.rc")
	if [ "$rc" -ne 0 ] && one_line "$work/$w.err" && grep -q busy "$work/$w.err"; then
		ok "$w gives up with one 'busy' line while another writer holds the lock"
	else
		not_ok "$w gives up with one 'busy' line while another writer holds the lock (status $rc)"
		sed 's/^/# /' "$work/$w.err"
	fi
done
check "they gave up within 4.5-7.5 s (${ms} ms)" test "$ms" -ge 4500 -a "$ms" -le 7500
check "nothing changed while the lock was held" \
	test "$nbefore" = "$(cd "$ndb" && find . -type f ! -name '*.lock' | sort | xargs -r sha256sum)"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# SIGABRT (apikeyctl does not hold it) on a waiting helper started with an
# unlimited core limit, core_pattern writing to its working directory: no core.
if [ "$(cat /proc/sys/kernel/core_pattern)" = core ]; then
	"$tool" hold "$lock" 6 >"$work/hold2" &
	holder=$!
	pids="$pids $holder"
	i=0
	while ! grep -q locked "$work/hold2" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	tag=abort$$
	(cd "$cwd" && ulimit -c unlimited 2>/dev/null && as_caller "$ctl" generate -q --name "$tag" >/dev/null 2>&1) &
	waiter=$!
	sleep 0.5
	apid=$(pgrep -n -f -- "generate -q --name $tag\$" || true)
	if [ -n "$apid" ]; then
		as_caller kill -ABRT "$apid"
		wait "$waiter"
		wrc=$?
		check "a helper killed by SIGABRT (status $wrc) leaves no core file" \
			sh -c "test $wrc -eq 134 && ! ls '$cwd' | grep -q '^core'"
	else
		not_ok "a waiting helper to abort was found"
	fi
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
else
	ok "# SKIP core_pattern is not 'core': cannot look for a core file"
fi
check "nothing changed, no .new left" \
	test "$nbefore" = "$(cd "$ndb" && find . -type f ! -name '*.lock' | sort | xargs -r sha256sum)"
done_testing
