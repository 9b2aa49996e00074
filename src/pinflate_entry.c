/* SPDX-License-Identifier: MIT */
/*
 * pinflate_entry.c - which entries the scan splits over the whole team,
 * and their verdict: the split decode (pinflate.c) only ever says "good"
 * (size and CRC-32 as declared); anything else, and anything it could not
 * settle, is decoded again sequentially by zs_decode_entry, so every
 * verdict and finding is the sequential decoder's.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "pinflate.h"
#include "pinflate_entry.h"

/* ZS_TEST_PINFLATE_CHUNK, or 0; read once a process (it is asked for
 * every entry of a scan: getenv each time was 2% of `test` of 1,000,000
 * tiny entries). */
static uint64_t test_chunk(void)
{
	static _Atomic uint64_t value = UINT64_MAX;   /* not read yet */
	uint64_t v = atomic_load_explicit(&value, memory_order_relaxed);
	if (v == UINT64_MAX) {
		const char *e = getenv("ZS_TEST_PINFLATE_CHUNK");
		v = e && *e ? strtoull(e, NULL, 10) : 0;
		if (v == UINT64_MAX)
			v--;
		atomic_store_explicit(&value, v, memory_order_relaxed);
	}
	return v;
}

int zs_pinflate_wanted(const zs_archive *a, size_t i, const zs_options *o,
		       int nt)
{
	const zs_index *ix = &a->index;
	uint64_t tc = test_chunk();
	uint64_t whole = zs_whole_max(o->memory_limit);

	if (ix->method[i] != ZS_METHOD_DEFLATE || o->hash ||
	    ix->status[i] != ZS_ENTRY_UNTESTED || zs_entry_is_encrypted(a, i))
		return 0;
	if (ix->uncomp_size[i] / ZS_DEFLATE_MAX_RATIO >
	    ix->comp_size[i] + ZS_DEFLATE_RATIO_SLACK)
		return 0;   /* refused by zs_decode_entry */
	if (tc)
		return ix->comp_size[i] > tc;
	return nt >= ZS_PINFLATE_MIN_THREADS &&
	       ix->comp_size[i] >= ZS_PINFLATE_MIN &&
	       ix->uncomp_size[i] > whole;
}

int zs_pinflate_dominant(uint64_t comp, uint64_t rest, int nt)
{
	return test_chunk() || comp > rest / (uint64_t)(nt > 1 ? nt : 1);
}

int zs_pinflate_worth(const zs_archive *a, size_t i, const zs_options *o,
		      int nt, uint64_t rest)
{
	return zs_pinflate_wanted(a, i, o, nt) &&
	       zs_pinflate_dominant(a->index.comp_size[i], rest, nt);
}

/* Compressed bytes per chunk for nt threads: ZS_PINFLATE_PER_THREAD
 * chunks a thread, none under ZS_PINFLATE_CHUNK.  Every chunk but the
 * first starts in marker mode, which costs more than a plain decode for a
 * stretch that does not depend on the chunk's length (docs/pinflate.md),
 * so few threads want few long chunks; more chunks than threads only
 * even out their speeds. */
static uint64_t chunk_for(uint64_t comp_size, int nt)
{
	uint64_t n = (uint64_t)(nt > 1 ? nt : 1) * ZS_PINFLATE_PER_THREAD;
	uint64_t c = (comp_size + n - 1) / n;
	return c > ZS_PINFLATE_CHUNK ? c : ZS_PINFLATE_CHUNK;
}

/* The split's configuration for entry i on nt threads (no output). */
static zs_pinflate_cfg job_cfg(const zs_archive *a, size_t i,
			       const zs_options *o, int nt)
{
	const zs_index *ix = &a->index;
	uint64_t tc = test_chunk();
	zs_pinflate_cfg c = {
		.in = a->data + ix->data_offset[i],
		.in_len = (size_t)ix->comp_size[i],
		.chunk = tc ? tc : chunk_for(ix->comp_size[i], nt),
		.max_out = ix->uncomp_size[i],
		.sym_cap = (size_t)(o->memory_limit / sizeof(uint16_t)),
		.hold_cap = (size_t)(o->memory_limit / 2),
		.mode = ZS_PIN_NORMAL,
		.stop = o->stop,
	};
	return c;
}

/* ZS_TEST_PINFLATE_STATS=1: what the split cost, on stderr (the figures
 * of docs/pinflate.md). */
static void print_stats(const zs_pinflate_result *r)
{
	const char *v = getenv("ZS_TEST_PINFLATE_STATS");
	if (!v || *v != '1')
		return;
	fprintf(stderr, "pinflate: ok %d, %llu chunks, %llu absorbed, "
		"%llu redecoded, %llu marker symbols (%llu markers), "
		"%llu bytes by ISA-L, switches %llu (chunk before done) "
		"%llu (clean window); CPU: busiest chunk %.3f s, all %.3f s, "
		"waiting %.3f s; %llu bytes written in order\n", r->ok,
		(unsigned long long)r->chunks, (unsigned long long)r->absorbed,
		(unsigned long long)r->redecoded,
		(unsigned long long)r->marker_syms,
		(unsigned long long)r->markers,
		(unsigned long long)r->isal_bytes,
		(unsigned long long)r->switch_pred,
		(unsigned long long)r->switch_clean, r->cpu_max / 1e9,
		r->cpu_sum / 1e9, r->wait_sum / 1e9,
		(unsigned long long)r->written);
}

/* Did the split find entry i good (size and CRC-32 as declared)?  Then
 * its status is set as zs_decode_entry would set it. */
static int split_good(zs_archive *a, size_t i, const zs_pinflate_result *r)
{
	zs_index *ix = &a->index;

	print_stats(r);
	if (!r->ok || r->size != ix->uncomp_size[i] || r->crc != ix->crc32[i])
		return 0;
	ix->status[i] = ZS_ENTRY_OK;
	if (r->used < ix->comp_size[i])
		ix->trailing[i] = ix->data_offset[i] + r->used;
	return 1;
}

static zs_pinflate *job_new(const zs_archive *a, size_t i,
			    const zs_options *o, int nt, int fd, uint64_t at,
			    int in_order)
{
	zs_pinflate_cfg c = job_cfg(a, i, o, nt);
	c.to_fd = fd >= 0;
	c.fd = fd;
	c.fd_base = at;
	c.in_order = in_order;
	return zs_pinflate_new(&c);
}

zs_pinflate *zs_pinflate_entry_job(const zs_archive *a, size_t i,
				   const zs_options *o, int nt, int fd,
				   uint64_t at)
{
	return job_new(a, i, o, nt, fd, at, 0);
}

/* End job j (NULL: nothing done): the bytes out if it found entry i
 * good, else 0; *written (if asked) the bytes it wrote in order. */
static uint64_t end_good(zs_archive *a, size_t i, zs_pinflate *j,
			 uint64_t *written)
{
	zs_pinflate_result r;

	zs_pinflate_end(j, &r);   /* NULL: r.ok 0, nothing written */
	if (written)
		*written = r.written;
	return split_good(a, i, &r) ? r.size : 0;
}

uint64_t zs_pinflate_entry_good(zs_archive *a, size_t i, zs_pinflate *j)
{
	return end_good(a, i, j, NULL);
}

uint64_t zs_pinflate_entry_settle(zs_worker *w, zs_archive *a, size_t i,
				  zs_pinflate *j)
{
	uint64_t out = zs_pinflate_entry_good(a, i, j);
	return out ? out : zs_decode_entry(w, a, i);
}

uint64_t zs_pinflate_write(zs_archive *a, size_t i, int fd, uint64_t at,
			   const zs_options *o, uint64_t *written)
{
	int nt = zs_threads_effective(o);
	zs_pinflate *j = job_new(a, i, o, nt, fd, at, written != NULL);

	if (j)
		zs_pinflate_team(j, nt);
	return end_good(a, i, j, written);
}
