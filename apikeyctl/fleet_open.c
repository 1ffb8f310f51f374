/* fleet_open.c - connect, bind, read the target's keys (fleet_open.h) */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <sodium.h>

#include "change.h"
#include "fleet_digest.h"
#include "fleet_entry.h"
#include "fleet_open.h"
#include "fleet_password.h"

static int collect(void *ctx, const char *dn, const struct fleet_entry *e)
{
	struct collected *c = ctx;
	struct apk_record r;
	struct apk_fleet_digest d;
	char why[160], shown[256], rdn[APK_ID_LEN + 16];

	if (fleet_entry_decode(e, &r, &d, why, sizeof(why)) != APK_OK) {
		fprintf(stderr, "apikeyctl: skipping directory entry %s: %s\n",
			apk_escape(dn, shown, sizeof(shown)), why);
		return 0;
	}
	sodium_memzero(&d, sizeof(d));
	snprintf(rdn, sizeof(rdn), "apiKeyId=%s,", r.id);
	if (strncasecmp(dn, rdn, 9) != 0 || strncmp(dn + 9, rdn + 9, APK_ID_LEN + 1) != 0) {
		fprintf(stderr, "apikeyctl: skipping directory entry %s: its name is not its id\n",
			apk_escape(dn, shown, sizeof(shown)));
		return 0;
	}
	r.uid = c->acct->uid;
	snprintf(r.owner, sizeof(r.owner), "%s", c->acct->name);
	c->err = apk_keyring_append(&c->kr, &r);
	return c->err != APK_OK;
}

int fleet_open(const struct session *s, const struct apk_args *a, struct fleet_conn *fc,
	       struct collected *c)
{
	static char pw[FLEET_PASSWORD_MAX + 2];
	char err[FLEET_DN_MAX + 512];
	size_t len = 0;
	int rc, ticket = 1;

	memset(c, 0, sizeof(*c));
	c->acct = &s->target;
	apk_keyring_init(&c->kr);
	fc->conn.ld = NULL;
	/* read first, before anything else can fail: a file the caller names
	 * is read with the caller's ids (main gave up set-user-ID) */
	if (a->password_file != NULL &&
	    fleet_password_file(a->password_file, pw, sizeof(pw), &len, err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, "%s", err);
	rc = fleet_connect(&s->policy, s->caller.name, fc, err, sizeof(err));
	/* fleet_sasl_mech GSSAPI: the caller's Kerberos ticket when there is
	 * one; else (ticket 1) the password */
	if (rc == 0 && strcmp(s->policy.fleet_sasl_mech, "GSSAPI") == 0 &&
	    (ticket = fleet_bind_ticket(fc, err, sizeof(err))) < 0)
		rc = -1;
	if (rc == 0 && ticket == 1 && a->password_file == NULL)
		rc = fleet_password_ask(fc->dn, pw, sizeof(pw), &len, err, sizeof(err));
	if (rc == 0 && ticket == 1)
		rc = fleet_bind(fc, pw, len, err, sizeof(err));
	sodium_memzero(pw, sizeof(pw));
	/* --user: the directory, as the caller's bind sees it, decides */
	if (rc == 0 && strcmp(s->target.name, s->caller.name) != 0)
		rc = fleet_target(&s->policy, s->target.name, fc, err, sizeof(err));
	if (rc == 0)
		rc = fleet_each_key(fc, collect, c, err, sizeof(err));
	if (rc != 0) {
		syslog(LOG_NOTICE, "%s by %s for %s refused: %s", fleet_command_word(a->cmd),
		       s->caller.name, s->target.name, err);
		return fail(EXIT_FAIL, "%s", err);
	}
	if (c->err != APK_OK)
		return fail_err(c->err, NULL);
	return EXIT_OK;
}

void fleet_done(struct fleet_conn *fc, struct collected *c)
{
	fleet_close(fc);
	apk_keyring_free(&c->kr);
}

const char *fleet_command_word(enum apk_cmd cmd)
{
	switch (cmd) {
	case CMD_GENERATE: return "fleet generate";
	case CMD_LIST: return "fleet list";
	case CMD_DELETE: return "fleet delete";
	case CMD_ROTATE: return "fleet rotate";
	case CMD_RENAME: return "fleet rename";
	case CMD_DESCRIBE: return "fleet describe";
	case CMD_DISABLE: return "fleet disable";
	case CMD_ENABLE: return "fleet enable";
	default: return "fleet edit";
	}
}
