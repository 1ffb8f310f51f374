/* unit_restrict.c - the table of a key's restrictions (common/restrict.c):
 * each kind is complete and distinct, and its parse, text, items, encoding,
 * copy and check agree with one another. Each kind has a row in cases[]
 * below, and a kind without one fails: a new restriction comes with its
 * cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "record.h"
#include "restrict.h"
#include "unit_util.h"

/* Per kind: an option value, the text and items it gives, an attempt it
 * lets through and one it refuses (with the reason). */
static const struct kind_case {
	const char *option;
	const char *value;
	const char *text;
	struct apk_attempt passes, refused;
	enum apk_permit why;
	const char *reason;
} cases[] = {
	{ "service", "sudo,SSHD", "sshd,sudo", { "sshd", NULL, NULL }, { "su", "192.0.2.1", "h" },
	  APK_PERMIT_SERVICE, "service not allowed for this key" },
	{ "from", "::ffff:192.0.2.0/120,2001:db8::/32,10.1.2.3", "10.1.2.3,192.0.2.0/24,2001:db8::/32",
	  { NULL, "192.0.2.7", NULL }, { "sshd", "198.51.100.1", "h" },
	  APK_PERMIT_SOURCE, "source address not allowed for this key" },
	{ "hosts", "Web-*.example.org,db-[0-9].example.org", "db-[0-9].example.org,web-*.example.org",
	  { NULL, NULL, "web-7.example.org" }, { "sshd", "192.0.2.1", "mail.example.org" },
	  APK_PERMIT_HOST, "host not allowed for this key" },
};

static const struct kind_case *case_of(const struct apk_restriction *k)
{
	size_t i;

	for (i = 0; i < N_ELEM(cases); i++)
		if (strcmp(cases[i].option, k->option) == 0)
			return &cases[i];
	fail_msg("restriction '%s' has no case in unit_restrict.c", k->option);
	return NULL;
}

/* A record holding only kind k's value from its case. */
static struct apk_record with_case(const struct apk_restriction *k, const struct kind_case *c)
{
	struct apk_record r;
	char err[256];

	memset(&r, 0, sizeof(r));
	if (k->parse(&c->value, 1, &r, err, sizeof(err)) != APK_OK)
		fail_msg("--%s %s refused: %s", k->option, c->value, err);
	return r;
}

static void assert_value_equal(const struct apk_restriction *k, const struct apk_record *a,
			       const struct apk_record *b)
{
	assert_memory_equal((const char *)a + k->offset, (const char *)b + k->offset, k->size);
}

static void every_kind_is_complete_and_distinct(void **state)
{
	size_t i, j;

	(void)state;
	assert_int_equal(N_ELEM(cases), APK_RESTRICTIONS);
	for (i = 0; i < APK_RESTRICTIONS; i++) {
		const struct apk_restriction *k = &apk_restrictions[i];

		assert_non_null(k->name);
		assert_non_null(k->option);
		assert_non_null(k->unlimited);
		assert_true(k->name[0] != '\0' && k->option[0] != '\0' && k->unlimited[0] != '\0');
		for (j = 0; k->name[j] != '\0'; j++) /* the column is the name in capitals */
			assert_true(k->name[j] >= 'a' && k->name[j] <= 'z');
		/* a critical tag after the record's own fields (0x01-0x09), and a bit in a mask */
		assert_true(k->tag >= 0x0A && k->tag < 32);
		assert_true(k->since >= 2 && k->since <= APK_RECORD_VERSION);
		assert_true(k->size > 0 && k->offset + k->size <= sizeof(struct apk_record));
		assert_true(k->offset >= offsetof(struct apk_record, disabled));
		assert_non_null(k->parse);
		assert_non_null(k->canonical);
		assert_non_null(k->count);
		assert_non_null(k->item);
		assert_non_null(k->encode);
		assert_non_null(k->decode);
		assert_non_null(k->check);
		assert_ptr_equal(apk_restriction_by_tag(k->tag), k);
		assert_ptr_equal(apk_restriction_by_option(k->option), k);
		(void)case_of(k);
		for (j = 0; j < i; j++) {
			const struct apk_restriction *o = &apk_restrictions[j];

			assert_true(strcmp(o->name, k->name) != 0 && strcmp(o->option, k->option) != 0);
			assert_true(o->tag != k->tag);
			assert_true(o->offset + o->size <= k->offset || k->offset + k->size <= o->offset);
		}
	}
	assert_null(apk_restriction_by_tag(0x01));
	assert_null(apk_restriction_by_tag(0x8A));
	assert_null(apk_restriction_by_option("services"));
	assert_null(apk_restriction_by_option(""));
}

/* Empty: no restriction, every attempt passes, the unlimited word shows. */
static void an_empty_value_restricts_nothing(void **state)
{
	struct apk_record r;
	const struct apk_attempt nothing = { NULL, NULL, NULL }, odd = { "su", "host.example", "x" };
	char text[APK_RESTRICTION_TEXT_MAX + 1];
	unsigned char field[APK_RESTRICTION_FIELD_MAX];
	size_t i;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_false(apk_restricted(&r));
	assert_int_equal(apk_restrictions_check(&r, &nothing), APK_PERMIT_OK);
	assert_int_equal(apk_restrictions_check(&r, &odd), APK_PERMIT_OK);
	for (i = 0; i < APK_RESTRICTIONS; i++) {
		const struct apk_restriction *k = &apk_restrictions[i];

		assert_int_equal(k->count(&r), 0);
		assert_true(k->canonical(&r));
		assert_string_equal(apk_restriction_text(k, &r, text, sizeof(text)), "");
		assert_int_equal(k->encode(&r, field), 0);
		assert_true(k->decode(field, 0, &r));
		assert_int_equal(k->parse(&k->unlimited, 1, &r, text, sizeof(text)), APK_OK);
		assert_int_equal(k->count(&r), 0);
	}
}

/* Parse, text, items, encode, decode and copy agree for each kind's case. */
static void each_kind_round_trips(void **state)
{
	char text[APK_RESTRICTION_TEXT_MAX + 1], item[APK_RESTRICTION_TEXT_MAX + 1], err[256];
	unsigned char field[APK_RESTRICTION_FIELD_MAX];
	struct apk_record r, back, copy, blank;
	const char *arg = text;
	size_t i, j, n, len;

	(void)state;
	memset(&blank, 0, sizeof(blank));
	for (i = 0; i < APK_RESTRICTIONS; i++) {
		const struct apk_restriction *k = &apk_restrictions[i];
		const struct kind_case *c = case_of(k);

		r = with_case(k, c);
		n = k->count(&r);
		assert_true(n > 0);
		assert_true(k->canonical(&r));
		assert_true(apk_restricted(&r));
		apk_restriction_text(k, &r, text, sizeof(text));
		if (c->text != NULL)
			assert_string_equal(text, c->text);
		for (j = 0, len = 0; j < n; j++) { /* the text is the items, comma-separated */
			k->item(&r, j, item, sizeof(item));
			assert_memory_equal(text + len, item, strlen(item));
			len += strlen(item);
			assert_int_equal(text[len], j + 1 < n ? ',' : '\0');
			len++;
		}
		memset(&back, 0, sizeof(back)); /* the text parses back to the same value */
		assert_int_equal(k->parse(&arg, 1, &back, err, sizeof(err)), APK_OK);
		assert_value_equal(k, &r, &back);
		memset(&back, 0, sizeof(back)); /* the field decodes to the same value */
		len = k->encode(&r, field);
		assert_true(len > 0 && len <= APK_RESTRICTION_FIELD_MAX);
		assert_true(k->decode(field, len, &back));
		assert_value_equal(k, &r, &back);
		memset(&back, 0, sizeof(back)); /* a field cut short is refused or a shorter value */
		if (k->decode(field, len - 1, &back))
			assert_true(k->count(&back) < n || memcmp(&back, &r, sizeof(r)) != 0);
		copy = blank; /* copy moves this kind's value and nothing else */
		apk_restriction_copy(k, &copy, &r);
		assert_memory_equal(&copy, &r, sizeof(r));
		for (j = 0; j < APK_RESTRICTIONS; j++)
			if (j != i)
				assert_int_equal(apk_restrictions[j].count(&copy), 0);
	}
}

/* Each kind lets its passing attempt through and refuses the other, with
 * its own refusal and reason; an empty record lets both through. */
static void each_kind_checks_the_attempt(void **state)
{
	struct apk_record r;
	size_t i;

	(void)state;
	for (i = 0; i < APK_RESTRICTIONS; i++) {
		const struct apk_restriction *k = &apk_restrictions[i];
		const struct kind_case *c = case_of(k);

		r = with_case(k, c);
		assert_int_equal(k->check(&r, &c->passes), APK_PERMIT_OK);
		assert_int_equal(apk_restrictions_check(&r, &c->passes), APK_PERMIT_OK);
		assert_int_equal(k->check(&r, &c->refused), c->why);
		assert_int_equal(apk_restrictions_check(&r, &c->refused), c->why);
		assert_string_equal(apk_permit_reason(c->why), c->reason);
		memset(&r, 0, sizeof(r));
		assert_int_equal(k->check(&r, &c->refused), APK_PERMIT_OK);
	}
}

/* The longest value of a kind still fits its field and its text buffer:
 * 16 services of 32 characters, 16 IPv6 networks. */
static void the_longest_values_fit(void **state)
{
	char list[APK_SERVICES_TEXT_MAX + 1] = "", one[64], text[APK_RESTRICTION_TEXT_MAX + 1];
	char netbuf[APK_NETWORKS_MAX][64];
	const char *nets[APK_NETWORKS_MAX], *p = list;
	unsigned char field[APK_RESTRICTION_FIELD_MAX];
	struct apk_record r, back;
	size_t i, len;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < APK_SERVICES_MAX; i++) {
		snprintf(one, sizeof(one), "%s%02zu%030d", i > 0 ? "," : "", i, 0);
		strcat(list, one);
		snprintf(netbuf[i], sizeof(netbuf[i]), "2001:db8:%zx:1234:5678:9abc::/96", i);
		nets[i] = netbuf[i];
	}
	assert_int_equal(apk_services_parse(&p, 1, &r.services, NULL, 0), APK_OK);
	assert_int_equal(apk_networks_parse(nets, APK_NETWORKS_MAX, &r.networks, NULL, 0), APK_OK);
	for (i = 0; i < APK_RESTRICTIONS; i++) {
		const struct apk_restriction *k = &apk_restrictions[i];

		memset(&back, 0, sizeof(back));
		len = k->encode(&r, field);
		assert_true(len <= APK_RESTRICTION_FIELD_MAX);
		assert_true(k->decode(field, len, &back));
		assert_value_equal(k, &r, &back);
		apk_restriction_text(k, &r, text, sizeof(text));
		assert_true(strlen(text) < sizeof(text));
		assert_true(strlen(text) + strlen(k->name) + 32 <= APK_RESTRICTIONS_TEXT_MAX);
	}
	assert_string_equal(apk_restriction_text(&apk_restrictions[0], &r, text, sizeof(text)), list);
}

/* In the table's order: the first kind that refuses gives the reason. */
static void the_first_refusal_is_the_answer(void **state)
{
	struct apk_record r;
	size_t i;
	const struct apk_attempt none = { "none-such", "host.example", "none-such" };

	(void)state;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < APK_RESTRICTIONS; i++) {
		const struct kind_case *c = case_of(&apk_restrictions[i]);
		struct apk_record one = with_case(&apk_restrictions[i], c);

		apk_restriction_copy(&apk_restrictions[i], &r, &one);
	}
	assert_int_not_equal(apk_restrictions_check(&r, &none), APK_PERMIT_OK);
	assert_int_equal(apk_restrictions_check(&r, &none), apk_restrictions[0].check(&r, &none));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_is_complete_and_distinct),
		cmocka_unit_test(an_empty_value_restricts_nothing),
		cmocka_unit_test(each_kind_round_trips),
		cmocka_unit_test(each_kind_checks_the_attempt),
		cmocka_unit_test(the_longest_values_fit),
		cmocka_unit_test(the_first_refusal_is_the_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
