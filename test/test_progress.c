/* SPDX-License-Identifier: MIT */
/*
 * test_progress.c - the progress display as a terminal would get it: each
 * redraw (the text between carriage returns, escape sequences aside) fits
 * in COLUMNS - 1 columns, the bar shows a percentage and the entries, the
 * phases show before the work is known, and the line is cleared at the
 * end; in tmux, a real 40-column terminal is left clean.
 */
#include <unistd.h>

#include "helpers.h"

#define OUT_CAP (1 << 20)

/* The longest redraw in visible columns (CSI sequences left out). */
static size_t widest_segment(const char *s)
{
	size_t widest = 0, w = 0;
	for (; *s; s++) {
		if (*s == '\r' || *s == '\n') {
			widest = w > widest ? w : widest;
			w = 0;
		} else if (*s == '\033' && s[1] == '[') {
			for (s += 2; *s && !(*s >= '@' && *s <= '~'); s++)
				;
			if (!*s)
				break;
		} else {
			w++;
		}
	}
	return w > widest ? w : widest;
}

static int ends_cleared(const char *s)
{
	size_t n = strlen(s);
	return n >= 4 && !strcmp(s + n - 4, "\r\033[K");
}

Test(progress, fits_the_width_and_ends_cleared)
{
	char *out = malloc(OUT_CAP);
	const int widths[] = { 40, 120 };
	for (int k = 0; k < 2; k++) {
		int cols = widths[k];
		/* stderr alone: the report goes to /dev/null */
		int st = run(out, OUT_CAP, "COLUMNS=%d %s test --progress "
			     "%s/mixed.zip %s/many.zip 2>&1 >/dev/null", cols,
			     ZS_BIN, ZS_FIXTURES, ZS_FIXTURES);
		cr_assert_eq(st, 0);
		size_t w = widest_segment(out);
		cr_assert_leq(w, (size_t)cols - 1, "a %zu-column line on %d "
			      "columns", w, cols);
		cr_assert_gt(w, 20, "a line was drawn on %d columns", cols);
		cr_assert(strstr(out, "%"), "a percentage on %d", cols);
		cr_assert(strstr(out, " entries"), "entries on %d", cols);
		cr_assert(ends_cleared(out), "the line is cleared at the end");
		/* the wide terminal has room for every field; one display
		 * for the batch (606 + 70,000 entries) */
		if (cols == 120)
			cr_assert(strstr(out, "testing [") &&
				  strstr(out, "/70606 entries") &&
				  strstr(out, "KiB") && strstr(out, "ETA"),
				  "%.300s", out);
	}
	free(out);
}

Test(progress, extract_and_stats_fit_too)
{
	char *out = malloc(OUT_CAP), dir[] = "/tmp/zs_prog_XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	run(out, OUT_CAP, "COLUMNS=40 %s extract --progress -d %s %s 2>&1 "
	    ">/dev/null", ZS_BIN, dir, fixture("many.zip"));
	cr_assert_leq(widest_segment(out), 39);
	cr_assert(strstr(out, "entries") && ends_cleared(out));
	run(out, OUT_CAP, "COLUMNS=40 %s stats --progress %s/stats.zip "
	    "%s/mixed.zip 2>&1 >/dev/null", ZS_BIN, ZS_FIXTURES, ZS_FIXTURES);
	cr_assert_leq(widest_segment(out), 39);
	cr_assert(strstr(out, "/615 entries") && ends_cleared(out),
		  "both archives' entries: %.200s", out);
	run(NULL, 0, "rm -r %s", dir);
	free(out);
}

/* Reading a slow pipe: the phase and its seconds, before any totals. */
Test(progress, phase_shows_before_the_work)
{
	char *out = malloc(OUT_CAP);
	run(out, OUT_CAP, "(sleep 0.6; cat %s) | COLUMNS=30 %s test --progress "
	    "- 2>&1 >/dev/null", fixture("mixed.zip"), ZS_BIN);
	cr_assert(strstr(out, "opening... 0."), "%.200s", out);
	cr_assert_leq(widest_segment(out), 29);
	cr_assert(ends_cleared(out));
	free(out);
}

/* A real 40-column terminal: after the run the screen holds the shell's
 * words and nothing of the progress line (no wrapped remains).  The
 * server runs in the foreground (-D, in the background of the shell):
 * daemon() wants /dev/null to be a device, which a container's may not. */
Test(progress, tmux_terminal_is_left_clean)
{
	if (run(NULL, 0, "command -v tmux >/dev/null") != 0)
		cr_skip_test("tmux is not installed");
	/* the server's socket goes in a directory of the test's own */
	char *out = malloc(OUT_CAP), dir[] = "/tmp/zs_tmux_XXXXXX", tm[64];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(tm, sizeof(tm), "TMUX_TMPDIR=%s tmux -L zs", dir);
	int st = run(NULL, 0, "(%s -D </dev/zero >/dev/null 2>&1 &); sleep "
		     "0.3; %s new-session -d -x 40 -y 10 '%s test --progress %s "
		     ">/dev/null; echo finished; sleep 30'", tm, tm, ZS_BIN,
		     fixture("many.zip"));
	cr_assert_eq(st, 0);
	for (int k = 0; k < 100; k++) {
		run(out, OUT_CAP, "%s capture-pane -p", tm);
		if (strstr(out, "finished"))
			break;
		usleep(100000);
	}
	run(NULL, 0, "%s kill-server; rm -rf %s", tm, dir);
	cr_assert(strstr(out, "finished"), "%s", out);
	cr_assert_null(strstr(out, "entries"), "left on screen: %s", out);
	cr_assert_null(strstr(out, "["), "left on screen: %s", out);
	free(out);
}
