// SPDX-License-Identifier: MIT
/*
 * deflate_walk.c - the blocks of a whole Deflate stream walked without
 * output: each header read and its tables built by inflate_mark.c, each
 * body's symbols decoded and counted (zs_mark_skip), nothing copied.  It
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

/* A 64-bit bit buffer over the input, kept in locals by the loop. */
typedef struct walk_bits {
	const uint8_t *p;
	uint64_t buf;
	unsigned cnt;         /* valid bits in buf */
} walk_bits;

/* One symbol of table t (primary bits pb, subtable mask sm), unconsumed. */
static inline uint32_t peek_sym(const uint32_t *t, uint64_t buf, unsigned pb,
				uint64_t sm)
{
	uint32_t e = t[buf & ((1u << pb) - 1)];
	if (__builtin_expect(e & ZS_MARK_SUB, 0))
		e = t[ZS_MARK_VALUE(e) + ((buf >> pb) & sm)];
	return e;
}

/* kind 0 with a code length: a literal (0 alone is a hole) */
static inline int is_literal(uint32_t e)
{
	return (e & 0x7fu) - 1u < 31u;
}

#define TAIL (-1)   /* near the end of the input: zs_mark_skip goes on
		       (not one of enum zs_mark_result) */

/*
 * The body of the Huffman block whose header d just read, while 8 bytes of
 * input remain past the bit buffer (so nothing here reads past the end):
 * ZS_MARK_OK after its end-of-block code, TAIL near the end of the input,
 * ZS_MARK_BAD for a hole, a symbol outside the alphabet or a reference
 * before the start.  d->pos and d->len follow.
 */
static int fast_body(zs_mark_dec *d)
{
	const uint8_t *stop = d->in + d->in_len - 8;
	const uint32_t *lit = d->lit, *dist = d->dist;
	unsigned lpb = d->lit_bits & 15, dpb = d->dist_bits & 15;
	uint64_t lsm = (1u << (d->lit_bits >> 4)) - 1;
	uint64_t dsm = (1u << (d->dist_bits >> 4)) - 1;
	size_t len = d->len;
	int rc = TAIL;
	walk_bits b = { d->in + (d->pos >> 3), 0, 0 };

	if (d->in_len < 8 || b.p > stop)
		return TAIL;
	memcpy(&b.buf, b.p, 8);
	b.buf >>= d->pos & 7;     /* 7 bytes counted, the 8th read again */
	b.cnt = 56 - (unsigned)(d->pos & 7);
	b.p += 7;
	while (b.p <= stop) {
		uint64_t v;
		memcpy(&v, b.p, 8);    /* little-endian hosts (x86, arm64) */
		b.buf |= v << b.cnt;   /* at least 56 bits, as libdeflate */
		b.p += (63 - b.cnt) >> 3;
		b.cnt |= 56;
		uint32_t e = peek_sym(lit, b.buf, lpb, lsm);
		unsigned l = ZS_MARK_CODE_LEN(e);
		if (is_literal(e)) {   /* and a second one on the same bits */
			b.buf >>= l;
			b.cnt -= l;
			len++;
			e = peek_sym(lit, b.buf, lpb, lsm);
			if (!is_literal(e))
				continue;
			b.buf >>= ZS_MARK_CODE_LEN(e);
			b.cnt -= ZS_MARK_CODE_LEN(e);
			len++;
			continue;
		}
		if (!l || ZS_MARK_KIND(e) == ZS_MARK_K_BAD) {
			rc = ZS_MARK_BAD;
			break;
		}
		b.buf >>= l;
		b.cnt -= l;
		if (ZS_MARK_KIND(e) == ZS_MARK_K_END) {
			rc = ZS_MARK_OK;
			break;
		}
		unsigned x = ZS_MARK_EXTRA(e);   /* 15 + 5 + 15 + 13 <= 56 */
		size_t n = ZS_MARK_VALUE(e) + (b.buf & ((1u << x) - 1));
		b.buf >>= x;
		b.cnt -= x;
		e = peek_sym(dist, b.buf, dpb, dsm);
		l = ZS_MARK_CODE_LEN(e);
		x = ZS_MARK_EXTRA(e);
		size_t back = ZS_MARK_VALUE(e) +
			      ((b.buf >> l) & ((1u << x) - 1));
		if (!l || ZS_MARK_KIND(e) == ZS_MARK_K_BAD || back > len) {
			rc = ZS_MARK_BAD;
			break;
		}
		b.buf >>= l + x;
		b.cnt -= l + x;
		len += n;
	}
	d->pos = (uint64_t)(b.p - d->in) * 8 - b.cnt;
	d->len = len;
	return rc;
}

/* The body of the block whose header d just read. */
static int skip_body(zs_mark_dec *d)
{
	int rc = d->type == 0 ? TAIL : fast_body(d);
	if (rc == ZS_MARK_OK && d->len > d->cap_max)
		rc = ZS_MARK_BAD;
	return rc == TAIL ? zs_mark_skip(d) : rc;
}

int zs_deflate_walk(const uint8_t *in, size_t n, size_t out_len,
		    uint64_t *last_bit, uint64_t *end_bit)
{
	zs_mark_dec *d = malloc(sizeof(*d));
	int rc = -1;

	if (!d || n == 0)
		goto done;
	d->out = NULL;
	d->cap = 0;
	zs_mark_start(d, in, n, 0, out_len);
	for (;;) {
		uint64_t at = d->pos;
		if (zs_mark_header(d) != ZS_MARK_OK ||
		    skip_body(d) != ZS_MARK_OK)
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
