/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `mice gather`, `mice stun`, `mice stun-server`, `mice config-check`
 * (agent/cmd_stun.c); to be
 * listed in main.c's command table:
 *   gather [-j] [--port N] [--if-order IF,IF..] [--linklocal]
 *          [--deprecated] [--no-ipv4|--no-ipv6] [--watch [--count N]
 *          [--timeout S]]            host candidates / address events
 *   stun ADDR[:PORT] [--local ADDR[:PORT]] [--timeout S] [-j]
 *                                    one Binding query: the mapped address
 *   stun-server [--addr A] [--port N] [--count N] [--timeout S]
 *               [--rate PPS] [--no-software] [-j]
 *                                    the Home Agent's Binding server
 *   config-check [-j] FILE           parse a daemon config (docs/config.md)
 */
#ifndef MICE_CMD_STUN_H
#define MICE_CMD_STUN_H

#include "cli.h"

int cmd_gather(int argc, char **argv, const struct cli_opts *opts);
int cmd_stun(int argc, char **argv, const struct cli_opts *opts);
int cmd_stun_server(int argc, char **argv, const struct cli_opts *opts);
int cmd_config_check(int argc, char **argv, const struct cli_opts *opts);

#endif /* MICE_CMD_STUN_H */
