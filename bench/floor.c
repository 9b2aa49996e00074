/* SPDX-License-Identifier: MIT */
/*
 * floor.c - the single-thread floor: decode every entry of an archive with
 * libdeflate and CRC it with libdeflate_crc32, one after another, with no
 * checks beyond that and nothing else.  Its buffer is allocated and
 * touched before timing starts.  `make bench` compares zipscan's
 * parallel rate with twice this one.
 *
 * usage: floor ARCHIVE   (prints "bytes seconds" of the decode loop)
 */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

int main(int argc, char **argv)
{
	zs_archive a;
	zs_options o;

	if (argc != 2) {
		fprintf(stderr, "usage: floor ARCHIVE\n");
		return 2;
	}
	zs_options_init(&o);
	o.threads = 1;
	if (!(zs_archive_open(&a, argv[1], &o), a.indexed))
		return 1;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	/* One buffer for the largest entry, touched before the clock starts,
	 * so the floor is decoding and CRC alone, not page faults. */
	size_t cap = 1;
	for (size_t i = 0; i < a.index.count; i++)
		if (a.index.uncomp_size[i] > cap)
			cap = (size_t)a.index.uncomp_size[i];
	uint8_t *buf = malloc(cap);
	if (!buf)
		return 1;
	memset(buf, 0, cap);
	uint64_t bytes = 0;
	uint32_t sink = 0;
	double t0 = zs_now();
	for (size_t i = 0; i < a.index.count; i++) {
		const uint8_t *in = a.data + a.index.data_offset[i];
		size_t n = (size_t)a.index.uncomp_size[i];
		if (a.index.method[i] == 0) {
			sink ^= libdeflate_crc32(0, in, n);
		} else if (a.index.method[i] == 8) {
			if (libdeflate_deflate_decompress(d, in,
				(size_t)a.index.comp_size[i], buf, n, NULL))
				return 1;
			sink ^= libdeflate_crc32(0, buf, n);
		}
		bytes += n;
	}
	double t = zs_now() - t0;
	printf("%llu %.6f %08x\n", (unsigned long long)bytes, t, sink);
	free(buf);
	libdeflate_free_decompressor(d);
	zs_archive_close(&a);
	return 0;
}
