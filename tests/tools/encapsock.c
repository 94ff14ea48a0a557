// SPDX-License-Identifier: GPL-2.0
/*
 * encapsock: what attaching to the module does to a UDP socket, seen from
 * its owner (docs/security.md, "The module: attach, detach and unload").
 *
 *   encapsock restore --port P
 *       binds 127.0.0.1:P, prints the socket's state (getsockopt UDP_ENCAP
 *       and IP_MULTICAST_LOOP) before attach, attached and after a
 *       SOCK_DETACH, then sends itself a datagram that is neither STUN
 *       nor a mobility header nor data (the module drops those) and
 *       waits 2 s for it. Lines:
 *         before encap=E mc_loop=L
 *         attached id=N encap=E mc_loop=L
 *         detached encap=E mc_loop=L
 *         plain-datagram received|lost
 *       Exit 0 when detached equals before, attached shows
 *       MICE_UDP_ENCAP_TYPE and the datagram came through.
 *
 *   encapsock churn --rounds N --port P [--seconds S]
 *       N times (or until S seconds passed): open the genl family, bind
 *       127.0.0.1:P, attach, send one datagram through it, close. Meant
 *       to race rmmod/insmod: a missing family or a refused attach while
 *       the module goes counts as "absent". Prints
 *         rounds R attached A absent B failed F
 *       and exits 0 when F is 0.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "../../agent/nl.h"
#include "../../agent/nlmsg.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif

static int bind_loopback(int port, struct sockaddr_in *sin)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)sin, sizeof(*sin))) {
		perror("encapsock: bind");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void sock_state(int fd, int *encap, int *mc_loop)
{
	socklen_t len = sizeof(*encap);

	*encap = -1;
	*mc_loop = -1;
	getsockopt(fd, IPPROTO_UDP, UDP_ENCAP, encap, &len);
	len = sizeof(*mc_loop);
	getsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, mc_loop, &len);
}

static int on_reply(const struct nlmsghdr *nlh, void *data)
{
	const char *why = NULL;

	return mice_msg_parse_sock(nlh, data, &why) ? MNL_CB_ERROR : MNL_CB_OK;
}

/* 0 and the socket's ID, or a negative errno. */
static int attach_fd(struct mice_nl *nl, int fd, uint32_t *id)
{
	char buf[MICE_NL_MSGBUF];
	struct mice_sock_info si;
	struct nlmsghdr *nlh;
	int err;

	memset(&si, 0, sizeof(si));
	nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_SOCK_ATTACH, 0, 0);
	mice_msg_put_sock_fd(nlh, (uint32_t)fd);
	err = mice_nl_talk(nl, nlh, on_reply, &si);
	*id = si.id;
	return err;
}

static int detach_id(struct mice_nl *nl, uint32_t id)
{
	char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;

	nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_SOCK_DETACH, 0, 0);
	mice_msg_put_sock_id(nlh, id);
	return mice_nl_talk(nl, nlh, NULL, NULL);
}

static int cmd_restore(int port)
{
	int e0, l0, e1, l1, e2, l2, fd, err, ok;
	static const char garbage[] = "plain datagram, not for the module";
	struct sockaddr_in sin;
	struct mice_nl nl;
	struct pollfd pfd;
	char rx[128];
	uint32_t id = 0;

	err = mice_nl_open(&nl);
	if (err) {
		fprintf(stderr, "encapsock: genl: %s\n", strerror(-err));
		return 1;
	}
	fd = bind_loopback(port, &sin);
	if (fd < 0)
		return 1;
	sock_state(fd, &e0, &l0);
	printf("before encap=%d mc_loop=%d\n", e0, l0);
	err = attach_fd(&nl, fd, &id);
	if (err) {
		fprintf(stderr, "encapsock: attach: %s %s\n", strerror(-err),
			nl.errmsg);
		return 1;
	}
	sock_state(fd, &e1, &l1);
	printf("attached id=%u encap=%d mc_loop=%d\n", id, e1, l1);
	err = detach_id(&nl, id);
	if (err) {
		fprintf(stderr, "encapsock: detach: %s %s\n", strerror(-err),
			nl.errmsg);
		return 1;
	}
	sock_state(fd, &e2, &l2);
	printf("detached encap=%d mc_loop=%d\n", e2, l2);
	mice_nl_close(&nl);

	sendto(fd, garbage, sizeof(garbage), 0, (struct sockaddr *)&sin,
	       sizeof(sin));
	pfd.fd = fd;
	pfd.events = POLLIN;
	ok = poll(&pfd, 1, 2000) == 1 &&
	     recv(fd, rx, sizeof(rx), 0) == (ssize_t)sizeof(garbage);
	printf("plain-datagram %s\n", ok ? "received" : "lost");
	close(fd);
	return e1 == MICE_UDP_ENCAP_TYPE && e2 == e0 && l2 == l0 && ok ? 0 : 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Answers of a module that is going or gone: not a failure of the test. */
static int gone(int err)
{
	return err == -ENOENT || err == -EOPNOTSUPP || err == -ENODEV;
}

static int cmd_churn(unsigned long rounds, int port, double seconds)
{
	unsigned long r, attached = 0, absent = 0, failed = 0;
	static const char ping[] = "churn";
	double end = now_s() + seconds;
	struct sockaddr_in sin;
	struct mice_nl nl;
	uint32_t id;
	int fd, err;

	for (r = 0; r < rounds && now_s() < end; r++) {
		err = mice_nl_open(&nl);
		if (err) {
			if (gone(err)) {
				absent++;
				usleep(2000);
			} else {
				failed++;
				fprintf(stderr, "round %lu: genl: %s\n", r,
					strerror(-err));
			}
			continue;
		}
		fd = bind_loopback(port, &sin);
		if (fd < 0) {
			failed++;
			mice_nl_close(&nl);
			continue;
		}
		err = attach_fd(&nl, fd, &id);
		if (!err) {
			attached++;
			sendto(fd, ping, sizeof(ping), 0,
			       (struct sockaddr *)&sin, sizeof(sin));
		} else if (gone(err)) {
			absent++;
		} else {
			failed++;
			fprintf(stderr, "round %lu: attach: %s %s\n", r,
				strerror(-err), nl.errmsg);
		}
		/* The race: this close() against rmmod. */
		close(fd);
		mice_nl_close(&nl);
	}
	printf("rounds %lu attached %lu absent %lu failed %lu\n", r, attached,
	       absent, failed);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long rounds = 1000;
	double seconds = 120;
	int i, port = 0;

	for (i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
	}
	if (argc < 2 || port <= 0 || port > 65535) {
		fprintf(stderr, "usage: encapsock restore|churn --port P [--rounds N] [--seconds S]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "restore"))
		return cmd_restore(port);
	if (!strcmp(argv[1], "churn"))
		return cmd_churn(rounds, port, seconds);
	fprintf(stderr, "encapsock: unknown command %s\n", argv[1]);
	return 2;
}
