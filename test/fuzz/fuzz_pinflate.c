/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pinflate.c - libFuzzer target: one raw Deflate stream decoded on
 * several threads (src/pinflate.c) against ISA-L's sequential decode, the
 * decoder zipscan uses for the entries it splits.
 *
 * Input: one control byte, then the stream.
 *   bits 0-1  chunk size: 64, 300, 2048 or 16384 bytes
 *   bit 2     ZS_PIN_MARKERS_ONLY (whole chunks in marker mode)
 *   bits 3-4  threads: 1 to 4
 *   bit 5     (bit 2 clear) ZS_PIN_CLEAN_ONLY (leave marker mode only on
 *             a clean window)
 *   bit 6     a 4 KiB hold (a chunk soon waits for the one before)
 *   bit 7     in order (cfg.in_order: cat into a pipe)
 *
 * The parallel decode may give up (then zipscan decodes sequentially),
 * but when it says it decoded the stream, ISA-L must have decoded it too,
 * to the same bytes.  In order, whatever it wrote before it gave up must
 * be what ISA-L writes first, since it cannot be taken back: zipscan's
 * sequential decode (ISA-L, writing all it decodes, up to an error) goes
 * on past it.  A disagreement is an abort(), saved as a crash.
 */
#include <isa-l/igzip_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinflate.h"

#define OUT_MAX (1u << 20)

static const size_t chunk_sizes[4] = { 64, 300, 2048, 16384 };

/* ISA-L, whole: 1 if the stream ends within the input and OUT_MAX;
 * *got, the bytes it made (up to an error too). */
static int sequential(const uint8_t *in, size_t len, uint8_t *out,
		      size_t *got)
{
	static struct inflate_state st;
	isal_inflate_init(&st);
	st.next_in = (uint8_t *)in;
	st.avail_in = (uint32_t)len;
	st.next_out = out;
	st.avail_out = OUT_MAX;
	int r = isal_inflate(&st);
	*got = OUT_MAX - st.avail_out;
	return r == ISAL_DECOMP_OK && st.block_state == ISAL_BLOCK_FINISH;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ref, *out;
	if (size < 1)
		return 0;
	if (!ref && !(ref = malloc(OUT_MAX)))
		abort();
	if (!out && !(out = malloc(OUT_MAX)))
		abort();
	uint8_t ctl = data[0];
	zs_pinflate_cfg c = {
		.in = data + 1, .in_len = size - 1,
		.chunk = chunk_sizes[ctl & 3], .max_out = OUT_MAX,
		.sym_cap = OUT_MAX, .out = out, .out_cap = OUT_MAX,
		/* a chunk's bytes held until its place is known, or soon
		 * waiting for the chunk before */
		.hold_cap = (ctl & 0x40) ? 4096 : OUT_MAX,
		.in_order = (ctl & 0x80) != 0,
		.mode = (ctl & 4)    ? ZS_PIN_MARKERS_ONLY :
			(ctl & 0x20) ? ZS_PIN_CLEAN_ONLY : ZS_PIN_NORMAL,
	};
	zs_pinflate_result r;
	zs_pinflate_run(&c, 1 + ((ctl >> 3) & 3), &r);
	size_t got = 0;
	int seq_ok = sequential(data + 1, size - 1, ref, &got);
	if (c.in_order && (r.written > got ||
			   memcmp(ref, out, (size_t)r.written) != 0 ||
			   (r.ok && r.written != r.size))) {
		fprintf(stderr, "in order: wrote %llu bytes (ok %d, size "
			"%llu), ISA-L made %zu: not its first bytes\n",
			(unsigned long long)r.written, r.ok,
			(unsigned long long)r.size, got);
		abort();
	}
	if (!r.ok)
		return 0;
	if (!seq_ok) {
		fprintf(stderr, "parallel decoded %llu bytes, ISA-L failed\n",
			(unsigned long long)r.size);
		abort();
	}
	if (got != r.size || memcmp(ref, out, got) != 0) {
		fprintf(stderr, "parallel %llu bytes, ISA-L %zu: differ\n",
			(unsigned long long)r.size, got);
		abort();
	}
	return 0;
}
