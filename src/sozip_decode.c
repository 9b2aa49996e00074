// SPDX-License-Identifier: MIT
/*
 * sozip_decode.c - a seek-optimized entry's chunks decoded on every core.
 *
 * A range of chunks [c0, c1) is decoded by ISA-L from the compressed
 * offset the index gives for c0, with an empty window, through a 256 KiB
 * buffer (CRC-32 as it goes).  It counts only if it is exactly a piece of
 * the whole stream: it decodes without reaching before its own output,
 * gives exactly the bytes of its chunks, and its input ends on a block
 * boundary (ISA-L waiting for a new block header, no bits or bytes held
 * back: ISA-L in NEW_HDR or HDR with nothing buffered) with no final block before the entry's last chunk, which must end
 * the stream.  Then the ranges are the one stream's blocks, parsed as a
 * sequential reader parses them, and a match inside a range that resolved
 * from its own output reads the same bytes the sequential reader's would:
 * the output is the same.  Their CRC-32s are combined (zlib's
 * crc32_combine64) and checked against the entry's.
 *
 * Anything else, a range that fails or a combined CRC or size that does
 * not match, leaves the entry to the scan's loop, which decodes it as a
 * whole and gives the exact verdict; if that verdict is good, the index
 * lied (finding sozip-chunk).  The ranges are fixed by the index alone
 * (ZS_SOZIP_RANGE bytes of output each), never by the thread count, so
 * every -j prints the same.
 */
#include <libdeflate.h>
#include <omp.h>
#include <errno.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "isal_feed.h"
#include "sozip.h"

/* Output per range in a scan: 8 MiB keeps 2-64 threads busy on entries
 * from 16 MiB up while each range's setup (an ISA-L init) stays noise. */
#define ZS_SOZIP_RANGE (8u << 20)

typedef struct range {
	uint64_t c0, c1;         /* chunks [c0, c1) */
	uint32_t crc;
	uint64_t out;            /* bytes decoded */
	uint64_t used;           /* the last range: stream bytes used */
	const char *why;         /* NULL: the range is a piece of the stream */
} range;

/* A thread's decoder: ISA-L's state and an output buffer; with fd >= 0
 * each piece is also written at its place in that file (extract); with
 * dest, copied to dest[place - dest_base] (cat). */
typedef struct decoder {
	struct inflate_state st;
	int fd;
	uint8_t *dest;
	uint64_t dest_base;
	uint8_t buf[ZS_STREAM_CHUNK];
} decoder;

/* pwrite() all of p at off; -1 on an error (or a write of nothing). */
static int put_at(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t k = pwrite(fd, p, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

static uint64_t range_want(const zs_archive *a, const zs_sozip *z,
			   const range *r)
{
	if (r->c1 == z->chunks)
		return a->index.uncomp_size[z->entry] - r->c0 * z->chunk_size;
	return (r->c1 - r->c0) * z->chunk_size;
}

/* Where ISA-L stopped: at a block boundary with every input bit used? */
static const char *range_end(const struct inflate_state *st, int last)
{
	if (last)
		return st->block_state == ISAL_BLOCK_FINISH ? NULL :
		       "the stream does not end with the last chunk";
	if (st->block_state == ISAL_BLOCK_FINISH)
		return "the stream ends before the last chunk";
	/* ISA-L waits in HDR for a header it has no byte of yet */
	if ((st->block_state != ISAL_BLOCK_NEW_HDR &&
	     st->block_state != ISAL_BLOCK_HDR) || st->read_in_length ||
	    st->tmp_in_size)
		return "the next chunk does not start on a block boundary";
	return NULL;
}

static void decode_range(decoder *d, const zs_archive *a, const zs_sozip *z,
			 range *r)
{
	struct inflate_state *st = &d->st;
	uint64_t from = z->start[r->c0], len = z->start[r->c1] - from;
	uint64_t want = range_want(a, z, r), in_left = len;
	const uint8_t *in = a->data + a->index.data_offset[z->entry] + from;

	isal_inflate_init(&d->st);
	for (;;) {
		zs_isal_feed(st, &in, &in_left);
		uint32_t before = st->avail_in;
		uint64_t room = want - r->out + 1;   /* +1: running past shows */
		uint32_t cap = room < ZS_STREAM_CHUNK ? (uint32_t)room :
			       ZS_STREAM_CHUNK;
		st->next_out = d->buf;
		st->avail_out = cap;
		int rc = isal_inflate(st);
		uint32_t got = cap - st->avail_out;
		r->crc = libdeflate_crc32(r->crc, d->buf, got);
		if (r->out + got > want) {
			r->why = "more output than its chunks hold";
			return;
		}
		/* the failed write's errno is for the whole decode to give */
		if (d->fd >= 0 && put_at(d->fd, d->buf, got, r->c0 *
					 z->chunk_size + r->out) != 0) {
			r->why = "the file could not be written";
			return;
		}
		if (d->dest)
			memcpy(d->dest + (r->c0 * z->chunk_size + r->out -
					  d->dest_base), d->buf, got);
		r->out += got;
		if (rc < 0) {
			r->why = "it does not decode from an empty window";
			return;
		}
		if (st->block_state == ISAL_BLOCK_FINISH ||
		    (got == 0 && st->avail_in == before && in_left == 0))
			break;
		if (zs_stopping(a)) {
			r->why = "interrupted";
			return;
		}
	}
	r->why = range_end(st, r->c1 == z->chunks);
	if (!r->why && r->out != want)
		r->why = "fewer bytes than its chunks hold";
	r->used = len - in_left - st->avail_in - st->read_in_length / 8;
}

/* Decode ranges[0..n) on nt threads (writing them into fd if >= 0, or
 * into dest, the whole entry's output, if set). */
static void decode_ranges(const zs_archive *a, const zs_sozip *z, range *r,
			  size_t n, int nt, int fd, uint8_t *dest)
{
	#pragma omp parallel num_threads(nt) if (nt > 1 && n > 1)
	{
		decoder *d = malloc(sizeof(*d));
		if (d)
			*d = (decoder){ .fd = fd, .dest = dest };
		#pragma omp for schedule(dynamic, 1)
		for (size_t g = 0; g < n; g++) {
			if (!d)
				r[g].why = "out of memory";
			else
				decode_range(d, a, z, &r[g]);
		}
		free(d);
	}
}

/* The first failing range, or n. */
static size_t first_failure(const range *r, size_t n)
{
	for (size_t g = 0; g < n; g++)
		if (r[g].why)
			return g;
	return n;
}

static uint32_t combined_crc(const range *r, size_t n, uint64_t *total)
{
	uint32_t crc = 0;

	*total = 0;
	for (size_t g = 0; g < n; g++) {
		crc = (uint32_t)crc32_combine64(crc, r[g].crc,
						(z_off64_t)r[g].out);
		*total += r[g].out;
	}
	return crc;
}

/* The chunk ranges of z, ZS_SOZIP_RANGE of output each (per: chunks per
 * range), or NULL if out of memory. */
static range *make_ranges(const zs_sozip *z, uint64_t per, size_t *n)
{
	*n = (size_t)((z->chunks + per - 1) / per);
	range *r = calloc(*n, sizeof(*r));

	for (size_t g = 0; r && g < *n; g++) {
		r[g].c0 = g * per;
		r[g].c1 = r[g].c0 + per < z->chunks ? r[g].c0 + per :
			  z->chunks;
	}
	return r;
}

static void settle(zs_archive *a, zs_sozip *z, const range *r, size_t n)
{
	zs_index *ix = &a->index;
	size_t i = z->entry, bad = first_failure(r, n);
	uint64_t total;

	if (bad < n) {
		z->failed = 1;
		z->fail_chunk = r[bad].c0;
		z->fail_end = r[bad].c1;
		z->fail_why = r[bad].why;
		return;   /* the scan's loop decodes it whole */
	}
	uint32_t crc = combined_crc(r, n, &total);
	if (total != ix->uncomp_size[i] || crc != ix->crc32[i])
		return;   /* bad data: the whole decode says exactly how */
	ix->status[i] = ZS_ENTRY_OK;
	z->decoded = 1;
	uint64_t used = z->start[z->chunks - 1] + r[n - 1].used;
	if (used < ix->comp_size[i])
		ix->trailing[i] = ix->data_offset[i] + used;
}

static int worth_chunks(const zs_archive *a, const zs_sozip *z,
			const zs_options *o)
{
	const zs_index *ix = &a->index;
	size_t i = z->entry;

	/* a content hash needs the bytes in order; a size Deflate cannot
	 * reach is the whole decode's to report (ZS_E_RATIO) */
	return ix->selected[i] && ix->status[i] == ZS_ENTRY_UNTESTED &&
	       !o->hash && ix->uncomp_size[i] / ZS_DEFLATE_MAX_RATIO <=
	       ix->comp_size[i] + ZS_DEFLATE_RATIO_SLACK;
}

/* z's entry by ranges of ZS_SOZIP_RANGE on nt threads (into fd if >= 0);
 * settled (status ok) if they check out, else left to the whole decode. */
static void by_ranges(zs_archive *a, zs_sozip *z, int nt, int fd,
		      uint8_t *dest)
{
	uint64_t per = ZS_SOZIP_RANGE / z->chunk_size;
	size_t n;
	range *r = make_ranges(z, per ? per : 1, &n);

	if (!r)
		return;   /* the whole decode needs no more */
	decode_ranges(a, z, r, n, nt, fd, dest);
	if (!zs_stopping(a))
		settle(a, z, r, n);
	free(r);
}

void zs_sozip_scan(zs_archive *a, int nt, const zs_options *o)
{
	for (size_t k = 0; k < a->n_sozip && !zs_stopping(a); k++)
		if (worth_chunks(a, &a->sozip[k], o))
			by_ranges(a, &a->sozip[k], nt, -1, NULL);
}

int zs_sozip_wanted(const zs_archive *a, size_t i, const zs_options *o)
{
	const zs_sozip *z = a->n_sozip ? zs_sozip_of(a, i) : NULL;
	return z && worth_chunks(a, z, o);
}

uint64_t zs_sozip_write(zs_archive *a, size_t i, int fd, int nt)
{
	zs_sozip *z = zs_sozip_of(a, i);

	if (!z)
		return 0;
	by_ranges(a, z, nt, fd, NULL);
	return z->decoded ? a->index.uncomp_size[i] : 0;
}

/* ---- cat: the entry's bytes in order, decoded on every thread -------- */

/* An entry cat can hold (cap: what its own decode would hold): decoded
 * into one buffer, written only if it checks out, as cat writes any entry
 * it holds.  Returns the bytes written. */
static uint64_t cat_held(zs_archive *a, zs_sozip *z, int fd, int nt,
			 volatile int *stop, int *err)
{
	uint64_t size = a->index.uncomp_size[z->entry];
	uint8_t *buf = malloc(size ? (size_t)size : 1);

	if (!buf)
		return 0;   /* the whole decode then */
	by_ranges(a, z, nt, -1, buf);
	uint64_t out = 0;
	if (z->decoded) {
		if (zs_write_all(fd, buf, (size_t)size, stop) != 0)
			*err = errno;
		else
			out = size;
	}
	free(buf);
	return out;
}

/* Range g of a streamed cat: decoded into out, then written in its turn
 * unless writing has stopped. */
static void cat_range(zs_archive *a, zs_sozip *z, range *r, decoder *d,
		      uint8_t *out, int fd, volatile int *stop,
		      atomic_int *halt, int *err, uint64_t *written)
{
	int go = !atomic_load(halt);

	if (go && d && out) {
		*d = (decoder){ .fd = -1, .dest = out,
				.dest_base = r->c0 * z->chunk_size };
		decode_range(d, a, z, r);
	} else if (go) {
		r->why = "out of memory";
	}
	#pragma omp ordered
	{
		if (!go || r->why || atomic_load(halt)) {
			atomic_store(halt, 1);
		} else if (zs_write_all(fd, out, (size_t)r->out, stop) != 0) {
			*err = errno;
			atomic_store(halt, 1);
		} else {
			*written += r->out;
		}
	}
}

/* An entry too big to hold: its ranges decoded on every thread, each into
 * its thread's buffer, and written in order as they come, as cat streams
 * any such entry.  The first range that is not a piece of the stream stops
 * the writing.  Returns the bytes written (all good), which the whole
 * decode then skips if the entry is not settled. */
static uint64_t cat_streamed(zs_archive *a, zs_sozip *z, int fd, int nt,
			     uint64_t cap, volatile int *stop, int *err)
{
	uint64_t per = ZS_SOZIP_RANGE / z->chunk_size, written = 0;
	size_t n;

	per = per ? per : 1;
	if (per * z->chunk_size > cap)
		return 0;   /* a range would not fit: the whole decode */
	range *r = make_ranges(z, per, &n);
	atomic_int halt = 0;
	if (!r)
		return 0;
	#pragma omp parallel num_threads(nt) if (nt > 1 && n > 1)
	{
		decoder *d = malloc(sizeof(*d));
		uint8_t *out = malloc((size_t)(per * z->chunk_size));
		#pragma omp for ordered schedule(dynamic, 1)
		for (size_t g = 0; g < n; g++)
			cat_range(a, z, &r[g], d, out, fd, stop, &halt, err,
				  &written);
		free(out);
		free(d);
	}
	if (!zs_stopping(a) && !*err)
		settle(a, z, r, n);
	free(r);
	return written;
}

uint64_t zs_sozip_cat(zs_archive *a, size_t i, int fd, const zs_options *o,
		      uint64_t hold_max, int *err)
{
	zs_sozip *z = zs_sozip_of(a, i);
	int nt = zs_threads_effective(o);

	if (!z)
		return 0;
	if (a->index.uncomp_size[i] <= hold_max)
		return cat_held(a, z, fd, nt, o->stop, err);
	return cat_streamed(a, z, fd, nt, o->memory_limit, o->stop, err);
}

uint64_t zs_sozip_settled(const zs_archive *a, size_t i)
{
	const zs_sozip *z = a->n_sozip ? zs_sozip_of(a, i) : NULL;
	return z && z->decoded ? a->index.uncomp_size[i] : 0;
}

/* Chunks [c0, c1) failed for `why`: the finding, with what it means. */
static void chunk_finding(zs_archive *a, const zs_sozip *z, uint64_t c0,
			  uint64_t c1, const char *why, const char *verdict)
{
	char *name = zs_name_buf((const zs_archive *const *)&a, 1), which[64];

	if (name)
		zs_entry_name_utf8(a, z->entry, name);
	if (c1 - c0 == 1)
		snprintf(which, sizeof(which), "chunk %llu",
			 (unsigned long long)c0);
	else
		snprintf(which, sizeof(which), "chunks %llu to %llu",
			 (unsigned long long)c0, (unsigned long long)c1 - 1);
	zs_finding_coded(a, "sozip-chunk", ZS_ERROR, ZS_EXIT_ENTRY,
			 (int64_t)z->entry, a->index.data_offset[z->entry] +
			 z->start[c0], "\"%s\": its SOZip index does not "
			 "match the data: %s (of %llu, from offset %llu of the "
			 "compressed data): %s; %s", name ? name : "?", which,
			 (unsigned long long)z->chunks,
			 (unsigned long long)z->start[c0], why, verdict);
	free(name);
}

void zs_sozip_scan_findings(zs_archive *a)
{
	for (size_t k = 0; k < a->n_sozip; k++) {
		const zs_sozip *z = &a->sozip[k];
		if (z->failed && a->index.status[z->entry] == ZS_ENTRY_OK)
			chunk_finding(a, z, z->fail_chunk, z->fail_end,
				      z->fail_why,
				      "the entry is good read as a whole");
	}
}

/* ---- check: every chunk on its own ------------------------------------ */

static void check_entry(zs_archive *a, const zs_sozip *z, int nt)
{
	size_t n;
	range *r = make_ranges(z, 1, &n);
	uint64_t total;

	if (!r) {
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMEM, (int64_t)z->entry, 0,
			       "out of memory for %llu SOZip chunks",
			       (unsigned long long)z->chunks);
		return;
	}
	decode_ranges(a, z, r, n, nt, -1, NULL);
	size_t bad = first_failure(r, n);
	if (zs_stopping(a)) {
		free(r);
		return;   /* the caller records the interruption */
	}
	if (bad < n)
		chunk_finding(a, z, r[bad].c0, r[bad].c1, r[bad].why,
			      "the index or the data is wrong (test tells "
			      "which)");
	else if (combined_crc(r, n, &total) != a->index.crc32[z->entry])
		chunk_finding(a, z, 0, z->chunks, "they decode, but not to "
			      "the entry's CRC-32", "the data is wrong");
	free(r);
}

int zs_sozip_check(zs_archive *a, const zs_options *o)
{
	int nt = zs_threads_effective(o);

	for (size_t k = 0; k < a->n_sozip && !zs_stopping(a); k++) {
		const zs_sozip *z = &a->sozip[k];
		if (a->index.selected[z->entry] &&
		    a->index.status[z->entry] != ZS_ENTRY_BAD)
			check_entry(a, z, nt);
	}
	if (zs_stopping(a))
		zs_interrupted(a);
	zs_map_check_changed(a);
	return zs_archive_status(a);
}
