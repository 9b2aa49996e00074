/* SPDX-License-Identifier: MIT */
/*
 * report_parts.c - pieces shared by the report writers (list, test, check,
 * stats, extract): an entry as a JSON object, the findings as JSON or text
 * lines, the entries with problems as text lines.
 */
#include <stdlib.h>

#include "internal.h"

const char *zs_status_name(int s)
{
	switch (s) {
	case ZS_ENTRY_OK: return "ok";
	case ZS_ENTRY_BAD: return "bad";
	case ZS_ENTRY_UNSUPPORTED: return "unsupported";
	case ZS_ENTRY_ENCRYPTED: return "encrypted";
	default: return "untested";
	}
}

const char *zs_severity_name(int s)
{
	return s == ZS_ERROR ? "error" : s == ZS_WARNING ? "warning" : "note";
}

/* The archive's findings, one per line.  quiet (-q) leaves out the notes,
 * and only them: a run that does not exit 0 says why, or a Makefile shows
 * a bare "Error 1". */
void zs_put_findings(const zs_archive *a, int quiet, FILE *f)
{
	for (size_t k = 0; k < a->findings_count; k++) {
		const zs_finding *x = &a->findings[k];
		if (quiet && x->exit_status == ZS_EXIT_OK)
			continue;
		zs_put_text(f, a->path);
		fprintf(f, ": %s: ", zs_severity_name(x->severity));
		/* a finding may quote a name: it goes through the filter */
		zs_put_text(f, x->text);
		fprintf(f, " (offset %llu)\n", (unsigned long long)x->offset);
	}
	if (a->findings_dropped) {
		zs_put_text(f, a->path);
		fprintf(f, ": %zu more findings not shown\n",
			a->findings_dropped);
	}
}

void zs_put_problems(const zs_archive *a, char *name, FILE *f)
{
	const zs_index *ix = &a->index;

	for (size_t i = 0; i < ix->count; i++) {
		if (!zs_entry_has_problem(a, i))
			continue;
		char *err = zs_entry_error_dup(a, i);
		zs_entry_name_utf8(a, i, name);
		zs_put_text(f, a->path);
		fputs(": ", f);
		zs_put_text(f, name);
		fprintf(f, ": %s%s (local header at offset %llu)\n",
			ix->status[i] == ZS_ENTRY_BAD ? "" : "skipped: ",
			err ? err : "(out of memory)",
			(unsigned long long)ix->local_offset[i]);
		free(err);
	}
}

void zs_json_entry(const zs_archive *a, size_t i, int with_status,
		   char *name, FILE *f)
{
	zs_json_entry_open(a, i, with_status, name, f);
	putc('}', f);
}

void zs_json_entry_open(const zs_archive *a, size_t i, int with_status,
			char *name, FILE *f)
{
	const zs_index *ix = &a->index;
	char when[20];

	zs_entry_name_utf8(a, i, name);
	zs_entry_mtime(a, i, when);
	fputs("{\"name\":", f);
	zs_put_json_str(f, name);
	fprintf(f, ",\"method\":%u,\"method_name\":\"%s\","
		"\"compressed_size\":%llu,\"uncompressed_size\":%llu,"
		"\"crc32\":\"%08x\",\"is_dir\":%s,\"encrypted\":%s,"
		"\"mtime\":\"%s\",\"offset\":%llu", ix->method[i],
		zs_method_name(ix->method[i]),
		(unsigned long long)ix->comp_size[i],
		(unsigned long long)ix->uncomp_size[i], ix->crc32[i],
		zs_entry_is_dir(a, i) ? "true" : "false",
		zs_entry_is_encrypted(a, i) ? "true" : "false", when,
		(unsigned long long)ix->local_offset[i]);
	time_t utc;
	struct tm tm;
	/* the DOS time says nothing of its zone: the UTC time too, when an
	 * extra field gives it */
	if (zs_entry_utc(a, i, &utc) && gmtime_r(&utc, &tm) &&
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm))
		fprintf(f, ",\"mtime_utc\":\"%sZ\"", when);
	if (zs_entry_is_symlink(a, i))
		fputs(",\"is_symlink\":true", f);
	if (zs_entry_sozip_chunk(a, i))   /* seek-optimized: its chunk size */
		fprintf(f, ",\"sozip_chunk_size\":%u",
			zs_entry_sozip_chunk(a, i));
	if (ix->xxh128 && ix->status[i] == ZS_ENTRY_OK)
		fprintf(f, ",\"xxh3_128\":\"%016llx%016llx\"",
			(unsigned long long)ix->xxh128[2 * i],
			(unsigned long long)ix->xxh128[2 * i + 1]);
	if (with_status || ix->status[i] == ZS_ENTRY_BAD) {
		fprintf(f, ",\"status\":\"%s\"", zs_status_name(ix->status[i]));
		if (ix->error[i] != ZS_E_NONE) {
			char *err = zs_entry_error_dup(a, i);
			fputs(",\"error\":", f);
			zs_put_json_str(f, err ? err : "(out of memory)");
			free(err);
		}
	}
}

void zs_json_findings(const zs_archive *a, FILE *f)
{
	fputs("\"findings\":[", f);
	for (size_t k = 0; k < a->findings_count; k++) {
		const zs_finding *x = &a->findings[k];
		fprintf(f, "%s{\"severity\":\"%s\",\"offset\":%llu,",
			k ? "," : "", zs_severity_name(x->severity),
			(unsigned long long)x->offset);
		if (x->entry >= 0)
			fprintf(f, "\"entry\":%lld,", (long long)x->entry);
		if (x->code)
			fprintf(f, "\"code\":\"%s\",", x->code);
		fputs("\"message\":", f);
		zs_put_json_str(f, x->text);
		putc('}', f);
	}
	fprintf(f, "],\"findings_not_shown\":%zu", a->findings_dropped);
}

/* The word for an archive in a batch's overview: what its exit status
 * means, or how many entries failed. */
const char *zs_archive_word(const zs_archive *a, uint64_t bad,
			    char buf[32])
{
	int s = zs_archive_status(a);
	if (!a->indexed)
		return a->data ? "not a ZIP" : "unreadable";
	if (bad) {
		snprintf(buf, 32, "%llu bad", (unsigned long long)bad);
		return buf;
	}
	switch (s) {
	case ZS_EXIT_OK: return "ok";
	case ZS_EXIT_WARN: return "warnings";
	case ZS_EXIT_STRUCT: return "damaged";
	case ZS_EXIT_NOMEM: return "no memory";
	case ZS_EXIT_NOMATCH: return "no match";
	case ZS_EXIT_OVERLAP: return "refused";
	case ZS_EXIT_CHANGED: return "changed";
	case ZS_EXIT_UNSUPPORTED: return "unsupported";
	case ZS_EXIT_ENCRYPTED: return "encrypted";
	default: return "errors";
	}
}
