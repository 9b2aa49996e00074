/* SPDX-License-Identifier: MIT */
/*
 * report_extract.c - what extraction did: unzip-style lines on standard
 * output ("  inflating: a/b"), every warning and error on standard error,
 * or one JSON object.  Always in central-directory order, so the output is
 * the same for every thread count.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *refusal_text(int r)
{
	switch (r) {
	case ZS_REFUSE_CONTROL: return "name has NUL or control bytes";
	case ZS_REFUSE_EMPTY: return "nothing is left of the name once "
				     "cleaned";
	case ZS_REFUSE_STRICT: return "name is not a plain relative path "
				      "(--strict)";
	case ZS_REFUSE_LINK_ABSOLUTE: return "symlink target is absolute";
	case ZS_REFUSE_LINK_ESCAPES: return "symlink target leads outside "
					    "the target directory";
	case ZS_REFUSE_LINK_EMPTY: return "symlink target is empty";
	case ZS_REFUSE_LINK_LONG: return "symlink target is too long";
	}
	return "refused";
}

static const char *step_text(int s)
{
	switch (s) {
	case ZS_STEP_DIR: return "cannot open or make its directory";
	case ZS_STEP_EXISTS: return "exists; not overwritten (-o replaces, "
				    "-n skips)";
	case ZS_STEP_CREATE: return "cannot create";
	case ZS_STEP_WRITE: return "cannot write";
	case ZS_STEP_ATTR: return "cannot set mode or time";
	case ZS_STEP_LINK: return "cannot put in place";
	}
	return "";
}

static const char *action_name(int act)
{
	static const char *const names[] = {
		"none", "written", "skipped", "duplicate", "refused", "failed",
		"unchanged", "newer",
	};
	return names[act];
}

/* The fixes made to a name, as "absolute path, \"..\" components". */
static void fixes_text(unsigned fixes, char *out, size_t len)
{
	static const char *const what[] = {
		"absolute path", "drive letter", "\"..\" components",
		"backslashes", "empty components",
	};
	size_t o = 0;
	out[0] = '\0';
	for (unsigned b = 0; b < 5; b++)
		if (fixes & (1u << b))
			o += (size_t)snprintf(out + o, len - o, "%s%s",
					      o ? ", " : "", what[b]);
}

/* Why entry i was not written, or "" if it was. */
static void extract_problem(const zs_archive *a, const zs_extraction *x, size_t i,
			char *out, size_t len)
{
	out[0] = '\0';
	switch (x->action[i]) {
	case ZS_ACT_DUPLICATE:
		snprintf(out, len, "skipped: a later entry has the same path%s",
			 x->case_insensitive ? " (the target folds case)" : "");
		break;
	case ZS_ACT_REFUSED:
		snprintf(out, len, "refused: %s", refusal_text(x->refusal[i]));
		break;
	case ZS_ACT_FAILED:
		if (x->step[i] == ZS_STEP_EXISTS)
			snprintf(out, len, "%s", x->write_errno[i] == EISDIR ?
				 "a directory of that name is in the way" :
				 "exists; not overwritten (-o replaces, -n "
				 "skips)");
		else if (x->step[i])
			snprintf(out, len, "%s: %s", step_text(x->step[i]),
				 strerror(x->write_errno[i]));
		else
			zs_entry_error(a, i, out, len);
		break;
	}
}


/* A link target is the entry's raw bytes: made valid UTF-8 first (each
 * invalid byte U+FFFD), so that JSON stays valid and a lone 0x9b (8-bit
 * CSI) never reaches a terminal, then escaped as text or JSON. */
static void put_link_target(FILE *f, const char *t, int json)
{
	size_t n = strlen(t);
	char *buf = malloc(3 * n + 1);

	if (!buf) {
		fputs(json ? "\"?\"" : "?", f);
		return;
	}
	zs_utf8_sanitize((const uint8_t *)t, n, buf);
	if (json)
		zs_put_json_str(f, buf);
	else
		zs_put_text(f, buf);
	free(buf);
}

static void put_entry_line(const zs_archive *a, const zs_extraction *x,
			   size_t i, FILE *f)
{
	const char *verb = "inflating";
	if (zs_entry_is_symlink(a, i))
		verb = "linking";
	else if (zs_entry_is_dir(a, i))
		verb = "creating";
	else if (a->index.method[i] == ZS_METHOD_STORED)
		verb = "extracting";
	fprintf(f, "%11s: ", verb);
	zs_put_text(f, x->path[i]);
	if (zs_entry_is_dir(a, i) && !zs_entry_is_symlink(a, i))
		putc('/', f);
	if (x->link_target[i]) {
		fputs(" -> ", f);
		put_link_target(f, x->link_target[i], 0);
	}
	putc('\n', f);
}

static void put_problem(const zs_archive *a, const zs_extraction *x,
			size_t i, char *name, FILE *err)
{
	char why[600];
	extract_problem(a, x, i, why, sizeof(why));
	zs_entry_name_utf8(a, i, name);
	zs_put_text(err, a->path);
	fprintf(err, ": entry %zu \"", i);
	zs_put_text(err, name);
	fprintf(err, "\" (offset %llu): %s\n",
		(unsigned long long)a->index.local_offset[i], why);
}

static void put_fixes(const zs_archive *a, const zs_extraction *x, size_t i,
		      char *name, FILE *err)
{
	char what[128];
	fixes_text(x->fixes[i], what, sizeof(what));
	zs_entry_name_utf8(a, i, name);
	zs_put_text(err, a->path);
	fprintf(err, ": entry %zu \"", i);
	zs_put_text(err, name);
	fprintf(err, "\": warning: stripped %s; written as ", what);
	zs_put_text(err, x->path[i]);
	putc('\n', err);
}

int zs_report_extract_text(const zs_archive *a, const zs_extraction *x,
			   int quiet, FILE *out, FILE *err)
{
	char *name = zs_name_buf(&a, 1);

	if (!name)
		return -1;
	if (!quiet) {
		fputs("Archive:  ", out);
		zs_put_text(out, a->path);
		putc('\n', out);
	}
	zs_put_findings(a, quiet, err);
	for (size_t i = 0; i < x->count; i++) {
		if (x->fixes[i] && x->path[i])
			put_fixes(a, x, i, name, err);
		if (x->action[i] == ZS_ACT_WRITTEN && !quiet)
			put_entry_line(a, x, i, out);
		else if (x->action[i] >= ZS_ACT_DUPLICATE &&
			 x->action[i] <= ZS_ACT_FAILED)
			put_problem(a, x, i, name, err);
	}
	/* -u / -f: what was left alone, counted */
	if (!quiet && (x->unchanged || x->newer))
		fprintf(out, "  unchanged: %llu, kept (newer on disk): %llu\n",
			(unsigned long long)x->unchanged,
			(unsigned long long)x->newer);
	if (x->disk_full) {
		zs_put_text(err, a->path);
		fputs(": no space left on the device; extraction stopped\n",
		      err);
	}
	free(name);
	return ferror(out) ? -1 : 0;
}

int zs_report_extract_json(const zs_archive *a, const zs_extraction *x,
			   const zs_totals *t, int status, FILE *f)
{
	char *name = zs_name_buf(&a, 1), why[600];
	size_t n = 0;

	if (!name)
		return -1;
	fputs("{\"archive\":", f);
	zs_put_json_path(f, a->path);
	fputs(",\"entries\":[", f);
	for (size_t i = 0; i < a->index.count; i++) {
		if (!a->index.selected[i])
			continue;
		if (n++)
			putc(',', f);
		zs_json_entry_open(a, i, 1, name, f);
		fprintf(f, ",\"action\":\"%s\"", action_name(x->action[i]));
		if (x->path[i]) {
			fputs(",\"path\":", f);
			zs_put_json_str(f, x->path[i]);
		}
		if (x->link_target[i]) {
			fputs(",\"link_target\":", f);
			put_link_target(f, x->link_target[i], 1);
		}
		if (x->fixes[i]) {
			fixes_text(x->fixes[i], why, sizeof(why));
			fputs(",\"stripped\":", f);
			zs_put_json_str(f, why);
		}
		extract_problem(a, x, i, why, sizeof(why));
		if (why[0]) {
			fputs(",\"problem\":", f);
			zs_put_json_str(f, why);
		}
		putc('}', f);
	}
	fputs("],", f);
	zs_json_findings(a, f);
	fprintf(f, ",\"summary\":{\"entries\":%zu,\"files\":%llu,"
		"\"directories\":%llu,\"links\":%llu,\"skipped\":%llu,"
		"\"failed\":%llu,\"unchanged\":%llu,\"newer\":%llu,"
		"\"bytes_out\":%llu,\"disk_full\":%s,"
		"\"status\":%d},\"timing\":{\"threads\":%d,"
		"\"seconds_open\":%.6f,\"seconds_extract\":%.6f}}\n", n,
		(unsigned long long)x->files, (unsigned long long)x->dirs,
		(unsigned long long)x->links, (unsigned long long)x->skipped,
		(unsigned long long)x->failed,
		(unsigned long long)x->unchanged, (unsigned long long)x->newer,
		(unsigned long long)x->bytes,
		x->disk_full ? "true" : "false", status, t->threads,
		a->seconds_open, x->seconds);
	free(name);
	return ferror(f) ? -1 : 0;
}
