/* SPDX-License-Identifier: MIT */
/*
 * test_hostile.c - archives made to hurt the reader rather than to be
 * damaged: names chosen to collide in the name tables, a writer changing
 * the archive while it is extracted, input without end on a pipe, and
 * small lies the checks used to let through.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

typedef struct child {
	int status;
	double cpu;            /* user + system seconds, from wait4 */
} child;

/* Run `zipscan ARGV...` with output to /dev/null; its status and CPU. */
static child spawn_cpu(char *const argv[])
{
	child c = { .status = -1 };
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
	c.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	c.cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	return c;
}

static double median3(const double v[3])
{
	double a = v[0], b = v[1], c = v[2];
	if (a > b) { double x = a; a = b; b = x; }
	if (b > c) b = c;
	return a > b ? a : b;
}

static char tmp_dir[64];

static void tmp_cleanup(void)
{
	if (tmp_dir[0])
		run(NULL, 0, "rm -rf %s", tmp_dir);
}

static void tmp_make(void)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/zs_hostile_XXXXXX");
	cr_assert_not_null(mkdtemp(tmp_dir));
}

/*
 * Hash flooding: 50,000 names that the old unkeyed FNV-1a sent into 4,096
 * slots of the audit's and the plan's tables (test/hashflood.py), against
 * 50,000 random names of the same form.  `check -j1`, CPU time of the
 * child, median of 3: the chosen names may cost at most 3 times the random
 * ones.  Before the keyed hash: 1.26 s against 0.05 s (25 times).
 */
#define FLOOD_NAMES 50000
#define FLOOD_BOUND 3.0

Test(hostile, colliding_names_cost_no_more_than_random, .fini = tmp_cleanup,
     .timeout = 300)
{
	static const char *const kinds[2] = { "random", "collide" };
	char path[2][128];
	double cpu[2][3];

	tmp_make();
	cr_assert_eq(run(NULL, 0, ZS_PYTHON " %s/hashflood.py %s %d",
			 ZS_TESTDIR, tmp_dir, FLOOD_NAMES), 0);
	for (int k = 0; k < 2; k++) {
		snprintf(path[k], sizeof(path[k]), "%s/%s.zip", tmp_dir,
			 kinds[k]);
		char *argv[] = { (char *)ZS_BIN, "check", "-j1", path[k],
				 NULL };
		/* in the page cache before anything is timed */
		cr_assert_eq(spawn_cpu(argv).status, 0, "%s", path[k]);
	}
	for (int r = 0; r < 3; r++)
		for (int k = 0; k < 2; k++) {
			char *argv[] = { (char *)ZS_BIN, "check", "-j1",
					 path[k], NULL };
			child c = spawn_cpu(argv);
			cr_assert_eq(c.status, 0);
			cpu[k][r] = c.cpu;
		}
	double rnd = median3(cpu[0]), col = median3(cpu[1]);
	cr_log_info("check -j1, %d names, CPU s: random %.3f, colliding %.3f",
		    FLOOD_NAMES, rnd, col);
	/* a floor of 20 ms keeps a tiny denominator from deciding */
	cr_expect_leq(col, FLOOD_BOUND * (rnd > 0.02 ? rnd : 0.02),
		      "colliding names: %.3f s, random: %.3f s", col, rnd);
}
