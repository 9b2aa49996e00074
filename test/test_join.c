// SPDX-License-Identifier: MIT
/*
 * test_join.c - the walk that joins Deflate pieces (suite join): the fast
 * walker of deflate_walk.c finds the same last block and end as zlib's
 * inflate(Z_BLOCK) on libdeflate's output at every level, on stored,
 * fixed and dynamic blocks, on streams ending exactly on a byte boundary;
 * what it cannot account for (damage, truncation, a reference before the
 * start, a wrong length) it refuses, and it never accepts what zlib
 * refuses (random mutations).  Pieces made non-final through it are the
 * bytes the zlib walk makes.
 */
#include <libdeflate.h>
#include <zlib.h>

#include "deflate_piece.h"
#include "deflate_walk.h"
#include "helpers.h"

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 17, *s ^= *s << 5;
	return *s;
}

/* kind 0: text, 1: random bytes, 2: half and half, 3: zeros, 4: few
 * symbols (a skewed alphabet: long and short codes). */
static uint8_t *make_data(size_t len, int kind, uint32_t seed)
{
	static const char words[] = "the walker decodes symbols, never bytes\n";
	uint8_t *p = malloc(len ? len : 1);
	cr_assert_not_null(p);
	for (size_t k = 0; k < len; k++) {
		uint32_t r = next_rand(&seed);
		if (kind == 0 || (kind == 2 && k < len / 2))
			p[k] = (uint8_t)(words[(k + r % 3) % 40]);
		else if (kind == 3)
			p[k] = 0;
		else if (kind == 4)
			p[k] = (uint8_t)(__builtin_ctz(r | 0x10000) * 7);
		else
			p[k] = (uint8_t)r;
	}
	return p;
}

typedef struct walked {
	int rc;
	uint64_t last, end;
} walked;

static walked walk_fast(const uint8_t *in, size_t n, size_t len)
{
	walked w = { 0, 0, 0 };
	w.rc = zs_deflate_walk(in, n, len, &w.last, &w.end);
	return w;
}

static walked walk_zlib(const uint8_t *in, size_t n, size_t len)
{
	walked w = { 0, 0, 0 };
	w.rc = zs_deflate_walk_zlib(in, n, len, &w.last, &w.end);
	return w;
}

/* Both walks succeed with the same answer; the block type of the last
 * block is returned. */
static unsigned same_walk(const uint8_t *in, size_t n, size_t len,
			  const char *what)
{
	walked f = walk_fast(in, n, len), z = walk_zlib(in, n, len);
	cr_assert_eq(z.rc, 0, "%s: zlib refuses", what);
	cr_assert_eq(f.rc, 0, "%s: the walk refuses", what);
	cr_assert_eq(f.last, z.last, "%s: last block at %llu, zlib %llu", what,
		     (unsigned long long)f.last, (unsigned long long)z.last);
	cr_assert_eq(f.end, z.end, "%s: end", what);
	cr_assert_eq((f.end + 7) / 8, n, "%s: ends in the last byte", what);
	cr_assert(in[f.last >> 3] & (1u << (f.last & 7)), "%s: BFINAL", what);
	unsigned bits = (unsigned)(in[(f.last + 1) >> 3] |
				   in[((f.last + 1) >> 3) + 1] << 8);
	return (bits >> ((f.last + 1) & 7)) & 3;
}

/* The piece made non-final by both walks: the same bytes, and it decodes
 * alone to data (followed by a final empty block). */
static void same_piece(const uint8_t *stream, size_t n, const uint8_t *data,
		       size_t len)
{
	uint8_t *a = malloc(n + 16), *b = malloc(n + 16), *back = malloc(len + 1);
	memcpy(a, stream, n);
	memcpy(b, stream, n);
	size_t na = zs_deflate_unfinalize(a, n, len, 0);
	size_t nb = zs_deflate_unfinalize(b, n, len, 1);
	cr_assert_gt(na, 0);
	cr_assert_eq(na, nb);
	cr_assert_eq(memcmp(a, b, na), 0, "the two walks' pieces differ");
	cr_assert_eq(memcmp(a + na - 4, "\0\0\xff\xff", 4), 0);
	memcpy(a + na, "\x03\x00", 2);   /* an empty final fixed block */
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	size_t got = 0;
	cr_assert_eq(libdeflate_deflate_decompress(d, a, na + 2, back, len + 1,
						   &got), 0);
	cr_assert_eq(got, len);
	cr_assert_eq(memcmp(back, data, len), 0);
	libdeflate_free_decompressor(d);
	free(a), free(b), free(back);
}

Test(join, walk_agrees_with_zlib_on_libdeflate_output)
{
	static const size_t lens[] = { 1, 7, 100, 1000, 30000, 65536, 200000,
				       1 << 20 };
	static const int levels[] = { 1, 6, 9, 12 };
	unsigned types = 0;   /* the last blocks' types seen */
	char what[96];

	for (size_t li = 0; li < 4; li++) {
		struct libdeflate_compressor *c =
			libdeflate_alloc_compressor(levels[li]);
		for (size_t k = 0; k < sizeof(lens) / sizeof(*lens); k++)
			for (int kind = 0; kind < 5; kind++) {
				size_t len = lens[k], cap = len + len / 8 + 64;
				uint8_t *data = make_data(len, kind, 7 + kind);
				uint8_t *out = malloc(cap);
				size_t n = libdeflate_deflate_compress(
					c, data, len, out, cap);
				cr_assert_gt(n, 0);
				snprintf(what, sizeof(what), "level %d, %zu bytes"
					 " of kind %d", levels[li], len, kind);
				types |= 1u << same_walk(out, n, len, what);
				if (levels[li] == 6)
					same_piece(out, n, data, len);
				free(data), free(out);
			}
		libdeflate_free_compressor(c);
	}
	cr_assert_eq(types, 7, "stored, fixed and dynamic last blocks (%u)",
		     types);
}

/* zlib's deflate with flushes and strategies: stored, fixed and dynamic
 * blocks in one stream, empty blocks, a final block after a flush. */
static size_t zlib_stream(const uint8_t *in, size_t len, int level,
			  int strategy, uint8_t *out, size_t cap)
{
	z_stream s = { 0 };
	cr_assert_eq(deflateInit2(&s, level, Z_DEFLATED, -15, 8, strategy),
		     Z_OK);
	s.next_out = out, s.avail_out = (uInt)cap;
	s.next_in = (uint8_t *)in, s.avail_in = (uInt)(len / 2);
	cr_assert_eq(deflate(&s, Z_FULL_FLUSH), Z_OK);
	cr_assert_eq(deflateParams(&s, level ? 1 : 0, Z_FIXED), Z_OK);
	s.avail_in = (uInt)(len - len / 2);
	cr_assert_eq(deflate(&s, Z_SYNC_FLUSH), Z_OK);
	cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
	size_t n = s.total_out;
	deflateEnd(&s);
	return n;
}

Test(join, stored_fixed_and_dynamic_blocks_from_zlib)
{
	static const int strategies[] = { Z_DEFAULT_STRATEGY, Z_FIXED,
					  Z_HUFFMAN_ONLY, Z_RLE };
	size_t len = 150000, cap = 2 * len + 1024;
	uint8_t *out = malloc(cap);
	char what[64];

	for (int kind = 0; kind < 5; kind++) {
		uint8_t *data = make_data(len, kind, 11);
		for (int level = 0; level <= 9; level += 3)
			for (int st = 0; st < 4; st++) {
				size_t n = zlib_stream(data, len, level,
						       strategies[st], out, cap);
				snprintf(what, sizeof(what), "zlib level %d "
					 "strategy %d kind %d", level, st, kind);
				same_walk(out, n, len, what);
				same_piece(out, n, data, len);
			}
		free(data);
	}
	free(out);
}

/* Streams whose end-of-block code ends exactly on a byte boundary (the
 * closing stored block then needs a byte of its own) and ones ending in
 * each other bit position. */
Test(join, ends_on_every_bit_position)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	uint8_t out[4096];
	unsigned seen = 0;

	for (size_t len = 1; len < 3000 && seen != 0xff; len += 1) {
		uint8_t *data = make_data(len, 0, (uint32_t)len);
		size_t n = libdeflate_deflate_compress(c, data, len, out,
						       sizeof(out));
		walked w = walk_fast(out, n, len);
		cr_assert_eq(w.rc, 0);
		unsigned bit = (unsigned)(w.end & 7);
		if (!(seen & (1u << bit))) {
			seen |= 1u << bit;
			same_walk(out, n, len, "bit position");
			same_piece(out, n, data, len);
		}
		free(data);
	}
	cr_assert_eq(seen, 0xff, "every end bit position met (%#x)", seen);
	libdeflate_free_compressor(c);
}

Test(join, damaged_truncated_or_misdescribed_refused)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	size_t len = 300000, cap = len + 4096;
	uint8_t *data = make_data(len, 2, 5), *out = malloc(cap + 8);
	size_t n = libdeflate_deflate_compress(c, data, len, out, cap);

	cr_assert_eq(walk_fast(out, n, len).rc, 0);
	cr_assert_eq(walk_fast(out, n, len + 1).rc, -1, "longer");
	cr_assert_eq(walk_fast(out, n, len - 1).rc, -1, "shorter");
	cr_assert_eq(walk_fast(out, n - 1, len).rc, -1, "truncated");
	cr_assert_eq(walk_zlib(out, n - 1, len).rc, -1, "truncated");
	out[n] = 0;
	cr_assert_eq(walk_fast(out, n + 1, len).rc, -1, "a byte after it");
	cr_assert_eq(walk_zlib(out, n + 1, len).rc, -1, "a byte after it");
	cr_assert_eq(walk_fast(out, 0, 0).rc, -1, "empty");
	/* a truncated stream: neither walk makes a piece of it */
	cr_assert_eq(zs_deflate_unfinalize(out, n - 1, len, 0), 0);
	free(data), free(out);
	libdeflate_free_compressor(c);
}

/* The part of a zlib stream after a sync flush: the flush keeps the
 * window, so its matches reach back before that part's start. */
Test(join, reference_before_the_start_refused)
{
	size_t len = 40000, cap = len + 1024;
	uint8_t *data = make_data(len, 0, 3), *out = malloc(cap);
	z_stream s = { 0 };

	cr_assert_eq(deflateInit2(&s, 6, Z_DEFLATED, -15, 8, 0), Z_OK);
	s.next_out = out, s.avail_out = (uInt)cap;
	s.next_in = data, s.avail_in = (uInt)(len / 2);
	cr_assert_eq(deflate(&s, Z_SYNC_FLUSH), Z_OK);
	size_t half = s.total_out;
	s.avail_in = (uInt)(len - len / 2);
	cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
	size_t n = s.total_out;
	deflateEnd(&s);
	same_walk(out, n, len, "whole");
	cr_assert_eq(walk_fast(out + half, n - half, len - len / 2).rc, -1);
	cr_assert_eq(walk_zlib(out + half, n - half, len - len / 2).rc, -1);
	free(data), free(out);
}

/* Random bit flips and byte changes in libdeflate's output: whatever the
 * walk accepts, zlib accepts with the same answer. */
Test(join, mutations_never_accepted_where_zlib_refuses)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	uint32_t seed = 12345;
	unsigned refused = 0, accepted = 0;

	for (int round = 0; round < 40; round++) {
		size_t len = 1000 + next_rand(&seed) % 60000, cap = len + 1024;
		int kind = (int)(next_rand(&seed) % 5);
		uint8_t *data = make_data(len, kind, seed), *out = malloc(cap);
		uint8_t *m = malloc(cap);
		size_t n = libdeflate_deflate_compress(c, data, len, out, cap);
		for (int k = 0; k < 50; k++) {
			memcpy(m, out, n);
			size_t at = next_rand(&seed) % n;
			if (k & 1)
				m[at] ^= (uint8_t)(1u << (next_rand(&seed) & 7));
			else
				m[at] = (uint8_t)next_rand(&seed);
			walked f = walk_fast(m, n, len), z = walk_zlib(m, n, len);
			if (f.rc != 0) {
				refused++;
				continue;
			}
			accepted++;
			cr_assert_eq(z.rc, 0, "round %d: zlib refuses what the "
				     "walk accepts (byte %zu)", round, at);
			cr_assert_eq(f.last, z.last);
			cr_assert_eq(f.end, z.end);
		}
		free(data), free(out), free(m);
	}
	/* both sides met: a change inside the data often still decodes */
	cr_assert_gt(refused, 500, "%u of %u refused", refused,
		     refused + accepted);
	cr_assert_gt(accepted, 100, "%u of %u accepted", accepted,
		     refused + accepted);
	libdeflate_free_compressor(c);
}
