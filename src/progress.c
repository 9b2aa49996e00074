/* SPDX-License-Identifier: MIT */
/*
 * progress.c - the progress display on a terminal.  Until the work is
 * known it shows the phase ("opening", "indexing"...) and the seconds
 * spent; then one line fitted to the terminal: phase, a bar, the percent
 * of compressed bytes done, bytes and entries done of the total, rate and
 * ETA, dropping the least useful fields when the terminal is narrow.  The
 * line stops short of the last column so that it never wraps.
 *
 * A thread of its own redraws it at most 10 times a second.  Decoding
 * threads only add to their own cache-line-sized slot (relaxed atomics: no
 * lock, no shared cache line); this thread sums them.  A phase is one
 * pointer store.  The lock guards the totals, taken by this thread and by
 * zs_progress_set_work, never in a decode loop.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>

#include "internal.h"

#define ZS_PROGRESS_INTERVAL_NS 100000000L   /* 10 redraws a second */
#define ZS_BAR_MIN 10        /* columns of "[########]" at the least */
#define ZS_BAR_MAX 52        /* ... and at the most */
#define ZS_LINE_MAX 512      /* wider terminals get a line this long */

typedef struct slot {
	_Atomic uint64_t entries, in;
	char pad[64 - 2 * sizeof(uint64_t)];
} slot;

struct zs_progress {
	FILE *tty;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int done, redraw;          /* under lock */
	int have_work;             /* under lock, as the three below */
	uint64_t total_entries, total_in;
	double work_start;
	double start;
	_Atomic(const char *) phase;
	int threads, env_columns;
	slot *slots;
};

void zs_progress_add(zs_progress *p, int me, uint64_t in, uint64_t out)
{
	(void)out;   /* the bar counts compressed bytes */
	if (!p)
		return;
	slot *s = &p->slots[me];
	atomic_store_explicit(&s->entries, atomic_load_explicit(&s->entries,
			      memory_order_relaxed) + 1, memory_order_relaxed);
	atomic_store_explicit(&s->in, atomic_load_explicit(&s->in,
			      memory_order_relaxed) + in, memory_order_relaxed);
}

void zs_progress_phase(zs_progress *p, const char *label)
{
	if (p)
		atomic_store_explicit(&p->phase, label, memory_order_relaxed);
}

/* Asked at every redraw, so that a resized terminal is followed. */
static int columns(const zs_progress *p)
{
	struct winsize ws;
	if (ioctl(fileno(p->tty), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return p->env_columns;
}

/* The fields of the bar line, in the order shown. */
enum { F_LABEL, F_BAR, F_PCT, F_BYTES, F_ENTRIES, F_RATE, F_ETA, F_N };
/* Left out first to last while the line is too wide; the percent stays. */
static const int drop_order[] = { F_RATE, F_BYTES, F_ETA, F_LABEL, F_BAR,
				  F_ENTRIES };

typedef struct field {
	char text[64];
	int len, keep;
} field;

/* Columns the kept fields take with a bar `bar` wide, spaces between. */
static int line_width(const field *f, int bar)
{
	int w = -1;
	for (int k = 0; k < F_N; k++)
		if (f[k].keep)
			w += 1 + (k == F_BAR ? bar : f[k].len);
	return w < 0 ? 0 : w;
}

static void put_field(field *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put_field(field *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	f->len = n < 0 ? 0 : n >= (int)sizeof(f->text) ?
		 (int)sizeof(f->text) - 1 : n;
	f->keep = f->len > 0;
}

/* "45s", "3m05s", "2h03m": from the fraction done in `secs` seconds */
static void put_eta(field *f, double frac, double secs)
{
	char t[32] = "--";
	double s = frac > 0 && secs > 0.2 ? secs * (1 - frac) / frac : -1;
	unsigned long n = s > 359999 ? 359999 : (unsigned long)(s + 0.5);
	if (s < 0)
		;
	else if (n < 60)
		snprintf(t, sizeof(t), "%lus", n);
	else if (n < 3600)
		snprintf(t, sizeof(t), "%lum%02lus", n / 60, n % 60);
	else
		snprintf(t, sizeof(t), "%luh%02lum", n / 3600, n / 60 % 60);
	put_field(f, "ETA %-6s", t);
}

static void fill_fields(field *f, const char *label, double frac, uint64_t e,
			uint64_t te, uint64_t in, uint64_t ti, double secs)
{
	double rate = secs > 0.2 ? (double)in / secs : 0;
	char done[ZS_HUMAN_SIZE], all[ZS_HUMAN_SIZE], r[ZS_HUMAN_SIZE];

	put_field(&f[F_LABEL], "%s", label ? label : "");
	f[F_BAR].keep = 1;
	put_field(&f[F_PCT], "%3d%%", (int)(frac * 100));
	zs_human_size(in, done);
	zs_human_size(ti, all);
	/* fields keep their width as the numbers grow: the bar stays put */
	put_field(&f[F_BYTES], "%8s/%s", done, all);
	int digits = snprintf(NULL, 0, "%llu", (unsigned long long)te);
	put_field(&f[F_ENTRIES], "%*llu/%llu entries", digits,
		  (unsigned long long)e, (unsigned long long)te);
	zs_human_size((uint64_t)rate, r);
	put_field(&f[F_RATE], "%8s/s", r);
	put_eta(&f[F_ETA], frac, secs);
	if (!ti)   /* only empty entries: bytes say nothing */
		f[F_BYTES].keep = f[F_RATE].keep = 0;
}

/* Leave out fields until the line fits in `room` columns; then the bar
 * takes what is left, within its bounds.  Writes the line to out. */
static void fit_line(field *f, double frac, int room, char *out)
{
	for (size_t d = 0; d < sizeof(drop_order) / sizeof(*drop_order) &&
	     line_width(f, ZS_BAR_MIN) > room; d++)
		f[drop_order[d]].keep = 0;
	int bar = room - line_width(f, 0);
	bar = bar > ZS_BAR_MAX ? ZS_BAR_MAX : bar;
	int inner = bar - 2, fill = (int)(frac * inner);
	size_t n = 0;
	for (int k = 0; k < F_N; k++) {
		if (!f[k].keep)
			continue;
		if (n)
			out[n++] = ' ';
		if (k != F_BAR) {
			memcpy(out + n, f[k].text, (size_t)f[k].len);
			n += (size_t)f[k].len;
			continue;
		}
		out[n++] = '[';
		for (int c = 0; c < inner; c++)
			out[n++] = c < fill ? '#' : '.';
		out[n++] = ']';
	}
	out[n] = '\0';
}

/* The bar line; called with the lock held. */
static void draw_work(zs_progress *p, const char *label, int room,
		      char *line)
{
	uint64_t e = 0, in = 0;
	for (int k = 0; k < p->threads; k++) {
		e += atomic_load_explicit(&p->slots[k].entries,
					  memory_order_relaxed);
		in += atomic_load_explicit(&p->slots[k].in,
					   memory_order_relaxed);
	}
	/* by compressed bytes; by entries when all are empty */
	double frac = p->total_in ? (double)in / (double)p->total_in :
		      p->total_entries ? (double)e / (double)p->total_entries :
		      0;
	frac = frac > 1 ? 1 : frac;
	field f[F_N];
	fill_fields(f, label, frac, e, p->total_entries, in, p->total_in,
		    zs_now() - p->work_start);
	fit_line(f, frac, room, line);
}

static void draw(zs_progress *p)
{
	char line[ZS_LINE_MAX + 1];
	int room = columns(p) - 1;   /* the last column would wrap */
	const char *label = atomic_load_explicit(&p->phase,
						 memory_order_relaxed);

	room = room > ZS_LINE_MAX ? ZS_LINE_MAX : room;
	if (room < 1)
		return;
	if (p->have_work)
		draw_work(p, label, room, line);
	else
		snprintf(line, sizeof(line), "%s... %.1f s",
			 label ? label : "starting", zs_now() - p->start);
	line[room] = '\0';   /* whatever is left must still fit */
	fprintf(p->tty, "\r%s\033[K", line);
	fflush(p->tty);
}

static void *progress_main(void *arg)
{
	zs_progress *p = arg;
	struct timespec at;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_nsec += ZS_PROGRESS_INTERVAL_NS;
		if (at.tv_nsec >= 1000000000L) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000L;
		}
		/* a redraw asked for (the work was set) or the interval */
		while (!p->done && !p->redraw &&
		       pthread_cond_timedwait(&p->wake, &p->lock, &at) == 0)
			;
		/* totals asked for are drawn once even when the work ended
		 * before this thread ran: what is shown does not depend on
		 * how the threads were scheduled */
		int asked = p->redraw;
		p->redraw = 0;
		if (!p->done || asked)
			draw(p);
		if (p->done)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int env_columns(void)
{
	const char *s = getenv("COLUMNS");
	long v = s ? strtol(s, NULL, 10) : 0;
	return v > 0 && v < 100000 ? (int)v : 80;
}

static int init_sync(zs_progress *p)
{
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0)
		return -1;
	int rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
		 pthread_cond_init(&p->wake, &ca) != 0 ? -1 : 0;
	pthread_condattr_destroy(&ca);
	if (rc == 0 && pthread_mutex_init(&p->lock, NULL) != 0) {
		pthread_cond_destroy(&p->wake);
		rc = -1;
	}
	return rc;
}

zs_progress *zs_progress_new(int threads, FILE *tty)
{
	zs_progress *p = calloc(1, sizeof(*p));

	if (!p || threads < 1)
		goto fail;
	p->slots = aligned_alloc(64, (size_t)threads * sizeof(slot));
	if (!p->slots)
		goto fail;
	memset(p->slots, 0, (size_t)threads * sizeof(slot));
	p->tty = tty;
	p->threads = threads;
	p->env_columns = env_columns();
	p->start = zs_now();
	if (init_sync(p) != 0)
		goto fail;
	if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		goto fail;
	}
	return p;
fail:
	if (p)
		free(p->slots);
	free(p);
	return NULL;
}

/* The counts start again from zero: call it while nothing decodes. */
void zs_progress_set_work(zs_progress *p, zs_archive **as, size_t n)
{
	uint64_t entries = 0, in = 0;

	if (!p)
		return;
	for (size_t k = 0; k < n; k++) {
		entries += as[k]->n_selected;
		for (size_t i = 0; i < as[k]->index.count; i++)
			if (as[k]->index.selected[i])
				in += as[k]->index.comp_size[i];
	}
	zs_progress_set_totals(p, entries, in);
}

/* The writer's part of an entry: bytes without an entry (entries: 0). */
void zs_progress_add_bytes(zs_progress *p, int me, uint64_t in, int entries)
{
	if (!p)
		return;
	/* a display made for fewer threads: shared slot, counts may be lost
	 * but nothing is written outside the slots */
	slot *s = &p->slots[me >= 0 && me < p->threads ? me : 0];
	atomic_store_explicit(&s->entries, atomic_load_explicit(&s->entries,
			      memory_order_relaxed) + (uint64_t)entries,
			      memory_order_relaxed);
	atomic_store_explicit(&s->in, atomic_load_explicit(&s->in,
			      memory_order_relaxed) + in, memory_order_relaxed);
}

void zs_progress_set_totals(zs_progress *p, uint64_t entries, uint64_t in)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	for (int k = 0; k < p->threads; k++) {
		atomic_store_explicit(&p->slots[k].entries, 0,
				      memory_order_relaxed);
		atomic_store_explicit(&p->slots[k].in, 0, memory_order_relaxed);
	}
	p->total_entries = entries;
	p->total_in = in;
	p->work_start = zs_now();
	p->have_work = 1;
	p->redraw = 1;   /* show the totals at once */
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

zs_progress *zs_progress_start(zs_archive **as, size_t n, int threads,
			       FILE *tty)
{
	zs_progress *p = zs_progress_new(threads, tty);
	zs_progress_set_work(p, as, n);
	return p;
}

void zs_progress_stop(zs_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->done = 1;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	fputs("\r\033[K", p->tty);
	fflush(p->tty);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p->slots);
	free(p);
}
