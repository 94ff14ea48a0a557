// SPDX-License-Identifier: GPL-2.0
/*
 * Longest-prefix-match trie of inner destinations (design in lpm.h).
 *
 * Freestanding: this file includes only lpm.h and is compiled unchanged by
 * the kernel module, the userspace unit tests and the fuzzer.
 *
 * Shape invariant, kept by every writer and checked by the fuzzer: a child
 * in slot b of node n has a longer prefix than n, starts with n's prefix,
 * and has bit b at position n->len; a node without a value has two
 * children. So at most 2 * prefixes - 1 nodes exist per family.
 */
#include "lpm.h"

static inline unsigned int mice_lpm_bit(const u8 *key, unsigned int i)
{
	return (key[i / 8] >> (7 - i % 8)) & 1;
}

/* Length of the common prefix of @a and @b, at most @max bits. */
static unsigned int mice_lpm_common(const u8 *a, const u8 *b,
				    unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; n < max; i++, n += 8) {
		u8 x = a[i] ^ b[i];

		if (x) {
			n += (unsigned int)__builtin_clz(x) - 24;
			break;
		}
	}
	return n < max ? n : max;
}

/* Does the prefix of @n hold @addr? */
static inline bool mice_lpm_holds(const struct mice_lpm_node *n,
				  const u8 *addr)
{
	unsigned int full = n->len / 8, rest = n->len % 8, i;

	for (i = 0; i < full; i++)
		if (n->key[i] != addr[i])
			return false;
	return !rest || !((n->key[full] ^ addr[full]) & (u8)(0xff00 >> rest));
}

static struct mice_lpm_node *mice_lpm_new(struct mice_lpm *t, const u8 *key,
					  unsigned int bits, u8 len,
					  void *value)
{
	struct mice_lpm_node *n = mice_lpm_node_alloc();
	unsigned int i;

	if (!n)
		return NULL;
	n->child[0] = NULL;
	n->child[1] = NULL;
	n->value = value;
	n->len = len;
	for (i = 0; i < 16; i++) {
		unsigned int first = i * 8;

		if (i >= bits / 8 || first >= len)
			n->key[i] = 0;
		else if (first + 8 <= len)
			n->key[i] = key[i];
		else
			n->key[i] = key[i] & (u8)(0xff00 >> (len - first));
	}
	t->nodes++;
	return n;
}

static struct mice_lpm_node **mice_lpm_root(struct mice_lpm *t,
					    unsigned int bits)
{
	return &t->root[bits == MICE_LPM_V6_BITS];
}

enum mice_lpm_result mice_lpm_insert(struct mice_lpm *t, unsigned int bits,
				     const u8 *key, u8 len, void *value)
{
	struct mice_lpm_node **slot = mice_lpm_root(t, bits);
	struct mice_lpm_node *n, *leaf, *fork;
	unsigned int common;

	if (len > bits || !value)
		return MICE_LPM_BAD_LENGTH;
	for (;;) {
		n = *slot;
		if (!n)
			break;
		common = mice_lpm_common(n->key, key, n->len < len ? n->len : len);
		if (common == n->len && common == len) {
			/* This very prefix: a branching node takes the value. */
			if (n->value)
				return n->value == value ? MICE_LPM_PRESENT :
							   MICE_LPM_TAKEN;
			MICE_LPM_PUBLISH(n->value, value);
			t->prefixes++;
			return MICE_LPM_ADDED;
		}
		if (common < n->len)
			break;
		/* n's prefix holds the new one: go down. */
		slot = &n->child[mice_lpm_bit(key, n->len)];
	}

	leaf = mice_lpm_new(t, key, bits, len, value);
	if (!leaf)
		return MICE_LPM_NOMEM;
	if (n) {
		if (common == len) {
			/* The new prefix holds n: it takes n's place. */
			leaf->child[mice_lpm_bit(n->key, len)] = n;
		} else {
			/* They part at bit @common: a branching node joins them. */
			fork = mice_lpm_new(t, key, bits, (u8)common, NULL);
			if (!fork) {
				t->nodes--;
				mice_lpm_node_retire(leaf);
				return MICE_LPM_NOMEM;
			}
			fork->child[mice_lpm_bit(key, common)] = leaf;
			fork->child[mice_lpm_bit(n->key, common)] = n;
			leaf = fork;
		}
	}
	MICE_LPM_PUBLISH(*slot, leaf);
	t->prefixes++;
	return MICE_LPM_ADDED;
}

/* Replace @n, which has at most one child, by that child in @slot. */
static void mice_lpm_unlink(struct mice_lpm *t, struct mice_lpm_node **slot,
			    struct mice_lpm_node *n)
{
	MICE_LPM_PUBLISH(*slot, n->child[0] ? n->child[0] : n->child[1]);
	t->nodes--;
	mice_lpm_node_retire(n);
}

enum mice_lpm_result mice_lpm_remove(struct mice_lpm *t, unsigned int bits,
				     const u8 *key, u8 len, const void *value)
{
	struct mice_lpm_node **slot = mice_lpm_root(t, bits), **parent_slot = NULL;
	struct mice_lpm_node *n, *parent = NULL;

	if (len > bits)
		return MICE_LPM_BAD_LENGTH;
	for (;;) {
		n = *slot;
		if (!n || n->len > len || !mice_lpm_holds(n, key))
			return MICE_LPM_ABSENT;
		if (n->len == len)
			break;
		parent_slot = slot;
		parent = n;
		slot = &n->child[mice_lpm_bit(key, n->len)];
	}
	if (!n->value || n->value != value)
		return MICE_LPM_ABSENT;

	MICE_LPM_PUBLISH(n->value, NULL);
	t->prefixes--;
	if (n->child[0] && n->child[1])
		return MICE_LPM_REMOVED;	/* it branches on */
	mice_lpm_unlink(t, slot, n);
	/* A branching parent left with one child is no longer needed. */
	if (parent && !parent->value &&
	    !(parent->child[0] && parent->child[1]))
		mice_lpm_unlink(t, parent_slot, parent);
	return MICE_LPM_REMOVED;
}

void *mice_lpm_exact(const struct mice_lpm *t, unsigned int bits,
		     const u8 *key, u8 len)
{
	const struct mice_lpm_node *n = t->root[bits == MICE_LPM_V6_BITS];

	if (len > bits)
		return NULL;
	while (n && n->len <= len && mice_lpm_holds(n, key)) {
		if (n->len == len)
			return n->value;
		n = n->child[mice_lpm_bit(key, n->len)];
	}
	return NULL;
}

void *mice_lpm_lookup(const struct mice_lpm *t, unsigned int bits,
		      const u8 *addr)
{
	const struct mice_lpm_node *n;
	void *best = NULL, *v;

	n = MICE_LPM_READ(t->root[bits == MICE_LPM_V6_BITS]);
	while (n && mice_lpm_holds(n, addr)) {
		v = MICE_LPM_READ(n->value);
		if (v)
			best = v;
		if (n->len >= bits)
			break;
		n = MICE_LPM_READ(n->child[mice_lpm_bit(addr, n->len)]);
	}
	return best;
}
