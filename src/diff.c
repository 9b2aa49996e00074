/* SPDX-License-Identifier: MIT */
/*
 * diff.c - what changed between two sorted lists of entries (diff_list.c):
 * one merge walk in name order gives every name once, added, removed,
 * changed (size or CRC-32) or the same; with --hash the pairs still the
 * same are decoded on both sides in one parallel loop (the scan's, with
 * its checks and limits) and their XXH3-128 compared.
 *
 * Linear after the sorts; memory: one change per name.
 */
#include <stdlib.h>

#include "internal.h"

/* The next item at or after k that is compared (not shadowed). */
static size_t next_live(const zs_diff_list *l, size_t k)
{
	while (k < l->count && l->items[k].shadowed)
		k++;
	return k;
}

static int same_hash(const zs_diff_item *x, const zs_diff_item *y)
{
	return x->hash[0] == y->hash[0] && x->hash[1] == y->hash[1];
}

/* Classify a pair of items with one name. */
static void classify(zs_diff_change *c, const zs_diff_item *x,
		     const zs_diff_item *y)
{
	unsigned what = 0;

	if (x->size != y->size)
		what |= ZS_DIFF_SIZE;
	if (x->crc32 != y->crc32)
		what |= ZS_DIFF_CRC;
	if (!what && x->has_hash && y->has_hash && !same_hash(x, y))
		what |= ZS_DIFF_CONTENT;
	if (x->method != y->method)
		what |= ZS_DIFF_METHOD;
	if (x->mtime != y->mtime)
		what |= ZS_DIFF_MTIME;
	c->what = what;
	c->kind = what & (ZS_DIFF_SIZE | ZS_DIFF_CRC | ZS_DIFF_CONTENT) ?
		  ZS_DIFF_CHANGED : ZS_DIFF_SAME;
}

static void count(zs_diff *d)
{
	d->added = d->removed = d->changed = d->same = d->errors = 0;
	for (size_t k = 0; k < d->count; k++) {
		switch (d->changes[k].kind) {
		case ZS_DIFF_SAME: d->same++; break;
		case ZS_DIFF_ADDED: d->added++; break;
		case ZS_DIFF_REMOVED: d->removed++; break;
		case ZS_DIFF_CHANGED: d->changed++; break;
		default: d->errors++; break;
		}
	}
}

int zs_diff_compute(const zs_diff_list *o, const zs_diff_list *n, zs_diff *d)
{
	size_t cap;

	memset(d, 0, sizeof(*d));
	if (!o->sorted || !n->sorted ||
	    __builtin_add_overflow(o->count, n->count, &cap) ||
	    !(d->changes = calloc(cap ? cap : 1, sizeof(*d->changes))))
		return -1;
	size_t i = next_live(o, 0), j = next_live(n, 0);
	while (i < o->count || j < n->count) {
		zs_diff_change *c = &d->changes[d->count++];
		int cmp = i == o->count ? 1 : j == n->count ? -1 :
			  zs_bytes_cmp(o->items[i].name, o->items[i].name_len,
				       n->items[j].name, n->items[j].name_len);
		c->old_item = cmp <= 0 ? (int64_t)i : -1;
		c->new_item = cmp >= 0 ? (int64_t)j : -1;
		if (cmp < 0)
			c->kind = ZS_DIFF_REMOVED;
		else if (cmp > 0)
			c->kind = ZS_DIFF_ADDED;
		else
			classify(c, &o->items[i], &n->items[j]);
		if (cmp <= 0)
			i = next_live(o, i + 1);
		if (cmp >= 0)
			j = next_live(n, j + 1);
	}
	count(d);
	return 0;
}

/* The entry behind item k of side l in archive a, or SIZE_MAX. */
static size_t entry_of(const zs_diff_list *l, int64_t k, const zs_archive *a)
{
	int64_t i = l->items[k].index;
	return i >= 0 && (uint64_t)i < a->index.count ? (size_t)i : SIZE_MAX;
}

/* Select, in a, the entries of the pairs still the same.  One that a
 * scan without hashes found ok is decoded again, for its hash. */
static void select_same(const zs_diff *d, const zs_diff_list *l, int side,
			zs_archive *a)
{
	zs_index *ix = &a->index;

	memset(ix->selected, 0, ix->count);
	a->n_selected = 0;
	for (size_t k = 0; k < d->count; k++) {
		const zs_diff_change *c = &d->changes[k];
		size_t i = c->kind != ZS_DIFF_SAME ? SIZE_MAX :
			   entry_of(l, side ? c->new_item : c->old_item, a);
		if (i == SIZE_MAX || ix->selected[i])
			continue;
		ix->selected[i] = 1;
		a->n_selected++;
		if (!ix->xxh128 && ix->status[i] == ZS_ENTRY_OK)
			ix->status[i] = ZS_ENTRY_UNTESTED;
	}
}

/* What keeps entry i from having a hash: its exit status (0: none). */
static int entry_trouble(const zs_archive *a, size_t i)
{
	switch (a->index.status[i]) {
	case ZS_ENTRY_OK:
		return a->index.xxh128 ? 0 : ZS_EXIT_NOMEM;
	case ZS_ENTRY_BAD:
		return zs_entry_exit(a->index.error[i]);
	case ZS_ENTRY_UNSUPPORTED:
		return ZS_EXIT_UNSUPPORTED;
	case ZS_ENTRY_ENCRYPTED:
		return ZS_EXIT_ENCRYPTED;
	}
	int s = zs_archive_status(a);   /* refused (12) or interrupted (80) */
	return s > ZS_EXIT_WARN ? s : ZS_EXIT_ENTRY;
}

/* Why entry i has no hash, as text (malloc'ed; NULL: no memory). */
static char *trouble_text(const zs_archive *a, size_t i)
{
	if (a->index.status[i] != ZS_ENTRY_UNTESTED &&
	    a->index.error[i] != ZS_E_NONE)
		return zs_entry_error_dup(a, i);
	return strdup(a->index.status[i] == ZS_ENTRY_UNTESTED ?
		      "not decoded (see the archive's findings)" :
		      "no memory for the content hash");
}

/* Take the hashes of side l from its decoded archive a; a pair whose
 * entry failed becomes an error.  -1 if out of memory. */
static int take_hashes(zs_diff *d, zs_diff_list *l, int side,
		       const zs_archive *a)
{
	for (size_t k = 0; k < d->count; k++) {
		zs_diff_change *c = &d->changes[k];
		int64_t item = side ? c->new_item : c->old_item;
		size_t i = c->kind != ZS_DIFF_SAME ? SIZE_MAX :
			   entry_of(l, item, a);
		if (i == SIZE_MAX)
			continue;
		int trouble = entry_trouble(a, i);
		if (!trouble) {
			l->items[item].has_hash = 1;
			l->items[item].hash[0] = a->index.xxh128[2 * i];
			l->items[item].hash[1] = a->index.xxh128[2 * i + 1];
			continue;
		}
		c->kind = ZS_DIFF_ERROR;
		c->status = trouble;
		c->error_side = side;
		if (!(c->error = trouble_text(a, i)))
			return -1;
	}
	return 0;
}

/* Keep each archive's selection as it was, for its status and reports. */
static uint8_t *save_selection(const zs_archive *a, size_t *n_selected)
{
	uint8_t *copy = malloc(a->index.count ? a->index.count : 1);
	if (copy)
		memcpy(copy, a->index.selected, a->index.count);
	*n_selected = a->n_selected;
	return copy;
}

static void restore_selection(zs_archive *a, uint8_t *copy, size_t n)
{
	memcpy(a->index.selected, copy, a->index.count);
	a->n_selected = n;
	free(copy);
}

int zs_diff_confirm(zs_diff *d, zs_diff_list *old_side,
		    zs_archive *old_archive, zs_diff_list *new_side,
		    zs_archive *new_archive, const zs_options *o)
{
	zs_diff_list *ls[2] = { old_side, new_side };
	zs_archive *given[2] = { old_archive, new_archive }, *as[2];
	uint8_t *saved[2] = { NULL, NULL };
	size_t n_sel[2] = { 0, 0 }, n = 0;
	int side[2], rc = 0;
	zs_totals t[2];
	zs_options ho = *o;

	for (int s = 0; s < 2; s++) {
		if (!given[s] || !given[s]->indexed)
			continue;
		if (!(saved[n] = save_selection(given[s], &n_sel[n])))
			rc = -1;
		side[n] = s;
		as[n++] = given[s];
	}
	for (size_t k = 0; rc == 0 && k < n; k++)
		select_same(d, ls[side[k]], side[k], as[k]);
	ho.hash = 1;
	if (rc == 0 && n)
		zs_scan_batch(as, n, &ho, t);
	for (size_t k = 0; k < n; k++) {
		if (rc == 0 && take_hashes(d, ls[side[k]], side[k], as[k]))
			rc = -1;
		if (saved[k])
			restore_selection(as[k], saved[k], n_sel[k]);
	}
	/* the pairs whose both sides now have a hash: the same content? */
	for (size_t k = 0; rc == 0 && k < d->count; k++) {
		zs_diff_change *c = &d->changes[k];
		if (c->kind == ZS_DIFF_SAME)
			classify(c, &old_side->items[c->old_item],
				 &new_side->items[c->new_item]);
	}
	count(d);
	d->hashed = 1;
	return rc;
}

int zs_diff_status(const zs_diff *d)
{
	int s = d->added || d->removed || d->changed ? ZS_EXIT_WARN :
		ZS_EXIT_OK;

	for (size_t k = 0; k < d->count; k++)
		if (d->changes[k].kind == ZS_DIFF_ERROR)
			s = zs_exit_worse(s, d->changes[k].status);
	return s;
}

void zs_diff_free(zs_diff *d)
{
	for (size_t k = 0; d->changes && k < d->count; k++)
		free(d->changes[k].error);
	free(d->changes);
	memset(d, 0, sizeof(*d));
}
