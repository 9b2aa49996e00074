/* SPDX-License-Identifier: MIT */
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
	/* a SOZip column only where there are seek-optimized entries:
	 * other listings stay unzip -v's */
	int seek = a->n_sozip > 0;
	fputs("Archive:  ", f);
	zs_put_text(f, a->path);
	fprintf(f, "\n    Length  Method        Size  Cmpr       Date   Time    "
		"CRC-32  %sName\n----------  ---------  ----------  ----  "
		"----------  -----  --------  %s----\n", seek ? "SOZip  " : "",
		seek ? "-----  " : "");
	for (size_t i = 0; i < ix->count; i++) {
		if ((i & 4095) == 0 && zs_stopping(a))
			break;   /* Ctrl-C: the caller exits 80 */
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
		if (seek)
			fprintf(f, "%-5s  ", zs_entry_sozip_chunk(a, i) ?
				"yes" : "-");
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

/* A report written by `write` into a string (open_memstream). */
static char *report_string(const zs_archive *a, const zs_totals *t,
			   const zs_stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	int bad = zs_report_json(a, t, t != NULL, st, m);
	if (fclose(m) != 0 || bad) {
		free(buf);
		return NULL;
	}
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';   /* one object, not a line */
	return buf;
}

char *zs_report_json_string(const zs_archive *a, const zs_totals *t)
{
	return report_string(a, t, NULL);
}

char *zs_stats_json_string(zs_archive *a, const zs_totals *t, size_t top)
{
	zs_stats st;
	char *s = NULL;

	if (zs_stats_compute(&a, 1, t, top, &st) == 0)
		s = report_string(a, t, &st);
	zs_stats_free(&st);
	return s;
}
