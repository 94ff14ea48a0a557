/* SPDX-License-Identifier: GPL-2.0 */
/* A generic-netlink channel to the mice module, over libmnl. */
#ifndef MICE_NL_H
#define MICE_NL_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* Room for one request; replies use a larger buffer inside nl.c. */
#define MICE_NL_MSGBUF 8192

struct mice_nl {
	struct mnl_socket *sock;
	uint16_t family_id;
	uint32_t events_group;		/* 0 when the kernel has none */
	uint32_t seq;
	char errmsg[256];		/* the kernel's extack message, if any */
};

/*
 * Opens the channel and resolves the "mice" family. Returns 0, or a
 * negative errno: -ENOENT means the module is not loaded.
 */
int mice_nl_open(struct mice_nl *nl);
void mice_nl_close(struct mice_nl *nl);

/*
 * Sends @nlh (its seq is set here) and runs @cb on every reply until the
 * final ACK or NLMSG_DONE. Returns 0 or a negative errno; the kernel's
 * extended-ack message lands in nl->errmsg.
 */
int mice_nl_talk(struct mice_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data);

/* Joins the "events" multicast group. */
int mice_nl_join_events(struct mice_nl *nl);

/* The fd to poll for events. */
int mice_nl_fd(const struct mice_nl *nl);

/* Reads one batch of events and runs @cb on each; returns as mnl_cb_run. */
int mice_nl_read_events(struct mice_nl *nl, mnl_cb_t cb, void *data);

#endif /* MICE_NL_H */
