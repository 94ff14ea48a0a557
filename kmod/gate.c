// SPDX-License-Identifier: GPL-2.0
/*
 * Media admission gates (seed 001 s.6.2: the policy point installs an
 * authorized media description, a gate, at the edge router; the router
 * admits a flow only when it presented its authorization and only within
 * the authorized envelope; RFC 3313 carries the token). docs/gates.md.
 *
 * Per netns: gates in resizable RCU hash tables (rhashtable) by GateID
 * and, once committed, by their exact 5-tuple (mice_flow_key_hash, seeded
 * by the table), so a lookup stays O(1) from one gate to a million.
 * Writers hold gn->lock; the netfilter hook and the mice data path look
 * gates up under RCU and take the gate's spinlock for its token bucket.
 * Gates come from their own slab cache and are freed after a grace
 * period. A delayed work closes gates whose authorization lifetime ended
 * before a commit and committed gates idle for too long; it finds them on
 * a timer wheel, so a run costs the gates due, not every gate.
 */
#include <crypto/hash.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "gate.h"

static unsigned int max_gates = MICE_MAX_GATES_DEFAULT;
module_param(max_gates, uint, 0444);
MODULE_PARM_DESC(max_gates,
		 "initial gate limit per network namespace (1-1048576; MODE_SET changes it)");

/*
 * The token replay cache (docs/gates.md, "Limits and known gaps"): each token used
 * to commit is remembered until it expires, so its size is bounded by
 * the commits of the last max_token_lifetime seconds, and it has its own
 * limit. Both are read at each commit, so writing them takes effect at
 * once.
 */
static unsigned int max_used_tokens = 65536;
module_param(max_used_tokens, uint, 0644);
MODULE_PARM_DESC(max_used_tokens,
		 "replay cache entries per network namespace (1-1048576; default 65536)");

static unsigned int max_token_lifetime = 3600;
module_param(max_token_lifetime, uint, 0644);
MODULE_PARM_DESC(max_token_lifetime,
		 "seconds a token may still have to live when it commits (1-86400; default 3600)");

static unsigned int mice_gate_used_limit(void)
{
	return clamp_t(unsigned int, READ_ONCE(max_used_tokens), 1,
		       MICE_MAX_GATES_LIMIT);
}

static unsigned int mice_gate_lifetime_limit(void)
{
	return clamp_t(unsigned int, READ_ONCE(max_token_lifetime), 1,
		       MICE_GATE_TIMER_MAX);
}

static struct kmem_cache *mice_gate_cache __read_mostly;

static u32 mice_gate_flow_hashfn(const void *data, u32 len, u32 seed)
{
	return mice_flow_key_hash(data, seed);
}

static const struct rhashtable_params mice_gate_id_params = {
	.head_offset = offsetof(struct mice_gate, id_node),
	.key_offset = offsetof(struct mice_gate, id),
	.key_len = sizeof(u32),
	.automatic_shrinking = true,
};

/*
 * Flow keys are compared whole (memcmp): the packet path and commits both
 * build them zeroed, with dir 0, so equal 5-tuples are equal keys.
 */
static const struct rhashtable_params mice_gate_flow_params = {
	.head_offset = offsetof(struct mice_gate, flow_node),
	.key_offset = offsetof(struct mice_gate, flow),
	.key_len = sizeof(struct mice_flow_key),
	.hashfn = mice_gate_flow_hashfn,
	.automatic_shrinking = true,
};

static const struct rhashtable_params mice_gate_used_params = {
	.head_offset = offsetof(struct mice_gate_used, node),
	.key_offset = offsetof(struct mice_gate_used, tag),
	.key_len = MICE_TOKEN_TAG_LEN,
	.automatic_shrinking = true,
};

int __init mice_gate_init(void)
{
	/* The memory target (struct mice_gate): keep new fields in the holes. */
	BUILD_BUG_ON(BITS_PER_LONG == 64 && !IS_ENABLED(CONFIG_DEBUG_SPINLOCK) &&
		     !IS_ENABLED(CONFIG_DEBUG_LOCK_ALLOC) &&
		     sizeof(struct mice_gate) > 200);
	/* Charged to the memory cgroup of whoever adds the gates. */
	mice_gate_cache = kmem_cache_create("mice_gate",
					    sizeof(struct mice_gate), 0,
					    SLAB_ACCOUNT, NULL);
	return mice_gate_cache ? 0 : -ENOMEM;
}

/* After rcu_barrier(): no gate is left, nor any callback freeing one. */
void mice_gate_exit(void)
{
	kmem_cache_destroy(mice_gate_cache);
}

/**
 * mice_gate_find() - look a gate up by its GateID
 * @gn: the namespace's gate table
 * @id: the GateID
 *
 * Context: process context, gn->lock held.
 * Return: the gate, or NULL if the table holds none with @id.
 */
struct mice_gate *mice_gate_find(struct mice_gate_net *gn, u32 id)
{
	lockdep_assert_held(&gn->lock);
	return rhashtable_lookup_fast(&gn->by_id, &id, mice_gate_id_params);
}

/* The committed gate of flow @k (dir 0, zero padding); RCU read lock. */
static struct mice_gate *mice_gate_lookup_flow(struct mice_gate_net *gn,
					       const struct mice_flow_key *k)
{
	return rhashtable_lookup(&gn->by_flow, k, mice_gate_flow_params);
}

/* @len leading bits of @addr, the rest zero: a prefix of @len bits. */
static void mice_gate_cut(u8 *prefix, const u8 *addr, u8 len)
{
	unsigned int full = len / 8, rest = len % 8;

	memset(prefix, 0, 16);
	memcpy(prefix, addr, full);
	if (rest)
		prefix[full] = addr[full] & (u8)(0xff << (8 - rest));
}

/* The classifier @g was added with, whether or not it is committed yet. */
void mice_gate_get_cls(const struct mice_gate *g,
		       struct mice_gate_classifier *c)
{
	const u8 *src = g->bound ? g->flow.src : g->prefix.src;
	const u8 *dst = g->bound ? g->flow.dst : g->prefix.dst;

	c->proto = g->shape.proto;
	c->dir = g->shape.dir;
	c->src.family = g->shape.src_family;
	c->src.len = g->shape.src_len;
	mice_gate_cut(c->src.addr, src, c->src.len);
	c->dst.family = g->shape.dst_family;
	c->dst.len = g->shape.dst_len;
	mice_gate_cut(c->dst.addr, dst, c->dst.len);
	c->sport = g->shape.sport;
	c->dport = g->shape.dport;
}

static void mice_gate_set_cls(struct mice_gate *g,
			      const struct mice_gate_classifier *c)
{
	g->shape.proto = c->proto;
	g->shape.dir = c->dir;
	g->shape.src_family = c->src.family;
	g->shape.src_len = c->src.len;
	g->shape.dst_family = c->dst.family;
	g->shape.dst_len = c->dst.len;
	g->shape.sport = c->sport;
	g->shape.dport = c->dport;
	memcpy(g->prefix.src, c->src.addr, sizeof(g->prefix.src));
	memcpy(g->prefix.dst, c->dst.addr, sizeof(g->prefix.dst));
}

/* @c must have passed mice_gate_classifier_check(). */
struct mice_gate *mice_gate_alloc(u32 id, const struct mice_gate_classifier *c,
				  u32 rate, u32 burst, u32 max_packet,
				  u32 lifetime_s, u32 idle_s)
{
	struct mice_gate *g = kmem_cache_zalloc(mice_gate_cache, GFP_KERNEL);

	if (!g)
		return NULL;
	g->id = id;
	mice_gate_set_cls(g, c);
	g->lifetime_s = lifetime_s;
	g->idle_s = idle_s;
	INIT_LIST_HEAD(&g->timer);
	spin_lock_init(&g->lock);
	/* The bucket starts full at commit; this sets the envelope. */
	mice_policer_init(&g->pol, rate, burst, max_packet, ktime_get_ns());
	return g;
}

/* Free a gate no reader can see: never inserted, or after a grace period. */
void mice_gate_free(struct mice_gate *g)
{
	/* The opaque token is a credential. */
	kfree_sensitive(g->token);
	kmem_cache_free(mice_gate_cache, g);
}

static void mice_gate_free_rcu(struct rcu_head *head)
{
	mice_gate_free(container_of(head, struct mice_gate, rcu));
}

/* --- timer wheels -------------------------------------------------------- */

/*
 * A lazy timer wheel: an entry due in @delay jiffies goes to the slot of
 * its tick (jiffies_64 / MICE_GATE_GC_PERIOD), or of the next tick to run
 * if that one has passed. Running a tick empties its slot; an entry that
 * is not due yet (due a wheel turn or more later, or a committed gate that
 * saw packets since) is filed again. Called with gn->lock held.
 */
static void mice_gate_wheel_add(struct mice_gate_wheel *w,
				struct list_head *node, unsigned long delay)
{
	u64 tick = div_u64(get_jiffies_64() + delay, MICE_GATE_GC_PERIOD);

	if (tick < w->tick)
		tick = w->tick;
	list_add_tail(node, &w->slot[tick & (MICE_GATE_WHEEL_SLOTS - 1)]);
}

static void mice_gate_wheel_init(struct mice_gate_wheel *w)
{
	unsigned int i;

	for (i = 0; i < MICE_GATE_WHEEL_SLOTS; i++)
		INIT_LIST_HEAD(&w->slot[i]);
	w->tick = div_u64(get_jiffies_64(), MICE_GATE_GC_PERIOD);
}

/*
 * Run the ticks of @w up to now, at most one turn (a late run looks at
 * every slot once). @fire gets each entry unlinked (and re-initialised);
 * it frees it or files it again. Called with gn->lock held.
 */
static void mice_gate_wheel_run(struct mice_gate_net *gn,
				struct mice_gate_wheel *w,
				void (*fire)(struct mice_gate_net *gn,
					     struct list_head *node))
{
	u64 now = div_u64(get_jiffies_64(), MICE_GATE_GC_PERIOD);
	struct list_head *node, *tmp;
	LIST_HEAD(due);

	if (now >= w->tick + MICE_GATE_WHEEL_SLOTS)
		w->tick = now + 1 - MICE_GATE_WHEEL_SLOTS;
	while (w->tick <= now) {
		list_splice_init(&w->slot[w->tick & (MICE_GATE_WHEEL_SLOTS - 1)],
				 &due);
		w->tick++;
		list_for_each_safe(node, tmp, &due) {
			list_del_init(node);
			fire(gn, node);
			/*
			 * A slot can hold a million gates. Both callers (the
			 * GC work, a netlink request) run in process context
			 * under gn->lock, a mutex: sleeping is allowed, and
			 * the rest of @due is ours.
			 */
			cond_resched();
		}
	}
}

/* When @g's timer fires: its authorization's end, or its idle timeout. */
static unsigned long mice_gate_due(const struct mice_gate *g)
{
	if (g->state == MICE_GATE_AUTHORIZED)
		return g->deadline;
	return READ_ONCE(g->last_used) + (unsigned long)g->idle_s * HZ;
}

/* File @g (unlinked) by its timer. Called with gn->lock held. */
static void mice_gate_timer_add(struct mice_gate_net *gn, struct mice_gate *g)
{
	unsigned long due, now = jiffies;

	if (g->state == MICE_GATE_COMMITTED && !g->idle_s) {
		list_add_tail(&g->timer, &gn->untimed);
		return;
	}
	due = mice_gate_due(g);
	mice_gate_wheel_add(&gn->gate_wheel, &g->timer,
			    time_after(due, now) ? due - now : 0);
}

static void mice_gate_gc_arm(struct mice_gate_net *gn)
{
	if (!gn->dying)
		schedule_delayed_work(&gn->gc, MICE_GATE_GC_PERIOD);
}

/**
 * mice_gate_insert() - add a new gate, Authorized
 * @gn: the namespace's gate table
 * @g: the gate, from mice_gate_alloc(); the table owns it on success
 * @extack: for the reason of a refusal
 *
 * Its authorization runs for g->lifetime_s from now, then it expires.
 *
 * Context: process context, gn->lock held.
 * Return: 0, -ENODEV if the namespace is going away, -EEXIST if the
 * GateID is taken, -ENOSPC at the namespace's gate limit, or the error of
 * hashing it.
 */
int mice_gate_insert(struct mice_gate_net *gn, struct mice_gate *g,
		     struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&gn->lock);
	if (gn->dying) {
		NL_SET_ERR_MSG(extack, "the namespace is going away");
		return -ENODEV;
	}
	if (mice_gate_find(gn, g->id)) {
		NL_SET_ERR_MSG(extack, "a gate with this ID exists");
		return -EEXIST;
	}
	if (gn->ngates >= gn->max_gates) {
		NL_SET_ERR_MSG(extack, "gate table full: the namespace's gate limit is reached");
		return -ENOSPC;
	}
	err = rhashtable_insert_fast(&gn->by_id, &g->id_node,
				     mice_gate_id_params);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot hash the gate");
		return err;
	}
	g->state = MICE_GATE_AUTHORIZED;
	g->deadline = jiffies + (unsigned long)g->lifetime_s * HZ;
	mice_gate_timer_add(gn, g);
	gn->ngates++;
	gn->genid++;
	mice_gate_gc_arm(gn);
	return 0;
}

/**
 * mice_gate_commit() - bind an Authorized gate to one flow
 * @gn: the namespace's gate table
 * @g: an Authorized gate of @gn
 * @k: the exact flow, inside the gate's classifier
 * @extack: for the reason of a refusal
 *
 * Seed 001 s.6.2: the gate admits the flow that presented the
 * authorization. From here on, packets of @k pass, policed; the gate
 * closes after its idle timeout, if it has one.
 *
 * Context: process context, gn->lock held.
 * Return: 0, -EALREADY if @g is committed already, -EADDRNOTAVAIL if @k is
 * outside its classifier, -EBUSY if another gate holds @k, or the error of
 * hashing it. On error @g is unchanged.
 */
int mice_gate_commit(struct mice_gate_net *gn, struct mice_gate *g,
		     const struct mice_flow_key *k,
		     struct netlink_ext_ack *extack)
{
	struct mice_gate_classifier cls;
	struct mice_flow_key key = *k;
	int err;

	lockdep_assert_held(&gn->lock);
	if (g->state != MICE_GATE_AUTHORIZED) {
		NL_SET_ERR_MSG(extack, "gate already committed");
		return -EALREADY;
	}
	mice_gate_get_cls(g, &cls);
	/* The direction is the hook's business; the tuple must fit. */
	key.dir = cls.dir;
	if (!mice_gate_classifier_match(&cls, &key)) {
		NL_SET_ERR_MSG(extack, "flow is outside the gate's classifier");
		return -EADDRNOTAVAIL;
	}
	key.dir = 0;
	key.pad = 0;
	/*
	 * The hash table keys on the gate's own copy: overwrite the prefixes.
	 * @bound changes with them under g->lock, so the /proc listing, which
	 * reads gates under RCU and g->lock only, sees the prefixes or the
	 * flow, never half of each.
	 */
	spin_lock_bh(&g->lock);
	g->flow = key;
	g->bound = 1;
	spin_unlock_bh(&g->lock);
	/* Found by packets from here on; they pass once it is committed. */
	err = rhashtable_lookup_insert_fast(&gn->by_flow, &g->flow_node,
					    mice_gate_flow_params);
	if (err) {
		spin_lock_bh(&g->lock);
		mice_gate_set_cls(g, &cls);
		g->bound = 0;
		spin_unlock_bh(&g->lock);
		if (err == -EEXIST) {
			NL_SET_ERR_MSG(extack, "another gate is already committed to this flow");
			return -EBUSY;
		}
		NL_SET_ERR_MSG(extack, "cannot hash the flow");
		return err;
	}
	spin_lock_bh(&g->lock);
	mice_policer_init(&g->pol, g->pol.rate, g->pol.burst, g->pol.max_packet,
			  ktime_get_ns());
	g->state = MICE_GATE_COMMITTED;
	WRITE_ONCE(g->last_used, jiffies);
	spin_unlock_bh(&g->lock);
	/* From the authorization's end to the idle timeout, if any. */
	list_del(&g->timer);
	mice_gate_timer_add(gn, g);
	gn->genid++;
	mice_gate_event(gn, g, MICE_CMD_GATE_COMMITTED, -1);
	return 0;
}

/**
 * mice_gate_close() - close a gate
 * @gn: the namespace's gate table
 * @g: a gate of @gn; freed after an RCU grace period
 * @cause: why, reported in the GATE_CLOSED or GATE_EXPIRED event
 *
 * Context: process context, gn->lock held.
 */
void mice_gate_close(struct mice_gate_net *gn, struct mice_gate *g,
		     enum mice_gate_close_cause cause)
{
	u8 was;

	lockdep_assert_held(&gn->lock);
	spin_lock_bh(&g->lock);
	was = g->state;
	g->state = MICE_GATE_CLOSED;
	spin_unlock_bh(&g->lock);
	if (was == MICE_GATE_COMMITTED)
		WARN_ON_ONCE(rhashtable_remove_fast(&gn->by_flow, &g->flow_node,
						    mice_gate_flow_params));
	WARN_ON_ONCE(rhashtable_remove_fast(&gn->by_id, &g->id_node,
					    mice_gate_id_params));
	list_del(&g->timer);
	gn->ngates--;
	gn->genid++;
	if (cause == MICE_GATE_CLOSE_EXPIRED)
		mice_gate_event(gn, g, MICE_CMD_GATE_EXPIRED, cause);
	else
		mice_gate_event(gn, g, MICE_CMD_GATE_CLOSED, cause);
	call_rcu(&g->rcu, mice_gate_free_rcu);
}

void mice_gate_counters(struct mice_gate *g, u64 *packets, u64 *bytes,
			u64 *drop_packets, u64 *drop_bytes)
{
	unsigned int i;

	spin_lock_bh(&g->lock);
	*packets = g->packets;
	*bytes = g->bytes;
	for (i = 0; i < __MICE_GATE_DROP_MAX; i++) {
		drop_packets[i] = g->drop_packets[i];
		drop_bytes[i] = g->drop_bytes[i];
	}
	spin_unlock_bh(&g->lock);
}

/* Seconds until the gate's timer fires; 0 when it has none. */
u32 mice_gate_remaining(const struct mice_gate *g)
{
	unsigned long end, now = jiffies;

	if (g->state == MICE_GATE_AUTHORIZED)
		end = g->deadline;
	else if (g->state == MICE_GATE_COMMITTED && g->idle_s)
		end = READ_ONCE(g->last_used) + (unsigned long)g->idle_s * HZ;
	else
		return 0;
	return time_after(end, now) ? DIV_ROUND_UP(end - now, HZ) : 0;
}

/* Was the token @t already used to commit? Called with gn->lock held. */
bool mice_gate_token_used(struct mice_gate_net *gn, const struct mice_token *t)
{
	lockdep_assert_held(&gn->lock);
	return !!rhashtable_lookup_fast(&gn->used, t->tag,
					mice_gate_used_params);
}

static void mice_gate_used_fire(struct mice_gate_net *gn,
				struct list_head *node);

/*
 * May the verified token @t commit? Not if it was used already (replay);
 * not if it expires more than max_token_lifetime seconds from now, which
 * is what bounds how long the replay cache keeps it; not while the cache
 * holds max_used_tokens unexpired tokens, since forgetting one early
 * would let it be replayed. Plain commits (by GateID) never use the
 * cache. Called with gn->lock held; @attr is the token, for extack.
 */
int mice_gate_token_admit(struct mice_gate_net *gn, const struct mice_token *t,
			  const struct nlattr *attr,
			  struct netlink_ext_ack *extack)
{
	u64 now = ktime_get_real_seconds();
	unsigned int limit;

	lockdep_assert_held(&gn->lock);
	if (mice_gate_token_used(gn, t)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "token already used (replay)");
		return -EALREADY;
	}
	if (t->expiry > now + mice_gate_lifetime_limit()) {
		gn->used_refused_lifetime++;
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "token expires too far ahead (over the module's max_token_lifetime)");
		return -ERANGE;
	}
	limit = mice_gate_used_limit();
	if (gn->nused >= limit)
		/* Forget what expired since the last expiry run. */
		mice_gate_wheel_run(gn, &gn->used_wheel, mice_gate_used_fire);
	if (gn->nused >= limit) {
		gn->used_refused_full++;
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "replay cache full of unexpired tokens (the module's max_used_tokens): retry when one expires");
		return -ENOSPC;
	}
	return 0;
}

/* Until @u's token expires: at most a wheel turn, then look again. */
static void mice_gate_used_timer_add(struct mice_gate_net *gn,
				     struct mice_gate_used *u, u64 now)
{
	u64 left = u->expiry > now ? u->expiry - now : 0;

	mice_gate_wheel_add(&gn->used_wheel, &u->timer,
			    min_t(u64, left, MICE_GATE_TIMER_MAX) * HZ);
}

/**
 * mice_gate_token_use() - put a token in the replay cache
 * @gn: the namespace's gate table
 * @t: a verified, admitted token (mice_gate_token_admit())
 * @extack: for the reason of a failure
 *
 * Done before the commit the token is used for, so that remembering it
 * cannot fail after the commit; mice_gate_token_unuse() undoes it if the
 * commit fails. The cache keeps @t until it expires.
 *
 * Context: process context, gn->lock held.
 * Return: the cache entry, or an ERR_PTR().
 */
struct mice_gate_used *mice_gate_token_use(struct mice_gate_net *gn,
					   const struct mice_token *t,
					   struct netlink_ext_ack *extack)
{
	struct mice_gate_used *u;
	int err;

	lockdep_assert_held(&gn->lock);
	if (gn->nused >= mice_gate_used_limit()) {
		NL_SET_ERR_MSG(extack, "replay cache full of unexpired tokens (the module's max_used_tokens)");
		return ERR_PTR(-ENOSPC);
	}
	u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
	if (!u)
		return ERR_PTR(-ENOMEM);
	u->expiry = t->expiry;
	memcpy(u->tag, t->tag, MICE_TOKEN_TAG_LEN);
	err = rhashtable_insert_fast(&gn->used, &u->node,
				     mice_gate_used_params);
	if (err) {
		kfree(u);
		NL_SET_ERR_MSG(extack, "cannot hash the token");
		return ERR_PTR(err);
	}
	mice_gate_used_timer_add(gn, u, ktime_get_real_seconds());
	gn->nused++;
	mice_gate_gc_arm(gn);
	return u;
}

/* Forget @u. Called with gn->lock held. */
static void mice_gate_used_del(struct mice_gate_net *gn,
			       struct mice_gate_used *u)
{
	WARN_ON_ONCE(rhashtable_remove_fast(&gn->used, &u->node,
					    mice_gate_used_params));
	list_del(&u->timer);
	gn->nused--;
	kfree_rcu(u, rcu);
}

/**
 * mice_gate_token_unuse() - take a token back out of the replay cache
 * @gn: the namespace's gate table
 * @u: what mice_gate_token_use() returned, for a commit that failed
 *
 * Context: process context, gn->lock held.
 */
void mice_gate_token_unuse(struct mice_gate_net *gn, struct mice_gate_used *u)
{
	lockdep_assert_held(&gn->lock);
	mice_gate_used_del(gn, u);
}

/* Expired tokens fail their own check: forget them. */
static void mice_gate_used_fire(struct mice_gate_net *gn,
				struct list_head *node)
{
	struct mice_gate_used *u = list_entry(node, struct mice_gate_used,
					      timer);
	u64 now = ktime_get_real_seconds();

	if (now >= u->expiry)
		mice_gate_used_del(gn, u);
	else
		mice_gate_used_timer_add(gn, u, now);
}

static void mice_gate_fire(struct mice_gate_net *gn, struct list_head *node)
{
	struct mice_gate *g = list_entry(node, struct mice_gate, timer);

	if (time_after_eq(jiffies, mice_gate_due(g))) {
		mice_gate_close(gn, g, g->state == MICE_GATE_AUTHORIZED ?
				MICE_GATE_CLOSE_EXPIRED : MICE_GATE_CLOSE_IDLE);
	} else {
		/*
		 * Filed again, still open: GATE_GET dumps walk the GateID
		 * table, not the wheel, so the set they see is unchanged.
		 */
		mice_gate_timer_add(gn, g);
	}
}

static void mice_gate_gc(struct work_struct *work)
{
	struct mice_gate_net *gn = container_of(to_delayed_work(work),
						struct mice_gate_net, gc);

	mutex_lock(&gn->lock);
	mice_gate_wheel_run(gn, &gn->gate_wheel, mice_gate_fire);
	mice_gate_wheel_run(gn, &gn->used_wheel, mice_gate_used_fire);
	if (gn->ngates || gn->nused)
		mice_gate_gc_arm(gn);
	mutex_unlock(&gn->lock);
}

/* --- the token key ------------------------------------------------------- */

void mice_gate_key_free(struct mice_gate_key *key)
{
	if (!key)
		return;
	/* crypto_destroy_tfm() frees the keyed state with kfree_sensitive. */
	if (!IS_ERR_OR_NULL(key->hmac))
		crypto_free_shash(key->hmac);
	if (!IS_ERR_OR_NULL(key->sha))
		crypto_free_shash(key->sha);
	kfree_sensitive(key);
}

/**
 * mice_gate_key_set() - replace the namespace's token key
 * @gn: the namespace's gate table
 * @secret: the key
 * @len: its length in octets
 * @extack: for the reason of a refusal
 *
 * Context: process context, gn->lock held.
 * Return: 0 or a negative errno.
 */
int mice_gate_key_set(struct mice_gate_net *gn, const u8 *secret, u32 len,
		      struct netlink_ext_ack *extack)
{
	struct mice_gate_key *key;
	int err;

	lockdep_assert_held(&gn->lock);
	key = kzalloc(sizeof(*key), GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	key->hmac = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(key->hmac)) {
		err = PTR_ERR(key->hmac);
		NL_SET_ERR_MSG(extack, "the kernel has no hmac(sha256)");
		goto fail;
	}
	key->sha = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(key->sha)) {
		err = PTR_ERR(key->sha);
		NL_SET_ERR_MSG(extack, "the kernel has no sha256");
		goto fail;
	}
	err = crypto_shash_setkey(key->hmac, secret, len);
	if (err) {
		NL_SET_ERR_MSG(extack, "hmac(sha256) refused the key");
		goto fail;
	}
	mice_gate_key_free(gn->key);
	gn->key = key;
	return 0;
fail:
	mice_gate_key_free(key);
	return err;
}

static int mice_gate_hmac(void *ctx, const u8 *msg, u32 len,
			  u8 out[MICE_SHA256_LEN])
{
	struct mice_gate_key *key = ctx;

	return crypto_shash_tfm_digest(key->hmac, msg, len, out);
}

static int mice_gate_sha(void *ctx, const u8 *msg, u32 len,
			 u8 out[MICE_SHA256_LEN])
{
	struct mice_gate_key *key = ctx;

	return crypto_shash_tfm_digest(key->sha, msg, len, out);
}

/* The token key's transforms as the freestanding verifier's hooks. */
static void mice_gate_token_crypto(struct mice_gate_net *gn,
				   struct mice_token_crypto *cr)
{
	cr->hmac_sha256 = mice_gate_hmac;
	cr->sha256 = mice_gate_sha;
	cr->ctx = gn->key;
}

/*
 * Verify a self-verifying token (docs/token-format.md, "Verification
 * order") in process context with gn->lock held, with the very code the
 * unit tests and fuzz_token run (kmod/token.c): hex, layout, the tag in
 * constant time, expiry against the wall clock. The classifier digest is
 * checked by mice_gate_token_check_cls() once the caller knows the
 * classifier. Returns -ENOKEY without a key, else an enum mice_token_err;
 * @t is filled once the layout parsed.
 */
int mice_gate_token_verify(struct mice_gate_net *gn, const char *hex, u32 len,
			   struct mice_token *t, u32 *err_pos)
{
	struct mice_token_crypto cr;

	lockdep_assert_held(&gn->lock);
	if (!gn->key)
		return -ENOKEY;
	mice_gate_token_crypto(gn, &cr);
	return mice_token_verify_hex(hex, len, ktime_get_real_seconds(), NULL,
				     &cr, t, err_pos);
}

/*
 * The last step of verification: does the classifier @c hash to the
 * digest in @t, a token mice_gate_token_verify() accepted under the same
 * hold of gn->lock? MICE_TOKEN_OK or an enum mice_token_err.
 */
int mice_gate_token_check_cls(struct mice_gate_net *gn,
			      const struct mice_token *t,
			      const struct mice_gate_classifier *c)
{
	struct mice_token_crypto cr;

	lockdep_assert_held(&gn->lock);
	mice_gate_token_crypto(gn, &cr);
	return mice_token_check_cls(t, c, &cr);
}

/* --- mode ----------------------------------------------------------------- */

/**
 * mice_gate_set_mode() - publish the namespace's admission mode
 * @gn: the namespace's gate table
 * @mode: the new mode; consumed, on error too
 *
 * Registers the netfilter hook the first time a mode names interfaces.
 *
 * Context: process context, gn->lock held.
 * Return: 0, or the error of registering the hook.
 */
int mice_gate_set_mode(struct mice_gate_net *gn, struct mice_gate_mode *mode)
{
	struct mice_gate_mode *old;
	int err;

	lockdep_assert_held(&gn->lock);
	if (mode->nifs && !gn->nf_registered) {
		err = mice_gate_nf_register(gn);
		if (err) {
			kfree(mode);
			return err;
		}
		gn->nf_registered = true;
	}
	/* Not a gate: gn->genid, which GATE_GET dumps check, stays. */
	old = rcu_replace_pointer(gn->mode, mode, lockdep_is_held(&gn->lock));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/* --- the data path ---------------------------------------------------------- */

/*
 * The 5-tuple of the IP packet at @nhoff from skb->data, by the parser the
 * unit tests and fuzz_gate run (kmod/gate_match.c), over its first
 * MICE_FLOW_HEAD_MAX octets: in place when they are linear, else copied by
 * skb_header_pointer(), so a paged skb is never overread nor changed.
 * Returns 0 or a positive enum mice_flow_err.
 */
static int mice_gate_skb_key(const struct sk_buff *skb, unsigned int nhoff,
			     struct mice_flow_key *k)
{
	u8 buf[MICE_FLOW_HEAD_MAX];
	u32 len, avail;
	const u8 *head;

	len = skb->len > nhoff ? skb->len - nhoff : 0;
	avail = min_t(u32, len, sizeof(buf));
	head = skb_header_pointer(skb, nhoff, avail, buf);
	if (!head)
		avail = 0;
	return mice_flow_key_parse(head, avail, len, k);
}

static void mice_gate_monitor_count(struct mice_gate_net *gn, u32 len)
{
	atomic64_inc(&gn->monitor_packets);
	atomic64_add(len, &gn->monitor_bytes);
}

/*
 * A GRO or GSO packet stands for several datagrams on the wire, and seed
 * 001 s.6.2 polices datagrams (act_police likewise charges each segment
 * with its headers): each segment carries the headers up to the end of
 * the transport header and at most gso_size octets of payload. The count
 * comes from the lengths, not from gso_segs, which a SKB_GSO_DODGY source
 * sets itself. Returns the number of segments of the IP packet of @len
 * octets at @nhoff and sets *seg_len to the largest, *wire_len to all of
 * them with their headers. A packet that is not GSO, or whose headers
 * cannot be read, is one datagram of @len octets (so the size limit
 * still refuses an aggregate it cannot measure).
 */
static u32 mice_gate_segments(const struct sk_buff *skb, unsigned int nhoff,
			      u32 len, u32 *seg_len, u64 *wire_len)
{
	unsigned int gso_size = skb_shinfo(skb)->gso_size;
	unsigned int l4off, hdr_len;
	struct tcphdr _th;
	const struct tcphdr *th;
	u8 proto, _v;
	const u8 *v;
	u32 segs;

	*seg_len = len;
	*wire_len = len;
	if (!skb_is_gso(skb) || gso_size == GSO_BY_FRAGS)
		return 1;
	v = skb_header_pointer(skb, nhoff, 1, &_v);
	if (!v)
		return 1;
	if ((*v >> 4) == 4) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
		if (!iph)
			return 1;
		proto = iph->protocol;
		l4off = nhoff + iph->ihl * 4;
	} else if ((*v >> 4) == 6) {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;
		__be16 frag_off;
		int off;

		ip6h = skb_header_pointer(skb, nhoff, sizeof(_ip6h), &_ip6h);
		if (!ip6h)
			return 1;
		proto = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, nhoff + sizeof(*ip6h), &proto,
				       &frag_off);
		if (off < 0)
			return 1;
		l4off = off;
	} else {
		return 1;
	}
	if (proto == IPPROTO_TCP) {
		th = skb_header_pointer(skb, l4off, sizeof(_th), &_th);
		if (!th)
			return 1;
		hdr_len = l4off - nhoff + th->doff * 4;
	} else if (proto == IPPROTO_UDP) {
		hdr_len = l4off - nhoff + sizeof(struct udphdr);
	} else {
		return 1;
	}
	if (hdr_len >= len)
		return 1;
	segs = DIV_ROUND_UP(len - hdr_len, gso_size);
	*seg_len = min(len, hdr_len + gso_size);
	*wire_len = len + (u64)(segs - 1) * hdr_len;
	return segs;
}

/**
 * mice_gate_check() - the admission check of one packet
 * @gn: the namespace's gate table
 * @mode: the namespace's mode, read under RCU
 * @skb: the packet
 * @nhoff: offset of its IP header in @skb
 * @dir: the direction it is seen in
 * @count_drop: count a drop in the namespace's statistics here (the mice
 *	data path counts its own)
 *
 * Gated flows are always policed; @mode decides only about packets
 * without a committed gate (monitor: count and pass).
 *
 * Context: softirq, RCU read lock held.
 * Return: MICE_REASON_NONE to let it pass, or MICE_REASON_DATA_NO_GATE or
 * MICE_REASON_DATA_POLICED.
 */
enum mice_reason mice_gate_check(struct mice_gate_net *gn,
				 const struct mice_gate_mode *mode,
				 struct sk_buff *skb, unsigned int nhoff, u8 dir,
				 bool count_drop)
{
	enum mice_police_verdict v = MICE_POLICE_PASS;
	u32 len = skb->len - nhoff;
	struct mice_gate *g = NULL;
	enum mice_reason reason;
	struct mice_flow_key k;
	bool found = false;
	u32 segs, seg_len;
	u64 wire_len;

	if (!mice_gate_skb_key(skb, nhoff, &k))
		g = mice_gate_lookup_flow(gn, &k);
	if (g) {
		segs = mice_gate_segments(skb, nhoff, len, &seg_len, &wire_len);
		spin_lock_bh(&g->lock);
		if (g->state == MICE_GATE_COMMITTED &&
		    (g->shape.dir == MICE_GATE_DIR_ANY || g->shape.dir == dir)) {
			found = true;
			v = mice_policer_admit_gso(&g->pol, ktime_get_ns(),
						   seg_len, wire_len);
			if (v == MICE_POLICE_PASS) {
				g->packets += segs;
				g->bytes += wire_len;
			} else {
				unsigned int i = v == MICE_POLICE_DROP_RATE ?
					MICE_GATE_DROP_RATE : MICE_GATE_DROP_SIZE;

				g->drop_packets[i] += segs;
				g->drop_bytes[i] += wire_len;
			}
		}
		spin_unlock_bh(&g->lock);
	}
	if (found) {
		if (v == MICE_POLICE_PASS) {
			WRITE_ONCE(g->last_used, jiffies);
			return MICE_REASON_NONE;
		}
		reason = MICE_REASON_DATA_POLICED;
	} else {
		g = NULL;
		if (mode->mode == MICE_MODE_MONITOR) {
			mice_gate_monitor_count(gn, len);
			return MICE_REASON_NONE;
		}
		reason = MICE_REASON_DATA_NO_GATE;
	}
	if (count_drop)
		mice_stats_count_drop(gn->mn->stats, reason, len);
	mice_gate_event_denied(gn, g, &k, dir, reason, len);
	return reason;
}

/* mice_dev_rcv(): inner packets from a peer travel up (seed 001 s.6.2). */
enum mice_reason mice_gate_datapath_check(struct mice_net *mn,
					  struct sk_buff *skb,
					  unsigned int nhoff)
{
	struct mice_gate_net *gn = mn->gates;
	const struct mice_gate_mode *mode;

	mode = rcu_dereference(gn->mode);
	if (!mode || !mode->datapath)
		return MICE_REASON_NONE;
	return mice_gate_check(gn, mode, skb, nhoff, MICE_GATE_DIR_UP, false);
}

/* --- /proc/net/mice/gates -------------------------------------------------- */

static const char *mice_gate_state_name(u8 state)
{
	switch (state) {
	case MICE_GATE_AUTHORIZED:
		return "authorized";
	case MICE_GATE_COMMITTED:
		return "committed";
	case MICE_GATE_CLOSED:
		return "closed";
	}
	return "?";
}

static const char *mice_gate_proto_name(u8 proto)
{
	switch (proto) {
	case MICE_GATE_PROTO_UDP:
		return "udp";
	case MICE_GATE_PROTO_TCP:
		return "tcp";
	}
	return "any";
}

static const char *mice_gate_dir_name(u8 dir)
{
	switch (dir) {
	case MICE_GATE_DIR_UP:
		return "up";
	case MICE_GATE_DIR_DOWN:
		return "down";
	}
	return "any";
}

static void mice_gate_proc_prefix(struct seq_file *seq,
				  const struct mice_gate_prefix *p)
{
	if (p->family == MICE_AF_INET)
		seq_printf(seq, "%pI4/%u", p->addr, p->len);
	else if (p->family == MICE_AF_INET6)
		seq_printf(seq, "%pI6c/%u", p->addr, p->len);
	else
		seq_puts(seq, "any");
}

static void mice_gate_proc_addr(struct seq_file *seq, u8 family, const u8 *a)
{
	if (family == MICE_AF_INET)
		seq_printf(seq, "%pI4", a);
	else
		seq_printf(seq, "[%pI6c]", a);
}

/* The first line: the namespace's mode and counts. RCU read lock held. */
static void mice_gate_proc_header(struct seq_file *seq,
				  struct mice_gate_net *gn)
{
	const struct mice_gate_mode *mode;
	unsigned int i;

	mode = rcu_dereference(gn->mode);
	seq_printf(seq, "mode %s datapath %s gates %u max_gates %u monitor_passed %lld %lld interfaces",
		   mode->mode == MICE_MODE_ENFORCE ? "enforce" : "monitor",
		   mode->datapath ? "on" : "off", READ_ONCE(gn->ngates),
		   READ_ONCE(gn->max_gates),
		   (long long)atomic64_read(&gn->monitor_packets),
		   (long long)atomic64_read(&gn->monitor_bytes));
	if (!mode->nifs)
		seq_puts(seq, " -");
	for (i = 0; i < mode->nifs; i++)
		seq_printf(seq, "%s%d:%s", i ? "," : " ", mode->ifs[i].ifindex,
			   mice_gate_dir_name(mode->ifs[i].dir));
	seq_puts(seq, "\nid state proto dir src dst sport dport flow rate burst max_packet packets bytes "
		 "drop_rate drop_size remaining verified\n");
}

/*
 * One gate's line, read under RCU without gn->lock: what a line shows is
 * copied under the gate's own lock, which its state, its classifier or
 * flow (mice_gate_commit()) and its counters change under. A gate closed
 * meanwhile is skipped.
 */
static int mice_gate_proc_line(struct seq_file *seq, struct mice_gate *g)
{
	u64 packets, bytes, dp[__MICE_GATE_DROP_MAX];
	struct mice_flow_key flow = {};
	struct mice_gate_classifier cls;
	u32 rate, burst, max_packet, remaining;
	bool verified;
	u8 state;

	spin_lock_bh(&g->lock);
	state = g->state;
	verified = g->verified;
	mice_gate_get_cls(g, &cls);
	if (g->bound)
		flow = g->flow;
	rate = g->pol.rate;
	burst = g->pol.burst;
	max_packet = g->pol.max_packet;
	packets = g->packets;
	bytes = g->bytes;
	memcpy(dp, g->drop_packets, sizeof(dp));
	remaining = mice_gate_remaining(g);
	spin_unlock_bh(&g->lock);
	if (state == MICE_GATE_CLOSED)
		return SEQ_SKIP;

	seq_printf(seq, "%u %s %s %s ", g->id, mice_gate_state_name(state),
		   mice_gate_proto_name(cls.proto), mice_gate_dir_name(cls.dir));
	mice_gate_proc_prefix(seq, &cls.src);
	seq_putc(seq, ' ');
	mice_gate_proc_prefix(seq, &cls.dst);
	seq_printf(seq, " %u-%u %u-%u ", cls.sport.lo, cls.sport.hi,
		   cls.dport.lo, cls.dport.hi);
	if (state == MICE_GATE_COMMITTED) {
		mice_gate_proc_addr(seq, flow.family, flow.src);
		seq_printf(seq, ":%u>", flow.sport);
		mice_gate_proc_addr(seq, flow.family, flow.dst);
		seq_printf(seq, ":%u", flow.dport);
	} else {
		seq_putc(seq, '-');
	}
	seq_printf(seq, " %u %u %u %llu %llu %llu %llu %u %s\n",
		   rate, burst, max_packet, packets, bytes,
		   dp[MICE_GATE_DROP_RATE], dp[MICE_GATE_DROP_SIZE], remaining,
		   verified ? "yes" : "no");
	return 0;
}

/*
 * /proc/net/mice/gates walks the GateID table with an rhashtable walker
 * that lives as long as the open file, so each read() continues where the
 * last one stopped: a million gates list in one pass, a page at a time.
 * The walk runs under RCU only and never takes gn->lock, so no reader,
 * however far into the file it reads, holds up GATE_ADD, GATE_COMMIT or
 * the expiry run. Gates added or closed during a listing may be missed
 * or, across a table resize, listed twice, as in any walk of a live table.
 */
struct mice_gate_seq {
	/*
	 * No reference: removing the proc entry at netns exit runs every
	 * open file's release first (proc_entry_rundown), before @gn goes.
	 */
	struct mice_gate_net *gn;
	struct rhashtable_iter iter;
	loff_t next_pos;		/* the position @iter stands at */
	unsigned int walked;		/* gates since the last reschedule */
};

static struct mice_gate_net *mice_gate_seq_gn(struct seq_file *seq)
{
	return ((struct mice_gate_seq *)seq->private)->gn;
}

/*
 * The walker's current gate (@advance: the one after it), past table
 * resizes (-EAGAIN: walk on), or NULL at the end. Between
 * rhashtable_walk_start() and _stop(), that is under RCU (the GATE_GET
 * dump holds gn->lock as well).
 */
struct mice_gate *mice_gate_walk(struct rhashtable_iter *iter, bool advance)
{
	struct mice_gate *g;

	g = advance ? rhashtable_walk_next(iter) : rhashtable_walk_peek(iter);
	while (IS_ERR(g) && PTR_ERR(g) == -EAGAIN)
		g = rhashtable_walk_next(iter);
	return IS_ERR(g) ? NULL : g;
}

/*
 * Gates walked between two reschedule points. A read far into the file
 * formats every gate up to there (seq_file's traverse()); the walker
 * leaves the RCU read side now and then so that it yields the CPU.
 */
#define MICE_GATE_SEEK_BATCH	1024

/* @g, or the gate after it if it went meanwhile, after a reschedule. */
static struct mice_gate *mice_gate_seq_breathe(struct mice_gate_seq *st,
					       struct mice_gate *g)
{
	if (!g || ++st->walked < MICE_GATE_SEEK_BATCH)
		return g;
	st->walked = 0;
	rhashtable_walk_stop(&st->iter);
	cond_resched();
	rhashtable_walk_start(&st->iter);
	return mice_gate_walk(&st->iter, false);
}

static void *mice_gate_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct mice_gate_seq *st = seq->private;
	struct mice_gate_net *gn = mice_gate_seq_gn(seq);
	struct mice_gate *g;
	loff_t skip;

	if (*pos != st->next_pos) {
		/* Read from elsewhere (a seek): walk again from the start. */
		rhashtable_walk_exit(&st->iter);
		rhashtable_walk_enter(&gn->by_id, &st->iter);
		st->next_pos = 0;
	}
	rhashtable_walk_start(&st->iter);
	if (!*pos)
		return SEQ_START_TOKEN;
	g = mice_gate_walk(&st->iter, false);
	for (skip = st->next_pos ? 0 : *pos - 1; g && skip; skip--)
		g = mice_gate_seq_breathe(st, mice_gate_walk(&st->iter, true));
	st->next_pos = *pos;
	return g;
}

static void *mice_gate_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct mice_gate_seq *st = seq->private;
	struct mice_gate *g;

	/* After the header the walker has not moved yet: its first gate. */
	g = mice_gate_walk(&st->iter, v != SEQ_START_TOKEN);
	st->next_pos = ++*pos;
	return mice_gate_seq_breathe(st, g);
}

static void mice_gate_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	struct mice_gate_seq *st = seq->private;

	rhashtable_walk_stop(&st->iter);
}

static int mice_gate_seq_show(struct seq_file *seq, void *v)
{
	if (v == SEQ_START_TOKEN) {
		mice_gate_proc_header(seq, mice_gate_seq_gn(seq));
		return 0;
	}
	return mice_gate_proc_line(seq, v);
}

static const struct seq_operations mice_gate_seq_ops = {
	.start = mice_gate_seq_start,
	.next = mice_gate_seq_next,
	.stop = mice_gate_seq_stop,
	.show = mice_gate_seq_show,
};

static int mice_gate_proc_open(struct inode *inode, struct file *file)
{
	struct mice_gate_seq *st;

	st = __seq_open_private(file, &mice_gate_seq_ops, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->gn = pde_data(inode);
	rhashtable_walk_enter(&st->gn->by_id, &st->iter);
	return 0;
}

static int mice_gate_proc_release(struct inode *inode, struct file *file)
{
	struct mice_gate_seq *st = ((struct seq_file *)file->private_data)->private;

	rhashtable_walk_exit(&st->iter);
	return seq_release_private(inode, file);
}

static const struct proc_ops mice_gate_proc_ops = {
	.proc_open = mice_gate_proc_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = mice_gate_proc_release,
};

/* --- /proc/net/mice/tokens: the replay cache --------------------------- */

/* One line; read without gn->lock (docs/proc.md). */
static int mice_gate_tokens_show(struct seq_file *seq, void *v)
{
	struct mice_gate_net *gn = seq->private;

	seq_printf(seq, "used %u max_used %u max_lifetime %u refused_lifetime %llu refused_full %llu\n",
		   READ_ONCE(gn->nused), mice_gate_used_limit(),
		   mice_gate_lifetime_limit(),
		   READ_ONCE(gn->used_refused_lifetime),
		   READ_ONCE(gn->used_refused_full));
	return 0;
}

/* --- per-netns life cycle ---------------------------------------------- */

int mice_gate_net_init(struct mice_net *mn)
{
	struct mice_gate_net *gn;
	struct mice_gate_mode *mode;
	int err = -ENOMEM;

	gn = kzalloc(sizeof(*gn), GFP_KERNEL);
	mode = kzalloc(sizeof(*mode), GFP_KERNEL);
	if (!gn || !mode)
		goto free;
	err = rhashtable_init(&gn->by_id, &mice_gate_id_params);
	if (err)
		goto free;
	err = rhashtable_init(&gn->by_flow, &mice_gate_flow_params);
	if (err)
		goto free_id;
	err = rhashtable_init(&gn->used, &mice_gate_used_params);
	if (err)
		goto free_flow;
	gn->mn = mn;
	mutex_init(&gn->lock);
	mice_gate_wheel_init(&gn->gate_wheel);
	mice_gate_wheel_init(&gn->used_wheel);
	INIT_LIST_HEAD(&gn->untimed);
	gn->max_gates = clamp_t(unsigned int, READ_ONCE(max_gates), 1,
				MICE_MAX_GATES_LIMIT);
	gn->ev_window = jiffies;
	INIT_DELAYED_WORK(&gn->gc, mice_gate_gc);
	mode->mode = MICE_MODE_ENFORCE;
	RCU_INIT_POINTER(gn->mode, mode);
	err = -ENOMEM;
	/* Root only, as the rest of /proc/net/mice (proc.c). */
	if (!proc_create_data("gates", 0400, mn->proc_dir, &mice_gate_proc_ops,
			      gn))
		goto free_used;
	if (!proc_create_single_data("tokens", 0400, mn->proc_dir,
				     mice_gate_tokens_show, gn)) {
		remove_proc_entry("gates", mn->proc_dir);
		goto free_used;
	}
	mn->gates = gn;
	return 0;
free_used:
	rhashtable_destroy(&gn->used);
free_flow:
	rhashtable_destroy(&gn->by_flow);
free_id:
	rhashtable_destroy(&gn->by_id);
free:
	kfree(mode);
	kfree(gn);
	return err;
}

/* Close every gate, forget every token, stop the hook and the timer. */
void mice_gate_net_pre_exit(struct mice_net *mn)
{
	struct mice_gate_net *gn = mn->gates;
	struct mice_gate_used *u, *utmp;
	struct mice_gate *g, *tmp;
	unsigned int i;

	/*
	 * Up to a million gates: yield between them. The netns exit runs in
	 * process context and gn->lock is a mutex, so this may sleep.
	 */
	mutex_lock(&gn->lock);
	gn->dying = true;
	for (i = 0; i < MICE_GATE_WHEEL_SLOTS; i++) {
		list_for_each_entry_safe(g, tmp, &gn->gate_wheel.slot[i], timer) {
			mice_gate_close(gn, g, MICE_GATE_CLOSE_NETNS);
			cond_resched();
		}
		list_for_each_entry_safe(u, utmp, &gn->used_wheel.slot[i], timer) {
			mice_gate_used_del(gn, u);
			cond_resched();
		}
	}
	list_for_each_entry_safe(g, tmp, &gn->untimed, timer) {
		mice_gate_close(gn, g, MICE_GATE_CLOSE_NETNS);
		cond_resched();
	}
	mutex_unlock(&gn->lock);
	cancel_delayed_work_sync(&gn->gc);
	if (gn->nf_registered) {
		mice_gate_nf_unregister(gn);
		gn->nf_registered = false;
	}
}

/* After a grace period: no reader is left. */
void mice_gate_net_exit(struct mice_net *mn)
{
	struct mice_gate_net *gn = mn->gates;

	remove_proc_entry("tokens", mn->proc_dir);
	remove_proc_entry("gates", mn->proc_dir);
	rhashtable_destroy(&gn->used);
	rhashtable_destroy(&gn->by_flow);
	rhashtable_destroy(&gn->by_id);
	kfree(rcu_dereference_protected(gn->mode, true));
	mice_gate_key_free(gn->key);
	mutex_destroy(&gn->lock);
	kfree(gn);
	mn->gates = NULL;
}
