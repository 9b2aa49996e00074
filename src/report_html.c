/* SPDX-License-Identifier: MIT */
/*
 * report_html.c - the stats report as one self-contained HTML page: no
 * network, inline CSS, an SVG bar chart per distribution (method mix,
 * ratio histogram, size histogram, extension breakdown), and tables that
 * sort when a column header is clicked (a few lines of inline script).
 * Sizes read "1.5 MiB" as in the text report; each such cell carries the
 * exact bytes in data-v (what the sort uses) and in its title.
 */
#include <stdlib.h>

#include "internal.h"

#define ZS_HTML_ROWS 25          /* rows per table and bars per chart */
#define ZS_BAR_WIDTH 360
#define ZS_BAR_ROW 18

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s < 0x20)
				fprintf(f, "&#x%x;", 0x2400 + *s);  /* ␛ etc. */
			else
				putc(*s, f);
		}
	}
}

void zs_report_html_begin(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>zipscan: ", f);
	esc(f, title);
	fputs("</title>\n<style>\n"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
	      "h1{font-size:1.5em}h2{border-bottom:2px solid #4a7;"
	      "margin-top:2em}\n"
	      "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
	      "th,td{padding:2px 8px;border-bottom:1px solid #ddd;"
	      "text-align:left}\n"
	      "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	      "th{background:#eef5f0}\n"
	      "table.sortable th{cursor:pointer;user-select:none}\n"
	      "table.sortable th:after{content:' \\2195';color:#999}\n"
	      ".charts{display:flex;flex-wrap:wrap;gap:1.5em}\n"
	      "figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}\n"
	      "svg text{font:11px sans-serif}\n"
	      "</style></head><body>\n<h1>zipscan stats: ", f);
	esc(f, title);
	fputs("</h1>\n", f);
}

/* A bar's value: a count, or bytes in human units. */
static void bar_value(FILE *f, uint64_t v, int bytes, int x, int y)
{
	char h[ZS_HUMAN_SIZE];
	if (bytes)
		zs_human_size(v, h);
	else
		snprintf(h, sizeof(h), "%llu", (unsigned long long)v);
	fprintf(f, "<title>%llu%s</title></rect><text x=\"%d\" y=\"%d\">%s"
		"</text>", (unsigned long long)v, bytes ? " bytes" : "", x, y,
		h);
}

/* A horizontal bar chart: one SVG. */
static void svg_bars(FILE *f, const char *caption, const char **labels,
		     const uint64_t *values, int n, int bytes)
{
	uint64_t max = 0;
	for (int k = 0; k < n; k++)
		max = values[k] > max ? values[k] : max;
	fputs("<figure><figcaption>", f);
	esc(f, caption);
	fprintf(f, "</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\" role=\"img\">", ZS_BAR_WIDTH + 200,
		n * ZS_BAR_ROW + 4);
	for (int k = 0; k < n; k++) {
		int w = max ? (int)((double)values[k] / (double)max *
				    ZS_BAR_WIDTH) : 0;
		int y = k * ZS_BAR_ROW;
		fputs("<text x=\"96\" text-anchor=\"end\" ", f);
		fprintf(f, "y=\"%d\">", y + 13);
		esc(f, labels[k]);
		fprintf(f, "</text><rect x=\"100\" y=\"%d\" width=\"%d\" "
			"height=\"%d\" fill=\"#4a7\">", y + 2, w,
			ZS_BAR_ROW - 4);
		bar_value(f, values[k], bytes, 104 + w, y + 13);
	}
	fputs("</svg></figure>\n", f);
}

static void charts(const zs_stats *s, FILE *f)
{
	const char *labels[ZS_SIZE_BUCKETS];
	uint64_t values[ZS_SIZE_BUCKETS];
	char buf[ZS_SIZE_BUCKETS][24];
	int n = 0;

	fputs("<div class=\"charts\">\n", f);
	for (size_t k = 0; k < s->n_methods && n < ZS_HTML_ROWS; k++, n++) {
		labels[n] = zs_method_name(s->methods[k].method);
		values[n] = s->methods[k].comp;
	}
	svg_bars(f, "Method mix (compressed bytes)", labels, values, n, 1);
	for (n = 0; n < ZS_RATIO_BUCKETS; n++) {
		snprintf(buf[n], sizeof(buf[n]), n < ZS_RATIO_BUCKETS - 1 ?
			 "%d-%d%%" : "over 100%%", n * 10, n * 10 + 10);
		labels[n] = buf[n];
		values[n] = s->ratio_hist[n];
	}
	svg_bars(f, "Compression ratio (files)", labels, values, n, 0);
	int lo = 0, hi = 0;
	for (int b = 0; b < ZS_SIZE_BUCKETS; b++)
		if (s->size_hist[b])
			hi = b + 1, lo = lo ? lo : b + 1;
	/* the text report's labels: "empty", "512 B+", "1 KiB+" */
	for (n = 0; lo && n < hi - lo + 1; n++) {
		int b = lo - 1 + n;
		zs_size_bucket_label(b, buf[n]);
		labels[n] = buf[n];
		values[n] = s->size_hist[b];
	}
	svg_bars(f, "Uncompressed size (entries)", labels, values, n, 0);
	for (n = 0; (size_t)n < s->n_ext && n < ZS_HTML_ROWS; n++) {
		labels[n] = s->ext[n].key;
		values[n] = s->ext[n].uncomp;
	}
	svg_bars(f, "Extensions (uncompressed bytes)", labels, values, n, 1);
	fputs("</div>\n", f);
}

static void table_head(FILE *f, const char *caption, const char *cols)
{
	fputs("<h3>", f);
	esc(f, caption);
	fputs("</h3><table class=\"sortable\"><thead><tr>", f);
	for (const char *c = cols; *c; c += strlen(c) + 1)
		fprintf(f, "<th>%s</th>", c);
	fputs("</tr></thead><tbody>\n", f);
}

static void td_num(FILE *f, uint64_t v)
{
	fprintf(f, "<td class=\"n\">%llu</td>", (unsigned long long)v);
}

static void td_size(FILE *f, uint64_t v)
{
	char h[ZS_HUMAN_SIZE];
	zs_human_size(v, h);
	fprintf(f, "<td class=\"n\" data-v=\"%llu\" title=\"%llu bytes\">%s"
		"</td>", (unsigned long long)v, (unsigned long long)v, h);
}

static void td_ratio(FILE *f, uint64_t comp, uint64_t uncomp)
{
	fprintf(f, "<td class=\"n\">%.1f%%</td>",
		uncomp ? 100.0 * (double)comp / (double)uncomp : 0.0);
}

static void table_refs(const zs_stats *s, const char *caption,
		       const zs_ref *r, size_t n, char *name, FILE *f)
{
	table_head(f, caption, "name\0uncompressed\0compressed\0ratio\0");
	for (size_t k = 0; k < n; k++) {
		const zs_index *ix = &s->archives[r[k].archive]->index;
		size_t i = r[k].entry;
		zs_entry_name_utf8(s->archives[r[k].archive], i, name);
		fputs("<tr><td>", f);
		esc(f, name);
		fputs("</td>", f);
		td_size(f, ix->uncomp_size[i]);
		td_size(f, ix->comp_size[i]);
		td_ratio(f, ix->comp_size[i], ix->uncomp_size[i]);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void table_groups(const char *caption, const zs_group *g, size_t n,
			 FILE *f)
{
	table_head(f, caption,
		   "key\0entries\0compressed\0uncompressed\0ratio\0");
	for (size_t k = 0; k < n && k < ZS_HTML_ROWS; k++) {
		fputs("<tr><td>", f);
		esc(f, g[k].key);
		fputs("</td>", f);
		td_num(f, g[k].count);
		td_size(f, g[k].comp);
		td_size(f, g[k].uncomp);
		td_ratio(f, g[k].comp, g[k].uncomp);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void table_dups(const zs_stats *s, char *name, FILE *f)
{
	table_head(f, s->hashed ? "Duplicates (confirmed by XXH3-128)" :
		   "Duplicate candidates (same size and CRC-32)",
		   "entries\0size\0redundant bytes\0CRC-32\0names\0");
	for (size_t k = 0; k < s->n_dups; k++) {
		const zs_dup_group *g = &s->dups[k];
		fputs("<tr>", f);
		td_num(f, g->count);
		td_size(f, g->size);
		td_size(f, g->size * (g->count - 1));
		fprintf(f, "<td>%08x</td><td>", g->crc);
		for (size_t m = 0; m < g->count && m < 5; m++) {
			zs_entry_name_utf8(s->archives[g->members[m].archive],
					   g->members[m].entry, name);
			fputs(m ? ", " : "", f);
			esc(f, name);
		}
		fputs(g->count > 5 ? ", ...</td></tr>\n" : "</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

/* Findings and entries that are not ok, with their offsets. */
static void table_anomalies(const zs_stats *s, char *name, FILE *f)
{
	char err[512];
	size_t rows = 0;
	table_head(f, "Anomalies", "archive\0entry\0offset\0what\0");
	for (size_t k = 0; k < s->n_archives; k++) {
		const zs_archive *a = s->archives[k];
		for (size_t j = 0; j < a->findings_count &&
				   rows < ZS_HTML_ROWS * 4; j++, rows++) {
			fputs("<tr><td>", f);
			esc(f, a->path);
			fputs("</td><td></td>", f);
			td_num(f, a->findings[j].offset);
			fputs("<td>", f);
			esc(f, a->findings[j].text);
			fputs("</td></tr>\n", f);
		}
		for (size_t i = 0; i < a->index.count &&
				   rows < ZS_HTML_ROWS * 4; i++) {
			if (!zs_entry_has_problem(a, i))
				continue;
			zs_entry_name_utf8(a, i, name);
			zs_entry_error(a, i, err, sizeof(err));
			fputs("<tr><td>", f);
			esc(f, a->path);
			fputs("</td><td>", f);
			esc(f, name);
			fputs("</td>", f);
			td_num(f, a->index.local_offset[i]);
			fputs("<td>", f);
			esc(f, err);
			fputs("</td></tr>\n", f);
			rows++;
		}
	}
	fputs("</tbody></table>\n", f);
}

static void summary(const zs_stats *s, FILE *f)
{
	fputs("<table><tbody>", f);
	fprintf(f, "<tr><th>entries</th><td class=\"n\">%llu</td><td>%llu "
		"files, %llu directories, %llu symlinks</td></tr>",
		(unsigned long long)s->entries, (unsigned long long)s->files,
		(unsigned long long)s->dirs, (unsigned long long)s->symlinks);
	char comp[ZS_HUMAN_SIZE], dup[ZS_HUMAN_SIZE];
	zs_human_size(s->comp, comp);
	zs_human_size(s->dup_bytes, dup);
	fputs("<tr><th>size</th>", f);
	td_size(f, s->uncomp);
	fprintf(f, "<td>uncompressed; %s compressed (%.1f%%)</td></tr>", comp,
		s->uncomp ? 100.0 * (double)s->comp / (double)s->uncomp : 0);
	fprintf(f, "<tr><th>tested</th><td class=\"n\">%llu</td><td>ok; %llu "
		"bad, %llu unsupported, %llu encrypted, %llu untested</td>"
		"</tr>", (unsigned long long)s->ok, (unsigned long long)s->bad,
		(unsigned long long)s->unsupported,
		(unsigned long long)s->encrypted,
		(unsigned long long)s->untested);
	fprintf(f, "<tr><th>duplicates</th><td class=\"n\">%llu</td><td>groups"
		" (%s), %s redundant</td></tr>",
		(unsigned long long)s->dup_groups, s->hashed ?
		"confirmed by XXH3-128" : "same size and CRC-32", dup);
	fprintf(f, "<tr><th>names</th><td class=\"n\">%llu</td><td>not "
		"portable; %llu non-ASCII, %llu UTF-8 flag, %llu CP437</td>"
		"</tr>", (unsigned long long)s->names_not_portable,
		(unsigned long long)s->names_non_ascii,
		(unsigned long long)s->names_utf8_flag,
		(unsigned long long)s->names_cp437);
	if (s->has_time)
		fprintf(f, "<tr><th>times</th><td></td><td>%s to %s</td></tr>",
			s->time_min, s->time_max);
	fprintf(f, "<tr><th>anomalies</th><td class=\"n\">%llu</td><td>"
		"</td></tr></tbody></table>\n",
		(unsigned long long)s->anomalies);
}

int zs_report_html_overview(const zs_stats *st, size_t n, FILE *f)
{
	char word[32];
	fprintf(f, "<h2>Overview of %zu archives</h2>\n<table class=\"sortable "
		"overview\"><thead><tr><th>archive</th><th>entries</th>"
		"<th>compressed</th><th>uncompressed</th><th>status</th>"
		"<th>exit</th></tr></thead><tbody>\n", n);
	for (size_t k = 0; k < n; k++) {
		const zs_archive *a = st[k].archives[0];
		fputs("<tr><td>", f);
		esc(f, a->path);
		fputs("</td>", f);
		td_num(f, st[k].entries);
		td_size(f, st[k].comp);
		td_size(f, st[k].uncomp);
		fputs("<td>", f);
		esc(f, zs_archive_word(a, st[k].bad, word));
		fprintf(f, "</td><td class=\"n\">%d</td></tr>\n",
			zs_archive_status(a));
	}
	fputs("</tbody></table>\n", f);
	return ferror(f) ? -1 : 0;
}

void zs_report_html_section(const zs_stats *s, const char *title, FILE *f)
{
	char *name = zs_stats_name_buf(s);
	if (!name)
		return;
	fputs("<section><h2>", f);
	esc(f, title);
	fputs("</h2>\n", f);
	summary(s, f);
	charts(s, f);
	table_head(f, "Methods", "method\0entries\0compressed\0uncompressed\0"
		   "ratio\0");
	for (size_t k = 0; k < s->n_methods; k++) {
		fprintf(f, "<tr><td>%s</td>",
			zs_method_name(s->methods[k].method));
		td_num(f, s->methods[k].count);
		td_size(f, s->methods[k].comp);
		td_size(f, s->methods[k].uncomp);
		td_ratio(f, s->methods[k].comp, s->methods[k].uncomp);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	table_refs(s, "Largest entries", s->largest, s->n_largest, name, f);
	table_refs(s, "Least compressible", s->least, s->n_least, name, f);
	table_refs(s, "Most compressible", s->most, s->n_most, name, f);
	table_groups("By extension", s->ext, s->n_ext, f);
	table_groups("By top-level directory", s->top_dirs, s->n_top_dirs, f);
	table_dups(s, name, f);
	table_anomalies(s, name, f);
	fputs("</section>\n", f);
	free(name);
}

int zs_report_html_end(FILE *f)
{
	/* Click a header to sort by that column; again to reverse. */
	fputs("<script>\n"
	      "document.querySelectorAll('table.sortable th').forEach(function"
	      "(th){th.addEventListener('click',function(){\n"
	      " var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex,"
	      "d=th.dataset.dir==='a'?'d':'a';\n th.dataset.dir=d;\n"
	      " var v=function(r){var c=r.cells[i],s='v' in c.dataset?"
	      "c.dataset.v:c.textContent,n=parseFloat(s);"
	      "return isNaN(n)?s:n};\n"
	      " Array.from(b.rows).sort(function(x,y){var a=v(x),c=v(y),"
	      "r=a<c?-1:a>c?1:0;return d==='a'?r:-r})"
	      ".forEach(function(r){b.appendChild(r)});});});\n"
	      "</script>\n</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
