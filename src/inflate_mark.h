/* SPDX-License-Identifier: MIT */
/*
 * inflate_mark.h - a Deflate decoder for a stream entered at a block
 * boundary with an unknown window (the rapidgzip method, our own code).
 *
 * Output is 16-bit: a value below 256 is a byte; ZS_MARK_BIT | p stands for
 * byte p (0..32767) of the 32 KiB before the start, which the caller fills in
 * once it knows them (zs_mark_resolve).  blockfind.c uses the header reader
 * to find block starts; pinflate.c decodes chunks with it.
 */
#ifndef ZS_INFLATE_MARK_H
#define ZS_INFLATE_MARK_H

#include <stddef.h>
#include <stdint.h>

#define ZS_MARK_BIT 0x8000u
#define ZS_MARK_WINDOW 32768u

enum zs_mark_result {
	ZS_MARK_OK = 0,   /* one block decoded (or one header read) */
	ZS_MARK_BAD,      /* not a valid stream from here */
	ZS_MARK_FULL,     /* the output reached its cap */
};

typedef struct zs_mark_dec {
	const uint8_t *in;
	size_t in_len;
	uint64_t pos;            /* bit offset of the next unread bit */
	int final;               /* the block just read is the last */
	int type;                /* 0 stored, 1 fixed, 2 dynamic */
	uint32_t stored_len;     /* a stored block's LEN */
	uint16_t *out;           /* the output so far (owned, grows) */
	size_t len, cap, cap_max;
	size_t marker_end;       /* index after the last marker written */
	unsigned lit_bits, dist_bits;    /* two-level tables (inflate_mark.c):
					    primary bits (low 4), subtable
					    bits (next 4) */
	uint32_t lit[(1u << 10) + (1u << 15)];
	uint32_t dist[(1u << 10) + (1u << 15)];
} zs_mark_dec;

/* The tables' entries, for walkers outside (deflate_walk.c): code length
 * (0: a hole of an incomplete code), kind, extra bits, value (a literal,
 * a length or distance base); with ZS_MARK_SUB set, the value is where the
 * subtable of the next bits starts. */
#define ZS_MARK_CODE_LEN(e) ((e) & 31u)
#define ZS_MARK_KIND(e) (((e) >> 5) & 3u)
#define ZS_MARK_EXTRA(e) (((e) >> 8) & 31u)
#define ZS_MARK_VALUE(e) ((e) >> 16)
#define ZS_MARK_SUB 0x80u
enum { ZS_MARK_K_LIT, ZS_MARK_K_END, ZS_MARK_K_LEN, ZS_MARK_K_BAD };

/* Start at bit `pos` of in[0..in_len) with an empty output that may grow to
 * cap_max symbols.  The decoder is big (264 KiB of tables): allocate it. */
void zs_mark_start(zs_mark_dec *d, const uint8_t *in, size_t in_len,
		   uint64_t pos, size_t cap_max);
void zs_mark_free(zs_mark_dec *d);
/* Read the block header at d->pos (tables built, pos past it). */
int zs_mark_header(zs_mark_dec *d);
/* Decode the body of the block whose header was just read. */
int zs_mark_body(zs_mark_dec *d);
/* The body of the block whose header was just read, decoded without
 * output: d->len counts the bytes it holds, and a reference before the
 * start (d->len 0 at zs_mark_start) or a length past cap_max is
 * ZS_MARK_BAD (deflate_walk.c). */
int zs_mark_skip(zs_mark_dec *d);
/* Header and body of the next block. */
int zs_mark_block(zs_mark_dec *d);
/* Replace d->out[0..len) by bytes, in place (d->out then holds uint8_t):
 * markers from win (32 KiB, its last `known` bytes valid).  -1 if a marker
 * names a byte before the known part (a reference before the stream),
 * else how many markers there were (0, uncounted, when all 32 KiB are
 * known). */
int64_t zs_mark_resolve(zs_mark_dec *d, const uint8_t *win, size_t known);
/* The same for src[0..n) into dst (dst == src works, as above). */
int64_t zs_mark_resolve_to(const uint16_t *src, size_t n, const uint8_t *win,
			   size_t known, uint8_t *dst);

#endif
