// SPDX-License-Identifier: GPL-2.0
/*
 * Heap bytes per ICE session, mice (agent/ice_agent.h) against libnice,
 * in one process: K sessions of each, every one with 4 local host
 * candidates and the peer's 4 (16 pairs formed, checks not yet run), and
 * the growth of the malloc heap (mallinfo2(): in-use arena bytes plus
 * mmapped chunks) divided by K. One session of each kind is created and
 * freed first, so one-time costs (GType registration, OpenSSL's RNG) are
 * not counted.
 *
 * mice: ice_agent_new, 4 local candidates, ice_agent_set_remote. The
 * caller's 4 UDP sockets are not counted (kernel memory, and a few dozen
 * bytes of bookkeeping in the caller).
 * libnice: NiceAgent (RFC 5245, regular nomination, no ICE-TCP/UPnP),
 * nice_agent_add_local_address x4 (127.0.0.1-4), one stream with one
 * component, attach_recv on a shared GMainContext, gather (its GSockets
 * and sources are counted), remote credentials and 4 remote candidates.
 * GLib's slice allocator is switched to plain malloc (G_SLICE=always-malloc,
 * what GLib >= 2.76 always does) so its caches do not blur the figure.
 *
 *   ice_session_mem [K]       (default 1000; needs 4K file descriptors)
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <agent.h>

#include "ice_agent.h"

#define N_LOCAL		4
#define N_REMOTE	4

static size_t heap_used(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;
}

/* ------------------------------------------------------------------ */
/* mice */

static void host4(struct ice_cand *c, const char *ip, uint16_t port,
		  unsigned int rank)
{
	uint8_t a[4];

	memset(c, 0, sizeof(*c));
	c->type = ICE_CAND_HOST;
	c->transport = ICE_TRANSPORT_UDP;
	c->component = 1;
	c->local_pref = ice_local_pref(AF_INET, rank, 0);
	inet_pton(AF_INET, ip, a);
	ice_addr_set(&c->addr, AF_INET, a, port);
	c->base = c->addr;
	ice_cand_compute_priority(c);
}

static struct ice_agent *mice_session(const struct mice_clock *clk,
				      unsigned int i)
{
	struct ice_agent_config cfg;
	struct ice_cand rem[N_REMOTE], c;
	struct ice_agent *a;
	char ip[32];
	unsigned int k;

	ice_agent_config_default(&cfg);
	cfg.controlling = true;
	snprintf(cfg.ufrag, sizeof(cfg.ufrag), "u%07u", i);
	snprintf(cfg.pwd, sizeof(cfg.pwd), "p%023u", i);
	a = ice_agent_new(&cfg, clk);
	if (!a)
		return NULL;
	for (k = 0; k < N_LOCAL; k++) {
		snprintf(ip, sizeof(ip), "127.0.0.%u", k + 1);
		host4(&c, ip, (uint16_t)(20000 + i % 30000), k);
		if (ice_agent_add_local_candidate(a, &c) != ICE_OK)
			goto fail;
	}
	for (k = 0; k < N_REMOTE; k++) {
		snprintf(ip, sizeof(ip), "127.0.1.%u", k + 1);
		host4(&rem[k], ip, 9, k);
	}
	if (ice_agent_set_remote(a, "peer0000", "peerpassword0000000000000",
				 rem, N_REMOTE, true, mice_clock_now(clk)) !=
	    ICE_OK)
		goto fail;
	return a;
fail:
	ice_agent_free(a);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* libnice */

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

static NiceAgent *nice_session(GMainContext *ctx)
{
	NiceAgent *a = nice_agent_new_full(ctx, NICE_COMPATIBILITY_RFC5245,
					   NICE_AGENT_OPTION_REGULAR_NOMINATION);
	GSList *rl = NULL;
	char ip[32];
	guint s, k;

	g_object_set(a, "controlling-mode", TRUE, "ice-tcp", FALSE, "upnp",
		     FALSE, NULL);
	for (k = 0; k < N_LOCAL; k++) {
		NiceAddress na;

		snprintf(ip, sizeof(ip), "127.0.0.%u", k + 1);
		nice_address_init(&na);
		nice_address_set_from_string(&na, ip);
		nice_agent_add_local_address(a, &na);
	}
	s = nice_agent_add_stream(a, 1);
	nice_agent_attach_recv(a, s, 1, ctx, on_recv, NULL);
	if (!s || !nice_agent_gather_candidates(a, s))
		goto fail;
	nice_agent_set_remote_credentials(a, s, "peer0000",
					  "peerpassword0000000000000");
	for (k = 0; k < N_REMOTE; k++) {
		NiceCandidate *c = nice_candidate_new(NICE_CANDIDATE_TYPE_HOST);

		snprintf(ip, sizeof(ip), "127.0.1.%u", k + 1);
		c->transport = NICE_CANDIDATE_TRANSPORT_UDP;
		c->stream_id = s;
		c->component_id = 1;
		c->priority = 2113929216u + (65535u - k) * 256u + 255u;
		snprintf(c->foundation, sizeof(c->foundation), "R%u", k);
		nice_address_set_from_string(&c->addr, ip);
		nice_address_set_port(&c->addr, 9);
		c->base_addr = c->addr;
		rl = g_slist_append(rl, c);
	}
	if (nice_agent_set_remote_candidates(a, s, 1, rl) != N_REMOTE) {
		g_slist_free_full(rl, (GDestroyNotify)nice_candidate_free);
		goto fail;
	}
	g_slist_free_full(rl, (GDestroyNotify)nice_candidate_free);
	/* idle callbacks (gathering done); no Ta tick is due yet */
	while (g_main_context_iteration(ctx, FALSE))
		;
	return a;
fail:
	g_object_unref(a);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned int k_sess = argc > 1 ? (unsigned int)atoi(argv[1]) : 1000;
	struct ice_agent **ma;
	NiceAgent **na;
	GMainContext *ctx;
	struct mice_clock clk;
	struct rlimit rl;
	size_t base, used_mice, used_nice;
	unsigned int i;

	if (!getenv("G_SLICE")) {
		/* read by GLib when it loads: set it and start again */
		setenv("G_SLICE", "always-malloc", 1);
		execv("/proc/self/exe", argv);
		perror("ice_session_mem: exec");
		return 1;
	}
	if (!k_sess)
		k_sess = 1000;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)(N_LOCAL * (k_sess + 1) + 64)) {
		fprintf(stderr, "ice_session_mem: %u sessions need %u file "
			"descriptors (limit %llu)\n", k_sess,
			N_LOCAL * (k_sess + 1) + 64,
			(unsigned long long)rl.rlim_cur);
		return 1;
	}
	ma = calloc(k_sess, sizeof(*ma));
	na = calloc(k_sess, sizeof(*na));
	if (!ma || !na)
		return 1;
	mice_clock_monotonic(&clk);
	ctx = g_main_context_new();

	/* warm-up: one-time costs out of the figures */
	ice_agent_free(mice_session(&clk, 0));
	na[0] = nice_session(ctx);
	if (!na[0]) {
		fprintf(stderr, "ice_session_mem: libnice session failed\n");
		return 1;
	}
	g_object_unref(na[0]);
	while (g_main_context_iteration(ctx, FALSE))
		;

	base = heap_used();
	for (i = 0; i < k_sess; i++) {
		ma[i] = mice_session(&clk, i);
		if (!ma[i]) {
			fprintf(stderr, "ice_session_mem: mice session failed\n");
			return 1;
		}
	}
	used_mice = heap_used() - base;

	base = heap_used();
	for (i = 0; i < k_sess; i++) {
		na[i] = nice_session(ctx);
		if (!na[i]) {
			fprintf(stderr, "ice_session_mem: libnice session "
				"%u failed\n", i);
			return 1;
		}
	}
	used_nice = heap_used() - base;

	printf("sessions %u, %u local x %u remote host candidates each\n",
	       k_sess, N_LOCAL, N_REMOTE);
	printf("mice     %8zu bytes/session (pairs formed: %u)\n",
	       used_mice / k_sess, ice_agent_checklist(ma[0])->n);
	printf("libnice  %8zu bytes/session\n", used_nice / k_sess);
	printf("mice/libnice %.2f\n",
	       used_nice ? (double)used_mice / (double)used_nice : 0.0);

	for (i = 0; i < k_sess; i++) {
		ice_agent_free(ma[i]);
		g_object_unref(na[i]);
	}
	g_main_context_unref(ctx);
	free(ma);
	free(na);
	return 0;
}
