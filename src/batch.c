/* SPDX-License-Identifier: MIT */
/*
 * batch.c - several archives as one piece of work (test, list, check):
 * opened on every core, their entries decoded in one largest-first work
 * list (zs_scan_batch), their reports made on every core and written in
 * archive order.
 *
 * Memory stays bounded whatever the batch: archives are taken in windows
 * of at most ZS_BATCH_MAX_ARCHIVES archives, closed once their entries
 * reach ZS_BATCH_MAX_ENTRIES; a window is opened, tested, reported and
 * closed before the next one is opened.  Reports of archives up to
 * ZS_BATCH_RENDER_MAX entries are made in memory on every core; bigger
 * ones are written straight to the output in their turn.  Everything
 * written comes in archive order and from the per-entry results only, so
 * it is the same for every thread count and the same as running the
 * archives one by one.
 */
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* Reports up to this many entries are made in memory, in parallel. */
#define ZS_BATCH_RENDER_MAX 65536

/* Fewer archives are opened on this thread: waking the others costs
 * more. */
#define ZS_BATCH_OPEN_PARALLEL 4

typedef struct rendered {
	char *out, *err;
	size_t out_len, err_len;
	int status;
	int done;    /* rendered: out and err are to be copied */
} rendered;

static int is_stdin(const char *path)
{
	return path[0] == '-' && path[1] == '\0';
}

static void open_one(const char *path, const zs_batch *b,
		     const zs_options *o, zs_map_pool *pool, zs_archive **slot)
{
	zs_archive *a = zs_open_pooled(path, o, pool, NULL);

	if (a && a->indexed && (b->n_include || b->n_exclude))
		zs_select(a, b->include, b->n_include, b->exclude,
			  b->n_exclude);
	*slot = a;
}

/* Open the next window, from paths[0], on nt threads: each thread claims
 * the next path in order until the window holds max_archives archives or
 * max_entries entries, so the opened ones are always a prefix (past the
 * entry limit by at most the archives being opened when it was reached,
 * one a thread).  Standard input ("-") is opened by the thread that
 * claims it, in its turn; only the first "-" gets data, as one by one.
 * Returns how many the window holds. */
static size_t open_window(char *const *paths, size_t n, const zs_batch *b,
			  const zs_options *o, int nt, zs_map_pool *pool,
			  zs_archive **ap)
{
	size_t max_a = b->max_archives ? b->max_archives :
		       ZS_BATCH_MAX_ARCHIVES;
	size_t max_e = b->max_entries ? b->max_entries : ZS_BATCH_MAX_ENTRIES;
	size_t stdin_seen = 0;
	_Atomic size_t next = 0, entries = 0;

	if (n > max_a)
		n = max_a;
	for (size_t k = 0; k < n; k++)
		stdin_seen += is_stdin(paths[k]);
	/* several "-": one by one, so that the first reads the data */
	#pragma omp parallel num_threads(stdin_seen > 1 ? 1 : nt) \
		if (n >= ZS_BATCH_OPEN_PARALLEL)
	for (;;) {
		if (atomic_load(&entries) >= max_e ||
		    (pool && zs_map_pool_taken(pool) >= zs_map_pool_window(pool)))
			break;
		size_t k = atomic_fetch_add(&next, 1);
		if (k >= n)
			break;
		open_one(paths[k], b, o, pool, &ap[k]);
		if (ap[k])
			atomic_fetch_add(&entries, ap[k]->index.count);
	}
	size_t got = atomic_load(&next);
	return got < n ? got : n;
}

static int report_nomem(const char *path, FILE *err)
{
	fprintf(err, "zipscan: %s: out of memory\n", path);
	return ZS_EXIT_NOMEM;
}

/* A report in memory: a buffer that grows behind a FILE and stays NULL
 * until something is written, as most reports of a quiet batch are never
 * written to (open_memstream starts each with 8 KiB zeroed: 16 MB of fresh
 * pages for 1,000 archives' two streams). */
typedef struct membuf {
	char **p;
	size_t *len, cap;
} membuf;

static ssize_t membuf_write(void *cookie, const char *buf, size_t n)
{
	membuf *m = cookie;

	if (n > m->cap - *m->len) {
		size_t cap = m->cap ? m->cap : 1024;
		while (cap - *m->len < n && cap <= SIZE_MAX / 2)
			cap *= 2;
		char *np = cap - *m->len >= n ? realloc(*m->p, cap) : NULL;
		if (!np)
			return -1;   /* the FILE's error: made again, straight */
		*m->p = np;
		m->cap = cap;
	}
	memcpy(*m->p + *m->len, buf, n);
	*m->len += n;
	return (ssize_t)n;
}

static FILE *membuf_open(membuf *m, char **p, size_t *len)
{
	cookie_io_functions_t io = { .write = membuf_write };

	*m = (membuf){ p, len, 0 };
	*p = NULL;
	*len = 0;
	return fopencookie(m, "w", io);
}

/* Archive k's report into memory (small archives of a batch of several). */
static void render(const zs_batch *b, char *const *paths, zs_archive *a,
		   const zs_totals *t, rendered *r)
{
	if (a && a->index.count > ZS_BATCH_RENDER_MAX)
		return;   /* written straight to the output in its turn */
	membuf mo, me;
	FILE *out = membuf_open(&mo, &r->out, &r->out_len);
	FILE *err = out ? membuf_open(&me, &r->err, &r->err_len) : NULL;
	if (err)
		r->status = a ? b->report(b->ctx, a, t, out, err) :
			    report_nomem(*paths, err);
	int bad = !err || ferror(out) || ferror(err);
	if (err && fclose(err) != 0)
		bad = 1;
	if (out && fclose(out) != 0)
		bad = 1;
	if (bad) {       /* out of memory: made again, straight */
		free(r->out), free(r->err);
		*r = (rendered){ 0 };
		return;
	}
	r->done = 1;
}

/* Write archive k's report (made in r, or now) to out and err. */
static int put_report(const zs_batch *b, const char *path, zs_archive *a,
		      const zs_totals *t, rendered *r, FILE *out, FILE *err)
{
	if (!r->done)
		return a ? b->report(b->ctx, a, t, out, err) :
			   report_nomem(path, err);
	if (r->err_len)
		fwrite(r->err, 1, r->err_len, err);
	if (r->out_len && fwrite(r->out, 1, r->out_len, out) != r->out_len)
		return ZS_EXIT_WRITE;
	return r->status;
}

/* Decode the window's opened archives in one work list; t[k] gets
 * archive k's totals (zero for one zs_open could not make). */
static void test_window(zs_archive **ap, size_t na, const zs_options *o,
			zs_totals *t, zs_workers *keep)
{
	zs_archive **live = malloc(na * sizeof(*live));
	zs_totals *lt = calloc(na, sizeof(*lt));
	size_t n = 0;

	if (!live || !lt) {
		for (size_t k = 0; k < na; k++)
			if (ap[k])
				zs_finding_add(ap[k], ZS_ERROR, ZS_EXIT_NOMEM,
					       -1, 0, "out of memory for a "
					       "batch");
		free(live), free(lt);
		return;
	}
	for (size_t k = 0; k < na; k++)
		if (ap[k])
			live[n++] = ap[k];
	zs_progress_phase(o->progress, "testing");
	zs_progress_set_work(o->progress, live, n);
	zs_scan_batch_kept(live, n, o, lt, keep);
	for (size_t k = 0, j = 0; k < na; k++)
		if (ap[k])
			t[k] = lt[j++];
	free(live), free(lt);
}

/* Report the window's archives: small ones made in memory on every core
 * (when there are several), then all written in order. */
static int report_window(const zs_batch *b, char *const *paths, size_t na,
			 zs_archive **ap, const zs_totals *t, int nt,
			 FILE *out, FILE *err, int *refused)
{
	rendered *r = calloc(na, sizeof(*r));
	int status = ZS_EXIT_OK;

	#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) \
		if (na >= 4)
	for (size_t k = 0; k < na; k++)
		if (r && na > 1)
			render(b, paths + k, ap[k], &t[k], &r[k]);
	rendered none = { 0 };
	int taking = b->take != NULL;
	for (size_t k = 0; k < na; k++) {
		rendered *rk = r ? &r[k] : &none;
		status = zs_exit_worse(status, put_report(b, paths[k], ap[k],
						&t[k], rk, out, err));
		if (ferror(out)) {   /* nothing more can be written */
			status = zs_exit_worse(status, ZS_EXIT_WRITE);
			break;
		}
		if (taking && ap[k]) {
			taking = b->take(b->ctx, ap[k]) == 0;
			ap[k] = NULL;   /* take()'s now, even when it failed */
			if (!taking) {
				status = zs_exit_worse(status, ZS_EXIT_WRITE);
				*refused = 1;
			}
		}
	}
	for (size_t k = 0; r && k < na; k++)
		free(r[k].out), free(r[k].err);
	free(r);
	return status;
}

static int stopped(const zs_options *o)
{
	return o->stop && *o->stop;
}

int zs_batch_run(char *const *paths, size_t n, const zs_batch *b,
		 const zs_options *o, FILE *out, FILE *err)
{
	int nt = zs_threads_effective(o);
	size_t max_a = b->max_archives ? b->max_archives :
		       ZS_BATCH_MAX_ARCHIVES;
	size_t cap = n < max_a ? n : max_a;
	zs_archive **ap = calloc(cap ? cap : 1, sizeof(*ap));
	zs_totals *t = calloc(cap ? cap : 1, sizeof(*t));
	int status = ZS_EXIT_OK;

	if (!ap || !t) {
		free(ap), free(t);
		fputs("zipscan: out of memory for a batch\n", err);
		return ZS_EXIT_NOMEM;
	}
	int refused = 0;   /* take() failed: no further window */
	/* archives given away may outlive the window: mapped */
	zs_map_pool *pool = b->take ? NULL : zs_map_pool_new();
	zs_workers *keep = b->decode ? zs_workers_new() : NULL;

	for (size_t done = 0; done < n && !stopped(o) && !ferror(out) &&
	     !refused;) {
		zs_options oo = *o;
		oo.progress = b->tty ? zs_progress_new(nt, b->tty) : NULL;
		size_t na = open_window(paths + done, n - done, b, &oo, nt,
					pool, ap);
		memset(t, 0, na * sizeof(*t));
		if (b->decode)
			test_window(ap, na, &oo, t, keep);
		zs_progress_stop(oo.progress);
		if (!stopped(o))
			status = zs_exit_worse(status, report_window(b,
					paths + done, na, ap, t, nt, out, err,
					&refused));
		/* on this thread: munmap on several threads at once costs
		 * each a TLB shootdown of the others (closing 1,000 small
		 * mapped archives: 0.058 s on 2 threads, 0.025 s on one) */
		for (size_t k = 0; k < na; k++)
			zs_close(ap[k]);
		if (pool)
			zs_map_pool_reset(pool);
		done += na;
	}
	zs_map_pool_free(pool);
	zs_workers_free(keep);
	free(ap), free(t);
	return stopped(o) ? ZS_EXIT_INTERRUPT : status;
}
