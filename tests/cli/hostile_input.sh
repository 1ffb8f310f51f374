#!/bin/sh
# tests/cli/hostile_input.sh - apikeyctl fed input built to hurt: overlong
# arguments, control characters and every other thing tests/cli/apikeyctl.sh
# does not try yet, and records crafted by hand into its database (through
# build/tests/hostile_tool) that carry control bytes or malformed fields.
# Every refusal: one line on stderr, no raw control byte in any output, the
# database unchanged. Runs as root or not; the build is not setuid.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/cli.sh"
cli_start hostile-input
cli_db
need_tool

# clean FILE: no byte below 0x20 but newline, no DEL, in FILE.
clean() { ! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$1"; }
# refused STATUS DESCRIPTION COMMAND...: exits STATUS, one clean line on
# stderr starting "apikeyctl: " (and containing $want_msg when set), clean
# stdout, database unchanged.
refused() {
	want=$1 d=$2
	shift 2
	before=$(db_state)
	"$@" >"$work/out" 2>"$work/err" </dev/null
	got=$?
	lines=$(wc -l <"$work/err")
	if [ "$got" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -q '^apikeyctl: ' "$work/err" &&
		grep -q -- "${want_msg:-}" "$work/err" &&
		clean "$work/err" && clean "$work/out" && [ "$before" = "$(db_state)" ]; then
		ok "$d"
	else
		not_ok "$d (status $got, want $want; $lines stderr lines)"
		od -c "$work/err" | head -5 | sed 's/^/#   /'
	fi
}

"$ctl" generate -q --name k1 >"$work/k1" && "$ctl" generate -q --name k2 >"$work/k2" ||
	{ not_ok "two keys generated"; done_testing; exit 1; }
key1=$(cat "$work/k1")
id1=$(printf '%s' "$key1" | cut -c5-16)

# ---- length caps ----------------------------------------------------------------
long=$(head -c 4097 /dev/zero | tr '\0' a)
at_cap=$(head -c 4096 /dev/zero | tr '\0' a)
huge=$(head -c 131000 /dev/zero | tr '\0' a)
# capped DESCRIPTION COMMAND...: refused as above, for its length
capped() { want_msg='too long'; refused 2 "$@"; want_msg=''; }
capped "a 4097-byte command word is refused" "$ctl" "$long"
capped "a 4097-byte --name value is refused" "$ctl" generate --name "$long"
capped "a 4097-byte --name=value is refused" "$ctl" generate "--name=$long"
capped "a 4097-byte --description is refused" "$ctl" generate --description "$long"
capped "a 4097-byte rename operand is refused" "$ctl" rename k1 "$long"
capped "a 4097-byte describe operand is refused" "$ctl" describe k1 "$long"
capped "a 4097-byte key name to delete is refused" "$ctl" delete "$long" --yes
capped "a 4097-byte --user is refused" "$ctl" --user "$long" list
capped "a 4097-byte unknown option is refused" "$ctl" "--$long"
capped "a 131000-byte argument is refused" "$ctl" describe k1 "$huge"
"$ctl" describe k1 "$at_cap" 2>"$work/err"
check "a 4096-byte argument passes the cap (and fails as a description)" \
	sh -c "! grep -q 'argument too long' '$work/err' && grep -q 'description' '$work/err'"
set --
i=0
while [ $i -lt 101 ]; do set -- "$@" "name$i"; i=$((i + 1)); done
refused 2 "delete with 101 names is refused" "$ctl" delete "$@" --yes
set --

# ---- names and descriptions: what apikeyctl.sh does not try ------------------------
for pair in "tab:a\tb" "CR:a\rb" "ESC:a\033b" "DEL:a\177b" "SOH:a\001b" "BEL:a\007b" \
	"slash:a/b" "colon:a:b" "a bidi override:a\342\200\256b" "invalid UTF-8:a\377b" \
	"NBSP:a\302\240b" "percent:a%%nb" "quote:a'b" "dollar:a\$b"; do
	what=${pair%%:*}
	val=$(printf "${pair#*:}")
	refused 2 "generate --name with $what is refused" "$ctl" generate --name "$val"
	refused 2 "rename to a name with $what is refused" "$ctl" rename k1 "$val"
done
for pair in "CR:a\rb" "tab:a\tb" "SOH:a\001b" "DEL:a\177b" "NEL (C1):a\302\205b" \
	"CSI (C1):a\302\233b" "overlong NUL:a\300\200b" "overlong slash:a\300\257b" \
	"a surrogate:a\355\240\200b" "a cut sequence:a\342\200" "above U+10FFFF:a\364\220\200\200b" \
	"a lone continuation byte:a\200b" "LRI:a\342\201\246b" "PDI:a\342\201\251b" "RLM:a\342\200\217b" \
	"ALM:a\330\234b" "LINE SEPARATOR:a\342\200\250b" "PARAGRAPH SEPARATOR:a\342\200\251b" \
	"LRE:a\342\200\252b" "an ANSI title sequence:a\033]0;owned\007b"; do
	what=${pair%%:*}
	val=$(printf "${pair#*:}")
	refused 2 "generate --description with $what is refused" "$ctl" generate --description "$val"
	refused 2 "describe with $what is refused" "$ctl" describe k1 "$val"
done
check "256 four-byte characters (1024 bytes) are a valid description" \
	"$ctl" describe k2 "$(i=0; while [ $i -lt 256 ]; do printf '\360\237\224\221'; i=$((i + 1)); done)"

# ---- whatever is echoed back is escaped --------------------------------------------
refused 1 "an unknown key name with ESC and BEL is echoed escaped" \
	"$ctl" rename "$(printf 'x\033]0;owned\007')" newname
refused 1 "an unknown key name with a newline is echoed on one line" \
	"$ctl" describe "$(printf 'line1\nline2')" text
refused 2 "an unknown command with control characters is echoed escaped" \
	"$ctl" "$(printf 'gen\033[2Jerate\r\n')"
refused 2 "an unknown option with control characters is echoed escaped" \
	"$ctl" list "$(printf -- '--js\033[1mon')"
refused 1 "delete of an unknown name with a newline is echoed on one line" \
	"$ctl" delete "$(printf 'a\nb')" --yes
if [ "$uid" -eq 0 ]; then
	refused 2 "--user with control characters is echoed escaped" \
		"$ctl" --user "$(printf 'root\033[2J\n')" list
else
	refused 1 "--user with control characters is refused on one line" \
		"$ctl" --user "$(printf 'root\033[2J\n')" list
fi

# ---- crafted records in the database ----------------------------------------------
# Each mode rewrites k1's record by hand; the store must call it corrupt,
# list must show nothing raw, and no change may be built on the damaged file.
saved=$work/saved
cp -a "$db" "$saved"
for mode in name-esc name-nul desc-nl desc-esc desc-bidi desc-badutf8 owner-nl digest-empty \
	digest-prefix digest-short digest-long digest-missing digest-twice critical-tag id-other \
	uid-other trailing-byte; do
	rm -rf "$db"
	cp -a "$saved" "$db"
	if ! "$tool" craft "$db" "$uid" "$id1" "$mode" 2>"$work/err"; then
		not_ok "record crafted: $mode"
		sed 's/^/#   /' "$work/err"
		continue
	fi
	refused 1 "crafted record ($mode): list refuses" "$ctl" list
	refused 1 "crafted record ($mode): list --json refuses" "$ctl" list --json
	refused 1 "crafted record ($mode): generate builds nothing on it" "$ctl" generate -q
	refused 1 "crafted record ($mode): rename of another key builds nothing on it" \
		"$ctl" rename k2 k3
	refused 1 "crafted record ($mode): delete builds nothing on it" "$ctl" delete k2 --yes
	"$tool" verify "$db" "$me" "$key1" >"$work/v"
	check "crafted record ($mode): its key does not log in ($(cat "$work/v"))" \
		sh -c "! grep -qx success '$work/v'"
	if [ "$uid" -eq 0 ]; then
		refused 1 "crafted record ($mode): list --user $me as root refuses" "$ctl" --user "$me" list
	fi
done
# the hand encoding itself is right: an unchanged record still works
rm -rf "$db"
cp -a "$saved" "$db"
"$tool" craft "$db" "$uid" "$id1" same
check "a record rewritten by hand unchanged still lists" sh -c "'$ctl' list | grep -q k1"
"$tool" verify "$db" "$me" "$key1" >/dev/null
check "a record rewritten by hand unchanged still verifies" test $? -eq 0
for mode in digest-zero digest-ff; do
	rm -rf "$db"
	cp -a "$saved" "$db"
	"$tool" craft "$db" "$uid" "$id1" "$mode"
	"$tool" verify "$db" "$me" "$key1" >"$work/v"
	check "a record whose digest is all $(echo "$mode" | cut -d- -f2) does not match ($(cat "$work/v"))" \
		grep -qx 'key does not match' "$work/v"
done
done_testing
