// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of agent/gather.c on canned rtnetlink messages built with
 * libmnl: RTM_NEWADDR/RTM_DELADDR/RTM_NEWLINK parsing and its rejections,
 * the usable-address rules (RFC 8445 s.5.1.1.1), interface/family ranking
 * of host candidates (RFC 8445 s.5.1.2.1, RFC 8421 s.4), the watcher's
 * event delivery from a batch (addresses, and routes when asked); plus a
 * live dump of this host's addresses and a route lookup.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <check.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "gather.h"

struct amsg {
	uint16_t type;
	int family;
	int ifindex;
	uint8_t plen, scope;
	uint8_t ifa_flags;		/* the 8-bit field */
	bool flags_attr;		/* add IFA_FLAGS */
	uint32_t flags;			/* IFA_FLAGS value */
	const char *local;		/* IFA_LOCAL, or NULL */
	const char *address;		/* IFA_ADDRESS, or NULL */
	const char *label;
};

/* Appends one address message at @buf; returns its length. */
static size_t put_addr(uint8_t *buf, const struct amsg *m)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	uint8_t raw[16];

	nlh->nlmsg_type = m->type;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)m->family;
	ifa->ifa_prefixlen = m->plen;
	ifa->ifa_flags = m->ifa_flags;
	ifa->ifa_scope = m->scope;
	ifa->ifa_index = (uint32_t)m->ifindex;
	if (m->address) {
		ck_assert_int_eq(inet_pton(m->family, m->address, raw), 1);
		mnl_attr_put(nlh, IFA_ADDRESS, m->family == AF_INET ? 4 : 16,
			     raw);
	}
	if (m->local) {
		ck_assert_int_eq(inet_pton(m->family, m->local, raw), 1);
		mnl_attr_put(nlh, IFA_LOCAL, m->family == AF_INET ? 4 : 16, raw);
	}
	if (m->label)
		mnl_attr_put_strz(nlh, IFA_LABEL, m->label);
	if (m->flags_attr)
		mnl_attr_put_u32(nlh, IFA_FLAGS, m->flags);
	return nlh->nlmsg_len;
}

static size_t put_link(uint8_t *buf, int ifindex, const char *name,
		       unsigned int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh->nlmsg_len;
}

static struct gather_addr parse_ok(const struct amsg *m)
{
	uint8_t buf[512];
	struct gather_addr a;
	const char *why = NULL;

	put_addr(buf, m);
	ck_assert_msg(gather_parse_addr((struct nlmsghdr *)buf, &a, &why) == 0,
		      "rejected: %s", why);
	return a;
}

static const char *parse_bad(const uint8_t *buf)
{
	struct gather_addr a;
	const char *why = NULL;

	ck_assert_int_eq(gather_parse_addr((const struct nlmsghdr *)buf, &a,
					   &why), -1);
	ck_assert_ptr_nonnull(why);
	return why;
}

START_TEST(test_parse_v4_ptp)
{
	struct amsg m = { RTM_NEWADDR, AF_INET, 7, 32, RT_SCOPE_UNIVERSE, 0,
			  false, 0, "10.0.0.2", "10.0.0.1", "ppp0" };
	struct gather_addr a = parse_ok(&m);
	uint8_t want[4] = { 10, 0, 0, 2 };

	/* IFA_LOCAL wins over the peer's IFA_ADDRESS. */
	ck_assert_int_eq(a.addr.family, AF_INET);
	ck_assert_mem_eq(a.addr.ip, want, 4);
	ck_assert_uint_eq(a.addr.port, 0);
	ck_assert_int_eq(a.ifindex, 7);
	ck_assert_uint_eq(a.prefixlen, 32);
	ck_assert_str_eq(a.ifname, "ppp0");
	ck_assert(!a.link_known);
}
END_TEST

START_TEST(test_parse_v6_flags_attr)
{
	struct amsg m = { RTM_DELADDR, AF_INET6, 3, 64, RT_SCOPE_UNIVERSE,
			  IFA_F_PERMANENT, true,
			  IFA_F_TEMPORARY | IFA_F_DEPRECATED | 0x10000,
			  NULL, "2001:db8::5", NULL };
	struct gather_addr a = parse_ok(&m);

	ck_assert_int_eq(a.addr.family, AF_INET6);
	ck_assert_uint_eq(a.addr.ip[15], 5);
	/* IFA_FLAGS (32 bits) replaces the 8-bit field. */
	ck_assert_uint_eq(a.flags, IFA_F_TEMPORARY | IFA_F_DEPRECATED | 0x10000);
	ck_assert_str_eq(a.ifname, "");
}
END_TEST

START_TEST(test_parse_rejects)
{
	uint8_t buf[512];
	struct nlmsghdr *nlh;
	struct amsg m = { RTM_NEWADDR, AF_INET, 2, 24, 0, 0, false, 0,
			  "10.0.0.1", NULL, NULL };

	put_link(buf, 2, "eth0", IFF_UP);
	ck_assert_str_eq(parse_bad(buf), "not an address message");

	put_addr(buf, &m);
	((struct nlmsghdr *)buf)->nlmsg_len = MNL_NLMSG_HDRLEN + 4;
	ck_assert_str_eq(parse_bad(buf), "shorter than struct ifaddrmsg");

	put_addr(buf, &m);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload((void *)buf))->ifa_family =
		AF_PACKET;
	ck_assert_str_eq(parse_bad(buf), "not an IPv4 or IPv6 address");

	m.local = NULL;
	put_addr(buf, &m);
	ck_assert_str_eq(parse_bad(buf), "no IFA_LOCAL or IFA_ADDRESS");

	/* An IPv4 message carrying 16 address bytes. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	((struct ifaddrmsg *)mnl_nlmsg_put_extra_header(nlh, 8))->ifa_family =
		AF_INET;
	mnl_attr_put(nlh, IFA_LOCAL, 16, "0123456789abcdef");
	ck_assert_str_eq(parse_bad(buf),
			 "address attribute of the wrong length");

	/* IFA_FLAGS of 2 bytes. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	((struct ifaddrmsg *)mnl_nlmsg_put_extra_header(nlh, 8))->ifa_family =
		AF_INET;
	mnl_attr_put(nlh, IFA_LOCAL, 4, "\x0a\0\0\x01");
	mnl_attr_put(nlh, IFA_FLAGS, 2, "\0\0");
	ck_assert_str_eq(parse_bad(buf), "IFA_FLAGS is not a u32");

	m.local = "10.0.0.1";
	m.plen = 33;
	put_addr(buf, &m);
	ck_assert_str_eq(parse_bad(buf),
			 "prefix length larger than the address");
}
END_TEST

START_TEST(test_parse_link)
{
	uint8_t buf[256];
	struct gather_link l;
	const char *why = NULL;
	struct amsg m = { RTM_NEWADDR, AF_INET, 2, 24, 0, 0, false, 0,
			  "10.0.0.1", NULL, NULL };

	put_link(buf, 9, "a-very-long-interface-name", IFF_UP | IFF_LOOPBACK);
	ck_assert_int_eq(gather_parse_link((void *)buf, &l, &why), 0);
	ck_assert_int_eq(l.ifindex, 9);
	ck_assert_uint_eq(l.ifflags, IFF_UP | IFF_LOOPBACK);
	ck_assert_uint_eq(strlen(l.ifname), IF_NAMESIZE - 1);
	put_addr(buf, &m);
	ck_assert_int_eq(gather_parse_link((void *)buf, &l, &why), -1);
	ck_assert_str_eq(why, "not a link message");
}
END_TEST

/* ---- usable rules ---- */

static bool usable(struct amsg m, const struct gather_opts *o,
		   const char **why)
{
	struct gather_addr a = parse_ok(&m);

	a.link_known = true;
	a.ifflags = IFF_UP;
	return gather_addr_usable(&a, NULL, o, why);
}

#define V6(addr, scope, flags) { RTM_NEWADDR, AF_INET6, 2, 64, scope, 0, \
				 true, flags, NULL, addr, NULL }
#define V4(addr, scope) { RTM_NEWADDR, AF_INET, 2, 24, scope, 0, false, 0, \
			  addr, addr, NULL }

START_TEST(test_usable_rules)
{
	struct gather_opts o, ol;
	struct gather_addr a;
	const char *why;

	gather_opts_default(&o, 4191);
	ck_assert(usable((struct amsg)V4("192.0.2.1", 0), &o, &why));
	ck_assert(usable((struct amsg)V6("2001:db8::1", 0, IFA_F_OPTIMISTIC),
			 &o, &why));
	ck_assert(!usable((struct amsg)V4("127.0.0.1", RT_SCOPE_HOST), &o,
			  &why));
	ck_assert_str_eq(why, "host scope (loopback)");
	ck_assert(!usable((struct amsg)V4("127.0.0.2", 0), &o, &why));
	ck_assert_str_eq(why, "loopback address");
	ck_assert(!usable((struct amsg)V6("::1", RT_SCOPE_HOST, 0), &o, &why));
	ck_assert(!usable((struct amsg)V6("2001:db8::1", 0, IFA_F_TENTATIVE),
			  &o, &why));
	ck_assert_str_eq(why, "tentative (DAD in progress)");
	ck_assert(!usable((struct amsg)V6("2001:db8::1", 0,
					  IFA_F_DADFAILED | IFA_F_TENTATIVE),
			  &o, &why));
	ck_assert(!usable((struct amsg)V6("2001:db8::1", 0, IFA_F_DEPRECATED),
			  &o, &why));
	ck_assert_str_eq(why, "deprecated");
	ck_assert(!usable((struct amsg)V6("fe80::1", RT_SCOPE_LINK, 0), &o,
			  &why));
	ck_assert_str_eq(why, "IPv6 link-local");
	ck_assert(!usable((struct amsg)V6("fec0::1", 0, 0), &o, &why));
	ck_assert(!usable((struct amsg)V6("::ffff:10.0.0.1", 0, 0), &o, &why));
	ck_assert(!usable((struct amsg)V6("::10.0.0.1", 0, 0), &o, &why));
	ck_assert(!usable((struct amsg)V6("2001:db8::9", 0, 0x10), &o, &why));
	ck_assert(strstr(why, "home address"));
	/* The options open what is closed by default. */
	ol = o;
	ol.deprecated = true;
	ol.linklocal6 = true;
	ck_assert(usable((struct amsg)V6("2001:db8::1", 0, IFA_F_DEPRECATED),
			 &ol, &why));
	ck_assert(usable((struct amsg)V6("fe80::1", RT_SCOPE_LINK, 0), &ol,
			 &why));
	ol.no_ipv4 = true;
	ck_assert(!usable((struct amsg)V4("192.0.2.1", 0), &ol, &why));
	/* Interface state from the link dump. */
	a = parse_ok(&(struct amsg)V4("192.0.2.1", 0));
	a.link_known = true;
	a.ifflags = 0;
	ck_assert(!gather_addr_usable(&a, NULL, &o, &why));
	ck_assert_str_eq(why, "interface down");
	a.ifflags = IFF_UP | IFF_LOOPBACK;
	ck_assert(!gather_addr_usable(&a, NULL, &o, &why));
	ck_assert_str_eq(why, "loopback interface");
}
END_TEST

/* ---- ranking ---- */

static void add_link(struct gather_result *r, int idx, const char *name,
		     unsigned int flags)
{
	struct gather_link *l = &r->l[r->n_links++];

	l->ifindex = idx;
	strcpy(l->ifname, name);
	l->ifflags = flags;
}

static void add_addr(struct gather_result *r, struct amsg m)
{
	r->a[r->n] = parse_ok(&m);
	gather_attach_link(r, &r->a[r->n]);
	r->n++;
}

static struct gather_result res;

static void sample(struct gather_result *r)
{
	memset(r, 0, sizeof(*r));
	add_link(r, 1, "lo", IFF_UP | IFF_LOOPBACK);
	add_link(r, 2, "eth0", IFF_UP);
	add_link(r, 3, "wlan0", IFF_UP);
	add_link(r, 4, "down0", 0);
	add_addr(r, (struct amsg){ RTM_NEWADDR, AF_INET, 1, 8, RT_SCOPE_HOST,
				   0, false, 0, "127.0.0.1", NULL, "lo" });
	add_addr(r, (struct amsg){ RTM_NEWADDR, AF_INET, 2, 24, 0, 0, false,
				   0, "10.0.0.2", NULL, "eth0" });
	add_addr(r, (struct amsg){ RTM_NEWADDR, AF_INET6, 2, 64, 0, 0, true,
				   IFA_F_PERMANENT, NULL, "2001:db8:1::2",
				   NULL });
	add_addr(r, (struct amsg){ RTM_NEWADDR, AF_INET, 2, 24, 0, 0, false,
				   0, "10.0.0.3", NULL, "eth0" });
	add_addr(r, (struct amsg){ RTM_NEWADDR, AF_INET, 3, 24, 0, 0, false,
				   0, "192.168.1.5", NULL, "wlan0" });
	add_addr(r, (struct amsg){ RTM_NEWADDR, AF_INET6, 3, 64, 0, 0, true,
				   IFA_F_TENTATIVE, NULL, "2001:db8:2::5",
				   NULL });
	add_addr(r, (struct amsg){ RTM_NEWADDR, AF_INET, 4, 24, 0, 0, false,
				   0, "172.16.0.1", NULL, "down0" });
}

static int find(const struct ice_cand_set *s, int fam, const char *ip,
		uint16_t port)
{
	struct ice_addr a;
	uint8_t raw[16];

	ck_assert_int_eq(inet_pton(fam, ip, raw), 1);
	ice_addr_set(&a, fam, raw, port);
	return ice_cand_set_find(s, &a);
}

START_TEST(test_rank_default)
{
	static struct ice_cand_set set;
	struct gather_opts o;
	int i;

	sample(&res);
	ck_assert_str_eq(res.a[2].ifname, "eth0");	/* from the link dump */
	gather_opts_default(&o, 4191);
	ice_cand_set_init(&set, 0, 'L');
	ck_assert_uint_eq(gather_host_from(&res, &o, &set), 4);
	ck_assert_uint_eq(set.n, 4);
	for (i = 0; i < (int)set.n; i++) {
		ck_assert_int_eq(set.c[i].type, ICE_CAND_HOST);
		ck_assert_uint_eq(set.c[i].addr.port, 4191);
		ck_assert(ice_addr_eq(&set.c[i].base, &set.c[i].addr));
		ck_assert_uint_eq(set.c[i].component, 1);
	}
	/* eth0 is rank 0 (lowest usable ifindex), wlan0 rank 1. */
	i = find(&set, AF_INET6, "2001:db8:1::2", 4191);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(set.c[i].local_pref, ice_local_pref(AF_INET6, 0, 0));
	ck_assert_uint_eq(set.c[i].local_pref, 0xffff);
	ck_assert_uint_eq(set.c[i].priority,
			  (126u << 24) + (0xffffu << 8) + 255);
	i = find(&set, AF_INET, "10.0.0.2", 4191);
	ck_assert_uint_eq(set.c[i].local_pref, ice_local_pref(AF_INET, 0, 0));
	i = find(&set, AF_INET, "10.0.0.3", 4191);
	ck_assert_uint_eq(set.c[i].local_pref, ice_local_pref(AF_INET, 0, 1));
	i = find(&set, AF_INET, "192.168.1.5", 4191);
	ck_assert_uint_eq(set.c[i].local_pref, ice_local_pref(AF_INET, 1, 0));
	ck_assert_int_lt(find(&set, AF_INET, "127.0.0.1", 4191), 0);
	ck_assert_int_lt(find(&set, AF_INET, "172.16.0.1", 4191), 0);
	ck_assert_int_lt(find(&set, AF_INET6, "2001:db8:2::5", 4191), 0);
}
END_TEST

START_TEST(test_rank_configured_and_cap)
{
	static const char *const order[] = { "wlan0" };
	static struct ice_cand_set set;
	struct gather_opts o;
	int i;

	sample(&res);
	gather_opts_default(&o, 5000);
	o.if_order = order;
	o.n_if_order = 1;
	ice_cand_set_init(&set, 0, 'L');
	ck_assert_uint_eq(gather_host_from(&res, &o, &set), 4);
	i = find(&set, AF_INET, "192.168.1.5", 5000);
	ck_assert_uint_eq(set.c[i].local_pref, ice_local_pref(AF_INET, 0, 0));
	i = find(&set, AF_INET6, "2001:db8:1::2", 5000);
	ck_assert_uint_eq(set.c[i].local_pref, ice_local_pref(AF_INET6, 1, 0));
	/* The set's cap (max-local-candidates) applies. */
	ice_cand_set_init(&set, 2, 'L');
	ck_assert_uint_eq(gather_host_from(&res, &o, &set), 2);
	ck_assert_uint_eq(set.n, 2);
	/* IPv4 only. */
	o.no_ipv6 = true;
	ice_cand_set_init(&set, 0, 'L');
	ck_assert_uint_eq(gather_host_from(&res, &o, &set), 3);
}
END_TEST

START_TEST(test_privacy_rule)
{
	static struct ice_cand_set set;
	struct gather_opts o;

	memset(&res, 0, sizeof(res));
	add_link(&res, 2, "eth0", IFF_UP);
	add_addr(&res, (struct amsg){ RTM_NEWADDR, AF_INET6, 2, 64, 0, 0,
				      true, 0, NULL, "2001:db8:1::2", NULL });
	add_addr(&res, (struct amsg){ RTM_NEWADDR, AF_INET6, 2, 64, 0, 0,
				      true, IFA_F_TEMPORARY, NULL,
				      "2001:db8:1::abcd", NULL });
	add_addr(&res, (struct amsg){ RTM_NEWADDR, AF_INET6, 2, 64, 0, 0,
				      true, 0, NULL, "2001:db8:9::2", NULL });
	gather_opts_default(&o, 1);
	ice_cand_set_init(&set, 0, 'L');
	ck_assert_uint_eq(gather_host_from(&res, &o, &set), 2);
	ck_assert_int_lt(find(&set, AF_INET6, "2001:db8:1::2", 1), 0);
	ck_assert_int_ge(find(&set, AF_INET6, "2001:db8:1::abcd", 1), 0);
	ck_assert_int_ge(find(&set, AF_INET6, "2001:db8:9::2", 1), 0);
	/* A temporary address that is itself unusable does not count. */
	res.a[1].flags |= IFA_F_TENTATIVE;
	ice_cand_set_init(&set, 0, 'L');
	ck_assert_uint_eq(gather_host_from(&res, &o, &set), 2);
	ck_assert_int_ge(find(&set, AF_INET6, "2001:db8:1::2", 1), 0);
}
END_TEST

/* ---- watcher ---- */

struct rec {
	int n;
	enum gather_event ev[8];
	bool usable[8];
	struct gather_addr a[8];
};

static void on_event(enum gather_event ev, const struct gather_addr *a,
		     bool ok, const char *why, void *arg)
{
	struct rec *r = arg;

	(void)why;
	if (r->n < 8) {
		r->ev[r->n] = ev;
		r->usable[r->n] = ok;
		if (a)
			r->a[r->n] = *a;
		r->n++;
	}
}

/* A watcher fed by hand, its events recorded in @rec. */
static void watch_init(struct gather_watch *w, struct gather_opts *o,
		       struct rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	memset(w, 0, sizeof(*w));
	gather_opts_default(o, 1);
	w->opts = o;
	w->cb = on_event;
	w->arg = rec;
}

START_TEST(test_watch_feed)
{
	uint8_t buf[2048];
	struct gather_watch w;
	struct gather_opts o;
	struct rec rec;
	size_t off = 0;

	watch_init(&w, &o, &rec);
	w.resolve_names = false;
	/* DAD finished: usable */
	off += put_addr(buf + off, &(struct amsg)V6("2001:db8::7", 0, 0));
	/* still tentative: an event, but not usable */
	off += put_addr(buf + off, &(struct amsg)V6("2001:db8::8", 0,
						    IFA_F_TENTATIVE));
	/* a link message on the same socket is skipped */
	off += put_link(buf + off, 2, "eth0", IFF_UP);
	/* malformed: no address */
	off += put_addr(buf + off, &(struct amsg){ RTM_NEWADDR, AF_INET, 2, 24,
						   0, 0, false, 0, NULL, NULL,
						   NULL });
	off += put_addr(buf + off, &(struct amsg){ RTM_DELADDR, AF_INET, 2, 24,
						   0, 0, false, 0, "10.9.9.9",
						   NULL, "eth0" });
	ck_assert_int_eq(gather_watch_feed(&w, buf, off), 3);
	ck_assert_int_eq(rec.n, 3);
	ck_assert_int_eq(rec.ev[0], GATHER_EV_ADD);
	ck_assert(rec.usable[0]);
	ck_assert_uint_eq(rec.a[0].addr.ip[15], 7);
	ck_assert_int_eq(rec.ev[1], GATHER_EV_ADD);
	ck_assert(!rec.usable[1]);
	ck_assert_int_eq(rec.ev[2], GATHER_EV_DEL);
	ck_assert_str_eq(rec.a[2].ifname, "eth0");
	ck_assert_uint_eq(w.events, 3);
	ck_assert_uint_eq(w.malformed, 1);
	/* A truncated batch delivers only the whole messages. */
	ck_assert_int_eq(gather_watch_feed(&w, buf, 10), 0);
	/* A length of 2^31 or more passes mnl_nlmsg_ok()'s signed compare; the
	 * walk must stop, not run off the buffer (found by fuzz_gather). */
	{
		struct nlmsghdr huge[2];

		memset(huge, 0, sizeof(huge));
		huge[0].nlmsg_len = 0xc8c8c88bu;
		huge[0].nlmsg_type = RTM_NEWADDR;
		ck_assert(!gather_nlmsg_ok(&huge[0], (int)sizeof(huge)));
		ck_assert_int_eq(gather_watch_feed(&w, huge, sizeof(huge)), 0);
	}
	ck_assert_str_eq(gather_event_name(GATHER_EV_RESYNC), "resync");
}
END_TEST

static size_t put_route(uint8_t *buf, uint16_t type, int family,
			unsigned int flags, size_t payload)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, payload);
	if (payload >= sizeof(*rtm)) {
		rtm->rtm_family = (uint8_t)family;
		rtm->rtm_flags = flags;
	}
	return nlh->nlmsg_len;
}

/*
 * Route changes are reported (GATHER_EV_ROUTE, no address) only when the
 * watcher was asked for them (gather_watch_routes): the daemon re-gathers
 * after a move once the route to the Home Agent exists (seed 004 s.9).
 */
START_TEST(test_watch_routes)
{
	uint8_t buf[1024];
	struct gather_watch w;
	struct gather_opts o;
	struct rec rec;
	size_t off = 0;

	watch_init(&w, &o, &rec);
	off += put_route(buf + off, RTM_NEWROUTE, AF_INET, 0,
			 sizeof(struct rtmsg));
	off += put_route(buf + off, RTM_DELROUTE, AF_INET6, 0,
			 sizeof(struct rtmsg));
	/* a cached clone, another family, a short message: no event */
	off += put_route(buf + off, RTM_NEWROUTE, AF_INET6, RTM_F_CLONED,
			 sizeof(struct rtmsg));
	off += put_route(buf + off, RTM_NEWROUTE, AF_UNSPEC, 0,
			 sizeof(struct rtmsg));
	off += put_route(buf + off, RTM_NEWROUTE, AF_INET, 0, 4);
	/* not asked for: skipped like any other message */
	ck_assert_int_eq(gather_watch_feed(&w, buf, off), 0);
	ck_assert_int_eq(rec.n, 0);
	w.routes = true;
	ck_assert_int_eq(gather_watch_feed(&w, buf, off), 2);
	ck_assert_int_eq(rec.n, 2);
	ck_assert_int_eq(rec.ev[0], GATHER_EV_ROUTE);
	ck_assert_int_eq(rec.ev[1], GATHER_EV_ROUTE);
	ck_assert_uint_eq(w.malformed, 1);
	ck_assert_str_eq(gather_event_name(GATHER_EV_ROUTE), "route");
}
END_TEST

/* The route lookup behind the daemon's re-gathering: loopback is always
 * routed, from itself; an unknown family is refused. */
START_TEST(test_route_src)
{
	struct ice_addr dst, src;

	ice_addr_set(&dst, AF_INET, "\x7f\0\0\x01", 4191);
	memset(&src, 0, sizeof(src));
	ck_assert_int_eq(gather_route_src(&dst, &src), 0);
	ck_assert_int_eq(src.family, AF_INET);
	ck_assert(ice_addr_ip_eq(&src, &dst));
	memset(&dst, 0, sizeof(dst));
	ck_assert_int_eq(gather_route_src(&dst, &src), -EAFNOSUPPORT);
}
END_TEST

/* Live: this host's rtnetlink answers the dumps (no privilege needed). */
START_TEST(test_live_dump_and_watch)
{
	static struct ice_cand_set set;
	struct gather_watch w;
	struct gather_opts o;
	char err[256];
	unsigned int i;
	bool lo = false;

	ck_assert_msg(gather_dump(&res, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_ge(res.n_links, 1);
	for (i = 0; i < res.n_links; i++)
		if (res.l[i].ifflags & IFF_LOOPBACK)
			lo = true;
	ck_assert(lo);
	gather_opts_default(&o, 4191);
	ice_cand_set_init(&set, 0, 'L');
	ck_assert_int_ge(gather_host(&o, &set, err, sizeof(err)), 0);
	for (i = 0; i < set.n; i++)
		ck_assert(set.c[i].addr.ip[0] != 127);
	ck_assert_int_eq(gather_watch_open(&w, &o, on_event, NULL), 0);
	ck_assert_int_ge(gather_watch_fd(&w), 0);
	ck_assert_int_ge(gather_watch_process(&w), 0);	/* never blocks */
	gather_watch_close(&w);
}
END_TEST

static Suite *gather_suite(void)
{
	Suite *s = suite_create("gather");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_v4_ptp);
	tcase_add_test(tc, test_parse_v6_flags_attr);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_parse_link);
	tcase_add_test(tc, test_usable_rules);
	tcase_add_test(tc, test_rank_default);
	tcase_add_test(tc, test_rank_configured_and_cap);
	tcase_add_test(tc, test_privacy_rule);
	tcase_add_test(tc, test_watch_feed);
	tcase_add_test(tc, test_watch_routes);
	tcase_add_test(tc, test_route_src);
	tcase_add_test(tc, test_live_dump_and_watch);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gather_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
