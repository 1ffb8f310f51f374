#!/bin/sh
# tests/e2e/75_nginx.sh - curl -u alice:$KEY through nginx's auth_pam and the
# installed pam_apikey, as the shipped examples set it up
# (doc/web/nginx-apikey.conf, doc/pam.d/apikey-http): nginx on 127.0.0.1 with
# a temporary configuration and a throwaway certificate, its workers a
# throwaway account in the verify group (as www-data would be), the keys in
# the installed database, apikeyd on the installed socket.
# Checked: the right key 200 (curl and Python requests) with REMOTE_USER
# alice in the access log; 401 for a wrong key, another user's, a deleted,
# an expired key, one limited to sshd, one limited to another network, her
# password; each attempt's one log line naming the key.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin nginx curl openssl usermod
e2e_install
e2e_syslog_start
. "$E2E_LIB/web.sh"
web_setup nginx

# The shipped example, with this test's address, certificate, root and service.
web_nginx
web_cases "$D/access.log"

e2e_end
