/*
 * cli.c - the zipscan command: parse the command line, then for each
 * archive call the library (open, select, scan, report).  Nothing here
 * knows the ZIP format.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "zipscan.h"

#define ZS_MAX_THREADS 1024
#define ZS_MAX_PATTERNS 4096

static const char usage_text[] =
"usage: zipscan COMMAND [OPTIONS] ARCHIVE...\n"
"       zipscan ARCHIVE [REPORT]     (stats; REPORT's extension picks the\n"
"                                    format: .html .json .ndjson .csv .txt)\n"
"\n"
"Commands:\n"
"  test     decode every entry and check its CRC-32 and sizes\n"
"  list     one line per entry and totals, like unzip -v\n"
"  check    the structural audit alone, nothing decoded: where the\n"
"           pieces are, every finding with its offset (exit 1 if any;\n"
"           3 with --strict)\n"
"  stats    test, then an analysis report of each archive and the batch\n"
"  extract  zipscan extract ARCHIVE [-d DIR] [PATTERN...]: write the\n"
"           entries (or those matching a PATTERN) beneath DIR\n"
"  cat      zipscan cat ARCHIVE NAME...: write the entries to standard\n"
"           output in the order given (as unzip -p)\n"
"\n"
"Options:\n"
"  -j, --threads N        threads to use (default: every CPU this process\n"
"                         may use; 1 is sequential)\n"
"  -q, --quiet            test: print only problems, no summary\n"
"      --json             one JSON object per archive per line\n"
"      --ndjson           stats: a line per entry, then a summary line\n"
"      --csv              stats: a row per entry (RFC 4180)\n"
"      --html             stats: one self-contained page with charts\n"
"      --top N            stats: entries in each top list (default 10)\n"
"      --hash             stats: confirm duplicates with XXH3-128\n"
"      --progress         progress line on stderr even if not a terminal\n"
"  -o, --output FILE      write the report to FILE (atomically)\n"
"  -i, --include PATTERN  only entries matching PATTERN (fnmatch; '*'\n"
"                         crosses '/'); may be repeated\n"
"  -x, --exclude PATTERN  leave out entries matching PATTERN\n"
"      --memory-limit SIZE  per-thread output buffer (default 256M);\n"
"                         larger entries are streamed; also the most an\n"
"                         LZMA, xz or zstd window may take (exit 4)\n"
"      --allow-overlap    decode entries even if they overlap\n"
"      --max-total SIZE   decode nothing if the selected entries declare\n"
"                         more output than SIZE (default 1T; 0: no limit)\n"
"      --max-ratio R      ... or more than R times the archive's size\n"
"                         (default 10000; 0: no limit); exit 12\n"
"      --strict           structural findings (gaps, duplicate or unsafe\n"
"                         names, other end records...) are errors, exit 3;\n"
"                         extract also refuses names that need cleaning\n"
"\n"
"Extract options:\n"
"  -d, --dir DIR          extract beneath DIR (made if missing; default .)\n"
"  -o, --overwrite        replace existing files (atomically)\n"
"  -n, --never-overwrite  skip entries whose file exists, quietly\n"
"                         (neither: an existing file fails its entry)\n"

"      --keep-special     keep setuid, setgid and sticky bits\n"
"  -h, --help             this text\n"
"      --version          print the version\n"
"\n"
"ARCHIVE may be '-' for standard input.\n"
"\n"
"Exit status (as Info-ZIP unzip):\n"
"   0  all ok                     1  warnings only\n"
"   2  an entry failed            3  severe structural damage\n"
"   4  out of memory              9  not found, or not a ZIP archive\n"
"  10  bad command line          11  no entry matched\n"
"  12  overlapping entries (possible zip bomb), or output over\n"
"      --max-total / --max-ratio\n"
"  50  an output file or the report could not be written\n"
"  51  the archive changed (shrank) while it was read\n"
"  80  interrupted (Ctrl-C, SIGTERM)\n"
"  81  some entries use unsupported methods (none failed)\n"
"  82  some entries are encrypted (none failed)\n"
"Several archives: the worst status of them.\n";

enum command { CMD_TEST, CMD_LIST, CMD_CHECK, CMD_STATS, CMD_EXTRACT,
	       CMD_CAT };
enum format { FMT_TEXT, FMT_JSON, FMT_NDJSON, FMT_CSV, FMT_HTML };

typedef struct cli {
	enum command cmd;
	zs_options opt;
	int quiet, json, progress;
	enum format format;
	size_t top;
	const char *output;
	int report_is_zip;
	char **include, **exclude;
	size_t n_include, n_exclude;
	zs_extract_options x;
	int extract_opts;        /* an extract-only option was given */
} cli;

enum { OPT_JSON = 256, OPT_MEMORY, OPT_ALLOW_OVERLAP, OPT_VERSION,
       OPT_NDJSON, OPT_CSV, OPT_HTML, OPT_TOP, OPT_HASH, OPT_PROGRESS,
       OPT_OVERWRITE, OPT_STRICT, OPT_KEEP_SPECIAL, OPT_MAX_TOTAL,
       OPT_MAX_RATIO };

static const struct option long_options[] = {
	{ "threads", required_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "ndjson", no_argument, NULL, OPT_NDJSON },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "html", no_argument, NULL, OPT_HTML },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "hash", no_argument, NULL, OPT_HASH },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "output", required_argument, NULL, 'o' },
	{ "include", required_argument, NULL, 'i' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "memory-limit", required_argument, NULL, OPT_MEMORY },
	{ "allow-overlap", no_argument, NULL, OPT_ALLOW_OVERLAP },
	{ "max-total", required_argument, NULL, OPT_MAX_TOTAL },
	{ "max-ratio", required_argument, NULL, OPT_MAX_RATIO },
	{ "dir", required_argument, NULL, 'd' },
	{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
	{ "never-overwrite", no_argument, NULL, 'n' },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "keep-special", no_argument, NULL, OPT_KEEP_SPECIAL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* "256M", "1G", "65536": bytes, with binary suffixes. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;

	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	case '\0': break;
	default: return -1;
	}
	if ((*end == 'i' || *end == 'B') && shift)
		end += *end == 'i' ? (end[1] == 'B' ? 2 : 1) : 1;
	if (*end || v == 0 || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int add_pattern(char ***list, size_t *n, char *p)
{
	if (*n >= ZS_MAX_PATTERNS)
		return -1;
	char **l = realloc(*list, (*n + 1) * sizeof(*l));
	if (!l)
		return -1;
	l[(*n)++] = p;
	*list = l;
	return 0;
}

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("zipscan: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'zipscan --help'.\n", stderr);
	return ZS_EXIT_USAGE;
}

/* Returns -1 to go on, or an exit status. */
static int parse_options(cli *c, int argc, char **argv)
{
	int ch;
	long v;
	char *end;

	int writing = c->cmd == CMD_EXTRACT;
	/* extract follows unzip: -o overwrites, -n never does */
	const char *shorts = writing ? "j:qond:i:x:h" : "j:qo:i:x:h";

	while ((ch = getopt_long(argc, argv, shorts, long_options,
				 NULL)) != -1) {
		switch (ch) {
		case 'j':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > ZS_MAX_THREADS)
				return bad_usage("invalid thread count '%s' "
						 "(1 to 1024)", optarg);
			c->opt.threads = (int)v;
			break;
		case 'q': c->quiet = 1; break;
		case 'o':
			if (writing && optarg)
				return bad_usage("%s", "extract writes files, "
						 "not a report: no --output");
			if (writing)
				c->x.overwrite = ZS_OVERWRITE_ALWAYS;
			else
				c->output = optarg;
			break;
		case OPT_OVERWRITE:
			c->x.overwrite = ZS_OVERWRITE_ALWAYS;
			c->extract_opts = 1;
			break;
		case 'n':
			c->x.overwrite = ZS_OVERWRITE_NEVER;
			c->extract_opts = 1;
			break;
		case 'd': c->x.dir = optarg; c->extract_opts = 1; break;
		case OPT_STRICT: c->x.strict = 1; c->opt.strict = 1; break;
		case OPT_KEEP_SPECIAL:
			c->x.keep_special = 1;
			c->extract_opts = 1;
			break;
		case OPT_JSON: c->json = 1; c->format = FMT_JSON; break;
		case OPT_NDJSON: c->format = FMT_NDJSON; break;
		case OPT_CSV: c->format = FMT_CSV; break;
		case OPT_HTML: c->format = FMT_HTML; break;
		case OPT_HASH: c->opt.hash = 1; break;
		case OPT_PROGRESS: c->progress = 1; break;
		case OPT_TOP:
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 0 || v > 100000)
				return bad_usage("invalid --top '%s' (0 to "
						 "100000)", optarg);
			c->top = (size_t)v;
			break;
		case 'i':
		case 'x':
			if (add_pattern(ch == 'i' ? &c->include : &c->exclude,
					ch == 'i' ? &c->n_include :
					&c->n_exclude, optarg) != 0)
				return bad_usage("too many patterns (%s)",
						 optarg);
			break;
		case OPT_MEMORY:
			if (parse_size(optarg, &c->opt.memory_limit) != 0)
				return bad_usage("invalid size '%s'", optarg);
			break;
		case OPT_ALLOW_OVERLAP: c->opt.stop_on_overlap = 0; break;
		case OPT_MAX_TOTAL:
			if (strcmp(optarg, "0") &&
			    parse_size(optarg, &c->opt.max_total) != 0)
				return bad_usage("invalid size '%s'", optarg);
			if (!strcmp(optarg, "0"))
				c->opt.max_total = 0;
			break;
		case OPT_MAX_RATIO:
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0)
				return bad_usage("invalid --max-ratio '%s' (a "
						 "whole number, 0: none)", optarg);
			c->opt.max_ratio = (uint64_t)v;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return ZS_EXIT_OK;
		case OPT_VERSION:
			puts("zipscan " ZS_VERSION);
			return ZS_EXIT_OK;
		default:
			return bad_usage("%s", "invalid option");
		}
	}
	if (optind >= argc)
		return bad_usage("%s", "no archive given");
	if (c->extract_opts && !writing)
		return bad_usage("%s", "-d, -n, --overwrite and "
				 "--keep-special are for extract");
	if (c->cmd == CMD_CAT && optind + 1 >= argc)
		return bad_usage("%s", "cat needs the names of entries");
	return -1;
}

static volatile int interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Ctrl-C and SIGTERM stop the workers at their next entry. */
static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The progress display, if wanted (--progress, or a terminal on standard
 * error and no -q): started before the archives are opened so that the
 * time spent opening and indexing shows too; zs_progress_set_work then
 * gives it the entries. */
static zs_progress *progress_new(const cli *c)
{
	if (!c->progress && (c->quiet || !isatty(STDERR_FILENO)))
		return NULL;
	return zs_progress_new(zs_threads_effective(&c->opt), stderr);
}

static void select_entries(const cli *c, zs_archive *a)
{
	if (a->indexed && (c->n_include || c->n_exclude) &&
	    zs_select(a, c->include, c->n_include, c->exclude,
		      c->n_exclude) == 0)
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMATCH, -1, 0,
			       "no entry matched the patterns");
}

/* Open, select, scan and report one archive; returns its exit status. */
static int run_archive(const cli *c, const char *path, FILE *out)
{
	zs_archive a, *ap = &a;
	zs_totals t;
	zs_options o = c->opt;
	o.progress = c->cmd == CMD_TEST ? progress_new(c) : NULL;
	int status = zs_archive_open(&a, path, &o);
	int wrote = 0;

	select_entries(c, &a);
	if (c->cmd == CMD_CHECK) {
		status = zs_archive_status(&a);
		wrote = c->json ? zs_report_check_json(&a, status, out) :
			zs_report_check_text(&a, status, c->quiet, out);
	} else if (c->cmd == CMD_TEST) {
		zs_progress_phase(o.progress, "testing");
		zs_progress_set_work(o.progress, &ap, 1);
		status = zs_scan_entries(&a, &o, &t);
		zs_progress_stop(o.progress);
		wrote = c->json ? zs_report_json(&a, &t, 1, NULL, out) :
				  zs_report_test_text(&a, &t, c->quiet, out);
	} else {
		status = zs_archive_status(&a);
		if (c->json) {
			wrote = zs_report_json(&a, NULL, 0, NULL, out);
		} else {
			/* the findings and the entries whose headers failed */
			zs_report_check_text(&a, status, 1, stderr);
			if (a.indexed)
				wrote = zs_report_list_text(&a, out);
		}
	}
	zs_archive_close(&a);
	return wrote != 0 ? ZS_EXIT_WRITE : status;
}

/* unzip's word for each name or pattern that matched nothing: exit 11. */
static int put_unmatched(const zs_archive *a, char *const *names, size_t m,
			 const uint8_t *matched)
{
	int status = ZS_EXIT_OK;
	for (size_t k = 0; k < m; k++) {
		if (matched[k])
			continue;
		fprintf(stderr, "zipscan: %s: caution: filename not matched: "
			"%s\n", a->path, names[k]);
		status = ZS_EXIT_NOMATCH;
	}
	return status;
}

/* Did each of extract's PATTERNs match an entry?  As unzip, one that
 * matched nothing makes the status 11 even if others did. */
static int check_patterns(const zs_archive *a, char *const *pats, size_t m)
{
	size_t n;
	uint8_t *matched = calloc(m ? m : 1, 1);
	int status = ZS_EXIT_NOMEM;

	if (matched && zs_entries_named(a, pats, m, NULL, &n, matched) == 0)
		status = put_unmatched(a, pats, m, matched);
	free(matched);
	return status;
}

/* extract ARCHIVE [PATTERN...]: the patterns join -i's. */
static int run_extract(cli *c, char **args, int nargs, FILE *out)
{
	zs_archive a, *ap = &a;
	zs_extraction x;
	zs_totals t;
	int status, wrote;

	for (int k = optind + 1; k < nargs; k++)
		if (add_pattern(&c->include, &c->n_include, args[k]) != 0)
			return bad_usage("too many patterns (%s)", args[k]);
	/* the library keeps a descriptor per directory while the limit
	 * allows: let it have what the hard limit does */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	zs_options o = c->opt;
	o.stop = &interrupted;
	o.progress = progress_new(c);
	zs_archive_open(&a, args[optind], &o);
	select_entries(c, &a);
	zs_progress_phase(o.progress, "planning");
	zs_progress_set_work(o.progress, &ap, 1);
	status = zs_extract(&a, &c->x, &o, &x, &t);
	zs_progress_stop(o.progress);
	if (a.indexed && nargs > optind + 1)
		status = zs_exit_worse(status, check_patterns(&a, args +
				optind + 1, (size_t)(nargs - optind - 1)));
	wrote = c->json ? zs_report_extract_json(&a, &x, &t, status, out) :
		zs_report_extract_text(&a, &x, c->quiet, out, stderr);
	zs_extraction_free(&x);
	zs_archive_close(&a);
	return wrote ? ZS_EXIT_WRITE : status;
}

/* cat ARCHIVE NAME...: standard output gets the data, so every word about
 * it goes to standard error. */
static int run_cat(cli *c, char **args, int nargs)
{
	zs_archive a;
	zs_totals t;
	size_t m = (size_t)(nargs - optind - 1), n = 0;
	int status = zs_archive_open(&a, args[optind], &c->opt);
	size_t *list = a.indexed ? malloc((a.index.count + 1) * sizeof(*list))
				 : NULL;
	uint8_t *matched = calloc(m, 1);

	if (!a.indexed) {
		zs_report_findings_text(&a, stderr);
	} else if (!list || !matched ||
		   zs_entries_named(&a, args + optind + 1, m, list, &n,
				    matched) != 0) {
		status = zs_exit_worse(status, ZS_EXIT_NOMEM);
	} else {
		zs_options o = c->opt;
		o.stop = &interrupted;
		status = zs_cat(&a, list, n, STDOUT_FILENO, &o, &t);
		if (status == ZS_EXIT_WRITE)
			fprintf(stderr, "zipscan: cannot write to standard "
				"output: %s\n", strerror(errno));
		zs_report_test_text(&a, &t, 1, stderr);
		status = zs_exit_worse(status, put_unmatched(&a, args + optind
						+ 1, m, matched));
	}
	free(list);
	free(matched);
	zs_archive_close(&a);
	return status;
}

/* Sections past this many archives are left out of the HTML page (the
 * batch total is always there). */
#define ZS_HTML_MAX_SECTIONS 100

/* One archive's (a != NULL) or the total's report in the chosen format. */
static int write_stats(const cli *c, const zs_archive *a, const zs_totals *t,
		       const zs_stats *st, size_t k, FILE *out)
{
	char title[64];
	switch (c->format) {
	case FMT_TEXT:
		if (!a)
			snprintf(title, sizeof(title), "Total of %zu archives",
				 st->n_archives);
		return zs_report_stats_text(st, a ? a->path : title, out);
	case FMT_JSON:
		if (a)
			return zs_report_json(a, t, 1, st, out);
		fprintf(out, "{\"total\":{\"archives\":%zu,\"stats\":",
			st->n_archives);
		zs_stats_json(st, out);
		fputs("}}\n", out);
		return ferror(out) ? -1 : 0;
	case FMT_NDJSON:
		return zs_report_ndjson(a, t, st, out);
	case FMT_CSV:
		return a ? zs_report_csv(a, k == 0, out) : 0;
	case FMT_HTML:
		if (!a)
			snprintf(title, sizeof(title), "Total of %zu archives",
				 st->n_archives);
		if (!a || k < ZS_HTML_MAX_SECTIONS)
			zs_report_html_section(st, a ? a->path : title, out);
		return ferror(out) ? -1 : 0;
	}
	return 0;
}

/* Reports of archives up to this many entries are rendered in memory in
 * parallel (a batch of small archives would otherwise spend as long
 * formatting, on one core, as decoding on all); bigger ones, and the
 * per-entry formats NDJSON and CSV, stream straight to the output. */
#define ZS_RENDER_MAX_ENTRIES 65536

typedef struct rendered {
	char *buf;
	size_t len;
} rendered;

static void render(const cli *c, const zs_archive *a, const zs_totals *t,
		   const zs_stats *st, size_t k, rendered *r)
{
	if (c->format == FMT_NDJSON || c->format == FMT_CSV ||
	    a->index.count > ZS_RENDER_MAX_ENTRIES)
		return;
	FILE *m = open_memstream(&r->buf, &r->len);
	if (!m)
		return;   /* written directly later */
	int bad = write_stats(c, a, t, st, k, m);
	if (fclose(m) != 0 || bad) {
		free(r->buf);
		r->buf = NULL;
	}
}

/* stats: every archive's entries in one work list, then the reports. */
static int run_stats(const cli *c, char **paths, size_t n, FILE *out)
{
	zs_archive *as = calloc(n, sizeof(*as));
	zs_archive **ap = calloc(n, sizeof(*ap));
	zs_totals *t = calloc(n, sizeof(*t));
	int status = ZS_EXIT_OK, wrote = 0;
	double t0 = zs_now();

	if (!as || !ap || !t) {
		free(as), free(ap), free(t);
		return ZS_EXIT_NOMEM;
	}
	zs_options o = c->opt;
	o.stop = &interrupted;
	o.progress = progress_new(c);
	/* A batch of small archives opens on every core too; each archive
	 * is one thread's (its own check loop then runs on that thread). */
	#pragma omp parallel for schedule(dynamic, 1) \
		num_threads(zs_threads_effective(&c->opt)) if (n >= 16)
	for (size_t k = 0; k < n; k++) {
		zs_archive_open(&as[k], paths[k], &o);
		select_entries(c, &as[k]);
		ap[k] = &as[k];
	}
	zs_progress_phase(o.progress, "testing");
	zs_progress_set_work(o.progress, ap, n);
	status = zs_scan_batch(ap, n, &o, t);
	zs_progress_stop(o.progress);
	if (interrupted) {
		uint64_t done = 0, all = 0;
		for (size_t k = 0; k < n; k++) {
			done += t[k].ok + t[k].bad + t[k].unsupported +
				t[k].encrypted;
			all += t[k].entries;
		}
		fprintf(stderr, "zipscan: interrupted after %llu of %llu "
			"entries; no report written\n",
			(unsigned long long)done, (unsigned long long)all);
		status = ZS_EXIT_INTERRUPT;
		goto out;
	}
	if (c->format == FMT_HTML)
		zs_report_html_begin(out, n == 1 ? paths[0] : "batch");
	/* Each archive's statistics, and its report when it is small, are
	 * made in parallel; then the reports are written in order. */
	zs_stats *st = calloc(n, sizeof(*st));
	rendered *r = calloc(n, sizeof(*r));
	int failed = !st || !r;
	#pragma omp parallel for schedule(dynamic, 1) reduction(| : failed) \
		num_threads(zs_threads_effective(&c->opt)) if (n >= 16)
	for (size_t k = 0; k < n; k++) {
		if (!st || !r)
			continue;
		failed |= zs_stats_compute(&ap[k], 1, &t[k], c->top, &st[k]);
		st[k].seconds_wall = as[k].seconds_open + t[k].seconds_scan +
				     st[k].seconds_stats;
		render(c, &as[k], &t[k], &st[k], k, &r[k]);
	}
	if (failed)
		status = zs_exit_worse(status, ZS_EXIT_NOMEM);
	/* a batch opens with a row per archive (text and HTML) */
	if (!failed && n > 1 && c->format == FMT_TEXT)
		wrote = zs_report_overview_text(st, n, out);
	else if (!failed && n > 1 && c->format == FMT_HTML)
		wrote = zs_report_html_overview(st, n, out);
	for (size_t k = 0; !failed && k < n && !wrote; k++)
		wrote = r[k].buf ? fwrite(r[k].buf, 1, r[k].len, out) !=
				   r[k].len :
			write_stats(c, &as[k], &t[k], &st[k], k, out);
	for (size_t k = 0; st && r && k < n; k++) {
		zs_stats_free(&st[k]);
		free(r[k].buf);
	}
	free(st);
	free(r);
	if (n > 1 && !wrote) {
		zs_stats st;
		if (zs_stats_compute(ap, n, t, c->top, &st) != 0)
			status = zs_exit_worse(status, ZS_EXIT_NOMEM);
		st.seconds_wall = zs_now() - t0;
		wrote = write_stats(c, NULL, NULL, &st, n, out);
		zs_stats_free(&st);
	}
	if (c->format == FMT_HTML && !wrote)
		wrote = zs_report_html_end(out);
out:
	#pragma omp parallel for schedule(dynamic, 16) \
		num_threads(zs_threads_effective(&c->opt)) if (n >= 16)
	for (size_t k = 0; k < n; k++)
		zs_archive_close(&as[k]);
	free(as), free(ap), free(t);
	return wrote ? ZS_EXIT_WRITE : status;
}

static int parse_command(cli *c, const char *word)
{
	if (!strcmp(word, "test"))
		c->cmd = CMD_TEST;
	else if (!strcmp(word, "list"))
		c->cmd = CMD_LIST;
	else if (!strcmp(word, "check"))
		c->cmd = CMD_CHECK;
	else if (!strcmp(word, "stats"))
		c->cmd = CMD_STATS;
	else if (!strcmp(word, "extract"))
		c->cmd = CMD_EXTRACT;
	else if (!strcmp(word, "cat"))
		c->cmd = CMD_CAT;
	else
		return -1;
	return 0;
}

/* Does an existing file start like a ZIP archive?  The short form must
 * never write a report over an archive (`zipscan a.zip b.zip`). */
static int looks_like_zip(const char *path)
{
	unsigned char sig[4];
	FILE *f = fopen(path, "rb");
	int zip = 0;

	if (f) {
		zip = fread(sig, 1, 4, f) == 4 && sig[0] == 'P' &&
		      sig[1] == 'K' && sig[2] < 9 && sig[3] < 9;
		fclose(f);
	}
	return zip;
}

/* The short form `zipscan ARCHIVE [REPORT]`: REPORT's extension picks
 * the format. */
static void short_form(cli *c, int *argc, char **argv)
{
	c->cmd = CMD_STATS;
	if (*argc - optind != 2)
		return;
	const char *report = argv[*argc - 1];
	const char *dot = strrchr(report, '.');
	c->output = report;
	(*argc)--;
	c->report_is_zip = looks_like_zip(report);
	if (!dot)
		return;
	if (!strcmp(dot, ".html") || !strcmp(dot, ".htm"))
		c->format = FMT_HTML;
	else if (!strcmp(dot, ".json"))
		c->format = FMT_JSON;
	else if (!strcmp(dot, ".ndjson") || !strcmp(dot, ".jsonl"))
		c->format = FMT_NDJSON;
	else if (!strcmp(dot, ".csv"))
		c->format = FMT_CSV;
}

int main(int argc, char **argv)
{
	cli c = { .top = ZS_DEFAULT_TOP };
	zs_output out;
	int status = ZS_EXIT_OK, is_short;

	zs_options_init(&c.opt);
	if (argc < 2)
		return bad_usage("%s", "no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return ZS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("zipscan " ZS_VERSION);
		return ZS_EXIT_OK;
	}
	is_short = parse_command(&c, argv[1]) != 0;
	if (is_short && argv[1][0] == '-')
		return bad_usage("unknown command '%s'", argv[1]);
	/* the short form's first word is the archive: parse from argv[0] */
	char **args = is_short ? argv : argv + 1;
	int nargs = is_short ? argc : argc - 1;
	int rc = parse_options(&c, nargs, args);
	if (rc >= 0)
		goto done;
	if (is_short)
		short_form(&c, &nargs, args);
	if (c.report_is_zip) {
		rc = bad_usage("refusing to write the report over %s, which "
			       "is a ZIP archive (for a batch: zipscan stats "
			       "A.zip B.zip)", c.output);
		goto done;
	}
	if (c.cmd != CMD_STATS && c.format != FMT_TEXT && c.format != FMT_JSON) {
		rc = bad_usage("%s", "--ndjson, --csv and --html are for stats");
		goto done;
	}
	catch_signals();
	if (zs_output_open(&out, c.output) != 0) {
		fprintf(stderr, "zipscan: cannot create %s: %s\n", c.output,
			strerror(errno));
		rc = ZS_EXIT_WRITE;
		goto done;
	}
	if (c.cmd == CMD_STATS)
		status = run_stats(&c, args + optind, (size_t)(nargs - optind),
				   out.f);
	else if (c.cmd == CMD_EXTRACT)
		status = run_extract(&c, args, nargs, out.f);
	else if (c.cmd == CMD_CAT)
		status = run_cat(&c, args, nargs);
	for (int k = optind; c.cmd <= CMD_CHECK && k < nargs && !interrupted;
	     k++)
		status = zs_exit_worse(status, run_archive(&c, args[k], out.f));
	if (interrupted) {
		zs_output_abort(&out);
		if (c.cmd != CMD_STATS)   /* stats said what was done */
			fputs("zipscan: interrupted\n", stderr);
		rc = ZS_EXIT_INTERRUPT;
		goto done;
	}
	if (zs_output_commit(&out) != 0) {
		fprintf(stderr, "zipscan: cannot write %s: %s\n",
			c.output ? c.output : "standard output",
			strerror(errno));
		status = zs_exit_worse(status, ZS_EXIT_WRITE);
	}
	rc = status;
done:
	free(c.include);
	free(c.exclude);
	return rc;
}
