/* SPDX-License-Identifier: MIT */
/*
 * pinflate_entry.h - a large Deflate entry decoded by the whole team
 * (pinflate_entry.c), for the scan loop.
 */
#ifndef ZS_PINFLATE_ENTRY_H
#define ZS_PINFLATE_ENTRY_H

#include "internal.h"

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
/* Entry i decoded by every thread of the team, each calling this with its
 * own worker; sets the entry's status as zs_decode_entry does (which
 * decodes it, on one thread, whenever the split decode is in doubt) and
 * returns the bytes out, on every thread. */
uint64_t zs_pinflate_entry(zs_worker *w, zs_archive *a, size_t i,
			   const zs_options *o);
/* extract: entry i (zs_pinflate_wanted) split over every thread straight
 * into the pages of fd, a new empty file (given its size first with
 * fallocate, then mapped).  Returns the bytes out if the split found it
 * good (status ok), else 0 and the entry stays untested: discard fd and
 * decode it whole. */
uint64_t zs_pinflate_write(zs_archive *a, size_t i, int fd,
			   const zs_options *o);

#endif
