/* SPDX-License-Identifier: MIT */
/*
 * codec_zstd.c - ZIP method 93 (zstd) through libzstd, the reference
 * decoder.
 *
 * An entry may hold several frames back to back, skippable frames among
 * them (RFC 8878 section 3: a decoder must accept concatenated frames):
 * all are decoded until the input is used up, as `zstd -d` does, and bytes
 * after the last frame that are not a frame fail the entry.
 *
 * Memory: libzstd keeps the window itself (history = 0).  The window is
 * bounded by ZSTD_d_windowLogMax, the largest power of two not over the
 * memory limit; a frame asking for more is ZS_CODEC_MEMORY, with the
 * window its header declares as the need.  On top of the window come the
 * context (~100 KiB) and two 128 KiB blocks, whatever the limit.  The
 * context is made once per thread and reset for every entry, so its
 * buffers are reused (libzstd grows them only for a larger window).
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader: a frame's window */
#include <zstd.h>
#include <zstd_errors.h>
#include <stdlib.h>

#include "codec.h"

struct zstd_state {
	ZSTD_DCtx *dctx;
	ZSTD_inBuffer in;     /* the entry's data; in.pos: consumed so far */
	size_t frame;         /* offset of the frame being decoded */
	int at_boundary;      /* the last frame ended and was flushed */
	int why;              /* enum zs_codec_why, after BAD */
	uint64_t need;        /* window wanted, after MEMORY */
};

static void *zstd_create(void)
{
	struct zstd_state *s = calloc(1, sizeof(*s));

	if (s && !(s->dctx = ZSTD_createDCtx())) {
		free(s);
		s = NULL;
	}
	return s;
}

static void zstd_destroy(void *p)
{
	struct zstd_state *s = p;

	if (s) {
		ZSTD_freeDCtx(s->dctx);
		free(s);
	}
}

/* The windowLogMax for a memory limit: floor(log2(limit)), within what
 * libzstd accepts (its floor is 1 KiB, so a limit under that still allows
 * a 1 KiB window). */
static int window_log_for(uint64_t limit)
{
	ZSTD_bounds b = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax);
	int log = limit ? 63 - __builtin_clzll(limit) : 0;

	if (log < b.lowerBound)
		log = b.lowerBound;
	if (log > b.upperBound)
		log = b.upperBound;
	return log;
}

static zs_codec_result zstd_start(void *p, const uint8_t *in, size_t in_len,
				  unsigned flags, uint64_t usize,
				  uint64_t memory_limit)
{
	struct zstd_state *s = p;

	(void)flags;
	(void)usize;  /* the frames say where they end */
	s->why = ZS_WHY_NONE;
	s->need = 0;
	s->in = (ZSTD_inBuffer){ in, in_len, 0 };
	s->frame = 0;
	s->at_boundary = 0;  /* an empty entry holds no frame: truncated */
	/* keeps the buffers, drops the last entry's frame state */
	ZSTD_DCtx_reset(s->dctx, ZSTD_reset_session_only);
	size_t r = ZSTD_DCtx_setParameter(s->dctx, ZSTD_d_windowLogMax,
					  window_log_for(memory_limit));
	if (ZSTD_isError(r)) {
		s->why = ZS_WHY_INVALID;
		return ZS_CODEC_BAD;
	}
	return ZS_CODEC_END;
}

/* The current frame's window, from its header (the need after MEMORY). */
static uint64_t frame_window(const struct zstd_state *s)
{
	ZSTD_frameHeader h;
	const uint8_t *src = s->in.src;

	if (ZSTD_getFrameHeader(&h, src + s->frame, s->in.size - s->frame) != 0)
		return 0;
	return h.windowSize;
}

static zs_codec_result zstd_error(struct zstd_state *s, size_t r)
{
	switch (ZSTD_getErrorCode(r)) {
	case ZSTD_error_frameParameter_windowTooLarge:
		s->need = frame_window(s);
		return ZS_CODEC_MEMORY;
	case ZSTD_error_memory_allocation:
		return ZS_CODEC_NOMEM;
	case ZSTD_error_prefix_unknown:
	case ZSTD_error_frameParameter_unsupported:
		s->why = ZS_WHY_HEADER;
		break;
	case ZSTD_error_checksum_wrong:
		s->why = ZS_WHY_CHECKSUM;
		break;
	case ZSTD_error_dictionary_wrong:    /* a frame made with a dictionary */
	case ZSTD_error_version_unsupported: /* a pre-1.0 (legacy) frame */
		s->why = ZS_WHY_OPTIONS;
		break;
	default:
		s->why = ZS_WHY_INVALID;
		break;
	}
	return ZS_CODEC_BAD;
}

static zs_codec_result zstd_run(void *p, uint8_t *out, size_t *pos,
				size_t cap)
{
	struct zstd_state *s = p;
	ZSTD_outBuffer o = { out, cap, *pos };
	zs_codec_result res;

	for (;;) {
		if (s->at_boundary && s->in.pos == s->in.size) {
			res = ZS_CODEC_END;
			break;
		}
		if (o.pos == o.size) {
			res = ZS_CODEC_FULL;
			break;
		}
		size_t in0 = s->in.pos, out0 = o.pos;
		size_t r = ZSTD_decompressStream(s->dctx, &o, &s->in);
		if (ZSTD_isError(r)) {
			res = zstd_error(s, r);
			break;
		}
		s->at_boundary = r == 0;  /* 0: a frame ended and is flushed */
		if (s->at_boundary)
			s->frame = s->in.pos;
		/* with room left and no end reached, a call that moves
		 * nothing means the data ran out; never call again */
		if (s->in.pos == in0 && o.pos == out0) {
			s->why = s->in.pos == s->in.size ? ZS_WHY_TRUNCATED :
							   ZS_WHY_INVALID;
			res = ZS_CODEC_BAD;
			break;
		}
	}
	*pos = o.pos;
	return res;
}

static int zstd_why(void *p, uint64_t *need)
{
	struct zstd_state *s = p;

	if (need)
		*need = s->need;
	return s->why;
}

static size_t zstd_in_used(void *p)
{
	return ((struct zstd_state *)p)->in.pos;
}

const zs_codec_ops zs_codec_zstd = {
	.method = 93,
	/* an RLE block turns 4 bytes into 128 KiB; no bound worth checking */
	.max_ratio = 0,
	.history = 0,
	.create = zstd_create,
	.destroy = zstd_destroy,
	.start = zstd_start,
	.run = zstd_run,
	.why = zstd_why,
	.in_used = zstd_in_used,
};
