# shellcheck shell=sh disable=SC2034 # its variables are the sourcing test's
# tests/ldap/lib/slapd.sh - the one way a test starts the directory (sourced,
# not run). A real Debian slapd, from a temporary cn=config, with the
# project's schema, indexes and example access rules (doc/ldap/) applied as
# an administrator applies them, and the example DIT. Needs no root: slapd
# runs as the caller, on a free port of 127.0.0.1 and a socket in its own
# directory.
#
#   top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
#   . "$top/tests/ldap/lib/slapd.sh"
#   slapd_start         starts it; on exit (trap) it is stopped and its
#                       directory removed, then $ON_EXIT is run (eval) if set
#   slapd_test_start    the same in a TAP test (tests/lib/tap.sh sourced): one
#                       test, and the end of the test, failed, when it does
#                       not start
#   ldap_as WHO TOOL ARGS...
#                       runs an OpenLDAP client (ldapsearch, ldapadd, ...)
#                       bound as WHO: alice, bob, admin (people), host-a,
#                       host-b (hosts), anonymous, or root (SASL EXTERNAL
#                       over ldapi: the database's rootdn, above every rule)
#   ldap_dn WHO         WHO's DN; ldap_pwfile WHO: a file with WHO's password
#   slapd_stop          stops it now (SIGTERM, then SIGKILL after 10 s)
#   slapd_pause, slapd_resume
#                       stops it keeping its data; starts it again on the
#                       same URIs
#   slapd_bulk_add FILE adds many entries fast (slapadd, the server paused);
#                       with SLAPD_BULK_CSN=1, slapadd -w: the contextCSN moves
#                       past them, so a Content Sync refresh without a cookie
#                       serves them (without it, only after the next change)
#
# The syncprov overlay (RFC 4533 Content Sync) is on unless SLAPD_SYNCPROV=0;
# SLAPD_RELOADHINT=1: it answers a cookie it cannot serve (older than every
# entry) with e-syncRefreshRequired, entryCSN and entryUUID indexed.
# Sets SLAPD_DIR (its private directory), SLAPD_URI (ldap://127.0.0.1:PORT),
# SLAPD_LDAPI (ldapi://...), SLAPD_BASE (dc=example,dc=org), SLAPD_PID.
#
# TLS, opt-in: SLAPD_TLS=1 before slapd_start. A throwaway CA and a server
# certificate for 127.0.0.1 and localhost are made in SLAPD_DIR/tls
# (openssl); SLAPD_URI then offers StartTLS, SLAPD_LDAPS is
# ldaps://127.0.0.1:PORT2 and SLAPD_CACERT the CA's certificate.
# GSSAPI, opt-in: SLAPD_GSSAPI=1 before slapd_start. slapd accepts SASL
# GSSAPI as ldap/SLAPD_SASL_HOST (the name libldap gives a server on the
# loopback: this machine's, from gethostname) with the keytab
# SLAPD_DIR/krb5/ldap.keytab and the krb5.conf beside it (made after
# slapd_start by kdc_start "$SLAPD_DIR/krb5" of tests/ldap/lib/kdc.sh,
# and kdc_principal), and maps the principal NAME@REALM to
# uid=NAME,ou=people (olcAuthzRegexp).
# SLAPD_LOGLEVEL=stats (any slapd -d level; default 0) before slapd_start:
# slapd logs its connections, StartTLS and binds in SLAPD_LOG.
#   slapd_tls_off       starts it again without TLS (no StartTLS offered,
#                       no ldaps://), its data kept
#   tls_ca DIR NAME     a CA of its own: DIR/NAME.crt, DIR/NAME.key
#   tls_cert DIR CA NAME SAN
#                       a server certificate DIR/NAME.crt (and .key) for
#                       SAN (subjectAltName: "IP:127.0.0.1,DNS:localhost"),
#                       signed by DIR/CA
#
# The example DIT: ou=people (alice, bob, admin: inetOrgPerson and
# posixAccount, uidNumber 10001-10003), ou=hosts (host-a, host-b: device and
# simpleSecurityObject), ou=groups (cn=apikey-hosts: host-a, host-b;
# cn=apikey-admins: admin). Passwords are random per run, in SLAPD_DIR.
# The database's own rules are Debian's default ones (the shipped rules go
# before them): userPassword for self and auth only, everything else
# readable by anyone -- the shipped rules must keep keys private even there.

. "$top/tests/ldap/lib/wait.sh"

SLAPD_BASE=dc=example,dc=org
SLAPD_MODULES=${SLAPD_MODULES:-/usr/lib/ldap}
SLAPD_SCHEMAS=${SLAPD_SCHEMAS:-/etc/ldap/schema}
SLAPD_BIN=${SLAPD_BIN:-/usr/sbin/slapd}
# the clients read no ldap.conf or .ldaprc of the machine or the caller
export LDAPNOINIT=1

slapd_fail() { echo "slapd.sh: $*" >&2; return 1; }

ldap_dn() {
	case "$1" in
	alice | bob | admin) echo "uid=$1,ou=people,$SLAPD_BASE" ;;
	host-*) echo "cn=$1,ou=hosts,$SLAPD_BASE" ;;
	*) slapd_fail "no such identity: $1" ;;
	esac
}

ldap_pwfile() { echo "$SLAPD_DIR/pw/$1"; }

ldap_as() {
	sl_who=$1 sl_tool=$2
	shift 2
	case "$sl_who" in
	root) "$sl_tool" -Q -Y EXTERNAL -H "$SLAPD_LDAPI" "$@" ;;
	anonymous) "$sl_tool" -x -H "$SLAPD_URI" "$@" ;;
	*) "$sl_tool" -x -H "$SLAPD_URI" -D "$(ldap_dn "$sl_who")" -y "$(ldap_pwfile "$sl_who")" "$@" ;;
	esac
}

# slapd_config: the cn=config LDIF (slapadd -n0) on stdout
slapd_config() {
	sl_me="gidNumber=$(id -g)+uidNumber=$(id -u),cn=peercred,cn=external,cn=auth"
	cat <<-EOC
	dn: cn=config
	objectClass: olcGlobal
	cn: config
	olcPidFile: $SLAPD_DIR/slapd.pid
	olcArgsFile: $SLAPD_DIR/slapd.args
	EOC
	[ "${SLAPD_TLS:-0}" != 1 ] || cat <<-EOC
	olcTLSCACertificateFile: $SLAPD_DIR/tls/ca.crt
	olcTLSCertificateFile: $SLAPD_DIR/tls/server.crt
	olcTLSCertificateKeyFile: $SLAPD_DIR/tls/server.key
	EOC
	[ "${SLAPD_GSSAPI:-0}" != 1 ] || cat <<-EOC
	olcSaslHost: $SLAPD_SASL_HOST
	olcAuthzRegexp: {0}"^uid=([a-z][a-z0-9_-]*)(,cn=[^,]+)?,cn=gssapi,cn=auth\$" "uid=\$1,ou=people,$SLAPD_BASE"
	EOC
	cat <<-EOC

	dn: cn=module{0},cn=config
	objectClass: olcModuleList
	cn: module{0}
	olcModulePath: $SLAPD_MODULES
	olcModuleLoad: back_mdb
	olcModuleLoad: syncprov

	dn: cn=schema,cn=config
	objectClass: olcSchemaConfig
	cn: schema

	EOC
	for sl_s in core cosine nis inetorgperson; do
		cat "$SLAPD_SCHEMAS/$sl_s.ldif" && echo
	done
	cat "$top/doc/ldap/pam_apikey.ldif" && echo
	cat <<-EOC
	dn: olcDatabase={-1}frontend,cn=config
	objectClass: olcDatabaseConfig
	objectClass: olcFrontendConfig
	olcDatabase: {-1}frontend

	dn: olcDatabase={0}config,cn=config
	objectClass: olcDatabaseConfig
	olcDatabase: {0}config
	olcRootDN: $sl_me

	dn: olcDatabase={1}mdb,cn=config
	objectClass: olcDatabaseConfig
	objectClass: olcMdbConfig
	olcDatabase: {1}mdb
	olcSuffix: $SLAPD_BASE
	olcDbDirectory: $SLAPD_DIR/db
	olcDbMaxSize: 1073741824
	olcRootDN: $sl_me
	olcDbIndex: objectClass eq
	EOC
	# SLAPD_RELOADHINT=1: entryCSN and entryUUID indexed (as OpenLDAP's
	# guide sets a provider up: without the index syncprov cannot tell that
	# no entry is as old as a cookie) and syncprov told to answer a cookie
	# it cannot serve with e-syncRefreshRequired (olcSpReloadHint)
	[ "${SLAPD_RELOADHINT:-0}" != 1 ] || cat <<-EOC
	olcDbIndex: entryCSN eq
	olcDbIndex: entryUUID eq
	EOC
	cat <<-EOC
	olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none
	olcAccess: {1}to attrs=shadowLastChange by self write by * read
	olcAccess: {2}to * by * read
	EOC
	# SLAPD_SYNCPROV=0: a server without Content Sync (apikeyd then polls)
	[ "${SLAPD_SYNCPROV:-1}" = 0 ] || cat <<-EOC

	dn: olcOverlay={0}syncprov,olcDatabase={1}mdb,cn=config
	objectClass: olcOverlayConfig
	objectClass: olcSyncProvConfig
	olcOverlay: {0}syncprov
	EOC
	[ "${SLAPD_SYNCPROV:-1}" = 0 ] || [ "${SLAPD_RELOADHINT:-0}" != 1 ] || echo "olcSpReloadHint: TRUE"
}

# slapd_dit: the example DIT (ldapadd) on stdout
slapd_dit() {
	cat <<-EOD
	dn: $SLAPD_BASE
	objectClass: dcObject
	objectClass: organization
	dc: example
	o: Example

	EOD
	for sl_ou in people hosts groups; do
		printf 'dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n' "$sl_ou" "$SLAPD_BASE" "$sl_ou"
	done
	sl_n=10001
	for sl_u in alice bob admin; do
		cat <<-EOD
		dn: $(ldap_dn $sl_u)
		objectClass: inetOrgPerson
		objectClass: posixAccount
		uid: $sl_u
		cn: $sl_u
		sn: $sl_u
		uidNumber: $sl_n
		gidNumber: $sl_n
		homeDirectory: /home/$sl_u
		userPassword: $(slappasswd -h '{SSHA}' -T "$(ldap_pwfile $sl_u)")

		EOD
		sl_n=$((sl_n + 1))
	done
	for sl_h in host-a host-b; do
		cat <<-EOD
		dn: $(ldap_dn $sl_h)
		objectClass: device
		objectClass: simpleSecurityObject
		cn: $sl_h
		userPassword: $(slappasswd -h '{SSHA}' -T "$(ldap_pwfile $sl_h)")

		EOD
	done
	cat <<-EOD
	dn: cn=apikey-hosts,ou=groups,$SLAPD_BASE
	objectClass: groupOfNames
	cn: apikey-hosts
	member: $(ldap_dn host-a)
	member: $(ldap_dn host-b)

	dn: cn=apikey-admins,ou=groups,$SLAPD_BASE
	objectClass: groupOfNames
	cn: apikey-admins
	member: $(ldap_dn admin)
	EOD
}

# tls_ca DIR NAME: a throwaway CA, DIR/NAME.crt and DIR/NAME.key
tls_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=pam_apikey test $2" -keyout "$1/$2.key" -out "$1/$2.crt" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		>>"$1/openssl.log" 2>&1 || slapd_fail "openssl could not make the CA $2"
}

# tls_cert DIR CA NAME SAN: DIR/NAME.crt and DIR/NAME.key for SAN, signed by DIR/CA
tls_cert() {
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$4" >"$1/$3.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$3" \
		-keyout "$1/$3.key" -out "$1/$3.csr" >>"$1/openssl.log" 2>&1 &&
		openssl x509 -req -in "$1/$3.csr" -CA "$1/$2.crt" -CAkey "$1/$2.key" -CAcreateserial \
			-days 2 -extfile "$1/$3.ext" -out "$1/$3.crt" >>"$1/openssl.log" 2>&1 ||
		slapd_fail "openssl could not make the certificate $3"
}

slapd_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# slapd_answers: the server answers on ldapi, as root
slapd_answers() { ldapwhoami -Q -Y EXTERNAL -H "$SLAPD_LDAPI" >/dev/null 2>&1; }

slapd_start() {
	[ -x "$SLAPD_BIN" ] || { slapd_fail "$SLAPD_BIN missing (make deps)"; return 1; }
	SLAPD_DIR=$(mktemp -d /tmp/apk-slapd.XXXXXX) || return 1
	trap 'slapd_stop; eval "${ON_EXIT:-}"' EXIT
	trap 'exit 130' INT TERM HUP
	chmod 700 "$SLAPD_DIR"
	mkdir "$SLAPD_DIR/config" "$SLAPD_DIR/db" "$SLAPD_DIR/pw" || return 1
	for sl_who in alice bob admin host-a host-b; do
		# 24 random characters, no newline (ldap clients send the whole file)
		(umask 077 && head -c 18 /dev/urandom | base64 | tr -d '\n' >"$(ldap_pwfile "$sl_who")")
	done
	SLAPD_LDAPS= SLAPD_CACERT= SLAPD_LOG=$SLAPD_DIR/slapd.log
	if [ "${SLAPD_TLS:-0}" = 1 ]; then
		mkdir "$SLAPD_DIR/tls" && tls_ca "$SLAPD_DIR/tls" ca &&
			tls_cert "$SLAPD_DIR/tls" ca server "IP:127.0.0.1,DNS:localhost" || return 1
		SLAPD_CACERT=$SLAPD_DIR/tls/ca.crt
	fi
	[ "${SLAPD_GSSAPI:-0}" != 1 ] || SLAPD_SASL_HOST=$(python3 -c \
		'import socket; print(socket.gethostbyname_ex(socket.gethostname())[0].lower())') || return 1
	slapd_config >"$SLAPD_DIR/config.ldif" || return 1
	slapadd -q -n0 -F "$SLAPD_DIR/config" -l "$SLAPD_DIR/config.ldif" >"$SLAPD_DIR/slapadd.log" 2>&1 ||
		{ cat "$SLAPD_DIR/slapadd.log" >&2; slapd_fail "slapadd -n0 refused the configuration"; return 1; }
	SLAPD_LDAPI="ldapi://$(printf '%s' "$SLAPD_DIR/ldapi" | sed 's|/|%2F|g')"
	# a free port can be taken between the probe and the bind: try again
	sl_tries=0
	while :; do
		sl_tries=$((sl_tries + 1))
		sl_port=$(slapd_free_port) || return 1
		SLAPD_URI="ldap://127.0.0.1:$sl_port"
		[ "${SLAPD_TLS:-0}" != 1 ] || SLAPD_LDAPS="ldaps://127.0.0.1:$(slapd_free_port)" || return 1
		slapd_launch && break
		slapd_stop_pid
		[ $sl_tries -lt 5 ] || { cat "$SLAPD_DIR/slapd.log" >&2; slapd_fail "slapd did not start"; return 1; }
	done
	for sl_f in pam_apikey-index.ldif pam_apikey-limits.ldif pam_apikey-acl.ldif; do
		ldap_as root ldapmodify -f "$top/doc/ldap/$sl_f" >"$SLAPD_DIR/modify.log" 2>&1 ||
			{ cat "$SLAPD_DIR/modify.log" >&2; slapd_fail "ldapmodify refused doc/ldap/$sl_f"; return 1; }
	done
	slapd_dit >"$SLAPD_DIR/dit.ldif" || return 1
	ldap_as root ldapadd -f "$SLAPD_DIR/dit.ldif" >"$SLAPD_DIR/add.log" 2>&1 ||
		{ cat "$SLAPD_DIR/add.log" >&2; slapd_fail "the example DIT was refused"; return 1; }
}

# slapd_launch: runs slapd on SLAPD_URI and SLAPD_LDAPI; 0 once it answers
# (within 10 s), 1 when it does not (it may still run: slapd_stop_pid).
# It gets no descriptor 8 or 9: the tests hold their locks there (the
# accounts', the end-to-end suite's), and a server left running by a
# stuck test would hold them for every other run.
slapd_launch() {
	sl_env=
	[ "${SLAPD_GSSAPI:-0}" != 1 ] ||
		sl_env="KRB5_KTNAME=FILE:$SLAPD_DIR/krb5/ldap.keytab KRB5_CONFIG=$SLAPD_DIR/krb5/krb5.conf"
	# shellcheck disable=SC2086 # sl_env: none or two words without spaces
	env $sl_env "$SLAPD_BIN" -d "${SLAPD_LOGLEVEL:-0}" -F "$SLAPD_DIR/config" -h "$SLAPD_URI/ ${SLAPD_LDAPS:+$SLAPD_LDAPS/ }$SLAPD_LDAPI/" \
		>>"$SLAPD_DIR/slapd.log" 2>&1 </dev/null 8>&- 9>&- &
	SLAPD_PID=$!
	wait_until 100 "$SLAPD_PID" slapd_answers
}

# slapd_pause: stops the server and keeps its data; slapd_resume starts it
# again on the same URIs (a directory outage and its end)
slapd_pause() { slapd_stop_pid; }
slapd_resume() {
	slapd_launch && return 0
	cat "$SLAPD_DIR/slapd.log" >&2
	slapd_fail "slapd did not start again on $SLAPD_URI"
}

# slapd_bulk_add FILE: adds the LDIF FILE's entries (parents before their
# children, no changetype) offline with slapadd -q: 100,000 entries in
# seconds where ldapadd takes minutes. The server is stopped meanwhile and
# runs again on the same URIs after; connected clients see an outage.
slapd_bulk_add() {
	slapd_stop_pid
	slapadd -q ${SLAPD_BULK_CSN:+-w} -n1 -F "$SLAPD_DIR/config" -l "$1" >"$SLAPD_DIR/bulk.log" 2>&1 ||
		{ cat "$SLAPD_DIR/bulk.log" >&2; slapd_fail "slapadd refused $1"; slapd_resume; return 1; }
	slapd_resume
}

# slapd_tls_off: the server started again without TLS (no StartTLS offered,
# no ldaps://), its data kept
slapd_tls_off() {
	slapd_stop_pid
	printf 'dn: cn=config\nchangetype: modify\ndelete: %s\n-\ndelete: %s\n-\ndelete: %s\n' \
		olcTLSCertificateFile olcTLSCertificateKeyFile olcTLSCACertificateFile >"$SLAPD_DIR/notls.ldif"
	slapmodify -q -n0 -F "$SLAPD_DIR/config" -l "$SLAPD_DIR/notls.ldif" >"$SLAPD_DIR/notls.log" 2>&1 ||
		{ cat "$SLAPD_DIR/notls.log" >&2; slapd_resume; slapd_fail "slapmodify could not remove TLS"; return 1; }
	SLAPD_LDAPS=
	slapd_resume
}

slapd_test_start() {
	if slapd_start; then
		ok "slapd starts with the schema, the shipped rules and the example DIT"
	else
		not_ok "slapd starts with the schema, the shipped rules and the example DIT"
		done_testing
		exit 1
	fi
}

slapd_stop_pid() {
	stop_pid "${SLAPD_PID:-}" 100
	SLAPD_PID=
}

slapd_stop() {
	slapd_stop_pid
	[ -n "${SLAPD_DIR:-}" ] && rm -rf "$SLAPD_DIR"
	SLAPD_DIR=
}
