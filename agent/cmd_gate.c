// SPDX-License-Identifier: GPL-2.0
/*
 * mice gate: media admission gates in the module (seed 001 s.6.2, RFC 3313,
 * docs/gates.md).
 *
 *   mice gate add ID --rate B/S --burst B [--max-packet N] [--lifetime S]
 *                 [--idle S] [--token HEX] [--proto P] [--dir D]
 *                 [--src PREFIX] [--dst PREFIX] [--sport A[-B]] [--dport A[-B]]
 *   mice gate commit [ID] --flow PROTO,SRC,SPORT,DST,DPORT [--token HEX]
 *                 [classifier options: for a token whose gate is not there]
 *   mice gate del ID
 *   mice gate show [ID]
 *   mice gate key set (--key-file F | --group-key-file F) | mice gate key del
 *     (keys come from files, "-" for standard input, never from argv)
 *   mice gate mode [enforce|monitor] [--dev IF[:up|down]]... [--no-dev]
 *                 [--datapath on|off] [--max-gates N]
 *   mice gate monitor [--count N] [--timeout S]
 *
 * The netlink builder and parser for MICE_A_GATE/KEY/MODE live here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>

#include "addr.h"
#include "commands.h"
#include "json.h"
#include "nl.h"
#include "nlmsg.h"
#include "gatestun.h"
#include "groupkey.h"
#include "keyfile.h"
#include "token.h"

#define GATE_USAGE \
	"usage: mice gate add ID --rate B/S --burst B [--max-packet N] [--lifetime S]\n" \
	"                 [--idle S] [--token HEX] [--proto udp|tcp|any] [--dir up|down|any]\n" \
	"                 [--src PREFIX] [--dst PREFIX] [--sport A[-B]] [--dport A[-B]]\n" \
	"       mice gate commit [ID] --flow PROTO,SRC,SPORT,DST,DPORT [--token HEX]\n" \
	"                 [classifier options, with a token whose gate does not exist]\n" \
	"       mice gate del ID | mice gate show [ID]\n" \
	"       mice gate key set (--key-file F | --group-key-file F) | mice gate key del\n" \
	"                 (a key file holds hex digits; F may be - for standard input)\n" \
	"       mice gate mode [enforce|monitor] [--dev IF[:up|down]]... [--no-dev]\n" \
	"                 [--datapath on|off] [--max-gates N]\n" \
	"       mice gate monitor [--count N] [--timeout S]\n" \
	"       mice gate serve --port N [--addr A] [--count N] [--timeout S]\n" \
	"       mice gate present --token HEX --gateway ADDR:PORT --sport N --dest ADDR:PORT"

enum {
	O_RATE = 1000, O_BURST, O_MAXP, O_LIFETIME, O_IDLE, O_TOKEN, O_PROTO,
	O_DIR, O_SRC, O_DST, O_SPORT, O_DPORT, O_FLOW, O_KEY, O_KEY_FILE,
	O_GROUP_KEY, O_GROUP_KEY_FILE,
	O_DEV, O_NO_DEV, O_DATAPATH, O_MAX_GATES, O_COUNT, O_TIMEOUT,
};

static const struct option gate_longopts[] = {
	{ "rate", required_argument, NULL, O_RATE },
	{ "burst", required_argument, NULL, O_BURST },
	{ "max-packet", required_argument, NULL, O_MAXP },
	{ "lifetime", required_argument, NULL, O_LIFETIME },
	{ "idle", required_argument, NULL, O_IDLE },
	{ "token", required_argument, NULL, O_TOKEN },
	{ "proto", required_argument, NULL, O_PROTO },
	{ "dir", required_argument, NULL, O_DIR },
	{ "src", required_argument, NULL, O_SRC },
	{ "dst", required_argument, NULL, O_DST },
	{ "sport", required_argument, NULL, O_SPORT },
	{ "dport", required_argument, NULL, O_DPORT },
	{ "flow", required_argument, NULL, O_FLOW },
	{ "key", required_argument, NULL, O_KEY },
	{ "key-file", required_argument, NULL, O_KEY_FILE },
	{ "group-key", required_argument, NULL, O_GROUP_KEY },
	{ "group-key-file", required_argument, NULL, O_GROUP_KEY_FILE },
	{ "dev", required_argument, NULL, O_DEV },
	{ "no-dev", no_argument, NULL, O_NO_DEV },
	{ "datapath", required_argument, NULL, O_DATAPATH },
	{ "max-gates", required_argument, NULL, O_MAX_GATES },
	{ "count", required_argument, NULL, O_COUNT },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

struct gate_flow {
	uint8_t family;			/* AF_INET or AF_INET6; 0: none */
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;		/* host order */
	bool has_dir;
	uint8_t dir;
};

struct gate_args {
	uint32_t id;
	bool have_id;
	unsigned long rate, burst, max_packet, lifetime, idle;
	bool have_rate, have_burst, have_maxp, have_lifetime, have_idle;
	const char *token;
	bool have_cls;
	struct mice_gate_classifier cls;
	struct gate_flow flow;
	struct token_key key;
	bool have_key;
	int mode;			/* -1: unchanged */
	unsigned int nifs;
	uint32_t ifindex[MICE_MAX_POLICED_IFS];
	uint8_t ifdir[MICE_MAX_POLICED_IFS];
	bool no_dev;
	int datapath;			/* -1: unchanged */
	unsigned long max_gates;
	bool have_max_gates;
	unsigned long count, timeout;
};

/* A gate as the module reports it. */
struct gate_info {
	uint32_t id;
	uint8_t state;
	struct mice_gate_classifier cls;
	uint32_t rate, burst, max_packet, lifetime, idle, remaining;
	uint64_t packets, bytes;
	uint64_t drop_packets[__MICE_GATE_DROP_MAX], drop_bytes[__MICE_GATE_DROP_MAX];
	struct gate_flow flow;
	bool verified;
	bool has_cause;
	uint8_t cause;
	bool has_reason;
	uint32_t reason, len;
};

/* --- building requests ---------------------------------------------------- */

static void put_prefix(struct nlmsghdr *nlh, int type, const struct mice_prefix *p)
{
	struct nlattr *nest;

	if (p->family == MICE_AF_ANY)
		return;
	nest = mnl_attr_nest_start(nlh, type);
	mnl_attr_put(nlh, MICE_PREFIX_A_ADDR, p->family == MICE_AF_INET ? 4 : 16,
		     p->addr);
	mnl_attr_put_u8(nlh, MICE_PREFIX_A_LEN, p->len);
	mnl_attr_nest_end(nlh, nest);
}

static void put_cls(struct nlmsghdr *nlh, const struct mice_gate_classifier *c)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_GATE_A_CLASSIFIER);

	mnl_attr_put_u8(nlh, MICE_CLS_A_PROTO, c->proto);
	mnl_attr_put_u8(nlh, MICE_CLS_A_DIR, c->dir);
	put_prefix(nlh, MICE_CLS_A_SRC, &c->src);
	put_prefix(nlh, MICE_CLS_A_DST, &c->dst);
	mnl_attr_put_u16(nlh, MICE_CLS_A_SPORT_LO, c->sport.lo);
	mnl_attr_put_u16(nlh, MICE_CLS_A_SPORT_HI, c->sport.hi);
	mnl_attr_put_u16(nlh, MICE_CLS_A_DPORT_LO, c->dport.lo);
	mnl_attr_put_u16(nlh, MICE_CLS_A_DPORT_HI, c->dport.hi);
	mnl_attr_nest_end(nlh, nest);
}

static void put_flow(struct nlmsghdr *nlh, const struct gate_flow *f)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, MICE_GATE_A_FLOW);
	int alen = f->family == AF_INET ? 4 : 16;

	mnl_attr_put_u8(nlh, MICE_FLOW_A_PROTO, f->proto);
	mnl_attr_put(nlh, MICE_FLOW_A_SRC, alen, f->src);
	mnl_attr_put(nlh, MICE_FLOW_A_DST, alen, f->dst);
	mnl_attr_put_u16(nlh, MICE_FLOW_A_SPORT, htons(f->sport));
	mnl_attr_put_u16(nlh, MICE_FLOW_A_DPORT, htons(f->dport));
	mnl_attr_nest_end(nlh, nest);
}

/* --- parsing replies and events -------------------------------------------- */

static int parse_prefix_nest(const struct nlattr *nest, struct mice_prefix *p)
{
	const struct nlattr *a;

	memset(p, 0, sizeof(*p));
	mnl_attr_for_each_nested(a, nest) {
		uint16_t len = mnl_attr_get_payload_len(a);

		if (mnl_attr_get_type(a) == MICE_PREFIX_A_ADDR &&
		    (len == 4 || len == 16)) {
			p->family = len == 4 ? MICE_AF_INET : MICE_AF_INET6;
			memcpy(p->addr, mnl_attr_get_payload(a), len);
		} else if (mnl_attr_get_type(a) == MICE_PREFIX_A_LEN &&
			   !mnl_attr_validate(a, MNL_TYPE_U8)) {
			p->len = mnl_attr_get_u8(a);
		}
	}
	return p->family ? 0 : -1;
}

static int parse_cls(const struct nlattr *nest, struct mice_gate_classifier *c)
{
	const struct nlattr *a;

	memset(c, 0, sizeof(*c));
	mnl_attr_for_each_nested(a, nest) {
		int t = mnl_attr_get_type(a);

		switch (t) {
		case MICE_CLS_A_PROTO:
		case MICE_CLS_A_DIR:
			if (mnl_attr_validate(a, MNL_TYPE_U8))
				return -1;
			if (t == MICE_CLS_A_PROTO)
				c->proto = mnl_attr_get_u8(a);
			else
				c->dir = mnl_attr_get_u8(a);
			break;
		case MICE_CLS_A_SRC:
			if (parse_prefix_nest(a, &c->src))
				return -1;
			break;
		case MICE_CLS_A_DST:
			if (parse_prefix_nest(a, &c->dst))
				return -1;
			break;
		case MICE_CLS_A_SPORT_LO:
		case MICE_CLS_A_SPORT_HI:
		case MICE_CLS_A_DPORT_LO:
		case MICE_CLS_A_DPORT_HI:
			if (mnl_attr_validate(a, MNL_TYPE_U16))
				return -1;
			if (t == MICE_CLS_A_SPORT_LO)
				c->sport.lo = mnl_attr_get_u16(a);
			else if (t == MICE_CLS_A_SPORT_HI)
				c->sport.hi = mnl_attr_get_u16(a);
			else if (t == MICE_CLS_A_DPORT_LO)
				c->dport.lo = mnl_attr_get_u16(a);
			else
				c->dport.hi = mnl_attr_get_u16(a);
			break;
		}
	}
	return 0;
}

static int parse_flow(const struct nlattr *nest, struct gate_flow *f)
{
	const struct nlattr *a;

	memset(f, 0, sizeof(*f));
	mnl_attr_for_each_nested(a, nest) {
		uint16_t len = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case MICE_FLOW_A_PROTO:
			if (mnl_attr_validate(a, MNL_TYPE_U8))
				return -1;
			f->proto = mnl_attr_get_u8(a);
			break;
		case MICE_FLOW_A_SRC:
		case MICE_FLOW_A_DST:
			if (len != 4 && len != 16)
				return -1;
			f->family = len == 4 ? AF_INET : AF_INET6;
			memcpy(mnl_attr_get_type(a) == MICE_FLOW_A_SRC ? f->src : f->dst,
			       mnl_attr_get_payload(a), len);
			break;
		case MICE_FLOW_A_SPORT:
		case MICE_FLOW_A_DPORT:
			if (mnl_attr_validate(a, MNL_TYPE_U16))
				return -1;
			if (mnl_attr_get_type(a) == MICE_FLOW_A_SPORT)
				f->sport = ntohs(mnl_attr_get_u16(a));
			else
				f->dport = ntohs(mnl_attr_get_u16(a));
			break;
		case MICE_FLOW_A_DIR:
			if (mnl_attr_validate(a, MNL_TYPE_U8))
				return -1;
			f->has_dir = true;
			f->dir = mnl_attr_get_u8(a);
			break;
		}
	}
	return 0;
}

static int parse_drop_row(const struct nlattr *nest, struct gate_info *gi)
{
	const struct nlattr *a;
	uint32_t id = UINT32_MAX;
	uint64_t p = 0, b = 0;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case MICE_COUNT_A_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U32))
				return -1;
			id = mnl_attr_get_u32(a);
			break;
		case MICE_COUNT_A_PACKETS:
		case MICE_COUNT_A_BYTES:
			if (mnl_attr_validate(a, MNL_TYPE_U64))
				return -1;
			if (mnl_attr_get_type(a) == MICE_COUNT_A_PACKETS)
				p = mnl_attr_get_u64(a);
			else
				b = mnl_attr_get_u64(a);
			break;
		}
	}
	if (id < __MICE_GATE_DROP_MAX) {	/* unknown rows are skipped */
		gi->drop_packets[id] = p;
		gi->drop_bytes[id] = b;
	}
	return 0;
}

static int u32_attr(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32))
		return -1;
	*v = mnl_attr_get_u32(a);
	return 0;
}

static int parse_gate(const struct nlmsghdr *nlh, struct gate_info *gi,
		      const char **why)
{
	const struct nlattr *top, *a;
	bool found = false;
	int rc = 0;

	memset(gi, 0, sizeof(*gi));
	mnl_attr_for_each(top, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(top) != MICE_A_GATE)
			continue;
		found = true;
		mnl_attr_for_each_nested(a, top) {
			switch (mnl_attr_get_type(a)) {
			case MICE_GATE_A_ID: rc = u32_attr(a, &gi->id); break;
			case MICE_GATE_A_RATE: rc = u32_attr(a, &gi->rate); break;
			case MICE_GATE_A_BURST: rc = u32_attr(a, &gi->burst); break;
			case MICE_GATE_A_MAX_PACKET: rc = u32_attr(a, &gi->max_packet); break;
			case MICE_GATE_A_LIFETIME: rc = u32_attr(a, &gi->lifetime); break;
			case MICE_GATE_A_IDLE: rc = u32_attr(a, &gi->idle); break;
			case MICE_GATE_A_REMAINING: rc = u32_attr(a, &gi->remaining); break;
			case MICE_GATE_A_LEN: rc = u32_attr(a, &gi->len); break;
			case MICE_GATE_A_REASON:
				rc = u32_attr(a, &gi->reason);
				gi->has_reason = true;
				break;
			case MICE_GATE_A_STATE:
			case MICE_GATE_A_CLOSE_CAUSE:
				rc = mnl_attr_validate(a, MNL_TYPE_U8);
				if (rc)
					break;
				if (mnl_attr_get_type(a) == MICE_GATE_A_STATE) {
					gi->state = mnl_attr_get_u8(a);
				} else {
					gi->cause = mnl_attr_get_u8(a);
					gi->has_cause = true;
				}
				break;
			case MICE_GATE_A_PACKETS:
			case MICE_GATE_A_BYTES:
				rc = mnl_attr_validate(a, MNL_TYPE_U64);
				if (rc)
					break;
				if (mnl_attr_get_type(a) == MICE_GATE_A_PACKETS)
					gi->packets = mnl_attr_get_u64(a);
				else
					gi->bytes = mnl_attr_get_u64(a);
				break;
			case MICE_GATE_A_CLASSIFIER:
				rc = parse_cls(a, &gi->cls);
				break;
			case MICE_GATE_A_FLOW:
				rc = parse_flow(a, &gi->flow);
				break;
			case MICE_GATE_A_DROP:
				rc = parse_drop_row(a, gi);
				break;
			case MICE_GATE_A_VERIFIED:
				gi->verified = true;
				break;
			}
			if (rc) {
				*why = "bad gate attribute";
				return -EINVAL;
			}
		}
	}
	if (!found) {
		*why = "no MICE_A_GATE";
		return -EINVAL;
	}
	return 0;
}

/* --- printing --------------------------------------------------------------- */

static const char *state_name(uint8_t s)
{
	switch (s) {
	case MICE_GATE_AUTHORIZED: return "authorized";
	case MICE_GATE_COMMITTED: return "committed";
	case MICE_GATE_CLOSED: return "closed";
	}
	return "?";
}

static const char *cause_name(uint8_t c)
{
	switch (c) {
	case MICE_GATE_CLOSE_COMMAND: return "command";
	case MICE_GATE_CLOSE_IDLE: return "idle";
	case MICE_GATE_CLOSE_EXPIRED: return "expired";
	case MICE_GATE_CLOSE_NETNS: return "netns";
	}
	return "?";
}

static const char *proto_name(uint8_t p)
{
	return p == MICE_GATE_PROTO_UDP ? "udp" : p == MICE_GATE_PROTO_TCP ? "tcp" : "any";
}

static const char *dir_name(uint8_t d)
{
	return d == MICE_GATE_DIR_UP ? "up" : d == MICE_GATE_DIR_DOWN ? "down" : "any";
}

static const char *reason_name(uint32_t r)
{
	return r == MICE_REASON_DATA_NO_GATE ? "data_no_gate" :
	       r == MICE_REASON_DATA_POLICED ? "data_policed" : "?";
}

static void range_str(const struct mice_port_range *r, char *buf, size_t len)
{
	if (r->lo == 0 && r->hi == 65535)
		snprintf(buf, len, "any");
	else if (r->lo == r->hi)
		snprintf(buf, len, "%u", r->lo);
	else
		snprintf(buf, len, "%u-%u", r->lo, r->hi);
}

static void flow_str(const struct gate_flow *f, char *buf, size_t len)
{
	char s[MICE_ADDRSTRLEN], d[MICE_ADDRSTRLEN];

	snprintf(buf, len, "%s,%s,%u,%s,%u", proto_name(f->proto),
		 mice_addr_str(f->family, f->src, s, sizeof(s)), f->sport,
		 mice_addr_str(f->family, f->dst, d, sizeof(d)), f->dport);
}

static void gate_print(const struct gate_info *gi, const char *event, bool json)
{
	char src[MICE_ADDRSTRLEN + 8], dst[MICE_ADDRSTRLEN + 8];
	char sp[16], dp[16], flow[2 * MICE_ADDRSTRLEN + 32];

	token_format_prefix(&gi->cls.src, src, sizeof(src));
	token_format_prefix(&gi->cls.dst, dst, sizeof(dst));
	range_str(&gi->cls.sport, sp, sizeof(sp));
	range_str(&gi->cls.dport, dp, sizeof(dp));
	if (gi->flow.family)
		flow_str(&gi->flow, flow, sizeof(flow));
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		if (event)
			json_str(&j, "event", event);
		if (gi->id)
			json_u64(&j, "id", gi->id);
		if (gi->has_reason) {
			json_str(&j, "reason", reason_name(gi->reason));
			json_u64(&j, "len", gi->len);
			if (gi->flow.family)
				json_str(&j, "flow", flow);
			if (gi->flow.has_dir)
				json_str(&j, "dir", dir_name(gi->flow.dir));
			json_obj_close(&j);
			json_end(&j);
			return;
		}
		json_str(&j, "state", state_name(gi->state));
		json_str(&j, "proto", proto_name(gi->cls.proto));
		json_str(&j, "dir", dir_name(gi->cls.dir));
		json_str(&j, "src", src);
		json_str(&j, "dst", dst);
		json_str(&j, "sport", sp);
		json_str(&j, "dport", dp);
		json_u64(&j, "rate", gi->rate);
		json_u64(&j, "burst", gi->burst);
		json_u64(&j, "max_packet", gi->max_packet);
		json_u64(&j, "lifetime", gi->lifetime);
		json_u64(&j, "idle", gi->idle);
		json_u64(&j, "remaining", gi->remaining);
		if (gi->flow.family)
			json_str(&j, "flow", flow);
		else
			json_null(&j, "flow");
		json_bool(&j, "verified", gi->verified);
		json_u64(&j, "packets", gi->packets);
		json_u64(&j, "bytes", gi->bytes);
		json_obj_open(&j, "dropped");
		json_obj_open(&j, "rate");
		json_u64(&j, "packets", gi->drop_packets[MICE_GATE_DROP_RATE]);
		json_u64(&j, "bytes", gi->drop_bytes[MICE_GATE_DROP_RATE]);
		json_obj_close(&j);
		json_obj_open(&j, "size");
		json_u64(&j, "packets", gi->drop_packets[MICE_GATE_DROP_SIZE]);
		json_u64(&j, "bytes", gi->drop_bytes[MICE_GATE_DROP_SIZE]);
		json_obj_close(&j);
		json_obj_close(&j);
		if (gi->has_cause)
			json_str(&j, "cause", cause_name(gi->cause));
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	if (event)
		printf("%s ", event);
	if (gi->has_reason) {
		if (gi->id)
			printf("gate %u ", gi->id);
		printf("reason %s len %u", reason_name(gi->reason), gi->len);
		if (gi->flow.family)
			printf(" flow %s", flow);
		if (gi->flow.has_dir)
			printf(" dir %s", dir_name(gi->flow.dir));
		putchar('\n');
		return;
	}
	printf("gate %u %s %s dir %s src %s dst %s sport %s dport %s rate %u burst %u",
	       gi->id, state_name(gi->state), proto_name(gi->cls.proto),
	       dir_name(gi->cls.dir), src, dst, sp, dp, gi->rate, gi->burst);
	if (gi->max_packet)
		printf(" max-packet %u", gi->max_packet);
	if (gi->flow.family)
		printf(" flow %s", flow);
	printf(" admitted %" PRIu64 "/%" PRIu64 " dropped rate %" PRIu64
	       " size %" PRIu64 " remaining %us%s", gi->packets, gi->bytes,
	       gi->drop_packets[MICE_GATE_DROP_RATE],
	       gi->drop_packets[MICE_GATE_DROP_SIZE], gi->remaining,
	       gi->verified ? " verified" : "");
	if (gi->has_cause)
		printf(" cause %s", cause_name(gi->cause));
	putchar('\n');
}

/* --- option parsing ------------------------------------------------------ */

/* PROTO,SRC,SPORT,DST,DPORT */
static int parse_flow_arg(const char *s, struct gate_flow *f)
{
	char buf[256], *fld[5], *save = NULL, *p;
	int n = 0, sp, dp;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (p = strtok_r(buf, ",", &save); p && n < 5; p = strtok_r(NULL, ",", &save))
		fld[n++] = p;
	if (n != 5 || p)
		return -1;
	memset(f, 0, sizeof(*f));
	if (!strcmp(fld[0], "udp"))
		f->proto = MICE_GATE_PROTO_UDP;
	else if (!strcmp(fld[0], "tcp"))
		f->proto = MICE_GATE_PROTO_TCP;
	else
		return -1;
	if (inet_pton(AF_INET, fld[1], f->src) == 1 &&
	    inet_pton(AF_INET, fld[3], f->dst) == 1)
		f->family = AF_INET;
	else if (inet_pton(AF_INET6, fld[1], f->src) == 1 &&
		 inet_pton(AF_INET6, fld[3], f->dst) == 1)
		f->family = AF_INET6;
	else
		return -1;
	sp = mice_parse_port(fld[2], true);
	dp = mice_parse_port(fld[4], true);
	if (sp < 0 || dp < 0)
		return -1;
	f->sport = (uint16_t)sp;
	f->dport = (uint16_t)dp;
	return 0;
}

static int parse_dev(const char *s, struct gate_args *a)
{
	char name[IF_NAMESIZE + 8], *colon;
	uint8_t dir = MICE_GATE_DIR_UP;

	if (a->nifs >= MICE_MAX_POLICED_IFS) {
		cli_err("at most %d policed interfaces", MICE_MAX_POLICED_IFS);
		return -1;
	}
	if (strlen(s) >= sizeof(name)) {
		cli_err("interface name '%s' too long", s);
		return -1;
	}
	strcpy(name, s);
	colon = strchr(name, ':');
	if (colon) {
		*colon++ = '\0';
		if (!strcmp(colon, "down")) {
			dir = MICE_GATE_DIR_DOWN;
		} else if (strcmp(colon, "up")) {
			cli_err("--dev %s: the direction is up or down", s);
			return -1;
		}
	}
	a->ifindex[a->nifs] = if_nametoindex(name);
	if (!a->ifindex[a->nifs]) {
		cli_err("--dev: no interface '%s'", name);
		return -1;
	}
	a->ifdir[a->nifs++] = dir;
	return 0;
}

static int parse_args(int argc, char **argv, struct gate_args *a)
{
	char err[KEYFILE_ERR_MAX + 32];
	int c, rc;

	memset(a, 0, sizeof(*a));
	a->cls.sport.hi = 65535;
	a->cls.dport.hi = 65535;
	a->mode = -1;
	a->datapath = -1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", gate_longopts, NULL)) != -1) {
		rc = 0;
		err[0] = '\0';
		switch (c) {
		case O_RATE:
			rc = cli_parse_uint("--rate", optarg, UINT32_MAX, &a->rate);
			a->have_rate = true;
			break;
		case O_BURST:
			rc = cli_parse_uint("--burst", optarg, UINT32_MAX, &a->burst);
			a->have_burst = true;
			break;
		case O_MAXP:
			rc = cli_parse_uint("--max-packet", optarg, 65535, &a->max_packet);
			a->have_maxp = true;
			break;
		case O_LIFETIME:
			rc = cli_parse_uint("--lifetime", optarg, MICE_GATE_TIMER_MAX,
					    &a->lifetime);
			a->have_lifetime = true;
			break;
		case O_IDLE:
			rc = cli_parse_uint("--idle", optarg, MICE_GATE_TIMER_MAX, &a->idle);
			a->have_idle = true;
			break;
		case O_TOKEN:
			a->token = optarg;
			break;
		case O_PROTO:
			rc = token_parse_proto(optarg, &a->cls.proto, err, sizeof(err));
			a->have_cls = true;
			break;
		case O_DIR:
			rc = token_parse_dir(optarg, &a->cls.dir, err, sizeof(err));
			a->have_cls = true;
			break;
		case O_SRC:
			rc = token_parse_prefix(optarg, &a->cls.src, err, sizeof(err));
			a->have_cls = true;
			break;
		case O_DST:
			rc = token_parse_prefix(optarg, &a->cls.dst, err, sizeof(err));
			a->have_cls = true;
			break;
		case O_SPORT:
			rc = token_parse_ports(optarg, &a->cls.sport, err, sizeof(err));
			a->have_cls = true;
			break;
		case O_DPORT:
			rc = token_parse_ports(optarg, &a->cls.dport, err, sizeof(err));
			a->have_cls = true;
			break;
		case O_FLOW:
			rc = parse_flow_arg(optarg, &a->flow);
			if (rc)
				cli_err("--flow '%s': want PROTO,SRC,SPORT,DST,DPORT "
					"(udp or tcp, two addresses of one family)", optarg);
			break;
		case O_KEY:
		case O_GROUP_KEY:
			cli_err("%s HEX is refused: a key in the command line is "
				"seen by every local user (ps, /proc/PID/cmdline); "
				"use %s FILE (a file of hex digits, mode 0600, or "
				"- for standard input)",
				c == O_KEY ? "--key" : "--group-key",
				c == O_KEY ? "--key-file" : "--group-key-file");
			return -1;
		case O_KEY_FILE:
		case O_GROUP_KEY_FILE:
			if (a->have_key) {
				cli_err("give the key once, with --key-file or --group-key-file");
				return -1;
			}
			rc = c == O_GROUP_KEY_FILE ?
			     token_key_from_group_file(&a->key, optarg, err, sizeof(err)) :
			     token_key_from_file(&a->key, optarg, err, sizeof(err));
			a->have_key = !rc;
			break;
		case O_DEV:
			rc = parse_dev(optarg, a);
			break;
		case O_NO_DEV:
			a->no_dev = true;
			break;
		case O_DATAPATH:
			if (!strcmp(optarg, "on")) {
				a->datapath = 1;
			} else if (!strcmp(optarg, "off")) {
				a->datapath = 0;
			} else {
				cli_err("--datapath: want on or off");
				rc = -1;
			}
			break;
		case O_MAX_GATES:
			rc = cli_parse_uint("--max-gates", optarg, MICE_MAX_GATES_LIMIT,
					    &a->max_gates);
			if (!rc && !a->max_gates) {
				cli_err("--max-gates: at least 1");
				rc = -1;
			}
			a->have_max_gates = true;
			break;
		case O_COUNT:
			rc = cli_parse_uint("--count", optarg, 1UL << 31, &a->count);
			break;
		case O_TIMEOUT:
			rc = cli_parse_uint("--timeout", optarg, 86400, &a->timeout);
			break;
		default:
			cli_err("%s", GATE_USAGE);
			return -1;
		}
		if (rc) {
			if (err[0])
				cli_err("%s", err);
			return -1;
		}
	}
	return 0;
}

/* The one optional positional ID left after the options. */
static int positional_id(int argc, char **argv, struct gate_args *a, bool required)
{
	unsigned long v;

	if (optind < argc) {
		if (cli_parse_uint("ID", argv[optind], UINT32_MAX, &v) || !v) {
			cli_err("the gate ID is a number 1-%u", UINT32_MAX);
			return -1;
		}
		a->id = (uint32_t)v;
		a->have_id = true;
		optind++;
	}
	if (optind < argc) {
		cli_err("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (required && !a->have_id) {
		cli_err("give the gate ID");
		return -1;
	}
	return 0;
}

/* --- commands --------------------------------------------------------------- */

static int gate_add(int argc, char **argv)
{
	char buf[MICE_NL_MSGBUF];
	struct gate_args a;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct mice_nl nl;
	int ret;

	if (parse_args(argc, argv, &a) || positional_id(argc, argv, &a, true))
		return CLI_USAGE;
	if (!a.have_rate || !a.have_burst) {
		cli_err("gate add needs --rate and --burst");
		return CLI_USAGE;
	}
	if (mice_gate_classifier_check(&a.cls)) {
		cli_err("invalid classifier: %s",
			mice_gate_err_name(mice_gate_classifier_check(&a.cls)));
		return CLI_USAGE;
	}
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_GATE_ADD, 0, 0);
	nest = mnl_attr_nest_start(nlh, MICE_A_GATE);
	mnl_attr_put_u32(nlh, MICE_GATE_A_ID, a.id);
	mnl_attr_put_u32(nlh, MICE_GATE_A_RATE, (uint32_t)a.rate);
	mnl_attr_put_u32(nlh, MICE_GATE_A_BURST, (uint32_t)a.burst);
	if (a.have_maxp)
		mnl_attr_put_u32(nlh, MICE_GATE_A_MAX_PACKET, (uint32_t)a.max_packet);
	if (a.have_lifetime)
		mnl_attr_put_u32(nlh, MICE_GATE_A_LIFETIME, (uint32_t)a.lifetime);
	if (a.have_idle)
		mnl_attr_put_u32(nlh, MICE_GATE_A_IDLE, (uint32_t)a.idle);
	if (a.token)
		mnl_attr_put_strz(nlh, MICE_GATE_A_TOKEN, a.token);
	put_cls(nlh, &a.cls);
	mnl_attr_nest_end(nlh, nest);
	return cli_nl_exchange(&nl, nlh, NULL, NULL, "gate add");
}

static int gate_commit(int argc, char **argv)
{
	char buf[MICE_NL_MSGBUF];
	struct gate_args a;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct mice_nl nl;
	int ret;

	if (parse_args(argc, argv, &a) || positional_id(argc, argv, &a, false))
		return CLI_USAGE;
	if (!a.flow.family) {
		cli_err("gate commit needs --flow PROTO,SRC,SPORT,DST,DPORT");
		return CLI_USAGE;
	}
	if (!a.have_id && !a.token) {
		cli_err("gate commit needs the gate ID or --token");
		return CLI_USAGE;
	}
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_GATE_COMMIT, 0, 0);
	nest = mnl_attr_nest_start(nlh, MICE_A_GATE);
	if (a.have_id)
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, a.id);
	if (a.token)
		mnl_attr_put_strz(nlh, MICE_GATE_A_TOKEN, a.token);
	if (a.have_cls)
		put_cls(nlh, &a.cls);
	put_flow(nlh, &a.flow);
	mnl_attr_nest_end(nlh, nest);
	return cli_nl_exchange(&nl, nlh, NULL, NULL, "gate commit");
}

static int gate_del(int argc, char **argv)
{
	char buf[MICE_NL_MSGBUF];
	struct gate_args a;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct mice_nl nl;
	int ret;

	if (parse_args(argc, argv, &a) || positional_id(argc, argv, &a, true))
		return CLI_USAGE;
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_GATE_DEL, 0, 0);
	nest = mnl_attr_nest_start(nlh, MICE_A_GATE);
	mnl_attr_put_u32(nlh, MICE_GATE_A_ID, a.id);
	mnl_attr_nest_end(nlh, nest);
	return cli_nl_exchange(&nl, nlh, NULL, NULL, "gate del");
}

struct gate_show {
	bool json;
	unsigned int n;
};

static int on_gate(const struct nlmsghdr *nlh, void *data)
{
	struct gate_show *gs = data;
	struct gate_info gi;
	const char *why = "";

	if (parse_gate(nlh, &gi, &why)) {
		cli_err("malformed gate from the module: %s", why);
		return MNL_CB_ERROR;
	}
	if (gs->json && gs->n)
		fputs(",", stdout);
	gate_print(&gi, NULL, gs->json);
	gs->n++;
	return MNL_CB_OK;
}

static int gate_show(int argc, char **argv, const struct cli_opts *opts)
{
	struct gate_show gs = { .json = opts->json };
	char buf[MICE_NL_MSGBUF];
	struct gate_args a;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct mice_nl nl;
	int ret;

	if (parse_args(argc, argv, &a) || positional_id(argc, argv, &a, false))
		return CLI_USAGE;
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_GATE_GET,
			       a.have_id ? 0 : NLM_F_DUMP, 0);
	if (a.have_id) {
		nest = mnl_attr_nest_start(nlh, MICE_A_GATE);
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, a.id);
		mnl_attr_nest_end(nlh, nest);
	}
	ret = cli_nl_list(&nl, nlh, on_gate, &gs, opts->json, "gate show");
	if (ret)
		return ret;
	if (!gs.n && !opts->json)
		printf("no gates\n");
	return CLI_OK;
}

static int gate_key(int argc, char **argv)
{
	char buf[MICE_NL_MSGBUF];
	struct gate_args a;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct mice_nl nl;
	bool set;
	int ret;

	if (argc < 2 || (strcmp(argv[1], "set") && strcmp(argv[1], "del"))) {
		cli_err("usage: mice gate key set (--key-file F | --group-key-file F) | mice gate key del");
		return CLI_USAGE;
	}
	set = !strcmp(argv[1], "set");
	if (parse_args(argc - 1, argv + 1, &a) || optind != argc - 1) {
		token_key_clear(&a.key);
		return CLI_USAGE;
	}
	if (set != a.have_key) {
		cli_err(set ? "gate key set needs --key-file F or --group-key-file F (%d-%d octets)" :
			"gate key del takes no key (%d-%d)", TOKEN_KEY_MIN, TOKEN_KEY_MAX);
		token_key_clear(&a.key);
		return CLI_USAGE;
	}
	ret = cli_nl_open(&nl);
	if (ret) {
		token_key_clear(&a.key);
		return ret;
	}
	nlh = mice_msg_request(buf, nl.family_id,
			       set ? MICE_CMD_KEY_SET : MICE_CMD_KEY_DEL, 0, 0);
	if (set) {
		nest = mnl_attr_nest_start(nlh, MICE_A_KEY);
		mnl_attr_put(nlh, MICE_KEY_A_SECRET, a.key.len, a.key.k);
		mnl_attr_nest_end(nlh, nest);
	}
	token_key_clear(&a.key);
	ret = mice_nl_talk(&nl, nlh, NULL, NULL);
	/* The request buffer held the key too. */
	explicit_bzero(buf, sizeof(buf));
	mice_nl_close(&nl);
	return ret ? cli_nl_fail(&nl, ret, set ? "gate key set" : "gate key del") :
		     CLI_OK;
}

static int gate_mode(int argc, char **argv)
{
	char buf[MICE_NL_MSGBUF];
	struct gate_args a;
	struct nlmsghdr *nlh;
	struct nlattr *nest, *ifn;
	struct mice_nl nl;
	unsigned int i;
	int ret;

	if (parse_args(argc, argv, &a))
		return CLI_USAGE;
	for (; optind < argc; optind++) {
		if (!strcmp(argv[optind], "enforce")) {
			a.mode = MICE_MODE_ENFORCE;
		} else if (!strcmp(argv[optind], "monitor")) {
			a.mode = MICE_MODE_MONITOR;
		} else {
			cli_err("unexpected argument '%s': want enforce or monitor",
				argv[optind]);
			return CLI_USAGE;
		}
	}
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_MODE_SET, 0, 0);
	nest = mnl_attr_nest_start(nlh, MICE_A_MODE);
	if (a.mode >= 0)
		mnl_attr_put_u8(nlh, MICE_MODE_A_MODE, (uint8_t)a.mode);
	if (a.datapath >= 0)
		mnl_attr_put_u8(nlh, MICE_MODE_A_DATAPATH, (uint8_t)a.datapath);
	if (a.have_max_gates)
		mnl_attr_put_u32(nlh, MICE_MODE_A_MAX_GATES, (uint32_t)a.max_gates);
	if (a.no_dev)
		mnl_attr_put(nlh, MICE_MODE_A_IF_FLUSH, 0, NULL);
	for (i = 0; i < a.nifs; i++) {
		ifn = mnl_attr_nest_start(nlh, MICE_MODE_A_IF);
		mnl_attr_put_u32(nlh, MICE_MODE_IF_A_IFINDEX, a.ifindex[i]);
		mnl_attr_put_u8(nlh, MICE_MODE_IF_A_DIR, a.ifdir[i]);
		mnl_attr_nest_end(nlh, ifn);
	}
	mnl_attr_nest_end(nlh, nest);
	return cli_nl_exchange(&nl, nlh, NULL, NULL, "gate mode");
}

struct gate_mon {
	bool json;
	unsigned long seen;
};

static int on_gate_event(const struct nlmsghdr *nlh, void *data)
{
	struct gate_mon *m = data;
	struct gate_info gi;
	const char *why = "", *ev;

	switch (mice_msg_cmd(nlh)) {
	case MICE_CMD_GATE_COMMITTED: ev = "gate-committed"; break;
	case MICE_CMD_GATE_CLOSED: ev = "gate-closed"; break;
	case MICE_CMD_GATE_EXPIRED: ev = "gate-expired"; break;
	case MICE_CMD_GATE_DENIED: ev = "gate-denied"; break;
	default: return MNL_CB_OK;	/* not a gate event */
	}
	if (parse_gate(nlh, &gi, &why)) {
		cli_err("skipping malformed gate event: %s", why);
		return MNL_CB_OK;
	}
	gate_print(&gi, ev, m->json);
	fflush(stdout);
	m->seen++;
	return MNL_CB_OK;
}

static int gate_monitor(int argc, char **argv, const struct cli_opts *opts)
{
	struct gate_mon m = { .json = opts->json };
	struct timespec start, now;
	struct gate_args a;
	struct mice_nl nl;
	int ret;

	if (parse_args(argc, argv, &a) || optind != argc)
		return CLI_USAGE;
	ret = cli_nl_open(&nl);
	if (ret)
		return ret;
	ret = mice_nl_join_events(&nl);
	if (ret) {
		mice_nl_close(&nl);
		/* The events are for the administrator (docs/netlink.md). */
		if (ret == -EPERM || ret == -EACCES)
			return cli_nl_fail(&nl, ret, "gate monitor: joining the events group");
		cli_err("cannot join the events group: %s", strerror(-ret));
		return CLI_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!a.count || m.seen < a.count) {
		struct pollfd pfd = { .fd = mice_nl_fd(&nl), .events = POLLIN };

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (a.timeout && now.tv_sec - start.tv_sec >= (time_t)a.timeout)
			break;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		mice_nl_read_events(&nl, on_gate_event, &m);
	}
	mice_nl_close(&nl);
	return CLI_OK;
}

int cmd_gate(int argc, char **argv, const struct cli_opts *opts)
{
	if (argc < 2 || !strcmp(argv[1], "show"))
		return gate_show(argc < 2 ? 1 : argc - 1, argc < 2 ? argv : argv + 1,
				 opts);
	if (!strcmp(argv[1], "add"))
		return gate_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "commit"))
		return gate_commit(argc - 1, argv + 1);
	if (!strcmp(argv[1], "del"))
		return gate_del(argc - 1, argv + 1);
	if (!strcmp(argv[1], "key"))
		return gate_key(argc - 1, argv + 1);
	if (!strcmp(argv[1], "mode"))
		return gate_mode(argc - 1, argv + 1);
	if (!strcmp(argv[1], "monitor"))
		return gate_monitor(argc - 1, argv + 1, opts);
	if (!strcmp(argv[1], "serve"))
		return gate_serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "present"))
		return gate_present(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		puts(GATE_USAGE);
		return CLI_OK;
	}
	cli_err("unknown gate command '%s'\n%s", argv[1], GATE_USAGE);
	return CLI_USAGE;
}
