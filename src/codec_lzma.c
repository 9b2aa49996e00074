/* SPDX-License-Identifier: MIT */
/*
 * codec_lzma.c - ZIP methods 14 (LZMA) and 95 (xz) through liblzma, the
 * reference decoder of both formats.
 *
 * LZMA in ZIP (APPNOTE 5.8.8): 2 bytes of LZMA SDK version, a 2-byte
 * little-endian properties size (5), the 5 properties bytes (lc/lp/pb and
 * a 32-bit dictionary size), then raw LZMA1.  General purpose flag bit 1
 * says an end-of-payload marker (EOPM) ends the data; without it the data
 * ends after the declared uncompressed size.  liblzma's LZMA1EXT filter
 * takes both forms: with the marker the size is left unknown, so output
 * running past the declared size reaches the driver (which fails it);
 * without, liblzma ends exactly at the declared size (or at a marker
 * found just there, which 7-Zip accepts too).  There it checks that the
 * range coder is finished, so a stream that goes on is invalid data at
 * the declared size, while bytes after the stream's end are never read:
 * ignored, as libdeflate ignores bytes after Deflate's last block.
 *
 * xz: one or more .xz streams (the format allows concatenation and
 * padding), decoded by lzma_stream_decoder with the memory limit as its
 * memlimit.
 *
 * Memory: LZMA's dictionary comes from the header, up to 4 GiB, but no
 * match reaches back past the entry's own output and the driver stops
 * output at the declared size + 1, so it is cut to that (at least
 * liblzma's 4 KiB minimum) and the rest is checked against the limit.
 * xz's memlimit covers its dictionary and tables.  Each method keeps one
 * lzma_stream per thread; initialising it again for the next entry reuses
 * liblzma's allocations when the dictionary size is the same.
 */
#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "internal.h"

/* General purpose flag bit 1 for LZMA: an EOPM ends the data. */
#define ZS_LZMA_FLAG_EOPM 0x0002u
/* The ZIP LZMA header: version (2), properties size (2), properties. */
#define ZS_LZMA_HEADER 9u
#define ZS_LZMA_PROPS 5u
/* lc/lp/pb packed as (pb * 5 + lp) * 9 + lc, each within its range. */
#define ZS_LZMA_PROPS_BYTE_MAX (9u * 5u * 5u - 1u)
/* Output scratch for decoding an xz entry again, checks off, to tell a
 * failed check from other corrupt data (see xz_check_failed). */
#define ZS_XZ_RECHECK_CHUNK (16u << 10)

struct lz_state {
	lzma_stream strm;
	int xz;               /* method 95 (else 14) */
	int ended;
	const uint8_t *in;    /* the entry's data, for the xz recheck */
	size_t in_len;
	uint64_t limit;
	int why;              /* enum zs_codec_why, after BAD */
	uint64_t need;        /* bytes wanted, after MEMORY */
};

static void *lz_create(int xz)
{
	struct lz_state *s = calloc(1, sizeof(*s));

	if (s) {
		s->strm = (lzma_stream)LZMA_STREAM_INIT;
		s->xz = xz;
	}
	return s;
}

static void *lzma_create(void)
{
	return lz_create(0);
}

static void *xz_create(void)
{
	return lz_create(1);
}

static void lz_destroy(void *p)
{
	struct lz_state *s = p;

	if (s) {
		lzma_end(&s->strm);
		free(s);
	}
}

static void lz_reset(struct lz_state *s, const uint8_t *in, size_t in_len,
		     uint64_t limit)
{
	s->ended = 0;
	s->in = in;
	s->in_len = in_len;
	s->limit = limit;
	s->why = ZS_WHY_NONE;
	s->need = 0;
}

static zs_codec_result lz_bad(struct lz_state *s, int why)
{
	s->why = why;
	return ZS_CODEC_BAD;
}

/* liblzma reports a failed check as LZMA_DATA_ERROR, like any corrupt
 * data.  To tell them apart, decode the entry again with checks off, into
 * scratch, up to just past where the error came: if that goes through,
 * the error was the check.  It costs a second decode of what was decoded,
 * and only for an entry that already failed; its output is bounded by the
 * first pass's plus two scratch buffers, so a bomb after the bad block is
 * never decoded. */
static int xz_check_failed(struct lz_state *s)
{
	uint8_t scratch[ZS_XZ_RECHECK_CHUNK];
	uint64_t in_at = s->strm.total_in, out_at = s->strm.total_out;
	lzma_ret r = lzma_stream_decoder(&s->strm, s->limit,
					 LZMA_CONCATENATED | LZMA_IGNORE_CHECK);

	s->strm.next_in = s->in;
	s->strm.avail_in = s->in_len;
	/* liblzma answers LZMA_BUF_ERROR to a second call without progress */
	while (r == LZMA_OK && s->strm.total_in <= in_at &&
	       s->strm.total_out <= out_at + sizeof(scratch)) {
		s->strm.next_out = scratch;
		s->strm.avail_out = sizeof(scratch);
		r = lzma_code(&s->strm, LZMA_FINISH);
	}
	return r == LZMA_STREAM_END ||
	       (r == LZMA_OK && s->strm.total_in > in_at);
}

static zs_codec_result lz_error(struct lz_state *s, lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR:
		return ZS_CODEC_NOMEM;
	case LZMA_MEMLIMIT_ERROR:
		s->need = lzma_memusage(&s->strm);
		return ZS_CODEC_MEMORY;
	case LZMA_FORMAT_ERROR:
		return lz_bad(s, ZS_WHY_HEADER);
	case LZMA_OPTIONS_ERROR:       /* a filter or option we lack */
	case LZMA_UNSUPPORTED_CHECK:
		return lz_bad(s, ZS_WHY_OPTIONS);
	case LZMA_BUF_ERROR:           /* all input given, no end reached */
		return lz_bad(s, ZS_WHY_TRUNCATED);
	case LZMA_DATA_ERROR:
		if (s->xz && xz_check_failed(s))
			return lz_bad(s, ZS_WHY_CHECKSUM);
		return lz_bad(s, ZS_WHY_INVALID);
	default:
		return lz_bad(s, ZS_WHY_INVALID);
	}
}

static zs_codec_result xz_start(void *p, const uint8_t *in, size_t in_len,
				unsigned flags, uint64_t usize,
				uint64_t memory_limit)
{
	struct lz_state *s = p;

	(void)flags;
	(void)usize;
	lz_reset(s, in, in_len, memory_limit);
	/* CONCATENATED: streams and padding to the end of the input;
	 * TELL_UNSUPPORTED_CHECK: a check we cannot verify is an error */
	lzma_ret r = lzma_stream_decoder(&s->strm, memory_limit,
					 LZMA_CONCATENATED |
					 LZMA_TELL_UNSUPPORTED_CHECK);
	if (r != LZMA_OK)
		return lz_error(s, r);
	s->strm.next_in = in;
	s->strm.avail_in = in_len;
	return ZS_CODEC_END;
}

/* The dictionary the stream can use: no match reaches back past the
 * output, and the driver stops at usize + 1 bytes. */
static uint32_t lzma_dict_for(uint32_t dict, uint64_t usize)
{
	if (usize < dict)
		dict = (uint32_t)usize + 1;
	return dict < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : dict;
}

/* Read the ZIP LZMA header into opt; an enum zs_codec_why, or NONE. */
static int lzma_header(const uint8_t *in, size_t in_len,
		       lzma_options_lzma *opt)
{
	if (in_len < 4)
		return ZS_WHY_TRUNCATED;
	if (zs_le16(in + 2) != ZS_LZMA_PROPS)
		return ZS_WHY_HEADER;
	if (in_len < ZS_LZMA_HEADER)
		return ZS_WHY_TRUNCATED;
	unsigned d = in[4];
	if (d > ZS_LZMA_PROPS_BYTE_MAX)
		return ZS_WHY_HEADER;
	memset(opt, 0, sizeof(*opt));
	opt->lc = d % 9;
	opt->lp = d / 9 % 5;
	opt->pb = d / 45;
	/* valid LZMA1, but liblzma (after LZMA2) takes lc + lp <= 4 only */
	if (opt->lc + opt->lp > LZMA_LCLP_MAX)
		return ZS_WHY_OPTIONS;
	opt->dict_size = zs_le32(in + 5);
	return ZS_WHY_NONE;
}

static zs_codec_result lzma_start(void *p, const uint8_t *in, size_t in_len,
				  unsigned flags, uint64_t usize,
				  uint64_t memory_limit)
{
	struct lz_state *s = p;
	lzma_options_lzma opt;

	lz_reset(s, in, in_len, memory_limit);
	int why = lzma_header(in, in_len, &opt);
	if (why != ZS_WHY_NONE)
		return lz_bad(s, why);
	opt.dict_size = lzma_dict_for(opt.dict_size, usize);
	if (flags & ZS_LZMA_FLAG_EOPM) {
		lzma_set_ext_size(opt, UINT64_MAX);  /* unknown: marker ends */
	} else {
		lzma_set_ext_size(opt, usize);
		opt.ext_flags = LZMA_LZMA1EXT_ALLOW_EOPM;
	}
	lzma_filter filters[] = {
		{ .id = LZMA_FILTER_LZMA1EXT, .options = &opt },
		{ .id = LZMA_VLI_UNKNOWN, .options = NULL },
	};
	uint64_t need = lzma_raw_decoder_memusage(filters);
	if (need == UINT64_MAX)
		return lz_bad(s, ZS_WHY_OPTIONS);
	if (need > memory_limit) {
		s->need = need;
		return ZS_CODEC_MEMORY;
	}
	lzma_ret r = lzma_raw_decoder(&s->strm, filters);
	if (r != LZMA_OK)
		return lz_error(s, r);
	s->strm.next_in = in + ZS_LZMA_HEADER;
	s->strm.avail_in = in_len - ZS_LZMA_HEADER;
	return ZS_CODEC_END;
}

static zs_codec_result lz_run(void *p, uint8_t *out, size_t *pos, size_t cap)
{
	struct lz_state *s = p;

	for (;;) {
		if (s->ended)
			return ZS_CODEC_END;
		if (*pos == cap)
			return ZS_CODEC_FULL;
		size_t in0 = s->strm.avail_in, out0 = cap - *pos;
		s->strm.next_out = out + *pos;
		s->strm.avail_out = out0;
		lzma_ret r = lzma_code(&s->strm, LZMA_FINISH);
		*pos += out0 - s->strm.avail_out;
		if (r == LZMA_STREAM_END) {
			s->ended = 1;
			continue;
		}
		if (r != LZMA_OK)
			return lz_error(s, r);
		/* with room left and no end reached, a call that moves
		 * nothing means the data ran out; never call again */
		if (s->strm.avail_in == in0 && s->strm.avail_out == out0)
			return lz_bad(s, s->strm.avail_in == 0 ?
					 ZS_WHY_TRUNCATED : ZS_WHY_INVALID);
	}
}

static int lz_why(void *p, uint64_t *need)
{
	struct lz_state *s = p;

	if (need)
		*need = s->need;
	return s->why;
}

/* Neither has a useful ratio bound: a run costs LZMA's range coder a
 * small fraction of a bit per byte. */
/* LZMA's own 9-byte header (version, properties size, properties) comes
 * before what the stream was given. */
static size_t lz_in_used(void *p)
{
	struct lz_state *s = p;
	return (size_t)s->strm.total_in + (s->xz ? 0 : ZS_LZMA_HEADER);
}

const zs_codec_ops zs_codec_lzma = {
	.method = 14,
	.max_ratio = 0,
	.history = 0,
	.create = lzma_create,
	.destroy = lz_destroy,
	.start = lzma_start,
	.run = lz_run,
	.why = lz_why,
	.in_used = lz_in_used,
};

const zs_codec_ops zs_codec_xz = {
	.method = 95,
	.max_ratio = 0,
	.history = 0,
	.create = xz_create,
	.destroy = lz_destroy,
	.start = xz_start,
	.run = lz_run,
	.why = lz_why,
	.in_used = lz_in_used,
};
