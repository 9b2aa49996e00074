// SPDX-License-Identifier: MIT
/*
 * test_fetch.c - files read by the threads that compress them (suite
 * fetch, writer_fetch.c): a file of several units that shrinks or goes
 * away after it was queued is stored as read, or left out, with a warning
 * and a consistent archive; files that do not shrink go out as read from
 * the thread's buffer; the bytes are the same on 1, 2 and 4 threads.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

/* A writer on 2 threads with 64 KiB units, warnings into a temporary
 * file. */
static zs_writer *open_writer(const char *path, zs_writer_options *o)
{
	int st;

	zs_writer_options_init(o);
	o->chunk_size = 64 << 10;
	o->threads = 2;
	o->warn = tmpfile();
	zs_writer *w = zs_writer_open(path, o, &st);
	cr_assert_not_null(w, "%s", path);
	return w;
}

static void warnings(zs_writer_options *o, char *out, size_t cap)
{
	rewind(o->warn);
	size_t n = fread(out, 1, cap - 1, o->warn);
	out[n] = '\0';
	fclose(o->warn);
}

Test(fetch, several_units_shrunk_or_gone)
{
	char *t = temp_dir("fetch_chg");
	char zip[256], out[8192], big[256], gone[256];
	zs_writer_options o;

	snprintf(zip, sizeof(zip), "%s/s.zip", t);
	snprintf(big, sizeof(big), "%s/big.txt", t);
	snprintf(gone, sizeof(gone), "%s/gone.txt", t);
	cr_assert_eq(run(out, sizeof(out), "cd %s && seq 1 60000 > big.txt && "
			 "cp big.txt gone.txt && head -c 100000 big.txt > "
			 "want.txt", t), 0, "%s", out);
	zs_writer *w = open_writer(zip, &o);
	cr_assert_eq(zs_writer_add_path(w, big), 0);
	cr_assert_eq(zs_writer_add_path(w, gone), 0);
	/* after queueing, before the pipeline reads them */
	cr_assert_eq(truncate(big, 100000), 0);
	cr_assert_eq(unlink(gone), 0);
	cr_assert_eq(zs_writer_finish(w, NULL), ZS_EXIT_WARN);
	warnings(&o, out, sizeof(out));
	cr_assert_not_null(strstr(out, "big.txt: changed while being read "
				  "(100000 bytes stored"), "%s", out);
	cr_assert_not_null(strstr(out, "gone.txt: cannot open"), "%s", out);
	cr_assert_eq(run(out, sizeof(out), "cd %s && unzip -tq s.zip && "
			 "unzip -Z1 s.zip && unzip -p s.zip '*big.txt' | cmp - "
			 "want.txt", t), 0, "%s", out);
	cr_assert_null(strstr(out, "gone.txt"), "%s", out);
	drop_dir(t);
}

/* Random files (stored: Deflate does not shrink them), small text files
 * and files of several units; stored ones are written from a copy of the
 * thread's buffer, which the thread's next unit overwrites. */
Test(fetch, stored_and_deflated_files_same_bytes_on_every_thread_count)
{
	char *t = temp_dir("fetch_mix");
	char out[8192];

	cr_assert_eq(run(out, sizeof(out), "cd %s && mkdir src && for k in "
			 "$(seq 1 40); do head -c $((k * 997)) /dev/urandom > "
			 "src/r$k.bin; seq 1 $((k * 300)) > src/t$k.txt; done "
			 "&& head -c 300000 /dev/urandom > src/big.bin && "
			 "seq 1 90000 > src/big.txt", t), 0, "%s", out);
	for (int j = 1; j <= 4; j *= 2)
		cr_assert_eq(run(out, sizeof(out), "cd %s && %s create -q -j %d "
				 "--chunk-size 64K j%d.zip src", t, ZS_BIN, j,
				 j), 0, "%s", out);
	cr_assert_eq(run(out, sizeof(out), "cd %s && cmp j1.zip j2.zip && "
			 "cmp j1.zip j4.zip && unzip -tqq j2.zip && mkdir x && "
			 "cd x && unzip -q ../j2.zip && diff -r ../src src && "
			 "unzip -Zv ../j2.zip src/r40.bin | grep -c "
			 "'compression method: *none'", t), 0, "%s", out);
	cr_assert_eq(atoi(out), 1, "a random file is stored: %s", out);
	drop_dir(t);
}
