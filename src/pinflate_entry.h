/* SPDX-License-Identifier: MIT */
/*
 * pinflate_entry.h - a large Deflate entry cut into chunks decoded on
 * every thread (pinflate_entry.c): as tasks of the work list of the scan
 * and of extract, or by a team of its own for cat.
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
/* Both, for entry i among rest compressed bytes (extract, cat: all of
 * them, not only what is left after bigger ones). */
int zs_pinflate_worth(const zs_archive *a, size_t i, const zs_options *o,
		      int nt, uint64_t rest);
/* Entry i's split over nt threads, for a zs_pinflate_queue (pinflate.h):
 * its output, if fd >= 0, written into fd at offset at + its own (a
 * regular file not opened to append: pwrite) as soon as known; until
 * then a thread holds up to half --memory-limit of a chunk.  NULL if out
 * of memory. */
zs_pinflate *zs_pinflate_entry_job(const zs_archive *a, size_t i,
				   const zs_options *o, int nt, int fd,
				   uint64_t at);
/* Its verdict once every task is done (j freed; NULL allowed): if the
 * split found entry i good (size and CRC-32 as declared), its status is
 * set as zs_decode_entry sets it and the bytes out returned; else 0, the
 * entry still untested (what was written is not to be kept). */
uint64_t zs_pinflate_entry_good(zs_archive *a, size_t i, zs_pinflate *j);
/* The same, decoding entry i on this thread whenever the split did not
 * find it good, so that every verdict is the sequential decoder's; the
 * bytes out. */
uint64_t zs_pinflate_entry_settle(zs_worker *w, zs_archive *a, size_t i,
				  zs_pinflate *j);
/* cat: entry i split over every thread of a team of its own, into fd at
 * offset at (-1: nowhere); the bytes out if good, else 0 as above.  With
 * written, in order instead (write(): a pipe), each chunk's bytes once the
 * chunk before has written its own, and *written gets the bytes out
 * whatever the verdict: each the byte the sequential decoder (ISA-L,
 * streaming) writes there, so that it can go on past them. */
uint64_t zs_pinflate_write(zs_archive *a, size_t i, int fd, uint64_t at,
			   const zs_options *o, uint64_t *written);

#endif
