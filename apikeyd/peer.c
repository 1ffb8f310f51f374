/* peer.c - SO_PEERCRED and SO_PEERGROUPS against the group the admin grants */
#include <string.h>
#include <sys/socket.h>

#include "peer.h"

#define PEER_GROUPS_MAX 65536 /* NGROUPS_MAX */

static bool in_groups(int fd, gid_t want)
{
	static gid_t groups[PEER_GROUPS_MAX];
	socklen_t len = sizeof(groups);
	size_t i, n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
		return false;
	n = len / sizeof(groups[0]);
	for (i = 0; i < n; i++)
		if (groups[i] == want)
			return true;
	return false;
}

bool peer_allowed(int fd, uid_t self, gid_t verify_gid, struct peer *p)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	memset(p, 0, sizeof(*p));
	p->uid = (uid_t)-1;
	p->gid = (gid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred))
		return false;
	p->pid = cred.pid;
	p->uid = cred.uid;
	p->gid = cred.gid;
	if (cred.uid == 0 || cred.uid == self)
		return true;
	if (verify_gid == PEER_NO_GROUP)
		return false;
	return cred.gid == verify_gid || in_groups(fd, verify_gid);
}
