/* pam_conv.c - the conversation function of the tests, fuzz targets and
 * benchmark: every prompt answered with one response, every PAM_TEXT_INFO
 * message kept */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pam_conv.h"

int harness_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct conv_script *cs = data;
	struct pam_response *r;
	int i;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_TEXT_INFO) {
			size_t used = strnlen(cs->info, sizeof(cs->info));

			snprintf(cs->info + used, sizeof(cs->info) - used, "%s\n", msg[i]->msg);
		}
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF && msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		cs->prompts++;
		snprintf(cs->last_prompt, sizeof(cs->last_prompt), "%s", msg[i]->msg);
		if (cs->response == NULL || (r[i].resp = strdup(cs->response)) == NULL) {
			while (i-- > 0)
				free(r[i].resp);
			free(r);
			return PAM_CONV_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}
