// SPDX-License-Identifier: GPL-2.0
/* The daemon's non-blocking log output; see logsink.h. */
#include "logsink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A descriptor of our own on the same pipe or terminal, or -1. */
static int reopen_nonblocking(int fd, const struct stat *st)
{
	char path[64];
	struct stat st2;
	int nfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (nfd < 0)
		return -1;
	if (fstat(nfd, &st2) || st2.st_dev != st->st_dev ||
	    st2.st_ino != st->st_ino) {
		close(nfd);
		return -1;
	}
	return nfd;
}

int logsink_open(struct logsink *s, int fd)
{
	struct stat st;
	int flags;

	s->fd = -1;
	s->own_fd = false;
	s->restore_flags = -1;
	s->broken = false;
	s->len = 0;
	s->dropped = s->dropped_total = 0;
	if (fstat(fd, &st))
		return -1;
	if (S_ISREG(st.st_mode)) {
		s->fd = fd;
		return 0;
	}
	s->fd = reopen_nonblocking(fd, &st);
	if (s->fd >= 0) {
		s->own_fd = true;
		return 0;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -1;
	if (!(flags & O_NONBLOCK)) {
		if (fcntl(fd, F_SETFL, flags | O_NONBLOCK))
			return -1;
		s->restore_flags = flags;
	}
	s->fd = fd;
	return 0;
}

size_t logsink_room(const struct logsink *s)
{
	return sizeof(s->buf) - s->len;
}

bool logsink_pending(const struct logsink *s)
{
	return s->fd >= 0 && !s->broken && s->len;
}

void logsink_flush(struct logsink *s)
{
	size_t off = 0;

	while (s->fd >= 0 && !s->broken && off < s->len) {
		ssize_t n = write(s->fd, s->buf + off, s->len - off);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* EPIPE (SIGPIPE ignored), EIO, ENOSPC: nowhere to log */
		s->broken = true;
	}
	if (s->broken)
		off = s->len;
	memmove(s->buf, s->buf + off, s->len - off);
	s->len -= off;
}

bool logsink_line(struct logsink *s, const char *line, size_t len)
{
	if (s->fd < 0 || s->broken)
		return false;
	/* what waits goes first, so lines keep their order */
	if (s->len)
		logsink_flush(s);
	if (len > logsink_room(s)) {
		s->dropped++;
		s->dropped_total++;
		return false;
	}
	memcpy(s->buf + s->len, line, len);
	s->len += len;
	logsink_flush(s);
	return true;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void logsink_close(struct logsink *s, int wait_ms)
{
	int64_t end = mono_ms() + wait_ms;

	while (logsink_pending(s)) {
		struct pollfd p = { .fd = s->fd, .events = POLLOUT };
		int64_t left = end - mono_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		logsink_flush(s);
	}
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	else if (s->fd >= 0 && s->restore_flags >= 0)
		fcntl(s->fd, F_SETFL, s->restore_flags);
	s->fd = -1;
	s->own_fd = false;
	s->restore_flags = -1;
	s->len = 0;
}
