/* SPDX-License-Identifier: MIT */
/*
 * scan.c - the parallel loop: every selected entry of every archive in the
 * batch, largest first, decoded on every core.
 *
 * The entries of all the archives form one work list, so a thousand small
 * archives keep every core as busy as one big one.  One OpenMP
 * `parallel for schedule(dynamic)`; each thread owns a zs_worker
 * (decompressor and buffers, reused from entry to entry); each entry's
 * result is written by the one thread that decoded it, and the per-archive
 * totals are summed by an array reduction: no locks in the loop.  The only
 * shared writes are each thread's own progress counters (relaxed atomics,
 * read by the progress thread) and, per archive, one atomic count of the
 * entries left, so the last thread to finish an archive can release its
 * entry data.  A huge Deflate entry is cut into chunks (pinflate.h): their
 * block searches run first, then the chunks head the work list (such an
 * entry outweighs a thread's share of the rest), so while one chunk waits
 * for the window of the chunk before, or once an entry has fewer chunks
 * than there are threads, the other threads go on with the rest.
 */
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "huge.h"
#include "internal.h"
#include "pinflate_entry.h"
#include "sozip.h"

/* Size classes for the largest-first order: the bit length of the size and
 * the two bits below its top bit, so sizes in one class differ by less than
 * 1.25x.  A counting sort over them is O(N) and stable, so the order (and
 * with it everything the run prints) never depends on timing. */
#define ZS_SIZE_CLASSES (65 * 4)

/* The per-archive counters summed by the reduction. */
enum { T_OK, T_BAD, T_UNSUPPORTED, T_ENCRYPTED, T_IN, T_OUT, T_FIELDS };

typedef zs_work work;

static unsigned size_class(uint64_t size)
{
	if (size < 4)
		return (unsigned)size;
	unsigned bits = 64u - (unsigned)__builtin_clzll(size);
	return bits * 4 + (unsigned)((size >> (bits - 3)) & 3);
}

static unsigned class_desc(uint64_t size)
{
	return ZS_SIZE_CLASSES - 1 - size_class(size);
}

work *zs_order_largest_first(zs_archive **as, size_t na, size_t *n_out)
{
	size_t start[ZS_SIZE_CLASSES + 1] = { 0 }, n = 0;

	for (size_t k = 0; k < na; k++) {
		const zs_index *ix = &as[k]->index;
		n += as[k]->n_selected;
		for (size_t i = 0; i < ix->count; i++)
			if (ix->selected[i])
				start[class_desc(ix->uncomp_size[i])]++;
	}
	work *order = zs_big_alloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return NULL;
	for (size_t c = 0, sum = 0; c <= ZS_SIZE_CLASSES; c++) {
		size_t count = c < ZS_SIZE_CLASSES ? start[c] : 0;
		start[c] = sum;
		sum += count;
	}
	for (size_t k = 0; k < na; k++) {
		const zs_index *ix = &as[k]->index;
		for (size_t i = 0; i < ix->count; i++)
			if (ix->selected[i])
				order[start[class_desc(ix->uncomp_size[i])]++] =
					(work){ (uint32_t)k, i };
	}
	*n_out = n;
	return order;
}

void zs_order_free(zs_work *order, size_t n)
{
	zs_big_free(order, (n ? n : 1) * sizeof(*order));
}

static void free_workers(zs_worker **w, int n)
{
	for (int k = 0; k < n; k++)
		zs_worker_free(w[k]);
	free(w);
}

static zs_worker **make_workers(int n, const zs_options *o)
{
	zs_worker **w = calloc((size_t)n, sizeof(*w));

	for (int k = 0; w && k < n; k++)
		if (!(w[k] = zs_worker_new(o->memory_limit, o->hash))) {
			free_workers(w, n);
			return NULL;
		}
	return w;
}

struct zs_workers {
	zs_worker **w;
	int n;
	uint64_t memory_limit;
	int hash;
};

zs_workers *zs_workers_new(void)
{
	return calloc(1, sizeof(zs_workers));
}

void zs_workers_free(zs_workers *ws)
{
	if (ws && ws->w)
		free_workers(ws->w, ws->n);
	free(ws);
}

/* The kept workers, made anew when o asks for others. */
static zs_worker **take_workers(zs_workers *ws, int n, const zs_options *o)
{
	if (ws->w && ws->n == n && ws->memory_limit == o->memory_limit &&
	    ws->hash == o->hash)
		return ws->w;
	if (ws->w)
		free_workers(ws->w, ws->n);
	ws->w = make_workers(n, o);
	ws->n = n;
	ws->memory_limit = o->memory_limit;
	ws->hash = o->hash;
	return ws->w;
}

/* The archive's entries are all done: its data pages may go (the names,
 * in the central directory, stay for the report). */
static void archive_done(zs_archive *a)
{
	zs_map_advise(a, 0, a->layout.cd_offset, MADV_DONTNEED);
}

/* Entries left per archive, for archive_done. */
static _Atomic size_t *count_left(zs_archive **as, size_t na)
{
	_Atomic size_t *left = calloc(na ? na : 1, sizeof(*left));

	for (size_t k = 0; left && k < na; k++)
		atomic_init(&left[k], as[k]->n_selected);
	return left;
}

static void store_totals(zs_archive **as, size_t na, const uint64_t *sum,
			 zs_totals *t, int nt, double seconds)
{
	for (size_t k = 0; k < na; k++) {
		const uint64_t *s = sum + k * T_FIELDS;
		zs_totals *x = &t[k];
		x->entries = as[k]->n_selected;
		x->ok = s[T_OK];
		x->bad = s[T_BAD];
		x->unsupported = s[T_UNSUPPORTED];
		x->encrypted = s[T_ENCRYPTED];
		x->bytes_in = s[T_IN];
		x->bytes_out = s[T_OUT];
		x->threads = nt;
		x->seconds_scan = seconds;
	}
}

/* One entry's result into the thread's sums, progress and the archive's
 * count of entries left. */
static void count_entry(zs_archive *a, size_t i, uint64_t out, uint64_t *s,
			const zs_options *o, int me, _Atomic size_t *left)
{
	s[T_OUT] += out;
	switch (a->index.status[i]) {
	case ZS_ENTRY_OK:
		s[T_OK]++;
		s[T_IN] += a->index.comp_size[i];
		break;
	case ZS_ENTRY_BAD: s[T_BAD]++; break;
	case ZS_ENTRY_UNSUPPORTED: s[T_UNSUPPORTED]++; break;
	case ZS_ENTRY_ENCRYPTED: s[T_ENCRYPTED]++; break;
	}
	zs_progress_add(o->progress, me, a->index.comp_size[i], out);
	if (atomic_fetch_sub_explicit(left, 1, memory_order_acq_rel) == 1)
		archive_done(a);
}

/* Compressed size of work item w. */
static uint64_t work_comp(zs_archive **as, const work *w)
{
	return as[w->archive]->index.comp_size[w->entry];
}

typedef struct by_comp {
	zs_archive **as;
	const work *order;
} by_comp;

/* Positions in order, the bigger entry first (ties: the earlier). */
static int cmp_comp_desc(const void *x, const void *y, void *ctx)
{
	const by_comp *b = ctx;
	size_t p = *(const size_t *)x, q = *(const size_t *)y;
	uint64_t cp = work_comp(b->as, &b->order[p]);
	uint64_t cq = work_comp(b->as, &b->order[q]);
	return cp != cq ? (cp < cq ? 1 : -1) : (p > q) - (p < q);
}

/* The entries split into chunks, biggest first, in pos: each
 * one wanted (zs_pinflate_wanted) and still dominant over what is left
 * to decode once the bigger ones are done (zs_pinflate_dominant). */
static size_t find_splits(zs_archive **as, const zs_options *o,
			  const work *order, size_t n, const uint8_t *decode,
			  int nt, size_t *pos)
{
	uint64_t rest = 0;
	size_t nw = 0, ns = 0;
	for (size_t k = 0; k < n; k++) {
		zs_archive *a = as[order[k].archive];
		if (!decode[order[k].archive])
			continue;
		rest += work_comp(as, &order[k]);
		/* not a seek-optimized entry its chunks already settled */
		if (zs_pinflate_wanted(a, order[k].entry, o, nt) &&
		    !zs_sozip_settled(a, order[k].entry))
			pos[nw++] = k;
	}
	by_comp b = { as, order };
	qsort_r(pos, nw, sizeof(*pos), cmp_comp_desc, &b);
	for (size_t h = 0; h < nw; h++) {   /* ns <= h: pos in place */
		uint64_t c = work_comp(as, &order[pos[h]]);
		if (!zs_pinflate_dominant(c, rest, nt))
			break;
		pos[ns++] = pos[h];
		rest -= c;
	}
	return ns;
}

/* The split entries' jobs (NULL where out of memory: decoded whole at the
 * end). */
static void make_jobs(zs_archive **as, const zs_options *o,
		      const work *order, const size_t *pos, size_t ns, int nt,
		      zs_pinflate **jobs)
{
	for (size_t h = 0; h < ns; h++) {
		const work *q = &order[pos[h]];
		jobs[h] = zs_pinflate_entry_job(as[q->archive], q->entry, o, nt,
						 -1, 0);
	}
}

typedef struct loop {
	zs_archive **as;
	const zs_options *o;
	const work *order;
	const uint8_t *decode;
	const uint8_t *split;     /* order[k] is split: not decoded whole */
	const size_t *pos;        /* q.jobs[h] is order[pos[h]] */
	zs_pinflate_queue q;      /* the split entries' chunks, then order */
	_Atomic size_t *left;
} loop;

/* This thread's share of the list: the split entries' chunks first (each
 * split entry outweighs a thread's share of the rest, so they are the
 * biggest work), then the other entries largest first. */
static void run_tasks(loop *l, zs_worker *w, zs_pinflate_scratch *s,
		      uint64_t *sum, int me)
{
	size_t k;
	while ((k = zs_pinflate_next(&l->q, s)) != SIZE_MAX) {
		const work *e = &l->order[k];
		zs_archive *a = l->as[e->archive];
		if (l->split[k] || (l->o->stop && *l->o->stop))
			continue;  /* interrupted: leave untested */
		uint64_t out = 0;
		if (l->decode[e->archive] && !(out = zs_sozip_settled(a, e->entry)))
			out = zs_decode_entry(w, a, e->entry);
		count_entry(a, e->entry, out, sum + e->archive * T_FIELDS,
			    l->o, me, &l->left[e->archive]);
	}
}

/* The split entries' verdicts, once all their chunks are done. */
static void settle_splits(loop *l, zs_worker *w, uint64_t *sum, int me)
{
	#pragma omp for schedule(dynamic, 1)
	for (size_t h = 0; h < l->q.n_jobs; h++) {
		const work *e = &l->order[l->pos[h]];
		zs_archive *a = l->as[e->archive];
		uint64_t out = zs_pinflate_entry_settle(w, a, e->entry,
							l->q.jobs[h]);
		l->q.jobs[h] = NULL;
		count_entry(a, e->entry, out, sum + e->archive * T_FIELDS,
			    l->o, me, &l->left[e->archive]);
	}
}

static int decode_all(zs_archive **as, size_t na, const zs_options *o,
		      const work *order, size_t n, zs_worker **workers,
		      _Atomic size_t *left, uint64_t *sum, int nt)
{
	/* a possible zip bomb is not decoded, only counted */
	uint8_t *decode = malloc(na ? na : 1);
	uint8_t *split = calloc(n ? n : 1, 1);
	size_t *pos = malloc((n ? n : 1) * sizeof(*pos));
	zs_pinflate **jobs = NULL;
	loop l = { as, o, order, decode, split, pos, { 0 }, left };
	int ret = -1;
	if (!decode || !split || !pos)
		goto out;
	for (size_t k = 0; k < na; k++)
		decode[k] = (uint8_t)zs_decode_permitted(as[k], o);
	/* seek-optimized entries first, each on every thread by its chunks;
	 * the loop below skips those they settled */
	for (size_t k = 0; k < na; k++)
		if (decode[k])
			zs_sozip_scan(as[k], nt, o);
	size_t m = na * T_FIELDS;
	uint64_t bytes = 0;
	for (size_t k = 0; k < n; k++)
		if (decode[order[k].archive])
			bytes += as[order[k].archive]->index.comp_size[order[k].entry];
	size_t ns = find_splits(as, o, order, n, decode, nt, pos);
	for (size_t h = 0; h < ns; h++)
		split[pos[h]] = 1;
	if (!(jobs = calloc(ns + 1, sizeof(*jobs))))
		goto out;
	make_jobs(as, o, order, pos, ns, nt, jobs);
	if (zs_pinflate_queue_init(&l.q, jobs, ns, n) != 0) {
		zs_pinflate_result r;
		for (size_t h = 0; h < ns; h++)
			zs_pinflate_end(jobs[h], &r);   /* frees */
		goto out;
	}

	#pragma omp parallel num_threads(nt) reduction(+ : sum[:m]) \
		if (zs_worth_parallel(n, bytes) || ns)
	{
		int me = omp_get_thread_num();
		zs_pinflate_scratch *s = zs_pinflate_queue_start(&l.q);
		/* sum: this thread's copy, for the reduction */
		run_tasks(&l, workers[me], s, sum, me);
		#pragma omp barrier
		settle_splits(&l, workers[me], sum, me);
		zs_pinflate_scratch_free(s);
	}
	ret = 0;
out:
	zs_pinflate_queue_free(&l.q);
	free(decode);
	free(split);
	free(pos);
	free(jobs);
	return ret;
}

int zs_scan_batch_kept(zs_archive **as, size_t na, const zs_options *o,
		       zs_totals *t, zs_workers *keep)
{
	int nt = zs_threads_effective(o);
	double t0 = zs_now();
	size_t n = 0;
	int status = ZS_EXIT_OK;

	memset(t, 0, na * sizeof(*t));
	for (size_t k = 0; k < na; k++)
		as[k]->stop = o->stop;   /* the decoders ask it inside entries */
	for (size_t k = 0; o->hash && k < na; k++)
		if (!as[k]->index.xxh128 && as[k]->index.count &&
		    !(as[k]->index.xxh128 = calloc(2 * as[k]->index.count, 8)))
			zs_finding_add(as[k], ZS_ERROR, ZS_EXIT_NOMEM, -1, 0,
				       "out of memory for content hashes");
	zs_progress_phase(o->progress, "testing");
	work *order = zs_order_largest_first(as, na, &n);
	zs_worker **workers = !order ? NULL : keep ? take_workers(keep, nt, o) :
			      make_workers(nt, o);
	_Atomic size_t *left = workers ? count_left(as, na) : NULL;
	uint64_t *sum = left ? calloc(na * T_FIELDS + 1, sizeof(*sum)) : NULL;

	if (!sum || decode_all(as, na, o, order, n, workers, left, sum,
			       nt) != 0) {
		for (size_t k = 0; k < na; k++)
			zs_finding_add(as[k], ZS_ERROR, ZS_EXIT_NOMEM, -1, 0,
				       "out of memory for %d decoding threads",
				       nt);
	} else {
		store_totals(as, na, sum, t, nt, zs_now() - t0);
	}
	for (size_t k = 0; k < na; k++) {
		zs_trailing_findings(as[k]);
		zs_sozip_scan_findings(as[k]);
		zs_map_check_changed(as[k]);
		if (zs_stopping(as[k]) && as[k]->indexed)
			zs_interrupted(as[k]);   /* entries left untested */
		status = zs_exit_worse(status, zs_archive_status(as[k]));
	}
	free(sum);
	free((void *)left);
	if (workers && !keep)
		free_workers(workers, nt);
	zs_order_free(order, n);
	return status;
}

int zs_scan_batch(zs_archive **as, size_t na, const zs_options *o,
		  zs_totals *t)
{
	return zs_scan_batch_kept(as, na, o, t, NULL);
}

int zs_scan_entries(zs_archive *a, const zs_options *o, zs_totals *t)
{
	return zs_scan_batch(&a, 1, o, t);
}
