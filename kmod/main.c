// SPDX-License-Identifier: GPL-2.0
/*
 * mice: M-ICE fast path (draft-tschofenig-mip6-ice, seed 004).
 *
 * Module and per-netns life cycle. Registration order is pernet state,
 * then the genl family; removal runs in reverse. An attached socket holds
 * a module reference (socket.c, the module pin), so rmmod is refused
 * (EBUSY) until every socket is detached or closed; every RCU callback
 * finishes before the module's text goes away.
 */
#include <linux/jiffies.h>
#include <linux/module.h>
#include <net/netns/generic.h>
#include <net/rtnetlink.h>

#include "mice.h"

unsigned int mice_net_id __read_mostly;
static bool mice_unloading;

static int __net_init mice_net_init(struct net *net)
{
	struct mice_net *mn = mice_net(net);
	int err;

	mn->net = net;
	mutex_init(&mn->lock);
	INIT_LIST_HEAD(&mn->sockets);
	INIT_LIST_HEAD(&mn->peers);
	hash_init(mn->pair_hash);
	hash_init(mn->peer_hash);
	mn->genid = 1;
	mn->drop_event_window = jiffies;
	mn->stats = mice_stats_alloc();
	if (!mn->stats)
		return -ENOMEM;
	err = mice_proc_init(mn);
	if (err) {
		free_percpu(mn->stats);
		return err;
	}
	err = mice_gate_net_init(mn);
	if (err) {
		mice_proc_exit(mn);
		free_percpu(mn->stats);
		return err;
	}
	return 0;
}

/* Detach first; the core waits for an RCU grace period before ->exit. */
static void __net_exit mice_net_pre_exit(struct net *net)
{
	struct mice_net *mn = mice_net(net);

	/*
	 * The namespace's mice devices are still registered here: the core
	 * unregisters them later, in default_device_exit_batch() (a pernet
	 * device op, whose exit runs before this subsystem's ->exit). Their
	 * peers and pairs, which point at attached sockets, go now, before
	 * the sockets are detached; mice_dev_uninit() then finds none left.
	 */
	mutex_lock(&mn->lock);
	mice_peers_flush(mn);
	mutex_unlock(&mn->lock);
	mice_sock_detach_all(mn, READ_ONCE(mice_unloading) ?
			     MICE_DETACH_UNLOAD : MICE_DETACH_NETNS);
	/* Gates close, the netfilter hook and the expiry work stop. */
	mice_gate_net_pre_exit(mn);
}

static void __net_exit mice_net_exit(struct net *net)
{
	struct mice_net *mn = mice_net(net);

	mice_gate_net_exit(mn);
	mice_proc_exit(mn);
	/* Socket frees queued by pre_exit may still read mn->stats. */
	rcu_barrier();
	free_percpu(mn->stats);
}

static struct pernet_operations mice_net_ops = {
	.init = mice_net_init,
	.pre_exit = mice_net_pre_exit,
	.exit = mice_net_exit,
	.id = &mice_net_id,
	.size = sizeof(struct mice_net),
};

static int __init mice_init(void)
{
	int err;

	err = mice_gate_init();
	if (err)
		return err;
	err = register_pernet_subsys(&mice_net_ops);
	if (err)
		goto out_gate;
	err = mice_dev_register();
	if (err)
		goto out_pernet;
	err = mice_genl_register();
	if (err)
		goto out_dev;
	pr_info("mice: M-ICE fast path loaded\n");
	return 0;

out_dev:
	mice_dev_unregister();
out_pernet:
	unregister_pernet_subsys(&mice_net_ops);
out_gate:
	/* Gates of namespaces that came and went are freed by RCU. */
	rcu_barrier();
	mice_gate_exit();
	return err;
}

static void __exit mice_exit(void)
{
	mice_genl_unregister();
	WRITE_ONCE(mice_unloading, true);
	mice_dev_unregister();
	unregister_pernet_subsys(&mice_net_ops);
	/* mice_sock_free_rcu() and mice_gate_free_rcu() are module text. */
	rcu_barrier();
	/* So is mice_sock_pin_drop_rcu() (socket.c, the module pin). */
	rcu_barrier_tasks();
	mice_gate_exit();
}

module_init(mice_init);
module_exit(mice_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("mice developers");
MODULE_DESCRIPTION("M-ICE fast path: STUN/MIP demultiplexing and media admission on UDP");
MODULE_ALIAS_GENL_FAMILY(MICE_GENL_NAME);
MODULE_ALIAS_RTNL_LINK("mice");
MODULE_VERSION("0.1");
