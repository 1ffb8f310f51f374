/* output.c - printing keys; nothing read from the database reaches the terminal raw */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "restrict.h"
#include "validate.h"
#include "when.h"

void format_utc(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "@%" PRId64, t);
}

/* Text recorded by a login, shown as it is when it is printable ASCII;
 * any other byte becomes '?'. NULL or "" is dash. */
static const char *plain(const char *s, char *out, size_t outsz)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return "-";
	for (i = 0; s[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
	return out;
}

/* Where a key comes from, as the list's SOURCE column and "source" say. */
static const char *source_of(const struct apk_record *r)
{
	return r->kind == APK_DIGEST_DIRECTORY ? "directory" : "local";
}

/* One key's columns as text. */
struct row {
	char name[APK_NAME_MAX * 4 + 1];
	char when[32];
	char status[32];
	char used[32 + 2 * 256];
	char restrictions[APK_RESTRICTIONS][APK_RESTRICTION_TEXT_MAX + 1];
	char desc[APK_DESC_MAX_BYTES * 4 + 1];
};

static void status_text(const struct apk_record *r, int64_t now, char *out, size_t outsz)
{
	char when[APK_TIME_ISO_LEN + 1];

	if (r->disabled)
		snprintf(out, outsz, "disabled");
	else if (r->expires != 0 && now >= r->expires)
		snprintf(out, outsz, "expired");
	else if (r->expires != 0)
		snprintf(out, outsz, "expires %.10s", apk_time_iso(r->expires, when, sizeof(when)));
	else
		snprintf(out, outsz, "active");
}

static void row_fields(const struct apk_record *r, const struct last_use *u, int64_t now,
		       struct row *w)
{
	const struct apk_restriction *k;
	char svc[128], host[256];
	size_t i;

	apk_escape(r->name, w->name, sizeof(w->name));
	format_utc(r->created, w->when);
	status_text(r, now, w->status, sizeof(w->status));
	if (u != NULL && u->used) {
		char t[32];

		format_utc(u->time, t);
		snprintf(w->used, sizeof(w->used), "%s %s %s", t, plain(u->service, svc, sizeof(svc)),
			 plain(u->rhost, host, sizeof(host)));
	} else {
		snprintf(w->used, sizeof(w->used), "never");
	}
	for (i = 0; i < APK_RESTRICTIONS; i++) {
		k = &apk_restrictions[i];
		if (k->count(r) > 0)
			apk_restriction_text(k, r, w->restrictions[i], sizeof(w->restrictions[i]));
		else
			snprintf(w->restrictions[i], sizeof(w->restrictions[i]), "%s", k->unlimited);
	}
	apk_escape(r->description, w->desc, sizeof(w->desc));
}

static int widest(int w, const char *s)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

void print_table(FILE *fp, const struct apk_record *recs, const struct last_use *used, size_t n,
		 int64_t now)
{
	static struct row w;
	char title[APK_RESTRICTIONS][32];
	int ws = (int)strlen("STATUS"), wu = (int)strlen("LAST USED"), wr[APK_RESTRICTIONS];
	bool shown[APK_RESTRICTIONS] = { false }, sources;
	size_t i, k;

	if (n == 0) {
		fprintf(fp, "No API keys.\n");
		return;
	}
	for (k = 0; k < APK_RESTRICTIONS; k++) { /* a restriction's column: its name in capitals */
		for (i = 0; apk_restrictions[k].name[i] != '\0' && i + 1 < sizeof(title[k]); i++)
			title[k][i] = (char)(apk_restrictions[k].name[i] - 'a' + 'A');
		title[k][i] = '\0';
		wr[k] = (int)strlen(title[k]);
	}
	for (i = 0; i < n; i++) {
		row_fields(&recs[i], used != NULL ? &used[i] : NULL, now, &w);
		ws = widest(ws, w.status);
		wu = widest(wu, w.used);
		for (k = 0; k < APK_RESTRICTIONS; k++) {
			wr[k] = widest(wr[k], w.restrictions[k]);
			shown[k] |= apk_restrictions[k].count(&recs[i]) > 0;
		}
	}
	/* SOURCE only when both kinds are listed */
	for (i = 1, sources = false; i < n; i++)
		sources |= recs[i].kind != recs[0].kind;
	fprintf(fp, "%-24s %-12s %-20s %-*s ", "NAME", "ID", "CREATED", ws, "STATUS");
	if (sources)
		fprintf(fp, "%-9s ", "SOURCE");
	fprintf(fp, "%-*s ", wu, "LAST USED");
	for (k = 0; k < APK_RESTRICTIONS; k++)
		if (shown[k])
			fprintf(fp, "%-*s ", wr[k], title[k]);
	fprintf(fp, "%s\n", "DESCRIPTION");
	for (i = 0; i < n; i++) {
		row_fields(&recs[i], used != NULL ? &used[i] : NULL, now, &w);
		fprintf(fp, "%-24s %-12s %-20s %-*s ", w.name, recs[i].id, w.when, ws, w.status);
		if (sources)
			fprintf(fp, "%-9s ", source_of(&recs[i]));
		fprintf(fp, "%-*s ", wu, w.used);
		for (k = 0; k < APK_RESTRICTIONS; k++)
			if (shown[k])
				fprintf(fp, "%-*s ", wr[k], w.restrictions[k]);
		fprintf(fp, "%s\n", w.desc);
	}
}

/* A JSON string: quotes and backslash escaped, and every character that
 * apk_escape escapes (controls, bidi and invisible characters, as in a
 * description 0.2.0 stored) as \uXXXX: the same text for a JSON reader,
 * nothing invisible on a terminal. Records are well-formed UTF-8 (checked
 * on decode); a stray byte would show as U+FFFD. */
void json_string(FILE *fp, const char *s)
{
	uint32_t c;
	size_t n;

	fputc('"', fp);
	for (; *s != '\0'; s += n) {
		n = apk_utf8_char(s, &c);
		if (n == 0) {
			fputs("\\ufffd", fp);
			n = 1;
		} else if (c == '"' || c == '\\') {
			fprintf(fp, "\\%c", (int)c);
		} else if (apk_char_hidden(c) && c > 0xFFFF) {
			c -= 0x10000; /* a surrogate pair */
			fprintf(fp, "\\u%04x\\u%04x", (unsigned)(0xD800 + (c >> 10)),
				(unsigned)(0xDC00 + (c & 0x3FF)));
		} else if (apk_char_hidden(c)) {
			fprintf(fp, "\\u%04x", (unsigned)c);
		} else {
			fwrite(s, 1, n, fp);
		}
	}
	fputc('"', fp);
}

/* A recorded text as a JSON string (printable ASCII, see plain), or null. */
static void json_recorded(FILE *fp, const char *s)
{
	char buf[256];

	if (s == NULL || s[0] == '\0')
		fputs("null", fp);
	else
		json_string(fp, plain(s, buf, sizeof(buf)));
}

static void json_lifecycle(FILE *fp, const struct apk_record *r, const struct last_use *u)
{
	char when[32], item[APK_RESTRICTION_TEXT_MAX + 1];
	const struct apk_restriction *k;
	size_t i;

	fprintf(fp, ", \"expires\": ");
	if (r->expires != 0) {
		format_utc(r->expires, when);
		fprintf(fp, "\"%s\"", when);
	} else {
		fputs("null", fp);
	}
	for (k = apk_restrictions; k < apk_restrictions + APK_RESTRICTIONS; k++) {
		fprintf(fp, ", \"%s\": [", k->name);
		for (i = 0; i < k->count(r); i++) {
			fputs(i ? ", " : "", fp);
			json_string(fp, k->item(r, i, item, sizeof(item)));
		}
		fputc(']', fp);
	}
	fprintf(fp, ", \"disabled\": %s, \"last_used\": ", r->disabled ? "true" : "false");
	if (u == NULL || !u->used) {
		fputs("null", fp);
		return;
	}
	format_utc(u->time, when);
	fprintf(fp, "{\"time\": \"%s\", \"service\": ", when);
	json_recorded(fp, u->service);
	fprintf(fp, ", \"rhost\": ");
	json_recorded(fp, u->rhost);
	fputc('}', fp);
}

void print_json(FILE *fp, const struct apk_record *recs, const struct last_use *used, size_t n)
{
	char when[32];
	size_t i;

	fputc('[', fp);
	for (i = 0; i < n; i++) {
		format_utc(recs[i].created, when);
		fprintf(fp, "%s\n  {\"name\": ", i ? "," : "");
		json_string(fp, recs[i].name);
		fprintf(fp, ", \"id\": ");
		json_string(fp, recs[i].id);
		fprintf(fp, ", \"description\": ");
		json_string(fp, recs[i].description);
		fprintf(fp, ", \"created\": \"%s\", \"owner\": ", when);
		json_string(fp, recs[i].owner);
		fprintf(fp, ", \"uid\": %" PRIu32 ", \"source\": \"%s\"", recs[i].uid,
			source_of(&recs[i]));
		json_lifecycle(fp, &recs[i], used != NULL ? &used[i] : NULL);
		fputc('}', fp);
	}
	fprintf(fp, "%s]\n", n ? "\n" : "");
}
