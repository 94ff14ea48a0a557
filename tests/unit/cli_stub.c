// SPDX-License-Identifier: GPL-2.0
/* The CLI helpers agent/main.c defines, for tests that link command files. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_parse_uint(const char *opt, const char *val, unsigned long max,
		   unsigned long *out)
{
	(void)opt;
	(void)val;
	(void)max;
	*out = 0;
	return -1;
}
