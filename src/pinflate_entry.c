/* SPDX-License-Identifier: MIT */
/*
 * pinflate_entry.c - which entries the scan splits over the whole team,
 * and their verdict: the split decode (pinflate.c) only ever says "good"
 * (size and CRC-32 as declared); anything else, and anything it could not
 * settle, is decoded again sequentially by zs_decode_entry, so every
 * verdict and finding is the sequential decoder's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pinflate.h"
#include "pinflate_entry.h"

/* ZS_TEST_PINFLATE_CHUNK, or 0. */
static uint64_t test_chunk(void)
{
	const char *v = getenv("ZS_TEST_PINFLATE_CHUNK");
	return v && *v ? strtoull(v, NULL, 10) : 0;
}

int zs_pinflate_wanted(const zs_archive *a, size_t i, const zs_options *o,
		       int nt)
{
	const zs_index *ix = &a->index;
	uint64_t tc = test_chunk();
	uint64_t whole = o->memory_limit < ZS_WHOLE_ENTRY_MAX ?
			 o->memory_limit : ZS_WHOLE_ENTRY_MAX;

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

static zs_pinflate *job_new(const zs_archive *a, size_t i,
			    const zs_options *o)
{
	const zs_index *ix = &a->index;
	uint64_t tc = test_chunk();
	zs_pinflate_cfg c = {
		.in = a->data + ix->data_offset[i],
		.in_len = (size_t)ix->comp_size[i],
		.chunk = tc ? tc : ZS_PINFLATE_CHUNK,
		.max_out = ix->uncomp_size[i],
		.sym_cap = (size_t)(o->memory_limit / sizeof(uint16_t)),
		.mode = ZS_PIN_NORMAL,
		.stop = o->stop,
	};
	return zs_pinflate_new(&c);
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
		"%llu (clean window); thread CPU: busiest %.3f s, all %.3f s, "
		"waiting %.3f s\n", r->ok,
		(unsigned long long)r->chunks, (unsigned long long)r->absorbed,
		(unsigned long long)r->redecoded,
		(unsigned long long)r->marker_syms,
		(unsigned long long)r->markers,
		(unsigned long long)r->isal_bytes,
		(unsigned long long)r->switch_pred,
		(unsigned long long)r->switch_clean, r->cpu_max / 1e9,
		r->cpu_sum / 1e9, r->wait_sum / 1e9);
}

/* The split result, or the sequential decoder's. */
static uint64_t settle(zs_worker *w, zs_archive *a, size_t i,
		       const zs_pinflate_result *r)
{
	zs_index *ix = &a->index;

	print_stats(r);

	if (!r->ok || r->size != ix->uncomp_size[i] || r->crc != ix->crc32[i])
		return zs_decode_entry(w, a, i);
	ix->status[i] = ZS_ENTRY_OK;
	if (r->used < ix->comp_size[i])
		ix->trailing[i] = ix->data_offset[i] + r->used;
	return r->size;
}

uint64_t zs_pinflate_entry(zs_worker *w, zs_archive *a, size_t i,
			   const zs_options *o)
{
	zs_pinflate *j = NULL;
	uint64_t out = 0;

	#pragma omp single copyprivate(j)
	j = job_new(a, i, o);
	if (j)
		zs_pinflate_team(j);
	#pragma omp single copyprivate(out)
	{
		zs_pinflate_result r;
		zs_pinflate_end(j, &r);
		out = settle(w, a, i, &r);
	}
	return out;
}
