/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the tests of kmod/lpm.c: userspace memory hooks (with an injectable
 * allocation failure), a brute-force reference table and a checker of the
 * trie's shape invariants (kmod/lpm.c). Header-only: one includer per
 * program.
 */
#ifndef MICE_TEST_LPM_REF_H
#define MICE_TEST_LPM_REF_H

#include <stdlib.h>
#include <string.h>

#include "lpm.h"

/* >= 0: allocations that succeed before every further one fails. */
static long lpm_alloc_budget = -1;
static long lpm_live_nodes;

struct mice_lpm_node *mice_lpm_node_alloc(void)
{
	struct mice_lpm_node *n;

	if (lpm_alloc_budget == 0)
		return NULL;
	if (lpm_alloc_budget > 0)
		lpm_alloc_budget--;
	n = malloc(sizeof(*n));
	if (n) {
		memset(n, 0xa5, sizeof(*n));	/* contents are undefined */
		lpm_live_nodes++;
	}
	return n;
}

void mice_lpm_node_retire(struct mice_lpm_node *node)
{
	lpm_live_nodes--;
	free(node);
}

struct ref_entry {
	unsigned int bits;
	u8 len;
	u8 key[16];
	void *value;
};

struct ref_table {
	struct ref_entry *e;
	size_t n, cap;
};

static void ref_mask(u8 *out, const u8 *key, unsigned int bits, u8 len)
{
	unsigned int i;

	memset(out, 0, 16);
	for (i = 0; i < bits; i++)
		if (i < len && (key[i / 8] & (0x80 >> (i % 8))))
			out[i / 8] |= (u8)(0x80 >> (i % 8));
}

static int ref_holds(const struct ref_entry *e, unsigned int bits,
		     const u8 *addr)
{
	u8 m[16];

	if (e->bits != bits)
		return 0;
	ref_mask(m, addr, bits, e->len);
	return !memcmp(m, e->key, 16);
}

static struct ref_entry *ref_find(struct ref_table *r, unsigned int bits,
				  const u8 *key, u8 len)
{
	u8 m[16];
	size_t i;

	ref_mask(m, key, bits, len);
	for (i = 0; i < r->n; i++)
		if (r->e[i].bits == bits && r->e[i].len == len &&
		    !memcmp(r->e[i].key, m, 16))
			return &r->e[i];
	return NULL;
}

/* What mice_lpm_insert must answer; applies it to @r. */
static enum mice_lpm_result ref_insert(struct ref_table *r, unsigned int bits,
				       const u8 *key, u8 len, void *value)
{
	struct ref_entry *e = ref_find(r, bits, key, len);

	if (len > bits)
		return MICE_LPM_BAD_LENGTH;
	if (e)
		return e->value == value ? MICE_LPM_PRESENT : MICE_LPM_TAKEN;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->e = realloc(r->e, r->cap * sizeof(*r->e));
		if (!r->e)
			abort();
	}
	e = &r->e[r->n++];
	e->bits = bits;
	e->len = len;
	ref_mask(e->key, key, bits, len);
	e->value = value;
	return MICE_LPM_ADDED;
}

static inline void ref_undo_insert(struct ref_table *r)
{
	r->n--;
}

static enum mice_lpm_result ref_remove(struct ref_table *r, unsigned int bits,
				       const u8 *key, u8 len, void *value)
{
	struct ref_entry *e = ref_find(r, bits, key, len);

	if (len > bits)
		return MICE_LPM_BAD_LENGTH;
	if (!e || e->value != value)
		return MICE_LPM_ABSENT;
	*e = r->e[--r->n];
	return MICE_LPM_REMOVED;
}

static void *ref_lookup(const struct ref_table *r, unsigned int bits,
			const u8 *addr)
{
	const struct ref_entry *best = NULL;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (ref_holds(&r->e[i], bits, addr) &&
		    (!best || r->e[i].len > best->len))
			best = &r->e[i];
	return best ? best->value : NULL;
}

/*
 * Walks a subtrie checking the invariants of kmod/lpm.c; counts its nodes
 * and values. Returns 0 when something is wrong.
 */
static int lpm_check_node(const struct mice_lpm_node *n, unsigned int bits,
			  int parent_len, const u8 *parent_key, int slot,
			  size_t *nodes, size_t *values)
{
	u8 m[16];
	int b;

	if (!n)
		return 1;
	++*nodes;
	*values += !!n->value;
	if (n->len > bits || (int)n->len <= parent_len)
		return 0;
	ref_mask(m, n->key, bits, n->len);
	if (memcmp(m, n->key, 16))
		return 0;			/* bits past len not clear */
	if (parent_len >= 0) {
		ref_mask(m, n->key, bits, (u8)parent_len);
		if (memcmp(m, parent_key, 16))
			return 0;		/* does not extend its parent */
		b = (n->key[parent_len / 8] >> (7 - parent_len % 8)) & 1;
		if (b != slot)
			return 0;		/* in the wrong slot */
	}
	if (!n->value && !(n->child[0] && n->child[1]))
		return 0;			/* a useless branching node */
	return lpm_check_node(n->child[0], bits, n->len, n->key, 0, nodes, values) &&
	       lpm_check_node(n->child[1], bits, n->len, n->key, 1, nodes, values);
}

static int lpm_check(const struct mice_lpm *t)
{
	size_t nodes = 0, values = 0;

	if (!lpm_check_node(t->root[0], MICE_LPM_V4_BITS, -1, NULL, 0, &nodes, &values) ||
	    !lpm_check_node(t->root[1], MICE_LPM_V6_BITS, -1, NULL, 0, &nodes, &values))
		return 0;
	return nodes == t->nodes && values == t->prefixes &&
	       (long)nodes == lpm_live_nodes;
}

#endif /* MICE_TEST_LPM_REF_H */
