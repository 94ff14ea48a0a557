// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the control socket's request line (agent/control.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	enum ctl_request open, done;

	if (size > CTL_REQUEST_MAX)
		size = CTL_REQUEST_MAX;	/* the server never holds more */
	open = ctl_parse_request(buf, size, false);
	done = ctl_parse_request(buf, size, true);
	if (open > CTL_REQ_UNKNOWN || done == CTL_REQ_INCOMPLETE ||
	    done > CTL_REQ_UNKNOWN)
		abort();
	/* incomplete only while no end of line came and there is room */
	if (open == CTL_REQ_INCOMPLETE &&
	    (memchr(buf, '\n', size) || size == CTL_REQUEST_MAX))
		abort();
	/* a line that ended answers the same whether or not EOF followed */
	if (open != CTL_REQ_INCOMPLETE && open != done)
		abort();
	return 0;
}
