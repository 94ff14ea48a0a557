// SPDX-License-Identifier: GPL-2.0
/*
 * mice monitor: the module's "events" multicast group, one line each; or,
 * with --daemon NAME, a running daemon's events (pair state changes,
 * nominations, selections, restarts, kernel pairs) from its control
 * socket.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "classify.h"
#include "commands.h"
#include "json.h"
#include "nl.h"
#include "nlmsg.h"

struct monitor {
	const struct cli_opts *opts;
	unsigned long seen;
};

static volatile sig_atomic_t monitor_stop;

static void monitor_on_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

static const char *detach_cause_name(unsigned int cause)
{
	static const char *const names[] = {
		[MICE_DETACH_COMMAND] = "command",
		[MICE_DETACH_CLOSED] = "closed",
		[MICE_DETACH_NETNS] = "netns",
		[MICE_DETACH_UNLOAD] = "unload",
	};

	return cause < sizeof(names) / sizeof(names[0]) ? names[cause] : "?";
}

static void print_sock_event(const struct monitor *m, const char *event,
			     const struct mice_sock_info *si)
{
	char addr[MICE_ADDRSTRLEN];

	mice_addr_str(si->family, si->addr, addr, sizeof(addr));
	if (m->opts->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_str(&j, "event", event);
		json_u64(&j, "id", si->id);
		json_str(&j, "family", mice_family_name(si->family));
		json_str(&j, "address", addr);
		json_u64(&j, "port", si->port);
		if (si->has_cause)
			json_str(&j, "cause", detach_cause_name(si->cause));
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	printf("%s socket %u %s %s port %u", event, si->id,
	       mice_family_name(si->family), addr, si->port);
	if (si->has_cause)
		printf(" cause %s", detach_cause_name(si->cause));
	putchar('\n');
}

static void print_drop_event(const struct monitor *m,
			     const struct mice_drop_info *di)
{
	char addr[MICE_ADDRSTRLEN];

	mice_addr_str(di->family, di->saddr, addr, sizeof(addr));
	if (m->opts->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_str(&j, "event", "drop");
		json_u64(&j, "socket", di->sock_id);
		json_str(&j, "class", mice_class_name(di->cls));
		json_str(&j, "reason", mice_reason_name(di->reason));
		json_str(&j, "from", addr);
		json_u64(&j, "port", di->sport);
		json_u64(&j, "len", di->len);
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	printf("drop socket %u %s %s from %s port %u len %u\n", di->sock_id,
	       mice_class_name(di->cls), mice_reason_name(di->reason), addr,
	       di->sport, di->len);
}

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	struct mice_pair_info pi;
	struct mice_sock_info si;
	struct mice_drop_info di;
	const char *why = NULL;
	int cmd = mice_msg_cmd(nlh);

	switch (cmd) {
	case MICE_CMD_SOCK_ATTACHED:
	case MICE_CMD_SOCK_DETACHED:
		if (mice_msg_parse_sock(nlh, &si, &why))
			goto bad;
		print_sock_event(m, cmd == MICE_CMD_SOCK_ATTACHED ?
				 "attach" : "detach", &si);
		break;
	case MICE_CMD_PAIR_UP:
	case MICE_CMD_PAIR_REPLACED:
	case MICE_CMD_PAIR_DOWN:
		if (mice_msg_parse_pair(nlh, &pi, &why))
			goto bad;
		mice_pair_print(&pi, cmd == MICE_CMD_PAIR_UP ? "pair-up" :
				cmd == MICE_CMD_PAIR_REPLACED ? "pair-replaced" :
				"pair-down", m->opts->json);
		break;
	case MICE_CMD_DROP:
		if (mice_msg_parse_drop(nlh, &di, &why))
			goto bad;
		print_drop_event(m, &di);
		break;
	default:
		return MNL_CB_OK;	/* events of a newer module */
	}
	fflush(stdout);
	m->seen++;
	return MNL_CB_OK;
bad:
	cli_err("skipping malformed event %d: %s", cmd, why);
	return MNL_CB_OK;
}

static unsigned long elapsed_s(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long)(now.tv_sec - start->tv_sec);
}

/* Streams the daemon's event lines until --count, --timeout or EOF. */
static int monitor_daemon(const char *path, unsigned long count,
			  unsigned long timeout_s, const struct cli_opts *opts)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *req = opts->json ? "monitor json\n" : "monitor text\n";
	unsigned long seen = 0;
	struct timespec start;
	char buf[4096];
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		cli_err("control socket path too long: %s", path);
		return CLI_USAGE;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		cli_err("no daemon answers on %s: %s (is `mice daemon` running, "
			"with this name?)", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return CLI_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!monitor_stop && (!count || seen < count)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n, i;

		if (timeout_s && elapsed_s(&start) >= timeout_s)
			break;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			cli_err("the daemon closed the connection");
			close(fd);
			return CLI_FAIL;
		}
		if (!seen && n > 6 && !strncmp(buf, "error:", 6)) {
			cli_err("daemon: %.*s", (int)(n - 1), buf);
			close(fd);
			return CLI_FAIL;
		}
		for (i = 0; i < n; i++) {
			putchar(buf[i]);
			if (buf[i] == '\n' && count && ++seen >= count)
				break;
		}
		fflush(stdout);
	}
	close(fd);
	if (count && seen < count) {
		cli_err("stopped after %lu of %lu events", seen, count);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_monitor(int argc, char **argv, const struct cli_opts *opts)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "daemon", required_argument, NULL, 'd' },
		{ "control", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	char path[108] = "";
	unsigned long count = 0, timeout_s = 0;
	struct monitor m = { .opts = opts };
	struct sigaction sa;
	struct timespec start, now;
	struct mice_nl nl;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'c' && !cli_parse_uint("--count", optarg, 1UL << 31, &count))
			continue;
		if (c == 't' && !cli_parse_uint("--timeout", optarg, 86400 * 365,
						&timeout_s))
			continue;
		if (c == 'd' && *optarg && strlen(optarg) < 64 &&
		    !strchr(optarg, '/')) {
			snprintf(path, sizeof(path), "/run/mice/%s.ctl", optarg);
			continue;
		}
		if (c == 'k' && *optarg && strlen(optarg) < sizeof(path)) {
			snprintf(path, sizeof(path), "%s", optarg);
			continue;
		}
		if (c == 'd' || c == 'k')
			cli_err("invalid value '%s' for --%s: expected a daemon "
				"name (no '/') or a socket path", optarg,
				c == 'd' ? "daemon" : "control");
		else if (c != 'c' && c != 't')
			cli_err("usage: mice monitor [--daemon NAME | --control PATH] "
				"[--count N] [--timeout S]");
		return CLI_USAGE;
	}
	if (optind < argc) {
		cli_err("unexpected argument '%s' for monitor", argv[optind]);
		return CLI_USAGE;
	}
	if (path[0]) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = monitor_on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		return monitor_daemon(path, count, timeout_s, opts);
	}
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	ret = mice_nl_join_events(&nl);
	if (ret) {
		mice_nl_close(&nl);
		/* The events are for the administrator (docs/netlink.md). */
		if (ret == -EPERM || ret == -EACCES)
			return cli_nl_fail(&nl, ret, "monitor: joining the events group");
		cli_err("cannot join the events group: %s", strerror(-ret));
		return CLI_FAIL;
	}
	if (opts->verbose)
		cli_err("listening for events");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = monitor_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!monitor_stop && (!count || m.seen < count)) {
		struct pollfd pfd = { .fd = mice_nl_fd(&nl), .events = POLLIN };

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout_s && now.tv_sec - start.tv_sec >= (time_t)timeout_s)
			break;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		ret = mice_nl_read_events(&nl, on_event, &m);
		if (ret < 0 && ret != MNL_CB_ERROR && errno == ENOBUFS)
			cli_err("events were lost: the receive buffer overflowed");
	}
	mice_nl_close(&nl);
	if (count && m.seen < count) {
		cli_err("stopped after %lu of %lu events", m.seen, count);
		return CLI_FAIL;
	}
	return CLI_OK;
}
