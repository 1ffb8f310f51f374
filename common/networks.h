/* networks.h - the source networks a key may be used from (--from LIST)
 *
 * LIST is comma-separated, the option repeatable; each item is an IPv4 or
 * IPv6 address, alone or with a prefix length (CIDR: 192.0.2.0/24,
 * 2001:db8::/32, 10.1.2.3), at most 16 distinct networks. `any` alone
 * means anywhere and is the empty list. Addresses are numeric only (a host
 * name is refused, never resolved). A network with bits set after its
 * prefix (192.0.2.1/24) is refused, not silently widened: the message names
 * the network meant. An IPv4-mapped IPv6 network (::ffff:192.0.2.0/120) is
 * stored as the IPv4 one (192.0.2.0/24). The canonical list: IPv4 before
 * IPv6, then by address, then by prefix length, no duplicates (a network
 * given twice is kept once; one inside another is kept as given).
 *
 * A login's PAM_RHOST matches when it is a numeric address inside one of
 * the networks; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4
 * address. An unset PAM_RHOST, a host name or anything else that is not an
 * address (a zone index such as fe80::1%eth0 too) matches no network:
 * fail closed.
 */
#ifndef APK_NETWORKS_H
#define APK_NETWORKS_H

#include <stdbool.h>
#include <stddef.h>

#include "apk_error.h"

#define APK_NETWORKS_MAX 16
#define APK_NET_V4 4
#define APK_NET_V6 6
/* The longest network as text: an IPv6 address, '/' and 3 digits. */
#define APK_NETWORK_TEXT_MAX (45 + 4)
/* The longest list as text: 16 networks and 15 commas. */
#define APK_NETWORKS_TEXT_MAX (APK_NETWORKS_MAX * (APK_NETWORK_TEXT_MAX + 1) - 1)

struct apk_network {
	unsigned char family;   /* APK_NET_V4 or APK_NET_V6 */
	unsigned char prefix;   /* 0-32 or 0-128 */
	unsigned char addr[16]; /* network byte order; IPv4 in the first 4, the rest zero */
};

struct apk_networks {
	size_t n; /* 0: anywhere */
	struct apk_network net[APK_NETWORKS_MAX];
};

/* Why a PAM_RHOST does or does not match. */
enum apk_source {
	APK_SOURCE_OK,          /* inside a network, or the list is empty */
	APK_SOURCE_UNSET,       /* no PAM_RHOST (or an empty one) */
	APK_SOURCE_NOT_ADDRESS, /* a host name or anything but a numeric address */
	APK_SOURCE_NOT_LISTED,  /* an address outside every network */
};

/* Parses the values of every --from option given (args[0..nargs), in
 * order) into the canonical list *out. APK_ERR_INVALID with one line in err
 * (and *out emptied) for an empty item, anything but an address with an
 * optional prefix length, a prefix too long for its family, bits set after
 * the prefix, `any` with a network, or more than 16 networks. No argument
 * at all is the empty list (anywhere). */
enum apk_err apk_networks_parse(const char *const *args, size_t nargs, struct apk_networks *out,
				char *err, size_t errsz);

/* s is in canonical form (see above): what a decoder checks of a stored list. */
bool apk_networks_canonical(const struct apk_networks *s);

/* One network as text in out (at least APK_NETWORK_TEXT_MAX + 1 bytes): a
 * single address (/32, /128) without its prefix length, else CIDR. "?" for
 * a network that is not canonical. Returns out. */
char *apk_network_text(const struct apk_network *net, char *out, size_t outsz);

/* Whether PAM_RHOST rhost (NULL when unset) matches the list. */
enum apk_source apk_networks_match(const struct apk_networks *s, const char *rhost);

#endif
