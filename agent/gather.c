// SPDX-License-Identifier: GPL-2.0
/* Host candidates over rtnetlink and the address watcher; see gather.h. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gather.h"

/* 32 KiB: a dump datagram is at most a page or two; the rest is room
 * for the larger ones big machines send. */
#define GATHER_RECV_BUF (32 * 1024)

#ifndef IFA_F_HOMEADDRESS
#define IFA_F_HOMEADDRESS 0x10
#endif

void gather_opts_default(struct gather_opts *o, uint16_t port)
{
	memset(o, 0, sizeof(*o));
	o->port = port;
	o->component = 1;
}

struct attr_tab {
	const struct nlattr *tb[IFA_MAX > IFLA_MAX ? IFA_MAX + 1 : IFLA_MAX + 1];
	int max;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attr_tab *t = data;
	int type = mnl_attr_get_type(attr);

	if (type <= t->max && !t->tb[type])
		t->tb[type] = attr;
	return MNL_CB_OK;
}

static void copy_name(char *dst, const struct nlattr *a)
{
	size_t n = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	if (n > IF_NAMESIZE - 1)
		n = IF_NAMESIZE - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

int gather_parse_addr(const struct nlmsghdr *nlh, struct gather_addr *a,
		      const char **why)
{
	struct attr_tab t;
	const struct ifaddrmsg *ifa;
	const struct nlattr *ad;
	size_t alen;

	memset(a, 0, sizeof(*a));
	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR) {
		*why = "not an address message";
		return -1;
	}
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifa)) {
		*why = "shorter than struct ifaddrmsg";
		return -1;
	}
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	alen = ifa->ifa_family == AF_INET ? 4 : 16;
	memset(&t, 0, sizeof(t));
	t.max = IFA_MAX;
	if (mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &t) != MNL_CB_OK) {
		*why = "malformed attributes";
		return -1;
	}
	/* IFA_LOCAL is the local address; IFA_ADDRESS is the peer's on a
	 * point-to-point link and the local one otherwise. */
	ad = t.tb[IFA_LOCAL] ? t.tb[IFA_LOCAL] : t.tb[IFA_ADDRESS];
	if (!ad) {
		*why = "no IFA_LOCAL or IFA_ADDRESS";
		return -1;
	}
	if (mnl_attr_get_payload_len(ad) != alen) {
		*why = "address attribute of the wrong length";
		return -1;
	}
	ice_addr_set(&a->addr, ifa->ifa_family, mnl_attr_get_payload(ad), 0);
	a->ifindex = (int)ifa->ifa_index;
	a->prefixlen = ifa->ifa_prefixlen;
	a->scope = ifa->ifa_scope;
	a->flags = ifa->ifa_flags;
	if (t.tb[IFA_FLAGS]) {
		if (mnl_attr_validate(t.tb[IFA_FLAGS], MNL_TYPE_U32) < 0) {
			*why = "IFA_FLAGS is not a u32";
			return -1;
		}
		a->flags = mnl_attr_get_u32(t.tb[IFA_FLAGS]);
	}
	if (t.tb[IFA_LABEL])
		copy_name(a->ifname, t.tb[IFA_LABEL]);
	if (a->prefixlen > alen * 8) {
		*why = "prefix length larger than the address";
		return -1;
	}
	return 0;
}

int gather_parse_link(const struct nlmsghdr *nlh, struct gather_link *l,
		      const char **why)
{
	struct attr_tab t;
	const struct ifinfomsg *ifi;

	memset(l, 0, sizeof(*l));
	if (nlh->nlmsg_type != RTM_NEWLINK) {
		*why = "not a link message";
		return -1;
	}
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifi)) {
		*why = "shorter than struct ifinfomsg";
		return -1;
	}
	ifi = mnl_nlmsg_get_payload(nlh);
	memset(&t, 0, sizeof(t));
	t.max = IFLA_MAX;
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, &t) != MNL_CB_OK) {
		*why = "malformed attributes";
		return -1;
	}
	l->ifindex = ifi->ifi_index;
	l->ifflags = ifi->ifi_flags;
	if (t.tb[IFLA_IFNAME])
		copy_name(l->ifname, t.tb[IFLA_IFNAME]);
	return 0;
}

void gather_attach_link(const struct gather_result *r, struct gather_addr *a)
{
	unsigned int i;

	for (i = 0; i < r->n_links; i++) {
		if (r->l[i].ifindex != a->ifindex)
			continue;
		a->link_known = true;
		a->ifflags = r->l[i].ifflags;
		if (!a->ifname[0] || a->addr.family == AF_INET6)
			memcpy(a->ifname, r->l[i].ifname, IF_NAMESIZE);
		return;
	}
}

static bool same_prefix(const uint8_t *x, const uint8_t *y, unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;

	if (memcmp(x, y, full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		return (x[full] & mask) == (y[full] & mask);
	}
	return true;
}

bool gather_addr_usable(const struct gather_addr *a,
			const struct gather_result *r,
			const struct gather_opts *o, const char **why)
{
	const uint8_t *ip = a->addr.ip;
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					      0xff, 0xff };
	static const uint8_t zero12[12];
	unsigned int i;

	*why = NULL;
	if (a->link_known && (a->ifflags & IFF_LOOPBACK)) {
		*why = "loopback interface";
		return false;
	}
	if (a->link_known && !(a->ifflags & IFF_UP)) {
		*why = "interface down";
		return false;
	}
	if (a->scope == RT_SCOPE_HOST || a->scope == RT_SCOPE_NOWHERE) {
		*why = "host scope (loopback)";
		return false;
	}
	if (a->addr.family == AF_INET) {
		if (o->no_ipv4) {
			*why = "IPv4 not wanted";
			return false;
		}
		if (ip[0] == 127) {
			*why = "loopback address";
			return false;
		}
		return true;
	}
	if (o->no_ipv6) {
		*why = "IPv6 not wanted";
		return false;
	}
	if (a->flags & IFA_F_TENTATIVE) {
		*why = "tentative (DAD in progress)";
		return false;
	}
	if (a->flags & IFA_F_DADFAILED) {
		*why = "duplicate address detection failed";
		return false;
	}
	if ((a->flags & IFA_F_DEPRECATED) && !o->deprecated) {
		*why = "deprecated";
		return false;
	}
	if (a->flags & IFA_F_HOMEADDRESS) {
		*why = "Mobile IPv6 home address (reached via the Home Agent)";
		return false;
	}
	if (ice_addr_is_v6_linklocal(&a->addr)) {
		if (!o->linklocal6) {
			*why = "IPv6 link-local";
			return false;
		}
		return true;
	}
	if (ip[0] == 0xfe && (ip[1] & 0xc0) == 0xc0) {
		*why = "IPv6 site-local (deprecated, RFC 3879)";
		return false;
	}
	if (!memcmp(ip, v4mapped, 12) || !memcmp(ip, zero12, 12)) {
		*why = "IPv4-mapped or IPv4-compatible IPv6 address";
		return false;
	}
	if (ice_addr_is_multicast(&a->addr)) {
		*why = "multicast";
		return false;
	}
	/* RFC 8445 s.5.1.1.1: with a temporary address on the interface, do
	 * not gather the trackable ones of the same prefix. */
	if (r && !(a->flags & IFA_F_TEMPORARY)) {
		for (i = 0; i < r->n; i++) {
			const struct gather_addr *b = &r->a[i];
			const char *dummy;

			if (b == a || b->ifindex != a->ifindex ||
			    b->addr.family != AF_INET6 ||
			    !(b->flags & IFA_F_TEMPORARY) ||
			    b->prefixlen != a->prefixlen ||
			    !same_prefix(b->addr.ip, ip, a->prefixlen))
				continue;
			if (gather_addr_usable(b, NULL, o, &dummy)) {
				*why = "a temporary address of the same prefix "
				       "exists (privacy)";
				return false;
			}
		}
	}
	return true;
}

/* ---- dumps ---- */

struct dump_ctx {
	struct gather_result *r;
	int kind;	/* RTM_GETLINK or RTM_GETADDR */
	unsigned int malformed;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct gather_result *r = d->r;
	const char *why;

	if (d->kind == RTM_GETLINK) {
		struct gather_link l;

		if (gather_parse_link(nlh, &l, &why)) {
			d->malformed++;
			return MNL_CB_OK;
		}
		if (r->n_links < GATHER_MAX_LINKS)
			r->l[r->n_links++] = l;
		return MNL_CB_OK;
	}
	if (r->n == GATHER_MAX_ADDRS) {
		r->truncated++;
		return MNL_CB_OK;
	}
	if (gather_parse_addr(nlh, &r->a[r->n], &why)) {
		d->malformed++;
		return MNL_CB_OK;
	}
	r->n++;
	return MNL_CB_OK;
}

static int dump_one(struct mnl_socket *nl, int kind, struct dump_ctx *d,
		    char *err, size_t errlen)
{
	static uint8_t buf[GATHER_RECV_BUF];
	struct nlmsghdr *nlh;
	unsigned int portid = mnl_socket_get_portid(nl);
	uint32_t seq = (uint32_t)time(NULL) + (uint32_t)kind;
	int ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (uint16_t)kind;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (kind == RTM_GETLINK) {
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh,
								   sizeof(*ifi));

		ifi->ifi_family = AF_UNSPEC;
	} else {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh,
								   sizeof(*ifa));

		ifa->ifa_family = AF_UNSPEC;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		snprintf(err, errlen, "rtnetlink dump request: %s",
			 strerror(errno));
		return ret;
	}
	d->kind = kind;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			snprintf(err, errlen, "rtnetlink dump: %s",
				 strerror(errno));
			return ret;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, dump_cb, d);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0) {
			ret = -errno;
			snprintf(err, errlen, "rtnetlink dump: %s",
				 strerror(errno));
			return ret ? ret : -EIO;
		}
	}
}

int gather_dump(struct gather_result *r, char *err, size_t errlen)
{
	struct mnl_socket *nl;
	struct dump_ctx d;
	unsigned int i;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&d, 0, sizeof(d));
	d.r = r;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl) {
		ret = -errno;
		snprintf(err, errlen, "rtnetlink socket: %s", strerror(errno));
		return ret;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		snprintf(err, errlen, "rtnetlink bind: %s", strerror(errno));
		mnl_socket_close(nl);
		return ret;
	}
	ret = dump_one(nl, RTM_GETLINK, &d, err, errlen);
	if (!ret)
		ret = dump_one(nl, RTM_GETADDR, &d, err, errlen);
	mnl_socket_close(nl);
	if (ret)
		return ret;
	for (i = 0; i < r->n; i++)
		gather_attach_link(r, &r->a[i]);
	return 0;
}

/* ---- ranking ---- */

static unsigned int if_rank_of(const struct gather_result *r,
			       const struct gather_opts *o,
			       const struct gather_addr *a)
{
	unsigned int i, rank;
	int idx[GATHER_MAX_ADDRS];
	unsigned int n = 0;

	for (i = 0; i < o->n_if_order; i++)
		if (a->ifname[0] && o->if_order[i] &&
		    !strcmp(o->if_order[i], a->ifname))
			return i;
	/* Unlisted: after the listed ones, by ifindex among the unlisted
	 * interfaces that have addresses. */
	for (i = 0; i < r->n; i++) {
		unsigned int j;
		bool listed = false, seen = false;
		const char *why;

		if (!gather_addr_usable(&r->a[i], r, o, &why))
			continue;

		for (j = 0; j < o->n_if_order; j++)
			if (r->a[i].ifname[0] && o->if_order[j] &&
			    !strcmp(o->if_order[j], r->a[i].ifname))
				listed = true;
		for (j = 0; j < n; j++)
			if (idx[j] == r->a[i].ifindex)
				seen = true;
		if (!listed && !seen)
			idx[n++] = r->a[i].ifindex;
	}
	rank = o->n_if_order;
	for (i = 0; i < n; i++)
		if (idx[i] < a->ifindex)
			rank++;
	return rank;
}

unsigned int gather_host_from(const struct gather_result *r,
			      const struct gather_opts *o,
			      struct ice_cand_set *set)
{
	unsigned int i, j, added = 0;

	for (i = 0; i < r->n; i++) {
		const struct gather_addr *a = &r->a[i];
		unsigned int addr_idx = 0;
		struct ice_cand c;
		const char *why;

		if (!gather_addr_usable(a, r, o, &why))
			continue;
		for (j = 0; j < i; j++) {
			const char *w2;

			if (r->a[j].ifindex == a->ifindex &&
			    r->a[j].addr.family == a->addr.family &&
			    gather_addr_usable(&r->a[j], r, o, &w2))
				addr_idx++;
		}
		memset(&c, 0, sizeof(c));
		c.type = ICE_CAND_HOST;
		c.transport = ICE_TRANSPORT_UDP;
		c.component = o->component ? o->component : 1;
		c.local_pref = ice_local_pref(a->addr.family,
					      if_rank_of(r, o, a), addr_idx);
		c.addr = a->addr;
		c.addr.port = o->port;
		c.base = c.addr;	/* RFC 8445 s.5.1.1.1: its own base */
		ice_cand_compute_priority(&c);
		switch (ice_cand_set_add(set, &c, NULL)) {
		case ICE_ADD_NEW:
		case ICE_ADD_REPLACED:
			added++;
			break;
		default:
			break;
		}
	}
	return added;
}

int gather_host(const struct gather_opts *o, struct ice_cand_set *set,
		char *err, size_t errlen)
{
	static struct gather_result r;
	int ret = gather_dump(&r, err, errlen);

	if (ret)
		return ret;
	return (int)gather_host_from(&r, o, set);
}

/* ---- watcher ---- */

int gather_watch_open(struct gather_watch *w, const struct gather_opts *o,
		      gather_event_cb cb, void *arg)
{
	int grp, ret;

	memset(w, 0, sizeof(*w));
	w->opts = o;
	w->cb = cb;
	w->arg = arg;
	w->resolve_names = true;
	w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!w->nl)
		return -errno;
	if (mnl_socket_bind(w->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	grp = RTNLGRP_IPV4_IFADDR;
	if (mnl_socket_setsockopt(w->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		goto fail;
	grp = RTNLGRP_IPV6_IFADDR;
	if (mnl_socket_setsockopt(w->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		goto fail;
	return 0;
fail:
	ret = -errno;
	mnl_socket_close(w->nl);
	w->nl = NULL;
	return ret;
}

int gather_watch_routes(struct gather_watch *w)
{
	int grp;

	if (!w->nl)
		return -EBADF;
	grp = RTNLGRP_IPV4_ROUTE;
	if (mnl_socket_setsockopt(w->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	grp = RTNLGRP_IPV6_ROUTE;
	if (mnl_socket_setsockopt(w->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	w->routes = true;
	return 0;
}

int gather_watch_fd(const struct gather_watch *w)
{
	return w->nl ? mnl_socket_get_fd(w->nl) : -1;
}

/*
 * mnl_nlmsg_ok() compares nlmsg_len as a signed int, so a length of 2^31
 * or more passes it and the walk runs off the buffer (found by
 * tests/fuzz/fuzz_gather.c). Compare unsigned first.
 */
bool gather_nlmsg_ok(const struct nlmsghdr *nlh, int left)
{
	return left >= (int)sizeof(*nlh) && nlh->nlmsg_len <= (unsigned int)left &&
	       mnl_nlmsg_ok(nlh, left);
}

int gather_watch_feed(struct gather_watch *w, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len, n = 0;

	if (len > (size_t)0x7fffffff)
		return 0;
	for (; gather_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct gather_addr a;
		const char *why = NULL;
		bool usable;

		if (w->routes && (nlh->nlmsg_type == RTM_NEWROUTE ||
				  nlh->nlmsg_type == RTM_DELROUTE)) {
			const struct rtmsg *rtm;

			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm)) {
				w->malformed++;
				continue;
			}
			rtm = mnl_nlmsg_get_payload(nlh);
			/* cached clones are no change of the routing table */
			if ((rtm->rtm_family != AF_INET &&
			     rtm->rtm_family != AF_INET6) ||
			    (rtm->rtm_flags & RTM_F_CLONED))
				continue;
			w->events++;
			n++;
			if (w->cb)
				w->cb(GATHER_EV_ROUTE, NULL, true, NULL, w->arg);
			continue;
		}
		if (nlh->nlmsg_type != RTM_NEWADDR &&
		    nlh->nlmsg_type != RTM_DELADDR)
			continue;
		if (gather_parse_addr(nlh, &a, &why)) {
			w->malformed++;
			continue;
		}
		if (w->resolve_names && !a.ifname[0])
			if (!if_indextoname((unsigned int)a.ifindex, a.ifname))
				a.ifname[0] = 0;
		usable = gather_addr_usable(&a, NULL, w->opts, &why);
		w->events++;
		n++;
		if (w->cb)
			w->cb(nlh->nlmsg_type == RTM_NEWADDR ? GATHER_EV_ADD :
			      GATHER_EV_DEL, &a, usable, why, w->arg);
	}
	return n;
}

int gather_watch_process(struct gather_watch *w)
{
	static uint8_t buf[GATHER_RECV_BUF];
	int total = 0, i;

	for (i = 0; i < 64; i++) {
		ssize_t n = recv(mnl_socket_get_fd(w->nl), buf, sizeof(buf),
				 MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				/* The kernel dropped events: start over. */
				w->overruns++;
				w->events++;
				total++;
				if (w->cb)
					w->cb(GATHER_EV_RESYNC, NULL, false,
					      "netlink socket overrun", w->arg);
				continue;
			}
			return -errno;
		}
		total += gather_watch_feed(w, buf, (size_t)n);
	}
	return total;
}

void gather_watch_close(struct gather_watch *w)
{
	if (w->nl)
		mnl_socket_close(w->nl);
	w->nl = NULL;
}

const char *gather_event_name(enum gather_event ev)
{
	switch (ev) {
	case GATHER_EV_ADD:
		return "add";
	case GATHER_EV_DEL:
		return "del";
	case GATHER_EV_RESYNC:
		return "resync";
	case GATHER_EV_ROUTE:
		return "route";
	}
	return "?";
}

int gather_route_src(const struct ice_addr *dst, struct ice_addr *src)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, ret = 0;

	if (ice_addr_to_sockaddr(dst, &ss, &sl))
		return -EAFNOSUPPORT;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* UDP connect() only looks the route up and picks the source */
	if (connect(fd, (struct sockaddr *)&ss, sl)) {
		ret = -errno;
	} else {
		sl = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl))
			ret = -errno;
		else if (ice_addr_from_sockaddr(src, (struct sockaddr *)&ss))
			ret = -EAFNOSUPPORT;
	}
	close(fd);
	return ret;
}
