/*
 * progress.c - the progress line on a terminal: entries and bytes done of
 * the total, MB/s and ETA, redrawn at most 10 times a second by a thread of
 * its own.  Decoding threads only add to their own cache-line-sized slot
 * (relaxed atomics: no lock, no shared cache line); this thread sums them.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"

#define ZS_PROGRESS_INTERVAL_NS 100000000L   /* 10 redraws a second */

typedef struct slot {
	_Atomic uint64_t entries, in, out;
	char pad[64 - 3 * sizeof(uint64_t)];
} slot;

struct zs_progress {
	FILE *tty;
	pthread_t thread;
	_Atomic int done;
	int threads;
	uint64_t total_entries, total_in;
	double start;
	slot *slots;
};

void zs_progress_add(zs_progress *p, int me, uint64_t in, uint64_t out)
{
	if (!p)
		return;
	slot *s = &p->slots[me];
	atomic_store_explicit(&s->entries, atomic_load_explicit(&s->entries,
			      memory_order_relaxed) + 1, memory_order_relaxed);
	atomic_store_explicit(&s->in, atomic_load_explicit(&s->in,
			      memory_order_relaxed) + in, memory_order_relaxed);
	atomic_store_explicit(&s->out, atomic_load_explicit(&s->out,
			      memory_order_relaxed) + out, memory_order_relaxed);
}

static void draw(zs_progress *p)
{
	uint64_t e = 0, in = 0, out = 0;
	for (int k = 0; k < p->threads; k++) {
		e += atomic_load_explicit(&p->slots[k].entries,
					  memory_order_relaxed);
		in += atomic_load_explicit(&p->slots[k].in,
					   memory_order_relaxed);
		out += atomic_load_explicit(&p->slots[k].out,
					    memory_order_relaxed);
	}
	double secs = zs_now() - p->start;
	double rate = secs > 0 ? (double)in / secs : 0;
	double eta = rate > 0 && p->total_in > in ?
		     (double)(p->total_in - in) / rate : 0;
	fprintf(p->tty, "\r\033[K%llu/%llu entries, %.0f/%.0f MB read, "
		"%.0f MB out, %.0f MB/s, ETA %.0f s", (unsigned long long)e,
		(unsigned long long)p->total_entries, (double)in / 1e6,
		(double)p->total_in / 1e6, (double)out / 1e6, rate / 1e6, eta);
	fflush(p->tty);
}

static void *progress_main(void *arg)
{
	zs_progress *p = arg;
	struct timespec ts = { 0, ZS_PROGRESS_INTERVAL_NS };

	while (!atomic_load(&p->done)) {
		nanosleep(&ts, NULL);
		if (!atomic_load(&p->done))
			draw(p);
	}
	return NULL;
}

zs_progress *zs_progress_start(zs_archive **as, size_t n, int threads,
			       FILE *tty)
{
	zs_progress *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->slots = aligned_alloc(64, (size_t)threads * sizeof(slot));
	if (!p->slots) {
		free(p);
		return NULL;
	}
	memset(p->slots, 0, (size_t)threads * sizeof(slot));
	p->tty = tty;
	p->threads = threads;
	p->start = zs_now();
	for (size_t k = 0; k < n; k++) {
		p->total_entries += as[k]->n_selected;
		for (size_t i = 0; i < as[k]->index.count; i++)
			if (as[k]->index.selected[i])
				p->total_in += as[k]->index.comp_size[i];
	}
	if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
		free(p->slots);
		free(p);
		return NULL;
	}
	return p;
}

void zs_progress_stop(zs_progress *p)
{
	if (!p)
		return;
	atomic_store(&p->done, 1);
	pthread_join(p->thread, NULL);
	fputs("\r\033[K", p->tty);
	fflush(p->tty);
	free(p->slots);
	free(p);
}
