/* SPDX-License-Identifier: MIT */
/*
 * create_floor.c - the floor under `zipscan create`: libdeflate alone, one
 * thread, on the units create compresses (every regular file, symlinks
 * followed, cut into pieces of at most 1 MiB), with no reading, walking,
 * CRC or writing in the time.  Half of it is the least CPU create can
 * take on 2 cores at that level; bench/create_bench.py prints it beside
 * the tools.
 *
 * usage: create_floor LEVEL PATH...  (prints "bytes in, bytes out, CPU
 * seconds of compression")
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define UNIT (1u << 20)

static struct libdeflate_compressor *comp;
static unsigned char *in, *out;
static size_t out_cap;
static unsigned long long bytes_in, bytes_out;
static double cpu;

static double thread_cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One file, unit by unit: only the compression is timed. */
static int one_file(const char *path, const struct stat *st, int type,
		    struct FTW *f)
{
	(void)st;
	(void)f;
	if (type != FTW_F)
		return 0;
	FILE *fp = fopen(path, "rb");
	size_t n;
	while (fp && (n = fread(in, 1, UNIT, fp)) > 0) {
		double t0 = thread_cpu();
		size_t c = libdeflate_deflate_compress(comp, in, n, out,
						       out_cap);
		cpu += thread_cpu() - t0;
		bytes_in += n;
		bytes_out += c ? c : n;
	}
	if (fp)
		fclose(fp);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: create_floor LEVEL PATH...\n");
		return 2;
	}
	comp = libdeflate_alloc_compressor(atoi(argv[1]));
	out_cap = libdeflate_deflate_compress_bound(comp, UNIT);
	in = malloc(UNIT);
	out = malloc(out_cap);
	if (!comp || !in || !out)
		return 1;
	for (int k = 2; k < argc; k++)
		nftw(argv[k], one_file, 32, 0);   /* symlinks followed */
	printf("%llu %llu %.3f\n", bytes_in, bytes_out, cpu);
	return 0;
}
