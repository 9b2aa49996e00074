/* SPDX-License-Identifier: MIT */
/*
 * decode.c - decode one entry straight from the mapping and check its CRC-32
 * and sizes, with buffers owned by the calling thread.
 *
 * Stored entries are checked in place (libdeflate_crc32 over the mapping, no
 * copy) only when nothing of them is used after: a test.  Data that is
 * written or hashed is first copied out of the mapping, and checked, hashed
 * and written from that copy: whoever can write the archive's file can
 * change the mapping between any two reads of it, and the bytes checked
 * must be the bytes used.  Deflate entries up to ZS_WHOLE_ENTRY_MAX (or the memory limit, if
 * lower) are decoded by libdeflate in one call into the thread's buffer,
 * sized to the declared size: output running past it stops the decoder
 * (INSUFFICIENT_SPACE), so a lying size is caught without trusting it for
 * more than that.  Larger entries stream through ISA-L's inflate in chunks
 * that stay in cache while their CRC is computed.
 *
 * Why not libdeflate for big entries too: a test only needs the CRC, and a
 * whole-entry buffer of 100+ MiB costs a page fault per 4 KiB on first
 * touch.  Measured on the big-files bench (5 entries, 23-117 MiB, 2 cores):
 * whole-buffer libdeflate 0.49-0.90 s with 0.4-1.0 s of system time when
 * two threads fault at once; ISA-L through a 1 MiB chunk 0.32-0.35 s, no
 * system time, though ISA-L alone decodes ~15% slower than libdeflate.
 * Up to 4 MiB the two paths measure the same on the many-files bench.
 *
 * Every other method we decode (Deflate64, zstd, bzip2, LZMA, xz) goes
 * through codec.h: entries under the whole-entry size into the thread's
 * buffer, one byte bigger than declared so that output running past the
 * declared size shows; bigger ones a chunk at a time, with the decoder's
 * window (Deflate64's 64 KiB) kept in front of the chunk.  The CRC, hash,
 * sink and size checks are the same as Deflate's.
 *
 * Output goes to a zs_sink (extract, cat) or nowhere (test), by write():
 * whole entries from the thread's buffer (or, stored, from the mapping) in
 * one call, streamed ones a chunk at a time.  Decoding straight into a
 * mapping of the output file (ftruncate, mmap, libdeflate into it) measured
 * slower on the many-files bench (extract 2.3-3.1 s against 1.5-1.6 s:
 * a page fault per 4 KiB costs more than the copy write() makes) and on
 * big-files 8% faster (0.94 s against 1.03-1.06 s), but a full disk then
 * arrives as SIGBUS; with posix_fallocate to make it an error first, no
 * faster (0.95-1.01 s against 0.84-1.02 s).  So write() it is. */
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <xxhash.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "codec.h"
#include "isal_feed.h"
#include "internal.h"

/* The decoders of the other methods; a worker keeps a state for each,
 * made on the thread's first entry in that method. */
static const zs_codec_ops *const codecs[] = {
	&zs_codec_deflate64,
	&zs_codec_zstd,
	&zs_codec_bzip2,
	&zs_codec_lzma,
	&zs_codec_xz,
};
#define ZS_CODEC_SLOTS (sizeof(codecs) / sizeof(codecs[0]))

struct zs_worker {
	struct libdeflate_decompressor *inflater;
	uint8_t *buf;                 /* whole-entry output, reused */
	size_t cap;
	uint64_t whole_max;           /* largest entry decoded whole */
	struct inflate_state *stream; /* ISA-L state, made on first use */
	uint8_t *chunk;               /* ZS_STREAM_CHUNK bytes */
	XXH3_state_t *hash;           /* with zs_options.hash */
	uint64_t memory_limit;        /* for the decoders' own windows */
	void *codec[ZS_CODEC_SLOTS];  /* each decoder's state, or NULL */
	volatile int *stop;           /* Ctrl-C: the entry's loops ask it */
	uint8_t *window;              /* history + ZS_STREAM_CHUNK bytes */
};

zs_worker *zs_worker_new(uint64_t memory_limit, int hash)
{
	zs_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->inflater = libdeflate_alloc_decompressor();
	if (hash)
		w->hash = XXH3_createState();
	if (!w->inflater || (hash && !w->hash)) {
		zs_worker_free(w);
		return NULL;
	}
	w->whole_max = zs_whole_max(memory_limit);
	w->memory_limit = memory_limit;
	return w;
}

uint64_t zs_whole_max(uint64_t memory_limit)
{
	return memory_limit < ZS_WHOLE_ENTRY_MAX ? memory_limit :
						   ZS_WHOLE_ENTRY_MAX;
}

void zs_worker_free(zs_worker *w)
{
	if (!w)
		return;
	if (w->inflater)
		libdeflate_free_decompressor(w->inflater);
	XXH3_freeState(w->hash);
	for (size_t k = 0; k < ZS_CODEC_SLOTS; k++)
		if (w->codec[k])
			codecs[k]->destroy(w->codec[k]);
	free(w->window);
	zs_big_free(w->buf, w->cap);
	free(w->stream);
	free(w->chunk);
	free(w);
}

/* Make buf hold at least need bytes (need <= whole_max).  The old contents are
 * not kept, so free + malloc avoids realloc's copy. */
static int worker_reserve(zs_worker *w, size_t need)
{
	if (need <= w->cap && w->buf)
		return 0;
	size_t cap = w->cap ? w->cap : 1 << 16;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > w->whole_max)
		cap = need;
	if (cap < need)
		cap = need;
	zs_big_free(w->buf, w->cap);
	w->buf = zs_big_alloc(cap);   /* huge pages from 2 MiB up */
	w->cap = w->buf ? cap : 0;
	return w->buf ? 0 : -1;
}

static void finish(zs_index *ix, size_t i, uint32_t crc, uint64_t got)
{
	if (got != ix->uncomp_size[i])
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_SIZE_SHORT,
			      ix->uncomp_size[i], got);
	else if (crc != ix->crc32[i])
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_CRC, ix->crc32[i], crc);
	else
		ix->status[i] = ZS_ENTRY_OK;
}

static void store_hash(zs_index *ix, size_t i, XXH128_hash_t h)
{
	if (ix->xxh128) {
		ix->xxh128[2 * i] = h.high64;
		ix->xxh128[2 * i + 1] = h.low64;
	}
}

/* Hash a whole output when hashing is on (the data is still in cache). */
static void hash_whole(zs_worker *w, zs_index *ix, size_t i, const void *p,
		       size_t n)
{
	if (w->hash && ix->status[i] == ZS_ENTRY_OK)
		store_hash(ix, i, XXH3_128bits(p, n));
}

/* Hand output to the sink: write it, or (deferred) remember where it is. */
static int emit(zs_sink *s, const uint8_t *p, size_t n)
{
	if (!s)
		return 0;
	if (s->defer) {
		s->pending = p;
		s->pending_len = n;
		return 0;
	}
	if (s->fn) {
		if (s->fn(s->ctx, p, n) != 0) {
			s->err = ECANCELED;
			return -1;
		}
		return 0;
	}
	if (zs_write_all(s->fd, p, n, s->stop) != 0) {
		s->err = errno;
		return -1;
	}
	return 0;
}

/* The sink failed or the run is stopping: the entry is abandoned. */
static int sink_stopped(const zs_sink *s)
{
	return s && (s->err || (s->stop && *s->stop));
}

/* A whole entry decoded into p: its CRC, size and hash, then one write,
 * and only of output that checked out. */
static uint64_t whole_done(zs_worker *w, zs_index *ix, size_t i, zs_sink *s,
			   const uint8_t *p, size_t got)
{
	finish(ix, i, libdeflate_crc32(0, p, got), got);
	hash_whole(w, ix, i, p, got);
	if (ix->status[i] == ZS_ENTRY_OK)
		emit(s, p, got);
	return got;
}

/* A streamed entry's checks so far. */
struct stream_check {
	uint32_t crc;
	uint64_t total;
};

static struct stream_check stream_begin(zs_worker *w)
{
	if (w->hash)
		XXH3_128bits_reset(w->hash);
	return (struct stream_check){ 0, 0 };
}

/* One streamed piece: CRC'd, hashed and written while it is in cache.
 * Nonzero when the entry is over: the sink failed or is stopping (the
 * caller discards the file), or the output ran past the declared size. */
static int stream_piece(zs_worker *w, zs_index *ix, size_t i, zs_sink *s,
			struct stream_check *sc, const uint8_t *p, size_t n)
{
	sc->crc = libdeflate_crc32(sc->crc, p, n);
	if (w->hash)
		XXH3_128bits_update(w->hash, p, n);
	sc->total += n;
	if (emit(s, p, n) != 0 || sink_stopped(s) || (w->stop && *w->stop))
		return 1;   /* left untested */
	if (sc->total > ix->uncomp_size[i]) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_SIZE_LONG,
			      ix->uncomp_size[i], 0);
		return 1;
	}
	return 0;
}

static uint64_t stream_done(zs_worker *w, zs_index *ix, size_t i,
			    const struct stream_check *sc)
{
	finish(ix, i, sc->crc, sc->total);
	if (w->hash && ix->status[i] == ZS_ENTRY_OK)
		store_hash(ix, i, XXH3_128bits_digest(w->hash));
	return sc->total;
}

/* A good entry whose stream ended after `used` of its compressed bytes:
 * what follows is hidden from this reader but not from a streaming one
 * (bsdtar from a pipe reads on from the stream's end: a descriptor and a
 * whole local entry can sit there).  7-Zip reports it too. */
static void note_trailing(zs_index *ix, size_t i, uint64_t used)
{
	if (ix->status[i] == ZS_ENTRY_OK && used < ix->comp_size[i])
		ix->trailing[i] = ix->data_offset[i] + used;
}

/* A stored entry with a data descriptor ends, for a streaming reader, at
 * the first descriptor whose compressed size is the bytes read so far. */
static void stored_trailing(zs_archive *a, size_t i)
{
	zs_index *ix = &a->index;
	const uint8_t *p = a->data + ix->data_offset[i];
	uint64_t n = ix->comp_size[i];

	if (!(ix->flags[i] & ZS_FLAG_DESCRIPTOR) || n < 16)
		return;
	for (uint64_t k = 0; k + 16 <= n; k++) {
		const uint8_t *q = memchr(p + k, 'P', (size_t)(n - 16 - k + 1));
		if (!q)
			return;
		k = (uint64_t)(q - p);
		if (zs_le32(q) == ZS_SIG_DESCRIPTOR && zs_le32(q + 8) == k) {
			note_trailing(ix, i, k);
			return;
		}
	}
}

/*
 * Stored data: a test only reads it, so the CRC runs over the mapping.
 * Anything else reads a private copy (the mapping may change between two
 * reads of it): a deferred entry (a symlink's target, a cat'ed entry
 * waiting for its turn) is copied whole into the thread's buffer, which
 * the caller then uses; a written or hashed one goes through the thread's
 * chunk, each piece copied, CRC'd, hashed and written while in cache.  The
 * copy costs one memcpy of a cached chunk per write(), which copies too.
 */
static uint64_t decode_stored(zs_worker *w, zs_archive *a, size_t i,
			      zs_sink *s)
{
	zs_index *ix = &a->index;
	uint64_t n = ix->comp_size[i];

	if (n != ix->uncomp_size[i]) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_STORED_SIZES, n,
			      ix->uncomp_size[i]);
		return 0;
	}
	const uint8_t *p = a->data + ix->data_offset[i];
	if (!s && !w->hash) {
		/* a test only reads: the CRC runs over the mapping, in
		 * chunks so that Ctrl-C stops a huge entry too */
		uint32_t crc = 0;
		for (uint64_t done = 0; done < n; done += ZS_STREAM_CHUNK) {
			if (w->stop && *w->stop)
				return 0;   /* left untested */
			crc = libdeflate_crc32(crc, p + done, n - done >
					       ZS_STREAM_CHUNK ?
					       ZS_STREAM_CHUNK : n - done);
		}
		finish(ix, i, crc, n);
		stored_trailing(a, i);
		return n;
	}
	if (s && s->defer) {
		/* only entries up to whole_max are deferred
		 * (zs_decode_streams) */
		if (worker_reserve(w, (size_t)n) != 0) {
			zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_NOMEM, n, 0);
			return 0;
		}
		memcpy(w->buf, p, (size_t)n);
		uint64_t got = whole_done(w, ix, i, s, w->buf, (size_t)n);
		stored_trailing(a, i);
		return got;
	}
	if (!w->chunk && !(w->chunk = malloc(ZS_STREAM_CHUNK))) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_NOMEM, ZS_STREAM_CHUNK,
			      0);
		return 0;
	}
	struct stream_check sc = stream_begin(w);
	for (uint64_t done = 0; done < n;) {
		size_t take = n - done > ZS_STREAM_CHUNK ? ZS_STREAM_CHUNK :
			      (size_t)(n - done);
		memcpy(w->chunk, p + done, take);
		if (stream_piece(w, ix, i, s, &sc, w->chunk, take))
			return 0;   /* left untested; the caller discards */
		done += take;
	}
	uint64_t got = stream_done(w, ix, i, &sc);
	stored_trailing(a, i);
	return got;
}

static uint64_t inflate_whole(zs_worker *w, zs_archive *a, size_t i,
			      zs_sink *s)
{
	zs_index *ix = &a->index;
	size_t want = (size_t)ix->uncomp_size[i], got = 0, used = 0;

	if (worker_reserve(w, want) != 0) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_NOMEM, want, 0);
		return 0;
	}
	enum libdeflate_result r = libdeflate_deflate_decompress_ex(
		w->inflater, a->data + ix->data_offset[i],
		(size_t)ix->comp_size[i], w->buf, want, &used, &got);
	if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_SIZE_LONG, want, 0);
		return want;
	}
	if (r != LIBDEFLATE_SUCCESS) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_DEFLATE, 0, 0);
		return 0;
	}
	uint64_t out = whole_done(w, ix, i, s, w->buf, got);
	note_trailing(ix, i, used);
	return out;
}

/* Entries over the whole-entry size: ISA-L inflate through a fixed chunk. */
static uint64_t inflate_stream(zs_worker *w, zs_archive *a, size_t i,
			       zs_sink *s)
{
	zs_index *ix = &a->index;
	const uint8_t *in = a->data + ix->data_offset[i];
	uint64_t in_left = ix->comp_size[i];

	if (!w->stream)
		w->stream = malloc(sizeof(*w->stream));
	if (!w->chunk)
		w->chunk = malloc(ZS_STREAM_CHUNK);
	if (!w->stream || !w->chunk) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_NOMEM,
			      sizeof(*w->stream) + ZS_STREAM_CHUNK, 0);
		return 0;
	}
	struct inflate_state *st = w->stream;
	isal_inflate_init(st);
	struct stream_check sc = stream_begin(w);
	for (;;) {
		zs_isal_feed(st, &in, &in_left);
		uint32_t before_in = st->avail_in;
		st->next_out = w->chunk;
		st->avail_out = ZS_STREAM_CHUNK;
		int r = isal_inflate(st);
		uint32_t got = ZS_STREAM_CHUNK - st->avail_out;
		if (stream_piece(w, ix, i, s, &sc, w->chunk, got))
			return sc.total;
		if (r < 0) {
			zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_DEFLATE,
				      sc.total, 0);
			return sc.total;
		}
		if (st->block_state == ISAL_BLOCK_FINISH)
			break;
		/* every turn must consume input or produce output */
		if (got == 0 && st->avail_in == before_in) {
			zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_DEFLATE,
				      sc.total, 1);
			return sc.total;
		}
	}
	uint64_t out = stream_done(w, ix, i, &sc);
	/* ISA-L may hold bytes past the end in its bit buffer */
	note_trailing(ix, i, ix->comp_size[i] - in_left - st->avail_in -
			     st->read_in_length / 8);
	return out;
}

/* ---- the other methods, through codec.h ------------------------------- */

/* The decoder for a method (its slot in *slot), or NULL if we have none. */
static const zs_codec_ops *codec_find(unsigned method, size_t *slot)
{
	for (size_t k = 0; k < ZS_CODEC_SLOTS; k++)
		if (codecs[k]->method == method) {
			*slot = k;
			return codecs[k];
		}
	return NULL;
}

/* Record why a decoder failed, `out` bytes into the entry's output. */
static void codec_fail(zs_worker *w, zs_index *ix, size_t i,
		       const zs_codec_ops *c, void *st, zs_codec_result r,
		       uint64_t out)
{
	uint64_t need = 0;

	switch (r) {
	case ZS_CODEC_MEMORY:
		c->why(st, &need);
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_MEMLIMIT, need,
			      w->memory_limit);
		break;
	case ZS_CODEC_NOMEM:
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_NOMEM, 0, 0);
		break;
	default:
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_CODEC, out,
			      (uint64_t)c->why(st, &need));
		break;
	}
}

/* A whole entry: into the thread's buffer, one byte bigger than declared so
 * that output running past the declared size fills it. */
static uint64_t codec_whole(zs_worker *w, zs_archive *a, size_t i,
			    zs_sink *s, const zs_codec_ops *c, void *st)
{
	zs_index *ix = &a->index;
	size_t want = (size_t)ix->uncomp_size[i], got = 0;

	if (worker_reserve(w, want + 1) != 0) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_NOMEM, want + 1, 0);
		return 0;
	}
	zs_codec_result r = c->run(st, w->buf, &got, want + 1);
	if (r == ZS_CODEC_FULL || (r == ZS_CODEC_END && got > want)) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_SIZE_LONG, want, 0);
		return got;
	}
	if (r != ZS_CODEC_END) {
		codec_fail(w, ix, i, c, st, r, got);
		return got;
	}
	return whole_done(w, ix, i, s, w->buf, got);
}

/* A bigger entry: a chunk at a time, each checked and written while it is
 * in cache, with the decoder's history kept in front of it. */
static uint64_t codec_stream(zs_worker *w, zs_archive *a, size_t i,
			     zs_sink *s, const zs_codec_ops *c, void *st)
{
	zs_index *ix = &a->index;
	size_t cap = ZS_CODEC_HISTORY_MAX + ZS_STREAM_CHUNK, pos = 0;

	if (!w->window && !(w->window = malloc(cap))) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_NOMEM, cap, 0);
		return 0;
	}
	cap = c->history + ZS_STREAM_CHUNK;
	struct stream_check sc = stream_begin(w);
	for (;;) {
		size_t from = pos;
		zs_codec_result r = c->run(st, w->window, &pos, cap);
		if (stream_piece(w, ix, i, s, &sc, w->window + from,
				 pos - from))
			return sc.total;
		if (r == ZS_CODEC_END)
			break;
		if (r != ZS_CODEC_FULL) {
			codec_fail(w, ix, i, c, st, r, sc.total);
			return sc.total;
		}
		/* FULL means pos == cap > history: keep the window's tail */
		size_t keep = pos < c->history ? pos : c->history;
		memmove(w->window, w->window + pos - keep, keep);
		pos = keep;
	}
	return stream_done(w, ix, i, &sc);
}

static uint64_t codec_decode(zs_worker *w, zs_archive *a, size_t i,
			     zs_sink *s, const zs_codec_ops *c, size_t slot)
{
	zs_index *ix = &a->index;

	if (!w->codec[slot])
		w->codec[slot] = c->create();
	void *st = w->codec[slot];
	if (!st) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_NOMEM, 0, 0);
		return 0;
	}
	if (c->max_ratio && ix->uncomp_size[i] / c->max_ratio >
			    ix->comp_size[i] + ZS_DEFLATE_RATIO_SLACK) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_RATIO,
			      ix->uncomp_size[i], ix->comp_size[i]);
		return 0;
	}
	uint64_t out;
	zs_codec_result r = c->start(st, a->data + ix->data_offset[i],
				     (size_t)ix->comp_size[i], ix->flags[i],
				     ix->uncomp_size[i], w->memory_limit);
	if (r != ZS_CODEC_END) {
		codec_fail(w, ix, i, c, st, r, 0);
		return 0;
	}
	if (ix->uncomp_size[i] < w->whole_max)
		out = codec_whole(w, a, i, s, c, st);
	else
		out = codec_stream(w, a, i, s, c, st);
	if (c->in_used)
		note_trailing(ix, i, c->in_used(st));
	return out;
}

int zs_decode_streams(const zs_worker *w, const zs_archive *a, size_t i)
{
	unsigned m = a->index.method[i];
	uint64_t n = a->index.uncomp_size[i];

	if (m == ZS_METHOD_DEFLATE || m == ZS_METHOD_STORED)
		return n > w->whole_max;   /* stored: copied whole if not */
	size_t slot;
	return codec_find(m, &slot) && n >= w->whole_max;
}

uint64_t zs_decode_entry(zs_worker *w, zs_archive *a, size_t i)
{
	return zs_decode_entry_to(w, a, i, NULL);
}

uint64_t zs_decode_entry_to(zs_worker *w, zs_archive *a, size_t i,
			    zs_sink *s)
{
	zs_index *ix = &a->index;

	if (ix->status[i] != ZS_ENTRY_UNTESTED)
		return 0;  /* already failed a header check */
	w->stop = s && s->stop ? s->stop : a->stop;
	if (zs_entry_is_encrypted(a, i)) {
		zs_entry_fail(ix, i, ZS_ENTRY_ENCRYPTED, ZS_E_ENCRYPTED, 0, 0);
		return 0;
	}
	switch (ix->method[i]) {
	case ZS_METHOD_STORED:
		return decode_stored(w, a, i, s);
	case ZS_METHOD_DEFLATE:
		/* Deflate cannot expand more than ~1032:1: a larger declared
		 * size is a lie, and no reason to allocate. */
		if (ix->uncomp_size[i] / ZS_DEFLATE_MAX_RATIO >
		    ix->comp_size[i] + ZS_DEFLATE_RATIO_SLACK) {
			zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_RATIO,
				      ix->uncomp_size[i], ix->comp_size[i]);
			return 0;
		}
		if (ix->uncomp_size[i] <= w->whole_max)
			return inflate_whole(w, a, i, s);
		return inflate_stream(w, a, i, s);
	default: {
		size_t slot;
		const zs_codec_ops *c = codec_find(ix->method[i], &slot);
		if (c)
			return codec_decode(w, a, i, s, c, slot);
		zs_entry_fail(ix, i, ZS_ENTRY_UNSUPPORTED, ZS_E_UNSUPPORTED,
			      ix->method[i], 0);
		return 0;
	}
	}
}

void zs_trailing_findings(zs_archive *a)
{
	zs_index *ix = &a->index;
	char *name = NULL;

	for (size_t i = 0; i < ix->count; i++) {
		if (!ix->trailing[i])
			continue;
		if (!name && !(name = zs_name_buf((const zs_archive *const *)&a,
						  1)))
			return;
		zs_entry_name_utf8(a, i, name);
		uint64_t end = ix->data_offset[i] + ix->comp_size[i];
		zs_structural(a, "entry-trailing-data", (int64_t)i,
			      ix->trailing[i], "\"%s\": %llu bytes after the end "
			      "of its compressed data, inside its compressed "
			      "size (a streaming reader may read them as more "
			      "entries)", name,
			      (unsigned long long)(end - ix->trailing[i]));
		ix->trailing[i] = 0;   /* once, whatever reads it again */
	}
	free(name);
}

int zs_write_all(int fd, const void *buf, size_t n, volatile int *stop)
{
	const uint8_t *p = buf;

	while (n > 0) {
		/* a write blocked on a full pipe ends with Ctrl-C: the kernel
		 * returns what it wrote before the signal, if anything (no
		 * EINTR then), and the next write would block again */
		if (stop && *stop) {
			errno = EINTR;
			return -1;
		}
		ssize_t k = write(fd, p, n > (1u << 30) ? 1u << 30 : n);
		if (k < 0 && errno == EINTR && !(stop && *stop))
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}
