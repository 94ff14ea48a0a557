// SPDX-License-Identifier: GPL-2.0
/*
 * The mice tunnel device: `ip link add mice0 type mice`. Packets routed into
 * it are UDP-encapsulated toward their peer's current pair, from the
 * agent's own socket and port so NAT bindings made by the checks hold
 * (seed 004 s.3, UDP encapsulation as in DSMIPv6, RFC 5555). Datagrams of
 * the DATA class from a validated pair are decapsulated into it.
 *
 * rtnetlink, not genetlink, creates it: that is how `ip link` users expect
 * to manage devices, and it gives netns and deletion handling for free.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/rtnetlink.h>
#include <net/udp_tunnel.h>

#include "mice.h"

/* Worst case outer headers: IPv6 + UDP. */
#define MICE_OVERHEAD	(sizeof(struct ipv6hdr) + sizeof(struct udphdr))

static struct rtnl_link_ops mice_link_ops;

bool mice_dev_is_mice(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &mice_link_ops;
}

static void mice_peer_count(struct mice_peer *peer, bool rx, unsigned int len)
{
	struct mice_peer_stats *s = this_cpu_ptr(peer->stats);

	u64_stats_update_begin(&s->syncp);
	if (rx) {
		u64_stats_inc(&s->rx_packets);
		u64_stats_add(&s->rx_bytes, len);
	} else {
		u64_stats_inc(&s->tx_packets);
		u64_stats_add(&s->tx_bytes, len);
	}
	u64_stats_update_end(&s->syncp);
}

/*
 * Receive: a DATA datagram on an attached socket (softirq, RCU held, skb
 * data at the UDP header, the inner header's version and lengths already
 * checked by the classifier). Consumes the skb and returns
 * MICE_REASON_NONE, or returns why it must be dropped.
 */
enum mice_reason mice_dev_rcv(struct mice_sock *ms, struct sk_buff *skb)
{
	struct mice_pair *pair = mice_pair_lookup_rx(ms->mn, ms, skb);
	enum mice_reason reason;
	unsigned int inner_len;
	struct mice_peer *peer;
	struct net_device *dev;
	struct mice_dev *mdev;
	bool v4;

	if (!pair)
		return MICE_REASON_DATA_NO_PAIR;
	v4 = (skb->data[sizeof(struct udphdr)] >> 4) == 4;
	if (!pskb_may_pull(skb, sizeof(struct udphdr) +
			   (v4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr))))
		return MICE_REASON_NOMEM;
	if (!mice_pair_allows_source(pair, skb->data + sizeof(struct udphdr)))
		return MICE_REASON_DATA_INNER_SOURCE;
	/* Media admission, when enabled for the netns (docs/gates.md). */
	reason = mice_gate_datapath_check(ms->mn, skb, sizeof(struct udphdr));
	if (reason != MICE_REASON_NONE)
		return reason;

	peer = pair->peer;
	dev = peer->dev;
	mdev = netdev_priv(dev);
	if (unlikely(!(dev->flags & IFF_UP)))
		return MICE_REASON_DATA_NO_PAIR;

	/*
	 * Decapsulation, as __iptunnel_pull_header(): a GSO packet from a
	 * local or veth sender still carries the tunnel's GSO bits and
	 * encapsulation, which would make the next device segment it as a
	 * UDP tunnel; and the hash, computed for the outer packet, says
	 * nothing of the inner flow (on a card it is the pair's UDP flow,
	 * which every inner flow shares).
	 */
	if (iptunnel_pull_offloads(skb))
		return MICE_REASON_NOMEM;
	skb_clear_hash(skb);
	__skb_pull(skb, sizeof(struct udphdr));
	skb_reset_network_header(skb);
	skb_reset_mac_header(skb);
	skb->protocol = v4 ? htons(ETH_P_IP) : htons(ETH_P_IPV6);
	skb_scrub_packet(skb, !net_eq(ms->mn->net, dev_net(dev)));
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	/*
	 * The outer checksum was verified; the inner one is the stack's to
	 * check, except for a CHECKSUM_PARTIAL skb from a local sender (veth,
	 * loopback), whose inner checksum is still to be filled in and is
	 * trusted as such.
	 */
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		skb->ip_summed = CHECKSUM_NONE;
	inner_len = skb->len;

	mice_peer_count(peer, true, inner_len);
	dev_sw_netstats_rx_add(dev, inner_len);
	gro_cells_receive(&mdev->gro_cells, skb);
	return MICE_REASON_NONE;
}

static int mice_xmit_v4(struct sk_buff *skb, struct net_device *dev,
			struct mice_pair *pair, struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	struct flowi4 fl4 = {
		.flowi4_oif = sk->sk_bound_dev_if,
		.flowi4_mark = sk->sk_mark,
		.flowi4_proto = IPPROTO_UDP,
		.daddr = pair->addr.v4,
		.saddr = inet->inet_saddr,
		.fl4_sport = inet->inet_sport,
		.fl4_dport = pair->port,
	};
	struct rtable *rt;

	rt = dst_cache_get_ip4(&pair->dst_cache, &fl4.saddr);
	if (!rt) {
		rt = ip_route_output_key(dev_net(dev), &fl4);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		dst_cache_set_ip4(&pair->dst_cache, &rt->dst, fl4.saddr);
	}
	if (rt->dst.dev == dev) {	/* the outer route points back in */
		ip_rt_put(rt);
		return -ELOOP;
	}
	if (skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) + rt->dst.header_len +
			 sizeof(struct iphdr) + sizeof(struct udphdr))) {
		ip_rt_put(rt);
		return -ENOMEM;
	}
	udp_tunnel_xmit_skb(rt, sk, skb, fl4.saddr, fl4.daddr, 0,
			    ip4_dst_hoplimit(&rt->dst), 0, inet->inet_sport,
			    pair->port, false, sk->sk_no_check_tx);
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
static int mice_xmit_v6(struct sk_buff *skb, struct net_device *dev,
			struct mice_pair *pair, struct sock *sk)
{
	struct flowi6 fl6 = {
		.flowi6_oif = sk->sk_bound_dev_if,
		.flowi6_mark = sk->sk_mark,
		.flowi6_proto = IPPROTO_UDP,
		.daddr = pair->addr.v6,
		.saddr = sk->sk_v6_rcv_saddr,
		.fl6_sport = inet_sk(sk)->inet_sport,
		.fl6_dport = pair->port,
	};
	struct dst_entry *dst;

	dst = dst_cache_get_ip6(&pair->dst_cache, &fl6.saddr);
	if (!dst) {
		dst = ipv6_stub->ipv6_dst_lookup_flow(dev_net(dev), sk, &fl6, NULL);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		dst_cache_set_ip6(&pair->dst_cache, dst, &fl6.saddr);
	}
	if (dst->dev == dev) {
		dst_release(dst);
		return -ELOOP;
	}
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + dst->header_len +
			 sizeof(struct ipv6hdr) + sizeof(struct udphdr))) {
		dst_release(dst);
		return -ENOMEM;
	}
	return udp_tunnel6_xmit_skb(dst, sk, skb, dev, &fl6.saddr, &fl6.daddr,
				    0, ip6_dst_hoplimit(dst), 0,
				    inet_sk(sk)->inet_sport, pair->port,
				    udp_get_no_check6_tx(sk));
}
#endif

/*
 * Segmentation and checksums happen late, in the UDP tunnel path, as with
 * FOU over ipip, sit or ip6_tunnel. The inner packet is IP directly in UDP,
 * so skb_udp_tunnel_segment() finds the inner layer through inner_ipproto
 * in the offload table of the outer family: ipip or sit for an IPv4 outer
 * header, ip4ip6 or ip6ip6 for IPv6. Those refuse a packet without the
 * IPXIP bit of the outer family (the one iptunnel_handle_offloads() sets
 * for ipip and ip6_tunnel), so without it an underlay that cannot segment
 * UDP tunnels itself (most cards, or tx-udp_tnl-segmentation off) drops
 * every GSO packet instead of segmenting it in software.
 */
static int mice_xmit_offloads(struct sk_buff *skb, struct sock *sk, u16 family)
{
	int gso_type;
	bool nocheck;
	int err;

	if (family == AF_INET) {
		nocheck = sk->sk_no_check_tx;
		gso_type = SKB_GSO_IPXIP4;
	} else {
		nocheck = udp_get_no_check6_tx(sk);
		gso_type = SKB_GSO_IPXIP6;
	}
	gso_type |= nocheck ? SKB_GSO_UDP_TUNNEL : SKB_GSO_UDP_TUNNEL_CSUM;
	err = iptunnel_handle_offloads(skb, gso_type);
	if (err)
		return err;
	skb_set_inner_ipproto(skb, skb->protocol == htons(ETH_P_IP) ?
			      IPPROTO_IPIP : IPPROTO_IPV6);
	return 0;
}

/*
 * The inner packet's destination, once its header is known to be whole and
 * of the protocol the skb claims, as WireGuard's
 * wg_examine_packet_protocol() checks it: a packet socket can hand the
 * device any bytes with any skb->protocol, a truncated header, or an IPv6
 * header in an ETH_P_IP skb. Returns the family and sets @daddr into the
 * pulled header, or returns 0 and nothing may be read.
 */
static u16 mice_xmit_inner_daddr(struct sk_buff *skb, const u8 **daddr)
{
	/* A network header in the headroom is no part of the packet. */
	if (skb_network_offset(skb) < 0)
		return 0;
	if (skb->protocol == htons(ETH_P_IP)) {
		if (!pskb_network_may_pull(skb, sizeof(struct iphdr)) ||
		    ip_hdr(skb)->version != 4)
			return 0;
		*daddr = (const u8 *)&ip_hdr(skb)->daddr;
		return AF_INET;
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		if (!pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) ||
		    ipv6_hdr(skb)->version != 6)
			return 0;
		*daddr = ipv6_hdr(skb)->daddr.s6_addr;
		return AF_INET6;
	}
	return 0;
}

static netdev_tx_t mice_dev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct mice_dev *mdev = netdev_priv(dev);
	unsigned int len = skb->len;
	struct mice_peer *peer;
	struct mice_pair *pair;
	int err = -EHOSTUNREACH;
	const u8 *daddr;
	u16 family;

	family = mice_xmit_inner_daddr(skb, &daddr);
	if (unlikely(!family)) {
		mice_stats_count_drop(mdev->mn->stats,
				      MICE_REASON_TX_INNER_HEADER, len);
		DEV_STATS_INC(dev, tx_errors);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}

	rcu_read_lock();
	peer = mice_peer_lookup_tx(mdev->mn, dev, family, daddr);
	pair = peer ? rcu_dereference(peer->pair) : NULL;
	if (!pair || !pair->ms)
		goto drop;
	err = mice_xmit_offloads(skb, pair->ms->sk, pair->family);
	if (err)
		goto drop;
	skb->mark = 0;
	if (pair->family == AF_INET)
		err = mice_xmit_v4(skb, dev, pair, pair->ms->sk);
#if IS_ENABLED(CONFIG_IPV6)
	else
		err = mice_xmit_v6(skb, dev, pair, pair->ms->sk);
#endif
	if (err)
		goto drop;
	/*
	 * The device's tx counters are iptunnel_xmit()'s and
	 * ip6tunnel_xmit()'s: they count the inner packet once sent, or a
	 * failed outer output (tx_dropped for IPv4; tx_errors and
	 * tx_aborted_errors for IPv6). Counting here too doubled them.
	 */
	mice_peer_count(peer, false, len);
	rcu_read_unlock();
	return NETDEV_TX_OK;

drop:
	rcu_read_unlock();
	if (err == -EHOSTUNREACH)
		DEV_STATS_INC(dev, tx_carrier_errors);
	DEV_STATS_INC(dev, tx_errors);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static int mice_dev_init(struct net_device *dev)
{
	struct mice_dev *mdev = netdev_priv(dev);
	int err;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	err = gro_cells_init(&mdev->gro_cells, dev);
	if (err) {
		free_percpu(dev->tstats);
		return err;
	}
	mdev->mn = mice_net(dev_net(dev));
	return 0;
}

/* Unregistration: the device's peers go, and no new ones can come. */
static void mice_dev_uninit(struct net_device *dev)
{
	struct mice_dev *mdev = netdev_priv(dev);
	struct mice_net *mn = mdev->mn;

	mutex_lock(&mn->lock);
	mdev->dead = true;
	mice_peers_dev_gone(mn, dev);
	mutex_unlock(&mn->lock);
	gro_cells_destroy(&mdev->gro_cells);
	free_percpu(dev->tstats);
}

static const struct net_device_ops mice_netdev_ops = {
	.ndo_init = mice_dev_init,
	.ndo_uninit = mice_dev_uninit,
	.ndo_start_xmit = mice_dev_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void mice_dev_setup(struct net_device *dev)
{
	dev->netdev_ops = &mice_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX | NETIF_F_NETNS_LOCAL;
#define MICE_OFFLOADS (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM | \
		       NETIF_F_GSO_SOFTWARE)
	dev->features |= MICE_OFFLOADS;
	dev->hw_features |= MICE_OFFLOADS;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = LL_MAX_HEADER + MICE_OVERHEAD;
	dev->mtu = ETH_DATA_LEN - MICE_OVERHEAD;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - MICE_OVERHEAD;
	dev->needs_free_netdev = true;
}

static struct rtnl_link_ops mice_link_ops __read_mostly = {
	.kind = "mice",
	.priv_size = sizeof(struct mice_dev),
	.setup = mice_dev_setup,
};

int mice_dev_register(void)
{
	return rtnl_link_register(&mice_link_ops);
}

void mice_dev_unregister(void)
{
	rtnl_link_unregister(&mice_link_ops);
}
