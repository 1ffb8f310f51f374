#!/bin/sh
# tests/e2e/50_hostile.sh - the installed setuid apikeyctl against its own
# caller (a throwaway account) who means harm.
#
#   - identity: while apikeyctl waits (on the account's lock, held by the
#     test as the helper account, or at the delete prompt on a terminal) the
#     caller cannot stop, kill, trace or read it (EPERM; /proc/PID/mem,
#     environ, fd unreadable); its real, effective, saved and fs uids are the
#     helper's; it may not dump core (RLIMIT_CORE 0, not dumpable, no core
#     file after ^\ at the prompt);
#   - start-up: an empty argv, closed 0-2, a poisoned environment (APIKEY_DB
#     ignored, timestamps in UTC), umask 000 (files 0600);
#   - the lock's deadline: "busy" within seconds while a login still works;
#   - ulimit -f/-n/-v and ^C, ^\ or a hangup from the terminal at random
#     moments: each command completes or fails in one line, nothing is ever
#     half-changed, no u<uid>.new is left, every key still logs in.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin pamtester pgrep

TOOL=$APK_BUILD/tests/hostile_tool
[ -x "$TOOL" ] || bail "$TOOL is not built (make tests)"
e2e_install
e2e_syslog_start
e2e_add_user ALICE alice
HUID=$(id -u "$HELPER_USER")
AUID=$(id -u "$ALICE")
LOCK=$DBDIR/u$AUID.lock
NEWF=$DBDIR/u$AUID.new

S_FAST=apkt-hostile-$$
e2e_pam_service "$S_FAST" <<EOF
auth    required pam_apikey.so nodelay
account required pam_permit.so
EOF
# login KEY: pamtester as ALICE with KEY; status in RC.
login() {
	printf '%s\n' "$1" | timeout 30 pamtester "$S_FAST" "$ALICE" authenticate \
		>"$E2E_TMP/pout" 2>&1
	RC=$?
}

e2e_generate KEY_A "$ALICE" --name first
e2e_generate KEY_B "$ALICE" --name second
VALID="$KEY_A $KEY_B"

# all_keys_work: every key in $VALID logs ALICE in.
all_keys_work() {
	for k in $VALID; do
		login "$k"
		[ "$RC" -eq 0 ] || return 1
	done
	return 0
}
# alice_keys: ALICE's keys as root lists them (fails when they do not read back).
alice_keys() { "$APKCTL" --user "$ALICE" list --json; }

# ---- the helper the test can inspect ------------------------------------------------

# hold_lock SECONDS: the test holds ALICE's lock as the helper account.
hold_lock() { e2e_hold_lock "$LOCK" "$1"; }

# as_alice_py CODE ARG...: python as ALICE; exit 0 when CODE says so.
as_alice_py() {
	code=$1
	shift
	as_user "$ALICE" "$E2E_PY" -c "$code" "$@"
}

# inspect PID WHERE: what ALICE cannot do to her running apikeyctl, and what
# root sees of it.
inspect() {
	pid=$1 where=$2
	for sig in STOP KILL TERM INT HUP QUIT; do
		as_alice_py '
import errno, os, signal, sys
try:
    os.kill(int(sys.argv[1]), getattr(signal, "SIG" + sys.argv[2]))
except OSError as e:
    sys.exit(0 if e.errno == errno.EPERM else 2)
sys.exit(1)' "$pid" "$sig"
		tap_is "$where: the caller's kill -$sig fails with EPERM" "$?" 0
	done
	for f in mem environ maps fd cwd; do
		as_alice_py '
import os, sys
p = "/proc/%s/%s" % (sys.argv[1], sys.argv[2])
try:
    if sys.argv[2] == "fd":
        os.listdir(p)
    elif sys.argv[2] == "cwd":
        os.readlink(p)
    else:
        open(p, "rb").read(1)
except PermissionError:
    sys.exit(0)
sys.exit(1)' "$pid" "$f"
		tap_is "$where: the caller cannot read /proc/PID/$f" "$?" 0
	done
	as_alice_py '
import ctypes, ctypes.util, errno, sys
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
rc = libc.ptrace(16, int(sys.argv[1]), None, None)  # PTRACE_ATTACH
sys.exit(0 if rc == -1 and ctypes.get_errno() == errno.EPERM else 1)' "$pid"
	tap_is "$where: the caller cannot ptrace it (EPERM)" "$?" 0
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
	tap_is "$where: real, effective, saved and fs uid are $HELPER_USER's" "$uids" \
		"$HUID $HUID $HUID $HUID"
	tap_is "$where: core-file limit 0" \
		"$(awk '/^Max core file size/ { print $5, $6 }' "/proc/$pid/limits")" "0 0"
	tap_is "$where: not dumpable (its /proc entries are root's)" \
		"$(stat -c %u "/proc/$pid/status")" 0
	tap_is "$where: $ALICE still runs it (kill -0 from root works)" \
		"$(kill -0 "$pid" 2>/dev/null && echo alive)" alive
}

# ---- waiting on the lock: identity, deadline, a login meanwhile ----------------------

# (the login meanwhile records its last use in u<uid>.used: not compared)
keys_state() { db_state | grep -v '\.used '; }
before=$(keys_state)
if hold_lock 9; then
	tap_ok "the test holds $LOCK as $HELPER_USER"
	tag=blocked$$
	t0=$(date +%s%N)
	(as_user "$ALICE" "$APKCTL" generate -q --name "$tag" >"$E2E_TMP/gen.out" \
		2>"$E2E_TMP/gen.err" 9>&-; echo $? >"$E2E_TMP/gen.rc") &
	waiter=$!
	sleep 0.7
	pid=$(pgrep -n -f -- "generate -q --name $tag\$")
	if [ -n "$pid" ]; then
		inspect "$pid" "waiting on the lock"
	else
		tap_not_ok "a waiting apikeyctl was found"
	fi
	lt0=$(date +%s%N)
	login "$KEY_A"
	lms=$((($(date +%s%N) - lt0) / 1000000))
	tap_is "a login works while a writer holds the lock ($lms ms)" "$RC" 0
	[ "$lms" -lt 2000 ] || tap_not_ok "the login took $lms ms"
	wait "$waiter"
	ms=$((($(date +%s%N) - t0) / 1000000))
	rc=$(cat "$E2E_TMP/gen.rc")
	if [ "$rc" -ne 0 ] && [ "$(wc -l <"$E2E_TMP/gen.err")" -eq 1 ] &&
		grep -q busy "$E2E_TMP/gen.err"; then
		tap_ok "the waiting generate gave up with one 'busy' line"
	else
		tap_not_ok "the waiting generate gave up with one 'busy' line (status $rc)"
		diag_file "$E2E_TMP/gen.err"
	fi
	[ "$ms" -ge 4500 ] && [ "$ms" -le 7500 ]
	tap_check "it gave up after 4.5-7.5 s ($ms ms)" $?
	tap_is "nothing changed while the lock was held" "$(keys_state)" "$before"
	e2e_stop_pid "$HOLDER"
else
	tap_not_ok "the test holds $LOCK as $HELPER_USER"
	diag_file "$E2E_TMP/hold"
fi

# ---- on a terminal ----------------------------------------------------------------------

cat >"$E2E_TMP/ptyrun.py" <<'EOF'
"""ptyrun.py USER CWD ACTION DELAY_MS EXPECT SYNC -- CMD...: runs CMD as USER
on a new terminal (runuser), in CWD. Once EXPECT ("" for none) appeared on
the terminal, or after DELAY_MS: with SYNC ("" for none) a directory, writes
the pid of CMD's process to SYNC/pid and waits for SYNC/go; then ACTION: a
line to type ("answer:n"), "intr" (^C), "quit" (^\), "hangup" (the
terminal goes away) or "none". Prints "exit N" or "signal N", then what
the terminal showed."""
import os, pty, select, signal, sys, time

user, cwd, action, delay, expect, sync = sys.argv[1:7]
cmd = sys.argv[8:]
pid, fd = pty.fork()
if pid == 0:
    # A person at a terminal: the terminal's signals as a login shell has
    # them, whatever this suite inherited (a background job ignores ^C).
    for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTSTP):
        signal.signal(s, signal.SIG_DFL)
    os.chdir(cwd)
    os.execvp("runuser", ["runuser", "-u", user, "--"] + cmd)
out = b""
def pump(t):
    global out
    end = time.time() + t
    while True:
        left = end - time.time()
        if left <= 0:
            return
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            return
        try:
            b = os.read(fd, 4096)
        except OSError:
            return
        if not b:
            return
        out += b
def child_of(ppid):
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                f = open("/proc/%s/stat" % p).read()
            except OSError:
                continue
            if int(f.rsplit(")", 1)[1].split()[1]) == ppid:
                return int(p)
    return None
if expect:
    end = time.time() + 10
    while expect.encode() not in out and time.time() < end:
        pump(0.05)
else:
    time.sleep(int(delay) / 1000.0)
if sync:
    with open(os.path.join(sync, "pid"), "w") as f:
        f.write("%s\n" % (child_of(pid) or ""))
    end = time.time() + 60
    while not os.path.exists(os.path.join(sync, "go")) and time.time() < end:
        pump(0.05)
if action.startswith("answer:"):
    os.write(fd, action[7:].encode() + b"\n")
elif action == "intr":
    os.write(fd, b"\x03")
elif action == "quit":
    os.write(fd, b"\x1c")
elif action == "hangup":
    os.close(fd)
if action != "hangup":
    pump(10)
_, status = os.waitpid(pid, 0)
if os.WIFSIGNALED(status):
    print("signal", os.WTERMSIG(status))
else:
    print("exit", os.WEXITSTATUS(status))
sys.stdout.write(out.decode(errors="replace"))
EOF
PTY="$E2E_PY $E2E_TMP/ptyrun.py"

# At the delete prompt: the same checks, then "n" deletes nothing.
before=$(db_state)
SYNC=$E2E_TMP/sync
mkdir "$SYNC"
$PTY "$ALICE" / answer:n 0 "Delete?" "$SYNC" -- "$APKCTL" delete first >"$E2E_TMP/pty.out" 2>&1 9>&- &
ptypid=$!
i=0
while [ ! -s "$SYNC/pid" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
pid=$(cat "$SYNC/pid" 2>/dev/null)
if [ -n "$pid" ]; then
	inspect "$pid" "at the delete prompt"
else
	tap_not_ok "the helper at the delete prompt was found"
fi
: >"$SYNC/go"
wait "$ptypid"
grep -q "nothing deleted" "$E2E_TMP/pty.out"
tap_check "answering n at the prompt deletes nothing" $?
tap_is "the database is as it was" "$(db_state)" "$before"

# ^C and ^\ at the prompt: the helper dies, nothing deleted, no core file
# (cwd writable by everyone, where a core would go).
CORED=$E2E_TMP/cwd
mkdir -m 1777 "$CORED"
chmod 0711 "$E2E_TMP"
for act in intr quit; do
	$PTY "$ALICE" "$CORED" "$act" 0 "Delete?" "" -- "$APKCTL" delete first >"$E2E_TMP/pty.out" 2>&1 9>&-
	st=$(head -1 "$E2E_TMP/pty.out")
	tap_is "$act at the delete prompt: nothing deleted ($st)" "$(db_state)" "$before"
	tap_is "$act at the delete prompt: no core file" "$(ls "$CORED")" ""
done
chmod 0700 "$E2E_TMP"

# ---- start-up -----------------------------------------------------------------------------

before=$(db_state)
run_cmd as_user "$ALICE" "$TOOL" noargv "$APKCTL" generate
tap_check "an empty argv is refused (status $RC)" "$([ "$RC" -ne 0 ] && echo 0 || echo 1)"
tap_is "an empty argv changes nothing" "$(db_state)" "$before"
tap_is "an empty argv prints no key" "$(grep -c apk_ "$E2E_TMP/out")" 0

tap_refused "generate with stdout closed is refused" \
	as_user "$ALICE" sh -c "exec '$APKCTL' generate >&-"
tap_is "generate with stdout closed stores nothing" "$(db_state)" "$before"
for how in "2>&-" "<&-"; do
	run_cmd as_user "$ALICE" sh -c "exec '$APKCTL' generate -q $how"
	tok=$(cat "$E2E_TMP/out")
	if [ "$RC" -eq 0 ] && key_wellformed "$tok"; then
		tap_ok "generate -q $how prints a key"
		e2e_secret "$tok"
		VALID="$VALID $tok"
		sec=$(key_secret "$tok")
		found=$(grep -rlF -e "$tok" -e "$sec" "$DBDIR" 2>/dev/null)
		tap_is "generate -q $how: the key is in no file of $DBDIR" "$found" ""
	else
		tap_not_ok "generate -q $how prints a key (status $RC)"
		diag_file "$E2E_TMP/err"
	fi
done

# A poisoned environment; APIKEY_DB must be ignored by the setuid helper.
evil=$E2E_TMP/evil
mkdir -m 0777 "$evil"
chmod 0711 "$E2E_TMP"
run_cmd as_user "$ALICE" "$APKCTL" list --json
cp "$E2E_TMP/out" "$E2E_TMP/clean.json"
poisoned() {
	as_user "$ALICE" env APIKEY_DB="$evil" GCONV_PATH="$evil" NLSPATH="$evil/%N" \
		LANGUAGE=de LC_ALL=de_DE.UTF-8 TZ=XXX-14 MALLOC_CHECK_=3 MALLOC_PERTURB_=165 \
		INPUTRC="$evil/inputrc" LOCPATH="$evil" HOSTALIASES="$evil/h" "$@"
}
run_cmd poisoned "$APKCTL" list --json
tap_is "list --json is the same in a poisoned environment" "$(cat "$E2E_TMP/out")" \
	"$(cat "$E2E_TMP/clean.json")"
t0=$(date -u +%s)
run_cmd poisoned "$APKCTL" generate -q --name poisoned
t1=$(date -u +%s)
tok=$(cat "$E2E_TMP/out")
if [ "$RC" -eq 0 ] && key_wellformed "$tok"; then
	tap_ok "generate works in a poisoned environment"
	e2e_secret "$tok"
	VALID="$VALID $tok"
else
	tap_not_ok "generate works in a poisoned environment (status $RC)"
	diag_file "$E2E_TMP/err"
fi
tap_is "APIKEY_DB is ignored: nothing in $evil" "$(ls -A "$evil")" ""
alice_keys | "$E2E_PY" -c '
import calendar, json, sys, time
t0, t1 = int(sys.argv[1]), int(sys.argv[2])
k = [k for k in json.load(sys.stdin) if k["name"] == "poisoned"][0]
t = calendar.timegm(time.strptime(k["created"], "%Y-%m-%dT%H:%M:%SZ"))
sys.exit(0 if t0 - 1 <= t <= t1 + 1 else 1)' "$t0" "$t1"
tap_check "APIKEY_DB is ignored, and TZ=XXX-14 still dates the key in UTC" $?
chmod 0700 "$E2E_TMP"

# umask 000: the helper's files are 0600 and its own.
run_cmd as_user "$ALICE" sh -c "umask 000; exec '$APKCTL' describe first 'umask 000'"
tap_is "describe under umask 000 works" "$RC" 0
bad=$(find "$DBDIR" -type f \( ! -perm 600 -o ! -user "$HELPER_USER" \) -printf '%m %u %p\n')
tap_is "every file in $DBDIR is 0600 and $HELPER_USER's" "$bad" ""

# ---- limits ------------------------------------------------------------------------------

# limited DESC LIMIT CMD...: ALICE runs apikeyctl CMD under `ulimit LIMIT`:
# done with its change, or refused in one line with nothing changed; no
# .new left; the keys read back and every valid key logs in.
limited() {
	desc=$1 lim=$2
	shift 2
	before=$(alice_keys)
	state=$(db_state)
	# stdout and stderr through pipes: the limit must not cut them short
	{ { as_user "$ALICE" sh -c "ulimit $lim && exec \"\$0\" \"\$@\"" "$APKCTL" "$@" \
		</dev/null; echo $? >"$E2E_TMP/rc"; } 2>&1 1>&3 | cat >"$E2E_TMP/err"; } 3>&1 |
		cat >"$E2E_TMP/out"
	RC=$(cat "$E2E_TMP/rc")
	after=$(alice_keys)
	lines=$(wc -l <"$E2E_TMP/err")
	if [ "$RC" -eq 0 ]; then
		verdict="done"
		[ "$after" != "$before" ] || [ "$1" = list ] || verdict="exit 0 without a change"
	elif [ "$lines" -eq 1 ] && [ "$(db_state)" = "$state" ]; then
		verdict="refused"
	else
		verdict="status $RC, $lines stderr lines, changed: $([ "$(db_state)" = "$state" ] && echo no || echo yes)"
	fi
	case $verdict in
	done | refused) tap_ok "ulimit $lim: $desc: $verdict" ;;
	*) tap_not_ok "ulimit $lim: $desc: $verdict"; diag_file "$E2E_TMP/err" ;;
	esac
	[ -e "$NEWF" ] && tap_not_ok "ulimit $lim: $desc: $NEWF left behind"
	if [ "$RC" -eq 0 ] && [ "$1" = generate ]; then
		tok=$(cat "$E2E_TMP/out")
		e2e_secret "$tok"
		VALID="$VALID $tok"
	fi
	return 0
}
for lim in "-f 0" "-f 2" "-f 6" "-f 10"; do
	limited "rename" "$lim" rename first renamed
	limited "rename back" "$lim" rename renamed first
	limited "generate" "$lim" generate -q
done
for lim in "-n 3" "-n 4" "-n 5" "-n 6" "-n 8"; do
	limited "describe" "$lim" describe second "under $lim"
	limited "generate" "$lim" generate -q
done
# (not between about 3.1 and 3.3 MiB: there glibc's getpwuid_r crashes when
# an allocation fails, before apikeyctl has done anything; stress_hostile.c
# reports it)
for kb in 1024 2048 4096 8192 16384; do
	limited "describe" "-v $kb" describe second "under -v $kb"
done
alice_keys >/dev/null
tap_check "$ALICE's keys read back after the limits" $?
all_keys_work
tap_check "every key of $ALICE still logs in after the limits" $?

# ---- the terminal's signals at random moments ------------------------------------------

n_runs=0
bad=0
outcomes=""
i=0
while [ $i -lt 24 ]; do
	i=$((i + 1))
	case $((i % 3)) in
	0) act=intr ;;
	1) act=quit ;;
	2) act=hangup ;;
	esac
	delay=$(($(od -An -N1 -tu1 /dev/urandom) % 40))
	case $((i % 4)) in
	0) set -- generate -q --name "tty-$i" ;;
	1) set -- rename second "second-$i" ;;
	2) set -- describe first "described $i" ;;
	3) set -- rename "second-$((i - 2))" second ;;
	esac
	state=$(db_state)
	before=$(alice_keys)
	$PTY "$ALICE" / "$act" "$delay" "" "" -- "$APKCTL" "$@" >"$E2E_TMP/pty.out" 2>&1 9>&-
	after=$(alice_keys) || { bad=$((bad + 1)); diag "run $i ($act after $delay ms $*): keys unreadable"; }
	n_runs=$((n_runs + 1))
	outcomes="$outcomes$(head -1 "$E2E_TMP/pty.out" | tr ' ' _) "
	if [ -e "$NEWF" ]; then
		bad=$((bad + 1))
		diag "run $i ($act after $delay ms, $*): $NEWF left behind"
	fi
	tok=$(sed -n 's/^\(apk_[A-Za-z0-9_-]\{64\}\).*/\1/p' "$E2E_TMP/pty.out" | head -1)
	if [ -n "$tok" ]; then
		e2e_secret "$tok"
		VALID="$VALID $tok"
	fi
	# a change happened whole or not at all: the keys read back either way,
	# and a rename that happened shows its new name
	if [ "$1" = rename ] && [ "$after" != "$before" ] &&
		! printf '%s' "$after" | grep -q "\"$3\""; then
		bad=$((bad + 1))
		diag "run $i ($act after $delay ms, $*): changed, but not as asked"
	fi
done
diag "outcomes: $(printf '%s\n' $outcomes | sort | uniq -c | tr -s ' \n' ' ')"
tap_is "^C, ^\\ or a hangup at a random moment in $n_runs commands: never half-done, no .new left" "$bad" 0
# names may have drifted: put "second" back for the cleanup's sake
all_keys_work
tap_check "every key of $ALICE still logs in after the signals" $?

log_sync
tap_no_secret "no key or secret in any log line" "$E2E_SYSLOG"
e2e_end
