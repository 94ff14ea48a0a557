// SPDX-License-Identifier: GPL-2.0
/* Shared parts of the ICE bench harnesses; see ice_bench_common.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ice_bench_common.h"

struct ib_tap ib_tap;

double ib_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------------ */
/* signalling */

static int un_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		fprintf(stderr, "ice_bench: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

int ib_sig_listen(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (un_addr(&sun, path))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 1)) {
		perror("ice_bench: signalling socket");
		close(fd);
		return -1;
	}
	return fd;
}

int ib_sig_accept(int lfd, int timeout_ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	if (poll(&p, 1, timeout_ms) != 1) {
		fprintf(stderr, "ice_bench: no peer on the signalling socket\n");
		return -1;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		perror("ice_bench: accept");
	return fd;
}

int ib_sig_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sun;
	double end = ib_now_ms() + timeout_ms;

	if (un_addr(&sun, path))
		return -1;
	while (ib_now_ms() < end) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
			return fd;
		close(fd);
		usleep(10000);
	}
	fprintf(stderr, "ice_bench: cannot connect to %s\n", path);
	return -1;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int ib_sig_send_line(int fd, const char *line)
{
	if (write_all(fd, line, strlen(line)) || write_all(fd, "\n", 1))
		return -1;
	return 0;
}

int ib_sig_send_desc(int fd, const struct ib_desc *d)
{
	char buf[4096];
	size_t off = 0;
	unsigned int i;

	off += (size_t)snprintf(buf + off, sizeof(buf) - off,
				"ufrag %s\npwd %s\n", d->ufrag, d->pwd);
	for (i = 0; i < d->n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"cand %s %u %s %u\n", d->c[i].foundation,
					d->c[i].priority, d->c[i].ip,
					d->c[i].port);
	if (off >= sizeof(buf) - 5)
		return -1;
	off += (size_t)snprintf(buf + off, sizeof(buf) - off, "end\n");
	return write_all(fd, buf, off);
}

/* The partial line read so far: a line split across two calls (the peer's
 * write not complete, or a timeout of 0) is kept, not lost. One signalling
 * connection per process. */
static char part[512];
static size_t part_n;

/* One line (without the newline) into @buf, byte by byte so nothing after
 * it is consumed. Data already readable is always read, even when the
 * timeout has passed. 1: a line, 0: no complete line in time, -1: closed
 * or error. */
static int read_line(int fd, char *buf, size_t len, int timeout_ms)
{
	double end = ib_now_ms() + timeout_ms;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = end - ib_now_ms();
		ssize_t r;
		char ch;

		if (poll(&p, 1, left > 0 ? (int)left + 1 : 0) != 1)
			return 0;
		r = read(fd, &ch, 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -1;
		if (ch == '\n') {
			size_t n = part_n < len ? part_n : len - 1;

			memcpy(buf, part, n);
			buf[n] = 0;
			part_n = 0;
			return 1;
		}
		if (part_n + 1 < sizeof(part))
			part[part_n++] = ch;
	}
}

int ib_sig_recv_desc(int fd, struct ib_desc *d, int timeout_ms)
{
	char line[512];

	memset(d, 0, sizeof(*d));
	for (;;) {
		struct ib_cand *c;
		unsigned int prio, port;
		int r = read_line(fd, line, sizeof(line), timeout_ms);

		if (r <= 0) {
			fprintf(stderr, "ice_bench: signalling %s\n",
				r ? "closed" : "timeout");
			return -1;
		}
		if (!strcmp(line, "end"))
			break;
		if (!strncmp(line, "ufrag ", 6)) {
			if (strlen(line + 6) >= sizeof(d->ufrag))
				return -1;
			memcpy(d->ufrag, line + 6, strlen(line + 6) + 1);
		} else if (!strncmp(line, "pwd ", 4)) {
			if (strlen(line + 4) >= sizeof(d->pwd))
				return -1;
			memcpy(d->pwd, line + 4, strlen(line + 4) + 1);
		} else if (!strncmp(line, "cand ", 5) && d->n < IB_MAX_CAND) {
			c = &d->c[d->n];
			if (sscanf(line + 5, "%32s %u %63s %u", c->foundation,
				   &prio, c->ip, &port) != 4)
				return -1;
			c->priority = prio;
			c->port = (uint16_t)port;
			c->family = strchr(c->ip, ':') ? AF_INET6 : AF_INET;
			d->n++;
		}
	}
	return d->ufrag[0] && d->pwd[0] && d->n ? 0 : -1;
}

int ib_sig_poll_done(int fd)
{
	char line[64];
	int r;

	for (;;) {
		r = read_line(fd, line, sizeof(line), 0);
		if (r <= 0)
			return r;
		if (!strcmp(line, "done"))
			return 1;
	}
}

void ib_random_cred(char *buf, size_t len)
{
	static const char cs[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
	unsigned char r[128];
	size_t i;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, r, sizeof(r)) != (ssize_t)sizeof(r)) {
		fprintf(stderr, "ice_bench: /dev/urandom\n");
		exit(2);
	}
	close(fd);
	for (i = 0; i + 1 < len && i < sizeof(r); i++)
		buf[i] = cs[r[i] % 64];
	buf[i] = 0;
}

/* ------------------------------------------------------------------ */
/* the send tap */

const char *ib_sa_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(s->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(s->sin6_port));
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

int ib_tap_tuple_index(const char *src, const char *dst)
{
	unsigned int i;

	for (i = 0; i < ib_tap.n_tuple; i++)
		if (!strcmp(ib_tap.tuple[i].src, src) &&
		    !strcmp(ib_tap.tuple[i].dst, dst))
			return (int)i;
	return -1;
}

/* RFC 8489 s.5/s.14: header, then TLVs padded to 4 bytes. */
static bool has_attr(const uint8_t *buf, size_t len, uint16_t type)
{
	size_t off = 20, mlen = (size_t)buf[2] << 8 | buf[3];

	if (mlen + 20 < len)
		len = mlen + 20;
	while (off + 4 <= len) {
		uint16_t t = (uint16_t)(buf[off] << 8 | buf[off + 1]);
		size_t l = (size_t)buf[off + 2] << 8 | buf[off + 3];

		if (t == type)
			return true;
		off += 4 + ((l + 3) & ~(size_t)3);
	}
	return false;
}

void ib_tap_tx(const struct sockaddr *src, const struct sockaddr *dst,
	       const uint8_t *buf, size_t len)
{
	struct ib_tuple t;
	unsigned int i;
	uint16_t type;
	int k;

	/* STUN: top two bits zero, magic cookie (RFC 8489 s.5). */
	if (len < 20 || (buf[0] & 0xc0) || buf[4] != 0x21 || buf[5] != 0x12 ||
	    buf[6] != 0xa4 || buf[7] != 0x42)
		return;
	type = (uint16_t)(buf[0] << 8 | buf[1]);
	switch (type & 0x0110) {
	case 0x0000:
		break;
	case 0x0010:
		ib_tap.ind_pkts++;
		return;
	default:
		ib_tap.resp_pkts++;
		return;
	}
	ib_tap.req_pkts++;
	if (has_attr(buf, len, 0x0025))		/* USE-CANDIDATE */
		ib_tap.use_cand_pkts++;
	for (i = 0; i < ib_tap.n_tid; i++)
		if (!memcmp(ib_tap.tid[i], buf + 8, 12))
			break;
	if (i == ib_tap.n_tid && i < IB_MAX_TID)
		memcpy(ib_tap.tid[ib_tap.n_tid++], buf + 8, 12);
	ib_sa_str(src, t.src, sizeof(t.src));
	ib_sa_str(dst, t.dst, sizeof(t.dst));
	k = ib_tap_tuple_index(t.src, t.dst);
	if (k < 0 && ib_tap.n_tuple < IB_MAX_TUPLE) {
		t.first = ib_now_ms();
		t.reqs = 0;
		k = (int)ib_tap.n_tuple;
		ib_tap.tuple[ib_tap.n_tuple++] = t;
	}
	if (k >= 0) {
		ib_tap.tuple[k].last = ib_now_ms();
		ib_tap.tuple[k].reqs++;
	}
}

void ib_print_tuples(double t0)
{
	unsigned int i;

	for (i = 0; i < ib_tap.n_tuple; i++)
		fprintf(stderr, "pair %u %s > %s: %u requests, %.1f-%.1f ms\n",
			i, ib_tap.tuple[i].src, ib_tap.tuple[i].dst,
			ib_tap.tuple[i].reqs, ib_tap.tuple[i].first - t0,
			ib_tap.tuple[i].last - t0);
}

/* ------------------------------------------------------------------ */
/* pairs */

static uint64_t pair_prio(uint32_t g, uint32_t d)
{
	/* RFC 8445 s.6.1.2.3 */
	uint64_t mn = g < d ? g : d, mx = g < d ? d : g;

	return (mn << 32) + 2 * mx + (g > d ? 1 : 0);
}

static void cand_str(const struct ib_cand *c, char *buf, size_t len)
{
	if (c->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", c->ip, c->port);
	else
		snprintf(buf, len, "%s:%u", c->ip, c->port);
}

unsigned int ib_pairs_above(const struct ib_desc *local,
			    const struct ib_desc *remote, bool controlling,
			    const char *win_local, const char *win_remote,
			    unsigned int *total)
{
	uint64_t pr[IB_MAX_CAND * IB_MAX_CAND], win = 0;
	unsigned int i, j, n = 0, above = 0;
	bool found = false;
	char ls[80], rs[80];

	for (i = 0; i < local->n; i++) {
		for (j = 0; j < remote->n; j++) {
			const struct ib_cand *l = &local->c[i], *r = &remote->c[j];
			uint64_t p;

			if (l->family != r->family)
				continue;
			p = controlling ? pair_prio(l->priority, r->priority)
					: pair_prio(r->priority, l->priority);
			pr[n++] = p;
			cand_str(l, ls, sizeof(ls));
			cand_str(r, rs, sizeof(rs));
			if (win_local && win_remote && !strcmp(ls, win_local) &&
			    !strcmp(rs, win_remote)) {
				win = p;
				found = true;
			}
		}
	}
	*total = n;
	if (!found)
		return 0;
	for (i = 0; i < n; i++)
		if (pr[i] > win)
			above++;
	return above;
}

/* ------------------------------------------------------------------ */
/* output */

void ib_print_result(const struct ib_result *r)
{
	printf("{\"impl\":\"%s\",\"role\":\"%s\",\"nomination\":\"%s\","
	       "\"ta_ms\":%u,\"ok\":%s,\"t0_ms\":%.3f,\"t1_ms\":%.3f,"
	       "\"time_ms\":%.3f,\"local\":\"%s\",\"remote\":\"%s\","
	       "\"requests\":%llu,\"transactions\":%u,"
	       "\"use_candidate\":%llu,\"responses\":%llu,"
	       "\"pairs_total\":%u,\"pairs_above_winner\":%u,"
	       "\"pairs_checked_before_winner\":%d,"
	       "\"engine_checks\":%ld,\"engine_retransmits\":%ld,"
	       "\"requests_total\":%llu,\"transactions_total\":%u,"
	       "\"ready_ms\":%.3f%s%s%s}\n",
	       r->impl, r->controlling ? "controlling" : "controlled",
	       r->nomination, r->ta_ms, r->ok ? "true" : "false", r->t0,
	       r->ok ? r->t1 : 0.0, r->ok ? r->t1 - r->t0 : -1.0,
	       r->local, r->remote,
	       (unsigned long long)r->at_t1.req_pkts, r->at_t1.n_tid,
	       (unsigned long long)r->at_t1.use_cand_pkts,
	       (unsigned long long)r->at_t1.resp_pkts,
	       r->pairs_total, r->pairs_above, r->checked_before,
	       r->engine_checks, r->engine_retransmits,
	       (unsigned long long)ib_tap.req_pkts, ib_tap.n_tid,
	       r->ready ? r->ready - r->t0 : -1.0, r->note ? ",\"note\":\"" : "", r->note ? r->note : "",
	       r->note ? "\"" : "");
	fflush(stdout);
}
