/* SPDX-License-Identifier: MIT */
/*
 * huge.c - fresh memory on 2 MiB huge pages.  On this project's reference
 * machine (a virtual machine) touching a fresh 4 KiB page costs about
 * 10 us, a fault and the kernel's clearing of it; a 2 MiB page is one
 * fault (bench/fresh_memory.c measures both).  Big buffers that fill
 * quickly - create's arenas and thread buffers, a batch's pool, the marker
 * decoder's output, a worker's whole-entry buffer - come from here.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "huge.h"

uint8_t *zs_huge_region(size_t size)
{
	size_t len = size + ZS_HUGE_PAGE;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	/* mapped one huge page more than asked, to start on a boundary */
	uintptr_t start = ((uintptr_t)m + ZS_HUGE_PAGE - 1) &
			  ~(uintptr_t)(ZS_HUGE_PAGE - 1);
	uint8_t *r = (uint8_t *)start;
	if (r > m)
		munmap(m, (size_t)(r - m));
	munmap(r + size, (size_t)(m + len - (r + size)));
#ifdef MADV_HUGEPAGE
	(void)madvise(r, size, MADV_HUGEPAGE);   /* a hint */
#endif
	return r;
}

void *zs_big_alloc(size_t n)
{
	return n >= ZS_HUGE_PAGE ? (void *)zs_huge_region(zs_huge_round(n)) :
				   malloc(n ? n : 1);
}

void *zs_big_zalloc(size_t n)
{
	return n >= ZS_HUGE_PAGE ? (void *)zs_huge_region(zs_huge_round(n)) :
				   calloc(n ? n : 1, 1);
}

void zs_big_free(void *p, size_t n)
{
	if (p && n >= ZS_HUGE_PAGE)
		munmap(p, zs_huge_round(n));
	else
		free(p);
}
