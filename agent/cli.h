/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Conventions shared by every `mice` subcommand (iproute2/wg style):
 * a subcommand is `int cmd_x(int argc, char **argv, const struct cli_opts *)`
 * where argv[0] is the subcommand's own name. It returns an exit code below;
 * errors go to stderr through cli_err() and name what was wrong and, where
 * possible, what to do.
 */
#ifndef MICE_CLI_H
#define MICE_CLI_H

#include <stdbool.h>

#include <libmnl/libmnl.h>

enum cli_exit {
	CLI_OK = 0,
	CLI_FAIL = 1,		/* the operation failed */
	CLI_USAGE = 2,		/* bad command line */
	CLI_NOMODULE = 3,	/* the kernel module is not loaded */
	CLI_PERM = 4,		/* permission denied */
};

struct cli_opts {
	bool json;	/* -j */
	bool pretty;	/* -p, reserved */
	bool verbose;	/* -v */
};

typedef int (*cli_cmd_fn)(int argc, char **argv, const struct cli_opts *opts);

/* "mice: <message>\n" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));



struct mice_nl;

/*
 * Opens the netlink channel to the module. On failure prints what to do
 * (module not loaded, permission) and returns the exit code to use.
 */
int cli_nl_open(struct mice_nl *nl);

/* Explains a failed netlink request @what; returns the exit code to use. */
int cli_nl_fail(const struct mice_nl *nl, int err, const char *what);
/*
 * Send @nlh on @nl (opened by cli_nl_open), run @cb on every reply, close
 * @nl, and map an error to the CLI's exit code with a message naming
 * @what. cli_nl_list() prints the replies as one JSON array with @json.
 */
int cli_nl_exchange(struct mice_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data, const char *what);
int cli_nl_list(struct mice_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data, bool json, const char *what);

/* Parses a positive integer option value or names the option in an error. */
int cli_parse_uint(const char *opt, const char *val, unsigned long max,
		   unsigned long *out);
#endif /* MICE_CLI_H */
