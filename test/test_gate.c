/* SPDX-License-Identifier: MIT */
/*
 * test_gate.c - what is decided before decoding (--max-total, --max-ratio)
 * and an archive that shrinks while it is mapped (exit 51, no crash).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

/* large.zip: one 3 MiB Deflate entry. */
Test(gate, max_total_and_ratio_stop_every_command_before_decoding)
{
	char out[8192];
	const char *f = fixture("large.zip");

	cr_expect_eq(run(out, sizeof(out), "%s test --max-total 1M %s 2>&1",
			 ZS_BIN, f), 12, "%s", out);
	cr_expect(strstr(out, "over --max-total 1048576"), "%s", out);
	cr_expect_eq(run(NULL, 0, "%s test -q --max-total 3M %s", ZS_BIN, f),
		     0);
	cr_expect_eq(run(out, sizeof(out), "%s test --max-ratio 2 --json %s",
			 ZS_BIN, f), 12);
	cr_expect(strstr(out, "\"code\":\"max-ratio\"") &&
		  strstr(out, "\"bytes_out\":0"), "%s", out);
	cr_expect_eq(run(NULL, 0, "%s test -q --max-ratio 0 --max-total 0 %s",
			 ZS_BIN, f), 0);

	char *t = NULL;
	cr_assert(asprintf(&t, "/tmp/zs-gate-%d", getpid()) > 0);
	cr_expect_eq(run(NULL, 0, "%s extract -q --max-total 1M -d %s %s "
			 "2>/dev/null", ZS_BIN, t, f), 12);
	cr_expect_eq(run(out, sizeof(out), "ls -A %s 2>/dev/null | wc -l", t),
		     0);
	cr_expect_eq(atoi(out), 0, "nothing written: %s", out);
	cr_expect_eq(run(out, sizeof(out), "%s cat --max-total 1M %s "
			 "large.txt 2>/dev/null | wc -c", ZS_BIN, f), 0);
	cr_expect_eq(atoi(out), 0, "cat wrote %s bytes", out);
	cr_expect_eq(run(NULL, 0, "%s stats --max-total 1M %s >/dev/null "
			 "2>&1", ZS_BIN, f), 12);
	run(NULL, 0, "rm -rf %s", t);
	free(t);
}

/* Copy a fixture to a file of our own, which the test may truncate. */
static char *own_copy(const char *name)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "/tmp/zs-shrink-%d-%s", getpid(), name) > 0);
	cr_assert_eq(run(NULL, 0, "cp %s %s", fixture(name), p), 0);
	return p;
}

/* The file loses all but its first page after the index is built: the
 * decoder's reads fault (SIGBUS), read zeros instead, and the run ends
 * with exit 51 saying why. */
Test(gate, archive_shrinking_while_mapped_is_exit_51)
{
	zs_archive a;
	zs_options o;
	zs_totals t;
	char *p = own_copy("large.zip");

	zs_options_init(&o);
	cr_assert_eq(zs_archive_open(&a, p, &o), 0);
	cr_assert_eq(truncate(p, 4096), 0);
	cr_expect_eq(zs_scan_entries(&a, &o, &t), ZS_EXIT_CHANGED);
	cr_expect_eq(t.ok, 0);
	cr_expect(a.changed);
	int said = 0;
	for (size_t k = 0; k < a.findings_count; k++)
		said |= strstr(a.findings[k].text, "changed while it was read")
			!= NULL;
	cr_expect(said);
	zs_archive_close(&a);
	unlink(p);
	free(p);
}

/* The same through the command, with the truncation in the middle of a
 * run: cat blocks on a full pipe, the file is cut, the rest is read.
 * zeros.zip's entries stream through the inflater (SIGBUS); a stored
 * entry is written straight from the mapping (write() gets EFAULT). */
Test(gate, truncated_during_a_run)
{
	const char *names[] = { "zeros.zip", "stored-big.zip" };
	char *stored = own_copy("basic.zip");
	cr_assert_eq(run(NULL, 0, "python3 -c 'import zipfile,os,sys; "
			 "zipfile.ZipFile(sys.argv[1], \"w\").writestr(\"r\", "
			 "os.urandom(32 << 20))' %s", stored), 0);
	for (int k = 0; k < 2; k++) {
		char *p = k ? stored : own_copy(names[k]), out[4096];
		run(out, sizeof(out), "{ %s cat %s '*' 2>%s.err; "
			 "echo $? >%s.rc; } | { sleep 0.5; truncate -s 8192 %s; "
			 "cat >/dev/null; }; cat %s.rc %s.err", ZS_BIN, p, p, p,
			 p, p, p);
		cr_expect_eq(atoi(out), ZS_EXIT_CHANGED, "%s: %s", names[k],
			     out);
		cr_expect(strstr(out, "changed while it was read"), "%s", out);
		run(NULL, 0, "rm -f %s %s.rc %s.err", p, p, p);
		free(p);
	}
}

/* Extraction from a file that shrank after opening: the write out of the
 * lost pages fails (EFAULT), the status says the archive changed (51
 * outranks the failed write's 50), and no file is left under its name. */
Test(gate, extract_from_a_shrunk_archive_leaves_nothing)
{
	zs_archive a;
	zs_options o;
	zs_extract_options xo = { 0 };
	zs_extraction x;
	zs_totals t;
	char *p = own_copy("basic.zip"), out[64], *dir = NULL;

	cr_assert_eq(run(NULL, 0, "python3 -c 'import zipfile,os,sys; "
			 "zipfile.ZipFile(sys.argv[1], \"w\").writestr(\"r\", "
			 "os.urandom(8 << 20))' %s", p), 0);
	cr_assert(asprintf(&dir, "%s.d", p) > 0);
	zs_options_init(&o);
	cr_assert_eq(zs_archive_open(&a, p, &o), 0);
	cr_assert_eq(truncate(p, 8192), 0);
	xo.dir = dir;
	cr_expect_eq(zs_extract(&a, &xo, &o, &x, &t), ZS_EXIT_CHANGED);
	cr_expect(a.changed);
	run(out, sizeof(out), "find %s -mindepth 1 | wc -l", dir);
	cr_expect_eq(atoi(out), 0, "%s entries left in %s", out, dir);
	zs_extraction_free(&x);
	zs_archive_close(&a);
	run(NULL, 0, "rm -rf %s %s", p, dir);
	free(dir);
	free(p);
}
