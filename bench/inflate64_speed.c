/* SPDX-License-Identifier: MIT */
/*
 * inflate64_speed.c - single-thread decode speed of our Deflate64 decoder
 * (src/inflate64.c) against libdeflate, in memory, on the entries of two
 * archives of the same files: one made with Deflate, one with Deflate64.
 *
 *   libdeflate        on the Deflate archive's entries, and on the same
 *                     data compressed again by libdeflate at level 6
 *   ours, plain       the same two sets of Deflate streams
 *   ours, Deflate64   the Deflate64 archive's entries
 *
 * Each decoder runs whole (one buffer per entry, its size + 1, as decode.c
 * decodes entries up to 4 MiB) and ours also streamed (ZS_STREAM_CHUNK
 * chunks with the 64 KiB window moved in front of each, as decode.c
 * decodes bigger entries).  Output buffers are allocated and touched
 * before timing.  Each figure is the median of --reps passes over all
 * entries, in MB/s of output (10^6 bytes), and its ratio to libdeflate on
 * the same Deflate streams.
 *
 * usage: inflate64_speed [--reps N] [--only NAME] LABEL DEFLATE.zip
 *                        DEFLATE64.zip
 *   --only NAME  run one measurement (see `names` below) once: for
 *                `valgrind --tool=callgrind --collect-atstart=no
 *                --toggle-collect=pass` instruction counts (README).
 */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inflate64.h"
#include "internal.h"

#define REPS_DEFAULT 5
#define REPS_MAX 101
#define RELEVEL 6   /* libdeflate's default level, for the second set */

/* One set of streams: every entry of an archive of one method. */
typedef struct set {
	size_t n;
	const uint8_t **in;
	size_t *in_len, *out_len;
	uint64_t in_total, out_total;
} set;

static void load_set(set *s, zs_archive *a, unsigned method)
{
	size_t cnt = a->index.count;
	s->in = calloc(cnt, sizeof(*s->in));
	s->in_len = calloc(cnt, sizeof(*s->in_len));
	s->out_len = calloc(cnt, sizeof(*s->out_len));
	if (!s->in || !s->in_len || !s->out_len)
		exit(1);
	for (size_t i = 0; i < cnt; i++) {
		if (a->index.method[i] != method || !a->index.uncomp_size[i])
			continue;
		s->in[s->n] = a->data + a->index.data_offset[i];
		s->in_len[s->n] = (size_t)a->index.comp_size[i];
		s->out_len[s->n] = (size_t)a->index.uncomp_size[i];
		s->in_total += a->index.comp_size[i];
		s->out_total += a->index.uncomp_size[i];
		s->n++;
	}
}

/* The Deflate set compressed again by libdeflate; orig gets every entry's
 * bytes, one after another, for checking. */
static void relevel(set *dst, const set *src, uint8_t **orig)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(RELEVEL);
	uint8_t *all = malloc(src->out_total ? src->out_total : 1);
	size_t at = 0;

	*dst = *src;
	dst->in_total = 0;
	dst->in = calloc(src->n, sizeof(*dst->in));
	dst->in_len = calloc(src->n, sizeof(*dst->in_len));
	if (!d || !c || !all || !dst->in || !dst->in_len)
		exit(1);
	for (size_t k = 0; k < src->n; k++) {
		if (libdeflate_deflate_decompress(d, src->in[k], src->in_len[k],
						  all + at, src->out_len[k],
						  NULL) != LIBDEFLATE_SUCCESS) {
			fprintf(stderr, "inflate64_speed: libdeflate fails on "
				"entry %zu\n", k);
			exit(1);
		}
		size_t bound = libdeflate_deflate_compress_bound(
			c, src->out_len[k]);
		uint8_t *z = malloc(bound);
		if (!z)
			exit(1);
		dst->in_len[k] = libdeflate_deflate_compress(
			c, all + at, src->out_len[k], z, bound);
		dst->in[k] = z;
		dst->in_total += dst->in_len[k];
		at += src->out_len[k];
	}
	*orig = all;
	libdeflate_free_compressor(c);
	libdeflate_free_decompressor(d);
}

/* ---- the measured passes (each a function of its own for callgrind) ---- */

static uint8_t *buf;        /* the largest entry + 1, touched */
static uint8_t *window;     /* ZS_INFLATE64_WINDOW + ZS_STREAM_CHUNK */
static volatile uint32_t sink;   /* keeps the output live */

__attribute__((noinline)) static int
pass_libdeflate(struct libdeflate_decompressor *d, const set *s)
{
	for (size_t k = 0; k < s->n; k++) {
		size_t got;
		if (libdeflate_deflate_decompress(d, s->in[k], s->in_len[k],
						  buf, s->out_len[k] + 1,
						  &got) != LIBDEFLATE_SUCCESS ||
		    got != s->out_len[k])
			return -1;
		sink += buf[got / 2];
	}
	return 0;
}

__attribute__((noinline)) static int
pass_ours_whole(zs_inflate64 *d, const set *s, unsigned flags)
{
	for (size_t k = 0; k < s->n; k++) {
		size_t pos = 0;
		zs_inflate64_start(d, s->in[k], s->in_len[k], flags);
		if (zs_inflate64_run(d, buf, &pos, s->out_len[k] + 1) !=
		    ZS_CODEC_END || pos != s->out_len[k])
			return -1;
		sink += buf[pos / 2];
	}
	return 0;
}

__attribute__((noinline)) static int
pass_ours_streamed(zs_inflate64 *d, const set *s, unsigned flags)
{
	size_t cap = ZS_INFLATE64_WINDOW + ZS_STREAM_CHUNK;
	for (size_t k = 0; k < s->n; k++) {
		size_t pos = 0, total = 0;
		zs_codec_result r;
		zs_inflate64_start(d, s->in[k], s->in_len[k], flags);
		for (;;) {
			size_t from = pos;
			r = zs_inflate64_run(d, window, &pos, cap);
			total += pos - from;
			if (r != ZS_CODEC_FULL)
				break;
			size_t keep = pos < ZS_INFLATE64_WINDOW ?
				      pos : ZS_INFLATE64_WINDOW;
			memmove(window, window + pos - keep, keep);
			pos = keep;
		}
		if (r != ZS_CODEC_END || total != s->out_len[k])
			return -1;
		sink += window[pos / 2];
	}
	return 0;
}

/* ---- the table ----------------------------------------------------------- */

enum { LD_7Z, OURS_7Z, OURS_7Z_STREAM, LD_RE, OURS_RE, OURS_RE_STREAM,
       D64, D64_STREAM, NMEAS };

static const char *const names[NMEAS] = {
	"libdeflate", "plain", "plain-stream", "libdeflate-l6", "plain-l6",
	"plain-l6-stream", "d64", "d64-stream",
};
static const char *const rows[NMEAS][3] = {
	{ "libdeflate", "Deflate (7zz -mx9)", "whole" },
	{ "ours, plain", "Deflate (7zz -mx9)", "whole" },
	{ "ours, plain", "Deflate (7zz -mx9)", "256K chunks" },
	{ "libdeflate", "Deflate (libdeflate -6)", "whole" },
	{ "ours, plain", "Deflate (libdeflate -6)", "whole" },
	{ "ours, plain", "Deflate (libdeflate -6)", "256K chunks" },
	{ "ours, Deflate64", "Deflate64 (7zz -mx9)", "whole" },
	{ "ours, Deflate64", "Deflate64 (7zz -mx9)", "256K chunks" },
};
/* The libdeflate row each row is measured against. */
static const int versus[NMEAS] = { LD_7Z, LD_7Z, LD_7Z, LD_RE, LD_RE, LD_RE,
				   LD_7Z, LD_7Z };

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int reps = REPS_DEFAULT, only = -1, argi = 1;

	for (; argi + 1 < argc && !strncmp(argv[argi], "--", 2); argi += 2) {
		if (!strcmp(argv[argi], "--reps"))
			reps = atoi(argv[argi + 1]);
		else if (!strcmp(argv[argi], "--only"))
			for (int m = 0; m < NMEAS; m++)
				if (!strcmp(argv[argi + 1], names[m]))
					only = m;
	}
	if (argc - argi != 3 || reps < 1 || reps > REPS_MAX) {
		fprintf(stderr, "usage: inflate64_speed [--reps N] [--only "
			"NAME] LABEL DEFLATE.zip DEFLATE64.zip\n");
		return 2;
	}
	zs_archive za, z64;
	zs_options o;
	zs_options_init(&o);
	o.threads = 1;
	if ((zs_archive_open(&za, argv[argi + 1], &o), !za.indexed) ||
	    (zs_archive_open(&z64, argv[argi + 2], &o), !z64.indexed)) {
		fprintf(stderr, "inflate64_speed: cannot open the archives\n");
		return 1;
	}
	set s7, s64, sre;
	uint8_t *orig;
	memset(&s7, 0, sizeof(s7));
	memset(&s64, 0, sizeof(s64));
	load_set(&s7, &za, 8);
	load_set(&s64, &z64, 9);
	relevel(&sre, &s7, &orig);
	if (s7.out_total != s64.out_total || !s7.n) {
		fprintf(stderr, "inflate64_speed: the archives differ (%llu "
			"and %llu bytes)\n", (unsigned long long)s7.out_total,
			(unsigned long long)s64.out_total);
		return 1;
	}
	size_t max = 1;
	for (size_t k = 0; k < s7.n; k++)
		if (s7.out_len[k] + 1 > max)
			max = s7.out_len[k] + 1;
	buf = malloc(max);
	window = malloc(ZS_INFLATE64_WINDOW + ZS_STREAM_CHUNK);
	struct libdeflate_decompressor *ld = libdeflate_alloc_decompressor();
	zs_inflate64 *d = zs_inflate64_new();
	if (!buf || !window || !ld || !d)
		return 1;
	memset(buf, 0, max);
	memset(window, 0, ZS_INFLATE64_WINDOW + ZS_STREAM_CHUNK);

	double t[NMEAS][REPS_MAX], med[NMEAS];
	for (int r = 0; r < reps; r++) {
		/* in turn, round after round: a noisy neighbour hurts all */
		for (int m = 0; m < NMEAS; m++) {
			if (only >= 0 && m != only)
				continue;
			double t0 = zs_now();
			int bad;
			switch (m) {
			case LD_7Z: bad = pass_libdeflate(ld, &s7); break;
			case OURS_7Z: bad = pass_ours_whole(d, &s7,
						ZS_INFLATE64_PLAIN); break;
			case OURS_7Z_STREAM: bad = pass_ours_streamed(d, &s7,
						ZS_INFLATE64_PLAIN); break;
			case LD_RE: bad = pass_libdeflate(ld, &sre); break;
			case OURS_RE: bad = pass_ours_whole(d, &sre,
						ZS_INFLATE64_PLAIN); break;
			case OURS_RE_STREAM: bad = pass_ours_streamed(d, &sre,
						ZS_INFLATE64_PLAIN); break;
			case D64: bad = pass_ours_whole(d, &s64, 0); break;
			default: bad = pass_ours_streamed(d, &s64, 0); break;
			}
			t[m][r] = zs_now() - t0;
			if (bad) {
				fprintf(stderr, "inflate64_speed: %s fails\n",
					names[m]);
				return 1;
			}
		}
	}
	if (only >= 0) {
		printf("%s: %llu bytes out\n", names[only],
		       (unsigned long long)s7.out_total);
		return 0;
	}
	for (int m = 0; m < NMEAS; m++) {
		qsort(t[m], (size_t)reps, sizeof(double), cmp_double);
		med[m] = t[m][reps / 2];
	}
	printf("\n%s: %zu entries, %.1f MB; compressed: Deflate %.1f MB (7zz "
	       "-mx9), %.1f MB (libdeflate -%d), Deflate64 %.1f MB (7zz -mx9); "
	       "median of %d, one thread\n", argv[argi], s7.n,
	       s7.out_total / 1e6, s7.in_total / 1e6, sre.in_total / 1e6,
	       RELEVEL, s64.in_total / 1e6, reps);
	printf("| %-15s | %-23s | %-11s | %7s | %13s |\n", "decoder", "data",
	       "form", "MB/s", "vs libdeflate");
	printf("|%s|%s|%s|%s:|%s:|\n", "-----------------", "-------------"
	       "------------", "-------------", "--------", "--------------");
	for (int m = 0; m < NMEAS; m++)
		printf("| %-15s | %-23s | %-11s | %7.0f | %12.0f%% |\n",
		       rows[m][0], rows[m][1], rows[m][2],
		       s7.out_total / med[m] / 1e6,
		       100.0 * med[versus[m]] / med[m]);
	printf("ours, Deflate64 whole: %.0f%% of libdeflate on Deflate "
	       "(target: 70%%)\n", 100.0 * med[LD_7Z] / med[D64]);
	for (size_t k = 0; k < sre.n; k++)
		free((void *)sre.in[k]);
	free(orig);
	return 0;
}
