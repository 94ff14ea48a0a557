// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the configuration parser (agent/config.c). The
 * input is a whole file, in a heap copy of exactly its size (no NUL at the
 * end) so ASan sees any over-read. Invariants, a violation aborts:
 *  - a rejection leaves a terminated error that starts with "FILE:" and
 *    fits the buffer;
 *  - an accepted file has a role, every number within its documented
 *    range, the role's required keys (a home agent's [node]s and their
 *    key files unless registration is open), and for every peer credentials
 *    (a mobile node's peers) or a home agent (a Home Agent's peers);
 *  - writing the accepted configuration back as text and parsing that
 *    gives the same configuration (the parser and docs/config.md agree on
 *    one canonical form).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)							\
	do {								\
		if (!(cond))						\
			abort();					\
	} while (0)

static size_t put_addr(char *b, size_t cap, const struct ice_addr *a)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(a->family, a->ip, ip, sizeof(ip));
	if (a->family == AF_INET6)
		return (size_t)snprintf(b, cap, "[%s]:%u", ip, a->port);
	return (size_t)snprintf(b, cap, "%s:%u", ip, a->port);
}

#define OUT(...) (o += (size_t)snprintf(t + o, cap - o, __VA_ARGS__))

static size_t serialize(const struct mice_config *c, char *t, size_t cap)
{
	size_t o = 0;
	unsigned int i;

	OUT("[agent]\nrole %s\n", mice_role_name(c->role));
	if (c->n_listen) {
		OUT("listen");
		for (i = 0; i < c->n_listen; i++) {
			OUT(" ");
			o += put_addr(t + o, cap - o, &c->listen[i]);
		}
		OUT("\n");
	}
	if (c->has_stun_server) {
		OUT("stun-server ");
		o += put_addr(t + o, cap - o, &c->stun_server);
		OUT("\n");
	}
	if (c->has_home_agent) {
		OUT("home-agent ");
		o += put_addr(t + o, cap - o, &c->home_agent);
		OUT("\n");
	}
	OUT("frozen %s\nnomination %s\nkernel %s\n", c->frozen ? "on" : "off",
	    mice_nomination_name(c->nomination),
	    mice_kernel_mode_name(c->kernel));
	if (c->home_agent_key[0])
		OUT("home-agent-key %s\n", c->home_agent_key);
	if (c->role == MICE_ROLE_HA)
		OUT("registration %s\n", c->registration == MICE_REG_OPEN ?
		    "open" : "authenticated");
	OUT("[limits]\nmax-checks %u\nmax-remote-candidates %u\n"
	    "max-local-candidates %u\n", c->max_checks, c->max_remote_cands,
	    c->max_local_cands);
	OUT("[timers]\nta-ms %u\nrto-ms %u\nconsent-interval %u\n"
	    "consent-timeout %u\nkeepalive %u\n", c->ta_ms, c->rto_ms,
	    c->consent_interval_s, c->consent_timeout_s, c->keepalive_s);
	OUT("nomination-wait-ms %u\nrestart-nomination-wait-ms %u\n"
	    "regather-fallback-ms %u\n", c->nom_wait_ms, c->restart_nom_wait_ms,
	    c->regather_fallback_ms);
	for (i = 0; i < c->n_peers; i++) {
		const struct mice_cfg_peer *p = &c->peers[i];

		OUT("[peer %s]\n", p->name);
		if (p->has_home_agent) {
			OUT("home-agent ");
			o += put_addr(t + o, cap - o, &p->home_agent);
			OUT("\n");
		}
		if (p->cred == MICE_CRED_MIKEY)
			OUT("credentials mikey\n");
		else if (p->cred == MICE_CRED_PSK_FILE)
			OUT("credentials psk-file %s\n", p->psk_file);
		if (p->ha_key_file[0])
			OUT("ha-key-file %s\n", p->ha_key_file);
	}
	for (i = 0; i < c->n_nodes; i++)
		OUT("[node %s]\nkey-file %s\n", c->nodes[i].name,
		    c->nodes[i].key_file);
	return o;
}

static void same(const struct mice_config *a, const struct mice_config *b)
{
	unsigned int i;

	check(a->role == b->role && a->n_listen == b->n_listen);
	check(!memcmp(a->listen, b->listen, sizeof(a->listen)));
	check(a->has_stun_server == b->has_stun_server);
	check(!memcmp(&a->stun_server, &b->stun_server, sizeof(a->stun_server)));
	check(a->has_home_agent == b->has_home_agent);
	check(!memcmp(&a->home_agent, &b->home_agent, sizeof(a->home_agent)));
	check(a->frozen == b->frozen && a->nomination == b->nomination &&
	      a->kernel == b->kernel);
	check(a->max_checks == b->max_checks &&
	      a->max_remote_cands == b->max_remote_cands &&
	      a->max_local_cands == b->max_local_cands);
	check(a->ta_ms == b->ta_ms && a->rto_ms == b->rto_ms &&
	      a->consent_interval_s == b->consent_interval_s &&
	      a->consent_timeout_s == b->consent_timeout_s &&
	      a->keepalive_s == b->keepalive_s);
	check(a->nom_wait_ms == b->nom_wait_ms &&
	      a->restart_nom_wait_ms == b->restart_nom_wait_ms &&
	      a->regather_fallback_ms == b->regather_fallback_ms);
	check(!strcmp(a->home_agent_key, b->home_agent_key) &&
	      a->registration == b->registration);
	check(a->n_nodes == b->n_nodes);
	for (i = 0; i < a->n_nodes; i++)
		check(!strcmp(a->nodes[i].name, b->nodes[i].name) &&
		      !strcmp(a->nodes[i].key_file, b->nodes[i].key_file));
	check(a->n_peers == b->n_peers);
	for (i = 0; i < a->n_peers; i++) {
		const struct mice_cfg_peer *p = &a->peers[i], *q = &b->peers[i];

		check(!strcmp(p->name, q->name));
		check(p->has_home_agent == q->has_home_agent);
		check(!memcmp(&p->home_agent, &q->home_agent,
			      sizeof(p->home_agent)));
		check(p->cred == q->cred && !strcmp(p->psk_file, q->psk_file));
		check(!strcmp(p->ha_key_file, q->ha_key_file));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mice_config c, c2;
	static char text[64 * 1024];
	char err[MICE_CFG_ERR_MAX];
	unsigned int i;
	char *copy;
	size_t n;
	int r;

	if (size > MICE_CFG_FILE_MAX)
		return 0;
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(err, 'Z', sizeof(err));
	r = mice_config_parse(&c, copy, size, "f", err, sizeof(err));
	free(copy);
	check(memchr(err, 0, sizeof(err)));
	if (r) {
		check(r == -1 && !strncmp(err, "f:", 2));
		return 0;
	}
	check(err[0] == 0);
	check(c.role == MICE_ROLE_MN || c.role == MICE_ROLE_HA);
	check(c.role != MICE_ROLE_MN || c.has_home_agent);
	check(c.role != MICE_ROLE_HA || c.n_listen > 0);
	check(c.n_listen <= MICE_CFG_MAX_LISTEN);
	check(c.max_checks >= MICE_CFG_MAX_CHECKS_MIN &&
	      c.max_checks <= MICE_CFG_MAX_CHECKS_MAX);
	check(c.max_local_cands >= 1 && c.max_local_cands <= 255);
	check(c.max_remote_cands >= 1 && c.max_remote_cands <= 255);
	check(c.ta_ms >= MICE_CFG_TA_MIN && c.ta_ms <= MICE_CFG_TA_MAX);
	check(c.rto_ms >= MICE_CFG_RTO_MIN && c.rto_ms <= MICE_CFG_RTO_MAX);
	check(c.consent_timeout_s > c.consent_interval_s);
	check(c.regather_fallback_ms >= MICE_CFG_REGATHER_FB_MIN &&
	      c.regather_fallback_ms <= MICE_CFG_REGATHER_FB_MAX);
	check(c.n_peers <= MICE_CFG_MAX_PEERS);
	check(c.n_nodes <= MICE_CFG_MAX_NODES);
	/* nodes and their keys only for a home agent; it needs some unless open */
	check(c.role == MICE_ROLE_HA || (!c.n_nodes && c.registration == MICE_REG_AUTHENTICATED));
	check(c.role == MICE_ROLE_MN || !c.home_agent_key[0]);
	check(c.role != MICE_ROLE_HA || c.registration == MICE_REG_OPEN || c.n_nodes);
	check(!c.home_agent_key[0] || c.home_agent_key[0] == '/');
	for (i = 0; i < c.n_nodes; i++)
		check(c.nodes[i].key_file[0] == '/');
	for (i = 0; i < c.n_peers; i++) {
		const struct mice_cfg_peer *p = &c.peers[i];

		check(p->cred != MICE_CRED_PSK_FILE || p->psk_file[0] == '/');
		if (c.role == MICE_ROLE_MN)
			check(p->cred == MICE_CRED_MIKEY ||
			      p->cred == MICE_CRED_PSK_FILE);
		else	/* a peer HA is talked to only under a key (fail closed) */
			check(p->has_home_agent && p->ha_key_file[0] == '/');
		check(c.role == MICE_ROLE_HA || !p->ha_key_file[0]);
	}
	n = serialize(&c, text, sizeof(text));
	check(n < sizeof(text));
	r = mice_config_parse(&c2, text, n, "g", err, sizeof(err));
	check(r == 0);
	same(&c, &c2);
	return 0;
}
