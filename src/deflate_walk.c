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

/*
 * Walk tables, made per block from the first 10 bits of inflate_mark.c's:
 * an entry says how many bits its symbol takes with its extra bits (0-5),
 * whether it is a length (W_LEN), what it adds to the output count or
 * what the distance is: base (16-31) plus extra bits (8-11) after the
 * code; W_SLOW for what only the general tables decode (a longer code,
 * the end of the block, a hole, a symbol outside the alphabet).  A
 * literal counts as a length of 1 with no distance, so the loop takes
 * every symbol the same way, without a branch on its kind.
 */
#define W_BITS 10u
_Static_assert(W_BITS == ZS_MARK_PRIMARY, "walk tables mirror the primary");
#define W_SLOW 0x40u
#define W_LEN 0x80u
#define WE(take, len, extra, base) \
	((uint32_t)(take) | (uint32_t)(len) | (uint32_t)(extra) << 8 | \
	 (uint32_t)(base) << 16)
#define WE_TAKE(e) ((e) & 63u)

typedef struct walker {
	zs_mark_dec d;
	uint32_t lit[1u << W_BITS];
	uint32_t dist[1u << W_BITS];
} walker;

static uint32_t walk_entry(uint32_t e, int dist)
{
	unsigned take = e & 0xff, l = (e >> 8) & 15, x = take - l;

	if ((e & ZS_MARK_F_SUB) || !(e & (ZS_MARK_F_LIT | ZS_MARK_F_LEN)) ||
	    (dist && !(e & ZS_MARK_F_LEN)))
		return W_SLOW;   /* a longer code, a hole, the block's end */
	if (dist)
		return WE(take, 0, x, e >> 16);
	if (e & ZS_MARK_F_LIT)
		return WE(l, 0, 0, 1);
	return WE(take, W_LEN, x, e >> 16);
}

/* inflate_mark.c's tables always have 2^ZS_MARK_PRIMARY primary entries:
 * the walk's are the same size. */
static void walk_tables(walker *wk)
{
	const zs_mark_dec *d = &wk->d;

	for (unsigned i = 0; i < (1u << W_BITS); i++) {
		wk->lit[i] = walk_entry(d->lit[i], 0);
		wk->dist[i] = walk_entry(d->dist[i], 1);
	}
}

/* Base plus the extra bits after the code. */
static inline size_t walk_value(uint32_t e, uint64_t buf)
{
	static const uint16_t mask[16] = { 0, 1, 3, 7, 15, 31, 63, 127, 255,
					   511, 1023, 2047, 4095, 8191 };
	unsigned x = (e >> 8) & 15;
	return (e >> 16) + ((buf >> (WE_TAKE(e) - x)) & mask[x]);
}

/* A symbol's value with its extra bits (entry e), consumed. */
static inline size_t take_value(walk_bits *b, uint32_t e)
{
	unsigned take = e & 0xff, l = (e >> 8) & 15;
	size_t v = (e >> 16) + (size_t)((b->buf & ((1ull << take) - 1)) >> l);
	b->buf >>= take;
	b->cnt -= take;
	return v;
}

/* One whole symbol (with its distance) through the general tables:
 * 0 on, 1 end of block, -1 bad. */
static int slow_symbol(const zs_mark_dec *d, walk_bits *b, size_t *len)
{
	uint32_t e = zs_mark_lookup(d->lit, b->buf);

	if (!(e & (ZS_MARK_F_LIT | ZS_MARK_F_LEN | ZS_MARK_F_END)))
		return -1;
	if (!(e & ZS_MARK_F_LEN)) {
		b->buf >>= e & 0xff;
		b->cnt -= e & 0xff;
		if (e & ZS_MARK_F_END)
			return 1;
		++*len;
		return 0;
	}
	size_t n = take_value(b, e);   /* 15 + 5 + 15 + 13 <= 56 bits */
	e = zs_mark_lookup(d->dist, b->buf);
	if (!(e & ZS_MARK_F_LEN))
		return -1;
	if (take_value(b, e) > *len)
		return -1;
	*len += n;
	return 0;
}

#define TAIL (-1)   /* near the end of the input: zs_mark_skip goes on
		       (not one of enum zs_mark_result) */

/*
 * The body of the Huffman block whose header wk->d just read, while 8
 * bytes of input remain past the bit buffer (so nothing here reads past
 * the end): ZS_MARK_OK after its end-of-block code, TAIL near the end of
 * the input, ZS_MARK_BAD for a hole, a symbol outside the alphabet or a
 * reference before the start.  d->pos and d->len follow.
 */
static int fast_body(walker *wk)
{
	zs_mark_dec *d = &wk->d;
	const uint8_t *stop = d->in + d->in_len - 8;
	size_t len = d->len, far = 0;   /* far: a distance went too far */
	int rc = TAIL;
	walk_bits b = { d->in + (d->pos >> 3), 0, 0 };

	if (d->in_len < 8 || b.p > stop)
		return TAIL;
	walk_tables(wk);
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
		uint32_t e = wk->lit[b.buf & ((1u << W_BITS) - 1)];
		uint64_t rest = b.buf >> WE_TAKE(e);
		uint32_t de = wk->dist[rest & ((1u << W_BITS) - 1)];
		size_t is_len = (e >> 7) & 1;   /* W_LEN */
		if (__builtin_expect((e | (de & (uint32_t)-is_len)) & W_SLOW,
				     0)) {
			int r = slow_symbol(d, &b, &len);
			if (r == 0)
				continue;
			rc = r > 0 ? ZS_MARK_OK : ZS_MARK_BAD;
			break;
		}
		unsigned dtake = WE_TAKE(de) & (unsigned)-is_len;
		far |= (walk_value(de, rest) > len) & is_len;
		len += walk_value(e, b.buf);
		b.buf = rest >> dtake;
		b.cnt -= WE_TAKE(e) + dtake;
	}
	d->pos = (uint64_t)(b.p - d->in) * 8 - b.cnt;
	d->len = len;
	return far ? ZS_MARK_BAD : rc;
}

/* The body of the block whose header d just read. */
static int skip_body(walker *wk)
{
	zs_mark_dec *d = &wk->d;
	int rc = d->type == 0 ? TAIL : fast_body(wk);
	if (rc == ZS_MARK_OK && d->len > d->cap_max)
		rc = ZS_MARK_BAD;
	return rc == TAIL ? zs_mark_skip(d) : rc;
}

int zs_deflate_walk(const uint8_t *in, size_t n, size_t out_len,
		    uint64_t *last_bit, uint64_t *end_bit)
{
	walker *wk = malloc(sizeof(*wk));
	zs_mark_dec *d = wk ? &wk->d : NULL;
	int rc = -1;

	if (!wk || n == 0)
		goto done;
	d->out = NULL;
	d->cap = 0;
	zs_mark_start(d, in, n, 0, out_len);
	for (;;) {
		uint64_t at = d->pos;
		if (zs_mark_header(d) != ZS_MARK_OK ||
		    skip_body(wk) != ZS_MARK_OK)
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
	free(wk);
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
