#!/bin/sh
# bench/fleet.sh - the fleet figures (issue 16 section 5; make bench,
# make bench-smoke; doc/PERFORMANCE.md, "The fleet mirror")
#
#   bench/fleet.sh BUILD-DIR [--smoke]
#
# A real slapd (tests/ldap/lib/slapd.sh) is filled by slapadd with 50,000
# accounts of 2 keys each (tests/fleet_ldif; --smoke: 500 accounts). The
# host knows the same accounts with the same uids, as a host of a large
# fleet does, through an NSS that answers a name without a scan: Debian's
# libnss-db (a hashed passwd.db made by its own Makefile and makedb from
# fleet_ldif's lines), loaded by nss_wrapper as its module
# (NSS_WRAPPER_MODULE_SO_PATH) after its files (NSS_WRAPPER_PASSWD: this
# machine's /etc/passwd and the host's account). libnss-db reads
# /var/lib/misc/passwd.db: every program that looks accounts up runs in a
# mount namespace of its own where the bench's directory is mounted there
# (unshare -m); /etc/passwd, /etc/nsswitch.conf and /var/lib/misc are not
# touched. So apikeyd's match of owners to local accounts is the real one.
#   1. initial mirror: apikeyd --once, bound as host-a, into an empty
#      database directory, under /usr/bin/time -v: wall seconds and the peak
#      resident size (its largest process) (goal <= 60 s, <= 64 MB)
#   2. one change to refused: apikeyd --foreground stays connected (Content
#      Sync); CHANGES times over, one account's key is deleted with
#      ldapdelete and a login with it is tried every 10 ms (bench-login, one
#      round) until refused; median and max from ldapdelete's start
#      (goal <= 1 s median)
#   3. login: one account's directory key and another's local key
#      (apikeyctl generate in the same database directory), whole PAM logins
#      in the same shuffled rounds of bench-login: ratio of the medians
#      (goal <= 1.05x)
# Figures are printed, not asserted. Needs root (the host database's owner,
# the loopback slapd); as another user it says so and exits 0.
# Exit 0 when it measured (or said why not), 1 when a step failed, 2 when
# something it needs is missing.
set -u
B=${1:?usage: bench/fleet.sh BUILD-DIR [--smoke]}
B=$(cd "$B" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
ACCOUNTS=50000 KEYS=2 CHANGES=20 ROUNDS=2000 WARMUP=50
[ "${2:-}" = --smoke ] && ACCOUNTS=500 CHANGES=3 ROUNDS=40 WARMUP=5
UID0=200000

if [ "$(id -u)" -ne 0 ]; then
	echo "fleet: not measured: needs root (slapd's loopback directory and the host database)"
	exit 0
fi
NSSW= NSSDB=
for w in /usr/lib/*/libnss_wrapper.so; do [ -e "$w" ] && NSSW=$w; done
for w in /lib/*/libnss_db.so.2 /usr/lib/*/libnss_db.so.2; do [ -e "$w" ] && NSSDB=$w; done
for f in "$B/apikeyd" "$B/apikeyctl" "$B/pam_apikey.so" "$B/bench/bench-login" \
	"$B/tests/fleet_ldif" "$NSSW" "$NSSDB" /usr/bin/makedb /var/lib/misc/Makefile \
	/usr/bin/time /usr/sbin/slapd; do
	{ [ -n "$f" ] && [ -e "$f" ]; } || { echo "bench-fleet: ${f:-libnss_wrapper.so or libnss_db.so.2} missing (make all tests; make deps)" >&2; exit 2; }
done

. "$top/tests/ldap/lib/slapd.sh"
PID=""
# shellcheck disable=SC2034,SC2016 # run by slapd.sh's exit trap
ON_EXIT='[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null'
slapd_start || { echo "bench-fleet: slapd did not start" >&2; exit 1; }
t=$SLAPD_DIR/fleet
chmod 0711 "$SLAPD_DIR" && mkdir -m 0755 "$t" || exit 1

# the directory: ACCOUNTS x KEYS, keys known (NAME ID KEY a line)
cp /etc/passwd "$t/passwd" && cp /etc/group "$t/group" || exit 1
mkdir -m 0755 "$t/etc" "$t/misc" || exit 1
"$B/tests/fleet_ldif" -p "$t/etc/passwd" "$SLAPD_BASE" fb "$ACCOUNTS" "$KEYS" "$UID0" "$t/keys" \
	>"$t/fleet.ldif" || { echo "bench-fleet: fleet_ldif failed" >&2; exit 1; }
# the fleet's accounts hashed, by Debian's own recipe (/var/lib/misc/Makefile)
make -s -f /var/lib/misc/Makefile ETC="$t/etc" VAR_DB="$t/misc" "$t/misc/passwd.db" >/dev/null ||
	{ echo "bench-fleet: makedb of the fleet's accounts failed" >&2; exit 1; }
# (apikeyctl, below, reads a plain copy of everything through /etc/passwd)
cat "$t/passwd" "$t/etc/passwd" >"$t/passwd.all" || exit 1
# the host's own account (apikeyd's and the database's owner, as
# pam-apikey is installed), known through nss_wrapper alone
HUID=$((UID0 - 1))
echo "apkfb-host:x:$HUID:$HUID::/nonexistent:/usr/sbin/nologin" >>"$t/passwd"
echo "apkfb-host:x:$HUID:" >>"$t/group"
# a program in a mount namespace where libnss-db reads the fleet's passwd.db
printf '#!/bin/sh\nmount --bind %s /var/lib/misc && exec "$@"\n' "$t/misc" >"$t/nss.sh" &&
	chmod 0755 "$t/nss.sh" || exit 1
nss() { unshare -m "$t/nss.sh" "$@"; }
host() { nss setpriv --reuid="$HUID" --regid="$HUID" --clear-groups "$@"; }
s0=$(date +%s.%N)
# shellcheck disable=SC2034 # read by slapd_bulk_add
SLAPD_BULK_CSN=1 # (slapadd -w: Content Sync serves what slapadd added)
slapd_bulk_add "$t/fleet.ldif" || exit 1
s1=$(date +%s.%N)
# every program below sees the fleet's accounts as local ones
export LD_PRELOAD="$NSSW" NSS_WRAPPER_PASSWD="$t/passwd" NSS_WRAPPER_GROUP="$t/group" \
	NSS_WRAPPER_MODULE_SO_PATH="$NSSDB" NSS_WRAPPER_MODULE_FN_PREFIX=db
nss id fb0 >/dev/null 2>&1 || { echo "bench-fleet: nss_wrapper and libnss-db do not answer for fb0" >&2; exit 1; }

{
	echo "fleet_uri = $SLAPD_LDAPI"
	echo "fleet_base = $SLAPD_BASE"
	echo "fleet_bind_dn = $(ldap_dn host-a)"
	echo "fleet_bind_password_file = $t/host-a.pw"
	echo "fleet_host_name = host-a"
	echo "fleet_max_stale = 15m"
	# the fleet's uids, above the default 1000-60000 (as a site with a
	# directory's uid range sets them)
	echo "verify_uid_min = $UID0"
	echo "verify_uid_max = $((UID0 + 999999))"
} >"$t/host-a.conf"
chmod 0644 "$t/host-a.conf"
install -o "$HUID" -m 0600 "$(ldap_pwfile host-a)" "$t/host-a.pw" &&
	install -d -o "$HUID" -m 0700 "$t/db" || exit 1

echo "fleet: $ACCOUNTS accounts x $KEYS keys in slapd (slapadd: $(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.1f", b - a }') s)"
/usr/bin/time -v -o "$t/time.once" unshare -m "$t/nss.sh" setpriv --reuid="$HUID" --regid="$HUID" --clear-groups "$B/apikeyd" --once --foreground --config "$t/host-a.conf" --db "$t/db" \
	>"$t/once.out" 2>&1 || { cat "$t/once.out" "$t/time.once" >&2; echo "bench-fleet: apikeyd --once failed" >&2; exit 1; }
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$t/time.once")
rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$t/time.once")
done_line=$(grep -o "refresh done: .*" "$t/once.out" | tail -1)
printf '  initial mirror (apikeyd --once): %s s wall, peak RSS %s MB (goals <= 60 s, <= 64 MB)\n' "$wall" "$rss"
echo "  apikeyd: ${done_line:-no refresh line}"
echo "$done_line" | grep -q "refresh done: $((ACCOUNTS * KEYS)) keys for $ACCOUNTS accounts" ||
	{ sed 's/^/# /' "$t/once.out" >&2; echo "bench-fleet: the mirror does not hold every key" >&2; exit 1; }

# 3 first (the mirror as --once left it): a directory key against a local one
printf 'auth required %s nodelay db=%s\n' "$B/pam_apikey.so" "$t/db" >"$t/pam.d.fleet" &&
	mkdir -m 0755 "$t/pam.d" && mv "$t/pam.d.fleet" "$t/pam.d/fleet" || exit 1
DKEY=$(awk '$1 == "fb0" { print $3; exit }' "$t/keys")
LUSER=fb1
# (root makes it, as an administrator would; the files then the host's).
# apikeyctl clears its environment before it looks a user up, so
# nss_wrapper's variables are gone: it sees the same passwd file instead
# in a private mount namespace (unshare -m; the machine's /etc/passwd is
# left alone)
chown -R 0:0 "$t/db" || exit 1
LKEY=$(APIKEY_DB=$t/db LD_PRELOAD='' unshare -m sh -c 'mount --bind "$1" /etc/passwd && exec "$2" --user "$3" generate -q --name local' \
	- "$t/passwd.all" "$B/apikeyctl" "$LUSER") ||
	{ echo "bench-fleet: cannot make a local key for $LUSER" >&2; exit 1; }
chown -R "$HUID:$HUID" "$t/db" || exit 1
printf '%s\n' "directory fleet fb0 0 $DKEY" "local fleet $LUSER 0 $LKEY" >"$t/plan"
host "$B/bench/bench-login" -p "$B/pam_apikey.so" "$t/pam.d" "$ROUNDS" "$WARMUP" <"$t/plan" >"$t/login.out" ||
	{ cat "$t/login.out" >&2; echo "bench-fleet: a login returned what it should not" >&2; exit 1; }
med() { awk -v l="$1" '$1 == l { print $3 }' "$t/login.out"; }
p90() { awk -v l="$1" '$1 == l { print $4 }' "$t/login.out"; }
printf '  login, same %s rounds (medians, p90): directory key %.1f us (%.1f), local key %.1f us (%.1f), ratio %.3fx (goal <= 1.05x)\n' \
	"$ROUNDS" "$(med directory)" "$(p90 directory)" "$(med local)" "$(p90 local)" \
	"$(awk -v a="$(med directory)" -v b="$(med local)" 'BEGIN { print a / b }')"

# 2: apikeyd stays, a change at a time
install -d -o "$HUID" -m 0700 "$t/run" || exit 1
# (not the function nss: unshare, nss.sh and setpriv exec, so $! is the
# daemon's pid)
unshare -m "$t/nss.sh" setpriv --reuid="$HUID" --regid="$HUID" --clear-groups "$B/apikeyd" --foreground --config "$t/host-a.conf" --db "$t/db" --socket "$t/run/verify.sock" >"$t/persist.out" 2>&1 &
PID=$!
i=0
until grep -q "refresh done" "$t/persist.out"; do
	i=$((i + 1))
	[ "$i" -lt 1200 ] || { cat "$t/persist.out" >&2; echo "bench-fleet: apikeyd did not refresh" >&2; exit 1; }
	kill -0 "$PID" 2>/dev/null || { cat "$t/persist.out" >&2; echo "bench-fleet: apikeyd stopped" >&2; exit 1; }
	sleep 0.1
done
sleep 1
: >"$t/took"
n=0
while [ "$n" -lt "$CHANGES" ]; do
	a=$((n * (ACCOUNTS / CHANGES) + 2)) # accounts fb2, ...: not the login's
	line=$(awk -v u="fb$a" '$1 == u { print; exit }' "$t/keys")
	kid=$(echo "$line" | cut -d' ' -f2) key=$(echo "$line" | cut -d' ' -f3)
	printf 'k fleet fb%s 7 %s\n' "$a" "$key" >"$t/plan1"
	printf 'k fleet fb%s 0 %s\n' "$a" "$key" >"$t/plan0"
	host "$B/bench/bench-login" "$t/pam.d" 1 0 <"$t/plan0" >/dev/null ||
		{ echo "bench-fleet: fb$a's key does not log in before its delete" >&2; exit 1; }
	c0=$(date +%s%N)
	ldap_as root ldapdelete "apiKeyId=$kid,uid=fb$a,ou=people,$SLAPD_BASE" ||
		{ echo "bench-fleet: ldapdelete failed" >&2; exit 1; }
	j=0
	until host "$B/bench/bench-login" "$t/pam.d" 1 0 <"$t/plan1" >/dev/null; do
		j=$((j + 1))
		[ "$j" -lt 3000 ] || { echo "bench-fleet: fb$a's deleted key still logs in after 30 s" >&2; exit 1; }
		sleep 0.01
	done
	c1=$(date +%s%N)
	echo $(((c1 - c0) / 1000000)) >>"$t/took"
	n=$((n + 1))
done
sort -n "$t/took" | awk -v n="$CHANGES" '{ v[NR] = $1 } END {
	m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	printf "  one change (ldapdelete) to refused on the host, %d changes: median %d ms, max %d ms, min %d ms (goal <= 1 s median)\n", n, m, v[n], v[1] }'
hwm() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
SYNC=$(pgrep -P "$PID" | head -1)
echo "  apikeyd --foreground after them, peak RSS (VmHWM): $(hwm "$PID") MB, its sync process ${SYNC:+$(hwm "$SYNC") MB}"
echo "  (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores)"
exit 0
