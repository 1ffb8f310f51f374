/* usage.h - apikeyctl's --help, printed by apikeyctl and by apikeyctl-fleet
 * (apikeyctl --fleet --help) alike */
#ifndef APKCTL_USAGE_H
#define APKCTL_USAGE_H

/* The usage text on stdout. */
void usage(void);

#endif
