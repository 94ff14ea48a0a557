// SPDX-License-Identifier: GPL-2.0
/*
 * nlprobe: sends deliberately bad or conflicting requests to the "mice"
 * genl family and checks the kernel's answer: the errno and that an
 * extended-ack message explains it. One case per run:
 *
 *   nlprobe CASE     exit 0 when the answer was the expected one
 *
 * It prints "CASE: errno=N (name) extack='...'" either way.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "../../agent/nl.h"
#include "../../agent/nlmsg.h"

static int udp_socket(int family, int v6only, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, SOCK_DGRAM, 0);

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = family;
	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		len = sizeof(struct sockaddr_in6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	}
	if (bind(fd, (struct sockaddr *)&ss, len))
		perror("nlprobe: bind");
	return fd;
}

static int attach_fd(struct mice_nl *nl, int fd)
{
	char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;

	nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_SOCK_ATTACH, 0, 0);
	mice_msg_put_sock_fd(nlh, (uint32_t)fd);
	return mice_nl_talk(nl, nlh, NULL, NULL);
}

/* Runs @name; returns the kernel's answer. */
static int run_case(struct mice_nl *nl, const char *name, int *expect)
{
	char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int fd, err;

	*expect = -EINVAL;
	nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_SOCK_ATTACH, 0, 0);
	if (!strcmp(name, "attach-no-sock")) {
		/* no MICE_A_SOCK at all */
	} else if (!strcmp(name, "attach-fd-u16")) {
		nest = mnl_attr_nest_start(nlh, MICE_A_SOCK);
		mnl_attr_put_u16(nlh, MICE_SOCK_A_FD, 3);
		mnl_attr_nest_end(nlh, nest);
	} else if (!strcmp(name, "attach-unknown-attr")) {
		nest = mnl_attr_nest_start(nlh, MICE_A_SOCK);
		mnl_attr_put_u32(nlh, MICE_SOCK_A_FD, 0);
		mnl_attr_put_u32(nlh, MICE_SOCK_A_ID, 1);	/* not for attach */
		mnl_attr_nest_end(nlh, nest);
	} else if (!strcmp(name, "attach-sock-not-nested")) {
		mnl_attr_put_u32(nlh, MICE_A_SOCK, 3);
	} else if (!strcmp(name, "attach-empty-nest")) {
		nest = mnl_attr_nest_start(nlh, MICE_A_SOCK);
		mnl_attr_nest_end(nlh, nest);
	} else if (!strcmp(name, "attach-tcp")) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		return attach_fd(nl, fd);
	} else if (!strcmp(name, "attach-v6-dual-stack")) {
		fd = udp_socket(AF_INET6, 0, 0);
		return attach_fd(nl, fd);
	} else if (!strcmp(name, "attach-not-socket")) {
		*expect = -ENOTSOCK;
		return attach_fd(nl, 0 /* stdin, not a socket */);
	} else if (!strcmp(name, "attach-bad-fd")) {
		*expect = -EBADF;
		return attach_fd(nl, 987654);
	} else if (!strcmp(name, "attach-twice")) {
		fd = udp_socket(AF_INET, 0, 0);
		err = attach_fd(nl, fd);
		if (err) {
			printf("first attach failed: %d\n", err);
			return err;
		}
		*expect = -EBUSY;
		return attach_fd(nl, fd);
	} else if (!strcmp(name, "attach-limit")) {
		int i;

		/* the per-netns table is bounded */
		for (i = 0; i < MICE_MAX_SOCKETS_PER_NETNS; i++) {
			err = attach_fd(nl, udp_socket(AF_INET, 0, 0));
			if (err) {
				printf("attach %d failed early: %d\n", i, err);
				return err;
			}
		}
		*expect = -ENOSPC;
		return attach_fd(nl, udp_socket(AF_INET, 0, 0));
	} else if (!strcmp(name, "detach-id-zero")) {
		/* policy ranges answer ERANGE, the kernel's convention */
		*expect = -ERANGE;
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_SOCK_DETACH,
				       0, 0);
		mice_msg_put_sock_id(nlh, 0);
	} else if (!strcmp(name, "detach-unknown-id")) {
		*expect = -ENOENT;
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_SOCK_DETACH,
				       0, 0);
		mice_msg_put_sock_id(nlh, 0x7fffffff);
	} else if (!strcmp(name, "stats-with-attr")) {
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_STATS_GET,
				       0, 0);
		mnl_attr_put_u32(nlh, MICE_A_MODE, 1);
	} else if (!strcmp(name, "unknown-command")) {
		*expect = -EOPNOTSUPP;
		nlh = mice_msg_request(buf, nl->family_id, MICE_CMD_MAX + 1,
				       0, 0);
	} else {
		fprintf(stderr, "nlprobe: unknown case '%s'\n", name);
		*expect = 1;
		return 0;
	}
	return mice_nl_talk(nl, nlh, NULL, NULL);
}

int main(int argc, char **argv)
{
	struct mice_nl nl;
	int err, expect;

	if (argc != 2) {
		fprintf(stderr, "usage: nlprobe CASE\n");
		return 2;
	}
	err = mice_nl_open(&nl);
	if (err) {
		fprintf(stderr, "nlprobe: cannot reach the mice family: %s\n",
			strerror(-err));
		return 2;
	}
	err = run_case(&nl, argv[1], &expect);
	printf("%s: errno=%d (%s) extack='%s'\n", argv[1], -err,
	       err ? strerror(-err) : "ok", nl.errmsg);
	mice_nl_close(&nl);
	if (err != expect)
		return 1;
	/* Policy and lookup rejections must say why (extack). */
	if ((err == -EINVAL || err == -ERANGE || err == -EBUSY ||
	     err == -ENOENT || err == -ENOSPC) && !nl.errmsg[0])
		return 1;
	return 0;
}
