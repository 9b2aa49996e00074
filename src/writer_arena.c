// SPDX-License-Identifier: MIT
/*
 * writer_arena.c - where a compressing thread puts the compressed units of
 * a batch (writer_pipeline.c): one after another in regions of its own,
 * aligned for huge pages, emptied and used again batch after batch.
 *
 * Why: a buffer per unit from malloc is fresh memory for every unit
 * (every page of it faulted in and cleared by the kernel), and the units
 * of a batch are all alive until the writer has written them.  Packed
 * tightly, the compressed data of 1,500 small files takes a few huge
 * pages instead of thousands of small ones; on a virtual machine each
 * fault costs microseconds.  Only the owning thread touches its arena
 * while compressing, so there is no lock.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "writer.h"

void zs_w_arena_init(warena *a, size_t most)
{
	memset(a, 0, sizeof(*a));
	size_t size = most > ZS_WARENA_REGION ? most : ZS_WARENA_REGION;
	a->region_size = zs_huge_round(size);
}

uint8_t *zs_w_arena_room(warena *a, size_t n)
{
	if (n > a->region_size)
		return NULL;
	if (a->cur < a->n && a->used + n <= a->region_size)
		return a->region[a->cur] + a->used;
	if (a->cur < a->n)       /* this one is full: the next, emptied */
		a->cur++;
	a->used = 0;
	if (a->cur == a->n) {
		if (zs_w_grow(&a->region, &a->cap, a->n, sizeof(*a->region)))
			return NULL;
		if (!(a->region[a->n] = zs_huge_region(a->region_size)))
			return NULL;
		a->n++;
	}
	return a->region[a->cur];
}

void zs_w_arena_take(warena *a, size_t n)
{
	a->used += n;
}

void zs_w_arena_reset(warena *a)
{
	a->cur = 0;
	a->used = 0;
}

void zs_w_arena_free(warena *a)
{
	for (size_t k = 0; k < a->n; k++)
		munmap(a->region[k], a->region_size);
	free(a->region);
	memset(a, 0, sizeof(*a));
}
