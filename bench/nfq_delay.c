// SPDX-License-Identifier: GPL-2.0
/*
 * A fixed delay line for a network namespace whose kernel has no
 * sch_netem (this development machine's kernel cannot load modules):
 * every packet an iptables NFQUEUE rule hands to queue N is accepted
 * again (NF_ACCEPT) D ms after it arrived here, in arrival order.
 * bench/ice_bench.sh uses it on the output path of both namespaces when
 * `tc qdisc add ... netem` fails. libmnl only (nfnetlink_queue, metadata
 * copy mode: the packet's bytes never come to userspace).
 *
 *   nfq_delay --queue N --delay-ms D [--timeout S]
 *
 * Runs until SIGTERM/SIGINT or the timeout; prints "nfq_delay: N packets"
 * on stderr at exit. Add the rule with --queue-bypass, so that packets
 * pass undelayed when no nfq_delay listens.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

#define RING	8192

static volatile sig_atomic_t stop;
static struct mnl_socket *nl;
static uint16_t queue;
static double delay_ms;

static struct {
	uint32_t id;
	double due;
} ring[RING];
static unsigned int head, count;
static unsigned long long delayed, overflow;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static struct nlmsghdr *nfq_hdr(char *buf, int type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(queue);
	return nlh;
}

/* Sends a config message and waits for its ACK. */
static int config(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int seq = (unsigned int)time(NULL);
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -1;
	return mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), NULL,
			  NULL) < 0 ? -1 : 0;
}

static void verdict(uint32_t id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_hdr(buf, NFQNL_MSG_VERDICT);
	struct nfqnl_msg_verdict_hdr vh = {
		.verdict = htonl(NF_ACCEPT),
		.id = htonl(id),
	};

	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		perror("nfq_delay: verdict");
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, NFQA_MAX) > 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static int packet_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFQA_MAX + 1] = { 0 };
	const struct nfqnl_msg_packet_hdr *ph;
	uint32_t id;

	(void)data;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb) < 0 ||
	    !tb[NFQA_PACKET_HDR] ||
	    mnl_attr_get_payload_len(tb[NFQA_PACKET_HDR]) < sizeof(*ph))
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(tb[NFQA_PACKET_HDR]);
	id = ntohl(ph->packet_id);
	if (count == RING) {
		/* full: let it through at once rather than lose it */
		overflow++;
		verdict(id);
		return MNL_CB_OK;
	}
	ring[(head + count) % RING].id = id;
	ring[(head + count) % RING].due = now_ms() + delay_ms;
	count++;
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	struct nfqnl_msg_config_params params = {
		.copy_range = htonl(0),
		.copy_mode = NFQNL_COPY_META,
	};
	struct nlmsghdr *nlh;
	double end = 0;
	int i, fd;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--queue"))
			queue = (uint16_t)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--delay-ms"))
			delay_ms = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--timeout"))
			end = now_ms() + atof(argv[i + 1]) * 1e3;
		else
			break;
	}
	if (i != argc) {
		fprintf(stderr, "usage: nfq_delay --queue N --delay-ms D "
			"[--timeout S]\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nfq_delay: netlink");
		return 1;
	}
	nlh = nfq_hdr(buf, NFQNL_MSG_CONFIG);
	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	if (config(nlh)) {
		perror("nfq_delay: bind queue");
		return 1;
	}
	nlh = nfq_hdr(buf, NFQNL_MSG_CONFIG);
	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(RING));
	if (config(nlh)) {
		perror("nfq_delay: queue parameters");
		return 1;
	}
	fd = mnl_socket_get_fd(nl);
	while (!stop && (!end || now_ms() < end)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 100000000 };
		double t = now_ms();
		ssize_t n;

		while (count && ring[head].due <= t) {
			verdict(ring[head].id);
			head = (head + 1) % RING;
			count--;
			delayed++;
		}
		if (count) {
			double w = ring[head].due - t;

			ts.tv_sec = (time_t)(w / 1e3);
			ts.tv_nsec = (long)((w - (double)ts.tv_sec * 1e3) * 1e6);
		}
		if (ppoll(&p, 1, &ts, NULL) <= 0)
			continue;
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == ENOBUFS)
				continue;
			perror("nfq_delay: recv");
			break;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, packet_cb, NULL);
	}
	/* what is still held goes out now */
	while (count) {
		verdict(ring[head].id);
		head = (head + 1) % RING;
		count--;
	}
	fprintf(stderr, "nfq_delay: %llu packets delayed %.1f ms, %llu "
		"passed undelayed (ring full)\n", delayed, delay_ms, overflow);
	mnl_socket_close(nl);
	return 0;
}
