// SPDX-License-Identifier: GPL-2.0
/*
 * mice: the M-ICE agent. One binary, iproute2/wg style:
 *   mice [-j] [-v] COMMAND [ARGS]
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_stun.h"
#include "commands.h"
#include "nl.h"

#define MICE_VERSION "0.1"

struct cli_command {
	const char *name;
	cli_cmd_fn fn;
	const char *usage;
};

static const struct cli_command cli_commands[] = {
	{ "attach", cmd_attach,
	  "attach --port N [--addr A] [--count N] [--timeout S]\n"
	  "\t\tbind a UDP socket, attach the module, print control packets" },
	{ "detach", cmd_detach, "detach ID\tdetach an attached socket" },
	{ "show", cmd_show,
	  "show [sockets|stats|peers]\tattached sockets, counters, peers" },
	{ "pair", cmd_pair,
	  "pair set PEER sock ID remote ADDR port N [dev IF] [prefix P/L]...\n"
	  "\t\tinstall or replace a peer's validated pair\n"
	  "  pair del PEER | pair show" },
	{ "daemon", cmd_daemon,
	  "daemon -c FILE [--name NAME] [--connect PEER] [--dev IF --peer-prefix P/L]...\n"
	  "\t\tthe M-ICE agent: --role ha or mn from the config" },
	{ "status", cmd_status,
	  "status [NAME | --control PATH]\ta running daemon's sessions, candidates, pairs (JSON)" },
	{ "gate", cmd_gate,
	  "gate add|commit|del|show|key|mode|monitor ...\tmedia admission gates" },
	{ "token", cmd_token,
	  "token mint|verify ...\tself-verifying media authorization tokens" },
	{ "kdf", cmd_kdf,
	  "kdf --tgk-file F --cs-id N --csb-id N --rand HEX --key tek|auth|enc|salt --len N\n"
	  "\t\tMIKEY key derivation (RFC 3830 s.4.1)" },
	{ "mikey", cmd_mikey, "mikey decode HEX|-\tprint a MIKEY message's payloads" },
	{ "gather", cmd_gather,
	  "gather [-j] [--port N] [--if-order IF,..] [--linklocal] [--deprecated] [--watch ...]\n"
	  "\t\thost candidates / address events" },
	{ "stun", cmd_stun,
	  "stun ADDR[:PORT] [--local ADDR[:PORT]] [--timeout S]\tone Binding query" },
	{ "stun-server", cmd_stun_server,
	  "stun-server [--addr A] [--port N] [--count N] [--timeout S] [--rate PPS]\n"
	  "\t\tSTUN Binding server (the Home Agent's)" },
	{ "config-check", cmd_config_check, "config-check [-j] FILE\tvalidate a daemon config" },
	{ "monitor", cmd_monitor,
	  "monitor [--daemon NAME] [--count N] [--timeout S]\tprint module (or daemon: pair, nomination) events" },
};

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("mice: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_nl_open(struct mice_nl *nl)
{
	int err = mice_nl_open(nl);

	if (!err)
		return CLI_OK;
	if (err == -ENOENT) {
		cli_err("the mice kernel module is not loaded; load it with "
			"'modprobe mice' (DKMS install) or 'insmod kmod/mice.ko'");
		return CLI_NOMODULE;
	}
	cli_err("cannot open generic netlink: %s", strerror(-err));
	return CLI_FAIL;
}

int cli_nl_fail(const struct mice_nl *nl, int err, const char *what)
{
	const char *kmsg = nl->errmsg[0] ? nl->errmsg : NULL;

	if (err == -EPERM || err == -EACCES) {
		cli_err("%s: permission denied: this needs CAP_NET_ADMIN "
			"(run as root)", what);
		return CLI_PERM;
	}
	cli_err("%s: %s%s%s", what, strerror(-err), kmsg ? ": " : "",
		kmsg ? kmsg : "");
	return CLI_FAIL;
}

int cli_nl_exchange(struct mice_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data, const char *what)
{
	int ret = mice_nl_talk(nl, nlh, cb, data);

	mice_nl_close(nl);
	return ret ? cli_nl_fail(nl, ret, what) : CLI_OK;
}

int cli_nl_list(struct mice_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data, bool json, const char *what)
{
	int ret;

	if (json)
		fputs("[", stdout);
	ret = cli_nl_exchange(nl, nlh, cb, data, what);
	if (json)
		fputs("]\n", stdout);
	return ret;
}

int cli_parse_uint(const char *opt, const char *val, unsigned long max,
		   unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!val || !*val || *val == '-')
		goto bad;
	v = strtoul(val, &end, 10);
	if (errno || *end || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	cli_err("invalid value '%s' for %s: expected an integer 0-%lu",
		val ? val : "", opt, max);
	return -1;
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: mice [-j] [-v] COMMAND [ARGS]\n\n"
		"Options:\n"
		"  -j, --json     JSON output\n"
		"  -v, --verbose  more detail\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++)
		fprintf(out, "  %s\n", cli_commands[i].usage);
	fprintf(out, "  help\t\tthis text\n  version\tprint the version\n");
}

int main(int argc, char **argv)
{
	struct cli_opts opts = { false, false, false };
	size_t i;
	int arg = 1;

	for (; arg < argc && argv[arg][0] == '-'; arg++) {
		const char *o = argv[arg];

		if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			opts.json = true;
		} else if (!strcmp(o, "-p") || !strcmp(o, "--pretty")) {
			opts.pretty = true;
		} else if (!strcmp(o, "-v") || !strcmp(o, "--verbose")) {
			opts.verbose = true;
		} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			usage(stdout);
			return CLI_OK;
		} else {
			cli_err("unknown option '%s'; see 'mice help'", o);
			return CLI_USAGE;
		}
	}
	if (arg >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[arg], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[arg], "version")) {
		printf("mice %s\n", MICE_VERSION);
		return CLI_OK;
	}
	for (i = 0; i < sizeof(cli_commands) / sizeof(cli_commands[0]); i++)
		if (!strcmp(argv[arg], cli_commands[i].name))
			return cli_commands[i].fn(argc - arg, argv + arg, &opts);
	cli_err("unknown command '%s'; see 'mice help'", argv[arg]);
	return CLI_USAGE;
}
