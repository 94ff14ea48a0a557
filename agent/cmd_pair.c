// SPDX-License-Identifier: GPL-2.0
/*
 * mice pair set | del | show: peers and their validated pairs in the
 * kernel. The daemon installs pairs after ICE nomination; this command is
 * for operators, tests and debugging.
 *
 *   mice pair set PEER sock ID remote ADDR port N [dev IFNAME]
 *                 [prefix ADDR/LEN]...
 *   mice pair del PEER
 *   mice pair show
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "commands.h"
#include "json.h"
#include "nl.h"
#include "nlmsg.h"

#define PAIR_USAGE "usage: mice pair set PEER sock ID remote ADDR port N " \
	"[dev IFNAME] [prefix ADDR/LEN]... | mice pair del PEER | mice pair show"

int mice_parse_prefix(const char *s, struct mice_prefix_info *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned long len;
	char *slash, *end;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = AF_INET6;
	else
		return -1;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || *end || slash[1] == '\0' ||
	    len > (p->family == AF_INET ? 32u : 128u))
		return -1;
	p->len = (uint8_t)len;
	return 0;
}

static int pair_set(int argc, char **argv)
{
	char buf[MICE_NL_MSGBUF];
	struct mice_pair_info pi;
	bool have_sock = false, have_remote = false, have_port = false;
	unsigned long v;
	struct nlmsghdr *nlh;
	struct mice_nl nl;
	int i, ret, port;

	memset(&pi, 0, sizeof(pi));
	if (argc < 2 || cli_parse_uint("PEER", argv[1], UINT32_MAX, &v) || !v) {
		cli_err("%s", PAIR_USAGE);
		return CLI_USAGE;
	}
	pi.peer_id = (uint32_t)v;
	for (i = 2; i < argc; i += 2) {
		const char *key = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val) {
			cli_err("'%s' needs a value", key);
			return CLI_USAGE;
		}
		if (!strcmp(key, "sock")) {
			if (cli_parse_uint("sock", val, UINT32_MAX, &v) || !v)
				return CLI_USAGE;
			pi.sock_id = (uint32_t)v;
			have_sock = true;
		} else if (!strcmp(key, "remote")) {
			if (inet_pton(AF_INET, val, pi.addr) == 1) {
				pi.family = AF_INET;
			} else if (inet_pton(AF_INET6, val, pi.addr) == 1) {
				pi.family = AF_INET6;
			} else {
				cli_err("invalid value '%s' for remote: expected an "
					"IPv4 or IPv6 address", val);
				return CLI_USAGE;
			}
			have_remote = true;
		} else if (!strcmp(key, "port")) {
			port = mice_parse_port(val, false);
			if (port < 0) {
				cli_err("invalid value '%s' for port: expected 1-65535", val);
				return CLI_USAGE;
			}
			pi.port = (uint16_t)port;
			have_port = true;
		} else if (!strcmp(key, "dev")) {
			pi.ifindex = if_nametoindex(val);
			if (!pi.ifindex) {
				cli_err("no device '%s'; create it with 'ip link add %s "
					"type mice'", val, val);
				return CLI_FAIL;
			}
		} else if (!strcmp(key, "prefix")) {
			if (pi.nprefixes >= MICE_MAX_PREFIXES_PER_PEER) {
				cli_err("at most %d prefixes per peer",
					MICE_MAX_PREFIXES_PER_PEER);
				return CLI_USAGE;
			}
			if (mice_parse_prefix(val, &pi.prefixes[pi.nprefixes])) {
				cli_err("invalid value '%s' for prefix: expected "
					"ADDR/LEN", val);
				return CLI_USAGE;
			}
			pi.nprefixes++;
		} else {
			cli_err("unknown keyword '%s'; %s", key, PAIR_USAGE);
			return CLI_USAGE;
		}
	}
	if (!have_sock || !have_remote || !have_port) {
		cli_err("pair set needs sock, remote and port");
		return CLI_USAGE;
	}
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_PAIR_SET, 0, 0);
	mice_msg_put_pair(nlh, &pi);
	return cli_nl_exchange(&nl, nlh, NULL, NULL, "pair set");
}

static int pair_del(int argc, char **argv)
{
	char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;
	struct mice_nl nl;
	unsigned long v;
	int ret;

	if (argc != 2 || cli_parse_uint("PEER", argv[1], UINT32_MAX, &v) || !v) {
		cli_err("usage: mice pair del PEER");
		return CLI_USAGE;
	}
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_PAIR_DEL, 0, 0);
	mice_msg_put_peer_id(nlh, (uint32_t)v);
	return cli_nl_exchange(&nl, nlh, NULL, NULL, "pair del");
}

const char *mice_pair_cause_name(unsigned int cause)
{
	static const char *const names[] = {
		[MICE_PAIR_DOWN_COMMAND] = "command",
		[MICE_PAIR_DOWN_SOCKET] = "socket",
		[MICE_PAIR_DOWN_DEVICE] = "device",
		[MICE_PAIR_DOWN_NETNS] = "netns",
	};

	return cause < sizeof(names) / sizeof(names[0]) ? names[cause] : "?";
}

void mice_pair_print(const struct mice_pair_info *pi, const char *event,
		     bool json)
{
	char addr[MICE_ADDRSTRLEN], dev[IF_NAMESIZE] = "?";
	unsigned int i;

	if (pi->ifindex && !if_indextoname(pi->ifindex, dev))
		snprintf(dev, sizeof(dev), "%u", pi->ifindex);
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		if (event)
			json_str(&j, "event", event);
		json_u64(&j, "peer", pi->peer_id);
		json_str(&j, "dev", dev);
		if (pi->has_path) {
			json_u64(&j, "socket", pi->sock_id);
			json_str(&j, "remote", mice_addr_str(pi->family, pi->addr,
							     addr, sizeof(addr)));
			json_u64(&j, "port", pi->port);
		}
		json_arr_open(&j, "prefixes");
		for (i = 0; i < pi->nprefixes; i++) {
			char p[MICE_ADDRSTRLEN + 8];

			snprintf(p, sizeof(p), "%s/%u",
				 mice_addr_str(pi->prefixes[i].family,
					       pi->prefixes[i].addr, addr,
					       sizeof(addr)),
				 pi->prefixes[i].len);
			json_str(&j, NULL, p);
		}
		json_arr_close(&j);
		json_obj_open(&j, "rx");
		json_u64(&j, "packets", pi->rx.packets);
		json_u64(&j, "bytes", pi->rx.bytes);
		json_obj_close(&j);
		json_obj_open(&j, "tx");
		json_u64(&j, "packets", pi->tx.packets);
		json_u64(&j, "bytes", pi->tx.bytes);
		json_obj_close(&j);
		if (pi->has_cause)
			json_str(&j, "cause", mice_pair_cause_name(pi->cause));
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	if (event)
		printf("%s ", event);
	printf("peer %u dev %s", pi->peer_id, dev);
	if (pi->has_path)
		printf(" socket %u remote %s port %u", pi->sock_id,
		       mice_addr_str(pi->family, pi->addr, addr, sizeof(addr)),
		       pi->port);
	else
		printf(" no path");
	for (i = 0; i < pi->nprefixes; i++)
		printf("%s%s/%u", i ? "," : " prefixes ",
		       mice_addr_str(pi->prefixes[i].family, pi->prefixes[i].addr,
				     addr, sizeof(addr)), pi->prefixes[i].len);
	printf(" rx %llu/%llu tx %llu/%llu",
	       (unsigned long long)pi->rx.packets,
	       (unsigned long long)pi->rx.bytes,
	       (unsigned long long)pi->tx.packets,
	       (unsigned long long)pi->tx.bytes);
	if (pi->has_cause)
		printf(" cause %s", mice_pair_cause_name(pi->cause));
	putchar('\n');
}

struct pair_show {
	bool json;
	unsigned int n;
};

static int on_pair(const struct nlmsghdr *nlh, void *data)
{
	struct pair_show *ps = data;
	struct mice_pair_info pi;
	const char *why = NULL;

	if (mice_msg_parse_pair(nlh, &pi, &why)) {
		cli_err("malformed pair from the module: %s", why);
		return MNL_CB_ERROR;
	}
	if (ps->json && ps->n)
		fputs(",", stdout);
	mice_pair_print(&pi, NULL, ps->json);
	ps->n++;
	return MNL_CB_OK;
}

int cmd_pair_show(const struct cli_opts *opts)
{
	struct pair_show ps = { .json = opts->json };
	char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;
	struct mice_nl nl;
	int ret;

	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_PAIR_GET, NLM_F_DUMP, 0);
	ret = cli_nl_list(&nl, nlh, on_pair, &ps, opts->json, "pair show");
	if (ret)
		return ret;
	if (!ps.n && !opts->json)
		printf("no peers\n");
	return CLI_OK;
}

int cmd_pair(int argc, char **argv, const struct cli_opts *opts)
{
	if (argc < 2 || !strcmp(argv[1], "show"))
		return cmd_pair_show(opts);
	if (!strcmp(argv[1], "set"))
		return pair_set(argc - 1, argv + 1);
	if (!strcmp(argv[1], "del"))
		return pair_del(argc - 1, argv + 1);
	cli_err("unknown pair command '%s'; %s", argv[1], PAIR_USAGE);
	return CLI_USAGE;
}
