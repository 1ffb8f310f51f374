/* unit_fleet_entry.c - a key as directory attributes: what apikeyctl
 * --fleet writes reads back the same, and every malformed value a server
 * could send refuses the whole entry */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "fleet_entry.h"
#include "restrict.h"
#include "unit_util.h"

static const char good_digest[] =
	"{APK1}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr";

static struct fleet_entry e;

/* A valid entry, as a server would send it, minus the attribute skip
 * (NULL: none). */
static void base_entry(const char *skip)
{
	static const char *const attrs[][2] = {
		{ "objectClass", "pamApiKey" },
		{ "apiKeyId", "ImDQLMM7OjO0" },
		{ "apiKeyDigest", good_digest },
		{ "apiKeyCreated", "20260101000000Z" },
		{ "apiKeyName", "laptop" },
	};

	memset(&e, 0, sizeof(e));
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (skip == NULL || strcmp(skip, attrs[i][0]) != 0)
			assert_int_equal(fleet_entry_add(&e, attrs[i][0], attrs[i][1],
							 strlen(attrs[i][1])), APK_OK);
}

static enum apk_err decode(struct apk_record *r, struct apk_fleet_digest *d)
{
	char why[160];

	return fleet_entry_decode(&e, r, d, why, sizeof(why));
}

/* The base entry plus name: value (len bytes) is refused, outputs wiped. */
static void assert_refused_with(const char *name, const char *value, size_t len)
{
	struct apk_record r;
	struct apk_fleet_digest d;

	base_entry(NULL);
	assert_int_equal(fleet_entry_add(&e, name, value, len), APK_OK);
	memset(&r, 0xA5, sizeof(r));
	memset(&d, 0xA5, sizeof(d));
	if (decode(&r, &d) != APK_ERR_CORRUPT)
		fail_msg("accepted %s: %.*s", name, (int)len, value);
	assert_true(all_zero(&r, sizeof(r)));
	assert_true(all_zero(&d, sizeof(d)));
}

#define REFUSED(name, value) assert_refused_with((name), (value), strlen(value))

static void test_base_entry_decodes(void **state)
{
	struct apk_record r;
	struct apk_fleet_digest d;

	(void)state;
	base_entry(NULL);
	assert_int_equal(decode(&r, &d), APK_OK);
	assert_string_equal(r.id, "ImDQLMM7OjO0");
	assert_string_equal(r.name, "laptop");
	assert_int_equal(r.created, 1767225600);
	assert_int_equal(r.expires, 0);
	assert_false(r.disabled);
	assert_int_equal(r.services.n, 0);
	assert_int_equal(r.networks.n, 0);
}

static void test_roundtrip(void **state)
{
	struct apk_record in, out;
	struct apk_fleet_digest d, back;
	const char *svc[] = { "sshd,sudo" }, *net[] = { "192.0.2.0/24,2001:db8::/32,10.1.2.3" };
	const char *hosts[] = { "web-*.example.org,db-[0-9].example.org" };
	char err[128];
	static struct fleet_entry copy;

	(void)state;
	memset(&in, 0, sizeof(in));
	memcpy(in.id, "ImDQLMM7OjO0", 13);
	strcpy(in.name, "web.deploy-1");
	strcpy(in.description, "déploiement, from CI");
	in.created = 1767225600;
	in.expires = 1798761599;
	in.disabled = true;
	assert_int_equal(apk_restrictions[0].parse(svc, 1, &in, err, sizeof(err)), APK_OK);
	assert_int_equal(apk_restrictions[1].parse(net, 1, &in, err, sizeof(err)), APK_OK);
	assert_int_equal(apk_restrictions[2].parse(hosts, 1, &in, err, sizeof(err)), APK_OK);
	randombytes_buf(&d, sizeof(d));
	assert_int_equal(fleet_entry_encode(&in, &d, &copy), APK_OK);
	/* the strings point into the copy's store: rebuild them as a server would */
	memset(&e, 0, sizeof(e));
	for (size_t i = 0; i < copy.n; i++)
		for (size_t j = 0; j < copy.attr[i].n; j++)
			assert_int_equal(fleet_entry_add(&e, copy.attr[i].name, copy.attr[i].val[j],
							 copy.attr[i].len[j]), APK_OK);
	assert_int_equal(decode(&out, &back), APK_OK);
	assert_memory_equal(&d, &back, sizeof(d));
	assert_string_equal(out.id, in.id);
	assert_string_equal(out.name, in.name);
	assert_string_equal(out.description, in.description);
	assert_int_equal(out.created, in.created);
	assert_int_equal(out.expires, in.expires);
	assert_true(out.disabled);
	assert_int_equal(out.services.n, 2);
	assert_int_equal(out.networks.n, 3);
	assert_memory_equal(&out.services, &in.services, sizeof(in.services));
	assert_memory_equal(&out.networks, &in.networks, sizeof(in.networks));
	/* apiKeyHost, one pattern a value, decoded into the host list */
	assert_non_null(fleet_entry_find(&e, "apiKeyHost"));
	assert_int_equal(fleet_entry_find(&e, "apiKeyHost")->n, 2);
	assert_int_equal(out.hosts.n, 2);
	assert_string_equal(out.hosts.text, "db-[0-9].example.org,web-*.example.org");
}

static void test_encode_refuses_invalid_record(void **state)
{
	struct apk_record r;
	struct apk_fleet_digest d;

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(&r, 0, sizeof(r));
	memcpy(r.id, "ImDQLMM7OjO0", 13);
	strcpy(r.name, "bad name");
	r.created = 1;
	assert_int_equal(fleet_entry_encode(&r, &d, &e), APK_ERR_INVALID);
	strcpy(r.name, "ok");
	r.created = 0;
	assert_int_equal(fleet_entry_encode(&r, &d, &e), APK_ERR_INVALID);
	r.created = 1;
	strcpy(r.id, "short");
	assert_int_equal(fleet_entry_encode(&r, &d, &e), APK_ERR_INVALID);
}

static void test_missing_must(void **state)
{
	const char *must[] = { "objectClass", "apiKeyId", "apiKeyDigest", "apiKeyCreated",
			       "apiKeyName" };
	struct apk_record r;
	struct apk_fleet_digest d;

	(void)state;
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		base_entry(must[i]);
		if (decode(&r, &d) != APK_ERR_CORRUPT)
			fail_msg("accepted an entry without %s", must[i]);
	}
	base_entry("objectClass");
	assert_int_equal(fleet_entry_add(&e, "objectClass", "person", 6), APK_OK);
	assert_int_equal(decode(&r, &d), APK_ERR_CORRUPT);
}

static void test_malformed_values(void **state)
{
	char longname[80];

	(void)state;
	/* a second value of a single-valued attribute */
	REFUSED("apiKeyId", "AAAAAAAAAAAA");
	REFUSED("apiKeyName", "other");
	REFUSED("apiKeyDigest", good_digest);
	REFUSED("apiKeyCreated", "20260101000000Z");
	/* values of the optional attributes */
	REFUSED("apiKeyDescription", "");
	REFUSED("apiKeyDescription", "bell\a");
	assert_refused_with("apiKeyDescription", "nul\0here", 8);
	REFUSED("apiKeyExpires", "20261301000000Z");
	REFUSED("apiKeyExpires", "20260230000000Z");
	REFUSED("apiKeyExpires", "2026010100000Z");
	REFUSED("apiKeyExpires", "20260101000000");
	REFUSED("apiKeyExpires", "20260101000000+0100");
	REFUSED("apiKeyExpires", "19691231235959Z");
	REFUSED("apiKeyExpires", "20260101246000Z");
	REFUSED("apiKeyDisabled", "yes");
	REFUSED("apiKeyDisabled", "true");
	REFUSED("apiKeyService", "sshd,sudo");
	REFUSED("apiKeyService", "all");
	REFUSED("apiKeyService", "");
	REFUSED("apiKeyService", "ss hd");
	REFUSED("apiKeyNetwork", "not-a-network");
	REFUSED("apiKeyNetwork", "any");
	REFUSED("apiKeyNetwork", "192.0.2.1/24");
	REFUSED("apiKeyHost", "all");
	REFUSED("apiKeyHost", "web-1,web-2");
	REFUSED("apiKeyHost", "");
	REFUSED("apiKeyHost", "web 1");
	REFUSED("apiKeyHost", "web/1");
	/* an attribute not known here */
	REFUSED("seeAlso", "cn=x");
	memset(longname, 'a', sizeof(longname));
	longname[APK_NAME_MAX + 1] = '\0';
	base_entry("apiKeyName");
	assert_int_equal(fleet_entry_add(&e, "apiKeyName", longname, strlen(longname)), APK_OK);
	{
		struct apk_record r;
		struct apk_fleet_digest d;

		assert_int_equal(decode(&r, &d), APK_ERR_CORRUPT);
	}
}

static void test_bad_must_values(void **state)
{
	static const char *const bad[][2] = {
		{ "apiKeyId", "ImDQLMM7OjO" },
		{ "apiKeyId", "ImDQLMM7OjO0x" },
		{ "apiKeyId", "ImDQLMM7Oj+0" },
		{ "apiKeyDigest", "{APK2}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr" },
		{ "apiKeyDigest", "garbage" },
		{ "apiKeyCreated", "yesterday" },
		{ "apiKeyName", "bad name!" },
		{ "apiKeyName", "" },
	};
	struct apk_record r;
	struct apk_fleet_digest d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base_entry(bad[i][0]);
		assert_int_equal(fleet_entry_add(&e, bad[i][0], bad[i][1], strlen(bad[i][1])), APK_OK);
		if (decode(&r, &d) != APK_ERR_CORRUPT)
			fail_msg("accepted %s: %s", bad[i][0], bad[i][1]);
	}
}

static void test_entry_bounds(void **state)
{
	char big[FLEET_STORE];

	(void)state;
	base_entry(NULL);
	memset(big, 'x', sizeof(big));
	assert_int_equal(fleet_entry_add(&e, "apiKeyDescription", big, sizeof(big)), APK_ERR_CORRUPT);
	for (size_t i = 0; i < FLEET_VALUES_MAX - 1; i++)
		assert_int_equal(fleet_entry_add(&e, "objectClass", "top", 3), APK_OK);
	assert_int_equal(fleet_entry_add(&e, "objectClass", "top", 3), APK_ERR_CORRUPT);
}

static void test_times(void **state)
{
	char out[16];

	(void)state;
	fleet_time_format(1767225600, out);
	assert_string_equal(out, "20260101000000Z");
	assert_int_equal(fleet_time_parse("20240229235959Z", 15), 1709251199);
	assert_int_equal(fleet_time_parse("20230229000000Z", 15), -1);
	assert_int_equal(fleet_time_parse("99991231235959Z", 15), INT64_C(253402300799));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_entry_decodes),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_encode_refuses_invalid_record),
		cmocka_unit_test(test_missing_must),
		cmocka_unit_test(test_malformed_values),
		cmocka_unit_test(test_bad_must_values),
		cmocka_unit_test(test_entry_bounds),
		cmocka_unit_test(test_times),
	};

	return cmocka_run_group_tests(tests, crypto_setup, NULL);
}
