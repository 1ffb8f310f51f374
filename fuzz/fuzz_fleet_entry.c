/* fuzz_fleet_entry.c - fleet_entry_decode: a directory entry as a server
 * could send it to apikeyctl --fleet
 *
 * Input: attributes as lines "NAME\tVALUE" (VALUE may hold any byte but a
 * newline; a line without a tab is a value of the previous attribute
 * name). Properties:
 *  - accepted: a record whose id, name, description and times are valid,
 *    restrictions canonical; it encodes again (fleet_entry_encode) and that
 *    encoding decodes to the same record and digest;
 *  - refused: record and digest all zero, one printable line of reason;
 *  - the same input gives the same answer.
 */
#include "fleet_entry.h"
#include "fuzz.h"
#include "restrict.h"
#include "validate.h"
#include "when.h"

#define MAX_IN 16384

static struct fleet_entry in, again;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The input's lines into e; 0 when it does not fit (not a property). */
static int build(const uint8_t *data, size_t size, struct fleet_entry *e)
{
	char name[128] = "objectClass";
	const uint8_t *p = data, *end = data + size, *nl, *tab;
	size_t n;

	memset(e, 0, sizeof(*e));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		tab = memchr(p, '\t', (size_t)(nl - p));
		if (tab != NULL) {
			n = (size_t)(tab - p) < sizeof(name) - 1 ? (size_t)(tab - p) : sizeof(name) - 1;
			memcpy(name, p, n);
			name[n] = '\0';
			p = tab + 1;
		}
		if (fleet_entry_add(e, name, (const char *)p, (size_t)(nl - p)) != APK_OK)
			return 0;
		p = nl + 1;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apk_record r, r2;
	struct apk_fleet_digest d, d2;
	char why[256], why2[256];
	enum apk_err err, err2;
	size_t k;

	if (size > MAX_IN || !build(data, size, &in))
		return 0;
	memset(why, 0, sizeof(why));
	err = fleet_entry_decode(&in, &r, &d, why, sizeof(why));
	err2 = fleet_entry_decode(&in, &r2, &d2, why2, sizeof(why2));
	FUZZ_CHECK(err == err2, "the same input, the same answer");
	if (err != APK_OK) {
		FUZZ_CHECK(err == APK_ERR_CORRUPT, "a refusal is APK_ERR_CORRUPT");
		FUZZ_CHECK(fuzz_all_zero(&r, sizeof(r)) && fuzz_all_zero(&d, sizeof(d)),
			   "a refused entry leaves nothing behind");
		fuzz_check_message(why, sizeof(why));
		return 0;
	}
	FUZZ_CHECK(apk_id_valid(r.id) && apk_name_valid(r.name) &&
		   apk_desc_stored_valid(r.description), "the texts are valid");
	FUZZ_CHECK(r.created > 0 && r.created <= APK_WHEN_LAST && r.expires >= 0 &&
		   r.expires <= APK_WHEN_LAST, "the times are in range");
	for (k = 0; k < APK_RESTRICTIONS; k++)
		FUZZ_CHECK(apk_restrictions[k].canonical(&r), "the restrictions are canonical");
	FUZZ_CHECK(fleet_entry_encode(&r, &d, &again) == APK_OK, "an accepted entry encodes");
	/* the encoding's strings point into again's own store: copy it over */
	memcpy(&in, &again, sizeof(in));
	for (k = 0; k < in.n; k++) {
		size_t j;

		in.attr[k].name = in.store + (again.attr[k].name - again.store);
		for (j = 0; j < in.attr[k].n; j++)
			in.attr[k].val[j] = in.store + (again.attr[k].val[j] - again.store);
	}
	FUZZ_CHECK(fleet_entry_decode(&in, &r2, &d2, why2, sizeof(why2)) == APK_OK,
		   "its encoding decodes");
	FUZZ_CHECK(memcmp(&r, &r2, sizeof(r)) == 0 && memcmp(&d, &d2, sizeof(d)) == 0,
		   "to the same record and digest");
	return 0;
}
