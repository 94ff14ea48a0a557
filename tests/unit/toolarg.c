// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "toolarg.h"

int tool_parse_num(const char *prog, const char *name, const char *s,
		   long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno || *end || end == s || *out < lo || *out > hi) {
		fprintf(stderr, "%s: invalid %s '%s': expected %ld-%ld\n", prog,
			name, s, lo, hi);
		return -1;
	}
	return 0;
}
