// SPDX-License-Identifier: GPL-2.0
/* ICE check list formation and pair states; see checklist.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"

uint64_t cl_pair_priority(uint32_t g, uint32_t d)
{
	/* RFC 8445 s.6.1.2.3, G = controlling's, D = controlled's priority. */
	uint64_t mn = g < d ? g : d, mx = g > d ? g : d;

	return (mn << 32) + 2 * mx + (g > d ? 1 : 0);
}

const char *cl_state_name(enum cl_state s)
{
	switch (s) {
	case CL_FROZEN:		return "frozen";
	case CL_WAITING:	return "waiting";
	case CL_IN_PROGRESS:	return "in-progress";
	case CL_SUCCEEDED:	return "succeeded";
	case CL_FAILED:		return "failed";
	}
	return "unknown";
}

int cl_init(struct checklist *cl, const struct cl_config *cfg)
{
	memset(cl, 0, sizeof(*cl));
	cl->cfg = *cfg;
	if (cl->cfg.max_pairs == 0)
		cl->cfg.max_pairs = CL_DEFAULT_MAX_PAIRS;
	if (cl->cfg.max_pairs > CL_HARD_MAX_PAIRS)
		cl->cfg.max_pairs = CL_HARD_MAX_PAIRS;
	cl->next_id = 1;
	cl->next_prflx = 1;
	cl->pairs = calloc(cl->cfg.max_pairs, sizeof(*cl->pairs));
	return cl->pairs ? 0 : -1;
}

void cl_free(struct checklist *cl)
{
	free(cl->pairs);
	memset(cl, 0, sizeof(*cl));
}

static uint64_t pair_prio(const struct checklist *cl, uint32_t local,
			  uint32_t remote)
{
	return cl->cfg.controlling ? cl_pair_priority(local, remote)
				   : cl_pair_priority(remote, local);
}

/* Transport address of a local candidate's base (s.5.1.1.1). */
static const struct ice_addr *local_base(const struct ice_cand *c)
{
	return c->base.family ? &c->base : &c->addr;
}

static bool can_pair(const struct ice_cand *l, const struct ice_cand *r)
{
	/* RFC 8445 s.6.1.2.2 */
	if (l->component != r->component || l->addr.family != r->addr.family)
		return false;
	return ice_addr_is_v6_linklocal(&l->addr) ==
	       ice_addr_is_v6_linklocal(&r->addr);
}

struct tmp_pair {
	uint64_t prio;
	unsigned int l, r;
};

static int tmp_cmp(const void *a, const void *b)
{
	const struct tmp_pair *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	if (x->l != y->l)
		return x->l < y->l ? -1 : 1;
	return x->r < y->r ? -1 : x->r > y->r;
}

/* Fills in missing foundations of @c[0..n) (keys of s.5.1.1.3). */
static void derive_foundations(struct ice_cand *c, unsigned int n, char pfx)
{
	unsigned int i, j, next = 1;

	for (i = 0; i < n; i++) {
		if (c[i].foundation[0])
			continue;
		for (j = 0; j < i; j++) {
			if (ice_foundation_match(&c[j], &c[i]) &&
			    c[j].foundation[0] == pfx) {
				memcpy(c[i].foundation, c[j].foundation,
				       sizeof(c[i].foundation));
				break;
			}
		}
		if (j == i)
			snprintf(c[i].foundation, sizeof(c[i].foundation),
				 "%c%u", pfx, next++);
	}
}

static void set_foundation(struct cl_pair *p)
{
	snprintf(p->foundation, sizeof(p->foundation), "%s:%s",
		 p->local.foundation, p->remote.foundation);
}

/* s.6.1.2.4: a server-reflexive local is replaced by its base. */
static void replace_by_base(struct ice_cand *out, const struct ice_cand *l,
			    const struct ice_cand *local, unsigned int n_local)
{
	unsigned int i;

	*out = *l;
	if (l->type != ICE_CAND_SRFLX && l->type != ICE_CAND_PRFLX) {
		if (!out->base.family)
			out->base = out->addr;
		return;
	}
	for (i = 0; i < n_local; i++) {
		if (local[i].type == ICE_CAND_HOST &&
		    ice_addr_eq(&local[i].addr, local_base(l))) {
			*out = local[i];
			if (!out->base.family)
				out->base = out->addr;
			return;
		}
	}
	/* No host candidate for the base in the set: synthesize it. */
	out->type = ICE_CAND_HOST;
	out->addr = *local_base(l);
	out->base = out->addr;
	memset(&out->rel, 0, sizeof(out->rel));
	memset(&out->server, 0, sizeof(out->server));
}

static void initial_states(struct checklist *cl)
{
	unsigned int i, j;

	for (i = 0; i < cl->n; i++)
		cl->pairs[i].state = cl->cfg.use_frozen ? CL_FROZEN
							: CL_WAITING;
	if (!cl->cfg.use_frozen)
		return;		/* seed 004 s.1.4 */
	/*
	 * RFC 8445 s.6.1.2.6: per foundation, the pair with the lowest
	 * component ID (ties: highest priority) goes Waiting. The list is in
	 * priority order, so the first pair seen of a component wins ties.
	 */
	for (i = 0; i < cl->n; i++) {
		struct cl_pair *best = &cl->pairs[i];
		bool done = false;

		for (j = 0; j < i; j++) {
			if (!strcmp(cl->pairs[j].foundation, best->foundation)) {
				done = true;	/* foundation handled already */
				break;
			}
		}
		if (done)
			continue;
		for (j = i + 1; j < cl->n; j++) {
			if (!strcmp(cl->pairs[j].foundation,
				    best->foundation) &&
			    cl->pairs[j].local.component <
				    best->local.component)
				best = &cl->pairs[j];
		}
		best->state = CL_WAITING;
	}
}

int cl_form(struct checklist *cl, const struct ice_cand *local,
	    unsigned int n_local, const struct ice_cand *remote,
	    unsigned int n_remote)
{
	struct ice_cand *lc = NULL, *rc = NULL;
	struct tmp_pair *tp = NULL;
	size_t nt = 0, i, j;
	int ret = -1;

	cl->n = 0;
	lc = calloc(n_local ? n_local : 1, sizeof(*lc));
	rc = calloc(n_remote ? n_remote : 1, sizeof(*rc));
	tp = calloc(n_local && n_remote ? (size_t)n_local * n_remote : 1,
		    sizeof(*tp));
	if (!lc || !rc || !tp)
		goto out;
	if (n_local)
		memcpy(lc, local, n_local * sizeof(*lc));
	if (n_remote)
		memcpy(rc, remote, n_remote * sizeof(*rc));
	derive_foundations(lc, n_local, 'L');
	derive_foundations(rc, n_remote, 'R');

	for (i = 0; i < n_local; i++) {
		for (j = 0; j < n_remote; j++) {
			if (!can_pair(&lc[i], &rc[j]))
				continue;
			tp[nt].prio = pair_prio(cl, lc[i].priority,
						rc[j].priority);
			tp[nt].l = (unsigned int)i;
			tp[nt].r = (unsigned int)j;
			nt++;
		}
	}
	qsort(tp, nt, sizeof(*tp), tmp_cmp);

	/*
	 * In priority order, keep a pair unless an already kept one has the
	 * same local base and remote (s.6.1.2.4), and stop at max_pairs
	 * (s.6.1.2.5): the same as pruning everything, then cutting.
	 */
	for (i = 0; i < nt && cl->n < cl->cfg.max_pairs; i++) {
		struct cl_pair *p = &cl->pairs[cl->n];
		bool dup = false;

		memset(p, 0, sizeof(*p));
		replace_by_base(&p->local, &lc[tp[i].l], lc, n_local);
		p->remote = rc[tp[i].r];
		for (j = 0; j < cl->n && !dup; j++)
			dup = ice_addr_eq(local_base(&cl->pairs[j].local),
					  local_base(&p->local)) &&
			      ice_addr_eq(&cl->pairs[j].remote.addr,
					  &p->remote.addr) &&
			      cl->pairs[j].remote.component ==
				      p->remote.component;
		if (dup)
			continue;
		p->priority = tp[i].prio;
		p->id = cl->next_id++;
		set_foundation(p);
		cl->n++;
	}
	initial_states(cl);
	ret = (int)cl->n;
out:
	free(lc);
	free(rc);
	free(tp);
	return ret;
}

struct cl_pair *cl_next_waiting(struct checklist *cl)
{
	unsigned int i;

	for (i = 0; i < cl->n; i++)
		if (cl->pairs[i].state == CL_WAITING)
			return &cl->pairs[i];
	return NULL;
}

static bool foundation_active(const struct checklist *cl, const char *f)
{
	unsigned int i;

	for (i = 0; i < cl->n; i++)
		if ((cl->pairs[i].state == CL_WAITING ||
		     cl->pairs[i].state == CL_IN_PROGRESS) &&
		    !strcmp(cl->pairs[i].foundation, f))
			return true;
	return false;
}

struct cl_pair *cl_unfreeze_one(struct checklist *cl)
{
	unsigned int i;

	if (!cl->cfg.use_frozen || cl_next_waiting(cl))
		return NULL;
	for (i = 0; i < cl->n; i++) {
		struct cl_pair *p = &cl->pairs[i];

		if (p->state == CL_FROZEN &&
		    !foundation_active(cl, p->foundation)) {
			p->state = CL_WAITING;
			return p;
		}
	}
	return NULL;
}

struct cl_pair *cl_by_id(struct checklist *cl, unsigned int id)
{
	unsigned int i;

	for (i = 0; i < cl->n; i++)
		if (cl->pairs[i].id == id)
			return &cl->pairs[i];
	return NULL;
}

int cl_set_state(struct checklist *cl, unsigned int id, enum cl_state st)
{
	struct cl_pair *p = cl_by_id(cl, id);
	unsigned int i;

	if (!p || (unsigned int)st > CL_FAILED)
		return -1;
	p->state = st;
	if (st != CL_SUCCEEDED || !cl->cfg.use_frozen)
		return 0;
	/* RFC 8445 s.7.2.5.3.3: unfreeze pairs of the same foundation. */
	for (i = 0; i < cl->n; i++)
		if (cl->pairs[i].state == CL_FROZEN &&
		    !strcmp(cl->pairs[i].foundation, p->foundation))
			cl->pairs[i].state = CL_WAITING;
	return 0;
}

struct cl_pair *cl_find(struct checklist *cl, const struct ice_addr *lbase,
			const struct ice_addr *remote)
{
	unsigned int i;

	for (i = 0; i < cl->n; i++)
		if (ice_addr_eq(local_base(&cl->pairs[i].local), lbase) &&
		    ice_addr_eq(&cl->pairs[i].remote.addr, remote))
			return &cl->pairs[i];
	return NULL;
}

struct cl_pair *cl_add_prflx(struct checklist *cl, const struct ice_cand *local,
			     const struct ice_addr *remote_addr,
			     uint32_t remote_priority, enum cl_state st)
{
	struct cl_pair np, *p;
	unsigned int i, pos;

	if ((unsigned int)st > CL_FAILED || remote_priority == 0 ||
	    remote_addr->family != local->addr.family)
		return NULL;
	p = cl_find(cl, local_base(local), remote_addr);
	if (p)
		return p;

	memset(&np, 0, sizeof(np));
	np.local = *local;
	if (!np.local.base.family)
		np.local.base = np.local.addr;
	np.remote.type = ICE_CAND_PRFLX;
	np.remote.transport = ICE_TRANSPORT_UDP;
	np.remote.component = local->component;
	np.remote.priority = remote_priority;
	np.remote.addr = *remote_addr;
	np.remote.base = *remote_addr;
	/* s.7.3.1.3: a foundation unlike any other remote candidate's. */
	snprintf(np.remote.foundation, sizeof(np.remote.foundation), "P%u",
		 cl->next_prflx++);
	np.priority = pair_prio(cl, local->priority, remote_priority);
	np.state = st;

	if (cl->n >= cl->cfg.max_pairs) {
		/* Drop the lowest-priority pair not yet checked, if lower. */
		for (i = cl->n; i-- > 0;) {
			if (cl->pairs[i].state == CL_FROZEN ||
			    cl->pairs[i].state == CL_WAITING)
				break;
		}
		if (i == (unsigned int)-1 ||
		    cl->pairs[i].priority >= np.priority)
			return NULL;
		memmove(&cl->pairs[i], &cl->pairs[i + 1],
			(cl->n - i - 1) * sizeof(*cl->pairs));
		cl->n--;
	}
	np.id = cl->next_id++;
	set_foundation(&np);
	for (pos = 0; pos < cl->n && cl->pairs[pos].priority >= np.priority;
	     pos++)
		;
	memmove(&cl->pairs[pos + 1], &cl->pairs[pos],
		(cl->n - pos) * sizeof(*cl->pairs));
	cl->pairs[pos] = np;
	cl->n++;
	return &cl->pairs[pos];
}
