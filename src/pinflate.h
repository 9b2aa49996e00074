/* SPDX-License-Identifier: MIT */
/*
 * pinflate.h - one raw Deflate stream decoded by every thread of a team
 * (pinflate.c; the method and its measurements: docs/pinflate.md).
 */
#ifndef ZS_PINFLATE_H
#define ZS_PINFLATE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* How a chunk whose start was found leaves marker mode. */
enum zs_pinflate_mode {
	ZS_PIN_NORMAL,       /* as soon as it can: the chunk before is done,
				or its own last 32 KiB hold no markers */
	ZS_PIN_MARKERS_ONLY, /* never: the whole chunk in markers (tests) */
	ZS_PIN_CLEAN_ONLY,   /* only when its last 32 KiB hold no markers
				(tests: the early hand-over, whatever the
				timing) */
};

typedef struct zs_pinflate_cfg {
	const uint8_t *in;
	size_t in_len;
	uint64_t chunk;        /* compressed bytes per chunk */
	uint64_t max_out;      /* more output than this fails the decode */
	size_t sym_cap;        /* symbols a thread buffers in marker mode */
	uint8_t *out;          /* optional: the whole output goes here */
	size_t out_cap;
	int to_fd;             /* or 1: it is written to fd at fd_base + its
				  offset (pwrite) */
	int fd;
	uint64_t fd_base;
	size_t hold_cap;       /* with either: the bytes of a chunk a thread
				  holds while the chunk's offset is unknown;
				  past it, it waits for the chunk before */
	int mode;              /* enum zs_pinflate_mode */
	volatile int *stop;    /* Ctrl-C */
} zs_pinflate_cfg;

typedef struct zs_pinflate_result {
	int ok;                /* 0: decode the stream sequentially */
	uint32_t crc;
	uint64_t size;
	uint64_t used;         /* input bytes up to the stream's end */
	/* what it cost */
	uint64_t chunks;       /* chunks whose start was found */
	uint64_t absorbed;     /* false starts, decoded by the chunk before */
	uint64_t redecoded;    /* ISA-L runs started again past a false start */
	uint64_t marker_syms;  /* symbols decoded in marker mode */
	uint64_t markers;      /* of which markers */
	uint64_t isal_bytes;   /* bytes decoded by ISA-L */
	uint64_t switch_pred;  /* chunks that left marker mode: chunk before
				  done */
	uint64_t switch_clean; /* ... their last 32 KiB marker-free */
	uint64_t cpu_max;      /* the busiest chunk's CPU time, ns */
	uint64_t cpu_sum;      /* all chunks' and searches' */
	uint64_t wait_sum;     /* of which waiting for the chunk before */
	int write_err;         /* cfg.to_fd: the first failed write's errno */
} zs_pinflate_result;

typedef struct zs_pinflate zs_pinflate;
/* One thread's buffers (ISA-L's state, the marker decoder), for any
 * number of chunks of any number of jobs; NULL (out of memory) fails the
 * job it is used for. */
typedef struct zs_pinflate_scratch zs_pinflate_scratch;

zs_pinflate *zs_pinflate_new(const zs_pinflate_cfg *c);
/* Called by every thread of the team (or by one, outside a parallel
 * region); it ends in a barrier. */
void zs_pinflate_team(zs_pinflate *j);

/* The same work as tasks of a caller's own work list, so that the chunks
 * of several entries and other work share the threads (scan.c):
 *   1. zs_pinflate_search(j, k, s) for every k below zs_pinflate_searches,
 *      in any order, on any threads;
 *   2. once all are done, zs_pinflate_chunks(j) on one thread: the number
 *      of chunks, m;
 *   3. zs_pinflate_chunk(j, x, s) for every x below m.  Chunk x may wait
 *      for chunk x - 1 to publish its window, so the tasks must be handed
 *      out in increasing x (an atomic counter over one list does it) and a
 *      thread must never wait for later work while it holds a chunk;
 *   4. zs_pinflate_end. */
zs_pinflate_scratch *zs_pinflate_scratch_new(void);
void zs_pinflate_scratch_free(zs_pinflate_scratch *s);
size_t zs_pinflate_searches(const zs_pinflate *j);
void zs_pinflate_search(zs_pinflate *j, size_t k, zs_pinflate_scratch *s);
size_t zs_pinflate_chunks(zs_pinflate *j);
/* Step 1 for n jobs (NULL ones skipped) by every thread of a team, which
 * all call it; it ends in a barrier. */
void zs_pinflate_search_all(zs_pinflate **jobs, size_t n,
			    zs_pinflate_scratch *s);
/* Step 2 for them, on one thread: every job's chunks in order, as (job,
 * chunk) pairs for step 3, into t, which has room for the sum of their
 * zs_pinflate_searches (a job has no more chunks than searches); how
 * many. */
typedef struct zs_pinflate_task {
	size_t job, chunk;
} zs_pinflate_task;
size_t zs_pinflate_list(zs_pinflate **jobs, size_t n, zs_pinflate_task *t);
/* A work list: first those chunks (step 3), then n_rest items of the
 * caller's, handed out in that order from one counter. */
typedef struct zs_pinflate_queue {
	zs_pinflate **jobs;
	zs_pinflate_task *chunks;
	size_t n_chunks, n_rest;
	_Atomic size_t next;
} zs_pinflate_queue;
/* Runs chunks until it takes an item of the caller's: its index (below
 * n_rest), or SIZE_MAX when the list is done. */
size_t zs_pinflate_next(zs_pinflate_queue *q, zs_pinflate_scratch *s);
void zs_pinflate_chunk(zs_pinflate *j, size_t x, zs_pinflate_scratch *s);
/* The result, once the team is done; frees j. */
void zs_pinflate_end(zs_pinflate *j, zs_pinflate_result *r);
/* new, team on `threads` threads, end. */
void zs_pinflate_run(const zs_pinflate_cfg *c, int threads,
		     zs_pinflate_result *r);

#endif
