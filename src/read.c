/* SPDX-License-Identifier: MIT */
/*
 * read.c - one entry read through the API (zs_entry_read, zs_entry_read_cb):
 * the same decoders and checks as a scan, for a caller that wants the bytes
 * of one entry in its own buffer or callback.
 *
 * The gate is the scan's, applied to this entry alone: no decoding when
 * entries overlap (unless allowed), nor past --max-total or --max-ratio.
 * Entries that failed a header check stay failed; an entry read before
 * (or scanned) is decoded again, since its bytes were not kept.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

/* Was entry i's error found by decoding it (so decoding it again may be
 * asked), rather than by the checks of its headers before? */
static int decode_result(const zs_index *ix, size_t i)
{
	switch (ix->error[i]) {
	case ZS_E_NONE:
		return ix->status[i] == ZS_ENTRY_OK;
	case ZS_E_STORED_SIZES: case ZS_E_RATIO: case ZS_E_DEFLATE:
	case ZS_E_SIZE_LONG: case ZS_E_SIZE_SHORT: case ZS_E_CRC:
	case ZS_E_NOMEM: case ZS_E_UNSUPPORTED: case ZS_E_ENCRYPTED:
	case ZS_E_CODEC: case ZS_E_MEMLIMIT:
		return 1;
	default:
		return 0;
	}
}

static int entry_result(const zs_archive *a, size_t i)
{
	const zs_index *ix = &a->index;

	switch (ix->status[i]) {
	case ZS_ENTRY_OK: return ZS_EXIT_OK;
	case ZS_ENTRY_UNSUPPORTED: return ZS_EXIT_UNSUPPORTED;
	case ZS_ENTRY_ENCRYPTED: return ZS_EXIT_ENCRYPTED;
	default: break;
	}
	if (ix->error[i] == ZS_E_OVERLAP)
		return ZS_EXIT_OVERLAP;
	if (ix->error[i] == ZS_E_NOMEM || ix->error[i] == ZS_E_MEMLIMIT)
		return ZS_EXIT_NOMEM;
	return ZS_EXIT_ENTRY;
}

int zs_entry_read_cb(zs_archive *a, size_t i, zs_write_fn fn, void *ctx,
		     const zs_options *o)
{
	zs_options def;
	zs_index *ix = &a->index;

	if (!o) {
		zs_options_init(&def);
		o = &def;
	}
	if (!a->indexed || i >= ix->count || !fn)
		return ZS_EXIT_USAGE;
	if (!zs_entry_permitted(a, i, o))
		return ZS_EXIT_OVERLAP;
	if (ix->status[i] != ZS_ENTRY_UNTESTED && !decode_result(ix, i))
		return entry_result(a, i);   /* its headers failed */
	zs_worker *w = zs_worker_new(o->memory_limit, 0);
	if (!w)
		return ZS_EXIT_NOMEM;
	ix->status[i] = ZS_ENTRY_UNTESTED;
	ix->error[i] = ZS_E_NONE;
	zs_sink s = { .fd = -1, .fn = fn, .ctx = ctx, .stop = o->stop };
	zs_decode_entry_to(w, a, i, &s);
	zs_worker_free(w);
	if (zs_map_check_changed(a))
		return ZS_EXIT_CHANGED;
	if (s.err)
		return ZS_EXIT_WRITE;
	if (ix->status[i] == ZS_ENTRY_UNTESTED)   /* stopped by o->stop */
		return ZS_EXIT_INTERRUPT;
	return entry_result(a, i);
}

struct into_buffer {
	uint8_t *buf;
	size_t cap, len;
};

static int copy_out(void *ctx, const void *data, size_t n)
{
	struct into_buffer *b = ctx;

	if (n > b->cap - b->len)
		return -1;   /* cannot happen: the size was checked first */
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	return 0;
}

int zs_entry_read(zs_archive *a, size_t i, void *buf, size_t cap,
		  size_t *len, const zs_options *o)
{
	struct into_buffer b = { buf, cap, 0 };

	if (len)
		*len = 0;
	if (!a->indexed || i >= a->index.count ||
	    a->index.uncomp_size[i] > cap)
		return ZS_EXIT_USAGE;
	/* every decoder stops at the declared size, so it fits */
	int r = zs_entry_read_cb(a, i, copy_out, &b, o);
	if (len)
		*len = b.len;
	return r;
}
