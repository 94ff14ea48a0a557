/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mice: M-ICE fast path. Internal definitions shared by the module's files:
 * main.c (module and per-netns life cycle), socket.c (attaching agent
 * sockets, the receive hook), netlink.c (the "mice" genl family),
 * stats.c (per-CPU counters), proc.c (/proc/net/mice).
 */
#ifndef MICE_MICE_H
#define MICE_MICE_H

#include <linux/hashtable.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/u64_stats_sync.h>
#include <net/genetlink.h>
#include <net/dst_cache.h>
#include <net/gro_cells.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "../uapi/linux/mice.h"
#include "lpm.h"

/*
 * After a handover, datagrams from the old pair are still accepted this
 * long: the two ends switch at different moments (make before break).
 */
#define MICE_PAIR_RX_GRACE	(2 * HZ)

/* Drop events multicast per second per netns; the rest are only counted. */
#define MICE_DROP_EVENTS_PER_SEC	16

struct mice_stats {
	u64_stats_t rx_packets[__MICE_CLASS_MAX];
	u64_stats_t rx_bytes[__MICE_CLASS_MAX];
	u64_stats_t drop_packets[__MICE_REASON_MAX];
	u64_stats_t drop_bytes[__MICE_REASON_MAX];
	struct u64_stats_sync syncp;
};

/* A consistent sum of the per-CPU counters. */
struct mice_stats_sum {
	u64 rx_packets[__MICE_CLASS_MAX];
	u64 rx_bytes[__MICE_CLASS_MAX];
	u64 drop_packets[__MICE_REASON_MAX];
	u64 drop_bytes[__MICE_REASON_MAX];
};

struct mice_net {
	struct net *net;
	/* Serialises every change to @sockets; readers use RCU. */
	struct mutex lock;
	struct list_head sockets;
	unsigned int nsockets;
	u32 next_sock_id;
	/* Bumped on every change so dumps can flag NLM_F_DUMP_INTR. */
	u32 genid;
	struct mice_stats __percpu *stats;
	/* Peers (mice_peer.node) and their pairs hashed by (socket, remote). */
	struct list_head peers;
	unsigned int npeers;
	/* Peers by ID (mice_peer.id_node); prefixes in all devices' tries. */
	DECLARE_HASHTABLE(peer_hash, 10);
	unsigned int nprefixes;
	DECLARE_HASHTABLE(pair_hash, 8);
	/* Drop event budget: a window start in jiffies and its count. */
	unsigned long drop_event_window;
	atomic_t drop_events_in_window;
	atomic64_t drop_events_suppressed;
	struct proc_dir_entry *proc_dir;
	/* Media admission gates, key and mode (gate.c). */
	struct mice_gate_net *gates;
};

struct mice_sock_pin;

/* An agent socket the module is attached to. */
struct mice_sock {
	struct list_head node;		/* in mice_net.sockets, RCU */
	struct rcu_head rcu;
	struct sock *sk;		/* holds a reference */
	struct mice_net *mn;
	u32 id;
	struct mice_stats __percpu *stats;
	/* Holds the module while the socket points at its text (socket.c). */
	struct mice_sock_pin *pin;
	/* What attach changed, given back at detach. */
	u8 saved_mc_loop:1;
	u8 saved_encap_enabled:1;
};

struct mice_prefix {
	u16 family;
	u8 len;
	u8 addr[16];
};

/*
 * The path a peer's data uses: local attached socket and remote address.
 * Immutable once published; a handover publishes a new one (seed 004 s.9).
 */
struct mice_pair {
	struct hlist_node hnode;	/* mice_net.pair_hash */
	struct rcu_head rcu;
	struct mice_peer *peer;
	struct mice_sock *ms;
	u16 family;
	__be16 port;
	union {
		__be32 v4;
		struct in6_addr v6;
	} addr;
	u8 nprefixes;
	struct mice_prefix prefixes[MICE_MAX_PREFIXES_PER_PEER];
	/*
	 * Set when replaced: still accepted on receive until then (jiffies_64,
	 * 0 while current). A replaced pair stays in the hash until the next
	 * replacement, so the time can be months old: 32-bit jiffies would
	 * wrap past it and time_after() would call it current again.
	 */
	u64 retire_at;
	/* The outer route, cached per CPU (as ip tunnels do). */
	struct dst_cache dst_cache;
};

struct mice_peer_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	struct u64_stats_sync syncp;
};

/* A remote mobile host or gateway, reached through a mice device. */
struct mice_peer {
	struct list_head node;		/* mice_net.peers, RCU */
	struct hlist_node id_node;	/* mice_net.peer_hash, RCU */
	struct rcu_head rcu;
	u32 id;
	struct net_device *dev;		/* holds a reference */
	struct mice_pair __rcu *pair;
	/* The pair it replaced, hashed for receive during the grace time. */
	struct mice_pair *old_pair;
	struct mice_peer_stats __percpu *stats;
};

/* The tunnel device's private part. */
struct mice_dev {
	struct mice_net *mn;
	struct gro_cells gro_cells;
	bool dead;			/* uninit ran; no new peers */
	/* Inner destination prefixes to peers (peer.c, lpm.c); mn->lock. */
	struct mice_lpm tx_lpm;
};

extern unsigned int mice_net_id;
extern struct genl_family mice_genl_family;

static inline struct mice_net *mice_net(const struct net *net)
{
	return net_generic(net, mice_net_id);
}

/* stats.c */
struct mice_stats __percpu *mice_stats_alloc(void);
void mice_stats_count_rx(struct mice_stats __percpu *stats,
			 enum mice_class cls, unsigned int bytes);
void mice_stats_count_drop(struct mice_stats __percpu *stats,
			   enum mice_reason reason, unsigned int bytes);
void mice_stats_sum(struct mice_stats __percpu *stats,
		    struct mice_stats_sum *sum);

/* socket.c */
struct mice_sock *mice_sock_attach(struct mice_net *mn, int fd,
				   struct netlink_ext_ack *extack);
bool mice_sock_detach(struct mice_sock *ms, enum mice_detach_cause cause);
struct mice_sock *mice_sock_find(struct mice_net *mn, u32 id);
void mice_sock_detach_all(struct mice_net *mn, enum mice_detach_cause cause);
int mice_sock_local_addr(const struct mice_sock *ms, u16 *family,
			 u8 addr[16], __be16 *port);

/* peer.c */
struct mice_pair *mice_pair_alloc(void);
void mice_pair_free(struct mice_pair *pair);
struct mice_pair *mice_pair_lookup_rx(struct mice_net *mn,
				      const struct mice_sock *ms,
				      const struct sk_buff *skb);
bool mice_pair_allows_source(const struct mice_pair *pair, const u8 *inner);
struct mice_peer *mice_peer_lookup_tx(struct mice_net *mn,
				      const struct net_device *dev,
				      u16 family, const u8 *daddr);
struct mice_peer *mice_peer_find(struct mice_net *mn, u32 id);
int mice_peer_set(struct mice_net *mn, u32 id, struct net_device *dev,
		  struct mice_pair *pair, struct netlink_ext_ack *extack);
void mice_peer_del(struct mice_peer *peer, enum mice_pair_down_cause cause);
void mice_peers_sock_gone(struct mice_net *mn, const struct mice_sock *ms);
void mice_peers_dev_gone(struct mice_net *mn, const struct net_device *dev);
void mice_peers_flush(struct mice_net *mn);
void mice_peer_stats_sum(const struct mice_peer *peer, u64 *rx_packets,
			 u64 *rx_bytes, u64 *tx_packets, u64 *tx_bytes);

/* device.c */
int mice_dev_register(void);
void mice_dev_unregister(void);
bool mice_dev_is_mice(const struct net_device *dev);
enum mice_reason mice_dev_rcv(struct mice_sock *ms, struct sk_buff *skb);

/* netlink.c */
int mice_genl_register(void);
void mice_genl_unregister(void);
/* @cause < 0: no detach cause (attach events). */
void mice_event_sock(struct mice_sock *ms, u8 cmd, int cause);
void mice_event_pair(struct mice_peer *peer, u8 cmd, int cause);
void mice_event_drop(struct mice_sock *ms, struct sk_buff *skb,
		     enum mice_class cls, enum mice_reason reason,
		     unsigned int len);

/* gate.c, gate_nl.c: media admission (docs/gates.md) */
int mice_gate_init(void);
void mice_gate_exit(void);
int mice_gate_net_init(struct mice_net *mn);
void mice_gate_net_pre_exit(struct mice_net *mn);
void mice_gate_net_exit(struct mice_net *mn);
/* @nhoff: offset of the inner IP header from skb->data. */
enum mice_reason mice_gate_datapath_check(struct mice_net *mn,
					  struct sk_buff *skb,
					  unsigned int nhoff);
/*
 * netlink.c: every request carries its arguments in one top-level nest;
 * mice_nl_parse_nest() parses it with the op's strict policy and requires
 * one attribute (none if negative), naming in extack what is missing.
 */
int __mice_nl_parse_nest(struct genl_info *info, int top, struct nlattr **tb,
			 int maxtype, const struct nla_policy *policy, int need,
			 const char *top_msg, const char *need_msg);
#define mice_nl_parse_nest(info, top, tb, policy, need)			\
	__mice_nl_parse_nest(info, top, tb, ARRAY_SIZE(tb) - 1, policy, need, \
			     "missing " #top, "missing " #need)

int mice_nl_gate_add(struct sk_buff *skb, struct genl_info *info);
int mice_nl_gate_commit(struct sk_buff *skb, struct genl_info *info);
int mice_nl_gate_del(struct sk_buff *skb, struct genl_info *info);
int mice_nl_gate_get(struct sk_buff *skb, struct genl_info *info);
int mice_nl_gate_dump_start(struct netlink_callback *cb);
int mice_nl_gate_dump(struct sk_buff *skb, struct netlink_callback *cb);
int mice_nl_gate_dump_done(struct netlink_callback *cb);
int mice_nl_key_set(struct sk_buff *skb, struct genl_info *info);
int mice_nl_key_del(struct sk_buff *skb, struct genl_info *info);
int mice_nl_mode_set(struct sk_buff *skb, struct genl_info *info);
extern const struct nla_policy mice_gate_add_op_policy[MICE_A_GATE + 1];
extern const struct nla_policy mice_gate_commit_op_policy[MICE_A_GATE + 1];
extern const struct nla_policy mice_gate_id_op_policy[MICE_A_GATE + 1];
extern const struct nla_policy mice_key_op_policy[MICE_A_KEY + 1];
extern const struct nla_policy mice_mode_op_policy[MICE_A_MODE + 1];
/* netlink.c: multicast what @fill puts in a new message, if anyone listens. */
void mice_event_gate(struct net *net, size_t size, gfp_t gfp,
		     int (*fill)(struct sk_buff *msg, void *ctx), void *ctx);

/* proc.c */
int mice_proc_init(struct mice_net *mn);
void mice_proc_exit(struct mice_net *mn);

#endif /* MICE_MICE_H */
