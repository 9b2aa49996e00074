// SPDX-License-Identifier: MIT
/*
 * sozip.c - find and validate SOZip indexes (sozip.h says what they are).
 *
 * check.c asks zs_sozip_find for each entry, in its parallel loop: is there
 * a local header named ".NAME.sozip.idx" right after the entry's data (and
 * descriptor)?  zs_sozip_load then drops those the central directory lists
 * (entries of their own) or that run into the next entry or the central
 * directory (damaged: left to be gaps), and validates the others, field by field, against
 * the entry each describes and the file: a lying one is an error (finding
 * sozip-index, exit 2) and the entry is decoded as any other.  Valid or
 * not, a hidden record is part of its entry's span (zs_sozip_span), not a
 * gap or an unlisted local header.  Nothing read from the index sizes an allocation
 * before it is shown to fit in the index's own bytes.
 */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>

#include "huge.h"
#include "sozip.h"

void zs_sozip_prepare(zs_archive *a)
{
	size_t n = a->index.count * sizeof(*a->sozip_at);
	zs_big_free(a->sozip_at, n);
	a->sozip_at = a->index.count ? zs_big_zalloc(n) : NULL;
}

/* Is name (n bytes) entry i's index name: "DIR/.BASE.sozip.idx"? */
static int is_index_name(const zs_archive *a, size_t i, const uint8_t *name,
			 size_t n)
{
	static const char tail[] = ".sozip.idx";
	uint16_t en;
	const uint8_t *e = zs_header_name(a, i, &en);
	size_t dir = en;

	while (dir > 0 && e[dir - 1] != '/')
		dir--;
	if (dir == en || n != (size_t)en + 1 + sizeof(tail) - 1)
		return 0;   /* a directory has no index; or lengths differ */
	return !memcmp(name, e, dir) && name[dir] == '.' &&
	       !memcmp(name + dir + 1, e + dir, en - dir) &&
	       !memcmp(name + 1 + en, tail, sizeof(tail) - 1);
}

/* The index record at p: its data offset and size, or 0. */
static int index_record(const zs_archive *a, uint64_t p, uint64_t *data,
			uint64_t *size)
{
	if (!zs_in_bounds(p, ZS_LOCAL_SIZE, a->size))
		return 0;
	const uint8_t *h = a->data + p;
	uint16_t nlen = zs_le16(h + 26), elen = zs_le16(h + 28);
	uint64_t usize = zs_le32(h + 22), csize = zs_le32(h + 18), end;
	int found;

	if (zs_le32(h) != ZS_SIG_LOCAL ||
	    !zs_in_bounds(p + ZS_LOCAL_SIZE, (uint64_t)nlen + elen, a->size) ||
	    zs_zip64_apply(h + ZS_LOCAL_SIZE + nlen, elen, &usize, &csize,
			   NULL, &found) != 0)
		return 0;
	*data = p + ZS_LOCAL_SIZE + nlen + elen;
	if (!zs_add(*data, csize, &end) || end > a->size)
		return 0;
	*size = csize;
	return 1;
}

void zs_sozip_find(zs_archive *a, size_t i, uint64_t end)
{
	uint64_t data, size;

	if (!end || !a->sozip_at || zs_entry_is_dir(a, i) ||
	    !index_record(a, end, &data, &size))
		return;
	const uint8_t *h = a->data + end;
	if (is_index_name(a, i, h + ZS_LOCAL_SIZE, zs_le16(h + 26)))
		a->sozip_at[i] = end;
}

uint64_t zs_sozip_span(const zs_archive *a, size_t i, uint64_t end)
{
	uint64_t data, size;

	if (!end || !a->sozip_at || !a->sozip_at[i] ||
	    !index_record(a, a->sozip_at[i], &data, &size))
		return end;
	return data + size;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t p = *(const uint64_t *)x, q = *(const uint64_t *)y;
	return p < q ? -1 : p > q;
}

/* The first of the n sorted offsets at that is >= v (n if none). */
static size_t lower_bound(const uint64_t *at, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (at[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does entry i's candidate record fit: not a local header the central
 * directory lists (that is an entry of its own: a rezipped archive may
 * list the index), and ending before the next one and the central
 * directory?  A record that reaches further is no index (its sizes or
 * lengths are damaged): claiming it would make its entry overlap others. */
static int record_fits(const zs_archive *a, size_t i, const uint64_t *at)
{
	size_t n = a->index.count, k = lower_bound(at, n, a->sozip_at[i]);
	uint64_t limit = a->layout.cd_offset, data, size;

	if (a->layout.zip64_eocd_offset < limit)
		limit = a->layout.zip64_eocd_offset;
	if (k < n && at[k] == a->sozip_at[i])
		return 0;
	if (k < n && at[k] < limit)
		limit = at[k];
	return index_record(a, a->sozip_at[i], &data, &size) &&
	       data + size <= limit;
}

/* Forget the candidates that do not fit; returns how many are left. */
static size_t drop_unfit(zs_archive *a, size_t found)
{
	const zs_index *ix = &a->index;
	uint64_t *at = malloc((ix->count ? ix->count : 1) * sizeof(*at));

	if (!at) {   /* cannot tell: use none */
		memset(a->sozip_at, 0, ix->count * sizeof(*a->sozip_at));
		return 0;
	}
	memcpy(at, ix->local_offset, ix->count * sizeof(*at));
	qsort(at, ix->count, sizeof(*at), cmp_u64);
	for (size_t i = 0; i < ix->count; i++)
		if (a->sozip_at[i] && !record_fits(a, i, at)) {
			a->sozip_at[i] = 0;
			found--;
		}
	free(at);
	return found;
}

/* ---- validation ------------------------------------------------------- */

typedef struct idx_view {
	zs_archive *a;
	size_t i;
	uint64_t at;            /* the index's local header */
	const uint8_t *body;    /* its data */
	uint64_t len;
	char *name;             /* the entry's name, for messages */
} idx_view;

static int lie(const idx_view *v, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int lie(const idx_view *v, uint64_t off, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	zs_finding_coded(v->a, "sozip-index", ZS_ERROR, ZS_EXIT_ENTRY,
			 (int64_t)v->i, off, "\"%s\": its SOZip index (local "
			 "header at offset %llu) is not to be trusted: %s; the "
			 "entry is read as a whole", v->name,
			 (unsigned long long)v->at, what);
	return -1;
}

/* The index entry itself: stored, plain, its sizes and CRC-32 right; and
 * the entry it indexes: Deflate, not encrypted, its headers good. */
static int check_record(idx_view *v)
{
	const zs_index *ix = &v->a->index;
	const uint8_t *h = v->a->data + v->at;
	uint16_t flags = zs_le16(h + 6);
	uint64_t data;

	index_record(v->a, v->at, &data, &v->len);
	v->body = v->a->data + data;
	if (zs_le16(h + 8) != ZS_METHOD_STORED)
		return lie(v, v->at, "the index is compressed (method %u), "
			   "where it must be stored", zs_le16(h + 8));
	if (flags & (ZS_FLAG_ENCRYPTED | ZS_FLAG_DESCRIPTOR))
		return lie(v, v->at, "the index has flags %#x (encrypted or "
			   "with a descriptor)", flags);
	if (zs_le32(h + 22) != zs_le32(h + 18))
		return lie(v, v->at, "its two sizes differ");
	uint32_t crc = libdeflate_crc32(0, v->body, (size_t)v->len);
	if (crc != zs_le32(h + 14))
		return lie(v, v->at, "its CRC-32 is %08x, its header says %08x",
			   crc, zs_le32(h + 14));
	if (ix->method[v->i] != ZS_METHOD_DEFLATE ||
	    zs_entry_is_encrypted(v->a, v->i))
		return lie(v, v->at, "the entry is %s, not plain Deflate",
			   zs_method_name(ix->method[v->i]));
	if (ix->status[v->i] == ZS_ENTRY_BAD)
		return lie(v, v->at, "the entry's own headers failed");
	return 0;
}

/* The 32-byte header against the entry; *osize and *skip for the rest. */
static int check_header(idx_view *v, uint32_t *osize, uint64_t *skip,
			uint32_t *chunk)
{
	const zs_index *ix = &v->a->index;
	const uint8_t *b = v->body;
	uint64_t field = v->body - v->a->data;

	if (v->len < ZS_SOZIP_HEADER)
		return lie(v, field, "%llu bytes, shorter than its 32-byte "
			   "header", (unsigned long long)v->len);
	*skip = zs_le32(b + 4);
	*chunk = zs_le32(b + 8);
	*osize = zs_le32(b + 12);
	uint64_t usize = zs_le64(b + 16), csize = zs_le64(b + 24);
	if (*chunk == 0)
		return lie(v, field + 8, "chunk size 0");
	if (*osize != 4 && *osize != 8)
		return lie(v, field + 12, "offset size %u (4 or 8)", *osize);
	if (usize != ix->uncomp_size[v->i] || csize != ix->comp_size[v->i])
		return lie(v, field + 16, "sizes %llu and %llu, where the entry "
			   "has %llu and %llu", (unsigned long long)usize,
			   (unsigned long long)csize,
			   (unsigned long long)ix->uncomp_size[v->i],
			   (unsigned long long)ix->comp_size[v->i]);
	if (usize <= *chunk)
		return lie(v, field + 16, "%llu bytes in chunks of %u: one "
			   "chunk, nothing to index", (unsigned long long)usize,
			   *chunk);
	return 0;
}

/* The offsets: exactly (usize - 1) / chunk of them filling the index, each
 * past the one before and inside the compressed data; copied into z. */
static int check_offsets(idx_view *v, uint32_t osize, uint64_t skip,
			 uint32_t chunk, zs_sozip *z)
{
	const zs_index *ix = &v->a->index;
	uint64_t n = (ix->uncomp_size[v->i] - 1) / chunk;
	uint64_t room = v->len - ZS_SOZIP_HEADER, at0;

	if (skip > room || (room - skip) % osize || (room - skip) / osize != n)
		return lie(v, v->body - v->a->data, "%llu bytes of offsets "
			   "after %llu skipped, where %llu chunks of %u bytes "
			   "need %llu offsets of %u bytes",
			   (unsigned long long)(skip > room ? 0 : room - skip),
			   (unsigned long long)skip,
			   (unsigned long long)n + 1, chunk,
			   (unsigned long long)n, osize);
	/* n * osize bytes are in the file: the copy is bounded by them */
	if (!(z->start = malloc((n + 2) * sizeof(*z->start))))
		return lie(v, 0, "out of memory for %llu offsets",
			   (unsigned long long)n);
	at0 = (uint64_t)(v->body - v->a->data) + ZS_SOZIP_HEADER + skip;
	z->start[0] = 0;
	for (uint64_t k = 0; k < n; k++) {
		const uint8_t *p = v->a->data + at0 + k * osize;
		uint64_t off = osize == 8 ? zs_le64(p) : zs_le32(p);
		if (off <= z->start[k] || off >= ix->comp_size[v->i])
			return lie(v, at0 + k * osize, "offset %llu of chunk "
				   "%llu is %s", (unsigned long long)off,
				   (unsigned long long)k + 1,
				   off >= ix->comp_size[v->i] ?
				   "past the compressed data" :
				   "not past the chunk before it");
		z->start[k + 1] = off;
	}
	z->start[n + 1] = ix->comp_size[v->i];
	z->chunks = n + 1;
	z->chunk_size = chunk;
	return 0;
}

/* Validate entry i's index at sozip_at[i] into z; 0 if it holds. */
static int validate(zs_archive *a, size_t i, char *name, zs_sozip *z)
{
	idx_view v = { a, i, a->sozip_at[i], NULL, 0, name };
	uint32_t osize = 0, chunk = 0;
	uint64_t skip = 0;

	zs_entry_name_utf8(a, i, name);
	if (check_record(&v) != 0)
		return -1;
	if (v.len >= 4 && zs_le32(v.body) != ZS_SOZIP_VERSION) {
		zs_structural(a, "sozip-version", (int64_t)i, v.at, "\"%s\": "
			      "SOZip index of version %u, unknown: not used",
			      name, zs_le32(v.body));
		return -1;
	}
	if (check_header(&v, &osize, &skip, &chunk) != 0)
		return -1;
	memset(z, 0, sizeof(*z));
	z->entry = i;
	z->index_offset = v.at;
	if (check_offsets(&v, osize, skip, chunk, z) != 0) {
		free(z->start);
		return -1;
	}
	return 0;
}

void zs_sozip_load(zs_archive *a)
{
	size_t found = 0;
	char *name = NULL;

	for (size_t i = 0; a->sozip_at && i < a->index.count; i++)
		found += a->sozip_at[i] != 0;
	if (found)
		found = drop_unfit(a, found);
	if (!found || !(name = zs_name_buf((const zs_archive *const *)&a, 1)) ||
	    !(a->sozip = calloc(found, sizeof(*a->sozip)))) {
		free(name);
		return;
	}
	for (size_t i = 0; i < a->index.count; i++) {
		if (!a->sozip_at[i])
			continue;
		/* one that fails stays in sozip_at: accounted, never used
		 * (zs_sozip_of finds no record for it) */
		if (validate(a, i, name, &a->sozip[a->n_sozip]) == 0)
			a->n_sozip++;
	}
	free(name);
}

void zs_sozip_free(zs_archive *a)
{
	for (size_t k = 0; k < a->n_sozip; k++)
		free(a->sozip[k].start);
	free(a->sozip);
	zs_big_free(a->sozip_at, a->index.count * sizeof(*a->sozip_at));
	a->sozip = NULL;
	a->sozip_at = NULL;
	a->n_sozip = 0;
}

zs_sozip *zs_sozip_of(const zs_archive *a, size_t i)
{
	size_t lo = 0, hi = a->n_sozip;

	if (!a->sozip_at || i >= a->index.count || !a->sozip_at[i])
		return NULL;
	while (lo < hi) {   /* in entry order: load appends them so */
		size_t mid = lo + (hi - lo) / 2;
		if (a->sozip[mid].entry < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n_sozip && a->sozip[lo].entry == i ? &a->sozip[lo] :
	       NULL;
}

uint32_t zs_entry_sozip_chunk(const zs_archive *a, size_t i)
{
	const zs_sozip *z = zs_sozip_of(a, i);
	return z ? z->chunk_size : 0;
}
