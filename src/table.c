/* SPDX-License-Identifier: MIT */
/*
 * table.c - the open-addressing hash table (linear probing, 64-bit hashes
 * kept beside the slots) that finds equal names: the extraction plan's
 * paths and directories, and the audit's colliding names.  A slot holds an
 * index + 1 (0 is empty); what "equal" means is the caller's, in
 * ZS_TABLE_FIND (internal.h), so the full comparison only runs when the
 * hashes agree.
 */
#include <stdlib.h>

#include "internal.h"

int zs_table_init(zs_table *t, size_t n)
{
	t->hash = NULL;
	t->slot = NULL;
	if (n > ZS_TABLE_MAX)
		return -1;
	t->cap = 16;
	while (t->cap < 2 * n + 2)
		t->cap *= 2;
	t->hash = malloc(t->cap * sizeof(*t->hash));
	t->slot = calloc(t->cap, sizeof(*t->slot));
	t->used = 0;
	return t->hash && t->slot ? 0 : -1;
}

void zs_table_free(zs_table *t)
{
	free(t->hash);
	free(t->slot);
}

int zs_table_grow(zs_table *t)
{
	if (2 * (t->used + 1) <= t->cap)
		return 0;
	zs_table bigger;
	if (zs_table_init(&bigger, t->cap) != 0) {
		zs_table_free(&bigger);
		return -1;
	}
	for (size_t k = 0; k < t->cap; k++) {
		if (!t->slot[k])
			continue;
		size_t j = (size_t)t->hash[k] & (bigger.cap - 1);
		while (bigger.slot[j])
			j = (j + 1) & (bigger.cap - 1);
		bigger.slot[j] = t->slot[k];
		bigger.hash[j] = t->hash[k];
	}
	bigger.used = t->used;
	zs_table_free(t);
	*t = bigger;
	return 0;
}
