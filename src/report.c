/*
 * report.c - what `list` and `test` print: text tables in the manner of
 * `unzip -v` and `unzip -t`, and one JSON object per archive per line.
 *
 * Everything is printed in central-directory order from the per-entry
 * results, so the output never depends on the thread count; the only
 * run-dependent values sit in the JSON "timing" member.
 */
#include <stdlib.h>

#include "internal.h"


/* Text output: control characters become ^X (as unzip shows them), C1
 * controls '?', so a hostile name cannot drive the terminal. */
void zs_put_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	for (;; p++) {
		int control = *p < 0x20 || *p == 0x7f;
		int c1 = *p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0;
		if (!*p || control || c1) {
			fwrite(run, 1, (size_t)(p - run), f);  /* safe run */
			if (!*p)
				return;
			if (c1) {
				putc('?', f);
				p++;
			} else {
				putc('^', f);
				putc(*p == 0x7f ? '?' : *p + '@', f);
			}
			run = p + 1;
		}
	}
}

void zs_put_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	putc('"', f);
	for (;; p++) {
		if (*p && *p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		fwrite(run, 1, (size_t)(p - run), f);
		if (!*p)
			break;
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else
			fprintf(f, "\\u%04x", *p);
		run = p + 1;
	}
	putc('"', f);
}

/* The archive path as valid UTF-8 for JSON (paths are bytes on Unix). */
void zs_put_json_path(FILE *f, const char *path)
{
	size_t n = strlen(path);
	char *buf = malloc(3 * n + 1);

	if (!buf) {
		zs_put_json_str(f, "?");
		return;
	}
	zs_utf8_sanitize((const uint8_t *)path, n, buf);
	zs_put_json_str(f, buf);
	free(buf);
}

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

/* Percent of space saved, as unzip prints it.  Sizes are the archive's
 * word: in 128 bits, and capped to fit the column (a 2^29-byte entry
 * said to hold 1 byte once made -INT_MIN, found by fuzz_archive). */
static int saved_percent(uint64_t comp, uint64_t uncomp)
{
	if (uncomp == 0)
		return 0;
	unsigned __int128 d = comp > uncomp ? comp - uncomp : uncomp - comp;
	unsigned __int128 p = (d * 100 + uncomp / 2) / uncomp;
	int v = p > 99999 ? 99999 : (int)p;   /* "-99999%" fills the column */
	return comp > uncomp ? -v : v;
}

/* The archive's findings, one per line; errors_only for -q. */
void zs_put_findings(const zs_archive *a, int errors_only, FILE *f)
{
	for (size_t k = 0; k < a->findings_count; k++) {
		const zs_finding *x = &a->findings[k];
		if (errors_only && x->severity != ZS_ERROR)
			continue;
		zs_put_text(f, a->path);
		fprintf(f, ": %s: ", x->severity == ZS_ERROR ? "error" :
			"warning");
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

int zs_report_findings_text(const zs_archive *a, FILE *f)
{
	zs_put_findings(a, 0, f);
	return ferror(f) ? -1 : 0;
}

int zs_report_list_text(const zs_archive *a, FILE *f)
{
	const zs_index *ix = &a->index;
	char *name = zs_name_buf(&a, 1), when[20], ratio[8];
	uint64_t tc = 0, tu = 0;
	size_t n = 0;

	if (!name)
		return -1;
	fputs("Archive:  ", f);
	zs_put_text(f, a->path);
	fputs("\n    Length  Method        Size  Cmpr       Date   Time    "
	      "CRC-32  Name\n----------  ---------  ----------  ----  "
	      "----------  -----  --------  ----\n", f);
	for (size_t i = 0; i < ix->count; i++) {
		if (!ix->selected[i])
			continue;
		zs_entry_mtime(a, i, when);
		when[10] = ' ';
		when[16] = '\0';
		snprintf(ratio, sizeof(ratio), "%d%%",
			 saved_percent(ix->comp_size[i], ix->uncomp_size[i]));
		fprintf(f, "%10llu  %-9s  %10llu  %4s  %s  %08x  ",
			(unsigned long long)ix->uncomp_size[i],
			zs_method_name(ix->method[i]),
			(unsigned long long)ix->comp_size[i], ratio, when,
			ix->crc32[i]);
		zs_entry_name_utf8(a, i, name);
		zs_put_text(f, name);
		putc('\n', f);
		tc += ix->comp_size[i];
		tu += ix->uncomp_size[i];
		n++;
	}
	snprintf(ratio, sizeof(ratio), "%d%%", saved_percent(tc, tu));
	fprintf(f, "----------             ----------  ----                "
		"                 -------\n%10llu             %10llu  %4s     "
		"                           %zu file%s\n",
		(unsigned long long)tu, (unsigned long long)tc, ratio, n,
		n == 1 ? "" : "s");
	free(name);
	return ferror(f) ? -1 : 0;
}

void zs_put_problems(const zs_archive *a, char *name, FILE *f)
{
	const zs_index *ix = &a->index;
	char err[512];

	for (size_t i = 0; i < ix->count; i++) {
		if (!zs_entry_has_problem(a, i))
			continue;
		zs_entry_name_utf8(a, i, name);
		zs_entry_error(a, i, err, sizeof(err));
		zs_put_text(f, a->path);
		fputs(": ", f);
		zs_put_text(f, name);
		fprintf(f, ": %s%s (local header at offset %llu)\n",
			ix->status[i] == ZS_ENTRY_BAD ? "" : "skipped: ", err,
			(unsigned long long)ix->local_offset[i]);
	}
}

int zs_report_test_text(const zs_archive *a, const zs_totals *t, int quiet,
			FILE *f)
{
	char *name = zs_name_buf(&a, 1);
	int status = zs_archive_status(a);

	if (!name)
		return -1;
	zs_put_findings(a, quiet, f);
	zs_put_problems(a, name, f);
	if (!quiet) {
		uint64_t untested = t->entries - t->ok - t->bad -
				    t->unsupported - t->encrypted;
		if (status == ZS_EXIT_OK) {
			fputs("No errors detected in compressed data of ", f);
			zs_put_text(f, a->path);
			fprintf(f, " (%llu entries, %llu bytes).\n",
				(unsigned long long)t->entries,
				(unsigned long long)t->bytes_out);
		} else {
			zs_put_text(f, a->path);
			fprintf(f, ": %llu entries: %llu ok, %llu bad, %llu "
				"unsupported, %llu encrypted, %llu untested "
				"(exit %d).\n", (unsigned long long)t->entries,
				(unsigned long long)t->ok,
				(unsigned long long)t->bad,
				(unsigned long long)t->unsupported,
				(unsigned long long)t->encrypted,
				(unsigned long long)untested, status);
		}
	}
	free(name);
	return ferror(f) ? -1 : 0;
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
	char when[20], err[512];

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
	if (zs_entry_is_symlink(a, i))
		fputs(",\"is_symlink\":true", f);
	if (ix->xxh128 && ix->status[i] == ZS_ENTRY_OK)
		fprintf(f, ",\"xxh3_128\":\"%016llx%016llx\"",
			(unsigned long long)ix->xxh128[2 * i],
			(unsigned long long)ix->xxh128[2 * i + 1]);
	if (with_status || ix->status[i] == ZS_ENTRY_BAD) {
		fprintf(f, ",\"status\":\"%s\"", zs_status_name(ix->status[i]));
		if (ix->error[i] != ZS_E_NONE) {
			zs_entry_error(a, i, err, sizeof(err));
			fputs(",\"error\":", f);
			zs_put_json_str(f, err);
		}
	}
}

void zs_json_findings(const zs_archive *a, FILE *f)
{
	fputs("\"findings\":[", f);
	for (size_t k = 0; k < a->findings_count; k++) {
		const zs_finding *x = &a->findings[k];
		fprintf(f, "%s{\"severity\":\"%s\",\"offset\":%llu,",
			k ? "," : "",
			x->severity == ZS_ERROR ? "error" : "warning",
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

int zs_report_json(const zs_archive *a, const zs_totals *t, int with_status,
		   const zs_stats *st, FILE *f)
{
	const zs_index *ix = &a->index;
	char *name = zs_name_buf(&a, 1);
	uint64_t tc = 0, tu = 0, n = 0;

	if (!name)
		return -1;
	fputs("{\"archive\":", f);
	zs_put_json_path(f, a->path);
	fprintf(f, ",\"size\":%llu,\"entries\":[", (unsigned long long)a->size);
	for (size_t i = 0; i < ix->count; i++) {
		if (!ix->selected[i])
			continue;
		if (n++)
			putc(',', f);
		zs_json_entry(a, i, with_status, name, f);
		tc += ix->comp_size[i];
		tu += ix->uncomp_size[i];
	}
	fputs("],", f);
	zs_json_findings(a, f);
	fprintf(f, ",\"summary\":{\"entries\":%llu,\"compressed_size\":%llu,"
		"\"uncompressed_size\":%llu", (unsigned long long)n,
		(unsigned long long)tc, (unsigned long long)tu);
	if (with_status && t)
		fprintf(f, ",\"ok\":%llu,\"bad\":%llu,\"unsupported\":%llu,"
			"\"encrypted\":%llu,\"bytes_in\":%llu,"
			"\"bytes_out\":%llu", (unsigned long long)t->ok,
			(unsigned long long)t->bad,
			(unsigned long long)t->unsupported,
			(unsigned long long)t->encrypted,
			(unsigned long long)t->bytes_in,
			(unsigned long long)t->bytes_out);
	fprintf(f, ",\"status\":%d}", zs_archive_status(a));
	if (st) {
		fputs(",\"stats\":", f);
		zs_stats_json(st, f);
	}
	if (t) {
		double secs = a->seconds_open + t->seconds_scan;
		fprintf(f, ",\"timing\":{\"threads\":%d,\"seconds_open\":%.6f,"
			"\"seconds_scan\":%.6f,\"mb_per_s\":%.1f}", t->threads,
			a->seconds_open, t->seconds_scan,
			secs > 0 ? (double)t->bytes_out / secs / 1e6 : 0.0);
	}
	fputs("}\n", f);
	free(name);
	return ferror(f) ? -1 : 0;
}
