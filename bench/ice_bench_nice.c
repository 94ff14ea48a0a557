// SPDX-License-Identifier: GPL-2.0
/*
 * The harness of bench/ice_bench_mice.c around a libnice agent (NiceAgent,
 * RFC 5245 compatibility, one stream, one component, host candidates on
 * the given addresses only, no STUN/TURN server, no ICE-TCP, no UPnP), for
 * bench/ice_bench.sh. Same signalling, same t0, same JSON line. t1 is the
 * first "new-selected-pair-full" (libnice emits it when a pair is
 * nominated: on the controlling side when the USE-CANDIDATE check
 * succeeds, on the controlled side when that check arrives on a valid
 * pair); component-state-changed READY comes later when a higher-priority
 * pair is still in progress, so it is reported separately (ready_ms, when
 * it came before the harness exited).
 *
 * What libnice sends is counted by wrapping sendmsg()/sendto()/sendmmsg()
 * (the binary is linked -rdynamic so GIO's calls land here) and passing
 * every datagram to the same tap as the mice harness.
 *
 *   ice_bench_nice --controlling|--controlled --sig PATH --addr IP ...
 *                  [--ta MS] [--nomination regular|aggressive]
 *                  [--timeout S] [-v]
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <agent.h>
#include <glib-unix.h>

#include "ice_bench_common.h"

/* ------------------------------------------------------------------ */
/* counting what libnice sends */

static void tap_msg(int fd, const struct msghdr *m, size_t sent)
{
	struct sockaddr_storage src;
	socklen_t sl = sizeof(src);
	uint8_t buf[2048];
	size_t off = 0, i;

	if (!m->msg_name || getsockname(fd, (struct sockaddr *)&src, &sl))
		return;
	for (i = 0; i < m->msg_iovlen && off < sizeof(buf) && off < sent; i++) {
		size_t n = m->msg_iov[i].iov_len;

		if (n > sizeof(buf) - off)
			n = sizeof(buf) - off;
		memcpy(buf + off, m->msg_iov[i].iov_base, n);
		off += n;
	}
	if (off > sent)
		off = sent;
	ib_tap_tx((struct sockaddr *)&src, (const struct sockaddr *)m->msg_name,
		  buf, off);
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);
	ssize_t r;

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "sendmsg");
	r = real(fd, m, flags);
	if (r >= 0)
		tap_msg(fd, m, (size_t)r);
	return r;
}

int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	static int (*real)(int, struct mmsghdr *, unsigned int, int);
	int r, i;

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "sendmmsg");
	r = real(fd, v, n, flags);
	for (i = 0; i < r; i++)
		tap_msg(fd, &v[i].msg_hdr, v[i].msg_len);
	return r;
}

ssize_t sendto(int fd, const void *b, size_t len, int flags,
	       __CONST_SOCKADDR_ARG to, socklen_t tl)
{
	static ssize_t (*real)(int, const void *, size_t, int,
			       __CONST_SOCKADDR_ARG, socklen_t);
	struct sockaddr_storage src;
	socklen_t sl = sizeof(src);
	const struct sockaddr *dst = to.__sockaddr__;
	ssize_t r;

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "sendto");
	r = real(fd, b, len, flags, to, tl);
	if (r >= 0 && dst && !getsockname(fd, (struct sockaddr *)&src, &sl))
		ib_tap_tx((struct sockaddr *)&src, dst, b, (size_t)r);
	return r;
}

/* ------------------------------------------------------------------ */

static struct {
	GMainLoop *loop;
	NiceAgent *agent;
	guint stream;
	bool gathered, have_t1, peer_done, verbose;
	double ready;
	int sfd;
	struct ib_result res;
	struct ib_desc ldesc, rdesc;
} g;

static void addr_str(const NiceAddress *a, char *buf, size_t len)
{
	struct sockaddr_storage ss;

	nice_address_copy_to_sockaddr(a, (struct sockaddr *)&ss);
	ib_sa_str((struct sockaddr *)&ss, buf, len);
}

static void maybe_quit(void)
{
	if (g.have_t1 && g.peer_done)
		g_main_loop_quit(g.loop);
}

static gboolean on_linger(gpointer data)
{
	(void)data;
	g_main_loop_quit(g.loop);
	return G_SOURCE_REMOVE;
}

static void on_gathered(NiceAgent *agent, guint stream, gpointer data)
{
	(void)agent;
	(void)stream;
	(void)data;
	g.gathered = true;
}

static void on_recv(NiceAgent *agent, guint stream, guint comp, guint len,
		    gchar *buf, gpointer data)
{
	(void)agent;
	(void)stream;
	(void)comp;
	(void)len;
	(void)buf;
	(void)data;
}

static void on_state(NiceAgent *agent, guint stream, guint comp, guint state,
		     gpointer data)
{
	(void)agent;
	(void)stream;
	(void)comp;
	(void)data;
	if (g.verbose)
		fprintf(stderr, "%.1f state %s\n", ib_now_ms() - g.res.t0,
			nice_component_state_to_string(state));
	if (state == NICE_COMPONENT_STATE_READY && !g.ready)
		g.ready = ib_now_ms();
	if (state == NICE_COMPONENT_STATE_FAILED && !g.have_t1) {
		g.res.note = "ice failed";
		g_main_loop_quit(g.loop);
	}
}

static void on_selected(NiceAgent *agent, guint stream, guint comp,
			NiceCandidate *l, NiceCandidate *r, gpointer data)
{
	(void)agent;
	(void)stream;
	(void)comp;
	(void)data;
	if (g.verbose) {
		char ls[80], rs[80];

		addr_str(&l->addr, ls, sizeof(ls));
		addr_str(&r->addr, rs, sizeof(rs));
		fprintf(stderr, "%.1f selected %s -> %s\n",
			ib_now_ms() - g.res.t0, ls, rs);
	}
	if (g.have_t1)
		return;
	g.res.t1 = ib_now_ms();
	g.have_t1 = true;
	g.res.ok = true;
	g.res.at_t1 = ib_tap;
	addr_str(&l->base_addr, g.res.local, sizeof(g.res.local));
	addr_str(&r->addr, g.res.remote, sizeof(g.res.remote));
	g.res.checked_before = ib_tap_tuple_index(g.res.local, g.res.remote);
	ib_sig_send_line(g.sfd, "done");
	/* wait at most 3 s for the peer's "done" */
	g_timeout_add(3000, on_linger, NULL);
	maybe_quit();
}

static gboolean on_sig(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	int d;

	(void)cond;
	(void)data;
	d = ib_sig_poll_done(g.sfd);
	if (g.verbose)
		fprintf(stderr, "%.1f signalling: %d\n", ib_now_ms() - g.res.t0,
			d);
	if (d != 0) {
		g.peer_done = true;	/* done, or the peer went away */
		maybe_quit();
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean on_timeout(gpointer data)
{
	(void)data;
	if (!g.have_t1)
		g.res.note = "timeout";
	g_main_loop_quit(g.loop);
	return G_SOURCE_REMOVE;
}

static void usage(void)
{
	fprintf(stderr, "usage: ice_bench_nice --controlling|--controlled "
		"--sig PATH --addr IP ... [--ta MS] "
		"[--nomination regular|aggressive] [--timeout S] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	NiceAgentOption opts = NICE_AGENT_OPTION_REGULAR_NOMINATION;
	const char *sig = NULL, *addrs[IB_MAX_CAND];
	unsigned int n_addr = 0, i, ta = 0, timeout_s = 20;
	bool controlling = false, role_set = false;
	gchar *ufrag = NULL, *pwd = NULL;
	GSList *lc, *it, *rl = NULL;
	int k, lfd = -1;
	double end;

	memset(&g, 0, sizeof(g));
	g.res.impl = "libnice";
	g.res.nomination = "regular";
	g.res.checked_before = -1;
	g.res.engine_checks = -1;
	g.res.engine_retransmits = -1;
	for (k = 1; k < argc; k++) {
		const char *o = argv[k];

		if (!strcmp(o, "--controlling") || !strcmp(o, "--controlled")) {
			controlling = !strcmp(o, "--controlling");
			role_set = true;
		} else if (!strcmp(o, "-v")) {
			g.verbose = true;
		} else if (k + 1 >= argc) {
			usage();
		} else if (!strcmp(o, "--sig")) {
			sig = argv[++k];
		} else if (!strcmp(o, "--ta")) {
			ta = (unsigned int)atoi(argv[++k]);
		} else if (!strcmp(o, "--timeout")) {
			timeout_s = (unsigned int)atoi(argv[++k]);
		} else if (!strcmp(o, "--nomination")) {
			g.res.nomination = argv[++k];
			if (!strcmp(g.res.nomination, "aggressive"))
				opts = NICE_AGENT_OPTION_NONE;
			else if (strcmp(g.res.nomination, "regular"))
				usage();
		} else if (!strcmp(o, "--addr")) {
			char *comma;

			if (n_addr >= IB_MAX_CAND)
				usage();
			/* an ",IF_RANK" suffix (mice harness syntax) is
			 * ignored: libnice ranks addresses itself */
			comma = strchr(argv[++k], ',');
			if (comma)
				*comma = 0;
			addrs[n_addr++] = argv[k];
		} else {
			usage();
		}
	}
	if (!role_set || !sig || !n_addr)
		usage();
	g.res.controlling = controlling;

	g.loop = g_main_loop_new(NULL, FALSE);
	g.agent = nice_agent_new_full(NULL, NICE_COMPATIBILITY_RFC5245, opts);
	g_object_set(g.agent, "controlling-mode", controlling, "ice-tcp", FALSE,
		     "upnp", FALSE, NULL);
	if (ta)
		g_object_set(g.agent, "stun-pacing-timer", ta, NULL);
	g_object_get(g.agent, "stun-pacing-timer", &g.res.ta_ms, NULL);
	for (i = 0; i < n_addr; i++) {
		NiceAddress na;

		nice_address_init(&na);
		if (!nice_address_set_from_string(&na, addrs[i]) ||
		    !nice_agent_add_local_address(g.agent, &na)) {
			fprintf(stderr, "ice_bench_nice: address %s\n", addrs[i]);
			return 2;
		}
	}
	g.stream = nice_agent_add_stream(g.agent, 1);
	nice_agent_attach_recv(g.agent, g.stream, 1, NULL, on_recv, NULL);
	g_signal_connect(g.agent, "candidate-gathering-done",
			 G_CALLBACK(on_gathered), NULL);
	g_signal_connect(g.agent, "component-state-changed",
			 G_CALLBACK(on_state), NULL);
	g_signal_connect(g.agent, "new-selected-pair-full",
			 G_CALLBACK(on_selected), NULL);
	if (!nice_agent_gather_candidates(g.agent, g.stream)) {
		fprintf(stderr, "ice_bench_nice: gathering failed\n");
		return 2;
	}
	end = ib_now_ms() + 5000;
	while (!g.gathered && ib_now_ms() < end)
		g_main_context_iteration(NULL, TRUE);
	if (!g.gathered) {
		fprintf(stderr, "ice_bench_nice: gathering timed out\n");
		return 2;
	}
	nice_agent_get_local_credentials(g.agent, g.stream, &ufrag, &pwd);
	snprintf(g.ldesc.ufrag, sizeof(g.ldesc.ufrag), "%s", ufrag);
	snprintf(g.ldesc.pwd, sizeof(g.ldesc.pwd), "%s", pwd);
	g_free(ufrag);
	g_free(pwd);
	lc = nice_agent_get_local_candidates(g.agent, g.stream, 1);
	for (it = lc; it && g.ldesc.n < IB_MAX_CAND; it = it->next) {
		NiceCandidate *c = it->data;
		struct ib_cand *b = &g.ldesc.c[g.ldesc.n];

		if (c->transport != NICE_CANDIDATE_TRANSPORT_UDP ||
		    c->type != NICE_CANDIDATE_TYPE_HOST)
			continue;
		snprintf(b->foundation, sizeof(b->foundation), "%s",
			 c->foundation);
		b->priority = c->priority;
		nice_address_to_string(&c->addr, b->ip);
		b->port = (uint16_t)nice_address_get_port(&c->addr);
		b->family = nice_address_ip_version(&c->addr) == 6 ? AF_INET6
								    : AF_INET;
		g.ldesc.n++;
		if (g.verbose)
			fprintf(stderr, "local %s %u %s %u\n", b->foundation,
				b->priority, b->ip, b->port);
	}
	g_slist_free_full(lc, (GDestroyNotify)nice_candidate_free);

	if (controlling) {
		lfd = ib_sig_listen(sig);
		if (lfd < 0 || (g.sfd = ib_sig_accept(lfd, 10000)) < 0 ||
		    ib_sig_send_desc(g.sfd, &g.ldesc) ||
		    ib_sig_recv_desc(g.sfd, &g.rdesc, 10000))
			return 2;
		g.res.t0 = ib_now_ms();
	} else {
		g.sfd = ib_sig_connect(sig, 10000);
		if (g.sfd < 0 || ib_sig_recv_desc(g.sfd, &g.rdesc, 10000))
			return 2;
		g.res.t0 = ib_now_ms();
		if (ib_sig_send_desc(g.sfd, &g.ldesc))
			return 2;
	}
	nice_agent_set_remote_credentials(g.agent, g.stream, g.rdesc.ufrag,
					  g.rdesc.pwd);
	for (i = 0; i < g.rdesc.n; i++) {
		const struct ib_cand *b = &g.rdesc.c[i];
		NiceCandidate *c = nice_candidate_new(NICE_CANDIDATE_TYPE_HOST);

		c->transport = NICE_CANDIDATE_TRANSPORT_UDP;
		c->stream_id = g.stream;
		c->component_id = 1;
		c->priority = b->priority;
		snprintf(c->foundation, sizeof(c->foundation), "%s",
			 b->foundation);
		nice_address_set_from_string(&c->addr, b->ip);
		nice_address_set_port(&c->addr, b->port);
		c->base_addr = c->addr;
		rl = g_slist_append(rl, c);
	}
	if (nice_agent_set_remote_candidates(g.agent, g.stream, 1, rl) !=
	    (int)g.rdesc.n) {
		fprintf(stderr, "ice_bench_nice: remote candidates refused\n");
		return 2;
	}
	g_slist_free_full(rl, (GDestroyNotify)nice_candidate_free);
	fcntl(g.sfd, F_SETFL, O_NONBLOCK);
	g_unix_fd_add(g.sfd, G_IO_IN | G_IO_HUP, on_sig, NULL);
	g_timeout_add(timeout_s * 1000, on_timeout, NULL);
	if (!(g.have_t1 && g.peer_done))
		g_main_loop_run(g.loop);

	g.res.pairs_above = ib_pairs_above(&g.ldesc, &g.rdesc, controlling,
					   g.res.local, g.res.remote,
					   &g.res.pairs_total);
	g.res.ready = g.ready;
	if (g.verbose)
		ib_print_tuples(g.res.t0);
	ib_print_result(&g.res);
	g_object_unref(g.agent);
	g_main_loop_unref(g.loop);
	if (lfd >= 0) {
		close(lfd);
		unlink(sig);
	}
	close(g.sfd);
	return g.res.ok ? 0 : 1;
}
