/* SPDX-License-Identifier: GPL-2.0 */
/* Every `mice` subcommand, dispatched from main.c. */
#ifndef MICE_COMMANDS_H
#define MICE_COMMANDS_H

#include "cli.h"

int cmd_attach(int argc, char **argv, const struct cli_opts *opts);
int cmd_detach(int argc, char **argv, const struct cli_opts *opts);
int cmd_show(int argc, char **argv, const struct cli_opts *opts);
int cmd_monitor(int argc, char **argv, const struct cli_opts *opts);

#endif /* MICE_COMMANDS_H */
