// SPDX-License-Identifier: GPL-2.0
/*
 * rawblast: a load generator for forwarding-capacity ("device under test")
 * benchmarks. It builds one Ethernet frame and sends copies of it out of an
 * interface as fast as one CPU can, from an AF_PACKET socket with
 * PACKET_QDISC_BYPASS, so no socket, routing or qdisc work of the sender's
 * own stack is paid per packet (RFC 2544 s.26.1 style: the tester offers
 * frames, the DUT forwards what it can), in sendmmsg batches of the same
 * frame. Not a PACKET_TX_RING: its skbs carry everything after the
 * Ethernet header as page fragments, which the DUT would then pay to
 * pull into the linear head; sendmmsg's small frames arrive linear, as a
 * NIC driver's copybreak would deliver them.
 *
 *   rawblast --dev IF --dst-mac MAC [--src-mac MAC]
 *            --src ADDR:PORT --dst ADDR:PORT [--size BYTES] [--ttl N]
 *            [--outer-src ADDR:PORT --outer-dst ADDR:PORT [--outer-csum]]
 *            (--seconds S [--batch N] [--rate PPS] | --dump)
 *   rawblast --soak --seconds S
 *
 * The frame is an IPv4/UDP datagram of --size payload bytes from --src to
 * --dst (checksums filled in). With --outer-src/--outer-dst that datagram
 * is carried as the payload of an outer IPv4/UDP datagram: the inner IP
 * header directly after the outer UDP header, which is what all three
 * tunnels of bench/fwd_bench_guest.sh take: the mice DATA class (seed 004
 * s.12, kmod/classify.c), FOU with ipproto 4 (ipip), and
 * tests/tools/udprelay, which writes the UDP payload to its tun device.
 * The outer UDP checksum is 0 (allowed for IPv4, RFC 768) unless
 * --outer-csum; a NIC would verify it in hardware, which TCG cannot model.
 *
 * --rate paces the batches to PPS frames a second (default: no pacing).
 * Prints "sent N stalls E seconds T pps R" (E: sendmmsg calls that sent
 * nothing) when done, after --seconds or on SIGTERM/SIGINT; --dump prints
 * the frame in hex and sends nothing.
 *
 * --soak sends nothing: it spins at SCHED_IDLE, counting loops, and
 * prints "REALTIME_US LOOPS" every 100 ms. Pinned to the DUT's CPU it
 * measures the CPU time the DUT leaves over (the "cyclesoak" method):
 * the kernel's tick-sampled busy times miss short softirq bursts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "toolarg.h"

#define PROG	"rawblast"

#define MAX_BATCH	1024
#define ETH_HDR		14
#define IP_HDR		20	/* RFC 791, no options */
#define UDP_HDR		8	/* RFC 768 */
#define MAX_IP_LEN	1500	/* the Ethernet MTU: what any packet may be */
#define FRAME_MAX	(ETH_HDR + MAX_IP_LEN)

struct endpoint {
	struct in_addr addr;
	uint16_t port;		/* host order */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: rawblast --dev IF --dst-mac MAC [--src-mac MAC]\n"
		"                --src ADDR:PORT --dst ADDR:PORT [--size BYTES] [--ttl N]\n"
		"                [--outer-src ADDR:PORT --outer-dst ADDR:PORT [--outer-csum]]\n"
		"                (--seconds S [--batch N] [--rate PPS] | --dump)\n"
		"       rawblast --soak --seconds S\n");
	return 2;
}

static int parse_endpoint(const char *name, const char *s, struct endpoint *ep)
{
	char buf[64], what[64], *colon;
	long port;

	if (strlen(s) >= sizeof(buf)) {
		fprintf(stderr, "rawblast: invalid %s '%s': too long\n", name, s);
		return -1;
	}
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (!colon) {
		fprintf(stderr, "rawblast: invalid %s '%s': expected "
			"IPV4-ADDRESS:PORT\n", name, s);
		return -1;
	}
	*colon = '\0';
	if (inet_pton(AF_INET, buf, &ep->addr) != 1) {
		fprintf(stderr, "rawblast: invalid %s '%s': '%s' is not an IPv4 "
			"address\n", name, s, buf);
		return -1;
	}
	snprintf(what, sizeof(what), "%s port", name);
	if (tool_parse_num(PROG, what, colon + 1, 1, 65535, &port))
		return -1;
	ep->port = (uint16_t)port;
	return 0;
}

static int parse_mac(const char *name, const char *s, unsigned char mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6) {
		fprintf(stderr, "rawblast: invalid %s '%s': expected "
			"xx:xx:xx:xx:xx:xx\n", name, s);
		return -1;
	}
	for (i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	return 0;
}

static void put16(unsigned char *p, unsigned int v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/*
 * --soak: spin until --seconds are up or a signal, counting loops, at
 * SCHED_IDLE, so it runs only when nothing else wants the CPU. Every
 * 100 ms of its own running it prints "REALTIME_US LOOPS"; a reader takes
 * the rate between two lines (a line is late when the CPU had no time
 * left over, and its timestamp says so).
 */
static int soak(long seconds)
{
	static volatile unsigned long spin;
	struct sched_param sp = { .sched_priority = 0 };
	unsigned long loops = 0, k;
	double start = now_s(), end = start + (double)seconds, t, next = start;
	struct timespec rt;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (t = start; t < end && !stop; t = now_s()) {
		if (t >= next) {
			clock_gettime(CLOCK_REALTIME, &rt);
			printf("%lld %lu\n", (long long)rt.tv_sec * 1000000 +
			       rt.tv_nsec / 1000, loops);
			fflush(stdout);
			if (next == start &&
			    sched_setscheduler(0, SCHED_IDLE, &sp) < 0) {
				perror("rawblast: SCHED_IDLE");
				return 1;
			}
			next = t + 0.1;
		}
		for (k = 0; k < 4096; k++)
			spin++;
		loops += k;
	}
	return 0;
}

/* RFC 1071: the ones' complement sum of 16-bit words, not yet inverted. */
static uint32_t sum16(const unsigned char *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * An IPv4 header (RFC 791 s.3.1: DF, ID 0, no options) and a UDP header
 * (RFC 768) at p, for a UDP payload of plen bytes already in place after
 * them. Returns the IP packet's length.
 */
static size_t build_ipudp(unsigned char *p, const struct endpoint *src,
			  const struct endpoint *dst, size_t plen, int ttl,
			  int udp_csum)
{
	unsigned char *udp = p + IP_HDR;
	size_t ulen = UDP_HDR + plen, tot = IP_HDR + ulen;
	unsigned char pseudo[12];
	uint16_t c;

	memset(p, 0, IP_HDR + UDP_HDR);
	p[0] = 0x45;
	put16(p + 2, (unsigned int)tot);
	p[6] = 0x40;			/* DF */
	p[8] = (unsigned char)ttl;
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, &src->addr, 4);
	memcpy(p + 16, &dst->addr, 4);
	put16(p + 10, fold(sum16(p, IP_HDR, 0)));

	put16(udp, src->port);
	put16(udp + 2, dst->port);
	put16(udp + 4, (unsigned int)ulen);
	if (udp_csum) {
		/* RFC 768: over a pseudo header, the UDP header and data */
		memcpy(pseudo, p + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = IPPROTO_UDP;
		put16(pseudo + 10, (unsigned int)ulen);
		c = fold(sum16(udp, ulen, sum16(pseudo, sizeof(pseudo), 0)));
		put16(udp + 6, c ? c : 0xffff);	/* 0 means "none" */
	}
	return tot;
}

int main(int argc, char **argv)
{
	enum { O_DEV = 1, O_DST_MAC, O_SRC_MAC, O_SRC, O_DST, O_SIZE, O_TTL,
	       O_OSRC, O_ODST, O_OCSUM, O_SECONDS, O_BATCH, O_RATE, O_DUMP, O_SOAK };
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, O_DEV },
		{ "dst-mac", required_argument, NULL, O_DST_MAC },
		{ "src-mac", required_argument, NULL, O_SRC_MAC },
		{ "src", required_argument, NULL, O_SRC },
		{ "dst", required_argument, NULL, O_DST },
		{ "size", required_argument, NULL, O_SIZE },
		{ "ttl", required_argument, NULL, O_TTL },
		{ "outer-src", required_argument, NULL, O_OSRC },
		{ "outer-dst", required_argument, NULL, O_ODST },
		{ "outer-csum", no_argument, NULL, O_OCSUM },
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "rate", required_argument, NULL, O_RATE },
		{ "dump", no_argument, NULL, O_DUMP },
		{ "soak", no_argument, NULL, O_SOAK },
		{ NULL, 0, NULL, 0 },
	};
	static unsigned char frame[FRAME_MAX];
	static struct mmsghdr msgs[MAX_BATCH];
	struct endpoint src, dst, osrc, odst;
	int have_src = 0, have_dst = 0, have_osrc = 0, have_odst = 0;
	int have_dmac = 0, have_smac = 0, outer_csum = 0, dump = 0, do_soak = 0;
	int nopts = 0;
	long size = 64, ttl = 64, seconds = 0, batch = 64, rate = 0;
	unsigned char dmac[6], smac[6];
	const char *dev = NULL;
	unsigned long sent = 0, stalls = 0;
	struct sockaddr_ll sll;
	size_t inner_len, ip_len, frame_len, max_size;
	struct iovec iov;
	double start, end, t;
	unsigned char *ip;
	int c, fd, one = 1, sndbuf = 4 << 20;
	long i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int bad = 0;

		if (c != O_SOAK && c != O_SECONDS)
			nopts++;
		switch (c) {
		case O_SOAK:
			do_soak = 1;
			break;
		case O_DEV:
			dev = optarg;
			break;
		case O_DST_MAC:
			bad = parse_mac("--dst-mac", optarg, dmac);
			have_dmac = 1;
			break;
		case O_SRC_MAC:
			bad = parse_mac("--src-mac", optarg, smac);
			have_smac = 1;
			break;
		case O_SRC:
			bad = parse_endpoint("--src", optarg, &src);
			have_src = 1;
			break;
		case O_DST:
			bad = parse_endpoint("--dst", optarg, &dst);
			have_dst = 1;
			break;
		case O_OSRC:
			bad = parse_endpoint("--outer-src", optarg, &osrc);
			have_osrc = 1;
			break;
		case O_ODST:
			bad = parse_endpoint("--outer-dst", optarg, &odst);
			have_odst = 1;
			break;
		case O_SIZE:
			bad = tool_parse_num(PROG, "--size", optarg, 0, MAX_IP_LEN, &size);
			break;
		case O_TTL:
			bad = tool_parse_num(PROG, "--ttl", optarg, 1, 255, &ttl);
			break;
		case O_OCSUM:
			outer_csum = 1;
			break;
		case O_SECONDS:
			bad = tool_parse_num(PROG, "--seconds", optarg, 1, 3600, &seconds);
			break;
		case O_BATCH:
			bad = tool_parse_num(PROG, "--batch", optarg, 1, MAX_BATCH, &batch);
			break;
		case O_RATE:
			bad = tool_parse_num(PROG, "--rate", optarg, 1, 100000000, &rate);
			break;
		case O_DUMP:
			dump = 1;
			break;
		default:
			return usage();
		}
		if (bad)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "rawblast: unexpected argument '%s'\n", argv[optind]);
		return usage();
	}
	if (do_soak) {
		if (nopts || !seconds) {
			fprintf(stderr, "rawblast: --soak takes --seconds and "
				"nothing else\n");
			return usage();
		}
		return soak(seconds);
	}
	if (!dev || !have_dmac || !have_src || !have_dst) {
		fprintf(stderr, "rawblast: --dev, --dst-mac, --src and --dst are "
			"required\n");
		return usage();
	}
	if (have_osrc != have_odst) {
		fprintf(stderr, "rawblast: --outer-src and --outer-dst go together\n");
		return usage();
	}
	if (outer_csum && !have_osrc) {
		fprintf(stderr, "rawblast: --outer-csum needs --outer-src and "
			"--outer-dst\n");
		return usage();
	}
	if (rate && !seconds) {
		fprintf(stderr, "rawblast: --rate needs --seconds\n");
		return usage();
	}
	if (dump == !!seconds) {
		fprintf(stderr, "rawblast: give exactly one of --seconds and --dump\n");
		return usage();
	}
	max_size = MAX_IP_LEN - IP_HDR - UDP_HDR -
		   (have_osrc ? IP_HDR + UDP_HDR : 0);
	if ((size_t)size > max_size) {
		fprintf(stderr, "rawblast: --size %ld: the %s packet would exceed "
			"%d bytes; at most %zu\n", size,
			have_osrc ? "outer" : "IP", MAX_IP_LEN, max_size);
		return 2;
	}

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex(dev);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "rawblast: no interface '%s'\n", dev);
		return 2;
	}
	/*
	 * Protocol 0, here and in bind(): the socket only sends, it is handed
	 * no received frames; each send names ETH_P_IP in its address.
	 */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("rawblast: socket(AF_PACKET)");
		return 1;
	}
	if (!have_smac) {
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
			perror("rawblast: SIOCGIFHWADDR");
			return 1;
		}
		if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
			fprintf(stderr, "rawblast: '%s' is not an Ethernet "
				"interface\n", dev);
			return 2;
		}
		memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	}

	/* Ethernet, [outer IPv4 + UDP,] inner IPv4 + UDP + payload */
	memcpy(frame, dmac, 6);
	memcpy(frame + 6, smac, 6);
	put16(frame + 12, ETH_P_IP);
	ip = frame + ETH_HDR;
	inner_len = IP_HDR + UDP_HDR + (size_t)size;
	if (have_osrc) {
		unsigned char *inner = ip + IP_HDR + UDP_HDR;

		for (i = 0; i < size; i++)
			inner[IP_HDR + UDP_HDR + i] = (unsigned char)i;
		build_ipudp(inner, &src, &dst, (size_t)size, (int)ttl, 1);
		ip_len = build_ipudp(ip, &osrc, &odst, inner_len, 64, outer_csum);
	} else {
		for (i = 0; i < size; i++)
			ip[IP_HDR + UDP_HDR + i] = (unsigned char)i;
		ip_len = build_ipudp(ip, &src, &dst, (size_t)size, (int)ttl, 1);
	}
	frame_len = ETH_HDR + ip_len;

	if (dump) {
		size_t k;

		for (k = 0; k < frame_len; k++)
			printf("%02x%s", frame[k], k + 1 == frame_len ? "\n" : "");
		close(fd);
		return 0;
	}

	sll.sll_protocol = 0;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("rawblast: bind");
		return 1;
	}
	sll.sll_protocol = htons(ETH_P_IP);
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0) {
		perror("rawblast: PACKET_QDISC_BYPASS");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

	/* every message of a batch is the same frame */
	iov.iov_base = frame;
	iov.iov_len = frame_len;
	for (i = 0; i < batch; i++) {
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	start = now_s();
	end = start + (double)seconds;
	for (t = start; t < end && !stop; t = now_s()) {
		int n;

		if (rate) {
			/* the next batch is due when the last one's time is up */
			double due = start + (double)sent / (double)rate;
			struct timespec ts;

			if (due > t) {
				ts.tv_sec = (time_t)(due - t);
				ts.tv_nsec = (long)((due - t - (double)ts.tv_sec) * 1e9);
				nanosleep(&ts, NULL);
				continue;
			}
		}
		n = sendmmsg(fd, msgs, (unsigned int)batch, 0);
		if (n > 0) {
			sent += (unsigned long)n;
		} else if (n == 0 || errno == ENOBUFS || errno == EAGAIN ||
			   errno == EINTR) {
			stalls++;	/* the device refused a frame: go on */
		} else {
			perror("rawblast: sendmmsg");
			close(fd);
			return 1;
		}
	}
	close(fd);
	printf("sent %lu stalls %lu seconds %.3f pps %.0f\n", sent, stalls,
	       t - start, (double)sent / (t - start));
	return 0;
}
