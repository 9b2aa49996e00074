/* SPDX-License-Identifier: MIT */
/*
 * sozip.h - Seek-Optimized ZIP (SOZip, the GDAL project's specification
 * 0.5) on the reading side: finding and validating the hidden
 * ".NAME.sozip.idx" index that follows a Deflate entry's data (sozip.c),
 * and decoding such an entry's chunks on every core (sozip_decode.c).
 *
 * The index is untrusted input: every field is checked against the entry
 * and the file before it is used, a lying one is an error finding, and an
 * entry is only ever reported good by its chunks when they decode, each
 * from an empty window, to exactly what the whole stream holds (their
 * boundaries are block boundaries of the one Deflate stream).
 */
#ifndef ZS_SOZIP_H
#define ZS_SOZIP_H

#include "internal.h"

/* The index's fixed header (specification, "Header"). */
#define ZS_SOZIP_HEADER 32u
#define ZS_SOZIP_VERSION 1u

/* One seek-optimized entry, its index validated. */
typedef struct zs_sozip {
	size_t entry;
	uint32_t chunk_size;
	uint64_t chunks;         /* (uncompressed size - 1) / chunk_size + 1 */
	uint64_t *start;         /* chunks + 1: where chunk k starts in the
				    entry's compressed data; start[chunks] is
				    the compressed size (copied out of the
				    mapping once checked) */
	uint64_t index_offset;   /* the index's local header */
	/* what the chunked decode of a scan found (sozip_decode.c) */
	int decoded;             /* 1: the entry's verdict came from it */
	int failed;              /* 1: a chunk range failed (fell back) */
	uint64_t fail_chunk;     /* the failing range: chunks [fail_chunk, */
	uint64_t fail_end;       /* fail_end) */
	const char *fail_why;
} zs_sozip;

/* sozip.c */
/* Room for each entry's index position; before zs_sozip_span. */
void zs_sozip_prepare(zs_archive *a);
/* Is there a local record named ".NAME.sozip.idx" (in bounds) at `end`,
 * where entry i's data (and descriptor) end?  Noted in sozip_at[i].
 * Thread-safe per i (check.c's parallel loop). */
void zs_sozip_find(zs_archive *a, size_t i, uint64_t end);
/* Then, once: drop the records the central directory lists (an entry of
 * their own) or that run into what follows, and validate the others: findings for the lying ones,
 * zs_sozip_of for those that hold. */
void zs_sozip_load(zs_archive *a);
/* The end of entry i's span: past its hidden index record if it has one
 * (valid or not: it is accounted for), else `end`. */
uint64_t zs_sozip_span(const zs_archive *a, size_t i, uint64_t end);
void zs_sozip_free(zs_archive *a);
/* Entry i's record, or NULL if it is not seek-optimized. */
zs_sozip *zs_sozip_of(const zs_archive *a, size_t i);

/* sozip_decode.c */
/* Decode the selected seek-optimized entries of a by chunk ranges on nt
 * threads (before the scan's loop, which skips those it settled). */
void zs_sozip_scan(zs_archive *a, int nt, const zs_options *o);
/* extract: is entry i seek-optimized and still to be decoded (so worth
 * zs_sozip_write)?  zs_sozip_write decodes it by its chunk ranges on nt
 * threads, each range written at its place in fd; returns the bytes out
 * if that settled it (status ok), else 0 and the entry stays untested:
 * discard fd and decode it whole. */
int zs_sozip_wanted(const zs_archive *a, size_t i, const zs_options *o);
uint64_t zs_sozip_write(zs_archive *a, size_t i, int fd, int nt);
/* cat: entry i (zs_sozip_wanted) by its chunk ranges on every thread,
 * written to fd in order: held whole and written only if it checks out
 * when it is at most hold_max bytes, else written range by range as they
 * decode (each a checked piece of the stream).  Returns the bytes written;
 * *err gets a failed write's errno.  Unless zs_sozip_settled says so
 * afterwards, the whole decode must give the verdict, skipping the bytes
 * already written. */
uint64_t zs_sozip_cat(zs_archive *a, size_t i, int fd, const zs_options *o,
		      uint64_t hold_max, int *err);
/* Bytes out of entry i if its chunks settled it, else 0 (the scan then
 * decodes it as any other). */
uint64_t zs_sozip_settled(const zs_archive *a, size_t i);
/* After the scan: a chunk range that failed where the whole stream was
 * good is the index lying (finding sozip-chunk). */
void zs_sozip_scan_findings(zs_archive *a);

#endif
