// SPDX-License-Identifier: MIT
/*
 * zipgen.c - synthetic test data, fast: an archive (through the library's
 * writer, compressed on every thread) or a directory tree of a given entry
 * count, size distribution and compressibility, the same for the same
 * seed.  For the large-archive tests and benchmarks that would otherwise
 * wait on Python's zipfile.
 *
 *   zipgen [--entries N] [--size MIN[-MAX]] [--compressibility PCT]
 *          [--seed S] [--level L] [-j N] [--progress] (OUT.zip | --tree DIR)
 *
 * Sizes are log-uniform between MIN and MAX (K, M, G suffixes); a
 * compressibility of PCT percent makes that share of each entry's 64-byte
 * blocks words from a small vocabulary, the rest random bytes.  Entry k is
 * named dNNNN/fNNNNNNN.dat, a thousand to a directory.  Any byte of any
 * entry is computed from (seed, entry, offset) alone, so the writer's
 * threads fill pieces of one entry independently.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zipscan.h"

typedef struct gen {
	uint64_t seed;
	unsigned pct;            /* compressible share of the blocks */
} gen;

typedef struct entry_ctx {
	const gen *g;
	uint64_t index;
} entry_ctx;

static uint64_t mix(uint64_t x)   /* splitmix64's finalizer */
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static const char *const words[] = { "zip ", "scan ", "entry ", "header ",
	"deflate ", "central ", "directory ", "the ", "of ", "and ", "data ",
	"archive ", "\n", "offset ", "size ", "crc " };

/* The 64-byte block b of entry e. */
static void fill_block(const gen *g, uint64_t e, uint64_t b, uint8_t *out)
{
	uint64_t h = mix(g->seed ^ mix(e * 0x100000001b3ull + b));

	if (h % 100 < g->pct) {
		size_t n = 0;
		while (n < 64) {
			h = mix(h);
			const char *w = words[h % 16];
			for (; *w && n < 64; w++)
				out[n++] = (uint8_t)*w;
		}
		return;
	}
	for (int k = 0; k < 8; k++) {
		h = mix(h + (uint64_t)k);
		memcpy(out + 8 * k, &h, 8);
	}
}

static int fill(void *ctx, uint64_t offset, void *buf, size_t len)
{
	const entry_ctx *c = ctx;
	uint8_t block[64], *p = buf;

	while (len) {
		uint64_t b = offset / 64, in = offset % 64;
		size_t n = 64 - in < len ? (size_t)(64 - in) : len;
		fill_block(c->g, c->index, b, block);
		memcpy(p, block + in, n);
		p += n, offset += n, len -= n;
	}
	return 0;
}

/* Entry k's size: log-uniform in [lo, hi]. */
static uint64_t entry_size(const gen *g, uint64_t k, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	double u = (double)(mix(g->seed * 31 + k) >> 11) / 9007199254740992.0;
	double l = lo ? (double)lo : 1.0;
	double v = l * __builtin_exp(u * __builtin_log((double)hi / l));
	return lo == 0 && v < 1.5 ? 0 : (uint64_t)v;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	int shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' ||
		    *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : 0;
	if (end == s || v < 0)
		return -1;
	*out = (uint64_t)(v * (double)(1ull << shift));
	return 0;
}

static int write_tree(const char *dir, const char *name, uint64_t size,
		      entry_ctx *c)
{
	char path[4096];
	static uint8_t buf[1 << 20];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*strrchr(path, '/') = '\0';
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	for (uint64_t at = 0; f && at < size; ) {
		size_t n = size - at < sizeof(buf) ? (size_t)(size - at) :
			   sizeof(buf);
		fill(c, at, buf, n);
		if (fwrite(buf, 1, n, f) != n)
			break;
		at += n;
	}
	return f && fclose(f) == 0 ? 0 : -1;
}

static const char usage[] =
"usage: zipgen [--entries N] [--size MIN[-MAX]] [--compressibility PCT]\n"
"              [--seed S] [--level L] [-j N] [--progress] "
"(OUT.zip | --tree DIR)\n";

typedef struct plan {
	uint64_t n, smin, smax;
	gen g;
	const char *tree, *out;
	int progress;
	zs_writer_options o;
} plan;

/* --size MIN[-MAX] */
static int parse_range(char *arg, plan *p)
{
	char *dash = strchr(arg, '-');
	if (dash)
		*dash = '\0';
	if (parse_size(arg, &p->smin) != 0 ||
	    (dash && parse_size(dash + 1, &p->smax) != 0))
		return -1;
	if (!dash)
		p->smax = p->smin;
	return 0;
}

/* 0, or -1 for a bad command line. */
static int parse_args(plan *p, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "entries", 1, 0, 'n' }, { "size", 1, 0, 's' },
		{ "compressibility", 1, 0, 'c' }, { "seed", 1, 0, 'S' },
		{ "level", 1, 0, 'l' }, { "threads", 1, 0, 'j' },
		{ "tree", 1, 0, 't' }, { "progress", 0, 0, 'p' },
		{ 0, 0, 0, 0 } };
	int ch;

	while ((ch = getopt_long(argc, argv, "j:", lo, NULL)) != -1) {
		switch (ch) {
		case 'n': p->n = strtoull(optarg, NULL, 10); break;
		case 's':
			if (parse_range(optarg, p) != 0)
				return -1;
			break;
		case 'c': p->g.pct = (unsigned)atoi(optarg); break;
		case 'S': p->g.seed = strtoull(optarg, NULL, 10); break;
		case 'l': p->o.level = atoi(optarg); break;
		case 'j': p->o.threads = atoi(optarg); break;
		case 't': p->tree = optarg; break;
		case 'p': p->progress = 1; break;
		default: return -1;
		}
	}
	if (p->tree ? optind != argc : optind != argc - 1)
		return -1;
	p->out = p->tree ? NULL : argv[optind];
	return 0;
}

/* Every entry, into the writer w or (w NULL) as files under p->tree. */
static int generate(plan *p, zs_writer *w, entry_ctx *ctx)
{
	int status = 0;
	int say = !w && (p->progress || isatty(STDERR_FILENO));

	for (uint64_t k = 0; k < p->n && status <= 1; k++) {
		char name[64];
		uint64_t size = entry_size(&p->g, k, p->smin, p->smax);
		ctx[k] = (entry_ctx){ &p->g, k };
		snprintf(name, sizeof(name), "d%04llu/f%07llu.dat",
			 (unsigned long long)(k / 1000), (unsigned long long)k);
		if (w)
			status = zs_writer_add_fill(w, name, size, 0644,
						    1700000000, fill, &ctx[k]);
		else if (write_tree(p->tree, name, size, &ctx[k]) != 0)
			status = 50;
		if (say && (k + 1) % 10000 == 0)
			fprintf(stderr, "\rzipgen: %llu of %llu files",
				(unsigned long long)(k + 1),
				(unsigned long long)p->n);
	}
	return status;
}

static int write_archive(plan *p, entry_ctx *ctx)
{
	zs_writer_totals t;
	int status;

	if (p->progress || isatty(STDERR_FILENO))
		p->o.progress = zs_progress_new(p->o.threads > 0 ?
						p->o.threads : 1024, stderr);
	zs_progress_phase(p->o.progress, "generating");
	zs_writer *w = zs_writer_open(p->out, &p->o, &status);
	if (!w) {
		zs_progress_stop(p->o.progress);
		fprintf(stderr, "zipgen: %s: %s\n", p->out, strerror(errno));
		return status;
	}
	generate(p, w, ctx);
	status = zs_writer_finish(w, &t);
	zs_progress_stop(p->o.progress);
	fprintf(stderr, "zipgen: %s: %llu entries, %llu bytes of data, %llu "
		"bytes written, %.2f s\n", p->out,
		(unsigned long long)t.entries, (unsigned long long)t.bytes_in,
		(unsigned long long)t.bytes_out, t.seconds);
	return status;
}

int main(int argc, char **argv)
{
	plan p = { .n = 1000, .smin = 4096, .smax = 4096,
		   .g = { .seed = 1, .pct = 50 } };
	int status;

	zs_writer_options_init(&p.o);
	if (parse_args(&p, argc, argv) != 0)
		return fputs(usage, stderr), 10;
	entry_ctx *ctx = calloc(p.n ? p.n : 1, sizeof(*ctx));
	if (!ctx)
		return 4;
	if (p.out)
		status = write_archive(&p, ctx);
	else if (mkdir(p.tree, 0755) != 0 && errno != EEXIST)
		status = (perror(p.tree), 50);
	else
		status = generate(&p, NULL, ctx);
	free(ctx);
	return status;
}
