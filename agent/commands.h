/* SPDX-License-Identifier: GPL-2.0 */
/* Every `mice` subcommand, dispatched from main.c. */
#ifndef MICE_COMMANDS_H
#define MICE_COMMANDS_H

#include "cli.h"

int cmd_attach(int argc, char **argv, const struct cli_opts *opts);
int cmd_detach(int argc, char **argv, const struct cli_opts *opts);
int cmd_show(int argc, char **argv, const struct cli_opts *opts);
int cmd_monitor(int argc, char **argv, const struct cli_opts *opts);
int cmd_pair(int argc, char **argv, const struct cli_opts *opts);
int cmd_token(int argc, char **argv, const struct cli_opts *opts);
int cmd_gate(int argc, char **argv, const struct cli_opts *opts);
int cmd_daemon(int argc, char **argv, const struct cli_opts *opts);
int cmd_status(int argc, char **argv, const struct cli_opts *opts);
int cmd_kdf(int argc, char **argv, const struct cli_opts *opts);
int cmd_mikey(int argc, char **argv, const struct cli_opts *opts);
int cmd_pair_show(const struct cli_opts *opts);

struct mice_pair_info;
/* One peer as a text line or a JSON object; @event may be NULL. */
void mice_pair_print(const struct mice_pair_info *pi, const char *event,
		     bool json);
const char *mice_pair_cause_name(unsigned int cause);
struct mice_prefix_info;
/* "ADDR/LEN", IPv4 or IPv6, into @p; 0 or -1. */
int mice_parse_prefix(const char *s, struct mice_prefix_info *p);

#endif /* MICE_COMMANDS_H */
