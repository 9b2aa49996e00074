/* SPDX-License-Identifier: MIT */
/*
 * blockfind.c - find a Deflate block start by trying every bit offset.
 *
 * Most offsets fail on a few bits: BFINAL must be 0 (the last block is of
 * no use to a chunk), BTYPE 10 with HLIT <= 29 and HDIST <= 29, or BTYPE 00
 * with zero padding and LEN == ~NLEN.  The survivors must read as a whole
 * header (a dynamic header's code lengths must form complete codes, which
 * random bits almost never do), decode as a block, and be followed by
 * a second block that decodes and a header that reads.  Fixed-Huffman blocks are not looked for: any
 * bit pattern starts one, so they would only add false starts; a chunk
 * whose blocks are all fixed joins the chunk before.
 */
#include <string.h>

#include "blockfind.h"

/* The 57 bits at bit offset pos (zeros past the end): one load away from
 * the end. */
static uint64_t peek57(const uint8_t *in, size_t in_len, uint64_t pos)
{
	uint64_t v = 0;
	size_t at = (size_t)(pos >> 3);
	if (at + 8 <= in_len)
		memcpy(&v, in + at, 8);   /* little-endian hosts */
	else
		for (unsigned k = 0; k < 8 && at + k < in_len; k++)
			v |= (uint64_t)in[at + k] << (8 * k);
	return v >> (pos & 7);
}

/* The code-length code of the dynamic header at pos: complete, or a
 * single code of length 1, as inflate_mark.c's table builder wants.  Most
 * false candidates fail here, before any table is built. */
static int lengths_code_ok(const uint8_t *in, size_t in_len, uint64_t pos)
{
	unsigned ncl = (unsigned)(peek57(in, in_len, pos + 13) & 15) + 4;
	uint64_t v = peek57(in, in_len, pos + 17);   /* 19 lengths of 3 bits */
	unsigned kraft = 0, max = 0;
	for (unsigned k = 0; k < ncl; k++, v >>= 3) {
		unsigned l = (unsigned)(v & 7);
		if (l) {
			kraft += 128u >> l;
			max = l > max ? l : max;
		}
	}
	return kraft == 128 || (kraft == 64 && max == 1);
}

/* The few bits of a plausible header: BFINAL 0, and dynamic with HLIT and
 * HDIST in range and a usable code-length code, or stored with zero
 * padding and LEN == ~NLEN. */
static int plausible(const uint8_t *in, size_t in_len, uint64_t pos)
{
	uint32_t v = (uint32_t)peek57(in, in_len, pos);
	if ((v & 7) == 4)
		return ((v >> 3) & 31) <= 29 && ((v >> 8) & 31) <= 29 &&
		       lengths_code_ok(in, in_len, pos);
	if ((v & 7) != 0)
		return 0;
	uint64_t at = (pos + 3 + 7) >> 3;   /* the byte after the padding */
	unsigned pad = (unsigned)(at * 8 - pos - 3);
	if (((v >> 3) & ((1u << pad) - 1)) != 0 || at + 4 > in_len)
		return 0;
	return (in[at] ^ in[at + 2]) == 0xff && (in[at + 1] ^ in[at + 3]) == 0xff;
}

/* Do two blocks decode from pos (or one and the final one), and a header
 * read after them?  A false stored start is followed by random bits, which
 * read as a fixed-Huffman header more often than not: the second block
 * weeds most of those out. */
static int decodes(zs_mark_dec *d, const uint8_t *in, size_t in_len,
		   uint64_t pos)
{
	zs_mark_start(d, in, in_len, pos, d->cap_max);
	for (int k = 0; k < 2; k++) {
		int r = zs_mark_block(d);
		if (r == ZS_MARK_FULL)
			return 1;   /* a huge block that decodes so far */
		if (r != ZS_MARK_OK || (d->final && k == 0))
			return 0;
		if (d->final)
			return 1;
	}
	return zs_mark_header(d) == ZS_MARK_OK;
}

uint64_t zs_block_find(zs_mark_dec *d, const uint8_t *in, size_t in_len,
		       uint64_t from, uint64_t to)
{
	if (to > (uint64_t)in_len * 8)
		to = (uint64_t)in_len * 8;
	for (uint64_t pos = from; pos < to; pos++)
		if (plausible(in, in_len, pos) && decodes(d, in, in_len, pos))
			return pos;
	return ZS_BLOCK_NONE;
}
