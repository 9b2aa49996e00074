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
	uint16_t *out;           /* the output so far (owned, grows;
				    zs_big_alloc's for cap symbols) */
	size_t len, cap, cap_max;
	size_t faulted;          /* out[0..faulted) is in memory (<= cap) */
	size_t marker_end;       /* index after the last marker written */
	/* two-level tables (inflate_mark.c) */
	uint32_t lit[(1u << 10) + (1u << 15)];
	uint32_t dist[(1u << 10) + (1u << 15)];
} zs_mark_dec;

/* The tables' entries, for walkers outside (deflate_walk.c): bits 0-7 the
 * bits the symbol takes with its extra bits, 8-11 its code's length, one
 * flag (ZS_MARK_F_*), 16-31 its value (a byte, a length or distance base);
 * 0 is a hole of an incomplete code.  A primary entry with ZS_MARK_F_SUB
 * points at a subtable: its value is where, bits 8-11 how many bits after
 * the first ZS_MARK_PRIMARY index it. */
#define ZS_MARK_PRIMARY 10u
#define ZS_MARK_F_LIT 0x1000u   /* a byte (or a raw code-length symbol) */
#define ZS_MARK_F_LEN 0x2000u   /* a length or a distance: extra bits follow */
#define ZS_MARK_F_END 0x4000u   /* the end of the block */
#define ZS_MARK_F_SUB 0x8000u

/* The entry of table t for the next bits of buf (not consumed). */
static inline uint32_t zs_mark_lookup(const uint32_t *t, uint64_t buf)
{
	uint32_t e = t[buf & ((1u << ZS_MARK_PRIMARY) - 1)];
	if (__builtin_expect((e & ZS_MARK_F_SUB) != 0, 0))
		e = t[(e >> 16) + ((buf >> ZS_MARK_PRIMARY) &
				   ((1u << ((e >> 8) & 15)) - 1))];
	return e;
}

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
/* Are the last 32 KiB of the output free of markers (so the window for
 * what follows is known)?  marker_end, a bound kept cheaply while decoding,
 * is brought down to one past the last marker actually there: at most
 * 32 Ki symbols looked at. */
int zs_mark_tail_clean(zs_mark_dec *d);
/* Replace d->out[0..len) by bytes, in place (d->out then holds uint8_t):
 * markers from win (32 KiB, its last `known` bytes valid).  -1 if a marker
 * names a byte before the known part (a reference before the stream),
 * else how many markers there were. */
int64_t zs_mark_resolve(zs_mark_dec *d, const uint8_t *win, size_t known);
/* The same for src[0..n) into dst (dst == src works, as above). */
int64_t zs_mark_resolve_to(const uint16_t *src, size_t n, const uint8_t *win,
			   size_t known, uint8_t *dst);

#endif
