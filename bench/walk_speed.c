/* SPDX-License-Identifier: MIT */
/*
 * walk_speed.c - what joining create's pieces costs: the file cut into
 * 1 MiB pieces, each compressed by libdeflate at level 6, then, five
 * times over, the last block of every piece found by our walk
 * (deflate_walk.c) and by zlib's inflate(Z_BLOCK), and the pieces decoded
 * whole by libdeflate for comparison.  CPU seconds of this thread.
 *
 * usage: walk_speed FILE   (its first 64 MiB)
 */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "deflate_walk.h"

#define UNIT (1u << 20)
#define MAX_PIECES 64

static double thread_cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint8_t *piece[MAX_PIECES];
static size_t piece_len[MAX_PIECES], data_len[MAX_PIECES];

/* mode 0: our walk, 1: zlib's, 2: libdeflate's whole decode. */
static double run(int mode, int n, uint8_t *scratch,
		  struct libdeflate_decompressor *d)
{
	double t0 = thread_cpu();
	for (int r = 0; r < 5; r++)
		for (int k = 0; k < n; k++) {
			uint64_t last, end;
			size_t got;
			if (mode == 0)
				zs_deflate_walk(piece[k], piece_len[k],
						data_len[k], &last, &end);
			else if (mode == 1)
				zs_deflate_walk_zlib(piece[k], piece_len[k],
						     data_len[k], &last, &end);
			else
				libdeflate_deflate_decompress(d, piece[k],
					piece_len[k], scratch, UNIT, &got);
		}
	return thread_cpu() - t0;
}

int main(int argc, char **argv)
{
	FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	uint8_t *in = malloc(UNIT);
	int n = 0;
	double compress = 0;

	if (!f || !c || !d || !in) {
		fprintf(stderr, "usage: walk_speed FILE\n");
		return 2;
	}
	while (n < MAX_PIECES && (data_len[n] = fread(in, 1, UNIT, f)) > 0) {
		size_t cap = libdeflate_deflate_compress_bound(c, UNIT);
		double t0 = thread_cpu();
		if (!(piece[n] = malloc(cap)))
			return 1;
		piece_len[n] = libdeflate_deflate_compress(c, in, data_len[n],
							   piece[n], cap);
		compress += thread_cpu() - t0;
		n++;
	}
	printf("%d pieces: libdeflate -l6 compress %.3f s once; x5: walk "
	       "%.3f s, zlib walk %.3f s, libdeflate decompress %.3f s\n", n,
	       compress, run(0, n, in, d), run(1, n, in, d), run(2, n, in, d));
	return 0;
}
