/* unit_networks.c - the source networks of a key (common/networks.c):
 * parsing into canonical form, what is refused, the canonical check, and
 * matching PAM_RHOST: IPv4, IPv6, IPv4-mapped, /0, /32, /128, host names,
 * malformed and unset */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "networks.h"
#include "unit_util.h"

static char err[512];

static struct apk_networks list_of(const char *const *args, size_t nargs)
{
	struct apk_networks s;

	err[0] = '\0';
	if (apk_networks_parse(args, nargs, &s, err, sizeof(err)) != APK_OK)
		fail_msg("refused: %s", err);
	assert_true(apk_networks_canonical(&s));
	return s;
}

static struct apk_networks list1(const char *arg)
{
	return list_of(&arg, 1);
}

/* The canonical list as comma-separated text. */
static const char *shown(const struct apk_networks *s)
{
	static char text[APK_NETWORKS_MAX * (APK_NETWORK_TEXT_MAX + 1) + 1];
	char one[APK_NETWORK_TEXT_MAX + 1];
	size_t i;

	text[0] = '\0';
	for (i = 0; i < s->n; i++) {
		if (i > 0)
			strcat(text, ",");
		strcat(text, apk_network_text(&s->net[i], one, sizeof(one)));
	}
	return text;
}

static const char *parsed1(const char *arg)
{
	struct apk_networks s = list1(arg);
	return shown(&s);
}

static void refused1(const char *arg, const char *want)
{
	struct apk_networks s;

	memset(&s, 0x5A, sizeof(s));
	err[0] = '\0';
	assert_int_equal(apk_networks_parse(&arg, 1, &s, err, sizeof(err)), APK_ERR_INVALID);
	assert_true(all_zero(&s, sizeof(s)));
	if (strstr(err, want) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", arg, err, want);
	assert_null(strchr(err, '\n'));
}

static enum apk_source match(const char *list, const char *rhost)
{
	struct apk_networks s = list1(list);
	return apk_networks_match(&s, rhost);
}

/* ---- parsing ------------------------------------------------------------ */

static void canonical_form(void **state)
{
	static const char *const twice[] = { "2001:db8::/32", "10.0.0.0/8,192.0.2.1" };
	struct apk_networks s;

	(void)state;
	assert_string_equal(parsed1("192.0.2.0/24"), "192.0.2.0/24");
	assert_string_equal(parsed1("10.1.2.3"), "10.1.2.3");
	assert_string_equal(parsed1("10.1.2.3/32"), "10.1.2.3");
	assert_string_equal(parsed1("0.0.0.0/0"), "0.0.0.0/0");
	assert_string_equal(parsed1("::/0"), "::/0");
	assert_string_equal(parsed1("2001:DB8:0:0::/64"), "2001:db8::/64");
	assert_string_equal(parsed1("2001:db8::1/128"), "2001:db8::1");
	assert_string_equal(parsed1("::1"), "::1");
	/* sorted: IPv4 first, then by address, then by prefix; duplicates once */
	assert_string_equal(parsed1("2001:db8::/32,10.0.0.0/16,10.0.0.0/8,192.0.2.1,10.0.0.0/8"),
			    "10.0.0.0/8,10.0.0.0/16,192.0.2.1,2001:db8::/32");
	s = list_of(twice, N_ELEM(twice));
	assert_string_equal(shown(&s), "10.0.0.0/8,192.0.2.1,2001:db8::/32");
	/* IPv4-mapped IPv6 networks are stored as IPv4 */
	assert_string_equal(parsed1("::ffff:192.0.2.0/120"), "192.0.2.0/24");
	assert_string_equal(parsed1("::ffff:192.0.2.7"), "192.0.2.7");
	assert_string_equal(parsed1("::ffff:0:0/96"), "0.0.0.0/0");
	assert_string_equal(parsed1("::ffff:192.0.2.7,192.0.2.7"), "192.0.2.7");
}

static void any_is_the_empty_list(void **state)
{
	struct apk_networks s;
	static const char *const anys[] = { "any", "any" };

	(void)state;
	s = list1("any");
	assert_int_equal(s.n, 0);
	s = list_of(anys, 2);
	assert_int_equal(s.n, 0);
	s = list_of(NULL, 0);
	assert_int_equal(s.n, 0);
}

static void bad_lists_are_refused(void **state)
{
	(void)state;
	refused1("", "empty");
	refused1("10.0.0.1,", "empty");
	refused1(",10.0.0.1", "empty");
	refused1("any,10.0.0.0/8", "cannot be combined");
	refused1("ANY", "not an IPv4 or IPv6");
	refused1("localhost", "host names are not allowed");
	refused1("example.com", "host names are not allowed");
	refused1("10.0.0", "not an IPv4 or IPv6");
	refused1("10.0.0.256", "not an IPv4 or IPv6");
	refused1("010.0.0.1", "not an IPv4 or IPv6");
	refused1("10.0.0.1 ", "not an IPv4 or IPv6");
	refused1(" 10.0.0.1", "not an IPv4 or IPv6");
	refused1("0x0a.0.0.1", "not an IPv4 or IPv6");
	refused1("2001:db8:::1", "not an IPv4 or IPv6");
	refused1("[2001:db8::1]", "not an IPv4 or IPv6");
	refused1("fe80::1%eth0", "not an IPv4 or IPv6");
	refused1("/24", "not an IPv4 or IPv6");
	refused1("10.0.0.0/", "prefix length");
	refused1("10.0.0.0/33", "0-32");
	refused1("10.0.0.0/-1", "0-32");
	refused1("10.0.0.0/+8", "0-32");
	refused1("10.0.0.0/08", "0-32");
	refused1("10.0.0.0/8/8", "0-32");
	refused1("10.0.0.0/ 8", "0-32");
	refused1("2001:db8::/129", "0-128");
	refused1("2001:db8::/1280", "0-128");
	refused1("\x1b]0;x\x07", "\\x1b]0;x\\x07");
	refused1("10.0.0.0/8,hostname", "host names are not allowed");
}

static void host_bits_are_refused_naming_the_network(void **state)
{
	(void)state;
	refused1("192.0.2.1/24", "the network is 192.0.2.0/24");
	refused1("10.255.0.0/9", "the network is 10.128.0.0/9");
	refused1("1.0.0.0/0", "the network is 0.0.0.0/0");
	refused1("2001:db8::1/64", "the network is 2001:db8::/64");
	refused1("::1/0", "the network is ::/0");
	refused1("::ffff:192.0.2.1/120", "the network is 192.0.2.0/24");
}

static void at_most_sixteen(void **state)
{
	char list[512] = "", item[20];
	struct apk_networks s;
	int i;

	(void)state;
	for (i = 0; i < APK_NETWORKS_MAX; i++) {
		snprintf(item, sizeof(item), "%s10.0.%d.0/24", i > 0 ? "," : "", i);
		strcat(list, item);
	}
	s = list1(list);
	assert_int_equal(s.n, APK_NETWORKS_MAX);
	strcat(list, ",10.0.0.0/24"); /* a duplicate does not count */
	s = list1(list);
	assert_int_equal(s.n, APK_NETWORKS_MAX);
	strcat(list, ",10.0.16.0/24");
	refused1(list, "at most 16 networks");
}

/* ---- the canonical check -------------------------------------------------- */

static void the_canonical_check(void **state)
{
	struct apk_networks s, bad;

	(void)state;
	s = list1("10.0.0.0/8,2001:db8::/32");
	assert_true(apk_networks_canonical(&s));
	bad = s; /* out of order */
	bad.net[0] = s.net[1];
	bad.net[1] = s.net[0];
	assert_false(apk_networks_canonical(&bad));
	bad = s; /* duplicate */
	bad.net[1] = s.net[0];
	assert_false(apk_networks_canonical(&bad));
	bad = s; /* host bits */
	bad.net[0].addr[3] = 1;
	assert_false(apk_networks_canonical(&bad));
	bad = s; /* bytes past an IPv4 address */
	bad.net[0].addr[4] = 1;
	assert_false(apk_networks_canonical(&bad));
	bad = s;
	bad.net[0].prefix = 33;
	assert_false(apk_networks_canonical(&bad));
	bad = s;
	bad.net[1].prefix = 129;
	assert_false(apk_networks_canonical(&bad));
	bad = s;
	bad.net[0].family = 5;
	assert_false(apk_networks_canonical(&bad));
	bad = list1("2001:db8::/32"); /* an IPv4-mapped network kept as IPv6 */
	memset(bad.net[0].addr, 0, 16);
	bad.net[0].addr[10] = bad.net[0].addr[11] = 0xff;
	bad.net[0].prefix = 96;
	assert_false(apk_networks_canonical(&bad));
	bad.net[0].prefix = 95; /* ::ffff:0:0/95 is an IPv6 network like any other */
	bad.net[0].addr[11] = 0xfe;
	assert_true(apk_networks_canonical(&bad));
	bad = s;
	bad.n = APK_NETWORKS_MAX + 1;
	assert_false(apk_networks_canonical(&bad));
	assert_false(apk_networks_canonical(NULL));
}

/* ---- matching PAM_RHOST ------------------------------------------------------ */

static void ipv4(void **state)
{
	(void)state;
	assert_int_equal(match("192.0.2.0/24", "192.0.2.0"), APK_SOURCE_OK);
	assert_int_equal(match("192.0.2.0/24", "192.0.2.255"), APK_SOURCE_OK);
	assert_int_equal(match("192.0.2.0/24", "192.0.3.0"), APK_SOURCE_NOT_LISTED);
	assert_int_equal(match("192.0.2.0/24", "192.0.1.255"), APK_SOURCE_NOT_LISTED);
	assert_int_equal(match("10.128.0.0/9", "10.200.1.1"), APK_SOURCE_OK);
	assert_int_equal(match("10.128.0.0/9", "10.127.255.255"), APK_SOURCE_NOT_LISTED);
	/* /32: one address */
	assert_int_equal(match("10.1.2.3", "10.1.2.3"), APK_SOURCE_OK);
	assert_int_equal(match("10.1.2.3", "10.1.2.2"), APK_SOURCE_NOT_LISTED);
	assert_int_equal(match("10.1.2.3", "10.1.2.4"), APK_SOURCE_NOT_LISTED);
	/* /0: every IPv4 address, no IPv6 one */
	assert_int_equal(match("0.0.0.0/0", "203.0.113.7"), APK_SOURCE_OK);
	assert_int_equal(match("0.0.0.0/0", "255.255.255.255"), APK_SOURCE_OK);
	assert_int_equal(match("0.0.0.0/0", "2001:db8::1"), APK_SOURCE_NOT_LISTED);
	/* the second of several */
	assert_int_equal(match("10.0.0.0/8,192.0.2.0/24", "192.0.2.9"), APK_SOURCE_OK);
}

static void ipv6(void **state)
{
	(void)state;
	assert_int_equal(match("2001:db8::/32", "2001:db8::1"), APK_SOURCE_OK);
	assert_int_equal(match("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
			 APK_SOURCE_OK);
	assert_int_equal(match("2001:db8::/32", "2001:db9::1"), APK_SOURCE_NOT_LISTED);
	assert_int_equal(match("2001:db8::/33", "2001:db8:8000::1"), APK_SOURCE_NOT_LISTED);
	assert_int_equal(match("2001:db8::/33", "2001:db8:7fff::1"), APK_SOURCE_OK);
	assert_int_equal(match("2001:DB8::/32", "2001:0DB8:0000::0001"), APK_SOURCE_OK);
	/* /128: one address */
	assert_int_equal(match("::1", "::1"), APK_SOURCE_OK);
	assert_int_equal(match("::1", "::2"), APK_SOURCE_NOT_LISTED);
	assert_int_equal(match("2001:db8::1/128", "2001:db8::1"), APK_SOURCE_OK);
	/* ::/0: every IPv6 address; an IPv4 one (or a mapped one) is not IPv6 */
	assert_int_equal(match("::/0", "fe80::1"), APK_SOURCE_OK);
	assert_int_equal(match("::/0", "192.0.2.1"), APK_SOURCE_NOT_LISTED);
	assert_int_equal(match("::/0", "::ffff:192.0.2.1"), APK_SOURCE_NOT_LISTED);
	assert_int_equal(match("2001:db8::/32", "192.0.2.1"), APK_SOURCE_NOT_LISTED);
}

static void ipv4_mapped(void **state)
{
	(void)state;
	assert_int_equal(match("192.0.2.0/24", "::ffff:192.0.2.10"), APK_SOURCE_OK);
	assert_int_equal(match("192.0.2.0/24", "::FFFF:192.0.2.10"), APK_SOURCE_OK);
	assert_int_equal(match("192.0.2.0/24", "::ffff:c000:20a"), APK_SOURCE_OK);
	assert_int_equal(match("192.0.2.0/24", "::ffff:192.0.3.10"), APK_SOURCE_NOT_LISTED);
	assert_int_equal(match("127.0.0.1", "::ffff:127.0.0.1"), APK_SOURCE_OK);
	assert_int_equal(match("0.0.0.0/0", "::ffff:8.8.8.8"), APK_SOURCE_OK);
	/* a network given mapped matches the plain IPv4 address too */
	assert_int_equal(match("::ffff:192.0.2.0/120", "192.0.2.200"), APK_SOURCE_OK);
	/* the IPv4-compatible form ::a.b.c.d is an IPv6 address, not IPv4 */
	assert_int_equal(match("192.0.2.0/24", "::192.0.2.10"), APK_SOURCE_NOT_LISTED);
}

static void host_names_and_junk_fail_closed(void **state)
{
	static const char *const junk[] = {
		"localhost", "example.com", "host-192.0.2.1", "192.0.2.1.example.com", "192.0.2",
		"192.0.2.1 ", " 192.0.2.1", "192.0.2.1/32", "[::1]", "fe80::1%eth0", "192.0.2.01",
		"::ffff:192.0.2.1:22", "1111:2222:3333:4444:5555:6666:7777:8888:9999",
		"0000000000000000000000000000000000000000000000000192.0.2.1", "\xff\xfe",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(junk); i++)
		assert_int_equal(match("0.0.0.0/0,::/0", junk[i]), APK_SOURCE_NOT_ADDRESS);
}

static void unset_rhost_fails_closed(void **state)
{
	(void)state;
	assert_int_equal(match("0.0.0.0/0,::/0", NULL), APK_SOURCE_UNSET);
	assert_int_equal(match("0.0.0.0/0,::/0", ""), APK_SOURCE_UNSET);
}

static void the_empty_list_lets_anyone_in(void **state)
{
	struct apk_networks s;

	(void)state;
	s = list1("any");
	assert_int_equal(apk_networks_match(&s, "192.0.2.1"), APK_SOURCE_OK);
	assert_int_equal(apk_networks_match(&s, "example.com"), APK_SOURCE_OK);
	assert_int_equal(apk_networks_match(&s, NULL), APK_SOURCE_OK);
}

static void text_of_a_bad_network(void **state)
{
	struct apk_network net;
	char out[APK_NETWORK_TEXT_MAX + 1], tiny[1] = { 'x' };

	(void)state;
	memset(&net, 0, sizeof(net));
	net.family = 9;
	assert_string_equal(apk_network_text(&net, out, sizeof(out)), "?");
	net.family = APK_NET_V4;
	net.prefix = 40;
	assert_string_equal(apk_network_text(&net, out, sizeof(out)), "?");
	apk_network_text(&net, tiny, 0);
	assert_int_equal(tiny[0], 'x');
	/* the longest text fits */
	net.family = APK_NET_V6;
	net.prefix = 127;
	memset(net.addr, 0xff, 16);
	net.addr[15] = 0xfe;
	assert_string_equal(apk_network_text(&net, out, sizeof(out)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_form),
		cmocka_unit_test(any_is_the_empty_list),
		cmocka_unit_test(bad_lists_are_refused),
		cmocka_unit_test(host_bits_are_refused_naming_the_network),
		cmocka_unit_test(at_most_sixteen),
		cmocka_unit_test(the_canonical_check),
		cmocka_unit_test(ipv4),
		cmocka_unit_test(ipv6),
		cmocka_unit_test(ipv4_mapped),
		cmocka_unit_test(host_names_and_junk_fail_closed),
		cmocka_unit_test(unset_rhost_fails_closed),
		cmocka_unit_test(the_empty_list_lets_anyone_in),
		cmocka_unit_test(text_of_a_bad_network),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
