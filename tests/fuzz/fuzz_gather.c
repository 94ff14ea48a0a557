// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the rtnetlink parsers of host-candidate gathering
 * (agent/gather.c): a received datagram of address events through the
 * watcher (route messages too), and each message as an address and as a
 * link.
 */
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "gather.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_event(enum gather_event ev, const struct gather_addr *a,
		     bool usable, const char *why, void *arg)
{
	(void)arg;
	if (ev == GATHER_EV_ROUTE) {
		if (a)
			abort();	/* a route event carries no address */
		return;
	}
	if (ev != GATHER_EV_ADD && ev != GATHER_EV_DEL)
		abort();
	if (!a || (!usable && !why))
		abort();	/* an unusable address says why */
	if (a->ifname[sizeof(a->ifname) - 1])
		abort();	/* names stay terminated */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t buf[16384];	/* netlink messages are 4-aligned */
	struct gather_watch w;
	struct gather_opts o;
	const struct nlmsghdr *nlh;
	int left;

	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	gather_opts_default(&o, 4191);
	memset(&w, 0, sizeof(w));
	w.opts = &o;
	w.cb = on_event;
	w.routes = true;
	gather_watch_feed(&w, buf, size);

	left = (int)size;
	for (nlh = (const struct nlmsghdr *)buf; gather_nlmsg_ok(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		struct gather_addr a;
		struct gather_link l;
		const char *why = NULL;

		if (gather_parse_addr(nlh, &a, &why) && !why)
			abort();
		why = NULL;
		if (gather_parse_link(nlh, &l, &why) && !why)
			abort();
	}
	return 0;
}
