/* SPDX-License-Identifier: MIT */
/*
 * finding.c - structural findings about an archive: recorded with a stable
 * code, a severity, the exit status they imply and an offset.  Every layer
 * that reads the archive (map, index, check, audit) records here; this
 * file calls nothing above it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* Findings kept per archive; past this only a count is kept, so a hostile
 * archive cannot make the list grow without bound. */
#define ZS_MAX_FINDINGS 1000

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
	char *text;
	if (vasprintf(&text, fmt, ap) < 0) {
		a->findings_dropped++;
		return;
	}
	zs_finding *f = &a->findings[a->findings_count++];
	f->code = code;
	f->severity = severity;
	f->exit_status = exit_status;
	f->entry = entry;
	f->offset = offset;
	f->text = text;
}

void zs_interrupted(zs_archive *a)
{
	if (a->status != ZS_EXIT_INTERRUPT)
		zs_finding_coded(a, "interrupted", ZS_ERROR, ZS_EXIT_INTERRUPT,
				 -1, 0, "interrupted (Ctrl-C or SIGTERM)");
}

void zs_findings_free(zs_archive *a)
{
	for (size_t k = 0; k < a->findings_count; k++)
		free((char *)a->findings[k].text);
	free(a->findings);
	a->findings = NULL;
	a->findings_count = a->findings_cap = 0;
}

size_t zs_finding_count(const zs_archive *a)
{
	return a ? a->findings_count : 0;
}

const zs_finding *zs_finding_get(const zs_archive *a, size_t k)
{
	return a && k < a->findings_count ? &a->findings[k] : NULL;
}

size_t zs_findings_dropped(const zs_archive *a)
{
	return a ? a->findings_dropped : 0;
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
