// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hook of media admission: forwarded IPv4 and IPv6 packets
 * that entered on an interface the operator named (MICE_CMD_MODE_SET) must
 * belong to a committed gate and stay within its envelope (seed 001
 * s.6.2). Everything else on those interfaces is dropped (enforce) or
 * counted and passed (monitor). Registered per namespace on the first
 * MODE_SET that names an interface, unregistered when the namespace or the
 * module goes.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>

#include "gate.h"

static unsigned int mice_gate_nf_hook(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct mice_gate_net *gn = priv;
	const struct mice_gate_mode *mode;
	unsigned int i;
	int ifindex;

	if (!state->in)
		return NF_ACCEPT;
	ifindex = state->in->ifindex;
	/* Hooks run under rcu_read_lock(). */
	mode = rcu_dereference(gn->mode);
	for (i = 0; i < mode->nifs; i++) {
		if (mode->ifs[i].ifindex != ifindex)
			continue;
		if (mice_gate_check(gn, mode, skb, 0, mode->ifs[i].dir, true))
			return NF_DROP;
		return NF_ACCEPT;
	}
	return NF_ACCEPT;
}

/* Before the filter table, so admission sees every forwarded packet. */
#define MICE_GATE_NF_PRIORITY	(NF_IP_PRI_FILTER - 10)

int mice_gate_nf_register(struct mice_gate_net *gn)
{
	struct nf_hook_ops ops[2] = {
		{
			.hook = mice_gate_nf_hook,
			.pf = NFPROTO_IPV4,
			.hooknum = NF_INET_FORWARD,
			.priority = MICE_GATE_NF_PRIORITY,
			.priv = gn,
		},
		{
			.hook = mice_gate_nf_hook,
			.pf = NFPROTO_IPV6,
			.hooknum = NF_INET_FORWARD,
			.priority = MICE_GATE_NF_PRIORITY,
			.priv = gn,
		},
	};

	memcpy(gn->nf_ops, ops, sizeof(ops));
	return nf_register_net_hooks(gn->mn->net, gn->nf_ops,
				     ARRAY_SIZE(gn->nf_ops));
}

void mice_gate_nf_unregister(struct mice_gate_net *gn)
{
	nf_unregister_net_hooks(gn->mn->net, gn->nf_ops,
				ARRAY_SIZE(gn->nf_ops));
}
