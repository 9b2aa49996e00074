// SPDX-License-Identifier: MIT
/*
 * deflate_piece.c - Deflate pieces that join into one stream.
 *
 * libdeflate compresses a whole buffer into a whole stream, whose last
 * block has BFINAL set, and cannot flush.  To make a piece that others may
 * follow, its blocks are walked to find the last one (deflate_walk.c:
 * symbols decoded without output; zlib's inflate(Z_BLOCK) when in doubt),
 * that block's BFINAL bit is cleared, and an empty non-final stored block
 * brings the piece to a byte boundary.  When the data does not shrink it
 * goes out as stored blocks instead.
 */
#include <libdeflate.h>
#include <stdint.h>
#include <string.h>

#include "deflate_piece.h"
#include "deflate_walk.h"

#define STORED_MAX 65535u   /* the most one stored block holds */

/* Bytes of len in stored blocks (one empty block for len 0). */
static size_t stored_size(size_t len)
{
	size_t blocks = len ? (len + STORED_MAX - 1) / STORED_MAX : 1;
	return len + 5 * blocks;
}

size_t zs_deflate_piece_bound(size_t len)
{
	/* the stored form, and the room libdeflate asks for (its bound is
	 * about the same for any level) plus the closing empty block */
	size_t deflated = len + 5 * (len / 10000 + 1) + 64;
	size_t stored = stored_size(len) + 8;
	return deflated > stored ? deflated : stored;
}

/* in as stored blocks, the last one final if final. */
static size_t put_stored(const uint8_t *in, size_t len, int final,
			 uint8_t *out)
{
	size_t o = 0, done = 0;

	do {
		size_t n = len - done < STORED_MAX ? len - done : STORED_MAX;
		int last = done + n == len;
		out[o++] = (uint8_t)(final && last);  /* BFINAL, BTYPE 00 */
		out[o++] = (uint8_t)n;
		out[o++] = (uint8_t)(n >> 8);
		out[o++] = (uint8_t)~n;
		out[o++] = (uint8_t)(~n >> 8);
		if (n)
			memcpy(out + o, in + done, n);
		o += n;
		done += n;
	} while (done < len);
	return o;
}

/* Find the last block (deflate_walk.c, zlib's walk if the fast one
 * refuses), clear its BFINAL, zero the padding and close the piece with an
 * empty stored block. */
size_t zs_deflate_unfinalize(uint8_t *piece, size_t n, size_t len,
			     int zlib_only)
{
	uint64_t last, end;

	if ((zlib_only || zs_deflate_walk(piece, n, len, &last, &end) != 0) &&
	    zs_deflate_walk_zlib(piece, n, len, &last, &end) != 0)
		return 0;
	if (!(piece[last >> 3] & (1u << (last & 7))))
		return 0;   /* the last block is not final: not libdeflate's */
	piece[last >> 3] &= (uint8_t)~(1u << (last & 7));
	unsigned used = (unsigned)(end & 7);   /* bits of the last byte */
	if (used)
		piece[n - 1] &= (uint8_t)((1u << used) - 1);  /* padding: 0 */
	if (used == 0 || used > 5)  /* the stored block's 3 header bits */
		piece[n++] = 0;
	memcpy(piece + n, "\0\0\xff\xff", 4);
	return n + 4;
}

size_t zs_deflate_piece(struct libdeflate_compressor *c, const void *in,
			size_t len, int final, void *out, size_t cap)
{
	size_t stored = stored_size(len) + (final ? 0 : 5 * (len == 0));

	if (cap < zs_deflate_piece_bound(len))
		return 0;
	if (!c || len == 0)
		goto store;
	/* leave room for the closing block: at most 5 bytes more */
	size_t n = libdeflate_deflate_compress(c, in, len, out, cap - 8);
	if (n == 0 || n + 5 >= stored)
		goto store;
	if (final)
		return n;
	n = zs_deflate_unfinalize(out, n, len, 0);
	if (n && n < stored)
		return n;
store:
	if (len == 0 && !final) {   /* one empty non-final stored block */
		memcpy(out, "\0\0\0\xff\xff", 5);
		return 5;
	}
	return put_stored(in, len, final, out);
}

/* ---- SOZip chunks --------------------------------------------------------- */

#define EMPTY_STORED "\0\0\0\xff\xff"   /* byte-aligned, non-final */

size_t zs_deflate_piece_sozip_bound(size_t len)
{
	return zs_deflate_piece_bound(len) + 2 * 5;
}

size_t zs_deflate_piece_sozip(struct libdeflate_compressor *c, const void *in,
			      size_t len, void *out, size_t cap)
{
	uint8_t *o = out;

	if (cap < zs_deflate_piece_sozip_bound(len))
		return 0;
	size_t n = zs_deflate_piece(c, in, len, 0, out, cap - 10);
	if (n == 0)
		return 0;
	/* deflated pieces already end in the sync flush's empty block and
	 * are shorter than the stored form; stored ones end in data */
	if (len > 0 && n == stored_size(len)) {
		memcpy(o + n, EMPTY_STORED, 5);
		n += 5;
	}
	memcpy(o + n, EMPTY_STORED, 5);   /* the full flush */
	return n + 5;
}
