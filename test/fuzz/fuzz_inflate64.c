/* SPDX-License-Identifier: MIT */
/*
 * fuzz_inflate64.c - libFuzzer target for our Deflate64 decoder alone
 * (src/inflate64.c).  Each input is one control byte, then a raw stream.
 *
 * Control byte:
 *   bit 0     plain Deflate (ZS_INFLATE64_PLAIN) instead of Deflate64
 *   bits 1-3  the chunk size of the streamed form (chunk_sizes[])
 *   bits 4-6  the output limit: FUZZ_OUT_MAX, or 2^(2k) - 1 bytes for k in
 *             1..7, so that running out of room lands anywhere
 *
 * Each stream is decoded twice: whole, into one buffer of the limit (+ 1
 * byte, as decode.c asks for a declared size), and streamed, a chunk at a
 * time with the last ZS_INFLATE64_WINDOW bytes kept in front as
 * inflate64.h asks (and not one byte more after each move: the bytes
 * before the buffer are poisoned, so a match reaching further back is an
 * ASan report).  The two must agree exactly: result, reason, bytes,
 * input used.  A stream that ends (END) is cut short once more, at a
 * place the input's hash picks before its end: that must fail as
 * truncated, having given a prefix of the output.  In plain mode the
 * stream is also decoded by libdeflate, and the verdicts must agree where
 * both are defined.  A disagreement is an abort() with a message, which
 * libFuzzer saves as a crash.
 *
 * Where libdeflate (1.14, as Debian 12 ships it) accepts what RFC 1951
 * and zlib refuse, read in its source and confirmed by running it on
 * streams from test/deflate64.py, our BAD against its SUCCESS is allowed,
 * if our output is a prefix of its:
 *   - literal/length symbols 286 and 287: length 258 to it (we:
 *     ZS_WHY_SYMBOL);
 *   - distance symbols 30 and 31 in plain Deflate: distance 24,577 + 13
 *     extra bits to it (we: ZS_WHY_SYMBOL);
 *   - a distance code with no codes, or one code of length 1, used with
 *     the bit that means nothing: distance 1, or that code (we:
 *     ZS_WHY_SYMBOL, or ZS_WHY_CODE_LENGTHS if we refuse the empty code
 *     up front); the same for the literal/length code;
 *   - HLIT above 286 and HDIST above 30 in plain Deflate, and code
 *     lengths whose last repeat runs past HLIT + HDIST: it takes them
 *     (we: ZS_WHY_CODE_LENGTHS).
 * Any other reason (truncated, a distance past the output, block type 3,
 * LEN/NLEN) must be an error for libdeflate too, and it must never refuse
 * what we decode: its checks are a subset of RFC 1951's (it reads past
 * the end of the input as zeros, but fails at the end if it used any).
 * Output limits: libdeflate is given the same room as the whole form; our
 * FULL (out of room) is compared only with its SUCCESS in fewer bytes.
 */
#include <libdeflate.h>
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inflate64.h"

/* The most output decoded per input: Deflate64 gives 65,538 bytes for
 * 18 bits, so a small input can ask for gigabytes.  Time goes into the
 * coverage hooks of every decoded symbol (measured: 125 inputs a second
 * at 1 MiB), and 256 KiB is already past every chunk size below. */
#define FUZZ_OUT_MAX (256u << 10)
/* The streamed form makes at most this many calls: a 1-byte chunk over
 * FUZZ_OUT_MAX would make 262,144. */
#define FUZZ_CALLS_MAX (1u << 14)
/* Poisoned bytes before the streamed form's buffer (a match reaching
 * before it) and after each call's cap (a write past it). */
#define GUARD ZS_INFLATE64_WINDOW
#define TAIL 64u

static const size_t chunk_sizes[8] = { 1, 2, 7, 64, 4096, 65535,
				       65536 + 3, 256u << 10 };

static zs_inflate64 *dec;
static struct libdeflate_decompressor *ld;
static uint8_t *whole_base, *whole;   /* GUARD + FUZZ_OUT_MAX + 1 + TAIL */
static uint8_t *win_base, *win;       /* GUARD + window + room + TAIL */
static uint8_t *streamed;             /* FUZZ_OUT_MAX + 1 */
static uint8_t *ld_out;               /* FUZZ_OUT_MAX + 1 */
static size_t win_size;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_inflate64: %s\n", what);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	dec = zs_inflate64_new();
	ld = libdeflate_alloc_decompressor();
	win_size = ZS_INFLATE64_WINDOW + chunk_sizes[7];
	whole_base = malloc(GUARD + FUZZ_OUT_MAX + 1 + TAIL);
	win_base = malloc(GUARD + win_size + TAIL);
	streamed = malloc(FUZZ_OUT_MAX + 1);
	ld_out = malloc(FUZZ_OUT_MAX + 1);
	if (!dec || !ld || !whole_base || !win_base || !streamed || !ld_out)
		die("out of memory");
	whole = whole_base + GUARD;
	win = win_base + GUARD;
	ASAN_POISON_MEMORY_REGION(whole_base, GUARD);
	ASAN_POISON_MEMORY_REGION(win_base, GUARD);
	return 0;
}

typedef struct verdict {
	zs_codec_result r;
	int why;
	size_t len, in_used;
	unsigned flags;
} verdict;

static verdict finish(zs_codec_result r, size_t len, unsigned flags)
{
	verdict v = { r, 0, len, zs_inflate64_in_used(dec), flags };
	if (r == ZS_CODEC_BAD)
		v.why = zs_inflate64_why(dec);
	return v;
}

static verdict decode_whole(const uint8_t *in, size_t n, unsigned flags,
			    size_t cap)
{
	size_t pos = 0;
	ASAN_POISON_MEMORY_REGION(whole + cap, TAIL);
	zs_inflate64_start(dec, in, n, flags);
	zs_codec_result r = zs_inflate64_run(dec, whole, &pos, cap);
	ASAN_UNPOISON_MEMORY_REGION(whole + cap, TAIL);
	if (pos > cap || (r == ZS_CODEC_FULL && pos != cap))
		die("whole: pos out of place");
	return finish(r, pos, flags);
}

static verdict decode_streamed(const uint8_t *in, size_t n, unsigned flags,
			       size_t chunk, size_t limit)
{
	size_t pos = 0, total = 0;
	zs_codec_result r;

	zs_inflate64_start(dec, in, n, flags);
	for (;;) {
		size_t want = limit - total < chunk ? limit - total : chunk;
		if (pos + want > win_size) {
			size_t keep = pos < ZS_INFLATE64_WINDOW ?
				      pos : ZS_INFLATE64_WINDOW;
			memmove(win, win + pos - keep, keep);
			pos = keep;
		}
		size_t from = pos, cap = pos + want;
		ASAN_POISON_MEMORY_REGION(win + cap, TAIL);
		r = zs_inflate64_run(dec, win, &pos, cap);
		ASAN_UNPOISON_MEMORY_REGION(win + cap, TAIL);
		if (pos < from || pos > cap ||
		    (r == ZS_CODEC_FULL && pos != cap))
			die("streamed: pos out of place");
		memcpy(streamed + total, win + from, pos - from);
		total += pos - from;
		if (r != ZS_CODEC_FULL || total == limit)
			break;
	}
	return finish(r, total, flags);
}

/* A valid stream cut before its end: truncated, nothing but a prefix. */
static void cut_short(const uint8_t *in, const verdict *w)
{
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a of the stream */
	for (size_t k = 0; k < w->in_used; k++)
		h = (h ^ in[k]) * 0x100000001b3ull;
	size_t at = (size_t)(h % w->in_used);
	uint8_t *cut = malloc(at ? at : 1);
	size_t pos = 0;
	if (!cut)
		die("out of memory");
	memcpy(cut, in, at);
	zs_inflate64_start(dec, cut, at, w->flags);
	zs_codec_result r = zs_inflate64_run(dec, streamed, &pos, w->len + 1);
	if (r != ZS_CODEC_BAD || zs_inflate64_why(dec) != ZS_WHY_TRUNCATED)
		die("a valid stream cut short is not truncated");
	if (pos > w->len || memcmp(streamed, whole, pos))
		die("a valid stream cut short gives other bytes");
	free(cut);
}

static int lenient(int why)
{
	return why == ZS_WHY_SYMBOL || why == ZS_WHY_CODE_LENGTHS;
}

/* Our verdict (whole form) against libdeflate's on a plain stream. */
static void against_libdeflate(const uint8_t *in, size_t n, const verdict *v,
			       size_t cap)
{
	size_t in_used = 0, out_len = 0;
	enum libdeflate_result lr = libdeflate_deflate_decompress_ex(
		ld, in, n, ld_out, cap, &in_used, &out_len);

	switch (v->r) {
	case ZS_CODEC_END:
		if (lr != LIBDEFLATE_SUCCESS)
			die("plain: we decode a stream libdeflate refuses");
		if (out_len != v->len || memcmp(ld_out, whole, v->len))
			die("plain: libdeflate decodes other bytes");
		if (in_used != v->in_used)
			die("plain: libdeflate ends the stream elsewhere");
		break;
	case ZS_CODEC_FULL:
		if (lr == LIBDEFLATE_SUCCESS && out_len < cap)
			die("plain: out of room where libdeflate ends sooner");
		break;
	case ZS_CODEC_BAD:
		if (lr != LIBDEFLATE_SUCCESS)
			break;
		if (!lenient(v->why))
			die("plain: we refuse a stream libdeflate decodes");
		if (v->len > out_len || memcmp(ld_out, whole, v->len))
			die("plain: our output before the error is not "
			    "libdeflate's");
		break;
	default:
		die("plain: an unexpected result");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned ctl = data[0];
	unsigned flags = ctl & 1 ? ZS_INFLATE64_PLAIN : 0;
	size_t chunk = chunk_sizes[(ctl >> 1) & 7];
	unsigned k = (ctl >> 4) & 7;
	size_t limit = k ? ((size_t)1 << (2 * k)) - 1 : FUZZ_OUT_MAX;
	if (limit > chunk * FUZZ_CALLS_MAX)
		limit = chunk * FUZZ_CALLS_MAX;
	/* the stream in a buffer of its own size: ASan sees a read past it */
	size_t n = size - 1;
	uint8_t *in = malloc(n ? n : 1);
	if (!in)
		die("out of memory");
	memcpy(in, data + 1, n);

	/* one byte more than the limit, as decode.c gives a whole entry */
	verdict w = decode_whole(in, n, flags, limit + 1);
	verdict s = decode_streamed(in, n, flags, chunk, limit + 1);

	if (w.r != ZS_CODEC_END && w.r != ZS_CODEC_FULL && w.r != ZS_CODEC_BAD)
		die("an unexpected result");
	if (w.r == ZS_CODEC_BAD && (w.why <= ZS_WHY_NONE ||
				    w.why >= ZS_WHY_COUNT))
		die("BAD without a reason");
	if (w.r == ZS_CODEC_END && (w.in_used > n || w.in_used == 0))
		die("END with input used out of the stream");
	if (w.r != s.r)
		die("whole and streamed: results differ");
	if (w.why != s.why)
		die("whole and streamed: reasons differ");
	if (w.len != s.len || memcmp(whole, streamed, w.len))
		die("whole and streamed: output differs");
	if (w.r == ZS_CODEC_END && w.in_used != s.in_used)
		die("whole and streamed: input used differs");
	if (flags & ZS_INFLATE64_PLAIN)
		against_libdeflate(in, n, &w, limit + 1);
	if (w.r == ZS_CODEC_END)
		cut_short(in, &w);
	free(in);
	return 0;
}
