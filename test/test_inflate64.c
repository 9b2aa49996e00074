/* SPDX-License-Identifier: MIT */
/*
 * test_inflate64.c - our Deflate64 decoder (src/inflate64.c) on the streams
 * test/deflate64.py writes into build/fixtures/deflate64/ (their outputs
 * proven there by 7-Zip and zlib): each decoded whole and streamed through
 * chunks of odd sizes, with the same bytes and the same verdict both ways;
 * every valid stream cut short at every byte; plain Deflate against
 * libdeflate's compressor at every level; and the ZIP fixtures end to end
 * through build/zipscan (test, cat, the streaming path).
 */
#include <errno.h>
#include <libdeflate.h>
#include <unistd.h>

#include "helpers.h"
#include "inflate64.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define D64_DIR "deflate64"
#define CASES_MAX 256
/* Bytes before and after every output buffer, filled with CANARY (and
 * poisoned under ASan): a decoder reading before out[0] makes wrong bytes,
 * one writing past cap is caught. */
#define GUARD (64u << 10)
#define TAIL 64u
#define CANARY 0xA5
/* Room past the expected output for a bad stream: a decoder that goes on
 * writing after the error shows. */
#define BAD_SLACK (3u * 65538u)
/* Chunk sizes for the streamed form; below EXACT_FROM the kept window is
 * moved only when the buffer is full (else a 1-byte chunk would move 64 KiB
 * per byte), from it on before every chunk, as decode.c does. */
static const size_t chunks[] = { 1, 7, 4096, 65536 + 3, 256u << 10 };
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))
#define EXACT_FROM 4096u

typedef struct d64_case {
	char name[64];
	unsigned flags;       /* 0 or ZS_INFLATE64_PLAIN */
	int end;              /* a valid stream */
	int why;              /* enum zs_codec_why, when bad */
	size_t in_len;        /* the stream, without trailing bytes */
	uint8_t *in;          /* NAME.bin, trailing bytes included */
	size_t in_size;
	uint8_t *out;         /* NAME.out */
	size_t out_len;
	long long usize;      /* what NAME.zip declares; -1: no ZIP */
} d64_case;

static const char *const why_names[ZS_WHY_COUNT] = {
	[ZS_WHY_NONE] = "none", [ZS_WHY_TRUNCATED] = "truncated",
	[ZS_WHY_INVALID] = "invalid", [ZS_WHY_HEADER] = "header",
	[ZS_WHY_BLOCK_TYPE] = "block_type", [ZS_WHY_STORED_LEN] = "stored_len",
	[ZS_WHY_CODE_LENGTHS] = "code_lengths", [ZS_WHY_SYMBOL] = "symbol",
	[ZS_WHY_DISTANCE] = "distance", [ZS_WHY_CHECKSUM] = "checksum",
	[ZS_WHY_OPTIONS] = "options",
};

/* What `zipscan test` says for each reason (src/entry.c). */
static const char *const why_words[ZS_WHY_COUNT] = {
	[ZS_WHY_TRUNCATED] = "the data ends early",
	[ZS_WHY_BLOCK_TYPE] = "invalid block type",
	[ZS_WHY_STORED_LEN] = "stored block length fails its check",
	[ZS_WHY_CODE_LENGTHS] = "invalid Huffman code lengths",
	[ZS_WHY_SYMBOL] = "a code that stands for no symbol",
	[ZS_WHY_DISTANCE] = "a match reaches back before the start",
};

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	uint8_t *p = malloc((size_t)n + 1);
	cr_assert_not_null(p);
	cr_assert_eq(fread(p, 1, (size_t)n, f), (size_t)n, "%s", path);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static const char *case_path(const d64_case *c, const char *ext)
{
	static __thread char rel[128];
	snprintf(rel, sizeof(rel), D64_DIR "/%.63s%.15s", c->name, ext);
	return fixture(rel);
}

/* build/fixtures/deflate64/cases.txt and every case's files. */
static size_t load_cases(d64_case *all)
{
	size_t n = 0, len;
	char *text = (char *)slurp(fixture(D64_DIR "/cases.txt"), &len);
	text[len] = '\0';
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char mode[8], result[8], why[24], usize[24];
		d64_case *c = &all[n];
		cr_assert_lt(n, CASES_MAX);
		cr_assert_eq(sscanf(line, "%63s %7s %7s %23s %zu %zu %23s",
				    c->name, mode, result, why, &c->in_len,
				    &c->out_len, usize), 7, "cases.txt: %s",
			     line);
		c->flags = strcmp(mode, "plain") ? 0 : ZS_INFLATE64_PLAIN;
		c->end = !strcmp(result, "end");
		c->why = -1;
		for (int k = 0; k < ZS_WHY_COUNT; k++)
			if (!strcmp(why, why_names[k]))
				c->why = k;
		cr_assert(c->end || c->why > 0, "cases.txt: %s", line);
		c->usize = strcmp(usize, "-") ? atoll(usize) : -1;
		c->in = slurp(case_path(c, ".bin"), &c->in_size);
		c->out = slurp(case_path(c, ".out"), &len);
		cr_assert_eq(len, c->out_len, "%s", c->name);
		cr_assert_geq(c->in_size, c->in_len, "%s", c->name);
		n++;
	}
	free(text);
	cr_assert_gt(n, 40, "too few cases: %zu", n);
	return n;
}

/* Every test of both suites starts with the cases loaded and a decoder
 * (each test is a process of its own). */
static d64_case cs[CASES_MAX];
static size_t n_cases;
static zs_inflate64 *dec;

static void setup(void)
{
	n_cases = load_cases(cs);
	dec = zs_inflate64_new();
	cr_assert_not_null(dec);
}

static void teardown(void)
{
	for (size_t k = 0; k < n_cases; k++) {
		free(cs[k].in);
		free(cs[k].out);
	}
	zs_inflate64_free(dec);
}

TestSuite(inflate64, .init = setup, .fini = teardown);
TestSuite(inflate64_zip, .init = setup, .fini = teardown);

/* ---- decoding, whole and streamed ------------------------------------ */

typedef struct decoded {
	zs_codec_result r;
	int why;              /* after BAD */
	uint8_t *out;         /* everything decoded */
	size_t len;
	size_t in_used;       /* after END */
} decoded;

/* A buffer of cap bytes with guards in front and behind. */
static uint8_t *guarded(size_t cap)
{
	uint8_t *base = malloc(GUARD + cap + TAIL);
	cr_assert_not_null(base);
	memset(base, CANARY, GUARD + cap + TAIL);
	POISON(base, GUARD);
	POISON(base + GUARD + cap, TAIL);
	return base + GUARD;
}

static void check_tail_and_free(uint8_t *buf, size_t cap, const char *what)
{
	uint8_t *base = buf - GUARD;
	UNPOISON(base, GUARD + cap + TAIL);
	for (size_t k = 0; k < TAIL; k++)
		cr_assert_eq(buf[cap + k], CANARY, "%s: wrote past cap", what);
	for (size_t k = 0; k < GUARD; k++)
		cr_assert_eq(base[k], CANARY, "%s: wrote before out", what);
	free(base);
}

/* The stream in a buffer of its own exact size, so that ASan sees a read
 * past its end (a copy of 0 bytes is a 1-byte allocation, poisoned). */
static uint8_t *exact_copy(const uint8_t *in, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	cr_assert_not_null(p);
	memcpy(p, in, n);
	if (!n)
		POISON(p, 1);
	return p;
}

static void exact_free(uint8_t *p, size_t n)
{
	if (!n)
		UNPOISON(p, 1);
	free(p);
}

/* One call into one buffer of cap bytes, as decode.c does for a whole
 * entry (cap: its declared size + 1). */
static decoded decode_whole(zs_inflate64 *z, const uint8_t *in, size_t n,
			    unsigned flags, size_t cap)
{
	decoded got = { 0 };
	uint8_t *copy = exact_copy(in, n);
	uint8_t *buf = guarded(cap);
	size_t pos = 0;

	zs_inflate64_start(z, copy, n, flags);
	got.r = zs_inflate64_run(z, buf, &pos, cap);
	cr_assert_leq(pos, cap);
	if (got.r == ZS_CODEC_FULL)
		cr_assert_eq(pos, cap, "FULL with room left");
	got.why = got.r == ZS_CODEC_BAD ? zs_inflate64_why(z) : 0;
	got.in_used = zs_inflate64_in_used(z);
	got.out = malloc(pos ? pos : 1);
	memcpy(got.out, buf, pos);
	got.len = pos;
	check_tail_and_free(buf, cap, "whole");
	exact_free(copy, n);
	return got;
}

/* A chunk at a time (the first `first` bytes, then `chunk` bytes), at most
 * `limit` bytes in all (like decode_whole's cap), with the last
 * ZS_INFLATE64_WINDOW bytes of output (or all of it) kept in front of each
 * chunk as inflate64.h asks; never more once moved, so a match reaching
 * further back reads the guard. */
static decoded decode_chunks(zs_inflate64 *z, const uint8_t *in, size_t n,
			     unsigned flags, size_t first, size_t chunk,
			     size_t limit)
{
	decoded got = { 0 };
	size_t room = chunk < EXACT_FROM ? 64u << 10 : chunk;
	if (room < first)
		room = first;
	size_t size = ZS_INFLATE64_WINDOW + room, pos = 0, total = 0;
	uint8_t *copy = exact_copy(in, n);
	uint8_t *buf = guarded(size);
	size_t out_cap = 1 << 16;

	got.out = malloc(out_cap);
	zs_inflate64_start(z, copy, n, flags);
	for (;;) {
		size_t step = total ? chunk : first;
		size_t want = limit - total < step ? limit - total : step;
		if (pos + want > size) {
			size_t keep = pos < ZS_INFLATE64_WINDOW ?
				      pos : ZS_INFLATE64_WINDOW;
			memmove(buf, buf + pos - keep, keep);
			memset(buf + keep, CANARY, size - keep);
			pos = keep;
		}
		size_t from = pos, cap = pos + want;
		got.r = zs_inflate64_run(z, buf, &pos, cap);
		cr_assert(pos >= from && pos <= cap,
			  "pos %zu not in [%zu, %zu]", pos, from, cap);
		for (size_t k = cap; k < size && k < cap + 16; k++)
			cr_assert_eq(buf[k], CANARY, "wrote past cap");
		if (got.len + (pos - from) > out_cap) {
			while (got.len + (pos - from) > out_cap)
				out_cap *= 2;
			got.out = realloc(got.out, out_cap);
			cr_assert_not_null(got.out);
		}
		memcpy(got.out + got.len, buf + from, pos - from);
		got.len += pos - from;
		total += pos - from;
		if (got.r != ZS_CODEC_FULL)
			break;
		cr_assert_eq(pos, cap, "FULL with room left");
		if (total == limit)
			break;
	}
	got.why = got.r == ZS_CODEC_BAD ? zs_inflate64_why(z) : 0;
	got.in_used = zs_inflate64_in_used(z);
	check_tail_and_free(buf, size, "streamed");
	exact_free(copy, n);
	return got;
}

static decoded decode_streamed(zs_inflate64 *z, const uint8_t *in, size_t n,
			       unsigned flags, size_t chunk, size_t limit)
{
	return decode_chunks(z, in, n, flags, chunk, chunk, limit);
}

static void same(const decoded *a, const decoded *b, const char *name,
		 size_t chunk)
{
	cr_assert_eq(a->r, b->r, "%s, chunk %zu: result %d, whole %d", name,
		     chunk, b->r, a->r);
	cr_assert_eq(a->why, b->why, "%s, chunk %zu: why %d, whole %d", name,
		     chunk, b->why, a->why);
	cr_assert_eq(a->len, b->len, "%s, chunk %zu: %zu bytes, whole %zu",
		     name, chunk, b->len, a->len);
	cr_assert(!memcmp(a->out, b->out, a->len),
		  "%s, chunk %zu: bytes differ", name, chunk);
	if (a->r == ZS_CODEC_END)
		cr_assert_eq(a->in_used, b->in_used, "%s, chunk %zu", name,
			     chunk);
}

/* The verdict a case promises, on one decoding of it. */
static void expect_case(const d64_case *c, const decoded *g, const char *how)
{
	if (c->end) {
		cr_assert_eq(g->r, ZS_CODEC_END, "%s (%s): result %d why %d",
			     c->name, how, g->r, g->why);
		cr_assert_eq(g->len, c->out_len, "%s (%s): %zu bytes, not %zu",
			     c->name, how, g->len, c->out_len);
		cr_assert(!memcmp(g->out, c->out, c->out_len), "%s (%s)",
			  c->name, how);
		cr_assert_eq(g->in_used, c->in_len, "%s (%s): used %zu of %zu",
			     c->name, how, g->in_used, c->in_len);
		return;
	}
	cr_assert_eq(g->r, ZS_CODEC_BAD, "%s (%s): result %d", c->name, how,
		     g->r);
	cr_assert_eq(g->why, c->why, "%s (%s): why %s, not %s", c->name, how,
		     g->why >= 0 && g->why < ZS_WHY_COUNT ?
		     why_names[g->why] : "?", why_names[c->why]);
	/* every token before the bad one is out, and nothing after it; a
	 * stream cut short gives part of what it would have */
	if (c->why == ZS_WHY_TRUNCATED)
		cr_assert_leq(g->len, c->out_len, "%s (%s)", c->name, how);
	else
		cr_assert_eq(g->len, c->out_len, "%s (%s): %zu bytes before "
			     "the error, not %zu", c->name, how, g->len,
			     c->out_len);
	cr_assert(!memcmp(g->out, c->out, g->len), "%s (%s)", c->name, how);
}

Test(inflate64, fixtures_whole_and_streamed, .timeout = 300)
{
	size_t n = n_cases;
	for (size_t k = 0; k < n; k++) {
		const d64_case *c = &cs[k];
		size_t cap = c->out_len + 1 + (c->end ? 0 : BAD_SLACK);
		decoded w = decode_whole(dec, c->in, c->in_size, c->flags, cap);
		expect_case(c, &w, "whole");
		for (size_t j = 0; j < NCHUNKS; j++) {
			decoded s = decode_streamed(dec, c->in, c->in_size,
						    c->flags, chunks[j], cap);
			same(&w, &s, c->name, chunks[j]);
			free(s.out);
		}
		free(w.out);
	}
}

/* Every valid stream, cut short: at every byte of the small ones, at the
 * first CUT_HEAD and last CUT_END bytes and CUT_MIDDLE places between of
 * the big ones.  Each cut must fail as truncated, having given a prefix of the
 * output, whole and streamed alike: in 1-byte chunks over the last
 * CUT_TAIL bytes the whole form gave (where running out of room and
 * running out of input meet), and every CUT_STREAM-th cut in 4096-byte
 * chunks throughout. */
#define CUT_ALL 4096u
#define CUT_HEAD 64u
#define CUT_END 32u
#define CUT_MIDDLE 32u
#define CUT_STREAM 5u
#define CUT_TAIL 64u

static void cut_at(zs_inflate64 *z, const d64_case *c, size_t at, int stream)
{
	decoded w = decode_whole(z, c->in, at, c->flags, c->out_len + 1);
	cr_assert_eq(w.r, ZS_CODEC_BAD, "%s cut at %zu: result %d", c->name,
		     at, w.r);
	cr_assert_eq(w.why, ZS_WHY_TRUNCATED, "%s cut at %zu: why %d",
		     c->name, at, w.why);
	cr_assert_leq(w.len, c->out_len);
	cr_assert(!memcmp(w.out, c->out, w.len), "%s cut at %zu", c->name, at);
	decoded t = decode_chunks(z, c->in, at, c->flags,
				  w.len > CUT_TAIL ? w.len - CUT_TAIL : 1, 1,
				  c->out_len + 1);
	same(&w, &t, c->name, 1);
	free(t.out);
	if (stream) {
		decoded s = decode_streamed(z, c->in, at, c->flags, 4096,
					    c->out_len + 1);
		same(&w, &s, c->name, 4096);
		free(s.out);
	}
	free(w.out);
}

Test(inflate64, cut_short_at_every_byte, .timeout = 600)
{
	size_t n = n_cases, cuts = 0;

	for (size_t k = 0; k < n; k++) {
		const d64_case *c = &cs[k];
		if (!c->end)
			continue;
		size_t len = c->in_len;
		for (size_t at = 0; at < len; at++) {
			if (len > CUT_ALL && at >= CUT_HEAD &&
			    at < len - CUT_END) {
				size_t step = (len - CUT_HEAD - CUT_END) /
					      CUT_MIDDLE;
				if ((at - CUT_HEAD) % step)
					continue;
			}
			cut_at(dec, c, at, cuts++ % CUT_STREAM == 0);
		}
	}
	cr_assert_gt(cuts, 5000);
}

/* Output that ends exactly at cap: END, or FULL and then END with nothing
 * more; and a call with no room at all changes nothing. */
Test(inflate64, room_for_exactly_the_output)
{
	size_t n = n_cases;

	for (size_t k = 0; k < n; k++) {
		const d64_case *c = &cs[k];
		if (!c->end)
			continue;
		uint8_t *buf = guarded(c->out_len);
		size_t pos = 0;
		zs_inflate64_start(dec, c->in, c->in_size, c->flags);
		zs_codec_result r = zs_inflate64_run(dec, buf, &pos, c->out_len);
		cr_assert_eq(pos, c->out_len, "%s", c->name);
		cr_assert(!memcmp(buf, c->out, c->out_len), "%s", c->name);
		if (r == ZS_CODEC_FULL) {
			/* the same buffer again, still no room */
			r = zs_inflate64_run(dec, buf, &pos, c->out_len);
			cr_assert(r == ZS_CODEC_END || r == ZS_CODEC_FULL,
				  "%s", c->name);
		}
		if (r == ZS_CODEC_FULL) {
			check_tail_and_free(buf, c->out_len, c->name);
			buf = guarded(c->out_len + 1);
			memcpy(buf, c->out, c->out_len);
			r = zs_inflate64_run(dec, buf, &pos, c->out_len + 1);
			check_tail_and_free(buf, c->out_len + 1, c->name);
		} else {
			check_tail_and_free(buf, c->out_len, c->name);
		}
		cr_assert_eq(r, ZS_CODEC_END, "%s: %d", c->name, r);
		cr_assert_eq(pos, c->out_len, "%s", c->name);
		cr_assert_eq(zs_inflate64_in_used(dec), c->in_len, "%s", c->name);

		/* no room from the start */
		uint8_t *none = guarded(0);
		pos = 0;
		zs_inflate64_start(dec, c->in, c->in_size, c->flags);
		r = zs_inflate64_run(dec, none, &pos, 0);
		cr_assert_eq(pos, 0);
		cr_assert_eq(r, c->out_len ? ZS_CODEC_FULL : ZS_CODEC_END,
			     "%s: %d with no room", c->name, r);
		check_tail_and_free(none, 0, c->name);
	}
}

/* One decoder for many streams, as each thread of decode.c keeps one:
 * starting again after an error, or in the middle of a stream, leaves
 * nothing of the last one behind. */
Test(inflate64, one_decoder_many_streams)
{
	size_t n = n_cases;

	for (size_t k = 0; k < n; k++) {
		const d64_case *c = &cs[k];
		/* leave each case half done, then decode the next valid one */
		uint8_t *buf = guarded(c->out_len / 2 + 1);
		size_t pos = 0;
		zs_inflate64_start(dec, c->in, c->in_size, c->flags);
		zs_inflate64_run(dec, buf, &pos, c->out_len / 2 + 1);
		check_tail_and_free(buf, c->out_len / 2 + 1, c->name);
		const d64_case *next = &cs[(k + 1) % n];
		for (size_t j = k + 1; !next->end; j++)
			next = &cs[j % n];
		decoded g = decode_whole(dec, next->in, next->in_size,
					 next->flags, next->out_len + 1);
		expect_case(next, &g, c->name);
		free(g.out);
	}
}

/* ---- plain Deflate against libdeflate -------------------------------- */

/* Test data: text (the first 400 headers under /usr/include, up to
 * PLAIN_TEXT_MAX bytes), noise, and a mix with long runs. */
#define PLAIN_TEXT_MAX (1u << 20)

static void plain_inputs(size_t lens[3], uint8_t *bufs[3])
{
	char out[4096];
	uint8_t *text = malloc(PLAIN_TEXT_MAX);
	size_t n = 0;
	FILE *p = popen("find /usr/include -name '*.h' | sort | head -400 | "
			"xargs cat", "r");
	size_t got;
	cr_assert_not_null(p);
	while (n < PLAIN_TEXT_MAX &&
	       (got = fread(text + n, 1, PLAIN_TEXT_MAX - n, p)) > 0)
		n += got;
	while (fread(out, 1, sizeof(out), p) > 0)
		;
	pclose(p);
	cr_assert_gt(n, 100000, "too little text under /usr/include");
	bufs[0] = text;
	lens[0] = n;
	lens[1] = 300000;
	bufs[1] = malloc(lens[1]);
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (size_t k = 0; k < lens[1]; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		bufs[1][k] = (uint8_t)x;
	}
	lens[2] = 500000;
	bufs[2] = malloc(lens[2]);
	for (size_t k = 0; k < lens[2]; k++)
		bufs[2][k] = (k / 4096) % 3 == 0 ? 0 :
			     (k / 4096) % 3 == 1 ? bufs[1][k % lens[1]] :
			     text[k % n];
}

Test(inflate64, plain_mode_against_libdeflate, .timeout = 300)
{
	size_t lens[3];
	uint8_t *bufs[3];
	plain_inputs(lens, bufs);
	struct libdeflate_decompressor *ld = libdeflate_alloc_decompressor();

	for (int level = 0; level <= 12; level++) {
		struct libdeflate_compressor *lc =
			libdeflate_alloc_compressor(level);
		cr_assert_not_null(lc, "level %d", level);
		for (int k = 0; k < 3; k++) {
			size_t bound = libdeflate_deflate_compress_bound(lc,
								       lens[k]);
			uint8_t *z = malloc(bound);
			size_t zn = libdeflate_deflate_compress(lc, bufs[k],
								lens[k], z,
								bound);
			cr_assert_gt(zn, 0);
			/* libdeflate reads its own stream back */
			uint8_t *back = malloc(lens[k]);
			cr_assert_eq(libdeflate_deflate_decompress(ld, z, zn,
				     back, lens[k], NULL), LIBDEFLATE_SUCCESS);
			cr_assert(!memcmp(back, bufs[k], lens[k]));
			free(back);
			decoded w = decode_whole(dec, z, zn, ZS_INFLATE64_PLAIN,
						 lens[k] + 1);
			cr_assert_eq(w.r, ZS_CODEC_END, "level %d data %d: %d "
				     "why %d", level, k, w.r, w.why);
			cr_assert_eq(w.len, lens[k], "level %d data %d", level,
				     k);
			cr_assert(!memcmp(w.out, bufs[k], lens[k]),
				  "level %d data %d", level, k);
			cr_assert_eq(w.in_used, zn, "level %d data %d", level,
				     k);
			decoded s = decode_streamed(dec, z, zn,
						    ZS_INFLATE64_PLAIN,
						    level % 2 ? 7 : 65539,
						    lens[k] + 1);
			same(&w, &s, "libdeflate", level);
			free(s.out);
			free(w.out);
			free(z);
		}
		libdeflate_free_compressor(lc);
	}
	libdeflate_free_decompressor(ld);
	for (int k = 0; k < 3; k++)
		free(bufs[k]);
}

/* Streams valid in plain Deflate only where they say 258 with code 285:
 * read as Deflate64 the same bits mean something else (3 + 16 extra
 * bits), so the mode must matter. */
Test(inflate64, mode_matters)
{
	size_t n = n_cases;
	int found = 0;

	for (size_t k = 0; k < n; k++) {
		const d64_case *c = &cs[k];
		if (strcmp(c->name, "plain-258") &&
		    strcmp(c->name, "plain-dist-code-30") &&
		    strcmp(c->name, "len-65538-d1"))
			continue;
		found++;
		decoded g = decode_whole(dec, c->in, c->in_size,
					 c->flags ^ ZS_INFLATE64_PLAIN,
					 c->out_len + BAD_SLACK);
		int differs = g.r != ZS_CODEC_END || g.len != c->out_len ||
			      memcmp(g.out, c->out, g.len);
		cr_assert(differs, "%s decodes alike in both modes", c->name);
		free(g.out);
	}
	cr_assert_eq(found, 3);
}

/* ---- end to end: the ZIP fixtures through zipscan --------------------- */

/* What test and cat must make of a case's ZIP. */
static int zip_ok(const d64_case *c)
{
	return c->end && c->usize == (long long)c->out_len;
}

Test(inflate64_zip, test_in_process_both_paths)
{
	size_t n = n_cases, zips = 0;
	char rel[128];

	for (size_t k = 0; k < n; k++) {
		const d64_case *c = &cs[k];
		if (c->usize < 0)
			continue;
		zips++;
		snprintf(rel, sizeof(rel), D64_DIR "/%.63s.zip", c->name);
		uint64_t err_a[2];
		/* whole-entry decoding, then streaming (64 KiB limit) */
		for (int path = 0; path < 2; path++) {
			zs_archive a;
			zs_totals t;
			int st = scan_fixture(&a, rel, 1, path ? 64u << 10 : 0,
					      &t);
			cr_assert_eq(a.index.count, 1);
			cr_assert_eq(a.index.method[0], 9);
			if (zip_ok(c)) {
				/* bytes after the stream, inside the entry:
				 * good data, and a warning (a streaming
				 * reader would read them as more) */
				int want = c->in_size > c->in_len ?
					   ZS_EXIT_WARN : 0;
				cr_assert_eq(st, want, "%s: exit %d", c->name,
					     st);
				cr_assert_eq(t.bytes_out, c->out_len);
			} else {
				cr_assert_eq(st, ZS_EXIT_ENTRY, "%s: exit %d",
					     c->name, st);
				cr_assert_eq(a.index.status[0], ZS_ENTRY_BAD);
				int e = c->end ? ZS_E_SIZE_LONG : ZS_E_CODEC;
				cr_assert_eq(a.index.error[0], e,
					     "%s: error %d", c->name,
					     a.index.error[0]);
				if (!c->end)
					cr_assert_eq(a.index.err_b[0],
						     (uint64_t)c->why, "%s",
						     c->name);
				err_a[path] = a.index.err_a[0];
			}
			zs_archive_close(&a);
		}
		/* "after N bytes of output": the same on both paths */
		if (!c->end)
			cr_assert_eq(err_a[0], err_a[1], "%s: %llu and %llu",
				     c->name, (unsigned long long)err_a[0],
				     (unsigned long long)err_a[1]);
	}
	cr_assert_gt(zips, 30);
}

Test(inflate64_zip, command_test_and_cat, .timeout = 120)
{
	size_t n = n_cases;
	char out[4096], tmp[256];

	snprintf(tmp, sizeof(tmp), "/tmp/zs-inflate64-cat-%d", (int)getpid());
	for (size_t k = 0; k < n; k++) {
		const d64_case *c = &cs[k];
		if (c->usize < 0)
			continue;
		const char *zip = case_path(c, ".zip");
		const char *limits[] = { "", "--memory-limit 64K" };
		for (int l = 0; l < 2; l++) {
			int st = run(out, sizeof(out), "%s test %s '%s' 2>&1",
				     ZS_BIN, limits[l], zip);
			if (zip_ok(c)) {
				int trailing = c->in_size > c->in_len;
				cr_assert_eq(st, trailing ? 1 : 0, "%s %s: "
					     "%d\n%s", c->name, limits[l], st,
					     out);
				if (trailing)
					cr_assert(strstr(out, "bytes after the "
						  "end of its compressed data"),
						  "%s: %s", c->name, out);
				continue;
			}
			cr_assert_eq(st, 2, "%s %s: %d\n%s", c->name,
				     limits[l], st, out);
			char said[256];
			if (c->end)
				snprintf(said, sizeof(said), "data runs past "
					 "the declared size");
			else
				snprintf(said, sizeof(said), "deflate64 data: "
					 "%s (after ", why_words[c->why]);
			cr_assert_not_null(strstr(out, said), "%s %s: no "
					   "\"%s\" in\n%s", c->name, limits[l],
					   said, out);
		}
		/* cat: the bytes, through both paths */
		for (int l = 0; l < 2; l++) {
			int st = run(NULL, 0, "%s cat %s '%s' '%s' > %s "
				     "2>/dev/null", ZS_BIN, limits[l], zip,
				     c->name, tmp);
			if (!zip_ok(c)) {
				cr_assert_eq(st, 2, "cat %s: %d", c->name, st);
				continue;
			}
			cr_assert_eq(st, c->in_size > c->in_len ? 1 : 0,
				     "cat %s %s: %d", c->name, limits[l], st);
			size_t len;
			uint8_t *got = slurp(tmp, &len);
			cr_assert_eq(len, c->out_len, "cat %s", c->name);
			cr_assert(!memcmp(got, c->out, len), "cat %s",
				  c->name);
			free(got);
		}
	}
	unlink(tmp);
}
