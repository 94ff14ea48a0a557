/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Media admission gates in the module (seed 001 s.6.2, RFC 3313;
 * docs/gates.md): the per-netns gate table, the admission check the
 * netfilter hook and the mice data path call, the token key, the
 * operator's mode. Internal to gate.c, gate_nl.c and gate_nf.c; the rest of
 * the module sees only the prototypes in mice.h.
 */
#ifndef MICE_GATE_H
#define MICE_GATE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/rhashtable.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "mice.h"

/*
 * mice.h has its own struct mice_prefix (a peer's routed prefixes); the
 * gate matcher's prefix is the same idea with a u8 family. In the files
 * that see both, the matcher's is called struct mice_gate_prefix. The
 * layout is unchanged, so gate_match.c, compiled on its own, agrees.
 */
#define mice_prefix mice_gate_prefix
#include "gate_match.h"
#include "token.h"
#undef mice_prefix
#include "policer.h"

/* Expiry scan period: one tick of the timer wheels. */
#define MICE_GATE_GC_PERIOD	(HZ / 4)
/* Slots of a timer wheel (a power of two): one turn is 64 s at HZ / 4. */
#define MICE_GATE_WHEEL_SLOTS	256
/* Denied events multicast per second per netns. */
#define MICE_GATE_EVENTS_PER_SEC 16

/*
 * What a gate keeps of its classifier for its whole life: all of it but
 * the prefix addresses, which share struct mice_gate's union with the
 * committed flow (see there).
 */
struct mice_gate_shape {
	u8 proto;
	u8 dir;
	u8 src_family;
	u8 src_len;
	u8 dst_family;
	u8 dst_len;
	struct mice_port_range sport;
	struct mice_port_range dport;
};

/*
 * A gate: 200 octets on 64-bit (without lock debugging), from its own slab
 * cache, 20 to a page: a million gates and their two hash tables fit in
 * under 256 octets a gate (issue 5's target, docs/benchmarks.md). The
 * fields the packet path reads come first (flow lookup, last use, lock,
 * direction, state, bucket).
 */
struct mice_gate {
	struct rhash_head flow_node;	/* mice_gate_net.by_flow, committed */
	/*
	 * Until the commit, the classifier's prefix addresses; from the
	 * commit on (@bound), the exact flow. The flow lies inside the
	 * prefixes and their host bits are zero (mice_gate_classifier_check),
	 * so the prefixes are the flow's addresses cut to their lengths and
	 * nothing is lost: mice_gate_get_cls() gives the classifier back.
	 */
	union {
		struct mice_flow_key flow;	/* @bound: the 5-tuple, dir 0 */
		struct {
			u8 src[16];
			u8 dst[16];
		} prefix;			/* !@bound */
	};
	union {
		unsigned long deadline;	/* authorized: end of the authorization */
		unsigned long last_used; /* committed: commit or last packet */
	};
	/* Protects the policer and the counters (softirq and process). */
	spinlock_t lock;
	u32 id;
	u32 lifetime_s;
	u32 idle_s;			/* 0: no idle timeout */
	struct mice_gate_shape shape;
	u8 state;			/* enum mice_gate_state, under @lock */
	u8 verified:1;			/* committed by a self-verifying token */
	u8 bound:1;			/* @flow is set; gn->lock */
	struct mice_policer pol;
	u64 packets;
	u64 bytes;
	u64 drop_packets[__MICE_GATE_DROP_MAX];
	u64 drop_bytes[__MICE_GATE_DROP_MAX];
	struct rhash_head id_node;	/* mice_gate_net.by_id */
	union {
		/* A slot of gn->gate_wheel, or gn->untimed; gn->lock. */
		struct list_head timer;
		struct rcu_head rcu;	/* closed: unlinked from everything */
	};
	char *token;			/* opaque, NUL-terminated; NULL: none */
};

struct mice_gate_if {
	int ifindex;
	u8 dir;				/* MICE_GATE_DIR_UP or _DOWN */
};

/* The operator's choice; immutable once published (RCU). */
struct mice_gate_mode {
	struct rcu_head rcu;
	u8 mode;			/* enum mice_admission_mode */
	bool datapath;
	u8 nifs;
	struct mice_gate_if ifs[MICE_MAX_POLICED_IFS];
};

/*
 * A self-verifying token already used to commit (docs/token-format.md,
 * "Security notes": a replay cache is the module's job). Kept until the
 * token expires, at most max_token_lifetime seconds from its commit (a
 * token expiring later is refused); keyed by its tag.
 */
struct mice_gate_used {
	struct rhash_head node;		/* mice_gate_net.used */
	union {
		struct list_head timer;	/* a slot of gn->used_wheel */
		struct rcu_head rcu;
	};
	u64 expiry;			/* unix seconds */
	u8 tag[MICE_TOKEN_TAG_LEN];
};

/*
 * A lazy timer wheel (gate.c): entries filed by the tick they are due at,
 * one slot per tick of MICE_GATE_GC_PERIOD, looked at again one turn later
 * if they are due later than that.
 */
struct mice_gate_wheel {
	struct list_head slot[MICE_GATE_WHEEL_SLOTS];
	u64 tick;			/* the next tick to run */
};

/* The token key: two transforms keyed in process context at KEY_SET. */
struct mice_gate_key {
	struct crypto_shash *hmac;	/* "hmac(sha256)", keyed */
	struct crypto_shash *sha;	/* "sha256" for the classifier digest */
};

struct mice_gate_net {
	struct mice_net *mn;
	/* Serialises every change; the data path reads under RCU. */
	struct mutex lock;
	/* Resizable, so lookups stay O(1) up to MICE_MAX_GATES_LIMIT. */
	struct rhashtable by_id;	/* every gate, by GateID */
	struct rhashtable by_flow;	/* committed gates, by 5-tuple; RCU */
	struct rhashtable used;		/* struct mice_gate_used, by tag */
	/* Every gate is on one list: a slot of the wheel or untimed. */
	struct mice_gate_wheel gate_wheel; /* authorized, or committed, idle */
	struct list_head untimed;	/* committed without an idle timeout */
	struct mice_gate_wheel used_wheel;
	unsigned int nused;		/* at most max_used_tokens */
	/* Token commits refused: expiry too far ahead, replay cache full. */
	u64 used_refused_lifetime;
	u64 used_refused_full;
	unsigned int ngates;
	unsigned int max_gates;
	u32 genid;		/* bumped when a gate is added, committed or closed */
	struct mice_gate_mode __rcu *mode;
	struct mice_gate_key *key;	/* under @lock */
	struct delayed_work gc;
	bool nf_registered;
	struct nf_hook_ops nf_ops[2];	/* IPv4 and IPv6 FORWARD */
	bool dying;
	atomic64_t monitor_packets;	/* passed without a gate (monitor) */
	atomic64_t monitor_bytes;
	unsigned long ev_window;
	atomic_t ev_in_window;
	atomic64_t ev_suppressed;
};

/* gate.c */
struct mice_gate *mice_gate_find(struct mice_gate_net *gn, u32 id);
struct mice_gate *mice_gate_alloc(u32 id, const struct mice_gate_classifier *c,
				  u32 rate, u32 burst, u32 max_packet,
				  u32 lifetime_s, u32 idle_s);
void mice_gate_free(struct mice_gate *g);
void mice_gate_get_cls(const struct mice_gate *g,
		       struct mice_gate_classifier *c);
struct mice_gate *mice_gate_walk(struct rhashtable_iter *iter, bool advance);
int mice_gate_insert(struct mice_gate_net *gn, struct mice_gate *g,
		     struct netlink_ext_ack *extack);
int mice_gate_commit(struct mice_gate_net *gn, struct mice_gate *g,
		     const struct mice_flow_key *k,
		     struct netlink_ext_ack *extack);
void mice_gate_close(struct mice_gate_net *gn, struct mice_gate *g,
		     enum mice_gate_close_cause cause);
void mice_gate_counters(struct mice_gate *g, u64 *packets, u64 *bytes,
			u64 *drop_packets, u64 *drop_bytes);
u32 mice_gate_remaining(const struct mice_gate *g);
int mice_gate_key_set(struct mice_gate_net *gn, const u8 *secret, u32 len,
		      struct netlink_ext_ack *extack);
void mice_gate_key_free(struct mice_gate_key *key);
int mice_gate_token_verify(struct mice_gate_net *gn, const char *hex, u32 len,
			   struct mice_token *t, u32 *err_pos);
int mice_gate_token_check_cls(struct mice_gate_net *gn,
			      const struct mice_token *t,
			      const struct mice_gate_classifier *c);
bool mice_gate_token_used(struct mice_gate_net *gn, const struct mice_token *t);
int mice_gate_token_admit(struct mice_gate_net *gn, const struct mice_token *t,
			  const struct nlattr *attr,
			  struct netlink_ext_ack *extack);
struct mice_gate_used *mice_gate_token_use(struct mice_gate_net *gn,
					   const struct mice_token *t,
					   struct netlink_ext_ack *extack);
void mice_gate_token_unuse(struct mice_gate_net *gn, struct mice_gate_used *u);
int mice_gate_set_mode(struct mice_gate_net *gn, struct mice_gate_mode *mode);
enum mice_reason mice_gate_check(struct mice_gate_net *gn,
				 const struct mice_gate_mode *mode,
				 struct sk_buff *skb, unsigned int nhoff, u8 dir,
				 bool count_drop);

/* gate_nl.c */
void mice_gate_event(struct mice_gate_net *gn, struct mice_gate *g, u8 cmd,
		     int cause);
void mice_gate_event_denied(struct mice_gate_net *gn, struct mice_gate *g,
			    const struct mice_flow_key *k, u8 dir,
			    enum mice_reason reason, u32 len);

/* gate_nf.c */
int mice_gate_nf_register(struct mice_gate_net *gn);
void mice_gate_nf_unregister(struct mice_gate_net *gn);

#endif /* MICE_GATE_H */
