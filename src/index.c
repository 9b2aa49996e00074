/* SPDX-License-Identifier: MIT */
/*
 * index.c - locate the central directory and parse it, in place, into the
 * struct-of-arrays index.
 *
 * The end-of-central-directory record is searched in the last 64 KiB + 22
 * bytes; a ZIP64 locator right before it is followed when it leads to a
 * ZIP64 end record whose central directory checks out.  Prepended data
 * (self-extractor stubs whose offsets were not adjusted) is handled as Go and
 * Python do: base = where the directory ends - its size - its offset, with a
 * fall back to base 0 when a central header sits at the raw offset.
 *
 * Arrays are sized from the central records actually present (a first walk
 * counts them), never from a count the archive claims.
 */
#include <libdeflate.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "huge.h"
#include "internal.h"

/* One reading of where the central directory is. */
typedef struct cd_plan {
	uint64_t entries;   /* declared */
	uint64_t size;      /* declared */
	uint64_t offset;    /* declared, relative to base */
	uint64_t end;       /* first byte after the directory's region */
	uint64_t start;     /* absolute, once resolved */
	uint64_t base;
	uint64_t z64_declared;  /* where the ZIP64 locator says its record is */
	uint32_t disk;          /* number of this disk (part) */
	uint32_t cd_disk;       /* disk where the central directory starts */
	int multi_disk;         /* the classic end record's disk fields */
} cd_plan;

static int has_sig(const zs_archive *a, uint64_t off, uint32_t sig)
{
	return zs_in_bounds(off, 4, a->size) && zs_le32(a->data + off) == sig;
}

/* The last EOCD signature in the last 64 KiB + 22 bytes, as Info-ZIP and
 * Python choose it; -1 if there is none. */
static int64_t find_eocd(const zs_archive *a)
{
	uint64_t lo = a->size > ZS_EOCD_SIZE + ZS_MAX_COMMENT ?
		      a->size - ZS_EOCD_SIZE - ZS_MAX_COMMENT : 0;

	for (uint64_t pos = a->size - ZS_EOCD_SIZE + 1; pos-- > lo;) {
		if (a->data[pos] == 'P' && zs_le32(a->data + pos) == ZS_SIG_EOCD)
			return (int64_t)pos;
	}
	return -1;
}

/*
 * Work out plan->start and plan->base.  Returns 0 if a central directory
 * (or an empty one) was found, -1 with a finding otherwise.
 */
static int resolve_start(zs_archive *a, cd_plan *p, int quiet)
{
	uint64_t expect, raw = p->offset;

	if (p->entries == 0 && p->size == 0) {
		p->start = p->end;
		p->base = 0;
		return 0;
	}
	if (p->size <= p->end) {
		expect = p->end - p->size;
		if (expect == raw) {
			p->base = 0;
			p->start = raw;
			return 0;
		}
		/* Go's rule: a header at the raw offset wins over a base. */
		if (raw < p->end && has_sig(a, raw, ZS_SIG_CENTRAL)) {
			p->base = 0;
			p->start = raw;
			return 0;
		}
		if (expect > raw && has_sig(a, expect, ZS_SIG_CENTRAL)) {
			p->base = expect - raw;
			p->start = expect;
			return 0;
		}
	} else if (raw < p->end && has_sig(a, raw, ZS_SIG_CENTRAL)) {
		p->base = 0;
		p->start = raw;
		return 0;
	}
	if (!quiet)
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_STRUCT, -1, p->end,
			       "central directory not found: the end record "
			       "says %llu bytes at offset %llu, which holds "
			       "no central header",
			       (unsigned long long)p->size,
			       (unsigned long long)raw);
	return -1;
}

/* Length of the central record at pos if it is whole and ends by limit;
 * 0 otherwise. */
static uint64_t central_len(const zs_archive *a, uint64_t pos, uint64_t limit)
{
	if (!zs_in_bounds(pos, ZS_CENTRAL_SIZE, limit) ||
	    zs_le32(a->data + pos) != ZS_SIG_CENTRAL)
		return 0;
	const uint8_t *h = a->data + pos;
	uint64_t len = ZS_CENTRAL_SIZE + (uint64_t)zs_le16(h + 28) +
		       zs_le16(h + 30) + zs_le16(h + 32);
	return zs_in_bounds(pos, len, limit) ? len : 0;
}

/* Read the ZIP64 end record the locator before the EOCD leads to.  Returns
 * 0 and fills p, or -1 if there is no usable ZIP64 record. */
static int read_zip64(zs_archive *a, uint64_t eocd, cd_plan *p)
{
	if (eocd < ZS_ZIP64_LOC_SIZE ||
	    !has_sig(a, eocd - ZS_ZIP64_LOC_SIZE, ZS_SIG_ZIP64_LOC))
		return -1;
	uint64_t loc = eocd - ZS_ZIP64_LOC_SIZE;
	uint64_t declared = zs_le64(a->data + loc + 8);
	uint64_t rec = UINT64_MAX;

	if (declared <= loc && loc - declared >= ZS_ZIP64_EOCD_SIZE &&
	    has_sig(a, declared, ZS_SIG_ZIP64_EOCD))
		rec = declared;
	else if (loc >= ZS_ZIP64_EOCD_SIZE &&
		 has_sig(a, loc - ZS_ZIP64_EOCD_SIZE, ZS_SIG_ZIP64_EOCD))
		rec = loc - ZS_ZIP64_EOCD_SIZE;  /* prepended data moved it */
	if (rec == UINT64_MAX) {
		zs_structural(a, "zip64-locator", -1, loc + 8, "the ZIP64 "
			      "locator points at offset %llu, where there is "
			      "no ZIP64 end record", (unsigned long long)declared);
		return -1;
	}
	const uint8_t *r = a->data + rec;
	p->entries = zs_le64(r + 32);
	p->size = zs_le64(r + 40);
	p->offset = zs_le64(r + 48);
	p->end = rec;
	p->z64_declared = declared;
	p->disk = zs_le32(r + 16);
	p->cd_disk = zs_le32(r + 20);
	a->layout.zip64_locator_offset = loc;
	a->layout.zip64_eocd_offset = rec;
	if (zs_le32(a->data + loc + 4) != 0 || zs_le32(a->data + loc + 16) > 1 ||
	    zs_le32(r + 16) != 0 || zs_le32(r + 20) != 0)
		zs_structural(a, "multi-disk", -1, loc,
			      "ZIP64 records claim a multi-disk archive; "
			      "reading it as a single file");
	if (zs_le64(r + 4) != ZS_ZIP64_EOCD_SIZE - 12 &&
	    (zs_le64(r + 4) < ZS_ZIP64_EOCD_SIZE - 12 ||
	     zs_le64(r + 4) > loc - rec - 12))
		zs_structural(a, "zip64-record-size", -1, rec + 4, "the ZIP64 "
			      "end record gives its size as %llu bytes; %llu "
			      "are there", (unsigned long long)zs_le64(r + 4),
			      (unsigned long long)(loc - rec - 12));
	return 0;
}

/* Choose between the ZIP64 and the classic end record. */
static int plan_directory(zs_archive *a, uint64_t eocd, cd_plan *out)
{
	const uint8_t *e = a->data + eocd;
	cd_plan classic = {
		.entries = zs_le16(e + 10), .size = zs_le32(e + 12),
		.offset = zs_le32(e + 16), .end = eocd,
		.disk = zs_le16(e + 4), .cd_disk = zs_le16(e + 6),
	};
	int saturated = classic.entries == 0xffff ||
			classic.size == 0xffffffff ||
			classic.offset == 0xffffffff;
	cd_plan z64 = { 0 };

	if (read_zip64(a, eocd, &z64) == 0) {
		if (resolve_start(a, &z64, !saturated) == 0) {
			uint64_t rec = a->layout.zip64_eocd_offset;
			if (rec - z64.base != z64.z64_declared)
				zs_structural(a, "zip64-locator", -1,
					      a->layout.zip64_locator_offset + 8,
					      "the ZIP64 locator says the ZIP64 "
					      "end record is at offset %llu; it "
					      "is at %llu",
					      (unsigned long long)z64.z64_declared,
					      (unsigned long long)(rec - z64.base));
			if (!saturated && (classic.entries != z64.entries ||
					   classic.size != z64.size ||
					   classic.offset != z64.offset))
				zs_structural(a, "zip64-disagrees", -1, eocd,
					      "the ZIP64 end record disagrees "
					      "with the classic one; using the "
					      "ZIP64 values");
			*out = z64;
			return 0;
		}
		if (saturated)
			return -1;
		zs_structural(a, "zip64-unused", -1,
			      a->layout.zip64_eocd_offset,
			      "ignoring a ZIP64 end record that leads to no "
			      "central directory");
		a->layout.zip64_locator_offset = UINT64_MAX;
		a->layout.zip64_eocd_offset = UINT64_MAX;
	}
	/* said once the entries are read, unless check_split says more */
	classic.multi_disk = zs_le16(e + 4) != 0 || zs_le16(e + 6) != 0 ||
			     zs_le16(e + 8) != zs_le16(e + 10);
	if (resolve_start(a, &classic, 0) != 0)
		return -1;
	*out = classic;
	return 0;
}

/* Walk the records from p->start; returns how many are whole. */
static size_t count_records(const zs_archive *a, const cd_plan *p,
			    uint64_t *end_out)
{
	uint64_t pos = p->start, len;
	size_t n = 0;

	while ((len = central_len(a, pos, p->end)) != 0) {
		pos += len;
		n++;
	}
	*end_out = pos;
	return n;
}

/* The next array of `bytes` in the index's block (none while only
 * measuring it: block NULL), on its own cache lines. */
static void *carve(uint8_t *block, size_t *at, size_t bytes)
{
	void *p = block ? block + *at : NULL;
	*at += (bytes + 63) & ~(size_t)63;
	return p;
}

/* The arrays of m entries in block, or only their size (block NULL): one
 * list for both, so that the block always fits them. */
static size_t index_layout(zs_index *ix, uint8_t *block, size_t m)
{
	size_t at = 0;
	ix->local_offset = carve(block, &at, m * 8);
	ix->data_offset = carve(block, &at, m * 8);
	ix->comp_size = carve(block, &at, m * 8);
	ix->uncomp_size = carve(block, &at, m * 8);
	ix->name_offset = carve(block, &at, m * 8);
	ix->central_offset = carve(block, &at, m * 8);
	ix->err_a = carve(block, &at, m * 8);
	ix->err_b = carve(block, &at, m * 8);
	ix->trailing = carve(block, &at, m * 8);
	ix->crc32 = carve(block, &at, m * 4);
	ix->ext_attr = carve(block, &at, m * 4);
	ix->name_len = carve(block, &at, m * 2);
	ix->method = carve(block, &at, m * 2);
	ix->flags = carve(block, &at, m * 2);
	ix->dos_time = carve(block, &at, m * 2);
	ix->dos_date = carve(block, &at, m * 2);
	ix->version_made_by = carve(block, &at, m * 2);
	ix->zip64 = carve(block, &at, m);
	ix->upath = carve(block, &at, m);
	ix->status = carve(block, &at, m);
	ix->error = carve(block, &at, m);
	ix->selected = carve(block, &at, m);
	return at;
}

/* Every array of n entries in one block, zeroed: from 2 MiB on huge pages
 * (zs_big_alloc), so that 1,000,000 entries (97 MB) are about 50 page
 * faults rather than 24,000 of 4 KiB, each about 10 us on a virtual
 * machine where the guest has not touched the memory lately. */
static int index_alloc(zs_index *ix, size_t n)
{
	size_t m = n ? n : 1;
	if (m > SIZE_MAX / 256)
		return -1;
	size_t total = index_layout(ix, NULL, m);
	uint8_t *b = zs_big_alloc(total);
	if (!b)
		return -1;
	if (total < ZS_HUGE_PAGE)
		memset(b, 0, total);   /* malloc'd; a new mapping is zero */
	ix->count = n;
	ix->block = b;
	ix->block_size = total;
	index_layout(ix, b, m);
	return 0;
}

void zs_index_free(zs_index *ix)
{
	zs_big_free(ix->block, ix->block_size);
	free(ix->xxh128);
	memset(ix, 0, sizeof(*ix));
}

/*
 * Apply a ZIP64 extended-information extra field (APPNOTE 4.5.3): its
 * values appear, in this order, only for the header fields that are
 * saturated.  Returns 0, or -1 if a needed value is missing.
 */
int zs_zip64_apply(const uint8_t *extra, uint16_t len, uint64_t *usize,
		   uint64_t *csize, uint64_t *offset, int *found)
{
	uint32_t pos = 0;

	*found = 0;
	while (pos + 4 <= len) {
		uint16_t id = zs_le16(extra + pos), sz = zs_le16(extra + pos + 2);
		const uint8_t *v = extra + pos + 4, *vend = v + sz;
		if ((uint32_t)sz > len - pos - 4u)
			return -1;  /* sub-field overruns the extra field */
		pos += 4u + sz;
		if (id != ZS_EXTRA_ZIP64)
			continue;
		if ((*found)++)
			return -1;  /* two ZIP64 fields: ambiguous */
		uint64_t *want[3] = { usize, csize, offset };
		for (int k = 0; k < 3; k++) {
			if (!want[k] || *want[k] != 0xffffffffu)
				continue;
			if (vend - v < 8)
				return -1;
			*want[k] = zs_le64(v);
			v += 8;
		}
	}
	/* fewer than 4 bytes left: zipalign's padding, which is zeros; any
	 * other byte there is a field cut short */
	for (; pos < len; pos++)
		if (extra[pos])
			return -1;
	return 0;
}

/*
 * The Info-ZIP Unicode Path extra field (0x7075), read as unzip reads it:
 * version 1, and the CRC-32 of the header's name must match (else the
 * name was changed by a tool that did not know the field, and the field
 * is stale).  Then its UTF-8 name is the entry's name, for unzip, bsdtar
 * and 7-Zip alike, so it is ours too: the index points at it.  An empty
 * one names nothing and is ignored.
 */
#define ZS_EXTRA_UPATH 0x7075u
static void unicode_path(zs_archive *a, size_t i, const uint8_t *extra,
			 uint16_t len)
{
	zs_index *ix = &a->index;

	for (uint32_t pos = 0; pos + 4 <= len;) {
		uint16_t id = zs_le16(extra + pos), sz = zs_le16(extra + pos + 2);
		const uint8_t *v = extra + pos + 4;
		if ((uint32_t)sz > len - pos - 4u)
			return;
		pos += 4u + sz;
		if (id != ZS_EXTRA_UPATH || sz <= 5 || v[0] != 1 ||
		    zs_le32(v + 1) != libdeflate_crc32(0, a->data +
						ix->name_offset[i],
						ix->name_len[i]))
			continue;
		ix->name_offset[i] = (uint64_t)(v + 5 - a->data);
		ix->name_len[i] = (uint16_t)(sz - 5);
		ix->upath[i] = 1;
		if (ix->name_len[i] > a->max_name_len)
			a->max_name_len = ix->name_len[i];
		return;
	}
}

static void fill_entry(zs_archive *a, size_t i, uint64_t pos, uint64_t base)
{
	zs_index *ix = &a->index;
	const uint8_t *h = a->data + pos;
	uint16_t nlen = zs_le16(h + 28), elen = zs_le16(h + 30);
	uint64_t usize = zs_le32(h + 24), csize = zs_le32(h + 20);
	uint64_t local = zs_le32(h + 42);
	int found = 0;

	ix->central_offset[i] = pos;
	ix->version_made_by[i] = zs_le16(h + 4);
	ix->flags[i] = zs_le16(h + 8);
	ix->method[i] = zs_le16(h + 10);
	ix->dos_time[i] = zs_le16(h + 12);
	ix->dos_date[i] = zs_le16(h + 14);
	ix->crc32[i] = zs_le32(h + 16);
	ix->name_len[i] = nlen;
	if (nlen > a->max_name_len)
		a->max_name_len = nlen;
	ix->ext_attr[i] = zs_le32(h + 38);
	ix->name_offset[i] = pos + ZS_CENTRAL_SIZE;
	if (zs_zip64_apply(h + ZS_CENTRAL_SIZE + nlen, elen, &usize, &csize,
			   &local, &found) != 0)
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_CENTRAL_EXTRA,
			      pos + ZS_CENTRAL_SIZE + nlen, 0);
	ix->zip64[i] = (uint8_t)(found != 0);
	unicode_path(a, i, h + ZS_CENTRAL_SIZE + nlen, elen);
	ix->comp_size[i] = csize;
	ix->uncomp_size[i] = usize;
	if (!zs_add(local, base, &ix->local_offset[i]))
		zs_entry_fail(ix, i, ZS_ENTRY_BAD, ZS_E_LOCAL_OFFSET, local,
			      a->size);
}

/*
 * The last part of a split archive (zip -s, WinZip's .z01 ...): the end
 * record is on a later disk than the directory starts on, or the entries
 * start on other disks.  Their local headers are in files we do not have,
 * so one finding says so and nothing is checked or decoded, rather than an
 * error per entry for a local header that was never in this file.
 */
static void check_split(zs_archive *a, const cd_plan *p)
{
	const zs_index *ix = &a->index;
	size_t elsewhere = 0;

	/* 0xffff: the number is in the ZIP64 extra field, which a writer of
	 * split archives that large fills; such a part is still found by
	 * the end records' own disk numbers */
	for (size_t i = 0; i < ix->count; i++) {
		uint16_t d = zs_le16(a->data + ix->central_offset[i] + 34);
		elsewhere += d != 0xffff && d != p->disk;
	}
	if (p->cd_disk == p->disk && elsewhere == 0) {
		if (p->multi_disk)
			zs_structural(a, "multi-disk", -1,
				      a->layout.eocd_offset, "end record claims "
				      "a multi-disk archive; reading it as a "
				      "single file");
		return;
	}
	a->split = 1;
	zs_finding_coded(a, "split-archive", ZS_ERROR, ZS_EXIT_STRUCT, -1,
			 a->layout.eocd_offset, "part %u of a split archive: "
			 "the central directory starts in part %u and %zu of "
			 "%zu entries live in other parts; not testable "
			 "alone", (unsigned)p->disk + 1,
			 (unsigned)p->cd_disk + 1, elsewhere, ix->count);
}

/* Compare what was found with what the end record declared. */
static void check_counts(zs_archive *a, const cd_plan *p, size_t n,
			 uint64_t walked_end)
{
	uint64_t bytes = walked_end - p->start;

	if (n != p->entries) {
		int wrapped = a->layout.zip64_eocd_offset == UINT64_MAX &&
			      n > 0xffff && (n & 0xffff) == p->entries;
		/* a count wrapped at 65,536 is only structural: writers
		 * without ZIP64 end records leave it so */
		if (wrapped)
			zs_structural(a, "entry-count-wrapped", -1, walked_end,
				      "central directory holds %zu entries, "
				      "the end record says %llu (count wrapped "
				      "at 65536)", n,
				      (unsigned long long)p->entries);
		else
			zs_finding_coded(a, "entry-count", ZS_ERROR,
					 ZS_EXIT_STRUCT, -1, walked_end,
					 "central directory holds %zu entries, "
					 "the end record says %llu", n,
					 (unsigned long long)p->entries);
	}
	if (bytes != p->size && (n || p->size))
		zs_finding_coded(a, "directory-size", ZS_ERROR, ZS_EXIT_STRUCT,
			       -1, p->start,
			       "central directory is %llu bytes, the end "
			       "record says %llu",
			       (unsigned long long)bytes,
			       (unsigned long long)p->size);
	else if (walked_end < p->end && n == p->entries)
		/* severe, as Python and unzip have it: a reader that takes
		 * the directory as the bytes before the end record (its
		 * declared size back) finds other entries there */
		zs_finding_coded(a, "gap-before-end", ZS_ERROR, ZS_EXIT_STRUCT,
			       -1, walked_end,
			       "%llu unaccounted bytes between the central "
			       "directory and the end record",
			       (unsigned long long)(p->end - walked_end));
	if (p->base)
		zs_structural(a, "prepended-bytes", -1, 0,
			       "%llu extra bytes at beginning or within "
			       "zipfile (offsets adjusted)",
			       (unsigned long long)p->base);
}

static void check_eocd_tail(zs_archive *a, uint64_t eocd)
{
	uint16_t clen = zs_le16(a->data + eocd + 20);
	uint64_t after = a->size - eocd - ZS_EOCD_SIZE;

	a->layout.eocd_offset = eocd;
	a->layout.comment_offset = eocd + ZS_EOCD_SIZE;
	if (clen > after) {
		zs_structural(a, "comment-length", -1, eocd + 20,
			       "archive comment truncated: %u bytes declared, "
			       "%llu present", clen, (unsigned long long)after);
		clen = (uint16_t)after;
	} else if (clen < after) {
		/* zeros are a tape block's padding (bsdtar to a pipe pads to
		 * 10,240 bytes): they hide nothing */
		uint64_t from = eocd + ZS_EOCD_SIZE + clen;
		int zeros = zs_all_zero(a->data + from, after - clen);
		zs_structural(a, zeros ? "trailing-padding" : "trailing-bytes",
			      -1, from, "%llu %sbytes after the end of the "
			      "archive", (unsigned long long)(after - clen),
			      zeros ? "zero " : "");
	}
	a->layout.comment_len = clen;
}

int zs_index_build(zs_archive *a)
{
	cd_plan p;
	int64_t eocd;
	size_t n;
	uint64_t walked_end;

	a->layout.file_size = a->size;
	a->layout.zip64_locator_offset = UINT64_MAX;
	a->layout.zip64_eocd_offset = UINT64_MAX;
	if (a->size < ZS_EOCD_SIZE || (eocd = find_eocd(a)) < 0) {
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOTZIP, -1, 0,
			       a->size < ZS_EOCD_SIZE ?
			       "not a ZIP archive: %llu bytes, too short for "
			       "an end-of-central-directory record" :
			       "not a ZIP archive: no end-of-central-directory "
			       "record in the last %llu bytes",
			       (unsigned long long)(a->size < ZS_EOCD_SIZE ?
			       a->size : a->size < 65557 ? a->size : 65557));
		return -1;
	}
	check_eocd_tail(a, (uint64_t)eocd);
	if (plan_directory(a, (uint64_t)eocd, &p) != 0)
		return -1;
	a->layout.cd_offset = p.start;
	a->layout.cd_size = p.size;
	a->layout.cd_entries_declared = p.entries;
	a->layout.base = p.base;
	zs_map_advise(a, p.start, p.end - p.start, MADV_WILLNEED);

	n = count_records(a, &p, &walked_end);
	check_counts(a, &p, n, walked_end);
	if (index_alloc(&a->index, n) != 0) {
		zs_index_free(&a->index);
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMEM, -1, 0,
			       "out of memory for an index of %zu entries", n);
		return -1;
	}
	uint64_t pos = p.start;
	for (size_t i = 0; i < n; i++) {
		if ((i & 4095) == 0 && zs_stopping(a)) {
			zs_index_free(&a->index);
			zs_interrupted(a);
			return -1;
		}
		fill_entry(a, i, pos, p.base);
		pos += central_len(a, pos, p.end);
	}
	check_split(a, &p);
	if (n == 0 && p.entries == 0)
		zs_structural(a, "empty", -1, (uint64_t)eocd,
			      "zipfile is empty");
	a->indexed = 1;
	return 0;
}
