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
	int in_order;          /* with either: every byte in order, once
				  (into cfg.out from its start, or write()
				  to fd, which need not seek: a pipe); a
				  chunk's bytes go out once the chunk before
				  has written all of its own */
	size_t hold_cap;       /* with either: the bytes of a chunk a thread
				  holds while its bytes cannot go out yet;
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
	uint64_t written;      /* cfg.in_order: the bytes out, from the
				  start, whatever the verdict; each the
				  byte ISA-L's sequential decode makes
				  there (fuzz_pinflate.c) */
} zs_pinflate_result;

typedef struct zs_pinflate zs_pinflate;
/* One thread's buffers (ISA-L's state, the marker decoder), for any
 * number of chunks of any number of jobs; NULL (out of memory) fails the
 * job it is used for. */
typedef struct zs_pinflate_scratch zs_pinflate_scratch;

zs_pinflate *zs_pinflate_new(const zs_pinflate_cfg *c);

/* The work of any number of jobs as one list, which a caller's own items
 * follow (scan.c, extract.c), so that the chunks of several entries and
 * other work share the threads.  Each job's block searches run first (any
 * order, any thread), then its chunks, handed out in increasing order from
 * one counter: chunk x may wait for chunk x - 1 to publish its window, and
 * whoever waits knows a running thread holds it, down to chunk 0, which
 * waits for nothing. */
typedef struct zs_pinflate_task {
	size_t job, chunk;
} zs_pinflate_task;
typedef struct zs_pinflate_queue {
	zs_pinflate **jobs;        /* NULL ones are skipped */
	size_t n_jobs;
	zs_pinflate_task *chunks;  /* every job's, in order */
	size_t n_chunks, n_rest;   /* n_rest: the caller's items */
	_Atomic size_t next;
} zs_pinflate_queue;
/* 0, or -1 if out of memory. */
int zs_pinflate_queue_init(zs_pinflate_queue *q, zs_pinflate **jobs,
			   size_t n_jobs, size_t n_rest);
void zs_pinflate_queue_free(zs_pinflate_queue *q);
/* Called by every thread of a team: the searches, then the list; it ends
 * in a barrier.  Returns this thread's buffers for zs_pinflate_next (NULL
 * without jobs, or out of memory, which fails the jobs it is used for;
 * zs_pinflate_scratch_free them). */
zs_pinflate_scratch *zs_pinflate_queue_start(zs_pinflate_queue *q);
/* Runs chunks until it takes an item of the caller's: its index (below
 * n_rest), or SIZE_MAX when the list is done. */
size_t zs_pinflate_next(zs_pinflate_queue *q, zs_pinflate_scratch *s);
void zs_pinflate_scratch_free(zs_pinflate_scratch *s);
/* One job's list alone, on a team of `threads` of its own. */
void zs_pinflate_team(zs_pinflate *j, int threads);
/* The result, once its work is done; frees j (NULL: r->ok 0). */
void zs_pinflate_end(zs_pinflate *j, zs_pinflate_result *r);
/* new, team on `threads` threads, end. */
void zs_pinflate_run(const zs_pinflate_cfg *c, int threads,
		     zs_pinflate_result *r);

#endif
