/* SPDX-License-Identifier: MIT */
/*
 * check.c - everything verified before any entry's data is decoded:
 *  - each local header against its central record (signature, name, method,
 *    flags, and CRC and sizes when there is no data descriptor);
 *  - the data descriptor, with or without its signature, against the
 *    central record;
 *  - every entry's span [local header, end of data or descriptor) against
 *    all the others and against the central directory and end records, in
 *    O(N log N): overlapping entries are how the non-recursive zip bombs
 *    (Fifield 2019) work, and unzip reports them with exit status 12.
 *
 * A disagreement is an error for that entry, naming both values.
 */
#include <stdlib.h>

#include "huge.h"
#include "internal.h"
#include "sozip.h"

/* Flag bits a reader acts on; the others (deflate level hints, reserved
 * bits) may differ between the two headers.  Bit 3 may too: it says where
 * a streaming reader finds CRC and sizes, and the local header decides
 * that (libarchive writes it in the local header only). */
#define ZS_FLAGS_COMPARED (ZS_FLAG_ENCRYPTED | ZS_FLAG_STRONG_ENC | \
			   ZS_FLAG_UTF8)

/* Does a record signature (local, central, end, ZIP64 end) start at p?
 * Tells a 12-byte descriptor from a 20-byte one when both fit: the zeros
 * of an empty entry read either way. */
static int record_follows(const zs_archive *a, uint64_t p)
{
	if (p == a->size)
		return 1;
	if (!zs_in_bounds(p, 4, a->size))
		return 0;
	uint32_t sig = zs_le32(a->data + p);
	return sig == ZS_SIG_LOCAL || sig == ZS_SIG_CENTRAL ||
	       sig == ZS_SIG_EOCD || sig == ZS_SIG_ZIP64_EOCD;
}

/* Past the descriptor's optional signature at p.  A CRC equal to the
 * signature is told apart by the CRC that must follow a real signature. */
static uint64_t skip_descriptor_sig(const zs_archive *a, uint32_t crc,
				    uint64_t p)
{
	if (zs_in_bounds(p, 8, a->size) &&
	    zs_le32(a->data + p) == ZS_SIG_DESCRIPTOR &&
	    (crc != ZS_SIG_DESCRIPTOR || zs_le32(a->data + p + 4) == crc))
		return p + 4;
	return p;
}

/* Is entry i ZIP64: a ZIP64 extra in its central record or its local
 * header?  Only then may its descriptor hold 8-byte sizes (APPNOTE
 * 4.3.9.2); a 24-byte descriptor on another entry is a second, disagreeing
 * answer to "where does this entry end". */
static int entry_zip64(const zs_archive *a, size_t i)
{
	const zs_index *ix = &a->index;
	const uint8_t *h = a->data + ix->local_offset[i];
	int found = 0;

	if (ix->zip64[i])
		return 1;
	zs_zip64_apply(h + ZS_LOCAL_SIZE + zs_le16(h + 26), zs_le16(h + 28),
		       NULL, NULL, NULL, &found);
	return found > 0;
}

/* Where entry i's descriptor ends if one that agrees with the central
 * record is at p, else 0. */
static uint64_t descriptor_end(const zs_archive *a, size_t i, uint64_t p)
{
	const zs_index *ix = &a->index;
	uint32_t crc = ix->crc32[i];
	uint64_t cs = ix->comp_size[i], us = ix->uncomp_size[i];

	p = skip_descriptor_sig(a, crc, p);
	if (!zs_in_bounds(p, 12, a->size) || zs_le32(a->data + p) != crc)
		return 0;
	const uint8_t *d = a->data + p;
	int narrow = zs_le32(d + 4) == cs && zs_le32(d + 8) == us;
	int wide = zs_in_bounds(p, 20, a->size) && zs_le64(d + 4) == cs &&
		   zs_le64(d + 12) == us && entry_zip64(a, i);
	if (narrow && wide)
		return record_follows(a, p + 12) || !record_follows(a, p + 20)
		       ? p + 12 : p + 20;
	return narrow ? p + 12 : wide ? p + 20 : 0;
}

/* Check the data descriptor after the data; returns where it ends, or 0
 * (with the entry failed, saying which value disagrees). */
static uint64_t check_descriptor(zs_archive *a, size_t i, uint64_t p)
{
	zs_index *ix = &a->index;
	uint64_t end = descriptor_end(a, i, p);

	if (end)
		return end;
	p = skip_descriptor_sig(a, ix->crc32[i], p);
	if (!zs_in_bounds(p, 12, a->size)) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_DESC_TRUNCATED, p, 0);
		return 0;
	}
	const uint8_t *d = a->data + p;
	if (zs_le32(d) != ix->crc32[i]) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_DESC_CRC, ix->crc32[i],
			      zs_le32(d));
		return 0;
	}
	int wide = entry_zip64(a, i) && zs_in_bounds(p, 20, a->size);
	uint64_t dcs = wide ? zs_le64(d + 4) : zs_le32(d + 4);
	uint64_t dus = wide ? zs_le64(d + 12) : zs_le32(d + 8);
	if (dcs != ix->comp_size[i])
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_DESC_CSIZE,
			      ix->comp_size[i], dcs);
	else
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_DESC_USIZE,
			      ix->uncomp_size[i], dus);
	return 0;
}

/* Compare the local header's CRC and sizes with the central record's. */
static void check_local_values(zs_archive *a, size_t i, const uint8_t *h,
			      uint64_t extra_off, uint16_t elen)
{
	zs_index *ix = &a->index;
	uint64_t lcs = zs_le32(h + 18), lus = zs_le32(h + 22);
	int found;

	if (zs_zip64_apply(a->data + extra_off, elen, &lus, &lcs, NULL,
			   &found) != 0) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_LOCAL_EXTRA, extra_off,
			      0);
		return;
	}
	if (zs_le16(h + 6) & ZS_FLAG_DESCRIPTOR)
		return;  /* the values live in the descriptor */
	if (zs_le32(h + 14) != ix->crc32[i])
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_LOCAL_CRC, ix->crc32[i],
			      zs_le32(h + 14));
	else if (lcs != ix->comp_size[i])
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_LOCAL_CSIZE,
			      ix->comp_size[i], lcs);
	else if (lus != ix->uncomp_size[i])
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_LOCAL_USIZE,
			      ix->uncomp_size[i], lus);
}

/* Compare the local header with the central record: name, method, flags,
 * and CRC and sizes when there is no data descriptor. */
static void compare_local(zs_archive *a, size_t i, const uint8_t *h)
{
	zs_index *ix = &a->index;
	uint64_t lo = ix->local_offset[i];
	uint16_t flags = zs_le16(h + 6), method = zs_le16(h + 8);
	uint16_t nlen = zs_le16(h + 26), elen = zs_le16(h + 28), clen;
	const uint8_t *cname = zs_header_name(a, i, &clen);

	if (nlen != clen || memcmp(h + ZS_LOCAL_SIZE, cname, nlen))
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_LOCAL_NAME,
			      lo + ZS_LOCAL_SIZE, nlen);
	else if (method != ix->method[i])
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_LOCAL_METHOD,
			      ix->method[i], method);
	else if ((flags ^ ix->flags[i]) & ZS_FLAGS_COMPARED)
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_LOCAL_FLAGS,
			      ix->flags[i], flags);
	else
		check_local_values(a, i, h, lo + ZS_LOCAL_SIZE + nlen, elen);
}

/*
 * Check entry i's local header; returns the end of its span for the overlap
 * check, or 0 if the header cannot be read.  A header that can be read but
 * disagrees with the central record still has a span: many central records
 * on one local header (full overlap) must be seen as overlap.
 */
static uint64_t check_local(zs_archive *a, size_t i)
{
	zs_index *ix = &a->index;
	uint64_t lo = ix->local_offset[i], data, end;

	if (ix->status[i] == ZS_ENTRY_BAD)
		return 0;
	if (!zs_in_bounds(lo, ZS_LOCAL_SIZE, a->size)) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_LOCAL_OFFSET, lo,
			      a->size);
		return 0;
	}
	const uint8_t *h = a->data + lo;
	if (zs_le32(h) != ZS_SIG_LOCAL) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_LOCAL_SIG, zs_le32(h),
			      lo);
		return 0;
	}
	data = lo + ZS_LOCAL_SIZE + zs_le16(h + 26) + zs_le16(h + 28);
	if (!zs_add(data, ix->comp_size[i], &end))
		end = UINT64_MAX;
	if (end > a->size) {
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_DATA_TRUNCATED, end,
			      a->size);
		return 0;
	}
	ix->data_offset[i] = data;
	compare_local(a, i, h);
	/* The two headers disagree on where the data ends: the entry fails
	 * for that, and its span is the shorter claim.  The longer one would
	 * accuse the next entry (or the central directory) of overlapping a
	 * region only a wrong size reaches; an entry that failed is never
	 * decoded, so no bomb hides behind the shorter span. */
	if (ix->error[i] == ZS_E_LOCAL_CSIZE && ix->err_b[i] < ix->comp_size[i])
		end = data + ix->err_b[i];
	/* Encrypted entries are never decoded, and some writers leave their
	 * descriptor out (libarchive's WinZip AES streaming): not checked. */
	if (ix->status[i] != ZS_ENTRY_BAD &&
	    (zs_le16(h + 6) & ZS_FLAG_DESCRIPTOR)) {
		/* some writers of encrypted entries leave the descriptor
		 * out: not required, but the entry's when it is there */
		uint64_t desc_end = zs_entry_is_encrypted(a, i) ?
				    descriptor_end(a, i, end) :
				    check_descriptor(a, i, end);
		if (desc_end)
			end = desc_end;
	}
	return end;
}

void zs_check_local_again(zs_archive *a, size_t i)
{
	check_local(a, i);
}

typedef struct span {
	uint64_t start, end;
	size_t entry;           /* SIZE_MAX: the central directory and tail */
} span;

static int span_cmp(const void *x, const void *y)
{
	const span *p = x, *q = y;
	if (p->start != q->start)
		return p->start < q->start ? -1 : 1;
	return p->entry < q->entry ? -1 : p->entry > q->entry;
}

/* Gaps reported one by one; past this only counted. */
#define ZS_GAPS_SHOWN 10

/* Bytes [from, to) that no entry, directory or end record accounts for:
 * hidden data, or a local header the central directory does not list (a
 * streaming reader would see an entry there that this one does not). */
static void report_gap(zs_archive *a, uint64_t from, uint64_t to,
		       size_t *gaps, int *hiding)
{
	int local = zs_in_bounds(from, 4, a->size) &&
		    zs_le32(a->data + from) == ZS_SIG_LOCAL;
	int zeros = !local && zs_all_zero(a->data + from, to - from);

	if (!zeros && (from != 0 || local))
		*hiding = 1;   /* the count past the first ten is a warning */
	if ((*gaps)++ >= ZS_GAPS_SHOWN)
		return;
	/* with offsets that count it (zip -A), a stub is where every reader
	 * expects it; zeros are alignment: neither hides anything */
	if (from == 0 && !local)
		zs_structural(a, "prepended-stub", -1, 0, "%llu bytes before "
			      "the first entry (offsets count them)",
			      (unsigned long long)to);
	else if (zeros)
		zs_structural(a, "padding", -1, from, "%llu zero bytes "
			      "between entries",
			      (unsigned long long)(to - from));
	else if (local)
		zs_structural(a, "unlisted-local-header", -1, from,
			      "a local header the central directory does not "
			      "list (%llu unaccounted bytes before offset %llu)",
			      (unsigned long long)(to - from),
			      (unsigned long long)to);
	else
		zs_structural(a, "gap", -1, from, "%llu unaccounted bytes "
			      "between entries", (unsigned long long)(to - from));
}

static void report_overlap(zs_archive *a, const span *s, size_t owner,
			   size_t *overlaps)
{
	zs_index *ix = &a->index;
	size_t e = s->entry != SIZE_MAX ? s->entry : owner;
	size_t other = s->entry != SIZE_MAX ? owner : SIZE_MAX;

	if (e == SIZE_MAX)
		return;
	/* the overlap is what the entry reports, over an earlier error:
	 * --allow-overlap checks its header again (zs_check_local_again) */
	zs_entry_fail(ix, e, ZS_ENTRY_BAD, ZS_E_OVERLAP, other, s->start);
	if ((*overlaps)++ == 0)
		zs_finding_coded(a, "overlap", ZS_ERROR, ZS_EXIT_OVERLAP,
				 (int64_t)e, s->start, "invalid zip file with "
				 "overlapped components (possible zip bomb)");
}

/* Sort the spans; report every one that starts inside an earlier one, and
 * every stretch of bytes between them that nothing accounts for. */
static void sweep_spans(zs_archive *a, span *s, size_t n, int gaps_known)
{
	uint64_t max_end = a->layout.base;
	size_t owner = SIZE_MAX, overlaps = 0, gaps = 0;
	int hiding = 0;
	uint64_t gap_bytes = 0;

	/* archives are usually written in order: then glibc's qsort would
	 * only allocate a merge buffer as large as the spans (24 MB for a
	 * million entries) to find nothing to do */
	int sorted = 1;
	for (size_t k = 1; k < n && sorted; k++)
		sorted = span_cmp(&s[k - 1], &s[k]) <= 0;
	if (!sorted)
		qsort(s, n, sizeof(*s), span_cmp);
	for (size_t k = 0; k < n; k++) {
		if (k > 0 && s[k].start < max_end) {
			report_overlap(a, &s[k], owner, &overlaps);
		} else if (s[k].start > max_end && gaps_known) {
			report_gap(a, max_end, s[k].start, &gaps, &hiding);
			gap_bytes += s[k].start - max_end;
		}
		if (s[k].end > max_end) {
			max_end = s[k].end;
			owner = s[k].entry;
		}
	}
	a->overlaps = overlaps;
	if (overlaps > 1)
		zs_finding_coded(a, "overlap", ZS_ERROR, ZS_EXIT_OVERLAP, -1,
				 0, "%zu entries overlap others", overlaps);
	if (gaps > ZS_GAPS_SHOWN)
		zs_structural(a, hiding ? "gap" : "padding", -1, 0, "%zu "
			      "stretches of unaccounted bytes in all, %llu "
			      "bytes", gaps, (unsigned long long)gap_bytes);
}

/* Entry i's local header checked, its extent in s[i]. */
static void check_span(zs_archive *a, span *s, size_t i)
{
	if ((i & 1023) == 0 && zs_stopping(a))
		return;   /* the whole check is abandoned after the loop */
	s[i].end = check_local(a, i);
	zs_sozip_find(a, i, s[i].end);
	s[i].start = a->index.local_offset[i];
	s[i].entry = i;
}

void zs_check_entries(zs_archive *a, int threads)
{
	zs_index *ix = &a->index;
	size_t n = ix->count;
	span *s = zs_big_alloc((n + 1) * sizeof(*s));

	if (!s) {
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMEM, -1, 0,
			       "out of memory checking %zu entries", n);
		return;
	}
	zs_sozip_prepare(a);
	/* a team only where it pays: even a team of one costs libgomp an
	 * allocation, once per archive of a batch */
	if (threads > 1 && zs_worth_parallel(n, 0)) {
		#pragma omp parallel for schedule(static) num_threads(threads)
		for (size_t i = 0; i < n; i++)
			check_span(a, s, i);
	} else {
		for (size_t i = 0; i < n; i++)
			check_span(a, s, i);
	}
	if (zs_stopping(a)) {
		zs_interrupted(a);
		zs_big_free(s, (n + 1) * sizeof(*s));
		return;
	}
	/* a SOZip index's hidden record is its entry's */
	zs_sozip_load(a);
	for (size_t i = 0; a->sozip_at && i < n; i++)
		s[i].end = zs_sozip_span(a, i, s[i].end);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i].end)
			s[m++] = s[i];
	/* gaps are only meaningful when every entry checked out: one with a
	 * bad header or descriptor has an error saying so, and its unknown
	 * extent would look like a gap */
	int known = 1;
	for (size_t i = 0; i < n && known; i++)
		known = ix->status[i] != ZS_ENTRY_BAD;
	/* the central directory, ZIP64 records, end record and comment */
	s[m].start = a->layout.cd_offset;
	if (a->layout.zip64_eocd_offset < s[m].start)
		s[m].start = a->layout.zip64_eocd_offset;
	s[m].end = a->size;
	s[m].entry = SIZE_MAX;
	sweep_spans(a, s, m + 1, known);
	zs_big_free(s, (n + 1) * sizeof(*s));
}
