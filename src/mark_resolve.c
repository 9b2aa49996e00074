/* SPDX-License-Identifier: MIT */
/*
 * mark_resolve.c - marker-mode output (16-bit symbols, inflate_mark.h)
 * turned into bytes once the 32 KiB before the chunk are known.  The
 * output goes 32 symbols at a time: all narrowed at once (the compiler
 * makes that a few vector instructions), then only the markers among them,
 * found through a bit mask (about 1 in 10 symbols where there are any on
 * big.zip), looked up in the window.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "inflate_mark.h"

#define BLOCK 32u

#if defined(__SSE2__)
/* Bit q set: symbol q of the block is a marker (its sign bit, kept by the
 * signed saturating pack). */
static uint32_t marker_bits(const uint16_t *v)
{
	uint32_t m = 0;
	for (unsigned k = 0; k < BLOCK; k += 16) {
		__m128i a = _mm_loadu_si128((const __m128i *)(v + k));
		__m128i b = _mm_loadu_si128((const __m128i *)(v + k + 8));
		m |= (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(a, b)) << k;
	}
	return m;
}
#else
static uint32_t marker_bits(const uint16_t *v)
{
	uint32_t m = 0;
	for (unsigned k = 0; k < BLOCK; k++)
		m |= (uint32_t)(v[k] >> 15) << k;
	return m;
}
#endif

/* One symbol: its byte, or -1 for a marker before the known part
 * (`first` is the window's first known byte). */
static int one(uint16_t v, const uint8_t *win, size_t first)
{
	if (!(v & ZS_MARK_BIT))
		return v;
	v &= 0x7fff;
	return v < first ? -1 : win[v];
}

int64_t zs_mark_resolve_to(const uint16_t *src, size_t n, const uint8_t *win,
			   size_t known, uint8_t *dst)
{
	size_t first = ZS_MARK_WINDOW - known, k = 0;
	int64_t markers = 0;
	uint16_t v[BLOCK];

	/* each block is copied out first: dst may be src's own memory
	 * (bytes k..k+31 overlap no symbol of a later block) */
	for (; n - k >= BLOCK; k += BLOCK) {
		memcpy(v, src + k, sizeof(v));
		uint32_t m = marker_bits(v);
		for (unsigned q = 0; q < BLOCK; q++)
			dst[k + q] = (uint8_t)v[q];
		for (; m; m &= m - 1, markers++) {   /* (no popcnt in x86-64) */
			int b = one(v[__builtin_ctz(m)], win, first);
			if (b < 0)
				return -1;
			dst[k + (unsigned)__builtin_ctz(m)] = (uint8_t)b;
		}
	}
	for (; k < n; k++) {
		int b = one(src[k], win, first);
		if (b < 0)
			return -1;
		markers += (src[k] & ZS_MARK_BIT) != 0;
		dst[k] = (uint8_t)b;
	}
	return markers;
}

int64_t zs_mark_resolve(zs_mark_dec *d, const uint8_t *win, size_t known)
{
	return zs_mark_resolve_to(d->out, d->len, win, known,
				  (uint8_t *)d->out);
}
