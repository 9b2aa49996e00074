/* SPDX-License-Identifier: MIT */
/*
 * mark_resolve.c - marker-mode output (16-bit symbols, inflate_mark.h)
 * turned into bytes once the 32 KiB before the chunk are known.  Runs of
 * symbols without a marker, the bulk of the output, are narrowed 32 at a
 * time (the compiler makes that a few vector instructions); only blocks
 * holding a marker go symbol by symbol through a table.
 */
#include <string.h>

#include "inflate_mark.h"

#define BLOCK 32u

/* Does the block hold a marker? */
static int has_marker(const uint16_t *v)
{
	uint16_t any = 0;
	for (unsigned k = 0; k < BLOCK; k++)
		any |= v[k];
	return (any & ZS_MARK_BIT) != 0;
}

/* Markers through a 64 Ki-entry map (symbol -> byte), all 32 KiB known.
 * Each block is copied out first: dst may be src's own memory (bytes k..
 * k+31 of it overlap no symbol of a later block). */
static void resolve_mapped(const uint16_t *src, size_t n, const uint8_t *win,
			   uint8_t *dst)
{
	static _Thread_local uint8_t map[1u << 16];
	uint16_t v[BLOCK];
	size_t k = 0;

	for (unsigned b = 0; b < 256; b++)
		map[b] = (uint8_t)b;
	memcpy(map + ZS_MARK_BIT, win, ZS_MARK_WINDOW);
	for (; n - k >= BLOCK; k += BLOCK) {
		memcpy(v, src + k, sizeof(v));
		if (has_marker(v))
			for (unsigned q = 0; q < BLOCK; q++)
				dst[k + q] = map[v[q]];
		else
			for (unsigned q = 0; q < BLOCK; q++)
				dst[k + q] = (uint8_t)v[q];
	}
	for (; k < n; k++)
		dst[k] = map[src[k]];
}

int64_t zs_mark_resolve_to(const uint16_t *src, size_t n, const uint8_t *win,
			   size_t known, uint8_t *dst)
{
	if (known == ZS_MARK_WINDOW) {
		resolve_mapped(src, n, win, dst);
		return 0;   /* not counted: that is a pass of its own */
	}
	size_t first = ZS_MARK_WINDOW - known;
	int64_t markers = 0;
	for (size_t k = 0; k < n; k++) {
		uint16_t v = src[k];
		if (v & ZS_MARK_BIT) {
			if ((size_t)(v & 0x7fff) < first)
				return -1;
			v = win[v & 0x7fff];
			markers++;
		}
		dst[k] = (uint8_t)v;
	}
	return markers;
}

int64_t zs_mark_resolve(zs_mark_dec *d, const uint8_t *win, size_t known)
{
	return zs_mark_resolve_to(d->out, d->len, win, known,
				  (uint8_t *)d->out);
}
