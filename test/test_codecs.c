/* SPDX-License-Identifier: MIT */
/*
 * test_codecs.c - the zstd, bzip2, LZMA and xz decoders driven through
 * codec.h directly, on streams made here by the same libraries' encoders:
 * whole and in chunks of a few bytes, concatenated, truncated, corrupted,
 * longer than declared, over the memory limit, and with hostile headers;
 * then end to end through the zipscan command on archives from
 * test/fixtures.py.
 */
#include <bzlib.h>
#include <lzma.h>
#include <zstd.h>

#include "codec.h"
#include "helpers.h"

#define LIMIT (256ull << 20)  /* --memory-limit's default */
#define SMALL_LIMIT (64u << 10)
#define SAMPLE 200000u        /* bytes in the usual sample */
#define LZMA_EOPM 0x0002u     /* general purpose flag bit 1 */
#define STREAM_MAX (2 * SAMPLE + 4096)

typedef struct {
	uint8_t *p;
	size_t n;
} bytes;

/* Text-like data: words from a small vocabulary, so every codec finds
 * matches, with a pseudo-random order (deterministic per seed). */
static bytes sample(size_t n, unsigned seed)
{
	static const char *const words[] = {
		"zip ", "scan ", "entry ", "header ", "central ", "window ",
		"the ", "of ", "stream\n", "block ", "0x1f ", "CRC-32 ",
	};
	bytes b = { malloc(n ? n : 1), n };
	uint32_t x = seed * 2654435761u + 1;
	cr_assert_not_null(b.p);
	for (size_t i = 0; i < n;) {
		x = x * 1103515245u + 12345u;
		const char *w = words[(x >> 16) % 12];
		for (size_t k = 0; w[k] && i < n; k++)
			b.p[i++] = (uint8_t)w[k];
	}
	return b;
}

/* ---- encoders ----------------------------------------------------------- */

/* A zstd frame; window_log 0: the default.  No content size in the header
 * when window_log is set, so the frame's window is what it says. */
static bytes zstd_make(bytes d, int checksum, int window_log)
{
	bytes z = { malloc(ZSTD_compressBound(d.n)), 0 };
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum);
	if (window_log) {
		ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log);
		ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
	}
	z.n = ZSTD_compress2(c, z.p, ZSTD_compressBound(d.n), d.p, d.n);
	cr_assert(!ZSTD_isError(z.n), "%s", ZSTD_getErrorName(z.n));
	ZSTD_freeCCtx(c);
	return z;
}

static bytes bzip2_make(bytes d)
{
	unsigned n = (unsigned)(d.n + d.n / 100 + 600);
	bytes z = { malloc(n), 0 };
	cr_assert_eq(BZ2_bzBuffToBuffCompress((char *)z.p, &n, (char *)d.p,
					      (unsigned)d.n, 9, 0, 0), BZ_OK);
	z.n = n;
	return z;
}

static bytes xz_make(bytes d, uint32_t preset, lzma_check check)
{
	size_t cap = lzma_stream_buffer_bound(d.n);
	bytes z = { malloc(cap), 0 };
	cr_assert_eq(lzma_easy_buffer_encode(preset, check, NULL, d.p, d.n,
					     z.p, &z.n, cap), LZMA_OK);
	return z;
}

/* LZMA as ZIP stores it: version, properties size, lc/lp/pb, dictionary,
 * raw LZMA1, with or without the end marker. */
static bytes lzma_make(bytes d, int eopm, uint32_t dict)
{
	lzma_options_lzma opt;
	cr_assert(!lzma_lzma_preset(&opt, 6));
	opt.dict_size = dict;
	opt.ext_flags = 0;  /* LZMA1EXT: no end marker */
	lzma_filter f[] = {
		{ eopm ? LZMA_FILTER_LZMA1 : LZMA_FILTER_LZMA1EXT, &opt },
		{ LZMA_VLI_UNKNOWN, NULL },
	};
	size_t cap = d.n + d.n / 2 + 1024;
	bytes z = { malloc(cap), 9 };
	z.p[0] = 16, z.p[1] = 2, z.p[2] = 5, z.p[3] = 0;
	z.p[4] = (uint8_t)((opt.pb * 5 + opt.lp) * 9 + opt.lc);
	for (int k = 0; k < 4; k++)
		z.p[5 + k] = (uint8_t)(dict >> 8 * k);
	cr_assert_eq(lzma_raw_buffer_encode(f, NULL, d.p, d.n, z.p, &z.n, cap),
		     LZMA_OK);
	return z;
}

static bytes cat(bytes a, bytes b)
{
	bytes c = { malloc(a.n + b.n + 1), a.n + b.n };
	memcpy(c.p, a.p, a.n);
	memcpy(c.p + a.n, b.p, b.n);
	return c;
}

/* ---- the cases: one per codec and form --------------------------------- */

typedef struct {
	const char *name;
	const zs_codec_ops *ops;
	unsigned flags;
	int checked;    /* the stream has its own check of the output */
	bytes (*make)(bytes d);
} codec_case;

static bytes make_zstd(bytes d) { return zstd_make(d, 1, 0); }
static bytes make_bzip2(bytes d) { return bzip2_make(d); }
static bytes make_lzma_eopm(bytes d) { return lzma_make(d, 1, 1u << 20); }
static bytes make_lzma_sized(bytes d) { return lzma_make(d, 0, 1u << 20); }
static bytes make_xz(bytes d) { return xz_make(d, 6, LZMA_CHECK_CRC64); }

static const codec_case cases[] = {
	{ "zstd", &zs_codec_zstd, 0, 1, make_zstd },
	{ "bzip2", &zs_codec_bzip2, 0, 1, make_bzip2 },
	{ "lzma+eopm", &zs_codec_lzma, LZMA_EOPM, 0, make_lzma_eopm },
	{ "lzma", &zs_codec_lzma, 0, 0, make_lzma_sized },
	{ "xz", &zs_codec_xz, 0, 1, make_xz },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* ---- drivers ------------------------------------------------------------ */

typedef struct {
	zs_codec_result r;  /* of start if it failed, else of the last run */
	int why;
	uint64_t need;
	bytes out;
} decoded;

/* As decode.c does a whole entry: one buffer of usize + 1 bytes. */
static decoded whole(const zs_codec_ops *c, void *st, bytes in,
		     unsigned flags, uint64_t usize, uint64_t limit)
{
	decoded d = { .out = { malloc(usize + 1), 0 } };
	d.r = c->start(st, in.p, in.n, flags, usize, limit);
	if (d.r == ZS_CODEC_END)
		d.r = c->run(st, d.out.p, &d.out.n, usize + 1);
	d.why = c->why(st, &d.need);
	return d;
}

/* As decode.c streams with history 0, with a buffer of 1..7 bytes: each
 * FULL must fill it, and the number of calls is bounded (no spinning). */
static decoded chunks(const zs_codec_ops *c, void *st, bytes in,
		      unsigned flags, uint64_t usize)
{
	decoded d = { .out = { malloc(usize + 8), 0 } };
	uint8_t buf[8];
	d.r = c->start(st, in.p, in.n, flags, usize, LIMIT);
	for (size_t k = 0; d.r == ZS_CODEC_END && k <= usize + 1; k++) {
		size_t pos = 0, cap = 1 + k % 7;
		d.r = c->run(st, buf, &pos, cap);
		cr_assert_leq(pos, cap);
		cr_assert(d.r != ZS_CODEC_FULL || pos == cap);
		cr_assert_leq(d.out.n + pos, usize + 8);
		memcpy(d.out.p + d.out.n, buf, pos);
		d.out.n += pos;
		if (d.r != ZS_CODEC_FULL)
			break;
		d.r = ZS_CODEC_END;
	}
	d.why = c->why(st, &d.need);
	return d;
}

static void expect_output(const char *what, decoded d, bytes want)
{
	cr_assert_eq(d.r, ZS_CODEC_END, "%s: result %d, why %d", what, d.r,
		     d.why);
	cr_assert_eq(d.out.n, want.n, "%s: %zu bytes, want %zu", what,
		     d.out.n, want.n);
	cr_assert(!memcmp(d.out.p, want.p, want.n), "%s: output differs",
		  what);
}

/* Decoded whole and in chunks, in gives want. */
static void expect_both_ways(const char *what, const zs_codec_ops *c,
			     void *st, bytes in, bytes want)
{
	decoded r = whole(c, st, in, 0, want.n, LIMIT);
	expect_output(what, r, want);
	free(r.out.p);
	r = chunks(c, st, in, 0, want.n);
	expect_output(what, r, want);
	free(r.out.p);
}

/* ---- round trips -------------------------------------------------------- */

Test(codecs, round_trip_whole)
{
	static const size_t sizes[] = { 0, 1, 1000, SAMPLE };
	for (size_t k = 0; k < NCASES; k++) {
		const codec_case *cc = &cases[k];
		void *st = cc->ops->create();
		cr_assert_not_null(st);
		cr_assert_eq(cc->ops->history, 0);
		for (size_t s = 0; s < 4; s++) {
			bytes d = sample(sizes[s], (unsigned)s);
			bytes z = cc->make(d);
			decoded r = whole(cc->ops, st, z, cc->flags, d.n, LIMIT);
			expect_output(cc->name, r, d);
			free(r.out.p), free(z.p), free(d.p);
		}
		cc->ops->destroy(st);
	}
}

Test(codecs, round_trip_in_tiny_chunks)
{
	bytes d = sample(20000, 7);
	for (size_t k = 0; k < NCASES; k++) {
		const codec_case *cc = &cases[k];
		void *st = cc->ops->create();
		bytes z = cc->make(d);
		decoded r = chunks(cc->ops, st, z, cc->flags, d.n);
		expect_output(cc->name, r, d);
		free(r.out.p), free(z.p);
		cc->ops->destroy(st);
	}
	free(d.p);
}

/* One state, many entries: a failed entry leaves nothing behind. */
Test(codecs, state_reused_after_an_error)
{
	bytes a = sample(5000, 1), b = sample(70000, 2);
	for (size_t k = 0; k < NCASES; k++) {
		const codec_case *cc = &cases[k];
		void *st = cc->ops->create();
		bytes za = cc->make(a), zb = cc->make(b);
		bytes cut = { zb.p, zb.n / 2 };
		for (int round = 0; round < 3; round++) {
			decoded r = whole(cc->ops, st, cut, cc->flags, b.n,
					  LIMIT);
			cr_assert_eq(r.r, ZS_CODEC_BAD, "%s", cc->name);
			free(r.out.p);
			r = whole(cc->ops, st, za, cc->flags, a.n, LIMIT);
			expect_output(cc->name, r, a);
			free(r.out.p);
			r = whole(cc->ops, st, zb, cc->flags, b.n, LIMIT);
			expect_output(cc->name, r, b);
			free(r.out.p);
		}
		free(za.p), free(zb.p);
		cc->ops->destroy(st);
	}
	free(a.p), free(b.p);
}

/* ---- concatenation ------------------------------------------------------ */

/* zstd: frames back to back, a skippable frame between them, all decoded. */
Test(codecs, zstd_concatenated_frames)
{
	bytes a = sample(3000, 3), b = sample(9000, 4);
	static const uint8_t skip[] = { 0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0,
					'a', 'b', 'c' };
	bytes skippable = { (uint8_t *)skip, sizeof(skip) };
	bytes za = zstd_make(a, 1, 0), zb = zstd_make(b, 0, 0);
	bytes z1 = cat(za, skippable), z = cat(z1, zb), want = cat(a, b);
	void *st = zs_codec_zstd.create();
	expect_both_ways("zstd frames", &zs_codec_zstd, st, z, want);
	/* bytes after the last frame that are not a frame fail */
	bytes junk = { (uint8_t *)"junk", 4 }, zj = cat(z, junk);
	decoded r = whole(&zs_codec_zstd, st, zj, 0, want.n, LIMIT);
	cr_assert_eq(r.r, ZS_CODEC_BAD);
	free(r.out.p);
	zs_codec_zstd.destroy(st);
	free(a.p), free(b.p), free(za.p), free(zb.p), free(z1.p), free(z.p);
	free(want.p), free(zj.p);
}

/* xz: streams and stream padding to the end of the data, all decoded. */
Test(codecs, xz_concatenated_streams)
{
	bytes a = sample(3000, 5), b = sample(9000, 6);
	static const uint8_t zeros[4];
	bytes pad = { (uint8_t *)zeros, 4 };
	bytes za = xz_make(a, 1, LZMA_CHECK_CRC32);
	bytes zb = xz_make(b, 6, LZMA_CHECK_SHA256);
	bytes z1 = cat(za, pad), z = cat(z1, zb), want = cat(a, b);
	void *st = zs_codec_xz.create();
	expect_both_ways("xz streams", &zs_codec_xz, st, z, want);
	zs_codec_xz.destroy(st);
	free(a.p), free(b.p), free(za.p), free(zb.p), free(z1.p), free(z.p);
	free(want.p);
}

/* bzip2: one stream per entry, as unzip, 7-Zip and Python read it; what
 * follows is not decoded, so a second stream's output is missing (and the
 * driver's size check fails the entry), and in_used says where the stream
 * ended. */
Test(codecs, bzip2_reads_one_stream)
{
	bytes a = sample(3000, 8), b = sample(9000, 9);
	bytes za = bzip2_make(a), zb = bzip2_make(b), z = cat(za, zb);
	void *st = zs_codec_bzip2.create();
	decoded r = whole(&zs_codec_bzip2, st, z, 0, a.n + b.n, LIMIT);
	expect_output("bzip2 two streams", r, a);
	free(r.out.p);
	bytes junk = { (uint8_t *)"trailing junk", 13 }, zj = cat(za, junk);
	r = whole(&zs_codec_bzip2, st, zj, 0, a.n, LIMIT);
	expect_output("bzip2 and trailing bytes", r, a);
	/* the stream's own length, so decode.c can report the rest */
	cr_expect_eq(zs_codec_bzip2.in_used(st), za.n, "used %zu of %zu",
		     zs_codec_bzip2.in_used(st), za.n);
	free(r.out.p);
	zs_codec_bzip2.destroy(st);
	free(a.p), free(b.p), free(za.p), free(zb.p), free(z.p), free(zj.p);
}

/* ---- damage ------------------------------------------------------------- */

/* Cut anywhere before its end, a stream fails (truncated, or invalid where
 * the library cannot tell) and never hangs: the timeout would show it. */
Test(codecs, truncated_at_every_tenth_byte, .timeout = 180)
{
	bytes d = sample(SAMPLE, 10);
	for (size_t k = 0; k < NCASES; k++) {
		const codec_case *cc = &cases[k];
		void *st = cc->ops->create();
		bytes z = cc->make(d);
		size_t truncated = 0;
		for (size_t cut = 0; cut < z.n; cut += 10) {
			bytes part = { z.p, cut };
			decoded r = whole(cc->ops, st, part, cc->flags, d.n,
					  LIMIT);
			cr_assert_eq(r.r, ZS_CODEC_BAD, "%s cut at %zu: %d",
				     cc->name, cut, r.r);
			cr_assert(r.why == ZS_WHY_TRUNCATED ||
				  r.why == ZS_WHY_INVALID, "%s cut at %zu: %d",
				  cc->name, cut, r.why);
			truncated += r.why == ZS_WHY_TRUNCATED;
			free(r.out.p);
		}
		/* and nearly all say why (measured: all but one of LZMA's) */
		size_t cuts = (z.n + 9) / 10;
		cr_assert_geq(truncated * 100, cuts * 99, "%s: %zu of %zu",
			      cc->name, truncated, cuts);
		free(z.p);
		cc->ops->destroy(st);
	}
	free(d.p);
}

/* One byte changed at a time, everywhere (every 7th byte): never a crash;
 * a stream with its own check always fails; LZMA, without one, may decode
 * to other bytes (the entry's CRC-32 is what catches it). */
Test(codecs, corrupted_bytes, .timeout = 120)
{
	bytes d = sample(30000, 11);
	for (size_t k = 0; k < NCASES; k++) {
		const codec_case *cc = &cases[k];
		void *st = cc->ops->create();
		bytes z = cc->make(d);
		size_t failed = 0, tries = 0;
		for (size_t at = 0; at < z.n; at += 7, tries++) {
			z.p[at] ^= 0x55;
			decoded r = whole(cc->ops, st, z, cc->flags, d.n,
					  LIMIT);
			z.p[at] ^= 0x55;
			int same = r.r == ZS_CODEC_END && r.out.n == d.n &&
				   !memcmp(r.out.p, d.p, d.n);
			cr_assert(!cc->checked || r.r != ZS_CODEC_END,
				  "%s: byte %zu changed, still decodes",
				  cc->name, at);
			failed += !same;
			free(r.out.p);
		}
		cr_assert_gt(failed, tries * 9 / 10, "%s: %zu of %zu",
			     cc->name, failed, tries);
		free(z.p);
		cc->ops->destroy(st);
	}
	free(d.p);
}

/* Declared 10 bytes short: the whole-entry buffer (declared + 1) fills and
 * the decoder says FULL, so the driver fails the entry.  LZMA without an
 * end marker is the exception: its data ends at the declared size, and
 * liblzma checks there that the range coder is finished, so a stream that
 * goes on fails right at the declared size (invalid data). */
Test(codecs, output_longer_than_declared)
{
	bytes d = sample(SAMPLE, 12);
	for (size_t k = 0; k < NCASES; k++) {
		const codec_case *cc = &cases[k];
		void *st = cc->ops->create();
		bytes z = cc->make(d);
		uint64_t declared = d.n - 10;
		decoded r = whole(cc->ops, st, z, cc->flags, declared, LIMIT);
		if (cc->ops == &zs_codec_lzma && !(cc->flags & LZMA_EOPM)) {
			cr_assert_eq(r.r, ZS_CODEC_BAD);
			cr_assert_eq(r.why, ZS_WHY_INVALID);
			cr_assert_eq(r.out.n, declared);
		} else {
			cr_assert_eq(r.r, ZS_CODEC_FULL, "%s: %d", cc->name,
				     r.r);
			cr_assert_eq(r.out.n, declared + 1);
		}
		cr_assert(!memcmp(r.out.p, d.p, r.out.n));
		free(r.out.p), free(z.p);
		cc->ops->destroy(st);
	}
	free(d.p);
}

/* Bytes after the end of the data are ignored, as after Deflate's last
 * block (zstd excepted: more frames may follow, so they must be frames). */
Test(codecs, bytes_after_the_end_are_ignored)
{
	bytes d = sample(5000, 21), junk = { (uint8_t *)"trailing", 8 };
	for (size_t k = 0; k < NCASES; k++) {
		const codec_case *cc = &cases[k];
		if (cc->ops == &zs_codec_zstd || cc->ops == &zs_codec_xz)
			continue;
		void *st = cc->ops->create();
		bytes z = cc->make(d), zj = cat(z, junk);
		decoded r = whole(cc->ops, st, zj, cc->flags, d.n, LIMIT);
		expect_output(cc->name, r, d);
		free(r.out.p), free(z.p), free(zj.p);
		cc->ops->destroy(st);
	}
	free(d.p);
}

/* Declared longer than the data: the stream ends short and says END; the
 * driver's size check fails the entry. */
Test(codecs, output_shorter_than_declared)
{
	bytes d = sample(5000, 13);
	for (size_t k = 0; k < NCASES; k++) {
		const codec_case *cc = &cases[k];
		if (cc->ops == &zs_codec_lzma && !(cc->flags & LZMA_EOPM))
			continue;  /* its end is the declared size */
		void *st = cc->ops->create();
		bytes z = cc->make(d);
		decoded r = whole(cc->ops, st, z, cc->flags, d.n + 100, LIMIT);
		expect_output(cc->name, r, d);
		free(r.out.p), free(z.p);
		cc->ops->destroy(st);
	}
	free(d.p);
}

/* LZMA without an end marker but declared longer: the data runs out. */
Test(codecs, lzma_without_marker_declared_longer)
{
	bytes d = sample(5000, 14), z = lzma_make(d, 0, 1u << 16);
	void *st = zs_codec_lzma.create();
	decoded r = whole(&zs_codec_lzma, st, z, 0, d.n + 100, LIMIT);
	cr_assert_eq(r.r, ZS_CODEC_BAD);
	cr_assert_eq(r.out.n, d.n, "all the real output came first");
	free(r.out.p);
	/* the flag says a marker ends it, but there is none */
	r = whole(&zs_codec_lzma, st, z, LZMA_EOPM, d.n, LIMIT);
	cr_assert_eq(r.r, ZS_CODEC_BAD);
	free(r.out.p);
	/* the flag says none, but there is one, just at the size: 7-Zip
	 * accepts that too */
	bytes ze = lzma_make(d, 1, 1u << 16);
	r = whole(&zs_codec_lzma, st, ze, 0, d.n, LIMIT);
	expect_output("lzma, unflagged marker", r, d);
	free(r.out.p);
	zs_codec_lzma.destroy(st);
	free(d.p), free(z.p), free(ze.p);
}

/* ---- memory ------------------------------------------------------------- */

/* A header asking for a 4 GiB dictionary on a tiny entry: cut to the
 * entry's size, so it decodes under a 256 KiB limit (liblzma counts 32 KiB
 * of its own and ~28 KiB of probabilities besides the dictionary). */
Test(codecs, lzma_4gib_dictionary_on_a_tiny_entry)
{
	bytes d = sample(3000, 15);
	void *st = zs_codec_lzma.create();
	for (int eopm = 0; eopm < 2; eopm++) {
		bytes z = lzma_make(d, eopm, 4096);
		memset(z.p + 5, 0xFF, 4);
		decoded r = whole(&zs_codec_lzma, st, z,
				  eopm ? LZMA_EOPM : 0, d.n, 256u << 10);
		expect_output("lzma 4 GiB dictionary", r, d);
		free(r.out.p), free(z.p);
	}
	zs_codec_lzma.destroy(st);
	free(d.p);
}

/* A real dictionary over the limit is refused before anything is
 * allocated, with what it would need. */
Test(codecs, lzma_dictionary_over_the_limit)
{
	bytes d = sample(3000, 16), z = lzma_make(d, 1, 64u << 20);
	void *st = zs_codec_lzma.create();
	uint64_t need = 0;
	cr_assert_eq(zs_codec_lzma.start(st, z.p, z.n, LZMA_EOPM, 100u << 20,
					 1u << 20), ZS_CODEC_MEMORY);
	zs_codec_lzma.why(st, &need);
	cr_assert_gt(need, 64u << 20, "need %llu", (unsigned long long)need);
	zs_codec_lzma.destroy(st);
	free(d.p), free(z.p);
}

/* d, made into z, fails under the limit `low` (its need returned) and
 * decodes under `high`. */
static uint64_t need_between(const zs_codec_ops *c, bytes z, bytes d,
			     uint64_t low, uint64_t high)
{
	void *st = c->create();
	decoded r = whole(c, st, z, 0, d.n, low);
	uint64_t need = r.need;
	cr_assert_eq(r.r, ZS_CODEC_MEMORY, "%d", r.r);
	free(r.out.p);
	r = whole(c, st, z, 0, d.n, high);
	expect_output("under the higher limit", r, d);
	c->destroy(st);
	free(r.out.p), free(z.p), free(d.p);
	return need;
}

Test(codecs, xz_over_the_limit)
{
	bytes d = sample(SAMPLE, 17), z = xz_make(d, 6, LZMA_CHECK_CRC64);
	uint64_t need = need_between(&zs_codec_xz, z, d, 1u << 20, 16u << 20);
	cr_assert_gt(need, 8u << 20, "preset 6: an 8 MiB dictionary, need "
		     "%llu", (unsigned long long)need);
}

Test(codecs, zstd_window_over_the_limit)
{
	bytes d = sample(SAMPLE, 18), z = zstd_make(d, 0, 18);
	uint64_t need = need_between(&zs_codec_zstd, z, d, SMALL_LIMIT,
				     1u << 18);
	cr_assert_eq(need, 1u << 18, "the frame's window: %llu",
		     (unsigned long long)need);
}

/* ---- reasons ------------------------------------------------------------ */

/* Why a stream declared to give usize bytes fails. */
static int why_of(const zs_codec_ops *c, const uint8_t *p, size_t n,
		  uint64_t usize)
{
	void *st = c->create();
	bytes in = { (uint8_t *)p, n };
	decoded r = whole(c, st, in, 0, usize, LIMIT);
	cr_assert_eq(r.r, ZS_CODEC_BAD, "result %d", r.r);
	c->destroy(st);
	free(r.out.p);
	return r.why;
}

Test(codecs, bad_headers)
{
	static const uint8_t junk[] = "not a stream at all, not at all";
	cr_assert_eq(why_of(&zs_codec_zstd, junk, 31, 100), ZS_WHY_HEADER);
	cr_assert_eq(why_of(&zs_codec_bzip2, junk, 31, 100), ZS_WHY_HEADER);
	cr_assert_eq(why_of(&zs_codec_xz, junk, 31, 100), ZS_WHY_HEADER);
	/* LZMA: properties size 4; a lc/lp/pb byte past 224 */
	static const uint8_t size4[] = { 16, 2, 4, 0, 93, 0, 0, 1, 0, 0, 0 };
	static const uint8_t bad_props[] = { 16, 2, 5, 0, 225, 0, 0, 1, 0, 0 };
	cr_assert_eq(why_of(&zs_codec_lzma, size4, 11, 100), ZS_WHY_HEADER);
	cr_assert_eq(why_of(&zs_codec_lzma, bad_props, 10, 100), ZS_WHY_HEADER);
	cr_assert_eq(why_of(&zs_codec_lzma, size4, 3, 100), ZS_WHY_TRUNCATED);
	/* lc = 4, lp = 1: valid LZMA1 that liblzma does not decode */
	static const uint8_t lclp5[] = { 16, 2, 5, 0, 13, 0, 0, 1, 0, 0, 0 };
	cr_assert_eq(why_of(&zs_codec_lzma, lclp5, 11, 100), ZS_WHY_OPTIONS);
}

/* A zstd frame naming dictionary 7: we have no dictionaries. */
Test(codecs, zstd_frame_needing_a_dictionary)
{
	static const uint8_t frame[] = {
		0x28, 0xB5, 0x2F, 0xFD, /* magic */
		0x01,                   /* a 1-byte dictionary ID */
		0x58,                   /* window descriptor: 8 MiB */
		0x07,                   /* dictionary 7 */
		0x29, 0x00, 0x00,       /* last block, raw, 5 bytes */
		'h', 'e', 'l', 'l', 'o',
	};
	cr_assert_eq(why_of(&zs_codec_zstd, frame, sizeof(frame), 100),
		     ZS_WHY_OPTIONS);
	/* the same frame without the dictionary ID decodes */
	static const uint8_t plain[] = { 0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x58,
					 0x29, 0x00, 0x00, 'h', 'e', 'l', 'l',
					 'o' };
	void *st = zs_codec_zstd.create();
	bytes in = { (uint8_t *)plain, sizeof(plain) };
	bytes want = { (uint8_t *)"hello", 5 };
	decoded r = whole(&zs_codec_zstd, st, in, 0, 5, LIMIT);
	expect_output("zstd raw block", r, want);
	free(r.out.p);
	zs_codec_zstd.destroy(st);
}

/* The stream's own check, changed: the reason says so. */
Test(codecs, checksums)
{
	bytes d = sample(20000, 19);
	bytes z = zstd_make(d, 1, 0);
	z.p[z.n - 1] ^= 1;  /* the content checksum ends the frame */
	cr_assert_eq(why_of(&zs_codec_zstd, z.p, z.n, d.n), ZS_WHY_CHECKSUM);
	free(z.p);
	/* xz: the footer's backward size gives the index; the block's
	 * CRC-64 is the 8 bytes before it */
	z = xz_make(d, 6, LZMA_CHECK_CRC64);
	const uint8_t *f = z.p + z.n - 12;
	uint32_t backward = f[4] | f[5] << 8 | f[6] << 16 | (uint32_t)f[7] << 24;
	size_t index = z.n - 12 - (backward + 1) * 4;
	z.p[index - 3] ^= 1;
	cr_assert_eq(why_of(&zs_codec_xz, z.p, z.n, d.n), ZS_WHY_CHECKSUM);
	z.p[index - 3] ^= 1;
	/* a changed byte of the compressed data is invalid data, not a check:
	 * the block's LZMA2 fails before its check is read */
	z.p[40] ^= 0x55;
	int why = why_of(&zs_codec_xz, z.p, z.n, d.n);
	cr_assert(why == ZS_WHY_INVALID || why == ZS_WHY_CHECKSUM, "%d", why);
	free(z.p), free(d.p);
}

/* An xz check ID liblzma does not know (reserved 0x02): refused. */
Test(codecs, xz_unknown_check)
{
	bytes d = sample(1000, 20), z = xz_make(d, 1, LZMA_CHECK_CRC32);
	z.p[7] = 0x02;  /* stream flags: check ID */
	uint32_t crc = lzma_crc32(z.p + 6, 2, 0);
	for (int k = 0; k < 4; k++)
		z.p[8 + k] = (uint8_t)(crc >> 8 * k);
	cr_assert_eq(why_of(&zs_codec_xz, z.p, z.n, 100), ZS_WHY_OPTIONS);
	free(d.p), free(z.p);
}

/* ---- end to end --------------------------------------------------------- */

/* Archives from test/fixtures.py (Python's zipfile for bzip2 and LZMA; its
 * small writer with Python's lzma for xz and the zstd command for zstd):
 * `zipscan test` passes them and `zipscan cat` gives the bytes back, both
 * for data.txt (over 4 MiB: the streaming path) and small.txt (whole). */
Test(codecs, zipscan_tests_and_cats_each_method, .timeout = 60)
{
	static const char *const names[] = { "codec-bzip2.zip",
					     "codec-lzma.zip",
					     "codec-xz.zip",
					     "codec-zstd.zip" };
	static const char *const entries[][2] = {
		{ "data.txt", "codec-data.txt" },
		{ "small.txt", "codec-small.txt" },
	};
	for (size_t k = 0; k < 4; k++) {
		const char *zip = names[k];
		cr_assert_eq(run(NULL, 0, "%s test -q %s", ZS_BIN,
				 fixture(zip)), 0, "%s", zip);
		for (size_t e = 0; e < 2; e++) {
			char plain[4096];
			snprintf(plain, sizeof(plain), "%s",
				 fixture(entries[e][1]));
			cr_assert_eq(run(NULL, 0, "%s cat %s %s | cmp -s - %s",
					 ZS_BIN, fixture(zip), entries[e][0],
					 plain), 0, "%s %s", zip,
				     entries[e][0]);
		}
	}
}

/* A dictionary over --memory-limit fails the entry with what it needs,
 * and exit 4 (a memory error, as Info-ZIP's), not 2: the data is not shown
 * to be bad. */
Test(codecs, zipscan_reports_the_memory_limit)
{
	char out[4096];
	int st = run(out, sizeof(out), "%s test --memory-limit 1M %s 2>&1",
		     ZS_BIN, fixture("codec-xz.zip"));
	cr_assert_eq(st, 4, "%s", out);
	cr_assert(strstr(out, "over --memory-limit 1048576"), "%s", out);
}
