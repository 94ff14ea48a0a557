// SPDX-License-Identifier: GPL-2.0
/* The daemon's control socket; see control.h for the protocol. */
#include "control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "json.h"

static bool word_is(const char *w, size_t wlen, const char *lit)
{
	return wlen == strlen(lit) && !memcmp(w, lit, wlen);
}

enum ctl_request ctl_parse_request(const char *buf, size_t len, bool eof)
{
	const char *nl = memchr(buf, '\n', len);
	const char *w2;
	size_t n, w1len, w2len;

	if (nl)
		n = (size_t)(nl - buf);
	else if (eof || len >= CTL_REQUEST_MAX)
		n = len;
	else
		return CTL_REQ_INCOMPLETE;
	while (n && (buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	if (!n)
		return CTL_REQ_STATUS;
	w1len = 0;
	while (w1len < n && buf[w1len] != ' ')
		w1len++;
	w2 = buf + w1len;
	w2len = n - w1len;
	while (w2len && *w2 == ' ') {
		w2++;
		w2len--;
	}
	if (word_is(buf, w1len, "status") && !w2len)
		return CTL_REQ_STATUS;
	if (!word_is(buf, w1len, "monitor"))
		return CTL_REQ_UNKNOWN;
	if (!w2len || word_is(w2, w2len, "text"))
		return CTL_REQ_MONITOR_TEXT;
	if (word_is(w2, w2len, "json"))
		return CTL_REQ_MONITOR_JSON;
	return CTL_REQ_UNKNOWN;
}

void ctl_init(struct ctl_server *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	for (i = 0; i < CTL_MAX_MONITORS; i++)
		s->mon[i].fd = -1;
	for (i = 0; i < CTL_MAX_PENDING; i++)
		s->pend[i].fd = -1;
}

int ctl_open(struct ctl_server *s, const char *path,
	     void (*status)(void *arg, FILE *f),
	     void (*attached)(void *arg, bool json), void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int saved;

	ctl_init(s);
	s->status = status;
	s->attached = attached;
	s->arg = arg;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd >= 0 && !bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) &&
	    !chmod(path, 0600) && !listen(s->fd, 4))
		return 0;
	saved = errno;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	errno = saved;
	return -1;
}

unsigned int ctl_pollfds(const struct ctl_server *s, struct pollfd *pfd)
{
	unsigned int i, n = 0;

	if (s->fd < 0)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	for (i = 0; i < CTL_MAX_PENDING; i++)
		if (s->pend[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = s->pend[i].fd,
						    .events = POLLIN };
	return n;
}

/* A short reply and close; the client may be gone, which is fine. */
static void reply_close(int fd, const char *msg)
{
	send(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

/*
 * The status is rendered in memory and sent without waiting: it is a few
 * kB against a socket buffer of hundreds, and a client that does not read
 * must not hold the loop.
 */
static void serve_status(struct ctl_server *s, int fd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f) {
		s->status(s->arg, f);
		fclose(f);
		/* a client that left, or reads nothing, gets nothing */
		send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		free(buf);
	}
	close(fd);
}

static void serve_monitor(struct ctl_server *s, int fd, bool json)
{
	unsigned int i;

	for (i = 0; i < CTL_MAX_MONITORS && s->mon[i].fd >= 0; i++)
		;
	if (i == CTL_MAX_MONITORS) {
		char msg[64];

		snprintf(msg, sizeof(msg), "error: at most %d monitors\n",
			 CTL_MAX_MONITORS);
		reply_close(fd, msg);
		return;
	}
	s->mon[i].fd = fd;
	s->mon[i].json = json;
	if (s->attached)
		s->attached(s->arg, json);
}

static void serve(struct ctl_server *s, unsigned int slot, enum ctl_request r)
{
	int fd = s->pend[slot].fd;

	s->pend[slot].fd = -1;
	switch (r) {
	case CTL_REQ_STATUS:
		serve_status(s, fd);
		break;
	case CTL_REQ_MONITOR_TEXT:
	case CTL_REQ_MONITOR_JSON:
		serve_monitor(s, fd, r == CTL_REQ_MONITOR_JSON);
		break;
	default:
		reply_close(fd, "error: unknown request (expected status or monitor)\n");
	}
}

static void accept_one(struct ctl_server *s, uint64_t now)
{
	int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	unsigned int i;

	if (fd < 0)
		return;
	for (i = 0; i < CTL_MAX_PENDING && s->pend[i].fd >= 0; i++)
		;
	if (i == CTL_MAX_PENDING) {
		reply_close(fd, "error: busy, try again\n");
		return;
	}
	s->pend[i].fd = fd;
	s->pend[i].len = 0;
	s->pend[i].deadline = now + CTL_REQUEST_WAIT_MS;
}

static void read_request(struct ctl_server *s, unsigned int slot)
{
	size_t room = CTL_REQUEST_MAX - s->pend[slot].len;
	enum ctl_request r;
	ssize_t n;

	n = recv(s->pend[slot].fd, s->pend[slot].req + s->pend[slot].len, room,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		close(s->pend[slot].fd);
		s->pend[slot].fd = -1;
		return;
	}
	s->pend[slot].len += (size_t)n;
	r = ctl_parse_request(s->pend[slot].req, s->pend[slot].len, n == 0);
	if (r != CTL_REQ_INCOMPLETE)
		serve(s, slot, r);
}

void ctl_on_poll(struct ctl_server *s, const struct pollfd *pfd,
		 unsigned int n, uint64_t now)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == s->fd) {
			accept_one(s, now);
			continue;
		}
		for (j = 0; j < CTL_MAX_PENDING; j++)
			if (s->pend[j].fd == pfd[i].fd)
				read_request(s, j);
	}
}

uint64_t ctl_next_deadline(const struct ctl_server *s)
{
	uint64_t t = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < CTL_MAX_PENDING; i++)
		if (s->pend[i].fd >= 0 && s->pend[i].deadline < t)
			t = s->pend[i].deadline;
	return t;
}

void ctl_timers(struct ctl_server *s, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < CTL_MAX_PENDING; i++)
		if (s->pend[i].fd >= 0 && now >= s->pend[i].deadline)
			serve(s, i, CTL_REQ_STATUS);
}

static void event_render(FILE *f, bool json, uint64_t t_ms, const char *event,
			 const char *text)
{
	if (json) {
		struct json j;

		json_init(&j, f);
		json_obj_open(&j, NULL);
		json_u64(&j, "t_ms", t_ms);
		json_str(&j, "event", event);
		json_str(&j, "detail", text);
		json_obj_close(&j);
		json_end(&j);
	} else {
		fprintf(f, "t=%llu.%03llu %s %s\n",
			(unsigned long long)(t_ms / 1000),
			(unsigned long long)(t_ms % 1000), event, text);
	}
}

size_t ctl_event_format(char *buf, size_t size, bool json, uint64_t t_ms,
			const char *event, const char *text)
{
	FILE *f = fmemopen(buf, size, "w");
	long len;

	if (!f || size < 2) {
		if (f)
			fclose(f);
		return 0;
	}
	/* our buffer: stdio adds no second one of its own */
	setvbuf(f, NULL, _IONBF, 0);
	event_render(f, json, t_ms, event, text);
	len = ftell(f);
	fclose(f);
	if (len < 0)
		len = 0;
	if ((size_t)len > size - 1)
		len = (long)size - 1;
	/* a line cut short still ends as one */
	if (!len || buf[len - 1] != '\n') {
		if ((size_t)len == size - 1)
			len--;
		buf[len++] = '\n';
	}
	return (size_t)len;
}

void ctl_broadcast(struct ctl_server *s, uint64_t t_ms, const char *event,
		   const char *text)
{
	char line[2][CTL_EVENT_MAX];	/* [json]: each rendered once */
	size_t len[2] = { 0, 0 };
	unsigned int i;

	for (i = 0; i < CTL_MAX_MONITORS; i++) {
		bool json = s->mon[i].json;
		ssize_t n;

		if (s->mon[i].fd < 0)
			continue;
		if (!len[json])
			len[json] = ctl_event_format(line[json], sizeof(line[json]),
						     json, t_ms, event, text);
		n = send(s->mon[i].fd, line[json], len[json],
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n != (ssize_t)len[json]) {
			close(s->mon[i].fd);
			s->mon[i].fd = -1;
		}
	}
}

void ctl_close(struct ctl_server *s)
{
	unsigned int i;

	for (i = 0; i < CTL_MAX_MONITORS; i++)
		if (s->mon[i].fd >= 0)
			close(s->mon[i].fd);
	for (i = 0; i < CTL_MAX_PENDING; i++)
		if (s->pend[i].fd >= 0)
			close(s->pend[i].fd);
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	s->fd = -1;
}
