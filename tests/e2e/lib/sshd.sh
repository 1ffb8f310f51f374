# tests/e2e/lib/sshd.sh - a private OpenSSH server for the end-to-end tests
# (sourced after common.sh, never run)
# shellcheck shell=sh disable=SC2034
#
# sshd_start SERVICE USERS: starts sshd on 127.0.0.1 (a free high port) with
# its own host key and config, UsePAM, keyboard-interactive and password
# authentication, letting in only USERS (space-separated). It runs through a
# symlink named SERVICE, so its PAM service is /etc/pam.d/SERVICE. Sets
# SSHD_PID (stopped at exit), SSH_PORT and SSHD_LOG (its log, -E).
sshd_start() {
	sshd_service=$1 sshd_users=$2
	SSHD_LOG=$E2E_TMP/sshd.log
	ssh-keygen -q -t ed25519 -N '' -C "$sshd_service" -f "$E2E_TMP/host_ed25519" ||
		bail "ssh-keygen"
	ln -s /usr/sbin/sshd "$E2E_TMP/$sshd_service"
	if [ ! -d /run/sshd ]; then
		mkdir -m 0755 /run/sshd && E2E_MADE_RUNSSHD=1
	fi
	try=0
	port=$((20000 + $$ % 20000))
	while [ "$try" -lt 20 ]; do
		cat >"$E2E_TMP/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $E2E_TMP/host_ed25519
PidFile $E2E_TMP/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication yes
PermitEmptyPasswords no
PubkeyAuthentication no
HostbasedAuthentication no
GSSAPIAuthentication no
AuthorizedKeysFile none
PermitRootLogin no
AllowUsers $sshd_users
StrictModes yes
UseDNS no
MaxAuthTries 3
LoginGraceTime 30
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
LogLevel VERBOSE
EOF
		"$E2E_TMP/$sshd_service" -t -f "$E2E_TMP/sshd_config" >"$E2E_TMP/err" 2>&1 || {
			diag_file "$E2E_TMP/err"
			bail "sshd -t rejects the test configuration"
		}
		: >"$SSHD_LOG"
		"$E2E_TMP/$sshd_service" -D -f "$E2E_TMP/sshd_config" -E "$SSHD_LOG" 9>&- &
		SSHD_PID=$!
		E2E_PIDS="$E2E_PIDS $SSHD_PID"
		i=0
		while [ "$i" -lt 100 ]; do
			grep -q "Server listening on 127.0.0.1 port $port" "$SSHD_LOG" && {
				SSH_PORT=$port
				return 0
			}
			kill -0 "$SSHD_PID" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		e2e_stop_pid "$SSHD_PID"
		grep -q "Address already in use" "$SSHD_LOG" || {
			diag_file "$SSHD_LOG"
			bail "sshd did not start"
		}
		port=$((port + 1))
		try=$((try + 1))
	done
	bail "no free port for sshd"
}
