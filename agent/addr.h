/* SPDX-License-Identifier: GPL-2.0 */
/* Socket address parsing and printing for the CLI. */
#ifndef MICE_ADDR_H
#define MICE_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define MICE_ADDRSTRLEN 64

/* Parses a decimal port 1-65535 (0 too if @allow_zero); -1 if invalid. */
int mice_parse_port(const char *s, bool allow_zero);
/* Parses a literal IPv4 or IPv6 address into @ss with @port. */
int mice_parse_sockaddr(const char *addr, uint16_t port,
			struct sockaddr_storage *ss, socklen_t *len);
/* "10.0.0.1" or "2001:db8::1" from raw bytes of @family. */
const char *mice_addr_str(int family, const void *addr, char *buf,
			  size_t buflen);
/* Address and port of @sa, host order port in *@port. */
const char *mice_sockaddr_str(const struct sockaddr *sa, char *buf,
			      size_t buflen, uint16_t *port);
const char *mice_family_name(int family);

#endif /* MICE_ADDR_H */
