// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the agent's parsers of the module's replies and events
 * (agent/nlmsg.c). The input is one netlink message; its nlmsg_len is
 * forced to the input size so the parsers see a consistent header, as
 * mnl_cb_run() guarantees before calling them. The buffer is padded to
 * NLMSG_ALIGNTO like a netlink receive buffer: libmnl's walkers round the
 * message length up to it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "nlmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mice_pair_info pi;
	struct mice_stats_info st;
	struct mice_sock_info si;
	struct mice_drop_info di;
	struct nlmsghdr *nlh;
	const char *why;
	char msg[32];
	void *copy;

	if (size < sizeof(struct nlmsghdr) || size > 65536)
		return 0;
	copy = calloc(1, MNL_ALIGN(size));
	memcpy(copy, data, size);
	nlh = copy;
	nlh->nlmsg_len = (uint32_t)size;

	why = NULL;
	if (mice_msg_parse_sock(nlh, &si, &why) && !why)
		abort();	/* every rejection names its reason */
	why = NULL;
	if (mice_msg_parse_stats(nlh, &st, &why) && !why)
		abort();
	why = NULL;
	if (mice_msg_parse_drop(nlh, &di, &why) && !why)
		abort();
	why = NULL;
	if (mice_msg_parse_pair(nlh, &pi, &why) && !why)
		abort();
	if (pi.nprefixes > MICE_MAX_PREFIXES_PER_PEER)
		abort();
	mice_msg_parse_error(nlh, msg, sizeof(msg));
	if (strnlen(msg, sizeof(msg)) == sizeof(msg))
		abort();
	mice_msg_cmd(nlh);
	free(copy);
	return 0;
}
