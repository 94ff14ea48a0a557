/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's control socket (docs/design.md, "Monitoring"): a Unix
 * stream socket that `mice status` and `mice monitor --daemon` connect to.
 * Each connection sends one request line: "status" (also an empty request,
 * or none within CTL_REQUEST_WAIT_MS) is answered with the daemon's JSON
 * state and closed; "monitor json" or "monitor text" keeps the connection
 * and streams every event.
 *
 * Nothing here ever blocks the daemon's loop: a request is collected over
 * as many wake-ups as the client needs, a monitor that cannot keep up is
 * dropped, and at most CTL_MAX_PENDING clients wait for their request at
 * once (more are turned away with a message).
 */
#ifndef MICE_AGENT_CONTROL_H
#define MICE_AGENT_CONTROL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CTL_MAX_MONITORS	8
#define CTL_MAX_PENDING		4
#define CTL_REQUEST_MAX		64	/* octets of a request line */
#define CTL_REQUEST_WAIT_MS	200	/* then a silent client gets status */
/* The listening socket and every pending request: ctl_pollfds()'s most. */
#define CTL_POLLFDS		(1 + CTL_MAX_PENDING)

enum ctl_request {
	CTL_REQ_INCOMPLETE = 0,		/* no end of line yet */
	CTL_REQ_STATUS,
	CTL_REQ_MONITOR_TEXT,
	CTL_REQ_MONITOR_JSON,
	CTL_REQ_UNKNOWN,
};

/*
 * What @len octets at @buf ask for. A request ends at its first '\n'; a
 * request of CTL_REQUEST_MAX octets with no end of line, or @eof, ends
 * where it is. A trailing '\r' and spaces are ignored.
 */
enum ctl_request ctl_parse_request(const char *buf, size_t len, bool eof);

struct ctl_server {
	int fd;				/* listening; -1: none */
	char path[108];
	struct {
		int fd;			/* -1: free */
		bool json;
	} mon[CTL_MAX_MONITORS];
	struct {
		int fd;			/* -1: free */
		uint64_t deadline;	/* ms: then it is a status request */
		size_t len;
		char req[CTL_REQUEST_MAX];
	} pend[CTL_MAX_PENDING];
	/* The daemon's state for a status request, as JSON. */
	void (*status)(void *arg, FILE *f);
	/* A monitor was attached (the daemon tells every monitor). */
	void (*attached)(void *arg, bool json);
	void *arg;
};

/* No socket, no connections: safe for ctl_broadcast() and ctl_close(). */
void ctl_init(struct ctl_server *s);

/*
 * Listen on @path (mode 0600, a stale socket replaced). Returns 0, or -1
 * with errno set; @s is then unusable but safe to pass to the rest.
 */
int ctl_open(struct ctl_server *s, const char *path,
	     void (*status)(void *arg, FILE *f),
	     void (*attached)(void *arg, bool json), void *arg);

/* Fill up to CTL_POLLFDS entries of @pfd; returns how many. */
unsigned int ctl_pollfds(const struct ctl_server *s, struct pollfd *pfd);

/* After poll(): act on the @n entries ctl_pollfds() filled, at @now ms. */
void ctl_on_poll(struct ctl_server *s, const struct pollfd *pfd,
		 unsigned int n, uint64_t now);

/* The next time ctl_timers() has work; UINT64_MAX: none. */
uint64_t ctl_next_deadline(const struct ctl_server *s);

/* Serve the requests whose client stayed silent until their deadline. */
void ctl_timers(struct ctl_server *s, uint64_t now);

/*
 * One event to every monitor, as a JSON object or a "t=S.mmm event text"
 * line. A monitor whose socket buffer is full is closed, never waited for.
 */
void ctl_broadcast(struct ctl_server *s, uint64_t t_ms, const char *event,
		   const char *text);

/* Room for one rendered event: the daemon's texts are shorter. */
#define CTL_EVENT_MAX		2048

/*
 * The same event rendering into @buf (@size >= 2), for the daemon's own
 * log: returns the line's length, its '\n' included; a line too long for
 * @buf is cut and still ends with '\n'.
 */
size_t ctl_event_format(char *buf, size_t size, bool json, uint64_t t_ms,
			const char *event, const char *text);

/* Close every connection and the listening socket, and unlink it. */
void ctl_close(struct ctl_server *s);

#endif /* MICE_AGENT_CONTROL_H */
