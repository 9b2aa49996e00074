/*
 * archive.c - the life of a zs_archive: open (map, index, check), findings,
 * entry selection, exit status, close.
 */
#include <fnmatch.h>
#include <omp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include "internal.h"

/* Findings kept per archive; past this only a count is kept, so a hostile
 * archive cannot make the list grow without bound. */
#define ZS_MAX_FINDINGS 1000

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

void zs_finding_vadd(zs_archive *a, const char *code, int severity,
		     int exit_status, int64_t entry, uint64_t offset,
		     const char *fmt, va_list ap)
{
	a->status = zs_exit_worse(a->status, exit_status);
	if (a->findings_count == a->findings_cap) {
		if (a->findings_cap >= ZS_MAX_FINDINGS) {
			a->findings_dropped++;
			return;
		}
		size_t cap = a->findings_cap ? a->findings_cap * 2 : 8;
		zs_finding *f = realloc(a->findings, cap * sizeof(*f));
		if (!f) {
			a->findings_dropped++;
			return;
		}
		a->findings = f;
		a->findings_cap = cap;
	}
	zs_finding *f = &a->findings[a->findings_count++];
	f->code = code;
	f->severity = severity;
	f->exit_status = exit_status;
	f->entry = entry;
	f->offset = offset;
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
}

void zs_finding_add(zs_archive *a, int severity, int exit_status,
		    int64_t entry, uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	zs_finding_vadd(a, NULL, severity, exit_status, entry, offset, fmt, ap);
	va_end(ap);
}

void zs_finding_coded(zs_archive *a, const char *code, int severity,
		      int exit_status, int64_t entry, uint64_t offset,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	zs_finding_vadd(a, code, severity, exit_status, entry, offset, fmt, ap);
	va_end(ap);
}

void zs_structural_v(zs_archive *a, const char *code, int64_t entry,
		     uint64_t offset, const char *fmt, va_list ap)
{
	zs_finding_vadd(a, code, a->strict ? ZS_ERROR : ZS_WARNING,
			a->strict ? ZS_EXIT_STRUCT : ZS_EXIT_WARN, entry,
			offset, fmt, ap);
}

void zs_structural(zs_archive *a, const char *code, int64_t entry,
		   uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	zs_structural_v(a, code, entry, offset, fmt, ap);
	va_end(ap);
}

static int archive_finish_open(zs_archive *a, const zs_options *o)
{
	double t0 = zs_now();

	zs_progress_phase(o->progress, "indexing");
	if (zs_index_build(a) == 0) {
		zs_map_advise_data(a);
		zs_progress_phase(o->progress, "checking headers");
		zs_check_entries(a, zs_threads_effective(o));
		zs_progress_phase(o->progress, "auditing names");
		zs_audit(a);
		zs_select(a, NULL, 0, NULL, 0);
	}
	zs_map_check_changed(a);
	a->seconds_open += zs_now() - t0;
	return a->status;
}

int zs_archive_open(zs_archive *a, const char *path, const zs_options *o)
{
	double t0 = zs_now();

	memset(a, 0, sizeof(*a));
	a->strict = o->strict;
	a->path = strdup(path);
	if (!a->path)
		return ZS_EXIT_NOMEM;
	/* "-" and pipes are read whole here */
	zs_progress_phase(o->progress, "opening");
	if (zs_map_file(a, path) != 0)
		return a->status;
	a->seconds_open = zs_now() - t0;
	return archive_finish_open(a, o);
}

int zs_archive_open_memory(zs_archive *a, const char *label, const void *buf,
			   size_t len, const zs_options *o)
{
	memset(a, 0, sizeof(*a));
	a->strict = o->strict;
	a->path = strdup(label);
	if (!a->path)
		return ZS_EXIT_NOMEM;
	zs_map_borrow(a, buf, len);
	return archive_finish_open(a, o);
}

void zs_archive_close(zs_archive *a)
{
	zs_index_free(&a->index);
	zs_unmap(a);
	free(a->findings);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

size_t zs_select(zs_archive *a, char *const *include, size_t n_include,
		 char *const *exclude, size_t n_exclude)
{
	zs_index *ix = &a->index;
	size_t selected = 0;
	char *name = NULL;

	if (n_include || n_exclude)
		name = malloc(0x10000);  /* a name is at most 65535 bytes */
	for (size_t i = 0; i < ix->count; i++) {
		int take = 1;
		if (name) {
			memcpy(name, a->data + ix->name_offset[i], ix->name_len[i]);
			name[ix->name_len[i]] = '\0';
			take = n_include == 0;
			for (size_t k = 0; k < n_include && !take; k++)
				take = fnmatch(include[k], name, 0) == 0;
			for (size_t k = 0; k < n_exclude && take; k++)
				take = fnmatch(exclude[k], name, 0) != 0;
		} else if (n_include || n_exclude) {
			take = 0;  /* no memory to compare: select nothing */
		}
		ix->selected[i] = (uint8_t)take;
		selected += (size_t)take;
	}
	free(name);
	a->n_selected = selected;
	if ((n_include || n_exclude) && !name)
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMEM, -1, 0,
			       "out of memory matching names");
	return selected;
}

/* What a bad entry makes the status: an entry that needed more memory
 * than it could have (malloc failed, or its decoder's window is over
 * --memory-limit) is not shown to be bad; Info-ZIP gives 4 for memory. */
static int entry_exit(unsigned err)
{
	switch (err) {
	case ZS_E_OVERLAP:
		return ZS_EXIT_OVERLAP;
	case ZS_E_NOMEM:
	case ZS_E_MEMLIMIT:
		return ZS_EXIT_NOMEM;
	default:
		return ZS_EXIT_ENTRY;
	}
}

int zs_archive_status(const zs_archive *a)
{
	const zs_index *ix = &a->index;
	int s = a->status;
	size_t unsupported = 0, encrypted = 0;

	for (size_t i = 0; i < ix->count; i++) {
		if (!ix->selected[i])
			continue;
		switch (ix->status[i]) {
		case ZS_ENTRY_BAD:
			s = zs_exit_worse(s, entry_exit(ix->error[i]));
			break;
		case ZS_ENTRY_UNSUPPORTED:
			unsupported++;
			break;
		case ZS_ENTRY_ENCRYPTED:
			encrypted++;
			break;
		default:
			break;
		}
	}
	/* As Info-ZIP: entries that could not be tested make the status 81
	 * (unsupported method) or 82 (encrypted) unless something is worse. */
	if (unsupported)
		s = zs_exit_worse(s, ZS_EXIT_UNSUPPORTED);
	else if (encrypted)
		s = zs_exit_worse(s, ZS_EXIT_ENCRYPTED);
	return s;
}

void zs_totals_count(const zs_archive *a, zs_totals *t)
{
	const zs_index *ix = &a->index;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < ix->count; i++) {
		if (!ix->selected[i])
			continue;
		t->entries++;
		switch (ix->status[i]) {
		case ZS_ENTRY_OK:
			t->ok++;
			t->bytes_in += ix->comp_size[i];
			break;
		case ZS_ENTRY_BAD: t->bad++; break;
		case ZS_ENTRY_UNSUPPORTED: t->unsupported++; break;
		case ZS_ENTRY_ENCRYPTED: t->encrypted++; break;
		}
	}
}
