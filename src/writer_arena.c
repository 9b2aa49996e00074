// SPDX-License-Identifier: MIT
/*
 * writer_arena.c - where a compressing thread puts the compressed units it
 * makes (writer_pipeline.c): one after another in regions of its own,
 * aligned for huge pages.  A region holds at its start the count of its
 * units the writer has not yet written; once the region the thread fills
 * is full, it goes on in one whose count is zero (filled again) or else in
 * a new one.
 *
 * Why: a buffer per unit from malloc is fresh memory for every unit
 * (every page of it faulted in and cleared by the kernel).  Packed
 * tightly, the compressed data of 1,500 small files takes a few huge
 * pages instead of thousands of small ones; filled again once written,
 * an arena holds what the writer lags behind the compressors, not all a
 * batch makes (create on /usr/lib/python3.11: 24 MiB of regions, cleared
 * by the kernel, before; see the README).  Only the owning thread fills
 * its arena, so there is no lock; the counts are atomic, lowered by the
 * writer after it has copied the unit out (release) and read before a
 * region is filled again (acquire).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "writer.h"

/* A region's first bytes: the count, alone on its cache line. */
#define HEAD 64

static _Atomic size_t *live_count(const warena *a, size_t k)
{
	return (_Atomic size_t *)(void *)a->region[k];
}

void zs_w_arena_init(warena *a, size_t most)
{
	memset(a, 0, sizeof(*a));
	size_t size = most + HEAD > ZS_WARENA_REGION ? most + HEAD :
		      ZS_WARENA_REGION;
	a->region_size = zs_huge_round(size);
}

/* A region whose units are all written, or a->n if none is. */
static size_t written_region(const warena *a)
{
	for (size_t k = 0; k < a->n; k++)
		if (atomic_load_explicit(live_count(a, k),
					 memory_order_acquire) == 0)
			return k;
	return a->n;
}

uint8_t *zs_w_arena_room(warena *a, size_t n)
{
	if (n > a->region_size - HEAD)
		return NULL;
	if (a->cur < a->n && a->used + n <= a->region_size)
		return a->region[a->cur] + a->used;
	size_t k = written_region(a);
	if (k == a->n) {
		if (zs_w_grow(&a->region, &a->cap, a->n, sizeof(*a->region)))
			return NULL;
		if (!(a->region[a->n] = zs_huge_region(a->region_size)))
			return NULL;
		atomic_init(live_count(a, a->n), 0);
		a->n++;
	}
	a->cur = k;
	a->used = HEAD;
	return a->region[k] + HEAD;
}

_Atomic size_t *zs_w_arena_take(warena *a, size_t n)
{
	_Atomic size_t *live = live_count(a, a->cur);

	a->used += n;
	atomic_fetch_add_explicit(live, 1, memory_order_relaxed);
	return live;
}

void zs_w_arena_written(_Atomic size_t *live)
{
	if (live)
		atomic_fetch_sub_explicit(live, 1, memory_order_release);
}

void zs_w_arena_reset(warena *a)
{
	for (size_t k = 0; k < a->n; k++)
		atomic_store_explicit(live_count(a, k), 0,
				      memory_order_relaxed);
	a->cur = a->n;
	a->used = 0;
}

void zs_w_arena_free(warena *a)
{
	for (size_t k = 0; k < a->n; k++)
		munmap(a->region[k], a->region_size);
	free(a->region);
	memset(a, 0, sizeof(*a));
}
