/* SPDX-License-Identifier: MIT */
/*
 * extract_plan.c - decide, before anything touches the disk, what each
 * selected entry will become: its clean path, whether its name is refused,
 * which of several entries with one path wins (the last in the central
 * directory, as unzip would leave it), and the directories to make, parents
 * first.
 *
 * All of it is linear in the bytes of the names: paths are hashed once
 * (the tables' keyed hash, a directory's extending its parent's by one
 * component: zs_hash_chain), and a directory is
 * looked up from the deepest parent upwards, stopping at the first one
 * already known, so a hostile archive of deep paths costs no more than
 * their length.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "internal.h"

/* Longest path kept: longer ones cannot be opened anyway (ENAMETOOLONG). */
#define ZS_PATH_MAX (PATH_MAX - 1)

static int wanted(const zs_extraction *x, size_t i)
{
	return x->path[i] && x->action[i] == ZS_ACT_NONE;
}

/* Clean entry i's name into the arena; refuse what cannot be cleaned. */
static void plan_name(zs_archive *a, zs_extraction *x, size_t i, int strict,
		      char *utf8, char **arena)
{
	const zs_index *ix = &a->index;
	const uint8_t *raw = a->data + ix->name_offset[i];
	unsigned fixes;

	if (zs_path_has_control(raw, ix->name_len[i])) {
		x->action[i] = ZS_ACT_REFUSED;
		x->refusal[i] = ZS_REFUSE_CONTROL;
		return;
	}
	size_t n = zs_entry_name_utf8(a, i, utf8);
	size_t len = zs_path_clean(utf8, n, *arena, &fixes);
	x->fixes[i] = (uint8_t)fixes;
	if (len == 0) {
		/* "./" or "/" is the target itself: nothing to do */
		if (!zs_entry_is_dir(a, i)) {
			x->action[i] = ZS_ACT_REFUSED;
			x->refusal[i] = ZS_REFUSE_EMPTY;
		}
		return;
	}
	if (strict && (fixes || zs_path_needs_cleaning(utf8, n, *arena, len))) {
		x->action[i] = ZS_ACT_REFUSED;
		x->refusal[i] = ZS_REFUSE_STRICT;
		return;
	}
	x->path[i] = *arena;
	*arena += len + 1;
	if (len > ZS_PATH_MAX) {
		x->action[i] = ZS_ACT_FAILED;
		x->step[i] = ZS_STEP_CREATE;
		x->write_errno[i] = ENAMETOOLONG;
	}
}

/* The last entry with a path wins; earlier ones become duplicates (if
 * mark).  With fold, paths equal but for ASCII case count as the same.
 * Returns the number of losers, or -1 (no memory). */
static long mark_duplicates(zs_extraction *x, int fold, int mark)
{
	zs_table t;
	long losers = 0;

	if (zs_table_init(&t, x->count) != 0) {
		zs_table_free(&t);
		return -1;
	}
	for (size_t i = 0; i < x->count; i++) {
		if (!wanted(x, i))
			continue;
		const char *p = x->path[i];
		size_t n = strlen(p);
		uint32_t *slot;
		uint64_t h = fold ? zs_hash_fold(p, n) : zs_hash(p, n);
		ZS_TABLE_FIND(&t, h, (fold ? !strcasecmp(x->path[v - 1], p) :
				   !strcmp(x->path[v - 1], p)), slot);
		if (*slot) {
			if (mark)
				x->action[*slot - 1] = ZS_ACT_DUPLICATE;
			losers++;
		} else {
			t.used++;
		}
		*slot = (uint32_t)(i + 1);
	}
	zs_table_free(&t);
	return losers;
}

static int dir_eq(const zs_extraction *x, const zs_dir *d, const char *p,
		  size_t len)
{
	return d->len == len && !memcmp(x->path[d->src], p, len);
}

static int add_dir(zs_plan *pl, size_t src, uint32_t len, int64_t parent)
{
	if (pl->n_dirs == pl->cap_dirs) {
		size_t cap = pl->cap_dirs ? 2 * pl->cap_dirs : 64;
		zs_dir *d = realloc(pl->dirs, cap * sizeof(*d));
		if (!d)
			return -1;
		pl->dirs = d;
		pl->cap_dirs = cap;
	}
	pl->dirs[pl->n_dirs++] = (zs_dir){ src, len, -1, parent };
	return 0;
}

/* The directory of prefix d of p (hashed h), or -1 if not known yet. */
static int64_t find_dir(const zs_extraction *x, const zs_plan *pl, zs_table *t,
			const char *p, uint64_t h, uint32_t len)
{
	uint32_t *s;
	ZS_TABLE_FIND(t, h, dir_eq(x, &pl->dirs[v - 1], p, len), s);
	return (int64_t)*s - 1;
}

/*
 * The directories entry i needs (its parents, and itself if it is a
 * directory entry), added parents first; sets the entry's directory.
 * hashes/ends: scratch for one path's prefixes.
 */
static int plan_dirs_of(zs_archive *a, zs_extraction *x, zs_plan *pl,
			zs_table *t, size_t i, uint64_t *hashes, uint32_t *ends)
{
	const char *p = x->path[i];
	size_t n = strlen(p), depth = 0;
	uint64_t h = 0;
	int is_dir = zs_entry_is_dir(a, i) && !zs_entry_is_symlink(a, i);

	for (size_t k = 0, from = 0; k <= n; k++) {
		if (k < n && p[k] != '/')
			continue;
		if (k == n && !is_dir)
			break;
		h = zs_hash_chain(h, p + from, k - from);
		hashes[depth] = h;
		ends[depth++] = (uint32_t)k;
		from = k + 1;
	}
	/* deepest first, up to the first directory already known */
	size_t known = depth;
	int64_t parent = -1;
	while (known > 0 && (parent = find_dir(x, pl, t, p, hashes[known - 1],
					       ends[known - 1])) < 0)
		known--;
	for (size_t d = known; d < depth; d++) {
		uint32_t *slot;
		if (zs_table_grow(t) != 0 || add_dir(pl, i, ends[d], parent) != 0)
			return -1;
		ZS_TABLE_FIND(t, hashes[d], dir_eq(x, &pl->dirs[v - 1], p,
						ends[d]), slot);
		*slot = (uint32_t)pl->n_dirs;
		t->used++;
		parent = (int64_t)pl->n_dirs - 1;
	}
	/* parent is now the deepest directory: the entry's own, for a
	 * directory entry, else the one it goes in */
	if (is_dir && depth > 0)
		pl->dirs[parent].entry = (int64_t)i;
	else
		pl->entry_dir[i] = parent;
	return 0;
}

static int plan_dirs(zs_archive *a, zs_extraction *x, zs_plan *pl)
{
	zs_table t = { 0 };
	uint64_t *hashes = malloc((ZS_PATH_MAX / 2 + 2) * sizeof(*hashes));
	uint32_t *ends = malloc((ZS_PATH_MAX / 2 + 2) * sizeof(*ends));
	int rc = hashes && ends ? zs_table_init(&t, 64) : -1;

	pl->entry_dir = malloc((x->count ? x->count : 1) *
			       sizeof(*pl->entry_dir));
	if (!pl->entry_dir)
		rc = -1;

	for (size_t i = 0; rc == 0 && i < x->count; i++) {
		if ((i & 1023) == 0 && zs_stopping(a))
			rc = -1;   /* the caller sees why */
		else if (wanted(x, i))
			rc = plan_dirs_of(a, x, pl, &t, i, hashes, ends);
	}
	zs_table_free(&t);
	free(hashes);
	free(ends);
	return rc;
}

static int alloc_extraction(zs_archive *a, zs_extraction *x)
{
	size_t n = a->index.count, bytes = 1;

	memset(x, 0, sizeof(*x));
	x->count = n;
	for (size_t i = 0; i < n; i++)
		bytes += (size_t)a->index.name_len[i] * 3 + 1;
	x->path = calloc(n ? n : 1, sizeof(*x->path));
	x->link_target = calloc(n ? n : 1, sizeof(*x->link_target));
	x->action = calloc(n ? n : 1, 1);
	x->fixes = calloc(n ? n : 1, 1);
	x->refusal = calloc(n ? n : 1, 1);
	x->step = calloc(n ? n : 1, 1);
	x->write_errno = calloc(n ? n : 1, sizeof(int));
	x->arena = malloc(bytes);
	return x->path && x->link_target && x->action && x->fixes &&
	       x->refusal && x->step && x->write_errno && x->arena ? 0 : -1;
}

int zs_plan_extraction(zs_archive *a, zs_extraction *x, int strict,
		       zs_plan *pl)
{
	memset(pl, 0, sizeof(*pl));
	if (alloc_extraction(a, x) != 0)
		return -1;
	char *utf8 = zs_name_buf((const zs_archive *const *)&a, 1);
	char *arena = x->arena;
	if (!utf8)
		return -1;
	for (size_t i = 0; i < x->count; i++)
		if (a->index.selected[i])
			plan_name(a, x, i, strict, utf8, &arena);
	free(utf8);
	long folded = mark_duplicates(x, 0, 1) < 0 ? -1 :
		      mark_duplicates(x, 1, 0);
	if (folded < 0)
		return -1;
	pl->case_collisions = (size_t)folded;
	return plan_dirs(a, x, pl);
}

/* The target folds case: entries equal but for ASCII case are duplicates
 * too.  (Directories equal but for case are made once; the second mkdir
 * finds the first.) */
int zs_plan_fold(zs_extraction *x)
{
	return mark_duplicates(x, 1, 1) < 0 ? -1 : 0;
}

void zs_plan_free(zs_plan *pl)
{
	free(pl->dirs);
	free(pl->entry_dir);
	memset(pl, 0, sizeof(*pl));
}
