// SPDX-License-Identifier: MIT
/*
 * deflate_piece.c - Deflate pieces that join into one stream.
 *
 * libdeflate compresses a whole buffer into a whole stream, whose last
 * block has BFINAL set, and cannot flush.  To make a piece that others may
 * follow, the stream is walked block by block with zlib's inflate
 * (Z_BLOCK stops at each block boundary and says how many bits of the last
 * byte are unused, as zlib's examples/gzjoin.c does), the last block's
 * BFINAL bit is cleared, and an empty non-final stored block brings the
 * piece to a byte boundary.  The walk decodes the piece once (zlib inflates
 * several times faster than libdeflate compresses at level 6).  When the
 * data does not shrink it goes out as stored blocks instead.
 */
#include <libdeflate.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "deflate_piece.h"

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

/* Clear the BFINAL bit of the block starting after the last byte inflate
 * took, given its unused bits; returns whether it was set. */
static int clear_final_bit(z_stream *s, uint8_t *start)
{
	unsigned unused = (unsigned)s->data_type & 7;
	uint8_t *byte = unused ? (uint8_t *)s->next_in - 1 :
			(uint8_t *)s->next_in;
	unsigned bit = unused ? 0x100u >> unused : 1u;

	if (byte < start || (!s->avail_in && !unused))
		return 0;
	int set = (*byte & bit) != 0;
	*byte &= (uint8_t)~bit;
	return set;
}

/*
 * Make the whole stream piece[0..n) non-final: walk its blocks, clear the
 * last one's BFINAL, and close it with an empty stored block (piece has
 * room for 5 more bytes).  Returns the new length, 0 if the stream could
 * not be walked.
 */
static size_t unfinalize(uint8_t *piece, size_t n)
{
	z_stream s;
	uint8_t scratch[32768];   /* the decoded data, dropped as it comes */
	size_t out = 0;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, -15) != Z_OK)
		return 0;
	s.next_in = piece;
	s.avail_in = (uInt)n;
	int last = piece[0] & 1;
	piece[0] &= (uint8_t)~1u;
	for (;;) {
		if (s.avail_out == 0) {
			s.next_out = scratch;
			s.avail_out = sizeof(scratch);
		}
		int rc = inflate(&s, Z_BLOCK);
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			break;
		if (s.data_type & 128) {
			if (last) {
				out = n;
				break;
			}
			last = clear_final_bit(&s, piece);
		}
		if (rc == Z_BUF_ERROR && s.avail_out)
			break;
	}
	unsigned unused = (unsigned)s.data_type & 7;
	inflateEnd(&s);
	if (!out || s.avail_in != 0)
		return 0;
	piece[n - 1] &= (uint8_t)((0x100u >> unused) - 1);  /* padding: 0 */
	if (unused < 3)     /* the stored block's 3 header bits spill over */
		piece[out++] = 0;
	memcpy(piece + out, "\0\0\xff\xff", 4);
	return out + 4;
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
	n = unfinalize(out, n);
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
