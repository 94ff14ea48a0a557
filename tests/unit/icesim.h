/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulated network for the ICE engine's tests: two sans-IO agents
 * (agent/ice_agent.h) on one fake clock, datagrams moved between them with
 * a per-direction one-way delay, loss and blackhole, and an optional
 * endpoint-independent ("full cone") NAT per side so that a host candidate
 * shows up at the peer under a different source address (peer-reflexive,
 * RFC 8445 s.7.2.5.3.1, s.7.3.1.3).
 *
 * Reachability: a datagram is delivered to side j if its destination is
 * one of j's registered addresses (j without NAT) or a mapping of j's NAT;
 * anything else is unreachable and dropped (counted).
 */
#ifndef MICE_TEST_ICESIM_H
#define MICE_TEST_ICESIM_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "ice_agent.h"

#define ICESIM_MAX_ADDR		256
#define ICESIM_MAX_MAP		16
#define ICESIM_MAX_EVENTS	4096

struct icesim_map {
	struct ice_addr priv, pub;
};

struct icesim_side {
	struct ice_agent *agent;
	unsigned int n_addr;
	struct ice_addr addr[ICESIM_MAX_ADDR];
	/* NAT in front of this side (nat_on): outgoing sources are mapped to
	 * nat_ip:port, inbound to a mapping goes back to the private one. */
	bool nat_on;
	struct ice_addr nat_ip;
	uint16_t nat_next_port;
	unsigned int n_map;
	struct icesim_map map[ICESIM_MAX_MAP];
	/* outbound impairments */
	uint32_t delay_ms;
	unsigned int n_path;
	struct {
		struct ice_addr to;
		uint32_t ms;
	} path[4];		/* extra delay towards one address */
	unsigned int loss_pct;
	bool blackhole;
	/* counters */
	uint64_t sent, delivered, lost, unreachable, stun_requests;
	/* event log, drained from the agent */
	unsigned int n_ev;
	struct ice_event ev[ICESIM_MAX_EVENTS];
	bool completed, failed;
	uint64_t completed_at, failed_at;
	uint64_t rng;		/* the agent's random bytes */
};

struct icesim_pkt {
	uint64_t at;
	int dst;			/* side index */
	struct ice_addr from;		/* as seen by the receiver */
	struct ice_addr local_base;	/* receiving socket */
	size_t len;
	uint8_t buf[ICE_TX_MAX];
};

struct icesim;
typedef void (*icesim_tap_fn)(void *ctx, struct icesim *s, int from_side,
			      const struct ice_tx *tx, uint64_t now);

struct icesim {
	struct mice_fake_clock fc;
	struct mice_clock clk;
	struct icesim_side side[2];
	unsigned int n_pkt, cap_pkt;
	struct icesim_pkt *pkt;
	uint64_t rng;
	unsigned int spins;	/* next_timeout <= now with nothing to do */
	icesim_tap_fn tap;
	void *tap_ctx;
};

/* A fresh simulation at time 0 (heap: it is large). */
struct icesim *icesim_new(uint64_t seed);
/* Frees the simulation and its agents. */
void icesim_free(struct icesim *s);

/* Deterministic random bytes for an agent (cfg.rand_bytes). */
void icesim_rand_bytes(void *ctx, uint8_t *buf, size_t n);

/* Creates side @i's agent from @cfg with the sim clock and a seeded
 * generator (unless cfg->rand_bytes is set). NULL on a bad config. */
struct ice_agent *icesim_agent(struct icesim *s, int i,
			       const struct ice_agent_config *cfg);

void icesim_add_addr(struct icesim *s, int i, const struct ice_addr *a);
void icesim_set_nat(struct icesim *s, int i, const struct ice_addr *pub_ip);
/* Extra one-way delay for side @i's datagrams to @to (one slow path). */
void icesim_add_path_delay(struct icesim *s, int i, const struct ice_addr *to,
			   uint32_t ms);

/* Helpers for tests. */
void icesim_addr4(struct ice_addr *a, const char *ip, uint16_t port);
/* A host candidate on @ip:@port with @local_pref, component 1. */
void icesim_host4(struct ice_cand *c, const char *ip, uint16_t port,
		  uint16_t local_pref);

/* Runs until @until (absolute ms) or until @stop returns true (checked
 * after every step); returns the time reached. */
uint64_t icesim_run(struct icesim *s, uint64_t until,
		    bool (*stop)(struct icesim *s, void *ctx), void *ctx);

/* stop conditions */
bool icesim_both_completed(struct icesim *s, void *ctx);
bool icesim_any_done(struct icesim *s, void *ctx);

/* First event of @type on side @i at or after index @from; -1 if none. */
int icesim_find_event(const struct icesim *s, int i, enum ice_event_type type,
		      unsigned int from);

#endif /* MICE_TEST_ICESIM_H */
