/* fleet_rotate.h - apikeyctl --fleet rotate NAME [--overlap WHEN] */
#ifndef APKCTL_FLEET_ROTATE_H
#define APKCTL_FLEET_ROTATE_H

#include "args.h"
#include "fleet_open.h"
#include "session.h"

/* Replaces the target's directory key NAME with a new one, printed once;
 * the old one becomes NAME.old, expiring now or after --overlap, as the
 * local rotate does. The exit status, after one line on stderr when it is
 * not EXIT_OK. */
int fleet_rotate(const struct session *s, const struct apk_args *a, struct fleet_conn *fc,
		 struct collected *c);

#endif
