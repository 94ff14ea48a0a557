// SPDX-License-Identifier: GPL-2.0
/*
 * gatebatch: installs many media admission gates (docs/gates.md) from one
 * process, many generic-netlink requests per sendmsg, and times commits by
 * self-verifying token against plain commits (make bench,
 * bench/gates_bench_guest.sh).
 *
 *   gatebatch add --count N [--first-id ID] [--commit] [--batch B]
 *   gatebatch tokens --count M --key-file F [--first-id ID] [--batch B]
 *
 * Gate ID has the flow udp 198.18.0.0+(ID mod 2^17):(1024 + ID / 2^17) ->
 * 198.19.255.1:5004 (RFC 2544's benchmarking range), so distinct IDs have
 * distinct flows and spread over the hash tables, and its classifier is
 * that flow exactly (source /32 and port, destination /32 and port, udp).
 * Gates are added with lifetime 86400 s and no idle timeout; --commit
 * commits each one to its flow right after adding it (committed gates are
 * what the packet path looks up).
 *
 * tokens sets the namespace's token key from F (hex, as for `mice gate key
 * set --key-file`), then, in this order and each timed on its own:
 *   plain   M gates added (IDs ID..ID+M-1), then M commits by GateID
 *   mint    M tokens minted here (OpenSSL, agent/token.c, as `mice token
 *           mint`) for IDs ID+M.., and M forged ones (last digit changed)
 *   token   M commits by self-verifying token, each creating its gate
 *           (tag, expiry, classifier digest checked by the kernel crypto API)
 *   forged  M commits by forged token, each refused (EKEYREJECTED) after
 *           the tag check
 * Every request carries NLM_F_ACK; B requests (default 256) go in one
 * sendmsg and their B acks are read before the next batch. Each phase
 * prints one line:
 *   PHASE ops N seconds S per_second R sys_seconds T
 * (T: the process's system time, where the kernel runs the requests).
 * Exit 0 when every request got the expected answer, 1 otherwise, 2 on
 * usage errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <openssl/crypto.h>

#include "../../agent/nl.h"
#include "../../agent/nlmsg.h"
#include "../../agent/token.h"

#define FLOW_SRC_BASE	0xc6120000u	/* 198.18.0.0 */
#define FLOW_DST	0xc613ff01u	/* 198.19.255.1 */
#define FLOW_DPORT	5004
#define GATE_RATE	50000
#define GATE_BURST	3000
#define BATCH_MAX	1024
#define REQ_MAX		512		/* octets: one request at most */
#define RECV_VLEN	64

struct batch {
	struct mice_nl *nl;
	char *buf;
	size_t len;
	unsigned int n;			/* requests in buf */
	unsigned int limit;
	int expect;			/* errno every request should get */
	unsigned long long sent;
	unsigned long long bad;		/* answers other than @expect */
	int first_err;
	char first_msg[256];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double sys_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static uint32_t flow_src(uint32_t id)
{
	return FLOW_SRC_BASE + (id & 0x1ffff);
}

static uint16_t flow_sport(uint32_t id)
{
	return (uint16_t)(1024 + (id >> 17));
}

/* The classifier of gate @id: exactly its flow. */
static void gate_cls(uint32_t id, struct mice_gate_classifier *c)
{
	uint32_t src = htonl(flow_src(id)), dst = htonl(FLOW_DST);

	memset(c, 0, sizeof(*c));
	c->proto = MICE_GATE_PROTO_UDP;
	c->src.family = MICE_AF_INET;
	c->src.len = 32;
	memcpy(c->src.addr, &src, 4);
	c->dst.family = MICE_AF_INET;
	c->dst.len = 32;
	memcpy(c->dst.addr, &dst, 4);
	c->sport.lo = c->sport.hi = flow_sport(id);
	c->dport.lo = c->dport.hi = FLOW_DPORT;
}

static void put_prefix(struct nlmsghdr *nlh, int type,
		       const struct mice_prefix *p)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, (uint16_t)type);

	mnl_attr_put(nlh, MICE_PREFIX_A_ADDR, 4, p->addr);
	mnl_attr_put_u8(nlh, MICE_PREFIX_A_LEN, p->len);
	mnl_attr_nest_end(nlh, n);
}

static void put_cls(struct nlmsghdr *nlh, uint32_t id)
{
	struct mice_gate_classifier c;
	struct nlattr *n;

	gate_cls(id, &c);
	n = mnl_attr_nest_start(nlh, MICE_GATE_A_CLASSIFIER);
	mnl_attr_put_u8(nlh, MICE_CLS_A_PROTO, c.proto);
	put_prefix(nlh, MICE_CLS_A_SRC, &c.src);
	put_prefix(nlh, MICE_CLS_A_DST, &c.dst);
	mnl_attr_put_u16(nlh, MICE_CLS_A_SPORT_LO, c.sport.lo);
	mnl_attr_put_u16(nlh, MICE_CLS_A_SPORT_HI, c.sport.hi);
	mnl_attr_put_u16(nlh, MICE_CLS_A_DPORT_LO, c.dport.lo);
	mnl_attr_put_u16(nlh, MICE_CLS_A_DPORT_HI, c.dport.hi);
	mnl_attr_nest_end(nlh, n);
}

static void put_flow(struct nlmsghdr *nlh, uint32_t id)
{
	uint32_t src = htonl(flow_src(id)), dst = htonl(FLOW_DST);
	struct nlattr *n = mnl_attr_nest_start(nlh, MICE_GATE_A_FLOW);

	mnl_attr_put_u8(nlh, MICE_FLOW_A_PROTO, MICE_GATE_PROTO_UDP);
	mnl_attr_put(nlh, MICE_FLOW_A_SRC, 4, &src);
	mnl_attr_put(nlh, MICE_FLOW_A_DST, 4, &dst);
	mnl_attr_put_u16(nlh, MICE_FLOW_A_SPORT, htons(flow_sport(id)));
	mnl_attr_put_u16(nlh, MICE_FLOW_A_DPORT, htons(FLOW_DPORT));
	mnl_attr_nest_end(nlh, n);
}

static void batch_init(struct batch *b, struct mice_nl *nl, unsigned int limit,
		       int expect)
{
	static char buf[BATCH_MAX * REQ_MAX];

	memset(b, 0, sizeof(*b));
	b->nl = nl;
	b->buf = buf;
	b->limit = limit;
	b->expect = expect;
}

/* Reads the acks of the requests in flight; 0, or -1 if acks were lost. */
static int batch_acks(struct batch *b, unsigned int want)
{
	static char rx[RECV_VLEN][1024];
	struct mmsghdr msgs[RECV_VLEN];
	struct iovec iov[RECV_VLEN];
	int fd = mnl_socket_get_fd(b->nl->sock);
	unsigned int got = 0;
	int i, n;

	while (got < want) {
		unsigned int vlen = want - got < RECV_VLEN ? want - got : RECV_VLEN;

		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < (int)vlen; i++) {
			iov[i].iov_base = rx[i];
			iov[i].iov_len = sizeof(rx[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, msgs, vlen, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "gatebatch: reading acks: %s\n", strerror(errno));
			return -1;
		}
		for (i = 0; i < n; i++) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)rx[i];
			int len = (int)msgs[i].msg_len;
			char msg[256];
			int err;

			for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
				if (nlh->nlmsg_type != NLMSG_ERROR)
					continue;
				got++;
				err = mice_msg_parse_error(nlh, msg, sizeof(msg));
				if (err == b->expect)
					continue;
				if (!b->bad++) {
					b->first_err = err;
					snprintf(b->first_msg, sizeof(b->first_msg), "%s", msg);
				}
			}
		}
	}
	return 0;
}

/* Sends the requests in the buffer and reads their acks. */
static int batch_flush(struct batch *b)
{
	unsigned int n = b->n;

	if (!n)
		return 0;
	if (mnl_socket_sendto(b->nl->sock, b->buf, b->len) < 0) {
		fprintf(stderr, "gatebatch: send: %s\n", strerror(errno));
		return -1;
	}
	b->len = 0;
	b->n = 0;
	b->sent += n;
	return batch_acks(b, n);
}

/* A new request in the batch (the previous ones sent first if it is full). */
static struct nlmsghdr *batch_req(struct batch *b, uint8_t cmd)
{
	struct nlmsghdr *nlh;

	if (b->n >= b->limit && batch_flush(b))
		return NULL;
	nlh = mice_msg_request(b->buf + b->len, b->nl->family_id, cmd, NLM_F_ACK,
			       ++b->nl->seq);
	b->n++;
	return nlh;
}

static void batch_done(struct batch *b, struct nlmsghdr *nlh)
{
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static int req_add(struct batch *b, uint32_t id)
{
	struct nlmsghdr *nlh = batch_req(b, MICE_CMD_GATE_ADD);
	struct nlattr *top;

	if (!nlh)
		return -1;
	top = mnl_attr_nest_start(nlh, MICE_A_GATE);
	mnl_attr_put_u32(nlh, MICE_GATE_A_ID, id);
	mnl_attr_put_u32(nlh, MICE_GATE_A_RATE, GATE_RATE);
	mnl_attr_put_u32(nlh, MICE_GATE_A_BURST, GATE_BURST);
	mnl_attr_put_u32(nlh, MICE_GATE_A_LIFETIME, MICE_GATE_TIMER_MAX);
	mnl_attr_put_u32(nlh, MICE_GATE_A_IDLE, 0);
	put_cls(nlh, id);
	mnl_attr_nest_end(nlh, top);
	batch_done(b, nlh);
	return 0;
}

/* A commit by GateID, or by @token (then with the classifier, no ID). */
static int req_commit(struct batch *b, uint32_t id, const char *token)
{
	struct nlmsghdr *nlh = batch_req(b, MICE_CMD_GATE_COMMIT);
	struct nlattr *top;

	if (!nlh)
		return -1;
	top = mnl_attr_nest_start(nlh, MICE_A_GATE);
	if (token) {
		mnl_attr_put_strz(nlh, MICE_GATE_A_TOKEN, token);
		put_cls(nlh, id);
	} else {
		mnl_attr_put_u32(nlh, MICE_GATE_A_ID, id);
	}
	put_flow(nlh, id);
	mnl_attr_nest_end(nlh, top);
	batch_done(b, nlh);
	return 0;
}

struct phase {
	const char *name;
	double t0, s0;
};

static void phase_start(struct phase *p, const char *name)
{
	p->name = name;
	p->t0 = now_s();
	p->s0 = sys_s();
}

static void phase_end(const struct phase *p, unsigned long long ops)
{
	double dt = now_s() - p->t0, ds = sys_s() - p->s0;

	printf("%s ops %llu seconds %.3f per_second %.0f sys_seconds %.3f\n",
	       p->name, ops, dt, dt > 0 ? ops / dt : 0.0, ds);
	fflush(stdout);
}

/* 0 if every answer was as expected; else reports the first other one. */
static int batch_check(const struct batch *b, const char *what)
{
	if (!b->bad)
		return 0;
	fprintf(stderr, "gatebatch: %s: %llu of %llu requests answered otherwise than %s; first: %s%s%s\n",
		what, b->bad, b->sent, b->expect ? strerror(-b->expect) : "success",
		b->first_err ? strerror(-b->first_err) : "success",
		b->first_msg[0] ? ": " : "", b->first_msg);
	return 1;
}

static int do_add(struct mice_nl *nl, uint32_t first, uint32_t count,
		  bool commit, unsigned int blimit)
{
	struct phase p;
	struct batch b;
	uint32_t i;

	batch_init(&b, nl, blimit, 0);
	phase_start(&p, commit ? "add+commit" : "add");
	for (i = 0; i < count; i++) {
		if (req_add(&b, first + i) ||
		    (commit && req_commit(&b, first + i, NULL)))
			return 1;
	}
	if (batch_flush(&b))
		return 1;
	phase_end(&p, b.sent);
	return batch_check(&b, p.name);
}

static int key_set(struct mice_nl *nl, const struct token_key *key)
{
	static char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;
	struct nlattr *top;
	int err;

	nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_KEY_SET, 0, 0);
	top = mnl_attr_nest_start(nlh, MICE_A_KEY);
	mnl_attr_put(nlh, MICE_KEY_A_SECRET, key->len, key->k);
	mnl_attr_nest_end(nlh, top);
	err = mice_nl_talk(nl, nlh, NULL, NULL);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (err)
		fprintf(stderr, "gatebatch: KEY_SET: %s %s\n", strerror(-err), nl->errmsg);
	return err ? 1 : 0;
}

/*
 * One timed phase: @count commits, GateID @first + i, by token @toks[i]
 * when @toks is not NULL, each answered @expect. Prints the phase line.
 */
static int commit_phase(struct mice_nl *nl, unsigned int blimit, int expect,
			const char *name, uint32_t first, uint32_t count,
			char (*toks)[MICE_TOKEN_HEX_LEN + 1])
{
	struct phase p;
	struct batch b;
	uint32_t i;

	batch_init(&b, nl, blimit, expect);
	phase_start(&p, name);
	for (i = 0; i < count; i++)
		if (req_commit(&b, first + i, toks ? toks[i] : NULL))
			return -1;
	if (batch_flush(&b))
		return -1;
	phase_end(&p, b.sent);
	return batch_check(&b, p.name);
}

static int do_tokens(struct mice_nl *nl, uint32_t first, uint32_t count,
		     const char *key_file, unsigned int blimit)
{
	char (*tok)[MICE_TOKEN_HEX_LEN + 1], (*forged)[MICE_TOKEN_HEX_LEN + 1];
	uint64_t expiry = (uint64_t)time(NULL) + 3600;
	struct mice_gate_classifier c;
	char err[TOKEN_ERR_LEN];
	struct token_key key;
	struct phase p;
	uint32_t i;
	int rc = 1;

	if (token_key_from_file(&key, key_file, err, sizeof(err))) {
		fprintf(stderr, "gatebatch: %s\n", err);
		return 2;
	}
	tok = calloc(count, sizeof(*tok));
	forged = calloc(count, sizeof(*forged));
	if (!tok || !forged) {
		fprintf(stderr, "gatebatch: out of memory\n");
		goto out;
	}
	if (key_set(nl, &key))
		goto out;

	/* plain: add (untimed here), then commit by GateID */
	if (do_add(nl, first, count, false, blimit))
		goto out;
	if (commit_phase(nl, blimit, 0, "plain", first, count, NULL))
		goto out;

	phase_start(&p, "mint");
	for (i = 0; i < count; i++) {
		uint32_t id = first + count + i;

		gate_cls(id, &c);
		if (token_mint(&key, id, expiry, &c, GATE_RATE, GATE_BURST, 0,
			       tok[i])) {
			fprintf(stderr, "gatebatch: minting failed\n");
			goto out;
		}
	}
	phase_end(&p, count);
	for (i = 0; i < count; i++) {
		uint32_t id = first + 2 * count + i;
		char *last = &forged[i][MICE_TOKEN_HEX_LEN - 1];

		gate_cls(id, &c);
		if (token_mint(&key, id, expiry, &c, GATE_RATE, GATE_BURST, 0,
			       forged[i]))
			goto out;
		*last = *last == '0' ? '1' : '0';
	}

	if (commit_phase(nl, blimit, 0, "token", first + count, count, tok) ||
	    commit_phase(nl, blimit, -EKEYREJECTED, "forged", first + 2 * count,
			 count, forged))
		goto out;
	rc = 0;
out:
	token_key_clear(&key);
	free(tok);
	free(forged);
	return rc;
}

static void usage(FILE *f)
{
	fputs("usage: gatebatch add --count N [--first-id ID] [--commit] [--batch B]\n"
	      "       gatebatch tokens --count M --key-file F [--first-id ID] [--batch B]\n",
	      f);
}

static int parse_u32(const char *opt, const char *s, unsigned long min,
		     unsigned long max, uint32_t *v)
{
	unsigned long x;
	char *end;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *s < '0' || *s > '9' || *end || x < min || x > max) {
		fprintf(stderr, "gatebatch: --%s '%s': want %lu..%lu\n", opt, s,
			min, max);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "first-id", required_argument, NULL, 'i' },
		{ "commit", no_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, 'b' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t count = 0, first = 1, blimit = 256;
	const char *key_file = NULL, *cmd;
	int rcvbuf = 16 << 20, opt, rc;
	bool commit = false;
	struct mice_nl nl;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (parse_u32("count", optarg, 1, 1u << 24, &count))
				return 2;
			break;
		case 'i':
			if (parse_u32("first-id", optarg, 1, 1u << 30, &first))
				return 2;
			break;
		case 'c':
			commit = true;
			break;
		case 'b':
			if (parse_u32("batch", optarg, 1, BATCH_MAX, &blimit))
				return 2;
			break;
		case 'k':
			key_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !count ||
	    (strcmp(cmd, "add") && strcmp(cmd, "tokens")) ||
	    (!strcmp(cmd, "tokens") && (!key_file || commit))) {
		usage(stderr);
		return 2;
	}
	rc = mice_nl_open(&nl);
	if (rc) {
		fprintf(stderr, "gatebatch: cannot reach the mice family: %s\n",
			strerror(-rc));
		return 1;
	}
	/* A batch's acks wait in the receive queue until it is sent whole. */
	if (setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)))
		setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	if (!strcmp(cmd, "add"))
		rc = do_add(&nl, first, count, commit, blimit);
	else
		rc = do_tokens(&nl, first, count, key_file, blimit);
	mice_nl_close(&nl);
	return rc;
}
