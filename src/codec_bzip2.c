/* SPDX-License-Identifier: MIT */
/*
 * codec_bzip2.c - ZIP method 12 (bzip2) through libbz2, the reference
 * decoder.
 *
 * One stream per entry: Info-ZIP zip, 7-Zip and Python write one, and
 * Info-ZIP unzip, 7-Zip (its ZIP handler leaves the bzip2 decoder's
 * DecodeAllStreams off) and Python read one.  Bytes after the stream's end
 * are ignored by the decode, as all three do and as libdeflate ignores
 * bytes after Deflate's final block (in_used tells decode.c where the
 * stream ended, so they are reported as trailing data); were they a second
 * stream, its output would be missing and the entry's size and CRC-32
 * checks fail it, as those readers do.  An archive that only a
 * multi-stream decoder could read is not one zipscan should pass.
 *
 * Memory is bounded by the format, not by the limit: a block is at most
 * 900,000 bytes (level 9), and libbz2's fast mode (small = 0) holds 4
 * bytes per block byte plus ~64 KiB of tables, ~3.7 MB at most.  The
 * state is made and freed per entry (BZ2_bzDecompressInit/End): libbz2
 * has no reset, and an allocation per entry costs nothing beside it.
 *
 * libbz2 reports a failed block or stream CRC with the same code as other
 * corrupt data (BZ_DATA_ERROR), so both are ZS_WHY_INVALID.
 */
#include <bzlib.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* avail_in and avail_out are unsigned int: input and output go to libbz2
 * in pieces of at most this much. */
#define ZS_BZ2_PIECE (1u << 30)

struct bzip2_state {
	bz_stream bz;
	int live;             /* bz is initialised */
	int ended;            /* the stream ended */
	const uint8_t *rest;  /* input not yet handed to bz */
	size_t rest_len;
	size_t in_len;        /* the entry's compressed bytes */
	size_t used;          /* after the end: the bytes the stream took */
	int why;
};

static void *bzip2_create(void)
{
	return calloc(1, sizeof(struct bzip2_state));
}

static void bzip2_end(struct bzip2_state *s)
{
	if (s->live)
		BZ2_bzDecompressEnd(&s->bz);
	s->live = 0;
}

static void bzip2_destroy(void *p)
{
	if (p) {
		bzip2_end(p);
		free(p);
	}
}

/* Hand libbz2 the next piece of input once it has used the last. */
static void bzip2_feed(struct bzip2_state *s)
{
	if (s->bz.avail_in > 0 || s->rest_len == 0)
		return;
	unsigned take = s->rest_len > ZS_BZ2_PIECE ? ZS_BZ2_PIECE :
						     (unsigned)s->rest_len;
	s->bz.next_in = (char *)s->rest;
	s->bz.avail_in = take;
	s->rest += take;
	s->rest_len -= take;
}

static zs_codec_result bzip2_start(void *p, const uint8_t *in, size_t in_len,
				   unsigned flags, uint64_t usize,
				   uint64_t memory_limit)
{
	struct bzip2_state *s = p;

	(void)flags;
	(void)usize;
	(void)memory_limit;  /* bounded by the format: see the top */
	s->why = ZS_WHY_NONE;
	s->ended = 0;
	bzip2_end(s);
	memset(&s->bz, 0, sizeof(s->bz));
	/* small = 0: the fast decoder, 4 bytes per block byte */
	if (BZ2_bzDecompressInit(&s->bz, 0, 0) != BZ_OK)
		return ZS_CODEC_NOMEM;
	s->live = 1;
	s->rest = in;
	s->rest_len = in_len;
	s->in_len = in_len;
	s->used = 0;
	bzip2_feed(s);
	return ZS_CODEC_END;
}

static zs_codec_result bzip2_bad(struct bzip2_state *s, int why)
{
	s->why = why;
	return ZS_CODEC_BAD;
}

static zs_codec_result bzip2_run(void *p, uint8_t *out, size_t *pos,
				 size_t cap)
{
	struct bzip2_state *s = p;

	for (;;) {
		if (s->ended)
			return ZS_CODEC_END;
		if (!s->live)   /* start failed: run is not to be called */
			return bzip2_bad(s, ZS_WHY_INVALID);
		if (*pos == cap)
			return ZS_CODEC_FULL;
		bzip2_feed(s);
		size_t room = cap - *pos;
		unsigned in0 = s->bz.avail_in;
		unsigned out0 = room > ZS_BZ2_PIECE ? ZS_BZ2_PIECE :
						      (unsigned)room;
		s->bz.next_out = (char *)out + *pos;
		s->bz.avail_out = out0;
		int r = BZ2_bzDecompress(&s->bz);
		*pos += out0 - s->bz.avail_out;
		if (r == BZ_STREAM_END) {
			s->ended = 1;
			s->used = s->in_len - s->rest_len - s->bz.avail_in;
			bzip2_end(s);  /* its ~3.7 MB need not wait */
			return ZS_CODEC_END;
		}
		if (r == BZ_MEM_ERROR)
			return ZS_CODEC_NOMEM;
		if (r == BZ_DATA_ERROR_MAGIC)
			return bzip2_bad(s, ZS_WHY_HEADER);
		if (r != BZ_OK)
			return bzip2_bad(s, ZS_WHY_INVALID);
		/* with room left and no end reached, a call that moves
		 * nothing means the data ran out; never call again */
		if (s->bz.avail_in == in0 && s->bz.avail_out == out0)
			return bzip2_bad(s, s->bz.avail_in == 0 &&
						    s->rest_len == 0 ?
						    ZS_WHY_TRUNCATED :
						    ZS_WHY_INVALID);
	}
}

static int bzip2_why(void *p, uint64_t *need)
{
	struct bzip2_state *s = p;

	if (need)
		*need = 0;
	return s->why;
}

static size_t bzip2_in_used(void *p)
{
	return ((struct bzip2_state *)p)->used;
}

const zs_codec_ops zs_codec_bzip2 = {
	.method = 12,
	/* a run of one byte costs bits per megabyte: no useful bound */
	.max_ratio = 0,
	.history = 0,
	.create = bzip2_create,
	.destroy = bzip2_destroy,
	.start = bzip2_start,
	.run = bzip2_run,
	.why = bzip2_why,
	.in_used = bzip2_in_used,
};
