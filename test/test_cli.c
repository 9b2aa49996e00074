/* SPDX-License-Identifier: MIT */
/*
 * test_cli.c - the zipscan command as scripts see it: exit statuses, text
 * and JSON output, -o, standard input, patterns, thread-count independence.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define OUT_CAP (1 << 20)

static int zs(char *out, const char *args)
{
	return run(out, out ? OUT_CAP : 0, "%s %s 2>/dev/null", ZS_BIN, args);
}

Test(cli, every_exit_status)
{
	static const struct { const char *args; int status; } cases[] = {
		{ "test -q %F/basic.zip", 0 },
		{ "test -q %F/prefix.zip", 1 },
		{ "test -q %F/bad-crc.zip", 2 },
		{ "test -q %F/local-name.zip", 2 },
		{ "test -q %F/cd-missing.zip", 3 },
		{ "test -q %F/notzip.bin", 9 },
		{ "test -q %F/no-such.zip", 9 },
		{ "test --bogus %F/basic.zip", 10 },
		{ "test -j 0 %F/basic.zip", 10 },
		{ "frobnicate %F/basic.zip", 10 },   /* never over a zip */
		{ "--frobnicate %F/basic.zip", 10 },
		{ "test -q -i 'nomatch*' %F/basic.zip", 11 },
		{ "test -q %F/overlap-full.zip", 12 },
		{ "test -q %F/unsupported.zip", 81 },
		{ "test -q %F/encrypted-only.zip", 82 },
		/* a batch: the worst of them */
		{ "test -q %F/basic.zip %F/bad-crc.zip %F/prefix.zip", 2 },
		{ "test -q %F/unsupported.zip %F/overlap-full.zip", 12 },
		{ "list %F/basic.zip", 0 },
		{ "list %F/notzip.bin", 9 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char args[1024], *o = args;
		for (const char *p = cases[k].args; *p; p++) {
			if (p[0] == '%' && p[1] == 'F') {
				o += sprintf(o, "%s", ZS_FIXTURES);
				p++;
			} else {
				*o++ = *p;
			}
		}
		*o = '\0';
		cr_expect_eq(zs(NULL, args), cases[k].status, "%s",
			     cases[k].args);
	}
}

Test(cli, test_text_output)
{
	char *out = malloc(OUT_CAP);
	zs(out, "test " ZS_FIXTURES "/bad-crc.zip");
	cr_assert(strstr(out, "bad-crc.zip: a.txt: bad CRC-32: stored "
			 "e6bacc6b, computed e6bacc6a (local header at offset "
			 "0)\n"), "%s", out);
	cr_assert(strstr(out, "1 entries: 0 ok, 1 bad"), "%s", out);
	zs(out, "test " ZS_FIXTURES "/basic.zip");
	cr_assert(strstr(out, "No errors detected in compressed data of "),
		  "%s", out);
	cr_assert_eq(zs(out, "test -q " ZS_FIXTURES "/basic.zip"), 0);
	cr_assert_str_eq(out, "", "-q prints only problems");
	free(out);
}

Test(cli, list_output_like_unzip_v)
{
	char *out = malloc(OUT_CAP);
	cr_assert_eq(zs(out, "list " ZS_FIXTURES "/crafted-ok.zip"), 0);
	cr_assert(strstr(out, "      2000  deflate"), "%s", out);
	cr_assert(strstr(out, "2024-03-14 15:09  "), "%s", out);
	cr_assert(strstr(out, "b.bin\n"), "%s", out);
	cr_assert(strstr(out, "2 files\n"), "%s", out);
	free(out);
}

Test(cli, control_bytes_in_names_cannot_reach_the_terminal)
{
	char *out = malloc(OUT_CAP);
	zs(out, "list " ZS_FIXTURES "/control-name.zip");
	cr_assert_null(strchr(out, 0x1b), "raw ESC printed");
	cr_assert(strstr(out, "evil^[[31mred^G.txt"), "%s", out);
	zs(out, "test --json " ZS_FIXTURES "/control-name.zip");
	cr_assert(strstr(out, "evil\\u001b[31mred\\u0007.txt"), "%s", out);
	free(out);
}

/* Every JSON line must parse, and carry the documented fields. */
Test(cli, json_parses_and_has_the_fields)
{
	const char *check =
		"import json,sys\n"
		"n=0\n"
		"for line in sys.stdin:\n"
		"  o=json.loads(line); n+=1\n"
		"  assert set(o)>={'archive','entries','summary','findings'},o\n"
		"  for e in o['entries']:\n"
		"    for k in ('name','method','method_name','compressed_size',"
		"'uncompressed_size','crc32','is_dir','encrypted','mtime',"
		"'offset','status'):\n"
		"      assert k in e,(k,e)\n"
		"    assert len(e['crc32'])==8\n"
		"    assert ('error' in e)==(e['status']!='ok'),e\n"
		"assert n==4,n\n";
	FILE *f = fopen("/tmp/zs_json_check.py", "w");
	cr_assert_not_null(f);
	fputs(check, f);
	fclose(f);
	int st = run(NULL, 0, "%s test --json %s/basic.zip %s/bad-crc.zip "
		     "%s/cp437.zip %s/encrypted.zip | python3 "
		     "/tmp/zs_json_check.py", ZS_BIN, ZS_FIXTURES, ZS_FIXTURES,
		     ZS_FIXTURES, ZS_FIXTURES);
	cr_assert_eq(st, 0);
}

Test(cli, names_converted_to_utf8)
{
	char *out = malloc(OUT_CAP);
	zs(out, "list --json " ZS_FIXTURES "/cp437.zip");
	cr_assert(strstr(out, "\"name\":\"caf\xc3\xa9-\xc2\xa3.txt\""), "%s",
		  out);
	zs(out, "list --json " ZS_FIXTURES "/utf8-flag.zip");
	cr_assert(strstr(out, "\"name\":\"caf\xc3\xa9-\xe2\x82\xac.txt\""),
		  "%s", out);
	free(out);
}

/* Output is byte-identical for every thread count, timing aside. */
Test(cli, output_independent_of_thread_count)
{
	const char *cmds[] = { "test", "test --json", "list", "list --json" };
	for (int c = 0; c < 4; c++) {
		char *first = malloc(OUT_CAP), *out = malloc(OUT_CAP);
		for (int j = 1; j <= 8; j *= 2) {
			run(j == 1 ? first : out, OUT_CAP,
			    "%s %s -j %d --memory-limit 128K %s/mixed.zip "
			    "%s/bad-deflate.zip %s/basic.zip | sed "
			    "'s/,\"timing\":{[^}]*}//'", ZS_BIN, cmds[c], j,
			    ZS_FIXTURES, ZS_FIXTURES, ZS_FIXTURES);
			if (j > 1)
				cr_assert_str_eq(out, first, "%s -j %d",
						 cmds[c], j);
		}
		cr_assert_gt(strlen(first), 100);
		free(first);
		free(out);
	}
}

Test(cli, output_file_is_written_atomically)
{
	char dir[] = "/tmp/zs_out_XXXXXX", path[64], *out = malloc(OUT_CAP);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.json", dir);
	int st = run(out, OUT_CAP, "%s test --json -o %s %s/basic.zip; ls -a "
		     "%s", ZS_BIN, path, ZS_FIXTURES, dir);
	cr_assert_eq(st, 0);
	cr_assert_str_eq(out, ".\n..\nreport.json\n", "no temporary left");
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_gt(sb.st_size, 1000);
	/* an unwritable destination is exit 50, and leaves nothing */
	cr_assert_eq(zs(NULL, "test -o /proc/zs/nope " ZS_FIXTURES
			"/basic.zip"), 50);
	unlink(path);
	rmdir(dir);
	free(out);
}

Test(cli, standard_input_and_pipes)
{
	char *out = malloc(OUT_CAP);
	int st = run(out, OUT_CAP, "cat %s/basic.zip | %s test -", ZS_FIXTURES,
		     ZS_BIN);
	cr_assert_eq(st, 0);
	cr_assert(strstr(out, "No errors detected in compressed data of -"));
	st = run(out, OUT_CAP, "cat %s/bad-crc.zip | %s test -q /dev/stdin",
		 ZS_FIXTURES, ZS_BIN);
	cr_assert_eq(st, 2);
	free(out);
}

Test(cli, include_and_exclude_patterns)
{
	char *out = malloc(OUT_CAP);
	/* '*' crosses '/', as in unzip */
	cr_assert_eq(zs(out, "list --json -i '*.c' -x '*file05*' "
			ZS_FIXTURES "/basic.zip"), 0);
	cr_assert(strstr(out, "dir/file02.c"));
	cr_assert_null(strstr(out, "file05"));
	cr_assert_null(strstr(out, ".txt"));
	free(out);
}
