/* SPDX-License-Identifier: MIT */
/*
 * test_audit.c - the structural audit (`zipscan check`, and the same
 * findings from test, stats and extract), --strict, the output limits
 * checked before decoding, and an archive that shrinks while mapped.
 */
#include <fcntl.h>
#include <unistd.h>

#include "helpers.h"

/* Run `zipscan ARGS` with JSON on stdout into out; returns the status. */
#define zs_json(out, ...) run(out, sizeof(out), ZS_BIN " " __VA_ARGS__)

/* Does the JSON hold a finding with this code at this offset? */
static int has_finding(const char *json, const char *code, long long offset)
{
	char want[160];
	snprintf(want, sizeof(want), "\"offset\":%lld,", offset);
	for (const char *p = json; (p = strstr(p, want)); p++) {
		const char *end = strchr(p, '}');
		char c[80];
		snprintf(c, sizeof(c), "\"code\":\"%s\"", code);
		const char *q = strstr(p, c);
		if (q && end && q < end)
			return 1;
	}
	return 0;
}

static int count_of(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

Test(audit, clean_archive_has_no_findings)
{
	char out[8192];
	cr_assert_eq(zs_json(out, "check --json %s",
			     fixture("audit-clean.zip")), 0, "%s", out);
	cr_assert(strstr(out, "\"findings\":[]"), "%s", out);
	cr_assert_eq(zs_json(out, "check --strict %s",
			     fixture("audit-clean.zip")), 0, "%s", out);
}

/* Each name finding names its entry at the offset of its name. */
Test(audit, unsafe_and_colliding_names)
{
	zs_archive a;
	zs_options o;
	char out[16384];

	zs_options_init(&o);
	zs_archive_open(&a, fixture("audit-names.zip"), &o);
	cr_assert_eq(zs_json(out, "check --json %s",
			     fixture("audit-names.zip")), 1, "%s", out);
	const struct { const char *code; const char *entry; int central; }
	want[] = {
		{ "dotdot-name", "../up.txt", 0 },
		{ "absolute-name", "/abs.txt", 0 },
		{ "backslash-name", "win\\path.txt", 0 },
		{ "empty-component", "x//y.txt", 0 },
		{ "case-duplicate", "case.txt", 1 },
		{ "directory-with-data", "dir/", 1 },
	};
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		long e = find_entry(&a, want[k].entry);
		cr_assert_geq(e, 0, "%s", want[k].entry);
		long long off = want[k].central ? a.index.central_offset[e] :
				a.index.name_offset[e];
		cr_expect(has_finding(out, want[k].code, off), "%s at %lld: %s",
			  want[k].code, off, out);
	}
	/* duplicates: the later of the two is named, at its central record */
	cr_expect(has_finding(out, "duplicate-name",
			      a.index.central_offset[7]), "%s", out);
	cr_expect(has_finding(out, "duplicate-path",
			      a.index.central_offset[9]), "%s", out);
	cr_expect(strstr(out, "\"severity\":\"warning\""));
	zs_archive_close(&a);

	cr_assert_eq(zs_json(out, "check --strict --json %s",
			     fixture("audit-names.zip")), 3, "%s", out);
	cr_expect(!strstr(out, "\"severity\":\"warning\""), "%s", out);
}

Test(audit, extra_fields_hidden_headers_and_end_records)
{
	char out[8192];

	cr_assert_eq(zs_json(out, "check --json %s",
			     fixture("audit-extra.zip")), 1);
	cr_expect(strstr(out, "\"code\":\"zip64-extra-length\""), "%s", out);
	cr_expect(strstr(out, "\"code\":\"duplicate-extra\""), "%s", out);

	/* the hidden header is entry "b"'s, right after "a"'s data */
	zs_archive a;
	zs_options o;
	zs_options_init(&o);
	zs_archive_open(&a, fixture("audit-hidden.zip"), &o);
	long long after_a = (long long)(a.index.data_offset[0] +
					a.index.comp_size[0]);
	zs_archive_close(&a);
	cr_assert_eq(zs_json(out, "check --json %s",
			     fixture("audit-hidden.zip")), 1);
	cr_expect(has_finding(out, "unlisted-local-header", after_a), "%s",
		  out);

	cr_assert_eq(zs_json(out, "check --json %s",
			     fixture("audit-eocd.zip")), 1);
	cr_expect(strstr(out, "\"code\":\"end-record-candidates\""), "%s",
		  out);
}

/* Past ten of a kind, one line counts the rest: a hostile archive cannot
 * flood the report. */
Test(audit, findings_of_a_kind_are_capped)
{
	char out[16384];
	cr_assert_eq(zs_json(out, "check --json %s",
			     fixture("audit-many.zip")), 1);
	cr_expect_eq(count_of(out, "\"code\":\"dotdot-name\""), 11, "%s", out);
	cr_expect(strstr(out, "15 entries in all"), "%s", out);
}

/* The findings of check are the findings of test, stats and extract. */
Test(audit, every_command_reports_the_same_findings)
{
	const char *names[] = { "audit-names.zip", "audit-hidden.zip",
				"audit-eocd.zip" };
	char *t = NULL;
	cr_assert(asprintf(&t, "/tmp/zs-audit-%d", getpid()) > 0);
	for (size_t k = 0; k < 3; k++) {
		char cmd[6144], fs[4][8192];
		const char *forms[] = { "check --json", "test --json",
					"stats --json", "extract --json -d" };
		for (int f = 0; f < 4; f++) {
			char dir[128] = "";
			if (f == 3)
				snprintf(dir, sizeof(dir), " %s/%zu", t, k);
			snprintf(cmd, sizeof(cmd), "%s %s%s %s | python3 -c "
				 "'import json,sys; print(json.dumps(json."
				 "loads(sys.stdin.readline())[\"findings\"]))'",
				 ZS_BIN, forms[f], dir, fixture(names[k]));
			run(fs[f], sizeof(fs[f]), "%s", cmd);
			cr_assert_gt(strlen(fs[f]), 10, "%s", cmd);
		}
		for (int f = 1; f < 4; f++)
			cr_expect_str_eq(fs[f], fs[0], "%s: %s", names[k],
					 forms[f]);
	}
	run(NULL, 0, "rm -rf %s", t);
	free(t);
}

/* Corpus archives with one known finding each. */
Test(audit, corpus_findings)
{
	NEED_CORPUS();
	const struct { const char *file, *code; long long offset; } c[] = {
		{ "libzip/gap.zip", "gap", 50 },
		{ "libzip/incons-gap-before-cd.zip", "gap", 37 },
		{ "golang-go/dupdir.zip", "duplicate-path", -1 },
		{ "libzip/filename_duplicate.zip", "duplicate-name", -1 },
		{ "libzip/zip-in-archive-comment.zip", "end-record-candidates",
		  123 },
		{ "libzip/incons-eocd64-gap.zip", "zip64-record-size", 104 },
		{ "libzip/incons-filename-nul-byte.zip", "control-name", -1 },
		{ "golang-go/test-trailing-junk.zip", "trailing-bytes", -1 },
	};
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		char out[16384], code[80];
		int st = zs_json(out, "check --json %s", corpus_file(c[k].file));
		cr_expect_eq(st, 1, "%s: %d", c[k].file, st);
		snprintf(code, sizeof(code), "\"code\":\"%s\"", c[k].code);
		cr_expect(c[k].offset < 0 ? strstr(out, code) != NULL :
			  has_finding(out, c[k].code, c[k].offset), "%s: %s",
			  c[k].file, out);
		cr_expect_eq(zs_json(out, "check --strict %s",
				     corpus_file(c[k].file)), 3, "%s", c[k].file);
	}
}
