/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line helpers shared by the test tools (tests/tools/). */
#ifndef MICE_TOOLARG_H
#define MICE_TOOLARG_H

/*
 * A whole decimal @s in @lo..@hi into *@out: 0, or -1 after
 * "PROG: invalid NAME 'S': expected LO-HI" on stderr.
 */
int tool_parse_num(const char *prog, const char *name, const char *s,
		   long lo, long hi, long *out);

#endif
