/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Longest-prefix-match table of inner destinations to peers (kmod/lpm.c).
 *
 * One binary trie per address family with path compression: a node holds
 * a prefix (its key, cut to @len bits) and either a value (a peer) or none
 * (a branching node that joins two subtries). Every child extends its
 * parent's prefix and its first bit after the parent's prefix chooses its
 * slot, so a lookup follows at most one path of at most 33 or 129 nodes
 * whatever the number of prefixes; in practice the depth grows like log2
 * of the number of prefixes. The design is that of WireGuard's allowedips
 * (a path-compressed binary trie walked under RCU), written anew.
 *
 * Concurrency: one writer at a time (the caller's lock), readers without
 * locks. A writer fully builds a node before publishing it with
 * MICE_LPM_PUBLISH; it never changes the prefix of a published node and it
 * hands a node it unlinks to mice_lpm_node_retire(), which in the kernel
 * frees it only after an RCU grace period. So a reader sees either the old
 * or the new path, each of them consistent.
 *
 * The file is freestanding (docs/hacking.md): it is compiled unchanged by
 * the module, the unit tests (tests/unit/test_lpm.c) and the fuzzer
 * (tests/fuzz/fuzz_lpm.c). Each of them defines the two memory hooks below.
 */
#ifndef MICE_LPM_H
#define MICE_LPM_H

#include "freestanding.h"

#ifdef __KERNEL__
#include <linux/rcupdate.h>
/* Readers hold rcu_read_lock(); the writer holds its lock (mn->lock). */
#define MICE_LPM_PUBLISH(slot, v)	rcu_assign_pointer(slot, v)
#define MICE_LPM_READ(slot)		rcu_dereference_raw(slot)
#else
#define MICE_LPM_PUBLISH(slot, v)	__atomic_store_n(&(slot), (v), __ATOMIC_RELEASE)
#define MICE_LPM_READ(slot)		__atomic_load_n(&(slot), __ATOMIC_ACQUIRE)
#endif

#define MICE_LPM_V4_BITS	32
#define MICE_LPM_V6_BITS	128

struct mice_lpm_node {
	struct mice_lpm_node *child[2];
	void *value;			/* NULL: a branching node */
	u8 len;				/* prefix length in bits */
	u8 key[16];			/* the prefix; bits past @len are 0 */
};

struct mice_lpm {
	struct mice_lpm_node *root[2];	/* [0] IPv4, [1] IPv6 */
	u32 nodes;			/* allocated, branching ones included */
	u32 prefixes;			/* nodes with a value */
};

enum mice_lpm_result {
	MICE_LPM_ADDED,		/* insert: the prefix is new */
	MICE_LPM_PRESENT,	/* insert: it already maps to this value */
	MICE_LPM_TAKEN,		/* insert: it maps to another value; unchanged */
	MICE_LPM_NOMEM,		/* insert: no node; unchanged */
	MICE_LPM_REMOVED,	/* remove: done */
	MICE_LPM_ABSENT,	/* remove: not there with this value; unchanged */
	MICE_LPM_BAD_LENGTH,	/* a length past the family's bits; unchanged */
};

/*
 * Memory hooks each user defines. alloc returns a node (contents
 * undefined) or NULL; retire frees one that readers may still see, once
 * they cannot (the kernel: after an RCU grace period).
 */
struct mice_lpm_node *mice_lpm_node_alloc(void);
void mice_lpm_node_retire(struct mice_lpm_node *node);

/*
 * @bits: MICE_LPM_V4_BITS or MICE_LPM_V6_BITS; @key: 4 or 16 octets, bits
 * past @len ignored. Writers: called under the table's lock.
 */
enum mice_lpm_result mice_lpm_insert(struct mice_lpm *t, unsigned int bits,
				     const u8 *key, u8 len, void *value);
enum mice_lpm_result mice_lpm_remove(struct mice_lpm *t, unsigned int bits,
				     const u8 *key, u8 len, const void *value);
/* The value of exactly this prefix, or NULL. Writers only. */
void *mice_lpm_exact(const struct mice_lpm *t, unsigned int bits,
		     const u8 *key, u8 len);
/* The value of the longest prefix holding @addr, or NULL. Readers. */
void *mice_lpm_lookup(const struct mice_lpm *t, unsigned int bits,
		      const u8 *addr);

#endif /* MICE_LPM_H */
