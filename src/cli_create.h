/* SPDX-License-Identifier: MIT */
/*
 * cli_create.h - the `zipscan create` command (cli_create.c), called by
 * the command's main (cli.c), and what the two share.
 */
#ifndef ZS_CLI_CREATE_H
#define ZS_CLI_CREATE_H

#include <stdint.h>

/* argv[0] is "create"; returns the exit status. */
int zs_cli_create(int argc, char **argv);
/* cli.c: "256M", "1G", "65536": bytes, with binary suffixes. */
int parse_size(const char *s, uint64_t *out);

#endif
