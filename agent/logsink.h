/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's log output, written without ever blocking its loop (issue
 * 14, item 8): when stdout is a pipe or a terminal that nobody reads, a
 * blocking write (stdio's fflush) would stop the daemon answering checks,
 * relaying and registering until someone reads.
 *
 * Lines go to a non-blocking file descriptor; what it does not take at
 * once waits in a bounded buffer (LOGSINK_CAP) that the loop flushes when
 * poll() says the descriptor is writable. A line that does not fit is
 * dropped whole and counted, for the daemon to report when there is room
 * again. A regular file is written as it is (a file never makes a writer
 * wait for a reader).
 *
 * Non-blocking without touching the caller's descriptor: a pipe, FIFO or
 * terminal is opened again through /proc/self/fd, which gives a file
 * description of our own to set O_NONBLOCK on; the shell or the reader
 * that shares the original keeps its blocking mode. Where that is not
 * possible (a socket), O_NONBLOCK is set on the descriptor itself and
 * its flags are put back by logsink_close().
 */
#ifndef MICE_AGENT_LOGSINK_H
#define MICE_AGENT_LOGSINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Some seconds of a busy daemon's lines; a reader that lags more loses. */
#define LOGSINK_CAP	(64 * 1024)

struct logsink {
	int fd;			/* -1: nothing is written */
	bool own_fd;		/* reopened: close it */
	int restore_flags;	/* >= 0: put these file status flags back */
	bool broken;		/* a write error other than "full": stop */
	size_t len;		/* queued octets at buf */
	uint64_t dropped;	/* lines dropped since the daemon last said so */
	uint64_t dropped_total;
	char buf[LOGSINK_CAP];
};

/* Write to @fd (e.g. STDOUT_FILENO) from now on. Returns 0 or -1 (errno). */
int logsink_open(struct logsink *s, int fd);

/*
 * Queue one whole line (@len octets, its '\n' included) and write what
 * the descriptor takes now. Returns false if it was dropped (counted).
 */
bool logsink_line(struct logsink *s, const char *line, size_t len);

/* Free octets in the buffer: whether a line of that size would be kept. */
size_t logsink_room(const struct logsink *s);

/* Whether queued octets wait: poll the descriptor for POLLOUT. */
bool logsink_pending(const struct logsink *s);

/* Write what the descriptor takes now (after POLLOUT). */
void logsink_flush(struct logsink *s);

/*
 * At exit: write what is queued, waiting at most @wait_ms in all for the
 * reader; then close what logsink_open() opened, or restore the flags.
 */
void logsink_close(struct logsink *s, int wait_ms);

#endif /* MICE_AGENT_LOGSINK_H */
