/* peer.h - who is on the other end of a connection, and may it ask */
#ifndef APKD_PEER_H
#define APKD_PEER_H

#include <stdbool.h>
#include <sys/types.h>

#define PEER_NO_GROUP ((gid_t)-1)

struct peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/* The kernel's word on the process that connected fd (SO_PEERCRED, and
 * its supplementary groups as they were at connect(), SO_PEERGROUPS): may
 * it ask? Root and the daemon's own account (self) may; any other process
 * only when verify_gid is its group or one of its supplementary groups
 * (never when verify_gid is PEER_NO_GROUP). Anything the kernel does not
 * tell is a refusal. *p gets what was learned (for the log). */
bool peer_allowed(int fd, uid_t self, gid_t verify_gid, struct peer *p);

#endif
