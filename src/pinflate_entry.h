/* SPDX-License-Identifier: MIT */
/*
 * pinflate_entry.h - a large Deflate entry cut into chunks decoded on
 * every thread (pinflate_entry.c): as tasks of the scan's work list, or
 * by the whole team for extract.
 */
#ifndef ZS_PINFLATE_ENTRY_H
#define ZS_PINFLATE_ENTRY_H

#include "internal.h"
#include "pinflate.h"

/* The least compressed bytes per chunk and the chunks a thread gets, and
 * the smallest entry split (README: "One Deflate entry on every core");
 * ZS_TEST_PINFLATE_CHUNK=bytes sets the chunk, splits every entry over
 * one chunk, even on one thread. */
#define ZS_PINFLATE_CHUNK (4ull << 20)
#define ZS_PINFLATE_PER_THREAD 1
#define ZS_PINFLATE_MIN (16ull << 20)
/* Threads from which an entry is split.  One chunk a thread: every chunk
 * but the first starts in marker mode, for a stretch that does not depend
 * on its length, so on 2 threads the entry is cut in two (docs/pinflate.md:
 * big.zip 1.55x faster than one thread, where 16 chunks of 4 MiB gave
 * 1.2x). */
#define ZS_PINFLATE_MIN_THREADS 2

/* Is entry i one to split over nt threads? */
int zs_pinflate_wanted(const zs_archive *a, size_t i, const zs_options *o,
		       int nt);
/* Is an entry of comp compressed bytes, among rest compressed bytes to
 * decode (it included), worth splitting over nt threads?  Only when it
 * would hold its thread longer than the others take for the rest,
 * comp > rest / nt: otherwise the largest-first work list already keeps
 * every thread busy, and the split's extra CPU (its marker stretches) is
 * a loss (the 5 largest libraries: 0.29 s without, 0.33 s with).  Always
 * under ZS_TEST_PINFLATE_CHUNK. */
int zs_pinflate_dominant(uint64_t comp, uint64_t rest, int nt);
/* Entry i's split over nt threads, as tasks for the scan's work list
 * (pinflate.h); NULL if out of memory. */
zs_pinflate *zs_pinflate_entry_job(const zs_archive *a, size_t i,
				   const zs_options *o, int nt);
/* Its verdict once every task is done (j freed; NULL allowed): entry i's
 * status set as zs_decode_entry does, which decodes it on this thread
 * whenever the split decode is in doubt; returns the bytes out. */
uint64_t zs_pinflate_entry_settle(zs_worker *w, zs_archive *a, size_t i,
				  zs_pinflate *j);
/* extract and cat: entry i (zs_pinflate_wanted) split over every thread,
 * each chunk written into fd (-1: nowhere), a regular file not opened to
 * append, at offset at + its own (pwrite) as soon as known; until then a
 * thread holds up to half --memory-limit of it.  Returns the bytes out if
 * the split found it good (status ok), else 0 and the entry stays
 * untested: what was written is not to be kept; decode it whole. */
uint64_t zs_pinflate_write(zs_archive *a, size_t i, int fd, uint64_t at,
			   const zs_options *o);

#endif
