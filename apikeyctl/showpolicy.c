/* showpolicy.c - `apikeyctl policy`: the administrator's limits on keys, read
 * only, for people and (--json) for programs such as the Cockpit page */
#include <stdio.h>

#include "change.h"
#include "commands.h"
#include "output.h"

static void print_policy_json(FILE *fp, const struct apk_conf *p)
{
	size_t i;

	fprintf(fp, "{\"max_keys\": %u, \"max_lifetime\": ", p->max_keys);
	if (p->max_lifetime != 0)
		fprintf(fp, "%u", p->max_lifetime);
	else
		fputs("null", fp);
	fputs(", \"default_lifetime\": ", fp);
	if (p->default_lifetime != 0)
		fprintf(fp, "%u", p->default_lifetime);
	else
		fputs("null", fp);
	fputs(", \"services\": [", fp);
	for (i = 0; i < p->services.n; i++) {
		fputs(i ? ", " : "", fp);
		json_string(fp, p->services.name[i]);
	}
	fputs("]}\n", fp);
}

static void print_policy_text(FILE *fp, const struct apk_conf *p)
{
	char services[APK_SERVICES_TEXT_MAX + 1];

	fprintf(fp, "max_keys          %u\n", p->max_keys);
	if (p->max_lifetime != 0)
		fprintf(fp, "max_lifetime      %u days\n", p->max_lifetime);
	else
		fprintf(fp, "max_lifetime      none\n");
	if (p->default_lifetime != 0)
		fprintf(fp, "default_lifetime  %u days\n", p->default_lifetime);
	else
		fprintf(fp, "default_lifetime  never\n");
	fprintf(fp, "services          %s\n",
		p->services.n ? apk_services_text(&p->services, services, sizeof(services)) : "all");
}

int cmd_policy(const struct session *s, const struct apk_args *a)
{
	if (s->policy_error != NULL)
		return fail(EXIT_FAIL, "the policy is unusable: %s", s->policy_error);
	if (a->json)
		print_policy_json(stdout, &s->policy);
	else
		print_policy_text(stdout, &s->policy);
	return fflush(stdout) == 0 ? EXIT_OK : fail(EXIT_FAIL, "write error");
}
