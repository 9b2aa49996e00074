/* SPDX-License-Identifier: MIT */
/*
 * report_stats.c - the report of `zipscan stats` as aligned text tables,
 * as the JSON "stats" object, as NDJSON (one line per entry, then a summary
 * line: it streams, nothing is held per entry) and as CSV rows (RFC 4180).
 * The HTML page is in report_html.c.
 */
#include <stdlib.h>

#include "internal.h"

/* Rows shown of the extension and directory breakdowns. */
#define ZS_GROUPS_SHOWN 25

/* Sizes for people: "1.5 MiB" (the machine formats below keep bytes). */
typedef struct hsize { char s[ZS_HUMAN_SIZE]; } hsize;
static hsize hs(uint64_t v)
{
	hsize h;
	zs_human_size(v, h.s);
	return h;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void ref_name(const zs_stats *s, zs_ref r, char *name, FILE *f)
{
	if (s->n_archives > 1) {
		zs_put_text(f, s->archives[r.archive]->path);
		fputs(": ", f);
	}
	zs_entry_name_utf8(s->archives[r.archive], r.entry, name);
	zs_put_text(f, name);
}

static void text_refs(const zs_stats *s, const char *title, const zs_ref *r,
		      size_t n, char *name, FILE *f)
{
	fprintf(f, "\n%s\n  %12s  %10s  %7s  name\n", title, "uncompressed",
		"compressed", "ratio");
	for (size_t k = 0; k < n; k++) {
		const zs_index *ix = &s->archives[r[k].archive]->index;
		size_t i = r[k].entry;
		fprintf(f, "  %12s  %10s  %6.1f%%  ",
			hs(ix->uncomp_size[i]).s, hs(ix->comp_size[i]).s,
			pct(ix->comp_size[i], ix->uncomp_size[i]));
		ref_name(s, r[k], name, f);
		putc('\n', f);
	}
}

static void text_groups(const char *title, const zs_group *g, size_t n,
			FILE *f)
{
	fprintf(f, "\n%s (%zu)\n  %-20s %10s %10s %12s %7s\n", title, n, "",
		"entries", "compressed", "uncompressed", "ratio");
	for (size_t k = 0; k < n && k < ZS_GROUPS_SHOWN; k++) {
		fputs("  ", f);
		zs_put_text(f, g[k].key);
		int w = 20 - (int)strlen(g[k].key);
		fprintf(f, "%*s %10llu %10s %12s %6.1f%%\n", w > 0 ? w : 0,
			"", (unsigned long long)g[k].count, hs(g[k].comp).s,
			hs(g[k].uncomp).s, pct(g[k].comp, g[k].uncomp));
	}
	if (n > ZS_GROUPS_SHOWN)
		fprintf(f, "  ... %zu more\n", n - ZS_GROUPS_SHOWN);
}

static void text_bar(const char *label, uint64_t v, uint64_t max, FILE *f)
{
	static const char bar[] = "########################################";
	int w = max ? (int)(40 * v / max) : 0;
	fprintf(f, "  %-12s %10llu  %.*s\n", label, (unsigned long long)v, w,
		bar);
}

static void text_histograms(const zs_stats *s, FILE *f)
{
	static const char *names[ZS_PERCENTILES] = { "p10", "p25", "p50",
						     "p75", "p90", "p99" };
	char label[32];
	uint64_t max = 0;

	fprintf(f, "\nCompression ratio (compressed / uncompressed, %llu files "
		"with data)\n ", (unsigned long long)s->n_ratio);
	for (int p = 0; p < ZS_PERCENTILES; p++)
		fprintf(f, " %s %.1f%%", names[p], s->ratio_pct[p]);
	putc('\n', f);
	for (int b = 0; b < ZS_RATIO_BUCKETS; b++)
		max = s->ratio_hist[b] > max ? s->ratio_hist[b] : max;
	for (int b = 0; b < ZS_RATIO_BUCKETS; b++) {
		if (b < ZS_RATIO_BUCKETS - 1)
			snprintf(label, sizeof(label), "%d-%d%%", b * 10,
				 b * 10 + 10);
		else
			snprintf(label, sizeof(label), "over 100%%");
		text_bar(label, s->ratio_hist[b], max, f);
	}
	int lo = ZS_SIZE_BUCKETS, hi = -1;
	max = 0;
	for (int b = 0; b < ZS_SIZE_BUCKETS; b++)
		if (s->size_hist[b]) {
			lo = b < lo ? b : lo;
			hi = b;
			max = s->size_hist[b] > max ? s->size_hist[b] : max;
		}
	fputs("\nUncompressed size (log2 buckets)\n", f);
	for (int b = lo; b <= hi; b++) {
		zs_size_bucket_label(b, label);
		text_bar(label, s->size_hist[b], max, f);
	}
}

static void text_dups(const zs_stats *s, char *name, FILE *f)
{
	fprintf(f, "\nDuplicates (same size and CRC-32%s): %llu groups, %llu "
		"entries, %s redundant", s->hashed ?
		", confirmed by XXH3-128" : "; candidates, --hash confirms",
		(unsigned long long)s->dup_groups,
		(unsigned long long)s->dup_entries, hs(s->dup_bytes).s);
	if (s->dup_refuted)
		fprintf(f, "; %llu groups with equal CRC-32 but different "
			"content", (unsigned long long)s->dup_refuted);
	putc('\n', f);
	for (size_t k = 0; k < s->n_dups; k++) {
		const zs_dup_group *g = &s->dups[k];
		fprintf(f, "  %zux %s, CRC-32 %08x: ", g->count, hs(g->size).s,
			g->crc);
		for (size_t m = 0; m < g->count && m < 3; m++) {
			fputs(m ? ", " : "", f);
			ref_name(s, g->members[m], name, f);
		}
		fputs(g->count > 3 ? ", ...\n" : "\n", f);
	}
}

static void text_anomalies(const zs_stats *s, FILE *f)
{
	char err[512], *name = zs_stats_name_buf(s);
	fprintf(f, "\nAnomalies (%llu)\n", (unsigned long long)s->anomalies);
	for (size_t k = 0; k < s->n_archives; k++) {
		const zs_archive *a = s->archives[k];
		for (size_t j = 0; j < a->findings_count; j++) {
			const zs_finding *x = &a->findings[j];
			fputs("  ", f);
			zs_put_text(f, a->path);
			fprintf(f, ": %s at offset %llu: ",
				zs_severity_name(x->severity),
				(unsigned long long)x->offset);
			zs_put_text(f, x->text);   /* it may quote a name */
			putc('\n', f);
		}
		for (size_t i = 0; name && i < a->index.count; i++) {
			if (!zs_entry_has_problem(a, i))
				continue;
			zs_entry_error(a, i, err, sizeof(err));
			zs_entry_name_utf8(a, i, name);
			fputs("  ", f);
			zs_put_text(f, a->path);
			fputs(": ", f);
			zs_put_text(f, name);
			fprintf(f, " at offset %llu: %s\n",
				(unsigned long long)a->index.local_offset[i],
				err);
		}
	}
	free(name);
}

static void text_run(const zs_stats *s, FILE *f)
{
	double wall = s->seconds_wall > 0 ? s->seconds_wall :
		      s->seconds_open + s->seconds_scan + s->seconds_stats;
	fprintf(f, "\nRun: %.3f s, %d threads, %s/s in, %s/s out; "
		"open %.0f%%, decode %.0f%%, stats %.0f%%\n", wall, s->threads,
		hs(wall > 0 ? (uint64_t)((double)s->bytes_in / wall) : 0).s,
		hs(wall > 0 ? (uint64_t)((double)s->bytes_out / wall) : 0).s,
		wall > 0 ? 100 * s->seconds_open / wall : 0,
		wall > 0 ? 100 * s->seconds_scan / wall : 0,
		wall > 0 ? 100 * s->seconds_stats / wall : 0);
}

int zs_report_stats_text(const zs_stats *s, const char *title, FILE *f)
{
	char *name = zs_stats_name_buf(s);
	if (!name)
		return -1;
	fputs("== ", f);
	zs_put_text(f, title);
	fprintf(f, "\nEntries   %llu: %llu files, %llu directories, %llu "
		"symlinks\n", (unsigned long long)s->entries,
		(unsigned long long)s->files, (unsigned long long)s->dirs,
		(unsigned long long)s->symlinks);
	fprintf(f, "Size      %s uncompressed, %s compressed: ratio %.1f%%, "
		"%s %s\n", hs(s->uncomp).s, hs(s->comp).s,
		pct(s->comp, s->uncomp), hs(s->uncomp >= s->comp ?
		s->uncomp - s->comp : s->comp - s->uncomp).s,
		s->uncomp >= s->comp ? "saved" : "more than stored");
	fprintf(f, "Tested    %llu ok, %llu bad, %llu unsupported, %llu "
		"encrypted, %llu untested\n", (unsigned long long)s->ok,
		(unsigned long long)s->bad, (unsigned long long)s->unsupported,
		(unsigned long long)s->encrypted,
		(unsigned long long)s->untested);
	fprintf(f, "\nMethods\n  %-10s %10s %10s %12s %7s\n", "", "entries",
		"compressed", "uncompressed", "ratio");
	for (size_t k = 0; k < s->n_methods; k++)
		fprintf(f, "  %-10s %10llu %10s %12s %6.1f%%\n",
			zs_method_name(s->methods[k].method),
			(unsigned long long)s->methods[k].count,
			hs(s->methods[k].comp).s, hs(s->methods[k].uncomp).s,
			pct(s->methods[k].comp, s->methods[k].uncomp));
	text_histograms(s, f);
	text_refs(s, "Largest entries", s->largest, s->n_largest, name, f);
	text_refs(s, "Least compressible", s->least, s->n_least, name, f);
	text_refs(s, "Most compressible", s->most, s->n_most, name, f);
	text_groups("By extension", s->ext, s->n_ext, f);
	text_groups("By top-level directory", s->top_dirs, s->n_top_dirs, f);
	text_dups(s, name, f);
	fprintf(f, "\nNames     %llu with the UTF-8 flag, %llu non-ASCII, %llu "
		"converted from CP437, %llu not portable\n",
		(unsigned long long)s->names_utf8_flag,
		(unsigned long long)s->names_non_ascii,
		(unsigned long long)s->names_cp437,
		(unsigned long long)s->names_not_portable);
	if (s->has_time)
		fprintf(f, "Times     %s to %s\n", s->time_min, s->time_max);
	text_anomalies(s, f);
	text_run(s, f);
	putc('\n', f);
	free(name);
	return ferror(f) ? -1 : 0;
}

int zs_report_overview_text(const zs_stats *st, size_t n, FILE *f)
{
	char word[32];
	fprintf(f, "== Overview of %zu archives\n  %10s %10s %12s  %-11s %4s  "
		"archive\n", n, "entries", "compressed", "uncompressed",
		"status", "exit");
	for (size_t k = 0; k < n; k++) {
		const zs_stats *s = &st[k];
		const zs_archive *a = s->archives[0];
		/* the path last: its width cannot push the columns */
		fprintf(f, "  %10llu %10s %12s  %-11s %4d  ",
			(unsigned long long)s->entries, hs(s->comp).s,
			hs(s->uncomp).s, zs_archive_word(a, s->bad, word),
			zs_archive_status(a));
		zs_put_text(f, a->path);
		putc('\n', f);
	}
	putc('\n', f);
	return ferror(f) ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------- */

static void json_refs(const zs_stats *s, const char *key, const zs_ref *r,
		      size_t n, char *name, FILE *f)
{
	fprintf(f, ",\"%s\":[", key);
	for (size_t k = 0; k < n; k++) {
		const zs_index *ix = &s->archives[r[k].archive]->index;
		zs_entry_name_utf8(s->archives[r[k].archive], r[k].entry, name);
		fputs(k ? ",{" : "{", f);
		if (s->n_archives > 1) {
			fputs("\"archive\":", f);
			zs_put_json_path(f, s->archives[r[k].archive]->path);
			putc(',', f);
		}
		fputs("\"name\":", f);
		zs_put_json_str(f, name);
		fprintf(f, ",\"compressed_size\":%llu,\"uncompressed_size\":"
			"%llu}", (unsigned long long)ix->comp_size[r[k].entry],
			(unsigned long long)ix->uncomp_size[r[k].entry]);
	}
	putc(']', f);
}

static void json_groups(const char *key, const zs_group *g, size_t n,
			FILE *f)
{
	fprintf(f, ",\"%s_count\":%zu,\"%s\":[", key, n, key);
	for (size_t k = 0; k < n && k < ZS_GROUPS_SHOWN; k++) {
		fputs(k ? ",{\"key\":" : "{\"key\":", f);
		zs_put_json_str(f, g[k].key);
		fprintf(f, ",\"entries\":%llu,\"compressed_size\":%llu,"
			"\"uncompressed_size\":%llu}",
			(unsigned long long)g[k].count,
			(unsigned long long)g[k].comp,
			(unsigned long long)g[k].uncomp);
	}
	putc(']', f);
}

static void json_dups(const zs_stats *s, char *name, FILE *f)
{
	fprintf(f, ",\"duplicates\":{\"hashed\":%s,\"groups\":%llu,"
		"\"entries\":%llu,\"redundant_bytes\":%llu,\"refuted\":%llu,"
		"\"top\":[", s->hashed ? "true" : "false",
		(unsigned long long)s->dup_groups,
		(unsigned long long)s->dup_entries,
		(unsigned long long)s->dup_bytes,
		(unsigned long long)s->dup_refuted);
	for (size_t k = 0; k < s->n_dups; k++) {
		const zs_dup_group *g = &s->dups[k];
		fprintf(f, "%s{\"size\":%llu,\"crc32\":\"%08x\",\"count\":%zu,"
			"\"confirmed\":%s,\"names\":[", k ? "," : "",
			(unsigned long long)g->size, g->crc, g->count,
			g->confirmed > 0 ? "true" : "false");
		for (size_t m = 0; m < g->count && m < ZS_GROUPS_SHOWN; m++) {
			zs_entry_name_utf8(s->archives[g->members[m].archive],
					   g->members[m].entry, name);
			if (m)
				putc(',', f);
			zs_put_json_str(f, name);
		}
		fputs("]}", f);
	}
	fputs("]}", f);
}

static void json_numbers(const char *key, const uint64_t *v, int n, FILE *f)
{
	fprintf(f, ",\"%s\":[", key);
	for (int k = 0; k < n; k++)
		fprintf(f, "%s%llu", k ? "," : "", (unsigned long long)v[k]);
	putc(']', f);
}

void zs_stats_json(const zs_stats *s, FILE *f)
{
	char *name = zs_stats_name_buf(s);
	if (!name) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"entries\":%llu,\"files\":%llu,\"dirs\":%llu,"
		"\"symlinks\":%llu,\"compressed_size\":%llu,"
		"\"uncompressed_size\":%llu,\"ratio_pct\":%.2f,"
		"\"saved_bytes\":%lld,\"ok\":%llu,\"bad\":%llu,"
		"\"unsupported\":%llu,\"encrypted\":%llu,\"untested\":%llu,"
		"\"methods\":[", (unsigned long long)s->entries,
		(unsigned long long)s->files, (unsigned long long)s->dirs,
		(unsigned long long)s->symlinks, (unsigned long long)s->comp,
		(unsigned long long)s->uncomp, pct(s->comp, s->uncomp),
		(long long)(s->uncomp - s->comp), (unsigned long long)s->ok,
		(unsigned long long)s->bad, (unsigned long long)s->unsupported,
		(unsigned long long)s->encrypted,
		(unsigned long long)s->untested);
	for (size_t k = 0; k < s->n_methods; k++)
		fprintf(f, "%s{\"method\":%u,\"method_name\":\"%s\","
			"\"entries\":%llu,\"compressed_size\":%llu,"
			"\"uncompressed_size\":%llu}", k ? "," : "",
			s->methods[k].method,
			zs_method_name(s->methods[k].method),
			(unsigned long long)s->methods[k].count,
			(unsigned long long)s->methods[k].comp,
			(unsigned long long)s->methods[k].uncomp);
	fprintf(f, "],\"ratio_files\":%llu,\"ratio_percentiles\":{\"p10\":%.4f,"
		"\"p25\":%.4f,\"p50\":%.4f,\"p75\":%.4f,\"p90\":%.4f,"
		"\"p99\":%.4f}", (unsigned long long)s->n_ratio,
		s->ratio_pct[0], s->ratio_pct[1], s->ratio_pct[2],
		s->ratio_pct[3], s->ratio_pct[4], s->ratio_pct[5]);
	json_numbers("ratio_histogram", s->ratio_hist, ZS_RATIO_BUCKETS, f);
	json_numbers("size_histogram_log2", s->size_hist, ZS_SIZE_BUCKETS, f);
	json_refs(s, "largest", s->largest, s->n_largest, name, f);
	json_refs(s, "least_compressible", s->least, s->n_least, name, f);
	json_refs(s, "most_compressible", s->most, s->n_most, name, f);
	json_groups("extensions", s->ext, s->n_ext, f);
	json_groups("top_dirs", s->top_dirs, s->n_top_dirs, f);
	json_dups(s, name, f);
	fprintf(f, ",\"names\":{\"utf8_flag\":%llu,\"non_ascii\":%llu,"
		"\"cp437\":%llu,\"not_portable\":%llu}",
		(unsigned long long)s->names_utf8_flag,
		(unsigned long long)s->names_non_ascii,
		(unsigned long long)s->names_cp437,
		(unsigned long long)s->names_not_portable);
	if (s->has_time)
		fprintf(f, ",\"time_first\":\"%s\",\"time_last\":\"%s\"",
			s->time_min, s->time_max);
	fprintf(f, ",\"anomalies\":%llu}", (unsigned long long)s->anomalies);
	free(name);
}

/* ---- NDJSON and CSV ------------------------------------------------- */

int zs_report_ndjson(const zs_archive *a, const zs_totals *t,
		     const zs_stats *st, FILE *f)
{
	char *name = a ? zs_name_buf(&a, 1) : NULL;
	if (a && !name)
		return -1;
	for (size_t i = 0; a && i < a->index.count; i++) {
		if (!a->index.selected[i])
			continue;
		fputs("{\"type\":\"entry\",\"archive\":", f);
		zs_put_json_path(f, a->path);
		fputs(",\"entry\":", f);
		zs_json_entry(a, i, st != NULL, name, f);
		fputs("}\n", f);
	}
	free(name);
	if (!a) {
		fprintf(f, "{\"type\":\"total\",\"archives\":%zu,\"stats\":",
			st->n_archives);
		zs_stats_json(st, f);
		fputs("}\n", f);
		return ferror(f) ? -1 : 0;
	}
	fputs("{\"type\":\"summary\",\"archive\":", f);
	zs_put_json_path(f, a->path);
	fprintf(f, ",\"status\":%d,", zs_archive_status(a));
	zs_json_findings(a, f);
	if (st) {   /* list --ndjson has no statistics */
		fputs(",\"stats\":", f);
		zs_stats_json(st, f);
	}
	if (t)
		fprintf(f, ",\"timing\":{\"threads\":%d,\"seconds_open\":%.6f,"
			"\"seconds_scan\":%.6f}", t->threads, a->seconds_open,
			t->seconds_scan);
	fputs("}\n", f);
	return ferror(f) ? -1 : 0;
}

/* A CSV text field, always quoted (RFC 4180), so that sniffers (sqlite3's
 * .import, DuckDB) read every text column as text whatever it holds. */
static void csv_str(FILE *f, const char *s)
{
	zs_put_csv(f, s, 1);
}

void zs_report_csv_header(FILE *f)
{
	fputs("archive,name,method,method_name,compressed_size,"
	      "uncompressed_size,ratio_pct,crc32,is_dir,is_symlink,"
	      "encrypted,mtime,offset,status,error,xxh3_128\r\n", f);
}

int zs_report_csv(const zs_archive *a, int header, FILE *f)
{
	const zs_index *ix = &a->index;
	char *name = zs_name_buf(&a, 1), when[20], err[512];

	if (!name)
		return -1;
	if (header)
		zs_report_csv_header(f);
	for (size_t i = 0; i < ix->count; i++) {
		if (!ix->selected[i])
			continue;
		zs_entry_name_utf8(a, i, name);
		zs_entry_mtime(a, i, when);
		csv_str(f, a->path);
		putc(',', f);
		csv_str(f, name);
		fprintf(f, ",%u,\"%s\",%llu,%llu,%.2f,\"%08x\",%d,%d,%d,\"%s\","
			"%llu,\"%s\",", ix->method[i],
			zs_method_name(ix->method[i]),
			(unsigned long long)ix->comp_size[i],
			(unsigned long long)ix->uncomp_size[i],
			pct(ix->comp_size[i], ix->uncomp_size[i]), ix->crc32[i],
			zs_entry_is_dir(a, i), zs_entry_is_symlink(a, i),
			zs_entry_is_encrypted(a, i), when,
			(unsigned long long)ix->local_offset[i],
			zs_status_name(ix->status[i]));
		zs_entry_error(a, i, err, sizeof(err));
		csv_str(f, err);
		fputs(",\"", f);
		if (ix->xxh128 && ix->status[i] == ZS_ENTRY_OK)
			fprintf(f, "%016llx%016llx",
				(unsigned long long)ix->xxh128[2 * i],
				(unsigned long long)ix->xxh128[2 * i + 1]);
		fputs("\"\r\n", f);
	}
	free(name);
	return ferror(f) ? -1 : 0;
}
