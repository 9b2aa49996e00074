/* SPDX-License-Identifier: MIT */
/*
 * test_mark.c - the marker-mode Deflate decoder (src/inflate_mark.c) on
 * its own: entered mid-stream after a zlib sync flush (so the output
 * offset and the true window are known), its output with the markers
 * resolved from that window must be the original bytes, for every zlib
 * strategy; and zs_mark_tail_clean must say "clean" exactly when the last
 * 32 KiB hold no marker, however loose the bound kept while decoding.
 */
#include <zlib.h>

#include "helpers.h"
#include "inflate_mark.h"

static uint64_t seed = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	return xorshift64(&seed);
}

/* Text-like words, binary noise, zero runs and copies from up to 40,000
 * back, mixed in pieces; or, `fresh`, only noise and copies from up to
 * 2,000 back (words and zero runs would be copied from the first ones for
 * ever, and so would the markers standing for them). */
static void make_data(uint8_t *p, size_t n, int fresh)
{
	static const char *words[] = { "zip ", "scan ", "deflate ", "block ",
				       "chunk ", "marker ", "window\n", "the " };
	for (size_t k = 0; k < n;) {
		uint64_t r = rnd();
		size_t len = 1 + (size_t)(r >> 40) % 400;
		if (len > n - k)
			len = n - k;
		for (size_t q = 0; q < len; q++) {
			switch (fresh ? 1 + (r & 2) : r % 4) {
			case 0:
				p[k + q] = (uint8_t)words[(r >> 8) % 8]
							[q % 4];
				break;
			case 1:
				p[k + q] = (uint8_t)rnd();
				break;
			case 2:
				p[k + q] = 0;
				break;
			default: {
				size_t far = fresh ? 2000 : 40000;
				size_t back = 1 + (size_t)(r >> 20) % far;
				p[k + q] = k + q >= back ? p[k + q - back] : 9;
			}
			}
		}
		k += len;
	}
}

typedef struct flushed {
	uint8_t *data, *comp;
	size_t n, clen;
	size_t at;        /* the sync flush: output offset */
	uint64_t bit;     /* and the bit where the next block starts */
} flushed;

/* n bytes compressed with one strategy, a sync flush after `at` bytes. */
static flushed make_flushed(size_t n, size_t at, int level, int strategy,
			    int fresh)
{
	flushed f = { malloc(n), NULL, n, 0, at, 0 };
	size_t cap = n + n / 8 + 4096;
	f.comp = malloc(cap);
	cr_assert(f.data && f.comp);
	make_data(f.data, n, fresh);
	z_stream z = { 0 };
	cr_assert_eq(deflateInit2(&z, level, Z_DEFLATED, -15, 8, strategy),
		     Z_OK);
	z.next_out = f.comp;
	z.avail_out = (uInt)cap;
	z.next_in = f.data;
	z.avail_in = (uInt)at;
	cr_assert_eq(deflate(&z, Z_SYNC_FLUSH), Z_OK);
	f.bit = (uint64_t)z.total_out * 8;
	z.avail_in = (uInt)(n - at);
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	f.clen = z.total_out;
	deflateEnd(&z);
	return f;
}

/* Decode from the flush to the end with markers; resolved from the true
 * window, the output must be the bytes after the flush. */
static void check_from_flush(const flushed *f, const char *what)
{
	zs_mark_dec *d = calloc(1, sizeof(*d));
	cr_assert_not_null(d);
	zs_mark_start(d, f->comp, f->clen, f->bit, f->n);
	do
		cr_assert_eq(zs_mark_block(d), ZS_MARK_OK, "%s: a block "
			     "failed at output %zu", what, d->len);
	while (!d->final);
	cr_assert_eq(d->len, f->n - f->at, "%s: size", what);
	cr_assert_eq((d->pos + 7) / 8, f->clen, "%s: input used", what);
	cr_assert_geq(zs_mark_resolve(d, f->data + f->at - ZS_MARK_WINDOW,
				      ZS_MARK_WINDOW), 0);
	cr_assert(memcmp(d->out, f->data + f->at, d->len) == 0,
		  "%s: bytes differ", what);
	zs_mark_free(d);
}

Test(mark, from_a_sync_flush_every_strategy)
{
	static const int strat[][2] = {
		{ 1, Z_DEFAULT_STRATEGY }, { 6, Z_DEFAULT_STRATEGY },
		{ 9, Z_DEFAULT_STRATEGY }, { 6, Z_FIXED },
		{ 6, Z_HUFFMAN_ONLY }, { 6, Z_RLE }, { 0, Z_DEFAULT_STRATEGY } };
	for (size_t k = 0; k < sizeof(strat) / sizeof(strat[0]); k++) {
		char what[64];
		snprintf(what, sizeof(what), "level %d strategy %d",
			 strat[k][0], strat[k][1]);
		flushed f = make_flushed(700000, 100000 + 977 * k, strat[k][0],
					 strat[k][1], 0);
		check_from_flush(&f, what);
		free(f.data);
		free(f.comp);
	}
}

/* The decoder's output by hand: markers where asked, bytes elsewhere. */
static zs_mark_dec *hand_made(size_t len, const size_t *marks, size_t nm,
			      size_t bound)
{
	zs_mark_dec *d = calloc(1, sizeof(*d));
	cr_assert_not_null(d);
	d->out = malloc(len * sizeof(*d->out));
	cr_assert_not_null(d->out);
	for (size_t k = 0; k < len; k++)
		d->out[k] = (uint16_t)(k & 0xff);
	for (size_t k = 0; k < nm; k++)
		d->out[marks[k]] = (uint16_t)(ZS_MARK_BIT | (marks[k] & 0x7fff));
	d->len = d->cap = len;
	d->marker_end = bound;
	return d;
}

Test(mark, tail_clean_exact)
{
	size_t len = 100000, lo = len - ZS_MARK_WINDOW;
	/* a marker just before the window: clean, whatever the bound */
	size_t before[] = { 5, lo - 1 };
	zs_mark_dec *d = hand_made(len, before, 2, len);
	cr_assert(zs_mark_tail_clean(d));
	cr_assert_eq(d->marker_end, lo, "the bound comes down to the last "
		     "marker + 1");
	zs_mark_free(d);
	/* one marker at each place inside the window (ends and a middle) */
	size_t inside[] = { lo, lo + 1, lo + 3, lo + 4, lo + 5123,
			    len - 5, len - 1 };
	for (size_t k = 0; k < sizeof(inside) / sizeof(inside[0]); k++) {
		d = hand_made(len, &inside[k], 1, len);
		cr_assert(!zs_mark_tail_clean(d), "marker at %zu missed",
			  inside[k]);
		cr_assert_eq(d->marker_end, inside[k] + 1);
		zs_mark_free(d);
	}
	/* too short to have a full window of its own */
	d = hand_made(ZS_MARK_WINDOW - 1, NULL, 0, 0);
	cr_assert(!zs_mark_tail_clean(d));
	zs_mark_free(d);
}

/* Data whose copies are near: new literals push the markers out of the
 * last 32 KiB; the window the decoder then holds must be the true one. */
Test(mark, tail_clean_on_a_stream)
{
	flushed f = make_flushed(600000, 200000, 6, Z_DEFAULT_STRATEGY,
				 1);
	zs_mark_dec *d = calloc(1, sizeof(*d));
	cr_assert_not_null(d);
	zs_mark_start(d, f.comp, f.clen, f.bit, f.n);
	int clean = 0;
	while (!d->final && !(clean = zs_mark_tail_clean(d)))
		cr_assert_eq(zs_mark_block(d), ZS_MARK_OK);
	cr_assert(clean, "markers never died out: the test tests nothing");
	for (size_t k = d->len - ZS_MARK_WINDOW; k < d->len; k++)
		cr_assert_eq(d->out[k], f.data[f.at + k], "at %zu", k);
	zs_mark_free(d);
	free(f.data);
	free(f.comp);
}

/* Resolution: bytes stay, markers take the window's byte, in blocks of 32
 * and in the tail after them, in place or not; markers counted; one before
 * the known part refused. */
Test(mark, resolve_counts_and_refuses)
{
	enum { N = 101 };
	static uint8_t win[ZS_MARK_WINDOW];
	uint16_t src[N], in_place[N];
	uint8_t want[N], got[N];
	size_t known = 1000, first = ZS_MARK_WINDOW - known, nm = 0;
	for (size_t k = 0; k < ZS_MARK_WINDOW; k++)
		win[k] = (uint8_t)(k * 7 + 3);
	for (size_t k = 0; k < N; k++) {
		int mark = k % 3 == 0 || k > 96;   /* some in the tail too */
		size_t p = first + (k * 37) % known;
		src[k] = mark ? (uint16_t)(ZS_MARK_BIT | p) : (uint16_t)(k + 50);
		want[k] = mark ? win[p] : (uint8_t)(k + 50);
		nm += (size_t)mark;
	}
	cr_assert_eq(zs_mark_resolve_to(src, N, win, known, got), (int64_t)nm);
	cr_assert(memcmp(got, want, N) == 0);
	memcpy(in_place, src, sizeof(src));
	cr_assert_eq(zs_mark_resolve_to(in_place, N, win, known,
					(uint8_t *)in_place), (int64_t)nm);
	cr_assert(memcmp(in_place, want, N) == 0, "in place");
	for (size_t at = 0; at < N; at += 50) {   /* in a block, in the tail */
		memcpy(in_place, src, sizeof(src));
		in_place[at] = (uint16_t)(ZS_MARK_BIT | (first - 1));
		cr_assert_eq(zs_mark_resolve_to(in_place, N, win, known, got),
			     -1, "marker before the known part at %zu", at);
	}
}
