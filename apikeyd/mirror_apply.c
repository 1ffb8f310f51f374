/* mirror_apply.c - the directory's entries kept by entryUUID, and written
 * to DIR/fleet account by account (mirror_apply.h) */
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <sodium.h>

#include "fleet_ldap.h"
#include "keyring.h"
#include "mirror_apply.h"
#include "validate.h"

enum ent_kind { ENT_OTHER, ENT_KEY, ENT_OWNER };

/* Why a key entry is not mirrored (logged when it changes). */
enum skip {
	SKIP_NONE,
	SKIP_MALFORMED, /* logged when it arrives, with the decoder's reason */
	SKIP_PARENT,    /* the parent is not uid=NAME with a usable NAME */
	SKIP_NO_OWNER,  /* no posixAccount entry with a uidNumber at the parent */
	SKIP_UNKNOWN,   /* no account NAME here */
	SKIP_UID,       /* the local uid is not the directory's uidNumber */
	SKIP_DUPLICATE, /* another key of the same account has its id */
	SKIP_TOO_MANY,  /* beyond APK_MAX_INDEX_IDS keys in one account */
};

struct ent {
	unsigned char uuid[MIRROR_UUID_LEN];
	enum ent_kind kind;
	bool marked;
	char *dn;  /* as the server sent it */
	char *key; /* lower case: an owner's DN, a key's parent DN */
	/* an owner */
	int64_t uidnumber; /* -1: none or not a number */
	unsigned gen;      /* the generation its local account was looked up at */
	enum skip verdict; /* that look-up's answer (SKIP_NONE, _UNKNOWN, _UID) */
	uint32_t local_uid;
	char local_name[APK_USER_MAX + 1];
	/* a key */
	struct apk_record *rec; /* NULL: malformed */
	enum skip skip, logged; /* this flush's verdict, the one last logged */
	uint32_t uid;
	struct ent *owner;
};

struct written {
	uint32_t uid;
	unsigned char hash[16];
};

struct mirror_apply {
	int fleetfd;
	struct apk_mirror_state st;
	struct ent **slot; /* open addressing by uuid; TOMB: deleted */
	size_t cap, used, live;
	bool dirty, all; /* all: the next flush writes every account */
	unsigned gen; /* NSS answers older than this are asked again (from 1) */
	struct written *done; /* what the last flush left, by uid */
	size_t ndone;
};

static char tomb_mark;
#define TOMB ((struct ent *)(void *)&tomb_mark)

static size_t uuid_hash(const unsigned char *u)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < MIRROR_UUID_LEN; i++)
		h = (h ^ u[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static void ent_free(struct ent *e)
{
	if (e->rec != NULL) {
		sodium_memzero(e->rec, sizeof(*e->rec));
		free(e->rec);
	}
	free(e->dn);
	free(e->key);
	free(e);
}

struct mirror_apply *mirror_apply_new(int fleetfd, const struct apk_mirror_state *st)
{
	struct mirror_apply *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->fleetfd = fleetfd;
	m->st = *st;
	m->cap = 1024;
	m->all = true;
	m->gen = 1;
	if ((m->slot = calloc(m->cap, sizeof(*m->slot))) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void mirror_apply_free(struct mirror_apply *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->cap; i++)
		if (m->slot[i] != NULL && m->slot[i] != TOMB)
			ent_free(m->slot[i]);
	free(m->slot);
	free(m->done);
	free(m);
}

/* The slot holding uuid, or NULL. */
static struct ent **find(struct mirror_apply *m, const unsigned char *uuid)
{
	size_t i = uuid_hash(uuid) & (m->cap - 1), n;

	for (n = 0; n < m->cap; n++, i = (i + 1) & (m->cap - 1)) {
		if (m->slot[i] == NULL)
			return NULL;
		if (m->slot[i] != TOMB && memcmp(m->slot[i]->uuid, uuid, MIRROR_UUID_LEN) == 0)
			return &m->slot[i];
	}
	return NULL;
}

/* Doubles the table (or rebuilds it without tombstones). */
static int grow(struct mirror_apply *m)
{
	size_t cap = m->live * 4 > m->cap ? m->cap * 2 : m->cap, i, j;
	struct ent **slot = calloc(cap, sizeof(*slot));

	if (slot == NULL)
		return -1;
	for (i = 0; i < m->cap; i++) {
		if (m->slot[i] == NULL || m->slot[i] == TOMB)
			continue;
		for (j = uuid_hash(m->slot[i]->uuid) & (cap - 1); slot[j] != NULL; j = (j + 1) & (cap - 1))
			;
		slot[j] = m->slot[i];
	}
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
	m->used = m->live;
	return 0;
}

static int insert(struct mirror_apply *m, struct ent *e)
{
	size_t i;

	if ((m->used + 1) * 2 > m->cap && grow(m) != 0)
		return -1;
	for (i = uuid_hash(e->uuid) & (m->cap - 1); m->slot[i] != NULL && m->slot[i] != TOMB;
	     i = (i + 1) & (m->cap - 1))
		;
	if (m->slot[i] == NULL)
		m->used++;
	m->slot[i] = e;
	m->live++;
	return 0;
}

static void remove_slot(struct mirror_apply *m, struct ent **s)
{
	ent_free(*s);
	*s = TOMB;
	m->live--;
	m->dirty = true;
}

void mirror_apply_refresh_begin(struct mirror_apply *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->slot[i] != NULL && m->slot[i] != TOMB)
			m->slot[i]->marked = false;
}

void mirror_apply_sweep(struct mirror_apply *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->slot[i] != NULL && m->slot[i] != TOMB && !m->slot[i]->marked)
			remove_slot(m, &m->slot[i]);
	/* accounts may have come or gone here since: look again at all */
	m->all = true;
	m->gen++;
	m->dirty = true;
}

static char *lower_dup(const char *s)
{
	char *d = strdup(s), *p;

	for (p = d; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

static bool has_value(const struct fleet_entry *e, const char *attr, const char *v)
{
	const struct fleet_attr *a = fleet_entry_find(e, attr);
	size_t i;

	for (i = 0; a != NULL && i < a->n; i++)
		if (a->len[i] == strlen(v) && strncasecmp(a->val[i], v, a->len[i]) == 0)
			return true;
	return false;
}

/* An owner's one uidNumber value: decimal, no sign, below APK_UID_INVALID;
 * -1 otherwise. */
static int64_t uid_number(const struct fleet_entry *e)
{
	const struct fleet_attr *a = fleet_entry_find(e, "uidNumber");
	int64_t v = 0;
	size_t i;

	if (a == NULL || a->n != 1 || a->len[0] == 0 || a->len[0] > 10)
		return -1;
	for (i = 0; i < a->len[0]; i++) {
		if (a->val[0][i] < '0' || a->val[0][i] > '9')
			return -1;
		v = v * 10 + (a->val[0][i] - '0');
	}
	return v < (int64_t)APK_UID_INVALID ? v : -1;
}

/* The DN after its first RDN (RFC 4514: a ',' not escaped by '\'). */
static const char *parent_of(const char *dn)
{
	const char *p;

	for (p = dn; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == ',')
			return p + 1;
	}
	return NULL;
}

static void log_dn(int prio, const char *dn, const char *what)
{
	char shown[FLEET_DN_MAX + 1];

	syslog(prio, "skipped %s: %s", apk_escape(dn, shown, sizeof(shown)), what);
}

void mirror_apply_entry(struct mirror_apply *m, const unsigned char uuid[MIRROR_UUID_LEN],
			const char *dn, const struct fleet_entry *e)
{
	struct ent **s = find(m, uuid), *n;
	struct apk_fleet_digest d;
	char why[256];
	const char *parent;

	if (s != NULL)
		remove_slot(m, s);
	m->dirty = true;
	if ((n = calloc(1, sizeof(*n))) == NULL || (n->dn = strdup(dn)) == NULL) {
		free(n);
		syslog(LOG_ERR, "out of memory keeping an entry: the next refresh starts over");
		return;
	}
	memcpy(n->uuid, uuid, MIRROR_UUID_LEN);
	n->marked = true;
	n->uidnumber = -1;
	/* no attribute at all: a key too large to read (sync.c) */
	if (e->n == 0 || has_value(e, "objectClass", "pamApiKey")) {
		n->kind = ENT_KEY;
		parent = parent_of(dn);
		n->key = lower_dup(parent != NULL ? parent : "");
		if (strlen(dn) >= FLEET_DN_MAX) {
			log_dn(LOG_WARNING, dn, "its DN is too long");
		} else if ((n->rec = calloc(1, sizeof(*n->rec))) != NULL &&
			   fleet_entry_decode(e, n->rec, &d, why, sizeof(why)) != APK_OK) {
			log_dn(LOG_WARNING, dn, e->n == 0 ? "too large" : why);
			free(n->rec);
			n->rec = NULL;
		}
		sodium_memzero(&d, sizeof(d));
		n->skip = n->logged = n->rec == NULL ? SKIP_MALFORMED : SKIP_NONE;
	} else if (has_value(e, "objectClass", "posixAccount")) {
		n->kind = ENT_OWNER;
		n->key = lower_dup(dn);
		n->uidnumber = uid_number(e);
	} else {
		n->key = strdup("");
	}
	if (n->key == NULL || insert(m, n) != 0) {
		ent_free(n);
		syslog(LOG_ERR, "out of memory keeping an entry: the next refresh starts over");
	}
}

void mirror_apply_present(struct mirror_apply *m, const unsigned char uuid[MIRROR_UUID_LEN])
{
	struct ent **s = find(m, uuid);

	if (s != NULL)
		(*s)->marked = true;
}

void mirror_apply_delete(struct mirror_apply *m, const unsigned char uuid[MIRROR_UUID_LEN])
{
	struct ent **s = find(m, uuid);

	if (s != NULL)
		remove_slot(m, s);
}

void mirror_apply_recheck(struct mirror_apply *m)
{
	m->gen++;
	m->dirty = true;
}

int mirror_apply_dirty(const struct mirror_apply *m)
{
	return m->dirty;
}

/* ---- the flush ----------------------------------------------------------- */

static int cmp_owner(const void *a, const void *b)
{
	return strcmp((*(struct ent *const *)a)->key, (*(struct ent *const *)b)->key);
}

static int cmp_key(const void *a, const void *b)
{
	const struct ent *x = *(struct ent *const *)a, *y = *(struct ent *const *)b;
	int c;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	if ((c = strcmp(x->rec->id, y->rec->id)) != 0)
		return c;
	return strcmp(x->dn, y->dn);
}

static int cmp_written(const void *a, const void *b)
{
	uint32_t x = ((const struct written *)a)->uid, y = ((const struct written *)b)->uid;

	return x < y ? -1 : x > y;
}

/* The local account of the key entry k's parent: its owner entry (found
 * in owners, n of them, sorted by DN), whose uidNumber must be the uid
 * NSS gives the name of the parent's RDN. Sets k->uid and k->owner. */
static enum skip resolve(struct mirror_apply *m, struct ent *k, struct ent **owners, size_t n)
{
	struct ent probe, *pp = &probe, **found, *o;
	struct passwd pw, *res = NULL;
	char buf[4096], name[APK_USER_MAX + 1];
	const char *parent = parent_of(k->dn), *end;
	size_t len;

	if (parent == NULL || strncasecmp(parent, "uid=", 4) != 0)
		return SKIP_PARENT;
	parent += 4;
	end = strchr(parent, ',');
	len = end != NULL ? (size_t)(end - parent) : strlen(parent);
	if (len == 0 || len > APK_USER_MAX)
		return SKIP_PARENT;
	memcpy(name, parent, len);
	name[len] = '\0';
	if (!apk_user_valid(name)) /* an escape, a '+', anything odd */
		return SKIP_PARENT;
	probe.key = k->key;
	found = n > 0 ? bsearch(&pp, owners, n, sizeof(*owners), cmp_owner) : NULL;
	if (found == NULL || (*found)->uidnumber < 0)
		return SKIP_NO_OWNER;
	o = *found;
	k->owner = o;
	/* once per owner entry, and again after a recheck or a full refresh:
	 * a change in the directory does not cost a look-up per account */
	if (o->gen != m->gen) {
		o->gen = m->gen;
		if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
		    strcmp(pw.pw_name, name) != 0) {
			o->verdict = SKIP_UNKNOWN;
		} else if ((int64_t)pw.pw_uid != o->uidnumber) {
			o->verdict = SKIP_UID;
			o->local_uid = pw.pw_uid;
		} else {
			o->verdict = SKIP_NONE;
			o->local_uid = pw.pw_uid;
			snprintf(o->local_name, sizeof(o->local_name), "%s", pw.pw_name);
		}
	}
	k->uid = o->local_uid;
	return o->verdict;
}

static void log_skip(const struct ent *k)
{
	char what[160];

	switch (k->skip) {
	case SKIP_PARENT:
		log_dn(LOG_WARNING, k->dn, "its parent is not an account entry uid=NAME");
		break;
	case SKIP_NO_OWNER:
		log_dn(LOG_WARNING, k->dn, "its parent has no readable posixAccount uidNumber");
		break;
	case SKIP_UNKNOWN:
		log_dn(LOG_NOTICE, k->dn, "no such account on this host");
		break;
	case SKIP_UID:
		snprintf(what, sizeof(what), "the directory's uidNumber %lld is not the local uid %lu",
			 (long long)k->owner->uidnumber, (unsigned long)k->owner->local_uid);
		log_dn(LOG_WARNING, k->dn, what);
		break;
	case SKIP_DUPLICATE:
		snprintf(what, sizeof(what), "another key of the account has the id %s", k->rec->id);
		log_dn(LOG_WARNING, k->dn, what);
		break;
	case SKIP_TOO_MANY:
		snprintf(what, sizeof(what), "the account has more than %d keys", APK_MAX_INDEX_IDS);
		log_dn(LOG_WARNING, k->dn, what);
		break;
	default:
		break;
	}
}

/* One account's keys (v[0..n-1], sorted by id) made its file when they
 * changed since the last flush. */
static int put_account(struct mirror_apply *m, struct ent **v, size_t n, struct written *w,
		       size_t *written, char *err, size_t errsz)
{
	unsigned char buf[APK_RECORD_MAX];
	crypto_generichash_state h;
	struct apk_keyring kr;
	struct written key, *old;
	enum apk_err rc = APK_OK;
	size_t i, len;

	w->uid = v[0]->uid;
	crypto_generichash_init(&h, NULL, 0, sizeof(w->hash));
	for (i = 0; i < n; i++) {
		v[i]->rec->uid = v[i]->uid;
		snprintf(v[i]->rec->owner, sizeof(v[i]->rec->owner), "%s", v[i]->owner->local_name);
		if (apk_record_encode(v[i]->rec, buf, sizeof(buf), &len) != APK_OK) {
			snprintf(err, errsz, "cannot encode key %s of uid %lu", v[i]->rec->id,
				 (unsigned long)w->uid);
			return -1;
		}
		crypto_generichash_update(&h, buf, len);
	}
	sodium_memzero(buf, sizeof(buf));
	crypto_generichash_final(&h, w->hash, sizeof(w->hash));
	key.uid = w->uid;
	old = m->all || m->ndone == 0 ? NULL
				       : bsearch(&key, m->done, m->ndone, sizeof(key), cmp_written);
	if (old != NULL && memcmp(old->hash, w->hash, sizeof(w->hash)) == 0)
		return 0;
	apk_keyring_init(&kr);
	for (i = 0; i < n && rc == APK_OK; i++)
		rc = apk_keyring_append(&kr, v[i]->rec);
	if (rc == APK_OK)
		rc = apk_mirror_put(m->fleetfd, w->uid, &kr);
	apk_keyring_free(&kr);
	if (rc != APK_OK) {
		snprintf(err, errsz, "cannot write the mirror of uid %lu: %s", (unsigned long)w->uid,
			 apk_strerror(rc));
		return -1;
	}
	(*written)++;
	return 0;
}

/* Removes every account file whose uid is not in w (n, sorted). */
static int remove_gone(struct mirror_apply *m, const struct written *w, size_t n, size_t *written,
		       char *err, size_t errsz)
{
	struct apk_keyring empty;
	struct written key;
	uint32_t *uids;
	size_t nu, i;
	enum apk_err rc;

	if ((rc = apk_mirror_uids(m->fleetfd, &uids, &nu)) != APK_OK) {
		snprintf(err, errsz, "cannot list the mirror: %s", apk_strerror(rc));
		return -1;
	}
	apk_keyring_init(&empty);
	for (i = 0; i < nu && rc == APK_OK; i++) {
		key.uid = uids[i];
		if (n > 0 && bsearch(&key, w, n, sizeof(key), cmp_written) != NULL)
			continue;
		if ((rc = apk_mirror_put(m->fleetfd, uids[i], &empty)) == APK_OK)
			(*written)++;
		else
			snprintf(err, errsz, "cannot remove the mirror of uid %lu: %s",
				 (unsigned long)uids[i], apk_strerror(rc));
	}
	free(uids);
	return rc == APK_OK ? 0 : -1;
}

int mirror_apply_flush(struct mirror_apply *m, int64_t now, struct mirror_counts *c, char *err,
		       size_t errsz)
{
	struct ent **owners = NULL, **keys = NULL, *e;
	struct written *w = NULL;
	size_t no = 0, nk = 0, nw = 0, i, j, k;
	int r = -1;

	memset(c, 0, sizeof(*c));
	owners = calloc(m->live + 1, sizeof(*owners));
	keys = calloc(m->live + 1, sizeof(*keys));
	w = calloc(m->live + 1, sizeof(*w));
	if (owners == NULL || keys == NULL || w == NULL) {
		snprintf(err, errsz, "out of memory writing the mirror");
		goto out;
	}
	for (i = 0; i < m->cap; i++) {
		if ((e = m->slot[i]) == NULL || e == TOMB)
			continue;
		if (e->kind == ENT_OWNER)
			owners[no++] = e;
		else if (e->kind == ENT_KEY)
			keys[nk++] = e;
	}
	qsort(owners, no, sizeof(*owners), cmp_owner);
	/* each key's account; the ones that have one first, sorted */
	for (i = 0, j = 0; i < nk; i++) {
		e = keys[i];
		e->owner = NULL;
		e->uid = APK_UID_INVALID;
		e->skip = e->rec == NULL ? SKIP_MALFORMED : resolve(m, e, owners, no);
		if (e->skip == SKIP_NONE) {
			keys[i] = keys[j];
			keys[j++] = e;
		}
	}
	qsort(keys, j, sizeof(*keys), cmp_key);
	/* the same id twice in one account: every one of them skipped */
	for (i = 0; i < j; i = k) {
		for (k = i + 1; k < j && keys[k]->uid == keys[i]->uid &&
				strcmp(keys[k]->rec->id, keys[i]->rec->id) == 0;
		     k++)
			;
		if (k - i > 1)
			while (i < k)
				keys[i++]->skip = SKIP_DUPLICATE;
	}
	for (i = 0; i < nk; i++) {
		if (keys[i]->skip != keys[i]->logged)
			log_skip(keys[i]);
		keys[i]->logged = keys[i]->skip;
		if (keys[i]->skip != SKIP_NONE)
			c->skipped++;
	}
	/* each account's keys, in id order, its file when they changed */
	for (i = 0; i < j; i = k) {
		while (i < j && keys[i]->skip != SKIP_NONE)
			i++;
		if (i == j)
			break;
		for (k = i, nk = 0; k < j && keys[k]->uid == keys[i]->uid; k++)
			if (keys[k]->skip == SKIP_NONE)
				keys[i + nk++] = keys[k];
		if (nk > APK_MAX_INDEX_IDS) {
			while (nk > APK_MAX_INDEX_IDS) {
				keys[i + --nk]->skip = SKIP_TOO_MANY;
				if (keys[i + nk]->logged != SKIP_TOO_MANY)
					log_skip(keys[i + nk]);
				keys[i + nk]->logged = SKIP_TOO_MANY;
				c->skipped++;
			}
		}
		if (put_account(m, keys + i, nk, &w[nw], &c->written, err, errsz) != 0)
			goto out;
		nw++;
		c->keys += nk;
	}
	c->accounts = nw;
	if (remove_gone(m, w, nw, &c->written, err, errsz) != 0)
		goto out;
	if (apk_mirror_sync(m->fleetfd) != APK_OK) {
		snprintf(err, errsz, "cannot make the mirror durable (syncfs)");
		goto out;
	}
	/* only now: the state says in sync about data that is on disk */
	if (mirror_apply_touch(m, now, err, errsz) != 0)
		goto out;
	free(m->done);
	m->done = w;
	m->ndone = nw;
	w = NULL;
	m->all = false;
	m->dirty = false;
	r = 0;
out:
	if (r != 0)
		m->all = true; /* unknown what reached the disk: write all next time */
	free(owners);
	free(keys);
	free(w);
	return r;
}

int mirror_apply_touch(struct mirror_apply *m, int64_t now, char *err, size_t errsz)
{
	enum apk_err rc;

	m->st.synced = now;
	if ((rc = apk_mirror_state_write(m->fleetfd, &m->st)) != APK_OK) {
		snprintf(err, errsz, "cannot write the mirror's state: %s", apk_strerror(rc));
		return -1;
	}
	return 0;
}
