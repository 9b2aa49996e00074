/* SPDX-License-Identifier: MIT */
/*
 * deflate_walk.h - where the last block of a whole Deflate stream starts
 * and where the stream ends, found by decoding its symbols without
 * writing any output (deflate_piece.c joins pieces with it).
 */
#ifndef ZS_DEFLATE_WALK_H
#define ZS_DEFLATE_WALK_H

#include <stddef.h>
#include <stdint.h>

/*
 * in[0..n) must be exactly one Deflate stream that decodes to out_len
 * bytes with no reference before its start, its last block the only one
 * with BFINAL set, ending in the last byte.  On success *last_bit is the
 * bit offset of the last block's BFINAL bit and *end_bit that of the bit
 * after its end-of-block code.  Returns 0, or -1 on anything else
 * (invalid, another length, bytes after the end, out of memory): the
 * caller then walks the stream with zlib.
 */
int zs_deflate_walk(const uint8_t *in, size_t n, size_t out_len,
		    uint64_t *last_bit, uint64_t *end_bit);

/* The same answer from zlib's inflate(Z_BLOCK), which decodes every byte:
 * the fallback, and what tests compare the walk with. */
int zs_deflate_walk_zlib(const uint8_t *in, size_t n, size_t out_len,
			 uint64_t *last_bit, uint64_t *end_bit);

#endif
