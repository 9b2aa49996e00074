/* SPDX-License-Identifier: MIT */
/*
 * base.c - the ground floor every other file may call: the clock, the
 * default options, the thread count, and the order of exit statuses.
 */
#include <omp.h>
#include <sched.h>
#include <time.h>

#include "internal.h"

double zs_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void zs_options_init(zs_options *o)
{
	memset(o, 0, sizeof(*o));
	o->memory_limit = ZS_DEFAULT_MEMORY_LIMIT;
	o->stop_on_overlap = 1;
	o->max_total = ZS_DEFAULT_MAX_TOTAL;
	o->max_ratio = ZS_DEFAULT_MAX_RATIO;
	o->max_ratio_unbounded = ZS_DEFAULT_MAX_RATIO_UNBOUNDED;
	o->max_input = ZS_DEFAULT_MAX_INPUT;
}

int zs_threads_effective(const zs_options *o)
{
	if (o && o->threads > 0)
		return o->threads;
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return omp_get_num_procs();
}

/* Severity order of exit statuses, least to worst. */
static int exit_rank(int s)
{
	static const int order[] = {
		ZS_EXIT_OK, ZS_EXIT_WARN, ZS_EXIT_UNSUPPORTED,
		ZS_EXIT_ENCRYPTED, ZS_EXIT_NOMATCH, ZS_EXIT_ENTRY,
		ZS_EXIT_STRUCT, ZS_EXIT_OVERLAP, ZS_EXIT_NOTZIP,
		/* a write that failed because the archive shrank is
		 * the archive's fault: 51 outranks 50 */
		ZS_EXIT_WRITE, ZS_EXIT_CHANGED, ZS_EXIT_NOMEM, ZS_EXIT_USAGE,
		ZS_EXIT_INTERRUPT,
	};
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		if (order[k] == s)
			return (int)k;
	return (int)(sizeof(order) / sizeof(order[0]));
}

int zs_exit_worse(int a, int b)
{
	return exit_rank(b) > exit_rank(a) ? b : a;
}
