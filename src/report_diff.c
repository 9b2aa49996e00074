/* SPDX-License-Identifier: MIT */
/*
 * report_diff.c - what `zipscan diff` prints: a line per difference in
 * name order and a summary line (text), one JSON object, or CSV with a
 * header and a row per difference, every text column quoted so that
 * sniffers (sqlite3's .import, DuckDB) read the types right.  Entries that
 * are the same are counted, not listed.
 */
#include <stdlib.h>
#include <time.h>

#include "internal.h"

static const char *kind_name(int kind)
{
	static const char *const names[] = {
		"same", "added", "removed", "changed", "error",
	};
	return kind >= 0 && kind <= ZS_DIFF_ERROR ? names[kind] : "?";
}

/* "2024-05-01T12:00:00Z" (the item's time is UTC seconds). */
static void utc_text(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm)) {
		snprintf(out, 32, "?");
		return;
	}
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const zs_diff_item *old_of(const zs_diff_list *l,
				  const zs_diff_change *c)
{
	return c->old_item >= 0 ? &l->items[c->old_item] : NULL;
}

static const zs_diff_item *new_of(const zs_diff_list *l,
				  const zs_diff_change *c)
{
	return c->new_item >= 0 ? &l->items[c->new_item] : NULL;
}

/* The item that names the change (the new one if there is one). */
static const zs_diff_item *named(const zs_diff_list *o, const zs_diff_list *n,
				 const zs_diff_change *c)
{
	const zs_diff_item *it = new_of(n, c);
	return it ? it : old_of(o, c);
}

/* The bits of what, as "size,crc32,content,method,mtime" pieces. */
static void what_list(unsigned what, const char *sep, const char *quote,
		      FILE *f)
{
	static const char *const names[] = {
		"size", "crc32", "content", "method", "mtime",
	};
	int first = 1;
	for (unsigned b = 0; b < 5; b++) {
		if (!(what & (1u << b)))
			continue;
		fprintf(f, "%s%s%s%s", first ? "" : sep, quote, names[b], quote);
		first = 0;
	}
}

/* ---- text ---------------------------------------------------------- */

static void text_changed(const zs_diff_item *x, const zs_diff_item *y,
			 unsigned what, FILE *f)
{
	char tx[32], ty[32];
	const char *sep = "";

	if (what & ZS_DIFF_SIZE) {
		fprintf(f, "size %llu -> %llu", (unsigned long long)x->size,
			(unsigned long long)y->size);
		sep = ", ";
	}
	if (what & ZS_DIFF_CRC) {
		fprintf(f, "%sCRC-32 %08x -> %08x", sep, x->crc32, y->crc32);
		sep = ", ";
	}
	if (what & ZS_DIFF_CONTENT) {
		fprintf(f, "content: same size %llu and CRC-32 %08x, XXH3-128 "
			"differs", (unsigned long long)x->size, x->crc32);
		sep = ", ";
	}
	if (what & ZS_DIFF_METHOD)
		fprintf(f, "%smethod %s -> %s", sep, zs_method_name(x->method),
			zs_method_name(y->method));
	if (what & ZS_DIFF_MTIME) {
		utc_text(x->mtime, tx);
		utc_text(y->mtime, ty);
		fprintf(f, ", time %s -> %s", tx, ty);
	}
}

static void text_line(const zs_diff_list *o, const zs_diff_list *n,
		      const zs_diff_change *c, FILE *f)
{
	const zs_diff_item *x = old_of(o, c), *y = new_of(n, c);
	const zs_diff_item *it = y ? y : x;

	fprintf(f, "%-8s ", kind_name(c->kind));
	zs_put_text(f, it->name);
	fputs("  (", f);
	if (c->kind == ZS_DIFF_CHANGED) {
		text_changed(x, y, c->what, f);
	} else if (c->kind == ZS_DIFF_ERROR) {
		fprintf(f, "cannot compare the contents: %s entry %lld: ",
			c->error_side ? "new" : "old",
			(long long)(c->error_side ? y : x)->index);
		zs_put_text(f, c->error ? c->error : "?");
	} else {
		fprintf(f, "%llu bytes, CRC-32 %08x",
			(unsigned long long)it->size, it->crc32);
	}
	fputs(")\n", f);
}

int zs_report_diff_text(const zs_diff_list *o, const zs_diff_list *n,
			const zs_diff *d, int quiet, FILE *f)
{
	if (quiet)
		return 0;
	for (size_t k = 0; k < d->count; k++)
		if (d->changes[k].kind != ZS_DIFF_SAME)
			text_line(o, n, &d->changes[k], f);
	zs_put_text(f, o->label);
	fputs(" -> ", f);
	zs_put_text(f, n->label);
	fprintf(f, ": %llu added, %llu removed, %llu changed, %llu same",
		(unsigned long long)d->added, (unsigned long long)d->removed,
		(unsigned long long)d->changed, (unsigned long long)d->same);
	if (d->errors)
		fprintf(f, ", %llu not compared", (unsigned long long)d->errors);
	if (d->hashed)
		fputs(" (contents compared by XXH3-128)", f);
	fputs(".\n", f);
	for (int s = 0; s < 2; s++) {
		const zs_diff_list *l = s ? n : o;
		if (!l->shadowed)
			continue;
		zs_put_text(f, l->label);
		fprintf(f, ": %zu entr%s shadowed by a later one of the same "
			"name; the last of each name is compared.\n",
			l->shadowed, l->shadowed == 1 ? "y" : "ies");
	}
	return ferror(f) ? -1 : 0;
}

/* ---- JSON ---------------------------------------------------------- */

static void json_item(const char *key, const zs_diff_item *it, FILE *f)
{
	char when[32];

	utc_text(it->mtime, when);
	fprintf(f, ",\"%s\":{\"index\":%lld,\"size\":%llu,\"crc32\":\"%08x\","
		"\"method\":\"%s\",\"mtime\":\"%s\",\"is_dir\":%s", key,
		(long long)it->index, (unsigned long long)it->size, it->crc32,
		zs_method_name(it->method), when, it->is_dir ? "true" : "false");
	if (it->has_hash)
		fprintf(f, ",\"xxh3_128\":\"%016llx%016llx\"",
			(unsigned long long)it->hash[0],
			(unsigned long long)it->hash[1]);
	putc('}', f);
}

static void json_change(const zs_diff_list *o, const zs_diff_list *n,
			const zs_diff_change *c, FILE *f)
{
	fprintf(f, "{\"change\":\"%s\",\"name\":", kind_name(c->kind));
	zs_put_json_path(f, named(o, n, c)->name);
	if (c->kind == ZS_DIFF_CHANGED) {
		fputs(",\"what\":[", f);
		what_list(c->what, ",", "\"", f);
		putc(']', f);
	}
	if (c->kind == ZS_DIFF_ERROR) {
		fprintf(f, ",\"side\":\"%s\",\"status\":%d,\"error\":",
			c->error_side ? "new" : "old", c->status);
		zs_put_json_path(f, c->error ? c->error : "?");
	}
	if (old_of(o, c))
		json_item("old", old_of(o, c), f);
	if (new_of(n, c))
		json_item("new", new_of(n, c), f);
	putc('}', f);
}

int zs_report_diff_json(const zs_diff_list *o, const zs_diff_list *n,
			const zs_diff *d, int status, FILE *f)
{
	size_t shown = 0;

	fputs("{\"old\":", f);
	zs_put_json_path(f, o->label);
	fputs(",\"new\":", f);
	zs_put_json_path(f, n->label);
	fprintf(f, ",\"hashed\":%s,\"changes\":[", d->hashed ? "true" :
		"false");
	for (size_t k = 0; k < d->count; k++) {
		if (d->changes[k].kind == ZS_DIFF_SAME)
			continue;
		if (shown++)
			putc(',', f);
		json_change(o, n, &d->changes[k], f);
	}
	fprintf(f, "],\"shadowed\":{\"old\":%zu,\"new\":%zu},\"summary\":{"
		"\"added\":%llu,\"removed\":%llu,\"changed\":%llu,"
		"\"same\":%llu,\"errors\":%llu,\"status\":%d}}\n", o->shadowed,
		n->shadowed, (unsigned long long)d->added,
		(unsigned long long)d->removed, (unsigned long long)d->changed,
		(unsigned long long)d->same, (unsigned long long)d->errors,
		status);
	return ferror(f) ? -1 : 0;
}

/* ---- CSV ----------------------------------------------------------- */

/* A text field, always quoted. */
static void csv_text(FILE *f, const char *s)
{
	zs_put_csv(f, s, 1);
}

/* Both sides' size, CRC-32, method and time columns, old then new
 * for each; empty (no quotes: NULL to an importer) for a missing side. */
static void csv_sides(const zs_diff_item *x, const zs_diff_item *y,
		      FILE *f)
{
	char text[32];

	for (int col = 0; col < 4; col++) {
		for (int s = 0; s < 2; s++) {
			const zs_diff_item *it = s ? y : x;
			putc(',', f);
			if (!it)
				continue;
			if (col == 0)
				fprintf(f, "%llu", (unsigned long long)it->size);
			else if (col == 1)
				fprintf(f, "\"%08x\"", it->crc32);
			else if (col == 2)
				csv_text(f, zs_method_name(it->method));
			else {
				utc_text(it->mtime, text);
				csv_text(f, text);
			}
		}
	}
}

int zs_report_diff_csv(const zs_diff_list *o, const zs_diff_list *n,
		       const zs_diff *d, FILE *f)
{
	fputs("change,name,old_size,new_size,old_crc32,new_crc32,old_method,"
	      "new_method,old_mtime,new_mtime,what,error\r\n", f);
	for (size_t k = 0; k < d->count; k++) {
		const zs_diff_change *c = &d->changes[k];
		if (c->kind == ZS_DIFF_SAME)
			continue;
		csv_text(f, kind_name(c->kind));
		putc(',', f);
		csv_text(f, named(o, n, c)->name);
		csv_sides(old_of(o, c), new_of(n, c), f);
		fputs(",\"", f);
		what_list(c->what, " ", "", f);
		fputs("\",", f);
		if (c->error)
			csv_text(f, c->error);
		fputs("\r\n", f);
	}
	return ferror(f) ? -1 : 0;
}
