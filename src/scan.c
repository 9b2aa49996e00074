/*
 * scan.c - the parallel loop: every selected entry, largest first, decoded
 * on every core.
 *
 * One OpenMP `parallel for schedule(dynamic)`; each thread owns a zs_worker
 * (decompressor and buffers, reused from entry to entry); each entry's
 * result is written by the one thread that decoded it, and the totals are
 * summed by reduction clauses: no locks or atomics in the loop.  Largest
 * first keeps one big entry from becoming the tail of the run.
 */
#include <omp.h>
#include <stdlib.h>

#include "internal.h"

/* Size classes for the largest-first order: the bit length of the size and
 * the two bits below its top bit, so sizes in one class differ by less than
 * 1.25x.  A counting sort over them is O(N) and stable, so the order (and
 * with it everything the run prints) never depends on timing. */
#define ZS_SIZE_CLASSES (65 * 4)

static unsigned size_class(uint64_t size)
{
	if (size < 4)
		return (unsigned)size;
	unsigned bits = 64u - (unsigned)__builtin_clzll(size);
	return bits * 4 + (unsigned)((size >> (bits - 3)) & 3);
}

static size_t *order_largest_first(const zs_index *ix, size_t *n_out)
{
	size_t start[ZS_SIZE_CLASSES + 1] = { 0 }, n = 0;

	for (size_t i = 0; i < ix->count; i++)
		if (ix->selected[i]) {
			start[ZS_SIZE_CLASSES - 1 -
			      size_class(ix->uncomp_size[i])]++;
			n++;
		}
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return NULL;
	for (size_t c = 0, sum = 0; c <= ZS_SIZE_CLASSES; c++) {
		size_t k = c < ZS_SIZE_CLASSES ? start[c] : 0;
		start[c] = sum;
		sum += k;
	}
	for (size_t i = 0; i < ix->count; i++)
		if (ix->selected[i])
			order[start[ZS_SIZE_CLASSES - 1 -
				    size_class(ix->uncomp_size[i])]++] = i;
	*n_out = n;
	return order;
}

static void free_workers(zs_worker **w, int n)
{
	for (int k = 0; k < n; k++)
		zs_worker_free(w[k]);
	free(w);
}

static zs_worker **make_workers(int n, uint64_t limit)
{
	zs_worker **w = calloc((size_t)n, sizeof(*w));

	for (int k = 0; w && k < n; k++)
		if (!(w[k] = zs_worker_new(limit))) {
			free_workers(w, n);
			return NULL;
		}
	return w;
}

int zs_scan_entries(zs_archive *a, const zs_options *o, zs_totals *t)
{
	zs_index *ix = &a->index;
	int nt = zs_threads_effective(o);
	double t0 = zs_now();
	size_t n = 0;

	memset(t, 0, sizeof(*t));
	t->threads = nt;
	if (!a->indexed)
		return zs_archive_status(a);
	size_t *order = order_largest_first(ix, &n);
	zs_worker **workers = order ? make_workers(nt, o->memory_limit) : NULL;
	if (!workers) {
		free(order);
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMEM, -1, 0,
			       "out of memory for %d decoding threads", nt);
		return zs_archive_status(a);
	}
	t->entries = n;
	/* possible zip bomb: decode nothing, only count the verdicts */
	int decode = !(a->overlaps && o->stop_on_overlap);

	uint64_t ok = 0, bad = 0, unsupported = 0, encrypted = 0;
	uint64_t bytes_in = 0, bytes_out = 0;
	#pragma omp parallel num_threads(nt) reduction(+ : ok, bad, \
		unsupported, encrypted, bytes_in, bytes_out)
	{
		zs_worker *w = workers[omp_get_thread_num()];
		#pragma omp for schedule(dynamic, 1)
		for (size_t k = 0; k < n; k++) {
			size_t i = order[k];
			if (decode)
				bytes_out += zs_decode_entry(w, a, i);
			switch (ix->status[i]) {
			case ZS_ENTRY_OK:
				ok++;
				bytes_in += ix->comp_size[i];
				break;
			case ZS_ENTRY_BAD:
				bad++;
				break;
			case ZS_ENTRY_UNSUPPORTED:
				unsupported++;
				break;
			case ZS_ENTRY_ENCRYPTED:
				encrypted++;
				break;
			}
		}
	}
	free_workers(workers, nt);
	free(order);
	t->ok = ok;
	t->bad = bad;
	t->unsupported = unsupported;
	t->encrypted = encrypted;
	t->bytes_in = bytes_in;
	t->bytes_out = bytes_out;
	t->seconds_scan = zs_now() - t0;
	return zs_archive_status(a);
}
