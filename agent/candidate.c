// SPDX-License-Identifier: GPL-2.0
/* ICE candidates, priorities, foundations and pruning; see candidate.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "candidate.h"

static size_t ice_ip_len(uint8_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

void ice_addr_set(struct ice_addr *a, int family, const void *ip,
		  uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (family != AF_INET && family != AF_INET6)
		return;
	a->family = (uint8_t)family;
	memcpy(a->ip, ip, ice_ip_len(a->family));
	a->port = port;
}

bool ice_addr_ip_eq(const struct ice_addr *a, const struct ice_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->ip, b->ip, ice_ip_len(a->family)) == 0;
}

bool ice_addr_eq(const struct ice_addr *a, const struct ice_addr *b)
{
	return ice_addr_ip_eq(a, b) && (a->family == 0 || a->port == b->port);
}

bool ice_addr_is_unspecified(const struct ice_addr *a)
{
	static const uint8_t zero[16];

	return a->family == 0 ||
	       memcmp(a->ip, zero, ice_ip_len(a->family)) == 0;
}

bool ice_addr_is_multicast(const struct ice_addr *a)
{
	if (a->family == AF_INET)
		return (a->ip[0] & 0xf0) == 0xe0;	/* 224.0.0.0/4 */
	if (a->family == AF_INET6)
		return a->ip[0] == 0xff;		/* ff00::/8 */
	return false;
}

bool ice_addr_is_v6_linklocal(const struct ice_addr *a)
{
	/* fe80::/10, RFC 4291 s.2.5.6 */
	return a->family == AF_INET6 && a->ip[0] == 0xfe &&
	       (a->ip[1] & 0xc0) == 0x80;
}

int ice_addr_from_sockaddr(struct ice_addr *a, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		ice_addr_set(a, AF_INET, &in->sin_addr, ntohs(in->sin_port));
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)sa;

		ice_addr_set(a, AF_INET6, &in6->sin6_addr,
			     ntohs(in6->sin6_port));
		return 0;
	}
	memset(a, 0, sizeof(*a));
	return -1;
}

int ice_addr_to_sockaddr(const struct ice_addr *a,
			 struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(a->port);
		memcpy(&in->sin_addr, a->ip, 4);
		*len = sizeof(*in);
		return 0;
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(a->port);
		memcpy(&in6->sin6_addr, a->ip, 16);
		*len = sizeof(*in6);
		return 0;
	}
	*len = 0;
	return -1;
}

const char *ice_addr_str(const struct ice_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (!len)
		return buf;
	if (a->family != AF_INET && a->family != AF_INET6) {
		snprintf(buf, len, "-");
		return buf;
	}
	inet_ntop(a->family, a->ip, ip, sizeof(ip));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, len, "%s:%u", ip, a->port);
	return buf;
}

const char *ice_cand_type_name(enum ice_cand_type t)
{
	/* cand-type tokens of RFC 8839 s.5.1 */
	switch (t) {
	case ICE_CAND_HOST:	return "host";
	case ICE_CAND_SRFLX:	return "srflx";
	case ICE_CAND_PRFLX:	return "prflx";
	case ICE_CAND_RELAY:	return "relay";
	}
	return "unknown";
}

int ice_type_pref(enum ice_cand_type t)
{
	/* RFC 8445 s.5.1.2.2 */
	switch (t) {
	case ICE_CAND_HOST:	return ICE_TYPE_PREF_HOST;
	case ICE_CAND_SRFLX:	return ICE_TYPE_PREF_SRFLX;
	case ICE_CAND_PRFLX:	return ICE_TYPE_PREF_PRFLX;
	case ICE_CAND_RELAY:	return ICE_TYPE_PREF_RELAY;
	}
	return -1;
}

uint32_t ice_priority(unsigned int type_pref, unsigned int local_pref,
		      unsigned int component)
{
	/* RFC 8445 s.5.1.2.1; type_pref 0..126 keeps the result < 2^31. */
	if (type_pref > 126 || local_pref > 65535 || component < 1 ||
	    component > 256)
		return 0;
	return ((uint32_t)type_pref << 24) + ((uint32_t)local_pref << 8) +
	       (256u - component);
}

uint16_t ice_local_pref(int family, unsigned int if_rank,
			unsigned int addr_idx)
{
	unsigned int hi, lo;

	if (if_rank > 127)
		if_rank = 127;
	if (addr_idx > 255)
		addr_idx = 255;
	hi = 255 - 2 * if_rank - (family == AF_INET ? 1 : 0);
	lo = 255 - addr_idx;
	return (uint16_t)(hi << 8 | lo);
}

void ice_cand_compute_priority(struct ice_cand *c)
{
	int tp = ice_type_pref(c->type);

	c->priority = tp < 0 ? 0 : ice_priority((unsigned int)tp,
						c->local_pref, c->component);
}

bool ice_foundation_match(const struct ice_cand *a, const struct ice_cand *b)
{
	/* RFC 8445 s.5.1.1.3: type, base IP, server IP, transport. */
	return a->type == b->type && a->transport == b->transport &&
	       ice_addr_ip_eq(&a->base, &b->base) &&
	       ice_addr_ip_eq(&a->server, &b->server);
}

bool ice_cand_redundant(const struct ice_cand *a, const struct ice_cand *b)
{
	/* RFC 8445 s.5.1.3 */
	return ice_addr_eq(&a->addr, &b->addr) &&
	       ice_addr_eq(&a->base, &b->base);
}

void ice_cand_set_init(struct ice_cand_set *s, unsigned int max, char prefix)
{
	memset(s, 0, sizeof(*s));
	if (max == 0)
		max = ICE_CAND_SET_DEFAULT_MAX;
	if (max > ICE_CAND_SET_HARD_MAX)
		max = ICE_CAND_SET_HARD_MAX;
	s->max = max;
	s->prefix = prefix ? prefix : 'F';
	s->next_foundation = 1;
}

static bool ice_cand_valid(const struct ice_cand *c)
{
	if (ice_type_pref(c->type) < 0 || c->component == 0 ||
	    c->transport != ICE_TRANSPORT_UDP || c->priority == 0 ||
	    c->priority > 0x7fffffffu)
		return false;
	if ((c->addr.family != AF_INET && c->addr.family != AF_INET6) ||
	    c->addr.port == 0 || ice_addr_is_unspecified(&c->addr))
		return false;
	/* A reflexive candidate must name its base (RFC 8445 s.5.1.1.2). */
	if ((c->type == ICE_CAND_SRFLX || c->type == ICE_CAND_PRFLX) &&
	    c->base.family == 0)
		return false;
	return true;
}

static void ice_cand_assign_foundation(struct ice_cand_set *s,
				       struct ice_cand *c)
{
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		if (ice_foundation_match(&s->c[i], c)) {
			memcpy(c->foundation, s->c[i].foundation,
			       sizeof(c->foundation));
			return;
		}
	}
	snprintf(c->foundation, sizeof(c->foundation), "%c%u", s->prefix,
		 s->next_foundation++);
}

enum ice_add_result ice_cand_set_add(struct ice_cand_set *s,
				     const struct ice_cand *in,
				     unsigned int *idx)
{
	struct ice_cand c = *in;
	unsigned int i;

	/* The base of a host or relayed candidate is itself (s.5.1.1.1). */
	if (c.base.family == 0 &&
	    (c.type == ICE_CAND_HOST || c.type == ICE_CAND_RELAY))
		c.base = c.addr;
	if (!ice_cand_valid(&c))
		return ICE_ADD_INVALID;

	for (i = 0; i < s->n; i++) {
		if (!ice_cand_redundant(&s->c[i], &c))
			continue;
		/* s.5.1.3: keep the one with the higher priority. */
		if (s->c[i].priority >= c.priority)
			return ICE_ADD_REDUNDANT;
		s->c[i] = c;
		/* Foundation from the others (excluding the replaced slot). */
		s->c[i].foundation[0] = '\0';
		{
			struct ice_cand tmp = s->c[i];
			unsigned int j;
			bool found = false;

			for (j = 0; j < s->n && !found; j++) {
				if (j != i &&
				    ice_foundation_match(&s->c[j], &tmp)) {
					memcpy(tmp.foundation,
					       s->c[j].foundation,
					       sizeof(tmp.foundation));
					found = true;
				}
			}
			if (!found)
				snprintf(tmp.foundation,
					 sizeof(tmp.foundation), "%c%u",
					 s->prefix, s->next_foundation++);
			s->c[i] = tmp;
		}
		if (idx)
			*idx = i;
		return ICE_ADD_REPLACED;
	}
	if (s->n >= s->max)
		return ICE_ADD_FULL;
	ice_cand_assign_foundation(s, &c);
	s->c[s->n] = c;
	if (idx)
		*idx = s->n;
	s->n++;
	return ICE_ADD_NEW;
}

void ice_cand_set_sort(struct ice_cand_set *s)
{
	unsigned int i, j;

	/* Insertion sort: stable, and sets are small (<= 255). */
	for (i = 1; i < s->n; i++) {
		struct ice_cand tmp = s->c[i];

		for (j = i; j > 0 && s->c[j - 1].priority < tmp.priority; j--)
			s->c[j] = s->c[j - 1];
		s->c[j] = tmp;
	}
}

int ice_cand_set_find(const struct ice_cand_set *s, const struct ice_addr *a)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (ice_addr_eq(&s->c[i].addr, a))
			return (int)i;
	return -1;
}
