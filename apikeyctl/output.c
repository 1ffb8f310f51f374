/* output.c - printing keys; nothing read from the database reaches the terminal raw */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "validate.h"

void format_utc(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "@%" PRId64, t);
}

void print_table(FILE *fp, const struct apk_record *recs, size_t n)
{
	char name[APK_NAME_MAX * 4 + 1], desc[APK_DESC_MAX_BYTES * 4 + 1], when[32];
	size_t i;

	if (n == 0) {
		fprintf(fp, "No API keys.\n");
		return;
	}
	fprintf(fp, "%-24s %-12s %-20s %s\n", "NAME", "ID", "CREATED", "DESCRIPTION");
	for (i = 0; i < n; i++) {
		format_utc(recs[i].created, when);
		fprintf(fp, "%-24s %-12s %-20s %s\n", apk_escape(recs[i].name, name, sizeof(name)),
			recs[i].id, when, apk_escape(recs[i].description, desc, sizeof(desc)));
	}
}

/* A JSON string: quotes, backslash and every control character escaped;
 * the rest is validated UTF-8 already (records are checked on decode). */
static void json_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

void print_json(FILE *fp, const struct apk_record *recs, size_t n)
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
		fprintf(fp, ", \"uid\": %" PRIu32 "}", recs[i].uid);
	}
	fprintf(fp, "%s]\n", n ? "\n" : "");
}
