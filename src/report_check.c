/* SPDX-License-Identifier: MIT */
/*
 * report_check.c - what `zipscan check` prints: where the pieces of the
 * archive are, every structural finding with its offset, and every entry
 * whose headers failed the checks.  Nothing here decodes.
 */
#include <stdlib.h>

#include "internal.h"

static void put_offset_or_null(FILE *f, const char *key, uint64_t v)
{
	if (v == UINT64_MAX)
		fprintf(f, ",\"%s\":null", key);
	else
		fprintf(f, ",\"%s\":%llu", key, (unsigned long long)v);
}

static void count_findings(const zs_archive *a, size_t *notes,
			   size_t *warnings, size_t *errors)
{
	*notes = *warnings = *errors = 0;
	for (size_t k = 0; k < a->findings_count; k++)
		++*(a->findings[k].severity == ZS_ERROR ? errors :
		    a->findings[k].severity == ZS_WARNING ? warnings : notes);
}

static size_t count_problems(const zs_archive *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->index.count; i++)
		n += (size_t)zs_entry_has_problem(a, i);
	return n;
}

int zs_report_check_text(const zs_archive *a, int status, int quiet, FILE *f)
{
	const zs_layout *l = &a->layout;
	char *name = zs_name_buf(&a, 1);
	size_t notes, warnings, errors, problems = count_problems(a);

	if (!name)
		return -1;
	count_findings(a, &notes, &warnings, &errors);
	if (!quiet && a->indexed) {
		zs_put_text(f, a->path);
		fprintf(f, ": %llu bytes, %zu entr%s; central directory at "
			"offset %llu (%llu bytes), end record at %llu",
			(unsigned long long)a->size, a->index.count,
			a->index.count == 1 ? "y" : "ies",
			(unsigned long long)l->cd_offset,
			(unsigned long long)l->cd_size,
			(unsigned long long)l->eocd_offset);
		if (l->zip64_eocd_offset != UINT64_MAX)
			fprintf(f, ", ZIP64 end record at %llu",
				(unsigned long long)l->zip64_eocd_offset);
		fputs(".\n", f);
	}
	zs_put_findings(a, 0, f);
	zs_put_problems(a, name, f);
	if (!quiet) {
		zs_put_text(f, a->path);
		if (notes)
			fprintf(f, ": %zu note%s", notes, notes == 1 ? "" :
				"s");
		fprintf(f, "%s %zu warning%s, %zu error%s, %zu entr%s with "
			"errors (exit %d).\n", notes ? "," : ":", warnings,
			warnings == 1 ? "" : "s", errors, errors == 1 ? "" :
			"s", problems, problems == 1 ? "y" : "ies", status);
	}
	free(name);
	return ferror(f) ? -1 : 0;
}

int zs_report_check_json(const zs_archive *a, int status, FILE *f)
{
	const zs_layout *l = &a->layout;
	char *name = zs_name_buf(&a, 1);
	size_t notes, warnings, errors, n = 0;

	if (!name)
		return -1;
	count_findings(a, &notes, &warnings, &errors);
	fputs("{\"archive\":", f);
	zs_put_json_path(f, a->path);
	fprintf(f, ",\"size\":%llu,\"status\":%d", (unsigned long long)a->size,
		status);
	if (a->indexed) {
		fprintf(f, ",\"layout\":{\"entries\":%zu,\"entries_declared\":"
			"%llu,\"cd_size\":%llu,\"base\":%llu,\"comment_length\":"
			"%u", a->index.count,
			(unsigned long long)l->cd_entries_declared,
			(unsigned long long)l->cd_size,
			(unsigned long long)l->base, l->comment_len);
		put_offset_or_null(f, "cd_offset", l->cd_offset);
		put_offset_or_null(f, "eocd_offset", l->eocd_offset);
		put_offset_or_null(f, "zip64_locator_offset",
				   l->zip64_locator_offset);
		put_offset_or_null(f, "zip64_eocd_offset",
				   l->zip64_eocd_offset);
		putc('}', f);
	}
	putc(',', f);
	zs_json_findings(a, f);
	fputs(",\"entries\":[", f);
	for (size_t i = 0; i < a->index.count; i++) {
		if (!zs_entry_has_problem(a, i))
			continue;
		if (n++)
			putc(',', f);
		zs_json_entry(a, i, 1, name, f);
	}
	fprintf(f, "],\"summary\":{\"notes\":%zu,\"warnings\":%zu,"
		"\"errors\":%zu,\"entries_with_errors\":%zu}}\n", notes,
		warnings, errors, n);
	free(name);
	return ferror(f) ? -1 : 0;
}
