// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int mice_parse_port(const char *s, bool allow_zero)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < (allow_zero ? 0 : 1) || v > 65535)
		return -1;
	return (int)v;
}

int mice_parse_sockaddr(const char *addr, uint16_t port,
			struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -EINVAL;
}

const char *mice_addr_str(int family, const void *addr, char *buf,
			  size_t buflen)
{
	if (!inet_ntop(family, addr, buf, buflen))
		snprintf(buf, buflen, "?");
	return buf;
}

const char *mice_sockaddr_str(const struct sockaddr *sa, char *buf,
			      size_t buflen, uint16_t *port)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		*port = ntohs(sin->sin_port);
		return mice_addr_str(AF_INET, &sin->sin_addr, buf, buflen);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		*port = ntohs(sin6->sin6_port);
		return mice_addr_str(AF_INET6, &sin6->sin6_addr, buf, buflen);
	}
	*port = 0;
	snprintf(buf, buflen, "?");
	return buf;
}

const char *mice_family_name(int family)
{
	return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "?";
}
