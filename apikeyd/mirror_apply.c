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

struct acct;
struct group;

/* One entry. A key keeps its record encoded (apk_record_encode, uid 0 and
 * owner PLACEHOLDER until it is written): a few hundred bytes, not the 4 KB
 * of a decoded struct apk_record. */
struct ent {
	unsigned char uuid[MIRROR_UUID_LEN];
	unsigned char kind; /* enum ent_kind */
	bool marked;
	unsigned char skip, logged; /* a key: enum skip, this flush's and the one last logged */
	struct acct *acct;          /* a key: its parent's; an owner: its own DN's */
	struct ent *next;           /* a key: the parent's list */
	int64_t uidnumber;          /* an owner: -1 when none or not a number */
	unsigned char *enc;         /* a key: its record (in data); NULL: malformed */
	uint16_t enclen;
	char id[APK_ID_LEN + 1];
	char data[];                /* a key: its first RDN as sent (the log), "" when it
				     * is apiKeyId=ID; then its record */
};

/* A parent DN: where keys live and an owner entry may be. */
struct acct {
	struct acct *hnext;  /* the table's chain (by dn, ASCII case ignored) */
	struct ent *owner;   /* the posixAccount entry here, or NULL */
	struct ent *keys;    /* the key entries under it */
	size_t nkeys;
	struct group *grp;   /* the local account its keys go to, or NULL */
	unsigned gen;        /* the generation its local account was looked up at */
	enum skip verdict;   /* that look-up's answer (SKIP_NONE, _UNKNOWN, _UID) */
	uint32_t local_uid;  /* (its name: the NAME of uid=NAME, as NSS said) */
	bool dirty;
	struct acct *dnext;  /* the dirty list */
	char dn[];           /* as first sent */
};

/* A local account: one mirror file, the keys of every parent mapped to it. */
struct group {
	uint32_t uid;
	struct group *hnext;
	struct acct **accts; /* &one, or more of them */
	struct acct *one;
	size_t n, cap;
	bool written;              /* its file is ours, holding hash's keys */
	unsigned char hash[16];
	size_t mirrored;           /* keys in that file */
	bool dirty;
	struct group *dnext;
};

struct table { /* chained, by a hash of the key */
	void **b;
	size_t cap, n;
};

struct mirror_apply {
	int fleetfd;
	struct apk_mirror_state st;
	struct ent **slot; /* open addressing by uuid; TOMB: deleted */
	size_t cap, used, live;
	struct table accts, groups;
	struct acct *dirty_accts;
	struct group *dirty_groups;
	bool dirty;
	bool all;  /* the next flush writes every account file and removes the others */
	bool scan; /* ... looks at every parent again and removes unknown files */
	unsigned gen, seen_gen; /* NSS answers older than gen are asked again (from 1) */
	size_t nkeys, mirrored, accounts; /* key entries; keys and files mirrored */
	struct ent **v; /* a group's keys while it is written */
	size_t vcap;
};

#define PLACEHOLDER "x"

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

static unsigned char lower(char c)
{
	return (unsigned char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* DNs compared and hashed with ASCII letters folded (as LDAP's uid, ou
 * and dc compare) */
static size_t dn_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++)
		h = (h ^ lower(*s)) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static int dn_cmp(const char *a, const char *b)
{
	for (; *a != '\0' && lower(*a) == lower(*b); a++, b++)
		;
	return (int)lower(*a) - (int)lower(*b);
}

static size_t uid_hash(uint32_t uid)
{
	uint64_t h = (uint64_t)uid * 0x9E3779B97F4A7C15ull;

	return (size_t)(h ^ (h >> 31));
}

/* ---- the parents and the local accounts ---------------------------------- */

static int table_init(struct table *t)
{
	t->cap = 1024;
	t->n = 0;
	return (t->b = calloc(t->cap, sizeof(*t->b))) != NULL ? 0 : -1;
}

static struct acct **acct_slot(struct mirror_apply *m, const char *dn)
{
	struct acct **p = (struct acct **)&m->accts.b[dn_hash(dn) & (m->accts.cap - 1)];

	while (*p != NULL && dn_cmp((*p)->dn, dn) != 0)
		p = &(*p)->hnext;
	return p;
}

static struct group **group_slot(struct mirror_apply *m, uint32_t uid)
{
	struct group **p = (struct group **)&m->groups.b[uid_hash(uid) & (m->groups.cap - 1)];

	while (*p != NULL && (*p)->uid != uid)
		p = &(*p)->hnext;
	return p;
}

/* Doubles a chained table when it holds more than its size. */
static void acct_grow(struct mirror_apply *m)
{
	struct table *t = &m->accts;
	void **b;
	struct acct *a, *next;
	size_t i, cap = t->cap * 2;

	if (t->n <= t->cap || (b = calloc(cap, sizeof(*b))) == NULL)
		return; /* (a longer chain is slower, not wrong) */
	for (i = 0; i < t->cap; i++)
		for (a = t->b[i]; a != NULL; a = next) {
			next = a->hnext;
			a->hnext = b[dn_hash(a->dn) & (cap - 1)];
			b[dn_hash(a->dn) & (cap - 1)] = a;
		}
	free(t->b);
	t->b = b;
	t->cap = cap;
}

static void group_grow(struct mirror_apply *m)
{
	struct table *t = &m->groups;
	void **b;
	struct group *g, *next;
	size_t i, cap = t->cap * 2;

	if (t->n <= t->cap || (b = calloc(cap, sizeof(*b))) == NULL)
		return;
	for (i = 0; i < t->cap; i++)
		for (g = t->b[i]; g != NULL; g = next) {
			next = g->hnext;
			g->hnext = b[uid_hash(g->uid) & (cap - 1)];
			b[uid_hash(g->uid) & (cap - 1)] = g;
		}
	free(t->b);
	t->b = b;
	t->cap = cap;
}

static void acct_dirty(struct mirror_apply *m, struct acct *a)
{
	m->dirty = true;
	if (a->dirty)
		return;
	a->dirty = true;
	a->dnext = m->dirty_accts;
	m->dirty_accts = a;
}

static void group_dirty(struct mirror_apply *m, struct group *g)
{
	if (g->dirty)
		return;
	g->dirty = true;
	g->dnext = m->dirty_groups;
	m->dirty_groups = g;
}

/* The parent dn, made when missing. NULL: no memory. */
static struct acct *acct_get(struct mirror_apply *m, const char *dn)
{
	struct acct **p = acct_slot(m, dn), *a;
	size_t len = strlen(dn);

	if (*p != NULL)
		return *p;
	if ((a = calloc(1, sizeof(*a) + len + 1)) == NULL)
		return NULL;
	memcpy(a->dn, dn, len + 1);
	*p = a;
	m->accts.n++;
	acct_grow(m);
	return a;
}

static void acct_free_if_unused(struct mirror_apply *m, struct acct *a)
{
	struct acct **p;

	if (a->owner != NULL || a->keys != NULL || a->grp != NULL || a->dirty)
		return;
	p = acct_slot(m, a->dn);
	*p = a->hnext;
	m->accts.n--;
	free(a);
}

static struct group *group_get(struct mirror_apply *m, uint32_t uid)
{
	struct group **p = group_slot(m, uid), *g;

	if (*p != NULL)
		return *p;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->uid = uid;
	*p = g;
	m->groups.n++;
	group_grow(m);
	return g;
}

static int group_add(struct group *g, struct acct *a)
{
	struct acct **bigger;

	if (g->cap == 0) {
		g->accts = &g->one;
		g->cap = 1;
	} else if (g->n == g->cap) {
		if ((bigger = malloc(g->cap * 2 * sizeof(*bigger))) == NULL)
			return -1;
		memcpy(bigger, g->accts, g->n * sizeof(*bigger));
		if (g->accts != &g->one)
			free(g->accts);
		g->accts = bigger;
		g->cap *= 2;
	}
	g->accts[g->n++] = a;
	return 0;
}

static void group_remove(struct group *g, const struct acct *a)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->accts[i] == a) {
			g->accts[i] = g->accts[--g->n];
			return;
		}
}

static void group_free_if_unused(struct mirror_apply *m, struct group *g)
{
	struct group **p;

	if (g->n > 0 || g->written || g->dirty)
		return;
	p = group_slot(m, g->uid);
	*p = g->hnext;
	m->groups.n--;
	if (g->accts != &g->one)
		free(g->accts);
	free(g);
}

/* ---- the entries ------------------------------------------------------------ */

static void ent_free(struct ent *e)
{
	if (e->enc != NULL)
		sodium_memzero(e->enc, e->enclen);
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
	m->all = m->scan = true;
	m->gen = 1;
	if ((m->slot = calloc(m->cap, sizeof(*m->slot))) == NULL || table_init(&m->accts) != 0 ||
	    table_init(&m->groups) != 0) {
		free(m->slot);
		free(m->accts.b);
		free(m);
		return NULL;
	}
	return m;
}

void mirror_apply_free(struct mirror_apply *m)
{
	struct acct *a, *an;
	struct group *g, *gn;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->cap; i++)
		if (m->slot[i] != NULL && m->slot[i] != TOMB)
			ent_free(m->slot[i]);
	for (i = 0; i < m->accts.cap; i++)
		for (a = m->accts.b[i]; a != NULL; a = an) {
			an = a->hnext;
			free(a);
		}
	for (i = 0; i < m->groups.cap; i++)
		for (g = m->groups.b[i]; g != NULL; g = gn) {
			gn = g->hnext;
			if (g->accts != &g->one)
				free(g->accts);
			free(g);
		}
	free(m->accts.b);
	free(m->groups.b);
	free(m->slot);
	free(m->v);
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

/* e joins its parent a (a key) or becomes a's owner entry. */
static void attach(struct mirror_apply *m, struct ent *e, struct acct *a)
{
	e->acct = a;
	if (e->kind == ENT_KEY) {
		e->next = a->keys;
		a->keys = e;
		a->nkeys++;
		m->nkeys++;
	} else {
		a->owner = e;
		a->gen = 0; /* a new uidNumber, maybe: look the account up again */
	}
	acct_dirty(m, a);
}

/* e leaves its parent (which the next flush writes again). */
static void detach(struct mirror_apply *m, struct ent *e)
{
	struct acct *a = e->acct;

	if (a == NULL)
		return;
	if (e->kind == ENT_KEY) {
		struct ent **p = &a->keys;

		while (*p != e) /* (an account has a few keys) */
			p = &(*p)->next;
		*p = e->next;
		a->nkeys--;
		m->nkeys--;
	} else if (a->owner == e) {
		a->owner = NULL;
		a->gen = 0;
	}
	e->acct = NULL;
	acct_dirty(m, a);
}

static void remove_slot(struct mirror_apply *m, struct ent **s)
{
	detach(m, *s);
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
	/* accounts may have come or gone here since: look again at all, and
	 * at the files (one may be left by an earlier process) */
	m->scan = true;
	m->gen++;
	m->dirty = true;
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

/* A key's DN again, from its RDN and its parent's. */
static const char *key_dn(const struct ent *k, char *buf, size_t bufsz)
{
	char rdn[FLEET_DN_MAX];

	if (k->data[0] != '\0')
		snprintf(rdn, sizeof(rdn), "%s", k->data);
	else
		snprintf(rdn, sizeof(rdn), "apiKeyId=%s", k->id);
	if (k->acct == NULL || k->acct->dn[0] == '\0')
		snprintf(buf, bufsz, "%s", rdn);
	else
		snprintf(buf, bufsz, "%s,%s", rdn, k->acct->dn);
	return buf;
}

/* The key entry e (dn, its first RDN rdnlen bytes) as kept: its record
 * decoded and encoded (uid 0, owner PLACEHOLDER) after its RDN, in one
 * allocation. A malformed one is kept without a record, its DN logged
 * with the reason. NULL: out of memory. */
static struct ent *key_ent(const char *dn, size_t rdnlen, const struct fleet_entry *e)
{
	static struct apk_record r;
	static unsigned char buf[APK_RECORD_MAX];
	struct apk_fleet_digest d;
	struct ent *n;
	char why[256];
	size_t len = 0, keep;
	bool ok = false;

	memset(&r, 0, sizeof(r));
	if (strlen(dn) >= FLEET_DN_MAX) {
		snprintf(why, sizeof(why), "its DN is too long");
	} else if (e->n == 0) {
		snprintf(why, sizeof(why), "too large");
	} else if (fleet_entry_decode(e, &r, &d, why, sizeof(why)) == APK_OK) {
		r.uid = 0;
		snprintf(r.owner, sizeof(r.owner), PLACEHOLDER);
		if (apk_record_encode(&r, buf, sizeof(buf), &len) != APK_OK || len > UINT16_MAX)
			snprintf(why, sizeof(why), "its record cannot be encoded");
		else
			ok = true;
	}
	if (!ok) {
		log_dn(LOG_WARNING, dn, why);
		len = 0;
	}
	/* the RDN apiKeyId=ID (as the schema names keys) is not kept twice */
	keep = ok && rdnlen == 9 + strlen(r.id) && strncmp(dn, "apiKeyId=", 9) == 0 &&
			       strncmp(dn + 9, r.id, strlen(r.id)) == 0
		       ? 0
		       : rdnlen;
	if ((n = calloc(1, sizeof(*n) + keep + 1 + len)) != NULL) {
		memcpy(n->data, dn, keep);
		if (ok) {
			n->enc = (unsigned char *)n->data + keep + 1;
			memcpy(n->enc, buf, len);
			n->enclen = (uint16_t)len;
			snprintf(n->id, sizeof(n->id), "%s", r.id);
		}
	}
	sodium_memzero(&d, sizeof(d));
	sodium_memzero(buf, len);
	sodium_memzero(&r, sizeof(r));
	return n;
}

void mirror_apply_entry(struct mirror_apply *m, const unsigned char uuid[MIRROR_UUID_LEN],
			const char *dn, const struct fleet_entry *e)
{
	struct ent **s = find(m, uuid), *n;
	struct acct *a = NULL;
	const char *parent;
	enum ent_kind kind = ENT_OTHER;
	unsigned char was = SKIP_NONE; /* what was logged of it: the same is not again */

	if (s != NULL) {
		was = (*s)->logged == SKIP_MALFORMED ? SKIP_NONE : (*s)->logged;
		remove_slot(m, s);
	}
	m->dirty = true;
	/* no attribute at all: a key too large to read (sync.c) */
	if (e->n == 0 || has_value(e, "objectClass", "pamApiKey")) {
		kind = ENT_KEY;
		parent = parent_of(dn);
		if ((a = acct_get(m, parent != NULL ? parent : "")) == NULL)
			goto nomem;
		n = key_ent(dn, parent != NULL ? (size_t)(parent - 1 - dn) : strlen(dn), e);
	} else {
		if (has_value(e, "objectClass", "posixAccount")) {
			kind = ENT_OWNER;
			if ((a = acct_get(m, dn)) == NULL)
				goto nomem;
		}
		n = calloc(1, sizeof(*n) + 1);
	}
	if (n == NULL)
		goto nomem;
	memcpy(n->uuid, uuid, MIRROR_UUID_LEN);
	n->kind = (unsigned char)kind;
	n->marked = true;
	n->uidnumber = kind == ENT_OWNER ? uid_number(e) : -1;
	n->skip = n->logged = kind == ENT_KEY && n->enc == NULL ? SKIP_MALFORMED : was;
	if (insert(m, n) != 0) {
		ent_free(n);
		goto nomem;
	}
	if (a != NULL)
		attach(m, n, a);
	return;
nomem:
	if (a != NULL)
		acct_free_if_unused(m, a);
	syslog(LOG_ERR, "out of memory keeping an entry: the next refresh starts over");
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

static void log_skip(const struct ent *k)
{
	char what[160], dn[2 * FLEET_DN_MAX + 2];

	key_dn(k, dn, sizeof(dn));
	switch (k->skip) {
	case SKIP_PARENT:
		log_dn(LOG_WARNING, dn, "its parent is not an account entry uid=NAME");
		break;
	case SKIP_NO_OWNER:
		log_dn(LOG_WARNING, dn, "its parent has no readable posixAccount uidNumber");
		break;
	case SKIP_UID:
		snprintf(what, sizeof(what), "the directory's uidNumber %lld is not the local uid %lu",
			 (long long)k->acct->owner->uidnumber, (unsigned long)k->acct->local_uid);
		log_dn(LOG_WARNING, dn, what);
		break;
	case SKIP_DUPLICATE:
		snprintf(what, sizeof(what), "another key of the account has the id %s", k->id);
		log_dn(LOG_WARNING, dn, what);
		break;
	case SKIP_TOO_MANY:
		snprintf(what, sizeof(what), "the account has more than %d keys", APK_MAX_INDEX_IDS);
		log_dn(LOG_WARNING, dn, what);
		break;
	default:
		break;
	}
}

static void set_skip(struct ent *k, enum skip s)
{
	k->skip = (unsigned char)s;
	if (k->skip != k->logged)
		log_skip(k);
	k->logged = k->skip;
}

/* The local account of the parent a: its owner entry's uidNumber must be
 * the uid NSS gives the name of a's RDN uid=NAME. */
static enum skip resolve(struct mirror_apply *m, struct acct *a)
{
	struct passwd pw, *res = NULL;
	char buf[4096], name[APK_USER_MAX + 1];
	const char *p = a->dn, *end;
	size_t len;

	if (strncasecmp(p, "uid=", 4) != 0)
		return SKIP_PARENT;
	p += 4;
	end = strchr(p, ',');
	len = end != NULL ? (size_t)(end - p) : strlen(p);
	if (len == 0 || len > APK_USER_MAX)
		return SKIP_PARENT;
	memcpy(name, p, len);
	name[len] = '\0';
	if (!apk_user_valid(name)) /* an escape, a '+', anything odd */
		return SKIP_PARENT;
	if (a->owner == NULL || a->owner->uidnumber < 0)
		return SKIP_NO_OWNER;
	/* once per parent, and again after its owner entry changed, a recheck
	 * or a full refresh: a change does not cost a look-up per account */
	if (a->gen != m->gen) {
		a->gen = m->gen;
		if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
		    strcmp(pw.pw_name, name) != 0) {
			a->verdict = SKIP_UNKNOWN;
		} else if ((int64_t)pw.pw_uid != a->owner->uidnumber) {
			a->verdict = SKIP_UID;
			a->local_uid = pw.pw_uid;
		} else {
			a->verdict = SKIP_NONE;
			a->local_uid = pw.pw_uid;
		}
	}
	return a->verdict;
}

/* The account name of a parent resolve looked up: NAME of its uid=NAME
 * (valid, as resolve checked), the local account's own when mapped. */
static const char *name_of(const struct acct *a, char out[APK_USER_MAX + 1])
{
	const char *p = a->dn + 4, *end = strchr(p, ',');
	size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

	if (len > APK_USER_MAX)
		len = 0;
	memcpy(out, p, len);
	out[len] = '\0';
	return out;
}

/* A dirty parent: its local account looked up, moved to that account's
 * group (both groups written), its keys' verdicts. -1: out of memory. */
static int settle(struct mirror_apply *m, struct acct *a)
{
	enum skip v = a->nkeys > 0 ? resolve(m, a) : SKIP_NONE;
	char name[APK_USER_MAX + 1], shown[4 * APK_USER_MAX + 1];
	struct group *g = NULL;
	struct ent *k;
	size_t n = 0;
	bool fresh = false;

	if (a->nkeys > 0 && v == SKIP_NONE && (g = group_get(m, a->local_uid)) == NULL)
		return -1;
	if (g != a->grp) {
		if (g != NULL && group_add(g, a) != 0) {
			group_free_if_unused(m, g);
			return -1;
		}
		if (a->grp != NULL) {
			group_remove(a->grp, a);
			group_dirty(m, a->grp);
		}
		a->grp = g;
	}
	if (g != NULL)
		group_dirty(m, g);
	for (k = a->keys; k != NULL; k = k->next)
		if (k->enc == NULL) {
			k->skip = SKIP_MALFORMED;
		} else if (v == SKIP_UNKNOWN) { /* counted: one line for the account */
			fresh = fresh || k->logged != SKIP_UNKNOWN;
			k->skip = k->logged = SKIP_UNKNOWN;
			n++;
		} else if (v != SKIP_NONE) {
			set_skip(k, v);
		}
	/* when one of its keys was not said to be skipped so (a full refresh
	 * sends them all again): 10,000 keys of one account are one line */
	if (fresh)
		syslog(LOG_NOTICE, "skipped %zu key%s of %s: no such account on this host", n,
		       n == 1 ? "" : "s", apk_escape(name_of(a, name), shown, sizeof(shown)));
	return 0;
}

static int cmp_key(const void *x, const void *y)
{
	const struct ent *a = *(struct ent *const *)x, *b = *(struct ent *const *)y;
	int c;

	if ((c = strcmp(a->id, b->id)) != 0)
		return c;
	if ((c = strcmp(a->data, b->data)) != 0)
		return c;
	return dn_cmp(a->acct->dn, b->acct->dn);
}

/* The group's keys (every parent's), sorted by id, into m->v: how many,
 * or -1 when out of memory. */
static long gather(struct mirror_apply *m, const struct group *g)
{
	struct ent **bigger, *k;
	size_t n = 0, i, want = 0;

	for (i = 0; i < g->n; i++)
		want += g->accts[i]->nkeys;
	if (want > m->vcap) {
		if ((bigger = realloc(m->v, want * sizeof(*bigger))) == NULL)
			return -1;
		m->v = bigger;
		m->vcap = want;
	}
	for (i = 0; i < g->n; i++)
		for (k = g->accts[i]->keys; k != NULL; k = k->next)
			if (k->enc != NULL)
				m->v[n++] = k;
	qsort(m->v, n, sizeof(*m->v), cmp_key);
	return (long)n;
}

/* One local account's file, from its keys as kept, when they changed since
 * it was last written (or every file: m->all). */
static int put_group(struct mirror_apply *m, struct group *g, size_t *written, char *err,
		     size_t errsz)
{
	crypto_generichash_state h;
	unsigned char hash[16], len[2];
	char name[APK_USER_MAX + 1];
	struct apk_keyring kr;
	struct apk_record *r = NULL;
	enum apk_err rc = APK_OK;
	long got = gather(m, g);
	size_t n, i, j, k, keep = 0;

	if (got < 0) {
		snprintf(err, errsz, "out of memory writing the mirror");
		return -1;
	}
	n = (size_t)got;
	/* the same id twice in one account: every one of them skipped; beyond
	 * APK_MAX_INDEX_IDS, the rest */
	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && strcmp(m->v[k]->id, m->v[i]->id) == 0; k++)
			;
		for (j = i; j < k; j++) {
			if (k - i > 1)
				set_skip(m->v[j], SKIP_DUPLICATE);
			else if (keep >= APK_MAX_INDEX_IDS)
				set_skip(m->v[j], SKIP_TOO_MANY);
			else {
				set_skip(m->v[j], SKIP_NONE);
				m->v[keep++] = m->v[j];
			}
		}
	}
	crypto_generichash_init(&h, NULL, 0, sizeof(hash));
	for (i = 0; i < keep; i++) {
		len[0] = (unsigned char)(m->v[i]->enclen >> 8);
		len[1] = (unsigned char)m->v[i]->enclen;
		crypto_generichash_update(&h, len, sizeof(len));
		crypto_generichash_update(&h, m->v[i]->enc, m->v[i]->enclen);
		name_of(m->v[i]->acct, name);
		crypto_generichash_update(&h, (const unsigned char *)name, strlen(name) + 1);
	}
	crypto_generichash_final(&h, hash, sizeof(hash));
	m->mirrored = m->mirrored - g->mirrored + keep;
	m->accounts = m->accounts - (g->mirrored > 0) + (keep > 0);
	g->mirrored = keep;
	if (keep == 0 ? !g->written
		      : !m->all && g->written && memcmp(g->hash, hash, sizeof(hash)) == 0)
		return 0; /* (a file this process did not write: remove_gone's) */
	apk_keyring_init(&kr);
	if (keep > 0 && (r = malloc(sizeof(*r))) == NULL)
		rc = APK_ERR_NOMEM;
	for (i = 0; i < keep && rc == APK_OK; i++) {
		if (apk_record_decode(m->v[i]->enc, m->v[i]->enclen, r) != APK_OK) {
			rc = APK_ERR_CORRUPT;
			break;
		}
		r->uid = g->uid;
		snprintf(r->owner, sizeof(r->owner), "%s", name_of(m->v[i]->acct, name));
		rc = apk_keyring_append(&kr, r);
	}
	if (r != NULL) {
		sodium_memzero(r, sizeof(*r));
		free(r);
	}
	/* written, or not ours any more: either way unknown until it worked */
	g->written = false;
	if (rc == APK_OK)
		rc = apk_mirror_put(m->fleetfd, g->uid, &kr);
	apk_keyring_free(&kr);
	if (rc != APK_OK) {
		snprintf(err, errsz, "cannot write the mirror of uid %lu: %s", (unsigned long)g->uid,
			 apk_strerror(rc));
		return -1;
	}
	g->written = keep > 0;
	memcpy(g->hash, hash, sizeof(hash));
	(*written)++;
	return 0;
}

/* Removes every account file this process did not write. */
static int remove_gone(struct mirror_apply *m, size_t *written, char *err, size_t errsz)
{
	struct apk_keyring empty;
	struct group *g;
	uint32_t *uids;
	size_t nu, i;
	enum apk_err rc;

	if ((rc = apk_mirror_uids(m->fleetfd, &uids, &nu)) != APK_OK) {
		snprintf(err, errsz, "cannot list the mirror: %s", apk_strerror(rc));
		return -1;
	}
	apk_keyring_init(&empty);
	for (i = 0; i < nu && rc == APK_OK; i++) {
		g = *group_slot(m, uids[i]);
		if (g != NULL && g->written)
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

/* Every parent to be looked at again (a recheck, a full refresh). */
static void all_dirty(struct mirror_apply *m)
{
	struct acct *a;
	size_t i;

	for (i = 0; i < m->accts.cap; i++)
		for (a = m->accts.b[i]; a != NULL; a = a->hnext)
			acct_dirty(m, a);
}

int mirror_apply_flush(struct mirror_apply *m, int64_t now, struct mirror_counts *c, char *err,
		       size_t errsz)
{
	struct acct *a;
	struct group *g;
	int r = -1;

	memset(c, 0, sizeof(*c));
	if (m->all || m->scan || m->gen != m->seen_gen)
		all_dirty(m);
	m->seen_gen = m->gen;
	/* each changed parent's local account; then each changed account's
	 * keys, in id order, its file when they changed: the work of a flush
	 * is that of what changed, not of the whole mirror */
	while ((a = m->dirty_accts) != NULL) {
		if (settle(m, a) != 0) {
			snprintf(err, errsz, "out of memory writing the mirror");
			goto out;
		}
		m->dirty_accts = a->dnext;
		a->dirty = false;
		acct_free_if_unused(m, a);
	}
	while ((g = m->dirty_groups) != NULL) {
		if (put_group(m, g, &c->written, err, errsz) != 0)
			goto out;
		m->dirty_groups = g->dnext;
		g->dirty = false;
		group_free_if_unused(m, g);
	}
	if ((m->all || m->scan) && remove_gone(m, &c->written, err, errsz) != 0)
		goto out;
	if (apk_mirror_sync(m->fleetfd) != APK_OK) {
		snprintf(err, errsz, "cannot make the mirror durable (syncfs)");
		goto out;
	}
	/* only now: the state says in sync about data that is on disk */
	if (mirror_apply_touch(m, now, err, errsz) != 0)
		goto out;
	m->all = m->scan = false;
	m->dirty = false;
	r = 0;
out:
	if (r != 0) /* unknown what reached the disk: write all next time */
		m->all = m->scan = true;
	c->keys = m->mirrored;
	c->accounts = m->accounts;
	c->skipped = m->nkeys - m->mirrored;
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
