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
#include <string.h>

#include "internal.h"

/* Findings kept per archive; past this only a count is kept, so a hostile
 * archive cannot make the list grow without bound. */
#define ZS_MAX_FINDINGS 1000

/*
 * Every code a finding may carry, with its one severity and meaning: the
 * CLI's --ignore checks against it and lists it, the docs copy it.  Notes
 * are what a careful writer may well produce and every reader reads the
 * same way; warnings are what unzip warns about too, or what lets two
 * readers see two different archives; errors are damage.
 */
static const struct code_info {
	const char *code;
	int severity;
	const char *meaning;
} codes[] = {
	/* notes: portability and hygiene */
	{ "case-duplicate", ZS_NOTE, "names that differ only in ASCII case "
	  "(one file on Windows and macOS)" },
	{ "prepended-stub", ZS_NOTE, "bytes before the first entry, with "
	  "offsets that count them (zip -A, a self-extractor)" },
	{ "padding", ZS_NOTE, "zero bytes between entries or before the "
	  "central directory (alignment)" },
	{ "sozip-version", ZS_NOTE, "a SOZip index of a version this "
	  "reader does not know: not used" },
	{ "trailing-padding", ZS_NOTE, "zero bytes after the end record "
	  "(a tape block: bsdtar, tar -b)" },
	/* warnings: unzip warns too, or readers may disagree */
	{ "prepended-bytes", ZS_WARNING, "bytes before the archive that its "
	  "offsets do not count (a stub prepended without zip -A)" },
	{ "trailing-bytes", ZS_WARNING, "bytes after the end record (or "
	  "after the comment) that are not all zero" },
	{ "comment-length", ZS_WARNING, "the archive comment runs past the "
	  "end of the file" },
	{ "gap", ZS_WARNING, "bytes between entries (or before the central "
	  "directory) that nothing accounts for and that are not all zero" },
	{ "unlisted-local-header", ZS_WARNING, "a local header the central "
	  "directory does not list" },
	{ "end-record-candidates", ZS_WARNING, "another end record would "
	  "also validate: readers may list other entries" },
	{ "entry-count-wrapped", ZS_WARNING, "the end record's entry count "
	  "is the real one modulo 65,536 (no ZIP64 end record)" },
	{ "zip64-locator", ZS_WARNING, "the ZIP64 locator points where "
	  "there is no ZIP64 end record" },
	{ "zip64-record-size", ZS_WARNING, "the ZIP64 end record's size "
	  "field is wrong" },
	{ "zip64-disagrees", ZS_WARNING, "the ZIP64 end record disagrees "
	  "with the classic one" },
	{ "zip64-unused", ZS_WARNING, "a ZIP64 end record that leads to no "
	  "central directory" },
	{ "multi-disk", ZS_WARNING, "disk numbers claim a split archive" },
	{ "duplicate-name", ZS_WARNING, "two entries with one name" },
	{ "duplicate-path", ZS_WARNING, "two names that are one path once "
	  "cleaned (a/./b and a/b, d and d/)" },
	{ "absolute-name", ZS_WARNING, "an absolute name or one with a "
	  "drive letter (extract strips it)" },
	{ "dotdot-name", ZS_WARNING, "a \"..\" component (extract strips "
	  "it)" },
	{ "backslash-name", ZS_WARNING, "backslashes in a name (extract "
	  "makes them '/')" },
	{ "empty-component", ZS_WARNING, "an empty component in a name "
	  "(a//b)" },
	{ "empty-name", ZS_WARNING, "an entry with an empty name" },
	{ "control-name", ZS_WARNING, "control bytes in a name (extract "
	  "refuses it)" },
	{ "directory-with-data", ZS_WARNING, "a directory entry that holds "
	  "data" },
	{ "zip64-extra-length", ZS_WARNING, "a ZIP64 extra field of a length "
	  "other than 0, 8, 16, 24 or 28" },
	{ "duplicate-extra", ZS_WARNING, "two extra fields of one kind "
	  "(ZIP64, Unicode path or comment, timestamps)" },
	{ "empty", ZS_WARNING, "the archive has no entries" },
	{ "entry-trailing-data", ZS_WARNING, "bytes after the end of an "
	  "entry's compressed stream, inside its size: a streaming reader "
	  "may find a descriptor and more entries there" },
	{ "unicode-path-differs", ZS_WARNING, "the Unicode Path extra field "
	  "names another path than the header (readers disagree)" },
	/* errors: damage, or a refusal */
	{ "entry-count", ZS_ERROR, "the end record's entry count disagrees "
	  "with the central directory" },
	{ "directory-size", ZS_ERROR, "the end record's directory size "
	  "disagrees with the records" },
	{ "gap-before-end", ZS_ERROR, "bytes between the central directory "
	  "and the end record" },
	{ "split-archive", ZS_ERROR, "the last part of a split archive: its "
	  "entries live in other parts, not testable alone" },
	{ "overlap", ZS_ERROR, "entries overlap (possible zip bomb): exit 12" },
	{ "max-total", ZS_ERROR, "declared output over --max-total: exit 12" },
	{ "max-ratio", ZS_ERROR, "declared output over --max-ratio: exit 12" },
	{ "sozip-index", ZS_ERROR, "a SOZip index that disagrees with its "
	  "entry or itself: not used, exit 2" },
	{ "sozip-chunk", ZS_ERROR, "a SOZip index whose chunks do not "
	  "decode on their own as the entry does: exit 2" },
	{ "interrupted", ZS_ERROR, "the run was stopped: exit 80" },
};

int zs_finding_code_known(const char *code)
{
	for (size_t k = 0; code && k < sizeof(codes) / sizeof(codes[0]); k++)
		if (!strcmp(codes[k].code, code))
			return codes[k].severity;
	return -1;
}

int zs_finding_code_info(size_t k, const char **code, const char **meaning)
{
	if (k >= sizeof(codes) / sizeof(codes[0]))
		return -1;
	*code = codes[k].code;
	*meaning = codes[k].meaning;
	return codes[k].severity;
}

static int ignored(const zs_archive *a, const char *code)
{
	for (size_t k = 0; code && k < a->n_ignore; k++)
		if (a->ignore[k] && !strcmp(a->ignore[k], code))
			return 1;
	return 0;
}

void zs_finding_vadd(zs_archive *a, const char *code, int severity,
		     int exit_status, int64_t entry, uint64_t offset,
		     const char *fmt, va_list ap)
{
	/* here, not in the reports: every format, and the exit status,
	 * see the same findings */
	if (severity != ZS_ERROR && ignored(a, code))
		return;
	if (a->strict && severity != ZS_ERROR) {
		severity = ZS_ERROR;
		exit_status = zs_exit_worse(exit_status, ZS_EXIT_STRUCT);
	}
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
	int severity = zs_finding_code_known(code);

	/* a code missing from the table is a warning: never silent */
	if (severity < 0 || severity == ZS_ERROR)
		severity = ZS_WARNING;
	zs_finding_vadd(a, code, severity, severity == ZS_NOTE ? ZS_EXIT_OK :
			ZS_EXIT_WARN, entry, offset, fmt, ap);
}

void zs_structural(zs_archive *a, const char *code, int64_t entry,
		   uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	zs_structural_v(a, code, entry, offset, fmt, ap);
	va_end(ap);
}
