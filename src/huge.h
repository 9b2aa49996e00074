/* SPDX-License-Identifier: MIT */
/*
 * huge.h - fresh memory on 2 MiB huge pages (huge.c).  The lowest layer:
 * it calls nothing of ours, and any file may use it.
 */
#ifndef ZS_HUGE_H
#define ZS_HUGE_H

#include <stddef.h>
#include <stdint.h>

#define ZS_HUGE_PAGE (2u << 20)

/* size bytes of fresh memory (munmap them) aligned on 2 MiB, so that the
 * kernel can back them with huge pages: one page fault for 2 MiB instead
 * of 512, which costs a lot on virtual machines.  size should be a whole
 * number of huge pages (zs_huge_round).  NULL if out of memory. */
uint8_t *zs_huge_region(size_t size);

/* size rounded up to whole huge pages, as zs_huge_region's callers ask. */
static inline size_t zs_huge_round(size_t size)
{
	return (size + ZS_HUGE_PAGE - 1) & ~(size_t)(ZS_HUGE_PAGE - 1);
}

/* A buffer of n bytes that may be big: from ZS_HUGE_PAGE up a huge region
 * (zs_huge_round(n) bytes), below it malloc's.  zs_big_free frees either,
 * given the same n: the size says which it is.  NULL if out of memory. */
void *zs_big_alloc(size_t n);
/* The same, zeroed (a huge region is: only what is touched is faulted in,
 * where calloc's memset would touch it all). */
void *zs_big_zalloc(size_t n);
void zs_big_free(void *p, size_t n);

#endif
