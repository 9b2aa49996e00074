/* SPDX-License-Identifier: MIT */
/*
 * helpers.h - shared by the Criterion tests: fixture paths, opening and
 * scanning an archive in-process, and running the zipscan command.
 */
#ifndef ZS_TEST_HELPERS_H
#define ZS_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "internal.h"   /* the tests look inside the handle */

#ifdef ZS_BIN_OVERRIDE
#undef ZS_BIN
#define ZS_BIN ZS_BIN_OVERRIDE
#endif

/* The third-party corpus (../shared/corpus/third_party in CI): $ZS_CORPUS
 * at run time (make test sets it from CORPUS=DIR), else the path the test
 * binary was built with.  NULL when it is not there: the tests that need it
 * skip, saying so. */
#include <sys/stat.h>
static inline const char *corpus_dir(void)
{
	const char *d = getenv("ZS_CORPUS");
	struct stat st;
	if (!d || !*d)
		d = ZS_CORPUS;
	return stat(d, &st) == 0 && S_ISDIR(st.st_mode) ? d : NULL;
}

#define NEED_CORPUS()                                                      \
	do {                                                               \
		if (!corpus_dir())                                         \
			cr_skip_test("no third-party corpus (set ZS_CORPUS " \
				     "or CORPUS=DIR make test)");          \
	} while (0)

/* A file of the corpus: "DIR/rel" (static buffer per thread). */
static inline const char *corpus_file(const char *rel)
{
	static __thread char path[4096];
	snprintf(path, sizeof(path), "%s/%s", corpus_dir() ? corpus_dir() :
		 "(no corpus)", rel);
	return path;
}

/* A fresh directory /tmp/zs_TAG_XXXXXX (free it with drop_dir, which
 * removes it and everything in it). */
static inline char *temp_dir(const char *tag)
{
	char *t = malloc(64);
	cr_assert_not_null(t);
	snprintf(t, 64, "/tmp/zs_%s_XXXXXX", tag);
	cr_assert_not_null(mkdtemp(t));
	return t;
}

static inline int run(char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void drop_dir(char *t)
{
	run(NULL, 0, "rm -rf %s", t);
	free(t);
}

/* Run the zipscan binary with argv, its output to /dev/null; its exit
 * status (128 + signal if killed), in *cpu its user + system seconds (for
 * the linear-time tests: CPU time, not wall time, on a shared box) and in
 * *maxrss_kib (if not NULL) its peak resident memory. */
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
static inline int run_cpu(char *const argv[], double *cpu, long *maxrss_kib)
{
	struct rusage ru;
	int st;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(ZS_BIN, argv);
		_exit(127);
	}
	cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	if (maxrss_kib)
		*maxrss_kib = ru.ru_maxrss;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The median of three timings. */
static inline double median3(const double v[3])
{
	double a = v[0], b = v[1], c = v[2];
	if (a > b) { double x = a; a = b; b = x; }
	if (b > c) b = c;
	return a > b ? a : b;
}

static inline const char *fixture(const char *name)
{
	static __thread char path[4096];
	snprintf(path, sizeof(path), "%s/%s", ZS_FIXTURES, name);
	return path;
}

/* Open and scan a fixture in-process with `threads` threads; the archive
 * stays open for the caller (close it). Returns the exit status. */
static inline int scan_fixture(zs_archive *a, const char *name, int threads,
			       uint64_t memory_limit, zs_totals *t)
{
	zs_options o;
	zs_totals tmp;
	zs_options_init(&o);
	o.threads = threads;
	if (memory_limit)
		o.memory_limit = memory_limit;
	zs_archive_open(a, fixture(name), &o);
	return zs_scan_entries(a, &o, t ? t : &tmp);
}

/* Index of the entry named `name`, or -1. */
static inline long find_entry(const zs_archive *a, const char *name)
{
	for (size_t i = 0; i < a->index.count; i++)
		if (a->index.name_len[i] == strlen(name) &&
		    !memcmp(a->data + a->index.name_offset[i], name,
			    strlen(name)))
			return (long)i;
	return -1;
}

/* Run a shell command line; its standard output (at most cap - 1 bytes) is
 * stored in out if out is not NULL (the rest is read and dropped).  Returns
 * the exit status. */
static inline int run(char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int run(char *out, size_t cap, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "popen %s", cmd);
	size_t n = 0, got;
	char sink[4096];
	/* past cap the output is read and dropped: a command must never die
	 * of SIGPIPE (exit 141) because the caller keeps only the start */
	while ((got = fread(out && n < cap - 1 ? out + n : sink, 1,
			    out && n < cap - 1 ? cap - 1 - n : sizeof(sink),
			    p)) > 0)
		if (out && n < cap - 1)
			n += got;
	if (out)
		out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Reproducible bytes for the tests: xorshift64 on *state. */
static inline uint64_t xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
