/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host candidates over rtnetlink (seed 004 s.1.1 item 1, s.4; RFC 8445
 * s.5.1.1.1) and the address watcher that drives ICE restarts on mobility
 * (seed 004 s.9: a subsequent offer when the addresses change).
 *
 * Gathering: one RTM_GETLINK dump (names, IFF_UP, IFF_LOOPBACK) and one
 * RTM_GETADDR dump (libmnl). An address is a usable host-candidate base
 * unless (gather_addr_usable() gives the reason):
 *  - its interface is down or a loopback, or its scope is host
 *    (RFC 8445 s.5.1.1.1: no loopback addresses);
 *  - it is IPv6 tentative or DAD-failed (not yet / never usable), or
 *    deprecated (unless opts.deprecated);
 *  - it is IPv6 link-local (unless opts.linklocal6), site-local
 *    (fec0::/10), IPv4-mapped or IPv4-compatible (RFC 8445 s.5.1.1.1);
 *  - it is flagged IFA_F_HOMEADDRESS: a Mobile IPv6 home address is
 *    reached through the Home Agent, which is the relayed path of M-ICE
 *    (seed 004 s.1.1 item 3), not a host candidate;
 *  - it is a non-temporary IPv6 address on an interface that also has a
 *    temporary (privacy, RFC 8981) address of the same prefix
 *    (RFC 8445 s.5.1.1.1, location tracking, RFC 7721).
 *
 * Ranking (RFC 8445 s.5.1.2.1, RFC 8421 s.4): local preference from
 * ice_local_pref(family, if_rank, addr_idx) (agent/candidate.h). if_rank is
 * the interface's position in opts.if_order, interfaces not listed come
 * after in ifindex order; addr_idx counts the usable addresses of that
 * family on that interface in dump order.
 *
 * Watching: a non-blocking NETLINK_ROUTE socket joined to
 * RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR. gather_watch_process()
 * reads what is queued (the daemon's single event loop calls it when the
 * fd is readable; no threads) and calls back once per RTM_NEWADDR /
 * RTM_DELADDR, with whether the address is usable. A socket overrun
 * (ENOBUFS) is reported as GATHER_EV_RESYNC: events were lost, gather
 * again.
 *
 * Routes (optional, gather_watch_routes()): the watcher also joins
 * RTNLGRP_IPV4_ROUTE and RTNLGRP_IPV6_ROUTE and reports every
 * RTM_NEWROUTE / RTM_DELROUTE as GATHER_EV_ROUTE (no address). After a
 * move the new address comes first and its route to the Home Agent
 * later; the daemon re-gathers once gather_route_src() finds that route
 * (seed 004 s.9), instead of after a fixed delay.
 */
#ifndef MICE_GATHER_H
#define MICE_GATHER_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidate.h"

struct nlmsghdr;
struct mnl_socket;

#define GATHER_MAX_ADDRS	128
#define GATHER_MAX_LINKS	64

struct gather_opts {
	uint16_t port;		/* the candidates' port (the bound socket) */
	uint8_t component;	/* 1 */
	bool deprecated;	/* include deprecated IPv6 addresses */
	bool linklocal6;	/* include IPv6 link-local addresses */
	bool no_ipv4, no_ipv6;
	const char *const *if_order;	/* preferred interfaces first */
	unsigned int n_if_order;
};

struct gather_addr {
	int ifindex;
	char ifname[IF_NAMESIZE];	/* "" when unknown */
	bool link_known;		/* ifflags valid */
	unsigned int ifflags;		/* IFF_* */
	struct ice_addr addr;		/* port 0 */
	uint8_t prefixlen;
	uint8_t scope;			/* RT_SCOPE_* */
	uint32_t flags;			/* IFA_F_* (IFA_FLAGS if present) */
};

struct gather_link {
	int ifindex;
	char ifname[IF_NAMESIZE];
	unsigned int ifflags;
};

/* Everything the dumps returned, usable or not. */
struct gather_result {
	unsigned int n;
	struct gather_addr a[GATHER_MAX_ADDRS];
	unsigned int n_links;
	struct gather_link l[GATHER_MAX_LINKS];
	unsigned int truncated;		/* addresses beyond GATHER_MAX_ADDRS */
};

void gather_opts_default(struct gather_opts *o, uint16_t port);

/* mnl_nlmsg_ok() that also refuses lengths of 2^31 and more. */
bool gather_nlmsg_ok(const struct nlmsghdr *nlh, int left);

/* Parses one RTM_NEWADDR/RTM_DELADDR. 0, or -1 with a reason. */
int gather_parse_addr(const struct nlmsghdr *nlh, struct gather_addr *a,
		      const char **why);
/* Parses one RTM_NEWLINK. 0, or -1 with a reason. */
int gather_parse_link(const struct nlmsghdr *nlh, struct gather_link *l,
		      const char **why);
/* Fills a's interface name and flags from @r's links, when known. */
void gather_attach_link(const struct gather_result *r, struct gather_addr *a);

/* Is @a a usable host-candidate base? (@r, if not NULL, is searched for a
 * temporary address of the same prefix.) Sets @why when not. */
bool gather_addr_usable(const struct gather_addr *a,
			const struct gather_result *r,
			const struct gather_opts *o, const char **why);

/* Live dumps. 0, or -errno with a message in @err. */
int gather_dump(struct gather_result *r, char *err, size_t errlen);

/*
 * Host candidates of every usable address in @r, ranked (see above), added
 * to @set (RFC 8445 s.5.1.3 pruning and the set's cap apply). Returns the
 * number added.
 */
unsigned int gather_host_from(const struct gather_result *r,
			      const struct gather_opts *o,
			      struct ice_cand_set *set);
/* gather_dump + gather_host_from. Returns the number added or -errno. */
int gather_host(const struct gather_opts *o, struct ice_cand_set *set,
		char *err, size_t errlen);

/* ---- the address-change watcher ---- */
enum gather_event {
	GATHER_EV_ADD,		/* RTM_NEWADDR: new or changed (e.g. DAD done) */
	GATHER_EV_DEL,		/* RTM_DELADDR */
	GATHER_EV_RESYNC,	/* events were lost; @a is NULL */
	GATHER_EV_ROUTE,	/* RTM_NEWROUTE/RTM_DELROUTE; @a is NULL */
};

typedef void (*gather_event_cb)(enum gather_event ev,
				const struct gather_addr *a, bool usable,
				const char *why, void *arg);

struct gather_watch {
	struct mnl_socket *nl;
	const struct gather_opts *opts;
	gather_event_cb cb;
	void *arg;
	bool resolve_names;	/* if_indextoname() for IPv6 events */
	bool routes;		/* report route changes (gather_watch_routes) */
	uint64_t events;
	uint64_t malformed;
	uint64_t overruns;
};

/* Opens and subscribes. 0 or -errno. */
int gather_watch_open(struct gather_watch *w, const struct gather_opts *o,
		      gather_event_cb cb, void *arg);
/* Also reports route changes (GATHER_EV_ROUTE). 0 or -errno. */
int gather_watch_routes(struct gather_watch *w);
int gather_watch_fd(const struct gather_watch *w);
/* Reads up to 64 queued datagrams without blocking; returns the number of
 * events delivered, or -errno (not -EAGAIN). */
int gather_watch_process(struct gather_watch *w);
/* Delivers the events of one received datagram (several nlmsgs); returns
 * how many. Used by gather_watch_process() and by tests. */
int gather_watch_feed(struct gather_watch *w, const void *buf, size_t len);
void gather_watch_close(struct gather_watch *w);
const char *gather_event_name(enum gather_event ev);

/*
 * The source address the kernel picks for a datagram to @dst (a route
 * lookup through a connected, unbound UDP socket; nothing is sent).
 * 0, or -errno: -ENETUNREACH when there is no route.
 */
int gather_route_src(const struct ice_addr *dst, struct ice_addr *src);

#endif /* MICE_GATHER_H */
