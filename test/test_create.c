// SPDX-License-Identifier: MIT
/*
 * test_create.c - `zipscan create` and the zs_writer API (suite create):
 * archives that unzip, 7-Zip, Python's zipfile and bsdtar accept and that
 * extract to the tree they came from; the same bytes for every thread
 * count; Deflate pieces that join; ZIP64 by entry count; standard input;
 * files that change or vanish; Ctrl-C; a full disk; bounded memory.
 * The >4 GiB entry is in test/check_create.py (run by hand).
 */
#include <fcntl.h>
#include <libdeflate.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "deflate_piece.h"
#include "helpers.h"

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* Text that compresses, then bytes that do not (an xorshift stream). */
static uint8_t *mixed_data(size_t len, uint32_t seed)
{
	uint8_t *p = malloc(len);
	cr_assert_not_null(p);
	for (size_t k = 0; k < len; k++) {
		seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
		p[k] = k < len / 2 ? (uint8_t)("zipscan writes\n"[k % 15] +
					       (seed % 7 == 0)) : (uint8_t)seed;
	}
	return p;
}

/* A tree with what an archive must keep: modes, times, a symlink, an
 * empty directory, a non-ASCII name, an empty file, a big file. */
static void make_tree(const char *t)
{
	char p[512];
	uint8_t *big = mixed_data(3 << 20, 7);

	run(NULL, 0, "mkdir -p %s/src/sub/empty %s/src/d", t, t);
	snprintf(p, sizeof(p), "%s/src/big.bin", t);
	write_file(p, big, 3 << 20);
	snprintf(p, sizeof(p), "%s/src/d/h\xc3\xa9llo \xc3\xb1.txt", t);
	write_file(p, "bonjour\n", 8);
	snprintf(p, sizeof(p), "%s/src/empty.txt", t);
	write_file(p, "", 0);
	snprintf(p, sizeof(p), "%s/src/run.sh", t);
	write_file(p, "#!/bin/sh\necho hi\n", 18);
	free(big);
	cr_assert_eq(run(NULL, 0, "cd %s/src && chmod 0755 run.sh && chmod "
			 "0700 sub && ln -s d/nowhere dangling && ln -s run.sh "
			 "link && touch -h -d '2004-05-06 07:08:10' run.sh "
			 "d/* sub/empty link", t), 0);
}

Test(create, round_trip_every_reader)
{
	char *t = temp_dir("create_rt");
	char out[4096];

	make_tree(t);
	cr_assert_eq(run(out, sizeof(out), "cd %s && %s create -q -y "
			 "--chunk-size 256K a.zip src", t, ZS_BIN), 0, "%s", out);
	cr_assert_eq(run(out, sizeof(out), "cd %s && unzip -tq a.zip", t), 0,
		     "unzip -t: %s", out);
	cr_assert_eq(run(out, sizeof(out), "cd %s && 7zz t a.zip", t), 0,
		     "7zz t: %s", out);
	cr_assert_eq(run(out, sizeof(out), "cd %s && bsdtar -tf a.zip >/dev/null"
			 , t), 0, "bsdtar: %s", out);
	cr_assert_eq(run(out, sizeof(out), "cd %s && python3 -c \"import "
			 "zipfile,sys; z=zipfile.ZipFile('a.zip'); "
			 "sys.exit(z.testzip() is not None or "
			 "not all(i.flag_bits & 0x800 for i in z.infolist() "
			 "if not i.filename.isascii()))\"", t), 0, "%s", out);
	cr_assert_eq(run(out, sizeof(out), "cd %s && mkdir u z && unzip -q "
			 "a.zip -d u && %s extract -q a.zip -d z", t, ZS_BIN), 0,
		     "%s", out);
	cr_assert_eq(run(out, sizeof(out), "python3 %s/compare_trees.py %s/src "
			 "%s/u/src", ZS_TESTDIR, t, t), 0, "unzip's: %s", out);
	cr_assert_eq(run(out, sizeof(out), "python3 %s/compare_trees.py %s/src "
			 "%s/z/src", ZS_TESTDIR, t, t), 0, "zipscan's: %s", out);
	drop_dir(t);
}

Test(create, same_bytes_for_every_thread_count)
{
	char *t = temp_dir("create_j");
	char out[4096];

	make_tree(t);
	for (int j = 1; j <= 8; j *= 2)
		cr_assert_eq(run(out, sizeof(out), "cd %s && %s create -q -y "
				 "-j %d --chunk-size 64K j%d.zip src", t,
				 ZS_BIN, j, j), 0, "%s", out);
	for (int j = 2; j <= 8; j *= 2)
		cr_assert_eq(run(NULL, 0, "cmp %s/j1.zip %s/j%d.zip", t, t, j),
			     0, "-j %d differs from -j 1", j);
	/* pieces bigger than an arena's region: the regions grow */
	cr_assert_eq(run(out, sizeof(out), "cd %s && %s create -q -y -j 2 "
			 "--chunk-size 8M b2.zip src && %s create -q -y -j 1 "
			 "--chunk-size 8M b1.zip src && cmp b1.zip b2.zip && "
			 "unzip -tq b2.zip", t, ZS_BIN, ZS_BIN), 0, "%s", out);
	/* batches of a few pieces each: the same bytes again */
	cr_assert_eq(run(out, sizeof(out), "cd %s && %s create -q -y -j 3 "
			 "--memory-limit 1M --chunk-size 64K m.zip src && cmp "
			 "j1.zip m.zip", t, ZS_BIN), 0, "%s", out);
	drop_dir(t);
}

/* Pieces compressed apart, joined: one stream libdeflate decodes; each
 * non-final piece also decodes alone (SOZip needs that). */
Test(create, deflate_pieces_join)
{
	size_t len = 5 << 20, piece = 300000, n = 0;
	uint8_t *in = mixed_data(len, 3);
	uint8_t *out = malloc(len + len / 8 + 4096), *back = malloc(len);
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();

	for (size_t at = 0; at < len; at += piece) {
		size_t k = len - at < piece ? len - at : piece;
		size_t got = zs_deflate_piece(c, in + at, k, at + k == len,
					      out + n, zs_deflate_piece_bound(k));
		cr_assert_gt(got, 0);
		if (at + k < len) {   /* this piece alone, as raw Deflate */
			z_stream s = { 0 };
			uint8_t *one = malloc(k);
			cr_assert_eq(inflateInit2(&s, -15), Z_OK);
			s.next_in = out + n, s.avail_in = (uInt)got;
			s.next_out = one, s.avail_out = (uInt)k;
			int rc = inflate(&s, Z_SYNC_FLUSH);
			cr_assert(rc == Z_OK || rc == Z_BUF_ERROR);
			cr_assert_eq(s.avail_in, 0);
			cr_assert_eq(s.total_out, k, "piece at %zu", at);
			cr_assert_eq(memcmp(one, in + at, k), 0);
			inflateEnd(&s);
			free(one);
		}
		n += got;
	}
	size_t actual;
	cr_assert_eq(libdeflate_deflate_decompress(d, out, n, back, len,
						   &actual), 0);
	cr_assert_eq(actual, len);
	cr_assert_eq(memcmp(back, in, len), 0);
	cr_assert_lt(n, len * 3 / 4, "the text half compresses");
	libdeflate_free_compressor(c);
	libdeflate_free_decompressor(d);
	free(in), free(out), free(back);
}

/* More than 65,535 entries: the ZIP64 end records, read back by zipscan,
 * unzip and Python. */
Test(create, zip64_by_entry_count, .timeout = 120)
{
	char *t = temp_dir("create_64");
	char path[256], name[32], out[4096];
	zs_writer_options o;
	zs_writer_totals tot;
	int st;

	zs_writer_options_init(&o);
	o.level = 0;
	snprintf(path, sizeof(path), "%s/many.zip", t);
	zs_writer *w = zs_writer_open(path, &o, &st);
	cr_assert_not_null(w);
	for (int k = 0; k < 70000; k++) {
		snprintf(name, sizeof(name), "d%02d/f%05d", k % 100, k);
		cr_assert_eq(zs_writer_add_bytes(w, name, name, strlen(name),
						 0644, 1700000000), 0);
	}
	cr_assert_eq(zs_writer_finish(w, &tot), 0);
	cr_assert(tot.zip64);
	cr_assert_eq(tot.entries, 70000);
	zs_options zo;
	zs_options_init(&zo);
	zs_archive *a = zs_open(path, &zo, &st);
	cr_assert_eq(st, 0);
	cr_assert_eq(zs_entry_count(a), 70000);
	zs_totals zt;
	cr_assert_eq(zs_scan_entries(a, &zo, &zt), 0);
	zs_close(a);
	cr_assert_eq(run(out, sizeof(out), "unzip -tq %s", path), 0, "%s", out);
	cr_assert_eq(run(out, sizeof(out), "python3 -c \"import zipfile; "
			 "z=zipfile.ZipFile('%s'); assert len(z.infolist())=="
			 "70000; assert z.read('d07/f69907')==b'd07/f69907'\"",
			 path), 0, "%s", out);
	drop_dir(t);
}

Test(create, standard_input_is_a_streamed_entry)
{
	char *t = temp_dir("create_in");
	char out[4096];

	cr_assert_eq(run(out, sizeof(out), "cd %s && seq 1 400000 | %s create "
			 "--json --chunk-size 256K s.zip -", t, ZS_BIN), 0,
		     "%s", out);
	cr_assert_not_null(strstr(out, "\"entries\":1,"), "%s", out);
	cr_assert_not_null(strstr(out, "\"threads\":"), "%s", out);
	cr_assert_eq(run(out, sizeof(out), "cd %s && unzip -tq s.zip && 7zz t "
			 "s.zip >/dev/null && python3 -c \"import zipfile, "
			 "subprocess; z=zipfile.ZipFile('s.zip'); i=z.getinfo"
			 "('-'); assert i.flag_bits & 8; assert z.read('-')=="
			 "subprocess.run(['seq','1','400000'],capture_output="
			 "True).stdout\"", t), 0, "%s", out);
	drop_dir(t);
}

/* A file that grows and one that vanishes between the walk and the read:
 * each named in a warning (exit 1), and the archive is sound. */
Test(create, changed_and_vanished_files_warn)
{
	char *t = temp_dir("create_chg");
	char a[256], b[256], path[256], out[4096];
	zs_writer_options o;
	int st;

	snprintf(a, sizeof(a), "%s/grows.txt", t);
	snprintf(b, sizeof(b), "%s/goes.txt", t);
	snprintf(path, sizeof(path), "%s/c.zip", t);
	write_file(a, "first\n", 6);
	write_file(b, "bye\n", 4);
	zs_writer_options_init(&o);
	o.warn = tmpfile();
	zs_writer *w = zs_writer_open(path, &o, &st);
	cr_assert_not_null(w);
	cr_assert_eq(zs_writer_add_path(w, a), 0);
	cr_assert_eq(zs_writer_add_path(w, b), 0);
	write_file(a, "first\nand more\n", 15);
	cr_assert_eq(unlink(b), 0);
	cr_assert_eq(zs_writer_finish(w, NULL), ZS_EXIT_WARN);
	rewind(o.warn);
	size_t n = fread(out, 1, sizeof(out) - 1, o.warn);
	out[n] = '\0';
	fclose(o.warn);
	cr_assert_not_null(strstr(out, "grows.txt: changed while being read"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "goes.txt: cannot open"), "%s", out);
	cr_assert_eq(run(out, sizeof(out), "unzip -tq %s && unzip -Z1 %s",
			 path, path), 0, "%s", out);
	cr_assert_null(strstr(out, "goes.txt"), "%s", out);
	drop_dir(t);
}

static int files_in(const char *dir)
{
	char out[64];
	run(out, sizeof(out), "ls -A %s | wc -l", dir);
	return atoi(out);
}

/* Ctrl-C while standard input is read: exit 80, nothing left behind. */
Test(create, interrupt_leaves_nothing)
{
	char *t = temp_dir("create_int");
	char out[256];
	int fds[2];

	snprintf(out, sizeof(out), "%s/i.zip", t);
	cr_assert_eq(pipe(fds), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[1]);
		execl(ZS_BIN, ZS_BIN, "create", "-q", out, "-", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	cr_assert_eq(write(fds[1], "some data\n", 10), 10);
	usleep(300000);
	cr_assert_eq(files_in(t), 1, "the temporary file is there");
	kill(pid, SIGINT);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	close(fds[1]);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), ZS_EXIT_INTERRUPT);
	cr_assert_eq(files_in(t), 0, "nothing left in %s", t);
	drop_dir(t);
}

/* A full disk (a 1 MiB tmpfs): exit 50 and nothing left. */
Test(create, disk_full_leaves_nothing)
{
	char *t = temp_dir("create_full");
	char mnt[256], src[256], out[4096];
	uint8_t *data = mixed_data(4 << 20, 11);

	snprintf(mnt, sizeof(mnt), "%s/mnt", t);
	snprintf(src, sizeof(src), "%s/data.bin", t);
	write_file(src, data, 4 << 20);
	free(data);
	mkdir(mnt, 0700);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=1m") != 0) {
		drop_dir(t);
		cr_skip_test("cannot mount a small tmpfs (not root?)");
	}
	int rc = run(out, sizeof(out), "%s create -q %s/full.zip %s 2>&1",
		     ZS_BIN, mnt, src);
	int left = files_in(mnt);
	umount(mnt);
	cr_assert_eq(rc, ZS_EXIT_WRITE, "%s", out);
	cr_assert_not_null(strstr(out, "No space left"), "%s", out);
	cr_assert_eq(left, 0);
	drop_dir(t);
}

/* A 256 MiB file with --memory-limit 16M stays far below its size. */
Test(create, memory_is_bounded, .timeout = 120)
{
	char *t = temp_dir("create_mem");
	char src[256], zip[256];
	double cpu;
	long rss;

	snprintf(src, sizeof(src), "%s/big", t);
	snprintf(zip, sizeof(zip), "%s/big.zip", t);
	int fd = open(src, O_CREAT | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 256 << 20), 0);   /* sparse: fast */
	close(fd);
	char *argv[] = { "zipscan", "create", "-q", "-j", "2", "-l", "1",
			 "--memory-limit", "16M", zip, src, NULL };
	cr_assert_eq(run_cpu(argv, &cpu, &rss), 0);
	cr_log_info("create of 256 MiB, --memory-limit 16M: peak RSS %ld KiB",
		    rss);
#ifndef ZS_BIN_OVERRIDE  /* ASan's shadow memory is not zipscan's */
	/* 2 threads x 16M in flight, and the program: the default limit
	 * (64M) holds 128 MiB of input in flight and fails this */
	cr_assert_lt(rss, 48 * 1024, "peak RSS %ld KiB", rss);
#endif
	cr_assert_eq(run(NULL, 0, "%s test -q %s", ZS_BIN, zip), 0);
	drop_dir(t);
}

/* Bad command lines are exit 10, nothing to write exit 11: no file made. */
Test(create, usage_errors_and_nothing_to_do)
{
	char *t = temp_dir("create_use");

	cr_assert_eq(run(NULL, 0, "%s create 2>/dev/null", ZS_BIN), 10);
	cr_assert_eq(run(NULL, 0, "%s create %s/a.zip 2>/dev/null", ZS_BIN,
			 t), 10);
	cr_assert_eq(run(NULL, 0, "%s create - %s 2>/dev/null", ZS_BIN, t),
		     10);
	cr_assert_eq(run(NULL, 0, "%s create -l 13 %s/a.zip %s 2>/dev/null",
			 ZS_BIN, t, t), 10);
	cr_assert_eq(run(NULL, 0, "cd %s && %s create -x '*' a.zip . "
			 "2>/dev/null", t, ZS_BIN), 11);
	cr_assert_eq(files_in(t), 0, "no archive, no temporary file");
	drop_dir(t);
}

/* Without -y a link is followed, as zip: the file it points to is stored;
 * a dangling link and a link back up the tree are warnings (exit 1). */
Test(create, links_followed_by_default)
{
	char *t = temp_dir("create_ln");
	char out[4096];

	cr_assert_eq(run(NULL, 0, "cd %s && mkdir -p lt/d && echo hi > lt/d/f "
			 "&& ln -s f lt/d/lf && ln -s .. lt/d/up && ln -s "
			 "nowhere lt/d/dang", t), 0);
	cr_assert_eq(run(out, sizeof(out), "cd %s && %s create -q l.zip lt "
			 "2>&1", t, ZS_BIN), 1, "%s", out);
	cr_assert_not_null(strstr(out, "lt/d/dang: No such file"), "%s", out);
	cr_assert_not_null(strstr(out, "lt/d/up: a link back"), "%s", out);
	cr_assert_eq(run(out, sizeof(out), "cd %s && unzip -Z1 l.zip | tr '\\n' "
			 "' ' && unzip -p l.zip lt/d/lf", t), 0);
	cr_assert_str_eq(out, "lt/ lt/d/ lt/d/f lt/d/lf hi\n");
	drop_dir(t);
}

/* -@ reads the paths from standard input, a line each or (-0) NUL-
 * separated; the archive keeps their order. */
Test(create, paths_from_standard_input)
{
	char *t = temp_dir("create_at");
	char out[4096];

	cr_assert_eq(run(NULL, 0, "cd %s && echo 1 > 'a b' && echo 2 > c && "
			 "echo 3 > d", t), 0);
	cr_assert_eq(run(out, sizeof(out), "cd %s && printf 'd\\na b\\n' | %s "
			 "create -q -@ l.zip c && unzip -Z1 l.zip | tr '\\n' ' '",
			 t, ZS_BIN), 0, "%s", out);
	cr_assert_str_eq(out, "c d a b ");
	cr_assert_eq(run(out, sizeof(out), "cd %s && printf 'a b\\0d' | %s "
			 "create -q -@ -0 n.zip && unzip -Z1 n.zip | tr '\\n' ' '",
			 t, ZS_BIN), 0, "%s", out);
	cr_assert_str_eq(out, "a b d ");
	drop_dir(t);
}
