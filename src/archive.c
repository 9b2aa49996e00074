/* SPDX-License-Identifier: MIT */
/*
 * archive.c - the life of a zs_archive: open (map, index, check), entry
 * selection, exit status, close.
 */
#include <fnmatch.h>
#include <stdlib.h>

#include "internal.h"
#include "sozip.h"

static int archive_finish_open(zs_archive *a, const zs_options *o)
{
	double t0 = zs_now();

	zs_progress_phase(o->progress, "indexing");
	if (zs_index_build(a) == 0) {
		zs_map_advise_data(a);
		zs_progress_phase(o->progress, "checking headers");
		if (a->split)
			a->limits_checked = a->decode_refused = 1;
		else
			zs_check_entries(a, zs_threads_effective(o));
		if (!zs_stopping(a)) {
			zs_progress_phase(o->progress, "auditing names");
			zs_audit(a);
		}
		zs_select(a, NULL, 0, NULL, 0);
	}
	if (zs_stopping(a))
		zs_interrupted(a);
	zs_map_check_changed(a);
	a->seconds_open += zs_now() - t0;
	return a->status;
}

int zs_archive_open(zs_archive *a, const char *path, const zs_options *o)
{
	return zs_archive_open_pooled(a, path, o, NULL);
}

int zs_archive_open_pooled(zs_archive *a, const char *path,
			   const zs_options *o, zs_map_pool *pool)
{
	double t0 = zs_now();

	memset(a, 0, sizeof(*a));
	a->strict = o->strict;
	a->ignore = o->ignore;
	a->n_ignore = o->n_ignore;
	a->stop = o->stop;
	a->threads = zs_threads_effective(o);
	a->path = strdup(path);
	if (!a->path)
		return ZS_EXIT_NOMEM;
	/* "-" and pipes are read whole here */
	zs_progress_phase(o->progress, "opening");
	if (zs_map_file(a, path, o->max_input, pool) != 0)
		return a->status;
	a->seconds_open = zs_now() - t0;
	return archive_finish_open(a, o);
}

int zs_archive_open_memory(zs_archive *a, const char *label, const void *buf,
			   size_t len, const zs_options *o)
{
	memset(a, 0, sizeof(*a));
	a->strict = o->strict;
	a->ignore = o->ignore;
	a->n_ignore = o->n_ignore;
	a->stop = o->stop;
	a->threads = zs_threads_effective(o);
	a->path = strdup(label);
	if (!a->path)
		return ZS_EXIT_NOMEM;
	zs_map_borrow(a, buf, len);
	return archive_finish_open(a, o);
}

void zs_archive_close(zs_archive *a)
{
	zs_sozip_free(a);
	zs_index_free(&a->index);
	zs_unmap(a);
	zs_findings_free(a);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

zs_archive *zs_open_pooled(const char *path, const zs_options *o,
			   zs_map_pool *pool, int *status)
{
	zs_options def;
	zs_archive *a = malloc(sizeof(*a));

	if (!o) {
		zs_options_init(&def);
		o = &def;
	}
	int s = a ? zs_archive_open_pooled(a, path, o, pool) :
		ZS_EXIT_NOMEM;

	if (status)
		*status = s;
	return a;
}

zs_archive *zs_open(const char *path, const zs_options *o, int *status)
{
	return zs_open_pooled(path, o, NULL, status);
}

zs_archive *zs_open_memory(const char *label, const void *buf, size_t len,
			   const zs_options *o, int *status)
{
	zs_options def;
	zs_archive *a = malloc(sizeof(*a));

	if (!o) {
		zs_options_init(&def);
		o = &def;
	}
	int s = a ? zs_archive_open_memory(a, label, buf, len, o) :
		ZS_EXIT_NOMEM;

	if (status)
		*status = s;
	return a;
}

void zs_close(zs_archive *a)
{
	if (a) {
		zs_archive_close(a);
		free(a);
	}
}

const char *zs_archive_path(const zs_archive *a)
{
	return a->path ? a->path : "";
}

int zs_archive_indexed(const zs_archive *a)
{
	return a->indexed;
}

size_t zs_entry_count(const zs_archive *a)
{
	return a->indexed ? a->index.count : 0;
}

size_t zs_select(zs_archive *a, char *const *include, size_t n_include,
		 char *const *exclude, size_t n_exclude)
{
	zs_index *ix = &a->index;
	size_t selected = 0;
	char *name = NULL, *clean = NULL;

	/* patterns match the name an entry is written as (run.sh/. and
	 * run.sh\ become run.sh: -x '*.sh' must leave them out too) */
	if (n_include || n_exclude) {
		name = malloc(3 * (size_t)a->max_name_len + 2);
		clean = malloc(3 * (size_t)a->max_name_len + 2);
		if (!clean) {
			free(name);
			name = NULL;
		}
	}
	for (size_t i = 0; i < ix->count; i++) {
		int take = 1;
		if (name) {
			take = n_include == 0;
			for (size_t k = 0; k < n_include && !take; k++)
				take = zs_entry_matches(a, i, include[k], name,
							clean);
			for (size_t k = 0; k < n_exclude && take; k++)
				take = !zs_entry_matches(a, i, exclude[k], name,
							 clean);
		} else if (n_include || n_exclude) {
			take = 0;  /* no memory to compare: select nothing */
		}
		ix->selected[i] = (uint8_t)take;
		selected += (size_t)take;
	}
	free(name);
	free(clean);
	a->n_selected = selected;
	if ((n_include || n_exclude) && !name)
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMEM, -1, 0,
			       "out of memory matching names");
	else if ((n_include || n_exclude) && a->indexed && selected == 0)
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMATCH, -1, 0,
			       "no entry matched the patterns");
	return selected;
}

/* What a bad entry makes the status: an entry that needed more memory
 * than it could have (malloc failed, or its decoder's window is over
 * --memory-limit) is not shown to be bad; Info-ZIP gives 4 for memory. */
int zs_entry_exit(unsigned err)
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
			s = zs_exit_worse(s, zs_entry_exit(ix->error[i]));
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
