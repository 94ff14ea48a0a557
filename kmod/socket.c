// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching to an agent-owned UDP socket and the receive hook.
 *
 * The agent binds a UDP socket and hands its fd over genetlink, the way
 * ovpn and gtp take sockets. The module installs encap_rcv on it with
 * setup_udp_tunnel_sock() and demultiplexes each datagram by seed 004
 * section 12: STUN and mobility headers go up to the agent unchanged,
 * encapsulated data goes to the fast path, anything else is dropped and
 * counted by reason.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "classify.h"
#include "mice.h"

static void mice_sock_count_drop(struct mice_sock *ms, struct sk_buff *skb,
				 enum mice_class cls, enum mice_reason reason,
				 unsigned int len)
{
	mice_stats_count_drop(ms->mn->stats, reason, len);
	mice_stats_count_drop(ms->stats, reason, len);
	mice_event_drop(ms, skb, cls, reason, len);
}

/*
 * Called for every datagram on an attached socket, in softirq context with
 * the RCU read lock held and the UDP checksum already verified. skb->data
 * is the UDP header. Returns > 0 to deliver the datagram to the socket as
 * usual, 0 when the skb was consumed.
 */
static int mice_udp_encap_recv(struct sock *sk, struct sk_buff *skb)
{
	struct mice_sock *ms = rcu_dereference_sk_user_data(sk);
	enum mice_reason reason;
	enum mice_class cls;
	u32 len, head, need;
	const u8 *payload;

	if (unlikely(!ms))
		return 1;

	len = skb->len - sizeof(struct udphdr);
	head = min_t(u32, len, MICE_CLASSIFY_HEAD);
	if (unlikely(!pskb_may_pull(skb, sizeof(struct udphdr) + head))) {
		cls = MICE_CLASS_INVALID;
		reason = MICE_REASON_NOMEM;
		goto drop;
	}
	payload = skb->data + sizeof(struct udphdr);

	/* Only a cookie-bearing STUN candidate needs all of it, for the CRC. */
	need = mice_classify_need(payload, head, len);
	if (need > head) {
		if (unlikely(!pskb_may_pull(skb, sizeof(struct udphdr) + need))) {
			cls = MICE_CLASS_INVALID;
			reason = MICE_REASON_NOMEM;
			goto drop;
		}
		payload = skb->data + sizeof(struct udphdr);
	}

	cls = mice_classify(payload, need, len, &reason);
	mice_stats_count_rx(ms->mn->stats, cls, len);
	mice_stats_count_rx(ms->stats, cls, len);

	switch (cls) {
	case MICE_CLASS_STUN:
	case MICE_CLASS_MIP:
		return 1;
	case MICE_CLASS_DATA:
		/* Only from a validated pair, inner source in its prefixes. */
		reason = mice_dev_rcv(ms, skb);
		if (reason == MICE_REASON_NONE)
			return 0;
		break;
	default:
		break;
	}
drop:
	mice_sock_count_drop(ms, skb, cls, reason, len);
	kfree_skb(skb);
	return 0;
}

/* Our state on @sk, read under mn->lock (the writers' lock). */
static struct mice_sock *mice_sock_of(struct sock *sk, struct mice_net *mn)
{
	uintptr_t data;

	data = (uintptr_t)rcu_dereference_protected(__sk_user_data(sk),
						    lockdep_is_held(&mn->lock));
	return (struct mice_sock *)(data & SK_USER_DATA_PTRMASK);
}

/*
 * The owner closed the socket: udp_destroy_sock() calls this, with no lock
 * held, after it set SOCK_DEAD. The module pin (below) is what makes the
 * call safe: this function cannot be gone while the socket points at it.
 */
static void mice_udp_encap_destroy(struct sock *sk)
{
	struct mice_net *mn = mice_net(sock_net(sk));
	struct mice_sock *ms;

	mutex_lock(&mn->lock);
	ms = mice_sock_of(sk, mn);
	if (ms)
		mice_sock_detach(ms, MICE_DETACH_CLOSED);
	mutex_unlock(&mn->lock);
}

/*
 * The module pin. udp_destroy_sock() reads encap_destroy and calls it
 * without a lock, and encap_rcv runs for every datagram, so the module
 * must stay while any socket carries our callbacks: each attached socket
 * holds one module reference and rmmod answers EBUSY until the socket is
 * detached or closed.
 *
 * The reference is never dropped by a module_put() in our own code: the
 * instructions after it (unlocking, returning into udp_destroy_sock())
 * would still run from module text that a concurrent rmmod could free.
 * It belongs to an anonymous file instead (anon_inode_getfile() takes it
 * for fops->owner, and __fput() drops it with fops_put() once the file's
 * last reference goes), and detach hands that file to fput() so that
 * __fput() runs only after this thread has left every function of ours:
 *   - a user task (close(), exit, a netlink request): fput() defers
 *     __fput() to task_work, run on the task's way back to user space;
 *   - a kernel thread (a socket whose last reference a kernel thread
 *     drops, a namespace torn down): fput() would run __fput() from the
 *     delayed-fput work at once, so we first wait for an RCU Tasks grace
 *     period (every task has since switched context voluntarily, so none
 *     is still in the detach path; it never sleeps after queueing), and
 *     mice_exit() waits for that callback with rcu_barrier_tasks().
 */
struct mice_sock_pin {
	struct rcu_head rcu;
	struct file *file;
};

static const struct file_operations mice_sock_pin_fops = {
	.owner = THIS_MODULE,
};

static struct mice_sock_pin *mice_sock_pin_get(struct netlink_ext_ack *extack)
{
	struct mice_sock_pin *pin = kzalloc(sizeof(*pin), GFP_KERNEL);

	if (!pin)
		return ERR_PTR(-ENOMEM);
	/* Fails only once rmmod has begun (try_module_get). */
	pin->file = anon_inode_getfile("[mice-sock]", &mice_sock_pin_fops,
				       NULL, O_RDONLY);
	if (IS_ERR(pin->file)) {
		int err = PTR_ERR(pin->file);

		kfree(pin);
		NL_SET_ERR_MSG(extack, "the module is being unloaded");
		return ERR_PTR(err);
	}
	return pin;
}

static void mice_sock_pin_drop_rcu(struct rcu_head *head)
{
	struct mice_sock_pin *pin = container_of(head, struct mice_sock_pin,
						 rcu);

	fput(pin->file);
	kfree(pin);
}

static void mice_sock_pin_put(struct mice_sock_pin *pin)
{
	if (current->flags & PF_KTHREAD) {
		call_rcu_tasks(&pin->rcu, mice_sock_pin_drop_rcu);
		return;
	}
	fput(pin->file);
	kfree(pin);
}

static void mice_sock_free_rcu(struct rcu_head *head)
{
	struct mice_sock *ms = container_of(head, struct mice_sock, rcu);

	free_percpu(ms->stats);
	sock_put(ms->sk);
	kfree(ms);
}

/* Checks from ovpn/gtp: a UDP datagram socket, v6only for IPv6, our netns. */
static int mice_sock_check(struct mice_net *mn, struct socket *sock,
			   struct netlink_ext_ack *extack)
{
	struct sock *sk = sock->sk;

	if (sk->sk_protocol != IPPROTO_UDP || sk->sk_type != SOCK_DGRAM ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG(extack, "socket is not a UDP datagram socket");
		return -EINVAL;
	}
	if (sk->sk_family == AF_INET6 && !ipv6_only_sock(sk)) {
		NL_SET_ERR_MSG(extack, "IPv6 socket must have IPV6_V6ONLY set");
		return -EINVAL;
	}
	if (!net_eq(sock_net(sk), mn->net)) {
		NL_SET_ERR_MSG(extack, "socket belongs to another network namespace");
		return -EINVAL;
	}
	if (!inet_sk(sk)->inet_num) {
		NL_SET_ERR_MSG(extack, "socket is not bound to a port");
		return -EINVAL;
	}
	return 0;
}

/* IDs are never 0 and never reused while a socket holds them. */
static u32 mice_sock_new_id(struct mice_net *mn)
{
	do {
		mn->next_sock_id++;
	} while (!mn->next_sock_id || mice_sock_find(mn, mn->next_sock_id));
	return mn->next_sock_id;
}

/* Is @sk free of any encapsulation, ours or another's? */
static bool mice_sock_unowned(struct sock *sk)
{
	const struct udp_sock *up = udp_sk(sk);

	return !rcu_access_pointer(sk->sk_user_data) && !up->encap_type &&
	       !up->encap_rcv && !up->encap_err_rcv && !up->encap_err_lookup &&
	       !up->encap_destroy && !up->gro_receive && !up->gro_complete;
}

/* Called with mn->lock held. */
struct mice_sock *mice_sock_attach(struct mice_net *mn, int fd,
				   struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg cfg = {
		.encap_type = MICE_UDP_ENCAP_TYPE,
		.encap_rcv = mice_udp_encap_recv,
		.encap_destroy = mice_udp_encap_destroy,
	};
	struct mice_sock *ms;
	struct socket *sock;
	struct sock *sk;
	int err;

	lockdep_assert_held(&mn->lock);
	if (mn->nsockets >= MICE_MAX_SOCKETS_PER_NETNS) {
		NL_SET_ERR_MSG(extack, "too many sockets attached in this netns");
		return ERR_PTR(-ENOSPC);
	}

	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG(extack, "fd is not a socket of the calling process");
		return ERR_PTR(err);
	}
	err = mice_sock_check(mn, sock, extack);
	if (err)
		goto out_put;

	ms = kzalloc(sizeof(*ms), GFP_KERNEL);
	if (!ms) {
		err = -ENOMEM;
		goto out_put;
	}
	ms->stats = mice_stats_alloc();
	if (!ms->stats) {
		err = -ENOMEM;
		goto out_free;
	}
	ms->pin = mice_sock_pin_get(extack);
	if (IS_ERR(ms->pin)) {
		err = PTR_ERR(ms->pin);
		ms->pin = NULL;
		goto out_free;
	}

	sk = sock->sk;
	lock_sock(sk);
	if (!mice_sock_unowned(sk)) {
		release_sock(sk);
		NL_SET_ERR_MSG(extack, "socket is already owned by an encapsulation");
		err = -EBUSY;
		goto out_free;
	}
	sock_hold(sk);
	ms->sk = sk;
	ms->mn = mn;
	ms->id = mice_sock_new_id(mn);
	/* setup_udp_tunnel_sock() clears mc_loop and may enable encap. */
	ms->saved_mc_loop = inet_sk(sk)->mc_loop;
	ms->saved_encap_enabled = udp_test_bit(ENCAP_ENABLED, sk);
	cfg.sk_user_data = ms;
	setup_udp_tunnel_sock(mn->net, sock, &cfg);
	release_sock(sk);

	list_add_tail_rcu(&ms->node, &mn->sockets);
	mn->nsockets++;
	mn->genid++;
	sockfd_put(sock);
	return ms;

out_free:
	if (ms->pin)
		mice_sock_pin_put(ms->pin);
	free_percpu(ms->stats);
	kfree(ms);
out_put:
	sockfd_put(sock);
	return ERR_PTR(err);
}

/*
 * Give the socket back as attach found it: no encapsulation (the fields
 * mice_sock_unowned() checks), its multicast loop, the checksum
 * conversion count, and for a socket that had not enabled encapsulation
 * before, the ENCAP_ENABLED flag and the static keys it holds (as
 * udp_destroy_sock() and udpv6_destroy_sock() drop them). Then free our
 * state after a grace period and drop the module pin.
 *
 * Under lock_sock, which orders this against udp_destroy_sock() setting
 * SOCK_DEAD. A socket found dead is inside udp_destroy_sock() already,
 * which may have read encap_destroy and be about to call it: only that
 * call (@cause CLOSED) detaches it; anyone else leaves it and gets false.
 * A closing socket keeps ENCAP_ENABLED: udp_destroy_sock() reads it after
 * we return and drops the keys itself. Called with mn->lock held.
 */
bool mice_sock_detach(struct mice_sock *ms, enum mice_detach_cause cause)
{
	struct mice_net *mn = ms->mn;
	struct sock *sk = ms->sk;
	struct udp_sock *up = udp_sk(sk);
	bool closing = cause == MICE_DETACH_CLOSED;

	lockdep_assert_held(&mn->lock);
	lock_sock(sk);
	if (!closing && sock_flag(sk, SOCK_DEAD)) {
		release_sock(sk);
		return false;
	}
	WRITE_ONCE(up->encap_rcv, NULL);
	WRITE_ONCE(up->encap_destroy, NULL);
	WRITE_ONCE(up->encap_type, 0);
	rcu_assign_sk_user_data(sk, NULL);
	inet_sk(sk)->mc_loop = ms->saved_mc_loop;
	inet_dec_convert_csum(sk);
	if (!closing && !ms->saved_encap_enabled &&
	    udp_test_bit(ENCAP_ENABLED, sk)) {
		udp_clear_bit(ENCAP_ENABLED, sk);
#if IS_ENABLED(CONFIG_IPV6)
		if (sk->sk_family == AF_INET6)
			static_branch_dec(&udpv6_encap_needed_key);
#endif
		udp_encap_disable();
	}
	release_sock(sk);

	mice_peers_sock_gone(mn, ms);
	list_del_rcu(&ms->node);
	mn->nsockets--;
	mn->genid++;
	mice_event_sock(ms, MICE_CMD_SOCK_DETACHED, cause);
	mice_sock_pin_put(ms->pin);
	ms->pin = NULL;
	call_rcu(&ms->rcu, mice_sock_free_rcu);
	return true;
}

void mice_sock_detach_all(struct mice_net *mn, enum mice_detach_cause cause)
{
	struct mice_sock *ms, *tmp;

	mutex_lock(&mn->lock);
	/*
	 * Empty in practice: an attached socket holds its namespace (and the
	 * module) until it is closed, and closing detaches it.
	 */
	list_for_each_entry_safe(ms, tmp, &mn->sockets, node)
		mice_sock_detach(ms, cause);
	mutex_unlock(&mn->lock);
}

/* Called with mn->lock or the RCU read lock held. */
struct mice_sock *mice_sock_find(struct mice_net *mn, u32 id)
{
	struct mice_sock *ms;

	list_for_each_entry_rcu(ms, &mn->sockets, node,
				lockdep_is_held(&mn->lock))
		if (ms->id == id)
			return ms;
	return NULL;
}

int mice_sock_local_addr(const struct mice_sock *ms, u16 *family,
			 u8 addr[16], __be16 *port)
{
	const struct sock *sk = ms->sk;

	*family = sk->sk_family;
	*port = inet_sk(sk)->inet_sport;
	if (sk->sk_family == AF_INET) {
		memcpy(addr, &inet_sk(sk)->inet_rcv_saddr, 4);
		return 4;
	}
#if IS_ENABLED(CONFIG_IPV6)
	memcpy(addr, &sk->sk_v6_rcv_saddr, 16);
	return 16;
#else
	return 0;
#endif
}
