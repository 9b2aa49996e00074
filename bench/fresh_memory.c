/* SPDX-License-Identifier: MIT */
/*
 * fresh_memory.c - what touching fresh memory costs on this machine, the
 * reason zipscan reuses buffers and puts big ones on huge pages: 64 MiB
 * of anonymous memory written one byte a 4 KiB page, the first time
 * (each page faulted in and cleared by the kernel, and on a virtual
 * machine perhaps backed by the host), the second time, and with
 * MADV_HUGEPAGE.  Wall-clock milliseconds.
 *
 * usage: fresh_memory
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

#define SIZE (64u << 20)
#define HUGE (2u << 20)

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double touch(volatile uint8_t *p, uint8_t v)
{
	double t0 = now_ms();
	for (size_t k = 0; k < SIZE; k += 4096)
		p[k] = v;
	return now_ms() - t0;
}

static int probe(int huge)
{
	uint8_t *m = mmap(NULL, SIZE + HUGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	uint8_t *p = (uint8_t *)(((uintptr_t)m + HUGE - 1) &
				 ~(uintptr_t)(HUGE - 1));
#ifdef MADV_HUGEPAGE
	if (huge)
		madvise(p, SIZE, MADV_HUGEPAGE);
#endif
	double first = touch(p, 1), second = touch(p, 2);
	printf("%s pages: first touch %.1f ms (%.2f GB/s), again %.2f ms\n",
	       huge ? "huge" : "4 KiB", first, SIZE / first / 1e6, second);
	munmap(m, SIZE + HUGE);
	return 0;
}

int main(void)
{
	return probe(0) != 0 || probe(1) != 0;
}
