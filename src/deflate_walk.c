// SPDX-License-Identifier: MIT
/*
 * deflate_walk.c - the blocks of a whole Deflate stream walked without
 * output: each header read and its tables built, each body's symbols
 * decoded and counted, nothing copied (inflate_mark.c's zs_mark_header and
 * zs_mark_skip, which has a fast loop of its own for this).  It
 * finds the last block's header several times faster than zlib's
 * inflate(Z_BLOCK), which writes every byte of the data.  Strict: what it
 * cannot account for exactly (a wrong length, a block after the final
 * one, bits left over) is refused and the caller falls back to zlib's
 * walk, kept here too (as zlib's examples/gzjoin.c walks blocks).
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "deflate_walk.h"
#include "inflate_mark.h"

int zs_deflate_walk(const uint8_t *in, size_t n, size_t out_len,
		    uint64_t *last_bit, uint64_t *end_bit)
{
	zs_mark_dec *d = malloc(sizeof(*d));
	int rc = -1;

	if (!d || n == 0)
		goto done;
	d->out = NULL;   /* never written: zs_mark_skip keeps no output */
	d->cap = 0;
	zs_mark_start(d, in, n, 0, out_len);
	for (;;) {
		uint64_t at = d->pos;
		if (zs_mark_header(d) != ZS_MARK_OK ||
		    zs_mark_skip(d) != ZS_MARK_OK)
			goto done;
		if (d->final) {
			*last_bit = at;
			break;
		}
	}
	*end_bit = d->pos;
	if (d->len == out_len && (d->pos + 7) / 8 == n)
		rc = 0;
done:
	free(d);
	return rc;
}

/* The bit after the last one inflate took. */
static uint64_t zlib_bit(const z_stream *s, const uint8_t *in)
{
	return (uint64_t)(s->next_in - in) * 8 - ((unsigned)s->data_type & 7);
}

int zs_deflate_walk_zlib(const uint8_t *in, size_t n, size_t out_len,
			 uint64_t *last_bit, uint64_t *end_bit)
{
	z_stream s;
	uint8_t scratch[32768];   /* the decoded data, dropped as it comes */
	uint64_t block = 0;       /* where the block being decoded starts */
	int rc;

	memset(&s, 0, sizeof(s));
	if (n > UINT_MAX || inflateInit2(&s, -15) != Z_OK)
		return -1;
	s.next_in = (uint8_t *)in;
	s.avail_in = (uInt)n;
	*last_bit = *end_bit = 0;
	do {   /* stops after every block, the final one too (64 set) */
		s.next_out = scratch;
		s.avail_out = sizeof(scratch);
		rc = inflate(&s, Z_BLOCK);
		if (rc != Z_OK || !(s.data_type & 128))
			continue;
		if (s.data_type & 64) {
			*last_bit = block;
			*end_bit = zlib_bit(&s, in);
			break;
		}
		block = zlib_bit(&s, in);
	} while (rc == Z_OK || (rc == Z_BUF_ERROR && !s.avail_out));
	int ok = *end_bit && s.total_out == out_len &&
		 (*end_bit + 7) / 8 == n;
	inflateEnd(&s);
	return ok ? 0 : -1;
}
