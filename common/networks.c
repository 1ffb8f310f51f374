/* networks.c - the source networks of a key: parsing, canonical form, matching */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "networks.h"
#include "validate.h"

#define SHOWN_MAX 80    /* bytes of the caller's text quoted in a message */
#define ADDR_TEXT_MAX 45 /* the longest IPv6 address text (INET6_ADDRSTRLEN - 1) */

static const unsigned char mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static unsigned max_prefix(unsigned char family)
{
	return family == APK_NET_V4 ? 32 : 128;
}

/* Whether the first bits of a and b (16 bytes each) are equal. */
static bool same_prefix(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xFF << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* Zeroes every bit of the address after the prefix (and, for IPv4, the
 * unused last 12 bytes). */
static void clear_host_bits(struct apk_network *net)
{
	unsigned bits = net->prefix;

	if (bits >= 128)
		return;
	if (bits % 8 != 0)
		net->addr[bits / 8] &= (unsigned char)(0xFF << (8 - bits % 8));
	memset(net->addr + (bits + 7) / 8, 0, sizeof(net->addr) - (bits + 7) / 8);
}

static bool host_bits_clear(const struct apk_network *net)
{
	struct apk_network cleared = *net;

	clear_host_bits(&cleared);
	return memcmp(cleared.addr, net->addr, sizeof(net->addr)) == 0;
}

static bool is_mapped(const unsigned char addr[16])
{
	return memcmp(addr, mapped_prefix, sizeof(mapped_prefix)) == 0;
}

/* An IPv6 network inside ::ffff:0:0/96 becomes the IPv4 one. */
static void unmap(struct apk_network *net)
{
	if (net->family != APK_NET_V6 || net->prefix < 96 || !is_mapped(net->addr))
		return;
	net->family = APK_NET_V4;
	net->prefix = (unsigned char)(net->prefix - 96);
	memmove(net->addr, net->addr + 12, 4);
	memset(net->addr + 4, 0, 12);
}

static bool network_canonical(const struct apk_network *net)
{
	if (net->family != APK_NET_V4 && net->family != APK_NET_V6)
		return false;
	if (net->prefix > max_prefix(net->family) || !host_bits_clear(net))
		return false;
	return !(net->family == APK_NET_V6 && net->prefix >= 96 && is_mapped(net->addr));
}

/* Order of the canonical list: family, address, prefix length. */
static int compare(const struct apk_network *a, const struct apk_network *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->addr, b->addr, sizeof(a->addr))) != 0)
		return c;
	return a->prefix == b->prefix ? 0 : a->prefix < b->prefix ? -1 : 1;
}

static bool insert_sorted(struct apk_networks *s, const struct apk_network *net)
{
	size_t i = 0;
	int c = 1;

	while (i < s->n && (c = compare(&s->net[i], net)) < 0)
		i++;
	if (i < s->n && c == 0)
		return true;
	if (s->n == APK_NETWORKS_MAX)
		return false;
	memmove(&s->net[i + 1], &s->net[i], (s->n - i) * sizeof(s->net[0]));
	s->net[i] = *net;
	s->n++;
	return true;
}

/* The address text as IPv4 (no ':') or IPv6, into net. */
static bool parse_address(const char *text, struct apk_network *net)
{
	memset(net, 0, sizeof(*net));
	if (strchr(text, ':') == NULL) {
		net->family = APK_NET_V4;
		return inet_pton(AF_INET, text, net->addr) == 1;
	}
	net->family = APK_NET_V6;
	return inet_pton(AF_INET6, text, net->addr) == 1;
}

/* Decimal 0..max without sign, space or leading zero. */
static bool parse_prefix(const char *s, size_t len, unsigned max, unsigned *v)
{
	size_t i;

	if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
		return false;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return *v <= max;
}

/* One item (len bytes at p, no comma): an address with an optional
 * /prefix; `any` sets *any. */
static bool parse_item(const char *p, size_t len, struct apk_networks *s, bool *any,
		       const char *shown, char *err, size_t errsz)
{
	char addr[ADDR_TEXT_MAX + 1], meant[APK_NETWORK_TEXT_MAX + 1];
	const char *slash = memchr(p, '/', len);
	size_t alen = slash != NULL ? (size_t)(slash - p) : len;
	struct apk_network net;
	unsigned prefix;

	if (len == 0) {
		snprintf(err, errsz, "'%s': an empty network", shown);
		return false;
	}
	if (len == 3 && memcmp(p, "any", 3) == 0) {
		*any = true;
		return true;
	}
	if (alen == 0 || alen > ADDR_TEXT_MAX)
		goto not_address;
	memcpy(addr, p, alen);
	addr[alen] = '\0';
	if (!parse_address(addr, &net))
		goto not_address;
	prefix = max_prefix(net.family);
	if (slash != NULL &&
	    !parse_prefix(slash + 1, len - alen - 1, max_prefix(net.family), &prefix)) {
		snprintf(err, errsz, "'%s': the prefix length after '/' must be 0-%u", shown,
			 max_prefix(net.family));
		return false;
	}
	net.prefix = (unsigned char)prefix;
	if (!host_bits_clear(&net)) {
		struct apk_network fixed = net;

		clear_host_bits(&fixed);
		unmap(&fixed);
		snprintf(err, errsz, "'%s': bits are set after the first %u; the network is %s",
			 shown, prefix, apk_network_text(&fixed, meant, sizeof(meant)));
		return false;
	}
	unmap(&net);
	if (!insert_sorted(s, &net)) {
		snprintf(err, errsz, "'%s': at most %d networks", shown, APK_NETWORKS_MAX);
		return false;
	}
	return true;
not_address:
	snprintf(err, errsz, "'%s': not an IPv4 or IPv6 address or network (host names are not "
		 "allowed)", shown);
	return false;
}

enum apk_err apk_networks_parse(const char *const *args, size_t nargs, struct apk_networks *out,
				char *err, size_t errsz)
{
	char shown[SHOWN_MAX];
	const char *p, *end;
	bool any = false;
	size_t i;

	if (out == NULL || (args == NULL && nargs > 0)) {
		snprintf(err, errsz, "no network list to parse");
		return APK_ERR_INVALID;
	}
	memset(out, 0, sizeof(*out));
	for (i = 0; i < nargs; i++) {
		if (args[i] == NULL) {
			snprintf(err, errsz, "no network list to parse");
			goto bad;
		}
		apk_escape(args[i], shown, sizeof(shown));
		for (p = args[i];; p = end + 1) {
			end = strchr(p, ',');
			if (!parse_item(p, end != NULL ? (size_t)(end - p) : strlen(p), out, &any,
					shown, err, errsz))
				goto bad;
			if (end == NULL)
				break;
		}
	}
	if (any && out->n > 0) {
		snprintf(err, errsz, "'any' (anywhere) cannot be combined with networks");
		goto bad;
	}
	return APK_OK;
bad:
	memset(out, 0, sizeof(*out));
	return APK_ERR_INVALID;
}

bool apk_networks_canonical(const struct apk_networks *s)
{
	size_t i;

	if (s == NULL || s->n > APK_NETWORKS_MAX)
		return false;
	for (i = 0; i < s->n; i++) {
		if (!network_canonical(&s->net[i]))
			return false;
		if (i > 0 && compare(&s->net[i - 1], &s->net[i]) >= 0)
			return false;
	}
	return true;
}

char *apk_network_text(const struct apk_network *net, char *out, size_t outsz)
{
	char addr[ADDR_TEXT_MAX + 1];
	int af;

	if (outsz == 0)
		return out;
	af = net->family == APK_NET_V4 ? AF_INET : AF_INET6;
	if (!network_canonical(net) || inet_ntop(af, net->addr, addr, sizeof(addr)) == NULL) {
		snprintf(out, outsz, "?");
		return out;
	}
	if (net->prefix == max_prefix(net->family))
		snprintf(out, outsz, "%s", addr);
	else
		snprintf(out, outsz, "%s/%u", addr, (unsigned)net->prefix);
	return out;
}

enum apk_source apk_networks_match(const struct apk_networks *s, const char *rhost)
{
	struct apk_network host;
	size_t i;

	if (s->n == 0)
		return APK_SOURCE_OK;
	if (rhost == NULL || rhost[0] == '\0')
		return APK_SOURCE_UNSET;
	if (strnlen(rhost, ADDR_TEXT_MAX + 1) > ADDR_TEXT_MAX || !parse_address(rhost, &host))
		return APK_SOURCE_NOT_ADDRESS;
	host.prefix = (unsigned char)max_prefix(host.family);
	unmap(&host);
	for (i = 0; i < s->n; i++)
		if (s->net[i].family == host.family &&
		    same_prefix(s->net[i].addr, host.addr, s->net[i].prefix))
			return APK_SOURCE_OK;
	return APK_SOURCE_NOT_LISTED;
}
