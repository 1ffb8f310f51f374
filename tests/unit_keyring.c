/* unit_keyring.c - the key set as a value: find, generate, rename, describe,
 * delete, and names and ids that never overlap. No file is touched.
 *
 * libsodium's random generator is replaced (before it initialises) by one
 * that passes through to the system's, or replays a fixed stream, or
 * repeats one byte, so that id clashes can be provoked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "apk_config.h"
#include "keyring.h"
#include "unit_util.h"

/* ---- a random generator the tests can steer --------------------------- */

enum rng_mode { RNG_SYSTEM, RNG_REPLAY, RNG_REPEAT };
static enum rng_mode rng_mode = RNG_SYSTEM;
static uint32_t rng_counter;

static void rng_buf(void *const buf, const size_t size)
{
	unsigned char *b = buf;
	size_t i;

	if (rng_mode == RNG_SYSTEM) {
		randombytes_sysrandom_implementation.buf(buf, size);
		return;
	}
	for (i = 0; i < size; i++)
		b[i] = rng_mode == RNG_REPEAT ? 0x11 : (unsigned char)(rng_counter++ * 37u + 11u);
}

static uint32_t rng_random(void)
{
	uint32_t v;

	rng_buf(&v, sizeof(v));
	return v;
}

static const char *rng_name(void)
{
	return "unit_keyring";
}

static struct randombytes_implementation steerable = {
	.implementation_name = rng_name,
	.random = rng_random,
	.buf = rng_buf,
};

/* Replays the fixed stream from its start. */
static void rng_replay(void)
{
	rng_mode = RNG_REPLAY;
	rng_counter = 0;
}

/* ---- helpers ------------------------------------------------------------ */

static const struct apk_account alice = { 1000, "alice" };
static const struct apk_account bob = { 1001, "bob" };

/* A record as a file could hold it (digest of nothing). */
static struct apk_record record(const struct apk_account *a, const char *id, const char *name)
{
	struct apk_record r;

	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "%s", id);
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.owner, sizeof(r.owner), "%s", a->name);
	r.uid = a->uid;
	r.created = 1700000000;
	return r;
}

static struct apk_record *gen(struct apk_keyring *kr, const struct apk_account *a,
			      const char *name)
{
	char token[APK_KEY_LEN + 1];
	struct apk_record *added = NULL;

	assert_int_equal(apk_keyring_generate(kr, a, name, NULL, 1700000000, token, &added), APK_OK);
	assert_non_null(added);
	sodium_memzero(token, sizeof(token));
	return added;
}

static void teardown_rng(void)
{
	rng_mode = RNG_SYSTEM;
}

/* ---- tests -------------------------------------------------------------- */

static void test_init_is_empty_with_a_hash_key(void **state)
{
	struct apk_keyring a, b;

	(void)state;
	apk_keyring_init(&a);
	apk_keyring_init(&b);
	assert_int_equal(a.n, 0);
	assert_null(a.recs);
	assert_false(all_zero(a.meta.hashkey, sizeof(a.meta.hashkey)));
	assert_memory_not_equal(a.meta.hashkey, b.meta.hashkey, sizeof(a.meta.hashkey));
	apk_keyring_free(&a);
	apk_keyring_free(&b);
	assert_int_equal(a.n, 0);
	assert_true(all_zero(&a, sizeof(a)));
}

static void test_generate_makes_a_working_key(void **state)
{
	struct apk_keyring kr;
	struct apk_record *r;
	struct apk_key key;
	unsigned char digest[APK_DIGEST_BYTES];
	char token[APK_KEY_LEN + 1];

	(void)state;
	apk_keyring_init(&kr);
	assert_int_equal(apk_keyring_generate(&kr, &alice, "laptop", "my laptop", 1234, token, &r),
			 APK_OK);
	assert_int_equal(kr.n, 1);
	assert_ptr_equal(r, &kr.recs[0]);
	assert_string_equal(r->name, "laptop");
	assert_string_equal(r->description, "my laptop");
	assert_string_equal(r->owner, "alice");
	assert_int_equal(r->uid, 1000);
	assert_int_equal(r->created, 1234);
	assert_int_equal(apk_key_parse(token, strlen(token), &key), APK_OK);
	assert_string_equal(key.id, r->id);
	apk_key_digest(kr.meta.hashkey, &key, digest);
	assert_memory_equal(digest, r->digest, sizeof(digest));
	assert_true(r->id[0] != '-');
	apk_key_wipe(&key);
	apk_keyring_free(&kr);
}

static void test_generate_default_names(void **state)
{
	struct apk_keyring kr;
	struct apk_record *r;

	(void)state;
	apk_keyring_init(&kr);
	assert_string_equal(gen(&kr, &alice, NULL)->name, "key-1");
	assert_string_equal(gen(&kr, &alice, NULL)->name, "key-2");
	r = apk_keyring_find(&kr, &alice, "key-1");
	assert_non_null(r);
	assert_int_equal(apk_keyring_rename(&kr, &alice, r, "first"), APK_OK);
	assert_string_equal(gen(&kr, &alice, NULL)->name, "key-1"); /* the first free one */
	/* bob's names do not take alice's */
	assert_string_equal(gen(&kr, &bob, NULL)->name, "key-1");
	apk_keyring_free(&kr);
}

static void test_generate_refuses_names_in_use(void **state)
{
	struct apk_keyring kr;
	char token[APK_KEY_LEN + 1];
	struct apk_record *first;

	(void)state;
	apk_keyring_init(&kr);
	first = gen(&kr, &alice, "ci");
	assert_int_equal(apk_keyring_generate(&kr, &alice, "ci", NULL, 1, token, NULL),
			 APK_ERR_EXISTS);
	/* a name equal to one of the account's ids is refused */
	assert_int_equal(apk_keyring_generate(&kr, &alice, first->id, NULL, 1, token, NULL),
			 APK_ERR_NAMEISID);
	assert_int_equal(kr.n, 1);
	/* an ordinary 12-character name is fine */
	assert_string_equal(gen(&kr, &alice, "build-server")->name, "build-server");
	apk_keyring_free(&kr);
}

static void test_generate_limit(void **state)
{
	struct apk_keyring kr;
	char token[APK_KEY_LEN + 1];
	int i;

	(void)state;
	apk_keyring_init(&kr);
	for (i = 0; i < APK_MAX_KEYS_PER_USER; i++)
		gen(&kr, &alice, NULL);
	assert_int_equal(apk_keyring_generate(&kr, &alice, NULL, NULL, 1, token, NULL),
			 APK_ERR_LIMIT);
	assert_int_equal(apk_keyring_count(&kr, &alice), APK_MAX_KEYS_PER_USER);
	gen(&kr, &bob, NULL); /* the limit is per account */
	apk_keyring_free(&kr);
}

/* A new id is never one of the keyring's names. */
static void test_new_id_is_never_a_name(void **state)
{
	struct apk_keyring kr;
	struct apk_record named, *r;
	char first_id[APK_ID_LEN + 1];

	(void)state;
	apk_keyring_init(&kr);
	rng_replay();
	snprintf(first_id, sizeof(first_id), "%s", gen(&kr, &alice, NULL)->id);
	apk_keyring_free(&kr);

	apk_keyring_init(&kr);
	named = record(&bob, "BBBBBBBBBBBB", first_id); /* any account's name */
	assert_int_equal(apk_keyring_append(&kr, &named), APK_OK);
	rng_replay();
	r = gen(&kr, &alice, NULL);
	assert_string_not_equal(r->id, first_id);
	teardown_rng();
	apk_keyring_free(&kr);
}

/* A generator that gives the same id again and again is not corruption. */
static void test_repeating_generator(void **state)
{
	struct apk_keyring kr;
	char token[APK_KEY_LEN + 1];

	(void)state;
	apk_keyring_init(&kr);
	rng_mode = RNG_REPEAT;
	gen(&kr, &alice, NULL);
	assert_int_equal(apk_keyring_generate(&kr, &alice, NULL, NULL, 1, token, NULL),
			 APK_ERR_NORANDOM);
	assert_int_equal(kr.n, 1);
	teardown_rng();
	apk_keyring_free(&kr);
}

static void test_find_by_name_and_id(void **state)
{
	struct apk_keyring kr;
	struct apk_record *a, *b;

	(void)state;
	apk_keyring_init(&kr);
	a = gen(&kr, &alice, "one");
	b = gen(&kr, &alice, "two");
	assert_ptr_equal(apk_keyring_find(&kr, &alice, "one"), a);
	assert_ptr_equal(apk_keyring_find(&kr, &alice, b->id), b);
	assert_null(apk_keyring_find(&kr, &alice, "three"));
	assert_null(apk_keyring_find(&kr, &bob, "one")); /* not bob's */
	assert_null(apk_keyring_find(&kr, &bob, a->id));
	apk_keyring_free(&kr);
}

/* A database written before names and ids were kept apart may hold a name
 * equal to another key's id: the id wins. */
static void test_find_id_wins_over_an_old_name(void **state)
{
	struct apk_keyring kr;
	struct apk_record leaked = record(&alice, "sFiL3SrWq81A", "leaked");
	struct apk_record decoy = record(&alice, "ZZZZZZZZZZZZ", "sFiL3SrWq81A");

	(void)state;
	apk_keyring_init(&kr);
	assert_int_equal(apk_keyring_append(&kr, &decoy), APK_OK); /* the name first */
	assert_int_equal(apk_keyring_append(&kr, &leaked), APK_OK);
	assert_string_equal(apk_keyring_find(&kr, &alice, "sFiL3SrWq81A")->name, "leaked");
	assert_int_equal(apk_keyring_delete(&kr, apk_keyring_find(&kr, &alice, "sFiL3SrWq81A")->id),
			 APK_OK);
	assert_int_equal(kr.n, 1);
	assert_string_equal(kr.recs[0].id, "ZZZZZZZZZZZZ");
	/* with the id gone, the word is the old name again */
	assert_string_equal(apk_keyring_find(&kr, &alice, "sFiL3SrWq81A")->id, "ZZZZZZZZZZZZ");
	apk_keyring_free(&kr);
}

/* A key made before its account was renamed belongs to nobody now. */
static void test_owner_name_must_match(void **state)
{
	struct apk_keyring kr;
	struct apk_account renamed = { 1000, "alice2" };
	struct apk_record *r;

	(void)state;
	apk_keyring_init(&kr);
	r = gen(&kr, &alice, "old");
	assert_true(apk_keyring_owns(&alice, r));
	assert_false(apk_keyring_owns(&renamed, r));
	assert_null(apk_keyring_find(&kr, &renamed, "old"));
	assert_int_equal(apk_keyring_count(&kr, &renamed), 0);
	assert_string_equal(gen(&kr, &renamed, "old")->name, "old"); /* not taken for alice2 */
	apk_keyring_free(&kr);
}

static void test_rename(void **state)
{
	struct apk_keyring kr;
	struct apk_record *a, *b;
	char aid[APK_ID_LEN + 1];

	(void)state;
	apk_keyring_init(&kr);
	a = gen(&kr, &alice, "a");
	b = gen(&kr, &alice, "b");
	snprintf(aid, sizeof(aid), "%s", a->id);
	assert_int_equal(apk_keyring_rename(&kr, &alice, a, "c"), APK_OK);
	assert_string_equal(a->name, "c");
	assert_int_equal(apk_keyring_rename(&kr, &alice, a, "c"), APK_OK); /* no change */
	assert_int_equal(apk_keyring_rename(&kr, &alice, a, "b"), APK_ERR_EXISTS);
	assert_int_equal(apk_keyring_rename(&kr, &alice, b, aid), APK_ERR_NAMEISID);
	assert_int_equal(apk_keyring_rename(&kr, &alice, a, aid), APK_ERR_NAMEISID); /* its own */
	assert_string_equal(b->name, "b");
	assert_string_equal(a->name, "c");
	assert_int_equal(apk_keyring_rename(&kr, &alice, a, "build-server"), APK_OK);
	assert_ptr_equal(apk_keyring_find(&kr, &alice, aid), a);
	apk_keyring_free(&kr);
}

static void test_name_free(void **state)
{
	struct apk_keyring kr;
	struct apk_record *a, theirs = record(&bob, "BBBBBBBBBBBB", "shared");

	(void)state;
	apk_keyring_init(&kr);
	a = gen(&kr, &alice, "mine");
	assert_int_equal(apk_keyring_append(&kr, &theirs), APK_OK);
	assert_int_equal(apk_keyring_name_free(&kr, &alice, "mine", NULL), APK_ERR_EXISTS);
	assert_int_equal(apk_keyring_name_free(&kr, &alice, "mine", a), APK_OK);
	assert_int_equal(apk_keyring_name_free(&kr, &alice, "shared", NULL), APK_OK);
	/* any key's id, whoever holds it */
	assert_int_equal(apk_keyring_name_free(&kr, &alice, "BBBBBBBBBBBB", NULL),
			 APK_ERR_NAMEISID);
	assert_int_equal(apk_keyring_name_free(&kr, &alice, a->id, a), APK_ERR_NAMEISID);
	apk_keyring_free(&kr);
}

static void test_describe(void **state)
{
	struct apk_keyring kr;
	struct apk_record *r;
	char long_desc[APK_DESC_MAX_BYTES + 2];

	(void)state;
	apk_keyring_init(&kr);
	r = gen(&kr, &alice, NULL);
	assert_int_equal(apk_keyring_describe(r, "deploys"), APK_OK);
	assert_string_equal(r->description, "deploys");
	memset(long_desc, 'x', sizeof(long_desc) - 1);
	long_desc[sizeof(long_desc) - 1] = '\0';
	assert_int_equal(apk_keyring_describe(r, long_desc), APK_ERR_INVALID);
	assert_string_equal(r->description, "deploys");
	apk_keyring_free(&kr);
}

static void test_delete_keeps_order(void **state)
{
	struct apk_keyring kr;
	char ids[3][APK_ID_LEN + 1];
	int i;

	(void)state;
	apk_keyring_init(&kr);
	for (i = 0; i < 3; i++)
		snprintf(ids[i], sizeof(ids[i]), "%s", gen(&kr, &alice, NULL)->id);
	assert_int_equal(apk_keyring_delete(&kr, ids[1]), APK_OK);
	assert_int_equal(apk_keyring_delete(&kr, ids[1]), APK_ERR_NOTFOUND);
	assert_int_equal(kr.n, 2);
	assert_string_equal(kr.recs[0].id, ids[0]);
	assert_string_equal(kr.recs[1].id, ids[2]);
	assert_true(all_zero(&kr.recs[2], sizeof(kr.recs[2]))); /* no copy left behind */
	apk_keyring_free(&kr);
}

static void test_append_bound(void **state)
{
	struct apk_keyring kr;
	struct apk_record r = record(&alice, "AAAAAAAAAAAA", "x");
	size_t i;

	(void)state;
	apk_keyring_init(&kr);
	for (i = 0; i < APK_MAX_INDEX_IDS; i++)
		assert_int_equal(apk_keyring_append(&kr, &r), APK_OK);
	assert_int_equal(apk_keyring_append(&kr, &r), APK_ERR_LIMIT);
	assert_int_equal(kr.n, APK_MAX_INDEX_IDS);
	apk_keyring_free(&kr);
}

static void test_generate_within_a_policy_limit(void **state)
{
	struct apk_keyring kr;
	char token[APK_KEY_LEN + 1];

	(void)state;
	apk_keyring_init(&kr);
	assert_int_equal(apk_keyring_generate_within(&kr, &alice, "one", NULL, 1, 2, token, NULL),
			 APK_OK);
	assert_int_equal(apk_keyring_generate_within(&kr, &alice, "two", NULL, 1, 2, token, NULL),
			 APK_OK);
	assert_int_equal(apk_keyring_generate_within(&kr, &alice, "three", NULL, 1, 2, token, NULL),
			 APK_ERR_LIMIT);
	assert_int_equal(kr.n, 2);
	/* the limit is per account, and a higher one than the build's is honoured */
	assert_int_equal(apk_keyring_generate_within(&kr, &bob, NULL, NULL, 1, 2, token, NULL),
			 APK_OK);
	assert_int_equal(apk_keyring_generate_within(&kr, &alice, "three", NULL, 1, 3, token, NULL),
			 APK_OK);
	sodium_memzero(token, sizeof(token));
	apk_keyring_free(&kr);
}

/* A key with every lifecycle field set, named name. */
static struct apk_record *restricted(struct apk_keyring *kr, const char *name, int64_t expires)
{
	struct apk_record *r = gen(kr, &alice, name);

	snprintf(r->description, sizeof(r->description), "deploys");
	r->expires = expires;
	r->disabled = true;
	r->services.n = 1;
	snprintf(r->services.name[0], sizeof(r->services.name[0]), "sshd");
	r->networks.n = 1;
	r->networks.net[0].family = APK_NET_V4;
	r->networks.net[0].prefix = 8;
	r->networks.net[0].addr[0] = 10;
	return r;
}

static void test_rotate_replaces_the_key(void **state)
{
	struct apk_keyring kr;
	struct apk_record *old, *fresh = NULL, *renamed = NULL, before;
	struct apk_key key;
	unsigned char digest[APK_DIGEST_BYTES];
	char token[APK_KEY_LEN + 1];

	(void)state;
	apk_keyring_init(&kr);
	gen(&kr, &alice, "other");
	old = restricted(&kr, "ci", 0);
	before = *old;
	assert_int_equal(apk_keyring_rotate(&kr, &alice, old, 2000, 2100, 5000, 100, token, &fresh,
					    &renamed), APK_OK);
	assert_int_equal(kr.n, 3);
	/* the new key: the name, description, services and networks, a new secret */
	assert_string_equal(fresh->name, "ci");
	assert_string_not_equal(fresh->id, before.id);
	assert_string_equal(fresh->description, "deploys");
	assert_memory_equal(&fresh->services, &before.services, sizeof(before.services));
	assert_memory_equal(&fresh->networks, &before.networks, sizeof(before.networks));
	assert_int_equal(fresh->expires, 5000);
	assert_false(fresh->disabled);
	assert_int_equal(fresh->created, 2000);
	assert_int_equal(apk_key_parse(token, strlen(token), &key), APK_OK);
	assert_string_equal(key.id, fresh->id);
	apk_key_digest(kr.meta.hashkey, &key, digest);
	assert_memory_equal(digest, fresh->digest, sizeof(digest));
	apk_key_wipe(&key);
	/* the old key: renamed, stopping at the overlap's end, otherwise as it was */
	assert_string_equal(renamed->id, before.id);
	assert_string_equal(renamed->name, "ci.old");
	assert_int_equal(renamed->expires, 2100);
	assert_memory_equal(renamed->digest, before.digest, sizeof(before.digest));
	assert_ptr_equal(apk_keyring_find(&kr, &alice, "ci"), fresh);
	assert_ptr_equal(apk_keyring_find(&kr, &alice, "ci.old"), renamed);
	sodium_memzero(token, sizeof(token));
	apk_keyring_free(&kr);
}

static void test_rotate_never_extends_the_old_key(void **state)
{
	struct apk_keyring kr;
	struct apk_record *old, *renamed = NULL;
	char token[APK_KEY_LEN + 1];

	(void)state;
	apk_keyring_init(&kr);
	old = restricted(&kr, "soon", 2050);
	assert_int_equal(apk_keyring_rotate(&kr, &alice, old, 2000, 2100, 0, 100, token, NULL,
					    &renamed), APK_OK);
	assert_int_equal(renamed->expires, 2050); /* earlier than the overlap: kept */
	old = restricted(&kr, "later", 3000);
	assert_int_equal(apk_keyring_rotate(&kr, &alice, old, 2000, 2100, 0, 100, token, NULL,
					    &renamed), APK_OK);
	assert_int_equal(renamed->expires, 2100); /* later: cut to the overlap */
	sodium_memzero(token, sizeof(token));
	apk_keyring_free(&kr);
}

static void test_rotate_finds_a_free_old_name(void **state)
{
	struct apk_keyring kr;
	struct apk_record *renamed = NULL;
	char token[APK_KEY_LEN + 1], longname[APK_NAME_MAX + 1];

	(void)state;
	apk_keyring_init(&kr);
	gen(&kr, &alice, "ci");
	gen(&kr, &alice, "ci.old");
	gen(&kr, &bob, "ci.old-2"); /* bob's names do not take alice's */
	assert_int_equal(apk_keyring_rotate(&kr, &alice, apk_keyring_find(&kr, &alice, "ci"), 2000,
					    2000, 0, 100, token, NULL, &renamed), APK_OK);
	assert_string_equal(renamed->name, "ci.old-2");
	assert_int_equal(apk_keyring_rotate(&kr, &alice, apk_keyring_find(&kr, &alice, "ci"), 2000,
					    2000, 0, 100, token, NULL, &renamed), APK_OK);
	assert_string_equal(renamed->name, "ci.old-3");
	/* a name of the longest length is cut to make room for the suffix */
	memset(longname, 'n', APK_NAME_MAX);
	longname[APK_NAME_MAX] = '\0';
	gen(&kr, &alice, longname);
	assert_int_equal(apk_keyring_rotate(&kr, &alice, apk_keyring_find(&kr, &alice, longname),
					    2000, 2000, 0, 100, token, NULL, &renamed), APK_OK);
	assert_int_equal(strlen(renamed->name), APK_NAME_MAX);
	assert_memory_equal(renamed->name, longname, APK_NAME_MAX - 4);
	assert_string_equal(renamed->name + APK_NAME_MAX - 4, ".old");
	assert_true(apk_name_valid(renamed->name));
	assert_non_null(apk_keyring_find(&kr, &alice, longname));
	sodium_memzero(token, sizeof(token));
	apk_keyring_free(&kr);
}

static void test_rotate_at_the_limit_changes_nothing(void **state)
{
	struct apk_keyring kr;
	struct apk_record *old;
	char token[APK_KEY_LEN + 1];

	(void)state;
	apk_keyring_init(&kr);
	gen(&kr, &alice, "a");
	old = restricted(&kr, "ci", 3000);
	assert_int_equal(apk_keyring_rotate(&kr, &alice, old, 2000, 2000, 0, 2, token, NULL, NULL),
			 APK_ERR_LIMIT);
	assert_int_equal(kr.n, 2);
	assert_string_equal(old->name, "ci");
	assert_int_equal(old->expires, 3000);
	/* a generator that only repeats ids fails the new key: the old one is restored */
	rng_mode = RNG_REPEAT;
	gen(&kr, &bob, "x"); /* takes the one id the generator gives */
	old = apk_keyring_find(&kr, &alice, "ci");
	assert_int_equal(apk_keyring_rotate(&kr, &alice, old, 2000, 2000, 0, 100, token, NULL, NULL),
			 APK_ERR_NORANDOM);
	teardown_rng();
	old = apk_keyring_find(&kr, &alice, "ci");
	assert_non_null(old);
	assert_int_equal(old->expires, 3000);
	assert_null(apk_keyring_find(&kr, &alice, "ci.old"));
	assert_int_equal(kr.n, 3);
	apk_keyring_free(&kr);
}

static void test_set_disabled(void **state)
{
	struct apk_keyring kr;
	struct apk_record *r;

	(void)state;
	apk_keyring_init(&kr);
	r = gen(&kr, &alice, "a");
	assert_false(r->disabled);
	apk_keyring_set_disabled(r, true);
	assert_true(r->disabled);
	apk_keyring_set_disabled(r, false);
	assert_false(r->disabled);
	apk_keyring_free(&kr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty_with_a_hash_key),
		cmocka_unit_test(test_generate_makes_a_working_key),
		cmocka_unit_test(test_generate_default_names),
		cmocka_unit_test(test_generate_refuses_names_in_use),
		cmocka_unit_test(test_generate_limit),
		cmocka_unit_test(test_new_id_is_never_a_name),
		cmocka_unit_test(test_repeating_generator),
		cmocka_unit_test(test_find_by_name_and_id),
		cmocka_unit_test(test_find_id_wins_over_an_old_name),
		cmocka_unit_test(test_owner_name_must_match),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_name_free),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_delete_keeps_order),
		cmocka_unit_test(test_append_bound),
		cmocka_unit_test(test_generate_within_a_policy_limit),
		cmocka_unit_test(test_rotate_replaces_the_key),
		cmocka_unit_test(test_rotate_never_extends_the_old_key),
		cmocka_unit_test(test_rotate_finds_a_free_old_name),
		cmocka_unit_test(test_rotate_at_the_limit_changes_nothing),
		cmocka_unit_test(test_set_disabled),
	};

	if (randombytes_set_implementation(&steerable) != 0)
		return 1;
	return cmocka_run_group_tests(tests, crypto_setup, NULL);
}
