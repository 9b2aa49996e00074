// SPDX-License-Identifier: MIT
/*
 * cli_create.c - `zipscan create OUT.zip PATH...`: parse its options, give
 * the paths to the library's writer (zs_writer_*), and say what was
 * written.  Only include/zipscan.h is used.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_create.h"
#include "zipscan.h"

#define MAX_PATTERNS 4096

static const char create_help[] =
"usage: zipscan create [OPTIONS] OUT.zip PATH...\n\n"
"Write a ZIP archive of the PATHs (directories recursively, '-' for\n"
"standard input), compressed on every thread; the same bytes for every\n"
"thread count.  OUT.zip is written beside itself and renamed when\n"
"complete: it is never left half-written.\n\n"
"Options:\n"
"  -l, --level N          0 store, 1-12 Deflate levels (default 6)\n"
"  -x, --exclude PATTERN  leave out names matching PATTERN (fnmatch, '*'\n"
"                         crosses '/'); may be repeated\n"
"      --store PATTERN    store names matching PATTERN as they are; may be\n"
"                         repeated (default: compressed formats by suffix,\n"
"                         as zip -n: .zip .gz .xz .zst .jpg .png .mp4 ...)\n"
"  -y, --symlinks         store symlinks as links (default: follow them,\n"
"                         as zip)\n"
"  -@, --names-stdin      read the PATHs from standard input, one a line\n"
"  -0, --null             ... NUL-separated\n"
"  -j, --threads N        threads to use (default: every CPU)\n"
"      --memory-limit SIZE  data in flight per thread (default 64M); the\n"
"                         thread count is lowered if memory is short\n"
"      --chunk-size SIZE  big files are compressed in pieces of SIZE in\n"
"                         parallel (default 1M)\n"
"      --sozip            seek-optimized (SOZip) big entries: Deflate in\n"
"                         independent chunks plus a hidden index\n"
"      --sozip-chunk-size SIZE  SOZip chunk, of input (default 32K)\n"
"      --sozip-min-size SIZE    only entries of at least SIZE (default 1M)\n"
"      --json             one JSON object: what was written\n"
"      --progress         progress bar on stderr even if not a terminal\n"
"  -q, --quiet            no summary\n"
"  -h, --help             this text\n\n"
"Exit status: 0 ok; 1 warnings (a file vanished or changed while read);\n"
"4 out of memory; 10 bad command line; 11 nothing to write; 50 the archive\n"
"could not be written (nothing is left); 80 interrupted (nothing is left).\n";

enum { OPT_JSON = 256, OPT_STORE, OPT_MEMORY, OPT_CHUNK, OPT_PROGRESS,
       OPT_SOZIP, OPT_SOZIP_CHUNK, OPT_SOZIP_MIN };

static const struct option create_options[] = {
	{ "level", required_argument, NULL, 'l' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "symlinks", no_argument, NULL, 'y' },
	{ "names-stdin", no_argument, NULL, '@' },
	{ "null", no_argument, NULL, '0' },
	{ "threads", required_argument, NULL, 'j' },
	{ "memory-limit", required_argument, NULL, OPT_MEMORY },
	{ "chunk-size", required_argument, NULL, OPT_CHUNK },
	{ "sozip", no_argument, NULL, OPT_SOZIP },
	{ "sozip-chunk-size", required_argument, NULL, OPT_SOZIP_CHUNK },
	{ "sozip-min-size", required_argument, NULL, OPT_SOZIP_MIN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

typedef struct create_cli {
	zs_writer_options o;
	const char **exclude, **store;
	int names_stdin, null, json, quiet, progress;
} create_cli;

static volatile int stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "zipscan create: %s '%s'\nTry 'zipscan create "
		"--help'.\n", what, arg);
	return ZS_EXIT_USAGE;
}

static int push(const char ***list, size_t *n, const char *p)
{
	const char **l = *n < MAX_PATTERNS ? realloc(*list, (*n + 1) *
						     sizeof(*l)) : NULL;
	if (!l)
		return -1;
	l[(*n)++] = p;
	*list = l;
	return 0;
}

/* A whole number in [lo, hi], or -1. */
static long number(const char *s, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	return errno || end == s || *end || v < lo || v > hi ? -1 : v;
}

/* --sozip-chunk-size (1K to 1G: the index holds it in 32 bits) or
 * --sozip-min-size (at least 1). */
static int sozip_size(create_cli *c, int ch, const char *arg)
{
	uint64_t size;

	if (parse_size(arg, &size) != 0 || size == 0 ||
	    (ch == OPT_SOZIP_CHUNK && (size < 1024 || size > (1u << 30))))
		return usage_error(ch == OPT_SOZIP_CHUNK ? "invalid SOZip "
				   "chunk size (1K to 1G)" : "invalid size",
				   arg);
	if (ch == OPT_SOZIP_CHUNK)
		c->o.sozip_chunk_size = (size_t)size;
	else
		c->o.sozip_min_size = size;
	return -1;
}

/* One option; -1 to go on, else an exit status. */
static int take_option(create_cli *c, int ch, const char *arg)
{
	uint64_t size;

	switch (ch) {
	case 'l':
		if ((c->o.level = (int)number(arg, 0, 12)) < 0)
			return usage_error("invalid level (0 to 12)", arg);
		return -1;
	case 'j':
		if ((c->o.threads = (int)number(arg, 1, 1024)) < 0)
			return usage_error("invalid thread count (1 to 1024)",
					   arg);
		return -1;
	case 'x':
		return push(&c->exclude, &c->o.n_exclude, arg) ?
		       usage_error("too many patterns", arg) : -1;
	case OPT_STORE:
		return push(&c->store, &c->o.n_store, arg) ?
		       usage_error("too many patterns", arg) : -1;
	case OPT_MEMORY:
	case OPT_CHUNK:
		if (parse_size(arg, &size) != 0 || (ch == OPT_CHUNK &&
		    size > (1u << 30)))
			return usage_error("invalid size", arg);
		if (ch == OPT_MEMORY)
			c->o.memory_limit = size;
		else
			c->o.chunk_size = (size_t)size;
		return -1;
	case OPT_SOZIP: c->o.sozip = 1; return -1;
	case OPT_SOZIP_CHUNK:
	case OPT_SOZIP_MIN:
		return sozip_size(c, ch, arg);
	case 'y': c->o.store_links = 1; return -1;
	case '@': c->names_stdin = 1; return -1;
	case '0': c->null = 1; return -1;
	case OPT_JSON: c->json = 1; return -1;
	case OPT_PROGRESS: c->progress = 1; return -1;
	case 'q': c->quiet = 1; return -1;
	case 'h': fputs(create_help, stdout); return ZS_EXIT_OK;
	default:
		fputs("Try 'zipscan create --help'.\n", stderr);
		return ZS_EXIT_USAGE;
	}
}

/* -@: the paths on standard input, one a line (or NUL-separated). */
static int add_listed(zs_writer *w, int null)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = ZS_EXIT_OK;

	while (!stop_flag && (n = getdelim(&line, &cap, null ? '\0' : '\n',
					   stdin)) > 0) {
		if (line[n - 1] == (null ? '\0' : '\n'))
			line[--n] = '\0';
		if (n > 0)
			status = zs_writer_add_path(w, line);
	}
	free(line);
	return status;
}

static void put_json_string(const char *s, FILE *f)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void report(const create_cli *c, const char *out,
		   const zs_writer_totals *t, int status)
{
	if (c->json) {
		fputs("{\"archive\":", stdout);
		put_json_string(out, stdout);
		printf(",\"status\":%d,\"entries\":%llu,\"files\":%llu,"
		       "\"dirs\":%llu,\"links\":%llu,\"bytes_in\":%llu,"
		       "\"bytes_out\":%llu,\"zip64\":%s,\"level\":%d,"
		       "\"threads\":%d,\"threads_why\":", status,
		       (unsigned long long)t->entries,
		       (unsigned long long)t->files,
		       (unsigned long long)t->dirs,
		       (unsigned long long)t->links,
		       (unsigned long long)t->bytes_in,
		       (unsigned long long)t->bytes_out,
		       t->zip64 ? "true" : "false", c->o.level, t->threads);
		if (t->threads_why)
			put_json_string(t->threads_why, stdout);
		else
			fputs("null", stdout);
		printf(",\"warnings\":%llu,\"sozip\":%llu,\"seconds\":%.3f}\n",
		       (unsigned long long)t->warnings,
		       (unsigned long long)t->sozip, t->seconds);
	} else if (!c->quiet && status <= ZS_EXIT_WARN) {
		printf("%s: %llu entries (%llu files, %llu directories, %llu "
		       "links), %llu bytes in, %llu bytes written, %d "
		       "threads\n", out, (unsigned long long)t->entries,
		       (unsigned long long)t->files,
		       (unsigned long long)t->dirs,
		       (unsigned long long)t->links,
		       (unsigned long long)t->bytes_in,
		       (unsigned long long)t->bytes_out, t->threads);
	}
}

static void catch_stop(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int write_archive(create_cli *c, const char *out, char **paths,
			 int n)
{
	zs_writer_totals t;
	int status;

	memset(&t, 0, sizeof(t));
	zs_options threads;
	zs_options_init(&threads);
	threads.threads = c->o.threads;
	if (c->progress || (!c->quiet && isatty(STDERR_FILENO)))
		c->o.progress = zs_progress_new(zs_threads_effective(&threads),
						stderr);
	zs_progress_phase(c->o.progress, "compressing");
	zs_writer *w = zs_writer_open(out, &c->o, &status);
	if (!w) {
		zs_progress_stop(c->o.progress);
		fprintf(stderr, "zipscan: cannot create %s: %s\n", out,
			strerror(errno));
		return status;
	}
	for (int k = 0; k < n && !stop_flag; k++)
		zs_writer_add_path(w, paths[k]);
	if (c->names_stdin)
		add_listed(w, c->null);
	status = zs_writer_finish(w, &t);
	zs_progress_stop(c->o.progress);
	if (status == ZS_EXIT_INTERRUPT)
		fprintf(stderr, "zipscan: interrupted; %s not written\n", out);
	report(c, out, &t, status);
	return status;
}

int zs_cli_create(int argc, char **argv)
{
	create_cli c;
	int ch, rc = -1;

	memset(&c, 0, sizeof(c));
	zs_writer_options_init(&c.o);
	c.o.stop = &stop_flag;
	optind = 1;
	while (rc < 0 && (ch = getopt_long(argc, argv, "l:x:y@0j:qh",
					   create_options, NULL)) != -1)
		rc = take_option(&c, ch, optarg);
	c.o.exclude = c.exclude;
	c.o.store = c.store;
	if (rc < 0 && optind >= argc)
		rc = usage_error("no archive given", "");
	if (rc < 0 && optind + 1 >= argc && !c.names_stdin)
		rc = usage_error("no path given after", argv[optind]);
	if (rc < 0 && !strcmp(argv[optind], "-"))   /* headers are patched */
		rc = usage_error("the archive must be a file, not", "-");
	if (rc < 0) {
		catch_stop();
		rc = write_archive(&c, argv[optind], argv + optind + 1,
				   argc - optind - 1);
	}
	free(c.exclude);
	free(c.store);
	return rc;
}
