// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only monitoring files, one set per network namespace:
 *   /proc/net/mice/stats    receive counters per class, drops per reason
 *   /proc/net/mice/sockets  the attached sockets
 *   /proc/net/mice/pairs    peers, their current pair and counters
 * The formats are stable and documented in docs/proc.md. Like the GET
 * commands they show peers' addresses and counters: readable by the
 * namespace's root only (0400; proc_net files belong to the root of the
 * namespace's user namespace).
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "classify.h"
#include "mice.h"

static int mice_proc_stats_show(struct seq_file *seq, void *v)
{
	struct mice_net *mn = mice_net(seq_file_single_net(seq));
	struct mice_stats_sum *sum;
	unsigned int i;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	mice_stats_sum(mn->stats, sum);

	seq_printf(seq, "sockets %u\n", READ_ONCE(mn->nsockets));
	for (i = 0; i < __MICE_CLASS_MAX; i++)
		seq_printf(seq, "rx %s %llu %llu\n", mice_class_name(i),
			   sum->rx_packets[i], sum->rx_bytes[i]);
	for (i = MICE_REASON_NONE + 1; i < __MICE_REASON_MAX; i++)
		seq_printf(seq, "drop %s %llu %llu\n", mice_reason_name(i),
			   sum->drop_packets[i], sum->drop_bytes[i]);
	seq_printf(seq, "events_suppressed %lld\n",
		   (long long)atomic64_read(&mn->drop_events_suppressed));
	kfree(sum);
	return 0;
}

static int mice_proc_sockets_show(struct seq_file *seq, void *v)
{
	struct mice_net *mn = mice_net(seq_file_single_net(seq));
	struct mice_stats_sum *sum;
	struct mice_sock *ms;
	u8 addr[16];
	__be16 port;
	u16 family;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	seq_puts(seq, "id family address port stun mip data invalid\n");
	mutex_lock(&mn->lock);
	list_for_each_entry(ms, &mn->sockets, node) {
		mice_sock_local_addr(ms, &family, addr, &port);
		mice_stats_sum(ms->stats, sum);
		seq_printf(seq, "%u %s ", ms->id,
			   family == AF_INET ? "inet" : "inet6");
		if (family == AF_INET)
			seq_printf(seq, "%pI4", addr);
		else
			seq_printf(seq, "%pI6c", addr);
		seq_printf(seq, " %u %llu %llu %llu %llu\n", ntohs(port),
			   sum->rx_packets[MICE_CLASS_STUN],
			   sum->rx_packets[MICE_CLASS_MIP],
			   sum->rx_packets[MICE_CLASS_DATA],
			   sum->rx_packets[MICE_CLASS_INVALID]);
	}
	mutex_unlock(&mn->lock);
	kfree(sum);
	return 0;
}

static void mice_proc_addr(struct seq_file *seq, u16 family, const void *a)
{
	if (family == AF_INET)
		seq_printf(seq, "%pI4", a);
	else
		seq_printf(seq, "%pI6c", a);
}

static int mice_proc_pairs_show(struct seq_file *seq, void *v)
{
	struct mice_net *mn = mice_net(seq_file_single_net(seq));
	struct mice_peer *peer;
	struct mice_pair *pair;
	u64 rxp, rxb, txp, txb;
	unsigned int i;

	seq_puts(seq, "peer dev socket remote port rx_packets rx_bytes tx_packets tx_bytes prefixes\n");
	mutex_lock(&mn->lock);
	list_for_each_entry(peer, &mn->peers, node) {
		pair = rcu_dereference_protected(peer->pair,
						 lockdep_is_held(&mn->lock));
		mice_peer_stats_sum(peer, &rxp, &rxb, &txp, &txb);
		seq_printf(seq, "%u %s ", peer->id, peer->dev->name);
		if (pair && pair->ms) {
			seq_printf(seq, "%u ", pair->ms->id);
			mice_proc_addr(seq, pair->family, &pair->addr);
			seq_printf(seq, " %u", ntohs(pair->port));
		} else {
			seq_puts(seq, "- - -");
		}
		seq_printf(seq, " %llu %llu %llu %llu ", rxp, rxb, txp, txb);
		for (i = 0; pair && i < pair->nprefixes; i++) {
			if (i)
				seq_putc(seq, ',');
			mice_proc_addr(seq, pair->prefixes[i].family,
				       pair->prefixes[i].addr);
			seq_printf(seq, "/%u", pair->prefixes[i].len);
		}
		seq_putc(seq, '\n');
	}
	mutex_unlock(&mn->lock);
	return 0;
}

int mice_proc_init(struct mice_net *mn)
{
	/* proc_net_mkdir() records the netns the entries below resolve to. */
	mn->proc_dir = proc_net_mkdir(mn->net, "mice", mn->net->proc_net);
	if (!mn->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stats", 0400, mn->proc_dir,
				    mice_proc_stats_show, NULL) ||
	    !proc_create_net_single("sockets", 0400, mn->proc_dir,
				    mice_proc_sockets_show, NULL) ||
	    !proc_create_net_single("pairs", 0400, mn->proc_dir,
				    mice_proc_pairs_show, NULL)) {
		remove_proc_subtree("mice", mn->net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void mice_proc_exit(struct mice_net *mn)
{
	remove_proc_subtree("mice", mn->net->proc_net);
}
