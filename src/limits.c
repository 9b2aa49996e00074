/* SPDX-License-Identifier: MIT */
/*
 * limits.c - the one decision made before anything is decoded: may this
 * archive's selected entries be decoded at all?
 *
 * Not if entries overlap (the zip bombs of Fifield 2019; --allow-overlap
 * overrides), nor if their declared output passes --max-total or
 * --max-ratio times the archive's size (for the methods with no ratio
 * ceiling, bzip2, LZMA, xz and zstd, a lower default: zipscan.h says why).
 * The declared sizes are a true
 * bound: every decoder stops an entry at its declared size and fails it if
 * there is more, so no run writes or checks more than the sum checked
 * here.  test, stats, extract and cat all ask here, so one archive gets
 * one answer whatever the command.
 */
#include "internal.h"

/* Is total over ratio times the archive's size (exactly at it is not)? */
static int over_ratio(const zs_archive *a, uint64_t total, uint64_t ratio)
{
	return ratio && a->size && total / a->size >= ratio &&
	       (total / a->size > ratio || total % a->size);
}

/* Methods whose format bounds the ratio: stored (1:1), Deflate (1,032:1),
 * Deflate64 (29,128:1).  The others' declared size is the only bound. */
static int ratio_bounded(unsigned method)
{
	return method == ZS_METHOD_STORED || method == ZS_METHOD_DEFLATE ||
	       method == 9;
}

/* What decoding entry i can really write: for a stored entry no more than
 * its data (a size declared larger fails the entry, a bad entry rather
 * than a reason to refuse the archive), else its declared size. */
static uint64_t writable_output(const zs_index *ix, size_t i)
{
	uint64_t out = ix->uncomp_size[i];
	if (ix->method[i] == ZS_METHOD_STORED && ix->comp_size[i] < out)
		out = ix->comp_size[i];
	return out;
}

/* Which limit, if any, `total` bytes of declared output pass, of which
 * `unbounded` in methods without a ratio ceiling: the one order of the
 * checks for the archive and for one entry. */
enum limit { LIMIT_NONE, LIMIT_TOTAL, LIMIT_RATIO_UNBOUNDED, LIMIT_RATIO };

static enum limit limit_passed(const zs_archive *a, const zs_options *o,
			       uint64_t total, uint64_t unbounded)
{
	if (o->max_total && total > o->max_total)
		return LIMIT_TOTAL;
	if (over_ratio(a, unbounded, o->max_ratio_unbounded))
		return LIMIT_RATIO_UNBOUNDED;
	if (over_ratio(a, total, o->max_ratio))
		return LIMIT_RATIO;
	return LIMIT_NONE;
}

int zs_decode_permitted(zs_archive *a, const zs_options *o)
{
	zs_index *ix = &a->index;
	uint64_t total = 0, unbounded = 0;

	if (a->limits_checked)
		return !a->decode_refused;
	a->limits_checked = 1;
	if (a->overlaps && o->stop_on_overlap) {
		a->decode_refused = 1;   /* the overlap finding says why */
		return 0;
	}
	/* --allow-overlap: the entries failed for overlapping are decoded
	 * after all, if their headers pass the checks the overlap hid (the
	 * archive's finding still makes the status 12) */
	for (size_t i = 0; a->overlaps && i < ix->count; i++)
		if (ix->status[i] == ZS_ENTRY_BAD &&
		    ix->error[i] == ZS_E_OVERLAP) {
			ix->status[i] = ZS_ENTRY_UNTESTED;
			ix->error[i] = ZS_E_NONE;
			zs_check_local_again(a, i);
		}
	/* nothing counts for an entry that already failed its headers: it
	 * is not decoded */
	for (size_t i = 0; i < ix->count; i++) {
		if (!ix->selected[i] || ix->status[i] != ZS_ENTRY_UNTESTED)
			continue;
		uint64_t out = writable_output(ix, i);
		if (!zs_add(total, out, &total))
			total = UINT64_MAX;
		if (!ratio_bounded(ix->method[i]) &&
		    !zs_add(unbounded, out, &unbounded))
			unbounded = UINT64_MAX;
	}
	enum limit l = limit_passed(a, o, total, unbounded);
	if (l == LIMIT_TOTAL) {
		zs_finding_coded(a, "max-total", ZS_ERROR, ZS_EXIT_OVERLAP, -1,
				 0, "the entries declare %llu bytes of output, "
				 "over --max-total %llu (%zu entries); nothing "
				 "decoded", (unsigned long long)total,
				 (unsigned long long)o->max_total,
				 a->n_selected);
		a->decode_refused = 1;
	} else if (l == LIMIT_RATIO_UNBOUNDED) {
		zs_finding_coded(a, "max-ratio", ZS_ERROR, ZS_EXIT_OVERLAP, -1,
				 0, "the entries in bzip2, LZMA, xz or zstd "
				 "declare %llu bytes of output from a %llu-byte "
				 "archive, over %llu times its size (these "
				 "methods have no ratio ceiling; --max-ratio R "
				 "allows more); nothing decoded",
				 (unsigned long long)unbounded,
				 (unsigned long long)a->size,
				 (unsigned long long)o->max_ratio_unbounded);
		a->decode_refused = 1;
	} else if (l == LIMIT_RATIO) {
		zs_finding_coded(a, "max-ratio", ZS_ERROR, ZS_EXIT_OVERLAP, -1,
				 0, "the entries declare %llu bytes of output "
				 "from a %llu-byte archive, over --max-ratio "
				 "%llu; nothing decoded",
				 (unsigned long long)total,
				 (unsigned long long)a->size,
				 (unsigned long long)o->max_ratio);
		a->decode_refused = 1;
	}
	return !a->decode_refused;
}

int zs_entry_permitted(const zs_archive *a, size_t i, const zs_options *o)
{
	uint64_t out = writable_output(&a->index, i);

	if (a->overlaps && o->stop_on_overlap)
		return 0;
	return limit_passed(a, o, out,
			    ratio_bounded(a->index.method[i]) ? 0 : out) ==
	       LIMIT_NONE;
}
