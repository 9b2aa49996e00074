/* SPDX-License-Identifier: MIT */
/*
 * inflate64.h - our Deflate64 decoder (method 9), also used directly by its
 * tests, its fuzz target and its benchmark.
 *
 * Deflate64 is Deflate with a 64 KiB window: length code 285 takes 16 extra
 * bits (lengths 3-65,538) and distance codes 30 and 31 reach back to 65,536.
 * The same decoder reads plain Deflate when started with ZS_INFLATE64_PLAIN,
 * so tests and the fuzzer can hold it against libdeflate on one stream.
 *
 * The compressed data is given whole; output space is handed in as often as
 * the decoder fills it (codec.h): one buffer for a whole entry, or a chunk
 * at a time with the last 64 KiB of output kept before it.
 */
#ifndef ZS_INFLATE64_H
#define ZS_INFLATE64_H

#include "codec.h"

/* Read plain Deflate (RFC 1951) instead of Deflate64. */
#define ZS_INFLATE64_PLAIN 1u
/* The window: how far back a match may reach, and so how much earlier
 * output a caller streaming through chunks must keep. */
#define ZS_INFLATE64_WINDOW (64u << 10)

/* The most output one input byte can give: a 65,538-byte match costs 18
 * bits at best (a 1-bit length code 285, 16 extra bits, a 1-bit distance
 * code with no extra bits). */
#define ZS_DEFLATE64_MAX_RATIO 29128u

typedef struct zs_inflate64 zs_inflate64;

zs_inflate64 *zs_inflate64_new(void);
void zs_inflate64_free(zs_inflate64 *d);
/* Begin a stream of in_len bytes at in (flags: 0 or ZS_INFLATE64_PLAIN). */
void zs_inflate64_start(zs_inflate64 *d, const uint8_t *in, size_t in_len,
			unsigned flags);
/* Decode into out[*pos, cap), advancing *pos; out[0, *pos) is earlier
 * output the stream's matches may read (at least the last
 * ZS_INFLATE64_WINDOW bytes of it, or all of it).  Returns ZS_CODEC_END at
 * the end of the final block, ZS_CODEC_FULL when *pos == cap and output
 * remains, ZS_CODEC_BAD on invalid data (then zs_inflate64_why). */
zs_codec_result zs_inflate64_run(zs_inflate64 *d, uint8_t *out, size_t *pos,
				 size_t cap);
/* Why the stream is bad: an enum zs_codec_why. */
int zs_inflate64_why(const zs_inflate64 *d);
/* Compressed bytes consumed so far (at END: the stream's length, rounded
 * up to a whole byte). */
size_t zs_inflate64_in_used(const zs_inflate64 *d);

#endif
