/* pam_conv.h - the conversation function of the tests, fuzz targets and
 * benchmark: every prompt answered with one response, every PAM_TEXT_INFO
 * message kept */
#ifndef APK_PAM_CONV_H
#define APK_PAM_CONV_H

#include <security/pam_appl.h>

/* What the conversation answers and what it saw. */
struct conv_script {
	const char *response; /* answer to every prompt (NULL: fail the conversation) */
	int prompts;          /* how many prompts were asked */
	char last_prompt[256];
	char info[512];       /* the PAM_TEXT_INFO messages, each ending in a newline */
};

/* The conversation function (appdata: a struct conv_script). */
int harness_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data);

#endif
