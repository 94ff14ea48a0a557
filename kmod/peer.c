// SPDX-License-Identifier: GPL-2.0
/*
 * Peers and their validated pairs. The agent installs a pair only after
 * its connectivity checks succeeded and ICE nominated it (seed 004 s.8);
 * data is accepted only from an installed pair and only with an inner
 * source inside the peer's prefixes (the anti-injection rule of seed 004
 * s.14). Readers (receive, transmit) use RCU; writers hold mn->lock.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "mice.h"

static u32 mice_pair_key(const struct mice_sock *ms, u16 family,
			 const void *addr, __be16 port)
{
	u32 a = family == AF_INET ? *(const u32 *)addr :
		jhash(addr, 16, 0);

	return jhash_3words(a, (__force u32)port, ms->id, 0);
}

static bool mice_pair_is(const struct mice_pair *pair,
			 const struct mice_sock *ms, u16 family,
			 const void *addr, __be16 port)
{
	if (pair->ms != ms || pair->family != family || pair->port != port)
		return false;
	if (family == AF_INET)
		return pair->addr.v4 == *(const __be32 *)addr;
	return ipv6_addr_equal(&pair->addr.v6, addr);
}

/**
 * mice_pair_lookup_rx() - the pair a received datagram came from
 * @mn: the namespace's state
 * @ms: the attached socket it arrived on
 * @skb: the datagram, at its UDP header
 *
 * A pair replaced less than MICE_PAIR_RX_GRACE ago still matches (make
 * before break); one replaced longer ago does not.
 *
 * Context: softirq, RCU read lock held.
 * Return: the pair of @skb's outer source address and port, or NULL.
 */
struct mice_pair *mice_pair_lookup_rx(struct mice_net *mn,
				      const struct mice_sock *ms,
				      const struct sk_buff *skb)
{
	__be16 port = udp_hdr(skb)->source;
	struct mice_pair *pair;
	const void *saddr;
	u16 family;

	if (ip_hdr(skb)->version == 4) {
		family = AF_INET;
		saddr = &ip_hdr(skb)->saddr;
	} else {
		family = AF_INET6;
		saddr = &ipv6_hdr(skb)->saddr;
	}
	hash_for_each_possible_rcu(mn->pair_hash, pair, hnode,
				   mice_pair_key(ms, family, saddr, port)) {
		u64 retire_at;

		if (!mice_pair_is(pair, ms, family, saddr, port))
			continue;
		retire_at = READ_ONCE(pair->retire_at);
		if (retire_at && time_after64(get_jiffies_64(), retire_at))
			continue;	/* replaced, and its grace time is over */
		return pair;
	}
	return NULL;
}

static bool mice_prefix_match(const struct mice_prefix *p, u16 family,
			      const u8 *addr)
{
	unsigned int bytes = p->len / 8, bits = p->len % 8;

	if (p->family != family)
		return false;
	if (memcmp(p->addr, addr, bytes))
		return false;
	if (!bits)
		return true;
	return !((p->addr[bytes] ^ addr[bytes]) & (0xff00 >> bits));
}

static bool mice_prefixes_match(const struct mice_pair *pair, u16 family,
				const u8 *addr)
{
	unsigned int i;

	for (i = 0; i < pair->nprefixes; i++)
		if (mice_prefix_match(&pair->prefixes[i], family, addr))
			return true;
	return false;
}

/* @inner: the encapsulated IP header, pulled (20 or 40 octets). */
bool mice_pair_allows_source(const struct mice_pair *pair, const u8 *inner)
{
	if ((inner[0] >> 4) == 4)
		return mice_prefixes_match(pair, AF_INET, inner + 12);
	return mice_prefixes_match(pair, AF_INET6, inner + 8);
}

/*
 * The trie's nodes, freed after an RCU grace period: a transmit may be
 * walking one that a writer just unlinked (lpm.h).
 */
struct mice_lpm_knode {
	struct rcu_head rcu;
	struct mice_lpm_node node;
};

struct mice_lpm_node *mice_lpm_node_alloc(void)
{
	struct mice_lpm_knode *kn = kmalloc(sizeof(*kn), GFP_KERNEL);

	return kn ? &kn->node : NULL;
}

void mice_lpm_node_retire(struct mice_lpm_node *node)
{
	kfree_rcu(container_of(node, struct mice_lpm_knode, node), rcu);
}

static unsigned int mice_prefix_bits(const struct mice_prefix *p)
{
	return p->family == AF_INET ? MICE_LPM_V4_BITS : MICE_LPM_V6_BITS;
}

static struct mice_lpm *mice_peer_lpm(const struct mice_peer *peer)
{
	return &((struct mice_dev *)netdev_priv(peer->dev))->tx_lpm;
}

static bool mice_pair_has_prefix(const struct mice_pair *pair,
				 const struct mice_prefix *p)
{
	unsigned int i;

	for (i = 0; pair && i < pair->nprefixes; i++)
		if (pair->prefixes[i].family == p->family &&
		    pair->prefixes[i].len == p->len &&
		    !memcmp(pair->prefixes[i].addr, p->addr, sizeof(p->addr)))
			return true;
	return false;
}

/* Take @old's prefixes that @keep does not have out of @peer's trie. */
static void mice_peer_unroute(struct mice_net *mn, struct mice_peer *peer,
			      const struct mice_pair *old,
			      const struct mice_pair *keep)
{
	const struct mice_prefix *p;
	unsigned int i;

	lockdep_assert_held(&mn->lock);
	for (i = 0; old && i < old->nprefixes; i++) {
		p = &old->prefixes[i];
		if (mice_pair_has_prefix(keep, p))
			continue;
		if (mice_lpm_remove(mice_peer_lpm(peer), mice_prefix_bits(p),
				    p->addr, p->len, peer) == MICE_LPM_REMOVED)
			mn->nprefixes--;
	}
}

/*
 * Route @pair's prefixes to @peer in its device's trie, then withdraw the
 * prefixes of @old (its current pair, or NULL) that @pair no longer has.
 * All or nothing: on error the trie is as it was. A prefix that another
 * peer of the device holds exactly is refused (-EEXIST): the trie maps a
 * prefix to one peer, and silently moving it would let one PAIR_SET take
 * another peer's traffic. Overlapping prefixes of different lengths are
 * fine: the longest match wins (docs/design.md).
 */
static int mice_peer_route(struct mice_net *mn, struct mice_peer *peer,
			   const struct mice_pair *pair,
			   const struct mice_pair *old,
			   struct netlink_ext_ack *extack)
{
	struct mice_lpm *lpm = mice_peer_lpm(peer);
	unsigned int i, fresh = 0;
	const struct mice_prefix *p;
	u32 added = 0;
	void *holder;

	BUILD_BUG_ON(MICE_MAX_PREFIXES_PER_PEER > 32);
	lockdep_assert_held(&mn->lock);
	for (i = 0; i < pair->nprefixes; i++) {
		p = &pair->prefixes[i];
		holder = mice_lpm_exact(lpm, mice_prefix_bits(p), p->addr, p->len);
		if (holder && holder != peer) {
			NL_SET_ERR_MSG(extack,
				       "a prefix is already routed to another peer of this device");
			return -EEXIST;
		}
		fresh += !holder;
	}
	if (fresh > MICE_MAX_PREFIXES_PER_NETNS - mn->nprefixes) {
		NL_SET_ERR_MSG(extack, "too many prefixes in this netns");
		return -ENOSPC;
	}
	for (i = 0; i < pair->nprefixes; i++) {
		p = &pair->prefixes[i];
		switch (mice_lpm_insert(lpm, mice_prefix_bits(p), p->addr,
					p->len, peer)) {
		case MICE_LPM_ADDED:
			added |= 1u << i;
			mn->nprefixes++;
			break;
		case MICE_LPM_PRESENT:
			break;
		default:	/* NOMEM; TAKEN was excluded above */
			goto undo;
		}
	}
	mice_peer_unroute(mn, peer, old, pair);
	return 0;

undo:
	for (i = 0; i < pair->nprefixes; i++) {
		p = &pair->prefixes[i];
		if (!(added & (1u << i)))
			continue;
		mice_lpm_remove(lpm, mice_prefix_bits(p), p->addr, p->len, peer);
		mn->nprefixes--;
	}
	NL_SET_ERR_MSG(extack, "no memory for the prefix table");
	return -ENOMEM;
}

/**
 * mice_peer_lookup_tx() - the peer an inner packet is sent to
 * @mn: the namespace's state
 * @dev: the mice device sending it
 * @family: AF_INET or AF_INET6
 * @daddr: the inner destination, 4 or 16 octets by @family, from a header
 *	mice_dev_xmit() checked
 *
 * A walk of one trie path: its cost does not grow with the number of
 * peers (lpm.h).
 *
 * Context: RCU read lock held.
 * Return: the peer of @dev whose prefix is the longest one holding
 * @daddr, or NULL.
 */
struct mice_peer *mice_peer_lookup_tx(struct mice_net *mn,
				      const struct net_device *dev,
				      u16 family, const u8 *daddr)
{
	const struct mice_dev *mdev = netdev_priv(dev);

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "mice: tx lookup outside RCU");
	return mice_lpm_lookup(&mdev->tx_lpm, family == AF_INET ?
			       MICE_LPM_V4_BITS : MICE_LPM_V6_BITS, daddr);
}

/* Called with mn->lock or the RCU read lock held. */
struct mice_peer *mice_peer_find(struct mice_net *mn, u32 id)
{
	struct mice_peer *peer;

	hash_for_each_possible_rcu(mn->peer_hash, peer, id_node, id,
				   lockdep_is_held(&mn->lock))
		if (peer->id == id)
			return peer;
	return NULL;
}

static void mice_pair_hash_add(struct mice_net *mn, struct mice_pair *pair)
{
	hash_add_rcu(mn->pair_hash, &pair->hnode,
		     mice_pair_key(pair->ms, pair->family, &pair->addr,
				   pair->port));
}

struct mice_pair *mice_pair_alloc(void)
{
	struct mice_pair *pair = kzalloc(sizeof(*pair), GFP_KERNEL);

	if (pair && dst_cache_init(&pair->dst_cache, GFP_KERNEL)) {
		kfree(pair);
		return NULL;
	}
	return pair;
}

/* A pair that was never published. */
void mice_pair_free(struct mice_pair *pair)
{
	if (!pair)
		return;
	dst_cache_destroy(&pair->dst_cache);
	kfree(pair);
}

static void mice_pair_free_rcu(struct rcu_head *head)
{
	mice_pair_free(container_of(head, struct mice_pair, rcu));
}

/* Unhash a pair that left its peer and free it after a grace period. */
static void mice_pair_retire(struct mice_pair *pair)
{
	if (!pair)
		return;
	if (pair->ms)	/* pathless copies were never hashed */
		hash_del_rcu(&pair->hnode);
	call_rcu(&pair->rcu, mice_pair_free_rcu);
}

/* Unpublish the peer's pair; readers may use it until a grace period. */
static void mice_peer_clear_pair(struct mice_net *mn, struct mice_peer *peer)
{
	struct mice_pair *old;

	old = rcu_replace_pointer(peer->pair, NULL, lockdep_is_held(&mn->lock));
	mice_pair_retire(old);
	mice_pair_retire(peer->old_pair);
	peer->old_pair = NULL;
}

static void mice_peer_free_rcu(struct rcu_head *head)
{
	struct mice_peer *peer = container_of(head, struct mice_peer, rcu);

	free_percpu(peer->stats);
	dev_put(peer->dev);
	kfree(peer);
}

/**
 * mice_peer_set() - install a validated pair for a peer
 * @mn: the namespace's state
 * @id: the peer's ID
 * @dev: the peer's mice device: needed for a new peer; for an existing
 *	one, NULL or its own
 * @pair: the pair, from mice_pair_alloc(); consumed, on error too
 * @extack: for the reason of a refusal
 *
 * Creates peer @id on @dev if it does not exist. The new pair is hashed
 * before the old one is removed, so no datagram finds no pair during a
 * handover.
 *
 * Context: process context, mn->lock held.
 * Return: 0 or a negative errno.
 */
int mice_peer_set(struct mice_net *mn, u32 id, struct net_device *dev,
		  struct mice_pair *pair, struct netlink_ext_ack *extack)
{
	struct mice_peer *peer = mice_peer_find(mn, id);
	struct mice_pair *old;
	int cpu, err;

	lockdep_assert_held(&mn->lock);
	if (peer) {
		if (dev && dev != peer->dev) {
			NL_SET_ERR_MSG(extack, "a peer cannot move to another device");
			goto fail_inval;
		}
		pair->peer = peer;
		if (!pair->nprefixes) {
			old = rcu_dereference_protected(peer->pair,
							lockdep_is_held(&mn->lock));
			if (!old) {
				NL_SET_ERR_MSG(extack, "peer has no prefixes: give MICE_PAIR_A_PREFIX");
				goto fail_inval;
			}
			pair->nprefixes = old->nprefixes;
			memcpy(pair->prefixes, old->prefixes, sizeof(pair->prefixes));
		}
		old = rcu_dereference_protected(peer->pair,
						lockdep_is_held(&mn->lock));
		err = mice_peer_route(mn, peer, pair, old, extack);
		if (err) {
			mice_pair_free(pair);
			return err;
		}
		mice_pair_hash_add(mn, pair);
		old = rcu_replace_pointer(peer->pair, pair,
					  lockdep_is_held(&mn->lock));
		mn->genid++;
		mice_event_pair(peer, old && old->ms ? MICE_CMD_PAIR_REPLACED :
				MICE_CMD_PAIR_UP, -1);
		/* The old path keeps receiving for a grace time (make before break). */
		mice_pair_retire(peer->old_pair);
		peer->old_pair = NULL;
		if (old && old->ms) {
			WRITE_ONCE(old->retire_at,
				   (get_jiffies_64() + MICE_PAIR_RX_GRACE) | 1);
			peer->old_pair = old;
		} else {
			mice_pair_retire(old);
		}
		return 0;
	}

	if (!dev) {
		NL_SET_ERR_MSG(extack, "a new peer needs MICE_PAIR_A_IFINDEX");
		goto fail_inval;
	}
	if (!pair->nprefixes) {
		NL_SET_ERR_MSG(extack, "a new peer needs at least one MICE_PAIR_A_PREFIX");
		goto fail_inval;
	}
	if (mn->npeers >= MICE_MAX_PEERS_PER_NETNS) {
		NL_SET_ERR_MSG(extack, "too many peers in this netns");
		mice_pair_free(pair);
		return -ENOSPC;
	}
	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		goto fail_nomem;
	peer->stats = alloc_percpu(struct mice_peer_stats);
	if (!peer->stats) {
		kfree(peer);
		goto fail_nomem;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(peer->stats, cpu)->syncp);
	peer->id = id;
	dev_hold(dev);
	peer->dev = dev;
	err = mice_peer_route(mn, peer, pair, NULL, extack);
	if (err) {
		/* a transmit may have found it in the trie before the undo */
		call_rcu(&peer->rcu, mice_peer_free_rcu);
		mice_pair_free(pair);
		return err;
	}
	pair->peer = peer;
	mice_pair_hash_add(mn, pair);
	rcu_assign_pointer(peer->pair, pair);
	list_add_tail_rcu(&peer->node, &mn->peers);
	hash_add_rcu(mn->peer_hash, &peer->id_node, id);
	mn->npeers++;
	mn->genid++;
	mice_event_pair(peer, MICE_CMD_PAIR_UP, -1);
	return 0;

fail_inval:
	mice_pair_free(pair);
	return -EINVAL;
fail_nomem:
	mice_pair_free(pair);
	return -ENOMEM;
}

/**
 * mice_peer_del() - remove a peer, its pair and its routes
 * @peer: the peer; freed after an RCU grace period
 * @cause: why, reported in the PAIR_DOWN event
 *
 * Context: process context, mn->lock held.
 */
void mice_peer_del(struct mice_peer *peer, enum mice_pair_down_cause cause)
{
	struct mice_dev *mdev = netdev_priv(peer->dev);
	struct mice_net *mn = mdev->mn;

	lockdep_assert_held(&mn->lock);
	mice_event_pair(peer, MICE_CMD_PAIR_DOWN, cause);
	mice_peer_unroute(mn, peer,
			  rcu_dereference_protected(peer->pair,
						    lockdep_is_held(&mn->lock)),
			  NULL);
	mice_peer_clear_pair(mn, peer);
	list_del_rcu(&peer->node);
	hash_del_rcu(&peer->id_node);
	mn->npeers--;
	mn->genid++;
	call_rcu(&peer->rcu, mice_peer_free_rcu);
}

/* A socket is leaving: its pairs go down, the peers stay for a new pair. */
void mice_peers_sock_gone(struct mice_net *mn, const struct mice_sock *ms)
{
	struct mice_pair *pair, *copy;
	struct mice_peer *peer;

	lockdep_assert_held(&mn->lock);
	list_for_each_entry(peer, &mn->peers, node) {
		if (peer->old_pair && peer->old_pair->ms == ms) {
			mice_pair_retire(peer->old_pair);
			peer->old_pair = NULL;
		}
		pair = rcu_dereference_protected(peer->pair,
						 lockdep_is_held(&mn->lock));
		if (!pair || pair->ms != ms)
			continue;
		mice_event_pair(peer, MICE_CMD_PAIR_DOWN, MICE_PAIR_DOWN_SOCKET);
		/*
		 * Only the path is gone: publish a copy without a socket that
		 * keeps the prefixes, so a later PAIR_SET needs only the path.
		 */
		copy = kmemdup(pair, sizeof(*pair), GFP_KERNEL);
		if (copy) {
			copy->ms = NULL;
			/* a pathless copy sends nothing: no route cache */
			memset(&copy->dst_cache, 0, sizeof(copy->dst_cache));
		} else {
			/* no copy, no prefixes: the trie must not keep them */
			mice_peer_unroute(mn, peer, pair, NULL);
		}
		rcu_assign_pointer(peer->pair, copy);
		hash_del_rcu(&pair->hnode);
		call_rcu(&pair->rcu, mice_pair_free_rcu);
		mn->genid++;
	}
}

void mice_peers_dev_gone(struct mice_net *mn, const struct net_device *dev)
{
	struct mice_peer *peer, *tmp;

	lockdep_assert_held(&mn->lock);
	list_for_each_entry_safe(peer, tmp, &mn->peers, node)
		if (peer->dev == dev)
			mice_peer_del(peer, MICE_PAIR_DOWN_DEVICE);
	/* every prefix left with its peer */
	WARN_ON_ONCE(((struct mice_dev *)netdev_priv(dev))->tx_lpm.nodes);
}

void mice_peers_flush(struct mice_net *mn)
{
	struct mice_peer *peer, *tmp;

	lockdep_assert_held(&mn->lock);
	list_for_each_entry_safe(peer, tmp, &mn->peers, node)
		mice_peer_del(peer, MICE_PAIR_DOWN_NETNS);
}

void mice_peer_stats_sum(const struct mice_peer *peer, u64 *rx_packets,
			 u64 *rx_bytes, u64 *tx_packets, u64 *tx_bytes)
{
	unsigned int start;
	int cpu;

	*rx_packets = *rx_bytes = *tx_packets = *tx_bytes = 0;
	for_each_possible_cpu(cpu) {
		const struct mice_peer_stats *s = per_cpu_ptr(peer->stats, cpu);
		u64 rp, rb, tp, tb;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			rp = u64_stats_read(&s->rx_packets);
			rb = u64_stats_read(&s->rx_bytes);
			tp = u64_stats_read(&s->tx_packets);
			tb = u64_stats_read(&s->tx_bytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		*rx_packets += rp;
		*rx_bytes += rb;
		*tx_packets += tp;
		*tx_bytes += tb;
	}
}
