/* restrict.c - the table of a key's restrictions (see restrict.h): for each
 * kind, what its value in a record means to the command line, the list, the
 * record's encoding and the login check */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "restrict.h"

#define NET_V4_BYTES 4
#define NET_V6_BYTES 16

/* ---- services (--service): services.h ----------------------------------- */

static enum apk_err services_parse(const char *const *args, size_t nargs, struct apk_record *r,
				   char *err, size_t errsz)
{
	return apk_services_parse(args, nargs, &r->services, err, errsz);
}

static bool services_canonical(const struct apk_record *r)
{
	return apk_services_canonical(&r->services);
}

static size_t services_count(const struct apk_record *r)
{
	return r->services.n;
}

static char *services_item(const struct apk_record *r, size_t i, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s", r->services.name[i]);
	return out;
}

/* The field: the canonical list as text, "sshd,sudo". */
static size_t services_encode(const struct apk_record *r, unsigned char *out)
{
	char text[APK_SERVICES_TEXT_MAX + 1];
	size_t n = strlen(apk_services_text(&r->services, text, sizeof(text)));

	memcpy(out, text, n);
	return n;
}

/* Comma-separated service names, then checked canonical. */
static bool services_decode(const unsigned char *v, size_t n, struct apk_record *r)
{
	struct apk_services *s = &r->services;
	size_t pos = 0, len;
	const unsigned char *comma;

	if (n > APK_SERVICES_TEXT_MAX)
		return false;
	while (pos < n) {
		comma = memchr(v + pos, ',', n - pos);
		len = comma != NULL ? (size_t)(comma - (v + pos)) : n - pos;
		if (s->n == APK_SERVICES_MAX || len < 1 || len > APK_SERVICE_NAME_MAX ||
		    memchr(v + pos, '\0', len) != NULL)
			return false;
		memcpy(s->name[s->n++], v + pos, len);
		pos += len;
		if (comma != NULL && ++pos == n)
			return false; /* a trailing comma */
	}
	return apk_services_canonical(s);
}

static enum apk_permit services_check(const struct apk_record *r, const struct apk_attempt *a)
{
	if (apk_services_allow(&r->services, a->service))
		return APK_PERMIT_OK;
	return APK_PERMIT_SERVICE;
}

/* ---- networks (--from): networks.h -------------------------------------- */

static enum apk_err networks_parse(const char *const *args, size_t nargs, struct apk_record *r,
				   char *err, size_t errsz)
{
	return apk_networks_parse(args, nargs, &r->networks, err, errsz);
}

static bool networks_canonical(const struct apk_record *r)
{
	return apk_networks_canonical(&r->networks);
}

static size_t networks_count(const struct apk_record *r)
{
	return r->networks.n;
}

static char *networks_item(const struct apk_record *r, size_t i, char *out, size_t outsz)
{
	return apk_network_text(&r->networks.net[i], out, outsz);
}

/* The field: per network its family (4 or 6), its prefix length and its 4
 * or 16 address bytes. */
static size_t networks_encode(const struct apk_record *r, unsigned char *out)
{
	const struct apk_networks *s = &r->networks;
	size_t i, pos = 0, n;

	for (i = 0; i < s->n; i++) {
		n = s->net[i].family == APK_NET_V4 ? NET_V4_BYTES : NET_V6_BYTES;
		out[pos++] = s->net[i].family;
		out[pos++] = s->net[i].prefix;
		memcpy(out + pos, s->net[i].addr, n);
		pos += n;
	}
	return pos;
}

/* The network list field, then checked canonical. */
static bool networks_decode(const unsigned char *v, size_t n, struct apk_record *r)
{
	struct apk_networks *s = &r->networks;
	size_t pos = 0, len;

	while (pos < n) {
		if (s->n == APK_NETWORKS_MAX || n - pos < 2)
			return false;
		if (v[pos] == APK_NET_V4)
			len = NET_V4_BYTES;
		else if (v[pos] == APK_NET_V6)
			len = NET_V6_BYTES;
		else
			return false;
		if (n - pos - 2 < len)
			return false;
		s->net[s->n].family = v[pos];
		s->net[s->n].prefix = v[pos + 1];
		memcpy(s->net[s->n].addr, v + pos + 2, len);
		s->n++;
		pos += 2 + len;
	}
	return apk_networks_canonical(s);
}

/* Fail closed: an unset PAM_RHOST or a host name matches no network. */
static enum apk_permit networks_check(const struct apk_record *r, const struct apk_attempt *a)
{
	switch (apk_networks_match(&r->networks, a->rhost)) {
	case APK_SOURCE_OK:
		return APK_PERMIT_OK;
	case APK_SOURCE_UNSET:
		return APK_PERMIT_NO_RHOST;
	case APK_SOURCE_NOT_ADDRESS:
		return APK_PERMIT_RHOST_NOT_ADDRESS;
	case APK_SOURCE_NOT_LISTED:
		break;
	}
	return APK_PERMIT_SOURCE;
}

/* ---- hosts (--hosts): hosts.h ------------------------------------------- */

static enum apk_err hosts_parse(const char *const *args, size_t nargs, struct apk_record *r,
				char *err, size_t errsz)
{
	return apk_hosts_parse(args, nargs, &r->hosts, err, errsz);
}

static bool hosts_canonical(const struct apk_record *r)
{
	return apk_hosts_canonical(&r->hosts);
}

static size_t hosts_count(const struct apk_record *r)
{
	return r->hosts.n;
}

static char *hosts_item(const struct apk_record *r, size_t i, char *out, size_t outsz)
{
	return apk_hosts_item(&r->hosts, i, out, outsz);
}

/* The field: the canonical list as text, "db-?.example.org,web-*.example.org". */
static size_t hosts_encode(const struct apk_record *r, unsigned char *out)
{
	size_t n = strlen(r->hosts.text);

	memcpy(out, r->hosts.text, n);
	return n;
}

/* The text, its patterns counted, then checked canonical. */
static bool hosts_decode(const unsigned char *v, size_t n, struct apk_record *r)
{
	struct apk_hosts *h = &r->hosts;
	size_t i;

	if (n > APK_HOSTS_TEXT_MAX || memchr(v, '\0', n) != NULL)
		return false;
	memcpy(h->text, v, n);
	h->text[n] = '\0';
	h->n = n > 0;
	for (i = 0; i < n; i++)
		h->n += v[i] == ',';
	return apk_hosts_canonical(h);
}

/* Fail closed: an unknown host name matches no pattern. */
static enum apk_permit hosts_check(const struct apk_record *r, const struct apk_attempt *a)
{
	if (apk_hosts_allow(&r->hosts, a->host))
		return APK_PERMIT_OK;
	return APK_PERMIT_HOST;
}

/* ---- the table -------------------------------------------------------------- */

#define VALUE(field) offsetof(struct apk_record, field), sizeof(((struct apk_record *)0)->field)

const struct apk_restriction apk_restrictions[APK_RESTRICTIONS] = {
	{ "services", "service", "all", "apiKeyService", 0x0Au, 2, VALUE(services), services_parse,
	  services_canonical, services_count, services_item, services_encode, services_decode,
	  services_check },
	{ "from", "from", "any", "apiKeyNetwork", 0x0Bu, 2, VALUE(networks), networks_parse, networks_canonical,
	  networks_count, networks_item, networks_encode, networks_decode, networks_check },
	{ "hosts", "hosts", "all", "apiKeyHost", 0x0Du, 3, VALUE(hosts), hosts_parse, hosts_canonical,
	  hosts_count, hosts_item, hosts_encode, hosts_decode, hosts_check },
};

const struct apk_restriction *apk_restriction_by_tag(unsigned tag)
{
	size_t i;

	for (i = 0; i < APK_RESTRICTIONS; i++)
		if (apk_restrictions[i].tag == tag)
			return &apk_restrictions[i];
	return NULL;
}

const struct apk_restriction *apk_restriction_by_option(const char *option)
{
	size_t i;

	for (i = 0; i < APK_RESTRICTIONS; i++)
		if (strcmp(apk_restrictions[i].option, option) == 0)
			return &apk_restrictions[i];
	return NULL;
}

char *apk_restriction_text(const struct apk_restriction *k, const struct apk_record *r, char *out,
			   size_t outsz)
{
	char one[APK_RESTRICTION_TEXT_MAX + 1];
	size_t i, len, n = k->count(r);

	if (outsz == 0)
		return out;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		len = strlen(out);
		snprintf(out + len, outsz - len, "%s%s", i ? "," : "", k->item(r, i, one, sizeof(one)));
	}
	return out;
}

void apk_restriction_copy(const struct apk_restriction *k, struct apk_record *to,
			  const struct apk_record *from)
{
	memcpy((char *)to + k->offset, (const char *)from + k->offset, k->size);
}

bool apk_restricted(const struct apk_record *r)
{
	size_t i;

	for (i = 0; i < APK_RESTRICTIONS; i++)
		if (apk_restrictions[i].count(r) > 0)
			return true;
	return false;
}

enum apk_permit apk_restrictions_check(const struct apk_record *r, const struct apk_attempt *a)
{
	enum apk_permit p;
	size_t i;

	for (i = 0; i < APK_RESTRICTIONS; i++)
		if ((p = apk_restrictions[i].check(r, a)) != APK_PERMIT_OK)
			return p;
	return APK_PERMIT_OK;
}
