/* SPDX-License-Identifier: MIT */
/*
 * codec.h - the interface every decoder behind decode.c has, one per
 * compression method past Stored and Deflate: Deflate64 (our own,
 * inflate64.c), zstd, bzip2, LZMA and xz (their reference libraries).
 *
 * An entry's whole compressed data is in the mapping, so a decoder is given
 * all of it at start and never waits for input; only output is bounded.
 * decode.c hands it output space, as often as it asks:
 *   - a whole entry (up to the worker's whole-entry size): one buffer of the
 *     declared size + 1 byte, so output running past the declared size
 *     shows as a full buffer;
 *   - a bigger entry: a chunk at a time, keeping the last `history` bytes
 *     of output at the start of the buffer for decoders that read their
 *     window back from it (Deflate64) rather than keeping their own.
 *
 * Errors are a reason (enum zs_codec_why), not text: the entry keeps it in
 * its error fields and entry.c words it.
 */
#ifndef ZS_CODEC_H
#define ZS_CODEC_H

#include <stddef.h>
#include <stdint.h>

typedef enum zs_codec_result {
	ZS_CODEC_END = 0,   /* the stream ended and all its output is out */
	ZS_CODEC_FULL,      /* *pos reached cap; call again with more room */
	ZS_CODEC_BAD,       /* invalid data: why() says how */
	ZS_CODEC_MEMORY,    /* the stream needs more memory than permitted */
	ZS_CODEC_NOMEM,     /* malloc failed */
} zs_codec_result;

/* Why a stream is bad: the b field of ZS_E_CODEC (entry.c has the words). */
enum zs_codec_why {
	ZS_WHY_NONE = 0,
	ZS_WHY_TRUNCATED,    /* the data ends before the stream does */
	ZS_WHY_INVALID,      /* corrupt data the library does not detail */
	ZS_WHY_HEADER,       /* a bad stream header or properties */
	ZS_WHY_BLOCK_TYPE,   /* Deflate64: block type 3 */
	ZS_WHY_STORED_LEN,   /* Deflate64: LEN and NLEN disagree */
	ZS_WHY_CODE_LENGTHS, /* Deflate64: code lengths make no valid code */
	ZS_WHY_SYMBOL,       /* Deflate64: a code that means nothing */
	ZS_WHY_DISTANCE,     /* a match reaching back before the start */
	ZS_WHY_CHECKSUM,     /* the stream's own check fails (xz, zstd) */
	ZS_WHY_OPTIONS,      /* valid, but a feature we do not decode */
	ZS_WHY_COUNT
};

/* The most history any decoder keeps in its output buffer: Deflate64's
 * 64 KiB window. */
#define ZS_CODEC_HISTORY_MAX (64u << 10)

typedef struct zs_codec_ops {
	unsigned method;     /* ZIP method number (APPNOTE 4.4.5) */
	/* The most output a compressed byte can give (0: no useful bound); a
	 * declared size past it is a lie, not a reason to allocate. */
	uint32_t max_ratio;
	/* Bytes of earlier output run() reads back from its output buffer
	 * (its window); 0 if the decoder keeps its own. */
	size_t history;
	/* Per-thread state, reused for every entry the thread decodes. */
	void *(*create)(void);
	void (*destroy)(void *st);
	/* Begin an entry: in/in_len is its compressed data, flags its general
	 * purpose flags (LZMA's bit 1: an end marker follows), usize its
	 * declared size, memory_limit the most the decoder may allocate for
	 * its own window and tables (more: ZS_CODEC_MEMORY). */
	zs_codec_result (*start)(void *st, const uint8_t *in, size_t in_len,
				 unsigned flags, uint64_t usize,
				 uint64_t memory_limit);
	/* Decode into out[*pos, cap), advancing *pos.  out[0, *pos) holds the
	 * last `history` bytes of earlier output, or all of it if there was
	 * less.  Returns END, FULL (only with *pos == cap) or an error. */
	zs_codec_result (*run)(void *st, uint8_t *out, size_t *pos,
			       size_t cap);
	/* After BAD: an enum zs_codec_why.  After MEMORY: the bytes wanted
	 * (in *need).  Either may be asked once run() or start() failed. */
	int (*why)(void *st, uint64_t *need);
	/* After END: the bytes of input the stream took.  Less than in_len
	 * means data after the end of the stream, inside the entry: a
	 * streaming reader may read it as another entry (decode.c reports
	 * it).  NULL: the decoder cannot tell. */
	size_t (*in_used)(void *st);
} zs_codec_ops;

extern const zs_codec_ops zs_codec_deflate64;
extern const zs_codec_ops zs_codec_zstd;
extern const zs_codec_ops zs_codec_bzip2;
extern const zs_codec_ops zs_codec_lzma;
extern const zs_codec_ops zs_codec_xz;

#endif
