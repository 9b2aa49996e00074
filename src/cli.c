/* SPDX-License-Identifier: MIT */
/*
 * cli.c - the zipscan command: parse the command line, then for each
 * archive call the library (open, select, scan, report).  Nothing here
 * knows the ZIP format, and only include/zipscan.h is used.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_create.h"
#include "zipscan.h"

#define ZS_MAX_THREADS 1024
#define ZS_MAX_PATTERNS 4096

enum command { CMD_TEST, CMD_LIST, CMD_CHECK, CMD_STATS, CMD_EXTRACT,
	       CMD_CAT, CMD_DIFF, CMD_COUNT };

/* Option groups; each command's help is its synopsis and its groups. */
static const char opt_common[] =
"  -j, --threads N        threads to use (default: every CPU this process\n"
"                         may use; 1 is sequential)\n"
"      --json             one JSON object per archive per line\n"
"  -o, --output FILE      write the report to FILE (atomically; never over\n"
"                         an input archive)\n"
"      --strict           every finding (gaps, duplicate or unsafe names,\n"
"                         other end records..., notes too) is an error,\n"
"                         exit 3\n"
"      --ignore CODE[,CODE...]  do not report these findings (notes and\n"
"                         warnings, by their JSON code); may be repeated\n"
"      --progress         progress bar on stderr even if not a terminal\n"
"      --max-input SIZE   read at most SIZE from standard input, a pipe or\n"
"                         a device (held in memory; default 4G; 0: no\n"
"                         limit); exit 9 past it\n"
"  -h, --help             this text\n";
static const char opt_select[] =
"  -i, --include PATTERN  only entries matching PATTERN (fnmatch; '*'\n"
"                         crosses '/'); may be repeated\n"
"  -x, --exclude PATTERN  leave out entries matching PATTERN\n";
static const char opt_decode[] =
"      --memory-limit SIZE  per-thread output buffer (default 256M);\n"
"                         larger entries are streamed; also the most an\n"
"                         LZMA, xz or zstd window may take (exit 4)\n"
"      --allow-overlap    decode entries even if they overlap\n"
"      --max-total SIZE   decode nothing if the selected entries declare\n"
"                         more output than SIZE (default 1T; 0: no limit)\n"
"      --max-ratio R      ... or more than R times the archive's size\n"
"                         (default 10000; 0: no limit); exit 12\n";
static const char opt_quiet[] =
"  -q, --quiet            print only problems, no summary\n";
static const char opt_stats[] =
"      --ndjson           a line per entry, then a summary line\n"
"      --csv              a row per entry (RFC 4180)\n"
"      --html             one self-contained page with charts\n"
"      --top N            entries in each top list (default 10)\n"
"      --hash             confirm duplicates with XXH3-128\n";
static const char opt_list[] =
"      --ndjson           a line per entry, then a summary line (from the\n"
"                         index: nothing decoded)\n"
"      --csv              a row per entry (RFC 4180, text quoted)\n";
static const char opt_db[] =
"      --db DB            record every archive, entry and finding in a\n"
"                         catalog: a SQLite file, or postgresql://... (any\n"
"                         libpq connection string); exit 50 on a database\n"
"                         error\n"
"      --refresh          rescan archives the catalog says are unchanged\n"
"      --shard K/N        only the archives whose path hashes to K of N\n"
"                         (0 <= K < N): a stable split for job arrays\n";
static const char opt_extract[] =
"  -d, --dir DIR          extract beneath DIR (made if missing; default .)\n"
"  -o, --overwrite        replace existing files (atomically)\n"
"  -n, --never-overwrite  skip entries whose file exists, quietly\n"
"                         (neither: an existing file fails its entry)\n"
"      --keep-special     keep setuid, setgid and sticky bits\n"
"      --strict           also refuse names that need cleaning\n"
"      --ignore CODE[,CODE...]  do not report these findings\n"
"  -u, --update           only entries not on disk or that differ from\n"
"                         the file (time, size, CRC-32); a file newer\n"
"                         than its entry is kept (as unzip -u)\n"
"  -f, --freshen          the same, but only files already on disk\n";
static const char opt_diff[] =
"      --csv              a row per difference (every text column quoted)\n"
"      --hash             decode the entries that look the same and\n"
"                         compare their contents (XXH3-128)\n"
"      --db DB            compare ARCHIVE with its rows in the catalog DB\n"
"                         (recorded by list, test, check or stats --db)\n"
"  -q, --quiet            no report: the exit status says it (errors and\n"
"                         warnings still go to stderr)\n";

static const char exit_text[] =
"Exit status (as Info-ZIP unzip):\n"
"   0  all ok (notes, too, leave it 0)\n"
"   1  warnings only\n"
"   2  an entry failed            3  severe structural damage\n"
"   4  out of memory              9  not found, or not a ZIP archive\n"
"  10  bad command line          11  no entry matched\n"
"  12  overlapping entries (possible zip bomb), or output over\n"
"      --max-total / --max-ratio\n"
"  50  an output file or the report could not be written; a database\n"
"      error with --db\n"
"  51  the archive changed (shrank) while it was read\n"
"  80  interrupted (Ctrl-C, SIGTERM)\n"
"  81  some entries use unsupported methods (none failed)\n"
"  82  some entries are encrypted (none failed)\n"
"Several archives: the worst status of them.\n";

static const struct command_info {
	const char *name;
	const char *synopsis;
	const char *what;
	const char *groups[6];
} commands[CMD_COUNT] = {
	[CMD_TEST] = { "test", "zipscan test [OPTIONS] ARCHIVE...",
		"Decode every entry and check its CRC-32 and sizes, as unzip -t.",
		{ opt_quiet, opt_select, opt_decode, opt_db, opt_common } },
	[CMD_LIST] = { "list", "zipscan list [OPTIONS] ARCHIVE...",
		"One line per entry and totals, like unzip -v; nothing is "
		"decoded.",
		{ opt_list, opt_select, opt_db, opt_common } },
	[CMD_CHECK] = { "check", "zipscan check [OPTIONS] ARCHIVE...",
		"The structural audit alone, nothing decoded: where the pieces\n"
		"are and every finding with its offset (exit 1 if any is a\n"
		"warning, notes leave it 0; 3 with --strict).  Only the\n"
		"chunks of seek-optimized (SOZip) entries are decoded, each\n"
		"on its own, to check their index.",
		{ opt_quiet, opt_select, opt_db, opt_common } },
	[CMD_STATS] = { "stats", "zipscan stats [OPTIONS] ARCHIVE...\n"
		"       zipscan ARCHIVE [REPORT]   (REPORT's extension picks the "
		"format:\n"
		"                                  .html .json .ndjson .csv, "
		"else text)",
		"Test, then an analysis report of each archive and of the "
		"batch.",
		{ opt_stats, opt_select, opt_decode, opt_db, opt_common } },
	[CMD_EXTRACT] = { "extract",
		"zipscan extract [OPTIONS] ARCHIVE [-d DIR] [PATTERN...]",
		"Write the entries (or those matching a PATTERN) beneath DIR,\n"
		"each checked before it gets its name, never outside DIR.",
		{ opt_extract, opt_quiet, opt_select, opt_decode } },
	[CMD_CAT] = { "cat", "zipscan cat [OPTIONS] ARCHIVE NAME...",
		"Write the named entries to standard output in the order given\n"
		"(as unzip -p); a NAME with * ? [ that names no entry is a "
		"pattern.",
		{ opt_decode, NULL } },
	[CMD_DIFF] = { "diff", "zipscan diff [OPTIONS] OLD NEW\n"
		"   or: zipscan diff --db CATALOG [OPTIONS] ARCHIVE",
		"The entries added, removed and changed (size, CRC-32) from\n"
		"archive OLD to NEW: exit 0 if none, 1 if any, >1 on errors.",
		{ opt_diff, opt_select, opt_decode, opt_common } },
};

static void put_command_help(enum command cmd, FILE *f)
{
	const struct command_info *ci = &commands[cmd];

	fprintf(f, "usage: %s\n\n%s\n\nOptions:\n", ci->synopsis, ci->what);
	for (size_t k = 0; k < 6 && ci->groups[k]; k++)
		fputs(ci->groups[k], f);
	if (cmd == CMD_EXTRACT || cmd == CMD_CAT)
		fputs("  -j, --threads N        threads to use (default: every "
		      "CPU)\n      --progress         progress bar on stderr "
		      "even if not a terminal\n  -h, --help             "
		      "this text\n", f);
	fputs("\nARCHIVE may be '-' for standard input.\n\n", f);
	fputs(exit_text, f);
}

static void put_usage(FILE *f)
{
	fputs("usage: zipscan COMMAND [OPTIONS] ARCHIVE...\n"
	      "       zipscan ARCHIVE [REPORT]   (stats of an existing file; "
	      "REPORT's\n"
	      "                                  extension picks the format)\n"
	      "\nCommands:\n", f);
	for (int k = 0; k < CMD_COUNT; k++) {
		const char *w = commands[k].what;
		fprintf(f, "  %-8s %.*s\n", commands[k].name,
			(int)strcspn(w, "\n"), w);
	}
	fputs("  create   Write a ZIP archive of files and directories, on "
	      "every thread.\n"
	      "  help     zipscan help COMMAND: that command's options\n"
	      "\nOptions for every command:\n", f);
	fputs(opt_common, f);
	fputs("  -V, --version          zipscan's version and its "
	      "libraries'\n\n"
	      "Selection and limits (test, stats, extract, cat):\n", f);
	fputs(opt_select, f);
	fputs(opt_decode, f);
	fputs("\nstats:\n", f);
	fputs(opt_stats, f);
	fputs("\nlist:\n", f);
	fputs(opt_list, f);
	fputs("\nThe catalog (list, test, check, stats):\n", f);
	fputs(opt_db, f);
	fputs("\ntest and check:\n", f);
	fputs(opt_quiet, f);
	fputs("\nextract:\n", f);
	fputs(opt_extract, f);
	fputs("\ndiff:\n", f);
	fputs(opt_diff, f);
	fputs("\nARCHIVE may be '-' for standard input.  'zipscan COMMAND "
	      "--help' for one\ncommand.\n\n", f);
	fputs(exit_text, f);
}

static void put_version(void)
{
	printf("zipscan %s (libzipscan %s)\n%s", ZS_VERSION, zs_version(),
	       zs_library_versions());
}

static int find_command(const char *word)
{
	for (int k = 0; k < CMD_COUNT; k++)
		if (!strcmp(word, commands[k].name))
			return k;
	return -1;
}

/* Edit distance of two short words (a command name and a typo), capped
 * at 9: the suggestion is only made within 2. */
static unsigned distance(const char *a, const char *b)
{
	size_t m = strlen(a), n = strlen(b);
	unsigned row[16];

	if (m > 14 || n > 14)
		return 9;
	for (size_t j = 0; j <= n; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= m; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= n; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[n];
}

/* `zipscan tset x.zip`: not a command, not an existing file. */
static int unknown_command(const char *word)
{
	int best = -1;
	unsigned best_d = 3;

	for (int k = 0; k < CMD_COUNT; k++) {
		unsigned d = distance(word, commands[k].name);
		if (d < best_d) {
			best_d = d;
			best = k;
		}
	}
	fprintf(stderr, "zipscan: unknown command '%s'", word);
	if (best >= 0)
		fprintf(stderr, " (did you mean '%s'?)", commands[best].name);
	fputs("\nTry 'zipscan --help'.\n", stderr);
	return ZS_EXIT_USAGE;
}

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
	char **ignore;           /* --ignore's codes, for zs_options */
	size_t n_ignore;
	zs_extract_options x;
	int extract_opts;        /* an extract-only option was given */
	int is_short;            /* zipscan ARCHIVE [REPORT] */
	int to_stdout;           /* the report goes to standard output */
	const char *db;          /* --db */
	int refresh;             /* --refresh */
	unsigned shard_k, shard_n; /* --shard K/N (n 0: none) */
	zs_catalog *catalog;     /* open while the command runs */
	int db_failed;           /* a database error: stop */
} cli;

enum { OPT_JSON = 256, OPT_MEMORY, OPT_ALLOW_OVERLAP,
       OPT_NDJSON, OPT_CSV, OPT_HTML, OPT_TOP, OPT_HASH, OPT_PROGRESS,
       OPT_OVERWRITE, OPT_STRICT, OPT_KEEP_SPECIAL, OPT_MAX_TOTAL,
       OPT_MAX_RATIO, OPT_IGNORE, OPT_MAX_INPUT, OPT_DB, OPT_REFRESH,
       OPT_SHARD };

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
	{ "max-input", required_argument, NULL, OPT_MAX_INPUT },
	{ "dir", required_argument, NULL, 'd' },
	{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
	{ "never-overwrite", no_argument, NULL, 'n' },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "ignore", required_argument, NULL, OPT_IGNORE },
	{ "keep-special", no_argument, NULL, OPT_KEEP_SPECIAL },
	{ "db", required_argument, NULL, OPT_DB },
	{ "refresh", no_argument, NULL, OPT_REFRESH },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "update", no_argument, NULL, 'u' },
	{ "freshen", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* "256M", "1G", "65536": bytes, with binary suffixes (cli_create.h). */
int parse_size(const char *s, uint64_t *out)
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

/* --ignore CODE[,CODE...]: each code must be one the library records,
 * and not an error's (damage is never silenced).  Splits arg in place. */
static int add_ignored(cli *c, char *arg)
{
	char *code;

	while ((code = strsep(&arg, ",")) != NULL) {
		int sev = zs_finding_code_known(code);
		if (sev == ZS_ERROR) {
			fprintf(stderr, "zipscan: --ignore: '%s' is an error; "
				"only notes and warnings can be ignored\n",
				code);
			return ZS_EXIT_USAGE;
		}
		if (sev < 0) {
			const char *name, *meaning;
			fprintf(stderr, "zipscan: --ignore: unknown finding "
				"code '%s'; the codes are:\n", code);
			for (size_t k = 0; (sev = zs_finding_code_info(k,
					&name, &meaning)) >= 0; k++)
				if (sev != ZS_ERROR)
					fprintf(stderr, "  %-22s %-7s %s\n",
						name, sev == ZS_NOTE ? "note" :
						"warning", meaning);
			return ZS_EXIT_USAGE;
		}
		if (add_pattern(&c->ignore, &c->n_ignore, code) != 0)
			return bad_usage("too many codes (%s)", code);
	}
	c->opt.ignore = (const char *const *)c->ignore;
	c->opt.n_ignore = c->n_ignore;
	return -1;
}

/* --shard K/N: 0 <= K < N <= 1,000,000. */
static int parse_shard(cli *c, const char *arg)
{
	char *end;
	errno = 0;
	unsigned long k = strtoul(arg, &end, 10), n;

	if (errno || end == arg || *end != '/' || arg[0] == '-')
		return -1;
	const char *q = end + 1;
	n = strtoul(q, &end, 10);
	if (errno || end == q || *end || *q == '-' || n == 0 ||
	    n > 1000000 || k >= n)
		return -1;
	c->shard_k = (unsigned)k;
	c->shard_n = (unsigned)n;
	return 0;
}

static volatile int interrupted;

/* A database error: said once, and the run stops (exit 50). */
static void catalog_failed(cli *c)
{
	if (!c->db_failed)
		fprintf(stderr, "zipscan: %s: %s\n", c->db,
			zs_catalog_error(c->catalog));
	c->db_failed = 1;
}

/* Returns -1 to go on, or an exit status. */
static int parse_options(cli *c, int argc, char **argv)
{
	int ch;
	long v;
	char *end;

	int writing = c->cmd == CMD_EXTRACT;
	/* extract follows unzip: -o overwrites, -n never does */
	const char *shorts = writing ? "j:qond:i:x:hVuf" : "j:qo:i:x:hV";

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
		case OPT_IGNORE: {
			int rc = add_ignored(c, optarg);
			if (rc >= 0)
				return rc;
			break;
		}
		case OPT_KEEP_SPECIAL:
			c->x.keep_special = 1;
			c->extract_opts = 1;
			break;
		case 'u':
		case 'f':
			c->x.update = ch == 'u' ? ZS_UPDATE_NEW :
				      ZS_UPDATE_FRESHEN;
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
			/* a ratio the user chose holds for every method */
			c->opt.max_ratio_unbounded = (uint64_t)v;
			break;
		case OPT_MAX_INPUT:
			if (!strcmp(optarg, "0"))
				c->opt.max_input = 0;
			else if (parse_size(optarg, &c->opt.max_input) != 0)
				return bad_usage("invalid size '%s'", optarg);
			break;
		case OPT_DB: c->db = optarg; break;
		case OPT_REFRESH: c->refresh = 1; break;
		case OPT_SHARD:
			if (parse_shard(c, optarg) != 0)
				return bad_usage("invalid --shard '%s' (K/N, "
						 "0 <= K < N)", optarg);
			break;
		case 'h':
			if (c->is_short)
				put_usage(stdout);
			else
				put_command_help(c->cmd, stdout);
			return ZS_EXIT_OK;
		case 'V':
			put_version();
			return ZS_EXIT_OK;
		default:
			return bad_usage("%s", "invalid option");
		}
	}
	if (optind >= argc)
		return bad_usage("%s", "no archive given");
	if (c->extract_opts && !writing)
		return bad_usage("%s", "-d, -n, -u, -f, --overwrite and "
				 "--keep-special are for extract");
	if (c->x.update && c->x.overwrite == ZS_OVERWRITE_NEVER)
		return bad_usage("%s", "-n contradicts -u and -f (they replace "
				 "files that differ)");
	if (c->cmd == CMD_DIFF && !c->db && argc - optind != 2)
		return bad_usage("%s", "diff needs two archives: OLD NEW");
	if (c->cmd == CMD_DIFF && c->db && argc - optind != 1)
		return bad_usage("%s", "diff --db needs one archive: it is "
				 "compared with its rows in the catalog");
	if (c->cmd == CMD_DIFF && c->db && c->opt.hash)
		return bad_usage("%s", "diff --db compares sizes and CRC-32s "
				 "(the catalog keeps no content to hash): "
				 "no --hash");
	if (c->cmd == CMD_CAT && optind + 1 >= argc)
		return bad_usage("%s", "cat needs the names of entries");
	return -1;
}

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
	if (zs_archive_indexed(a) && (c->n_include || c->n_exclude))
		zs_select(a, c->include, c->n_include, c->exclude,
			  c->n_exclude);
}

/* An archive with no index (cannot open, not a ZIP): the reason goes to
 * standard error, where a script or a terminal expects errors, whatever
 * the report on standard output says. */
static void put_open_failure(const zs_archive *a, FILE *err)
{
	if (!zs_archive_indexed(a))
		zs_report_findings_text(a, err);
}

/* --db: is the archive recorded as it is now (and with what is asked)?
 * Then it is not scanned again: 1, *status its recorded status; -1 on a
 * database error; 0: scan it. */
static int catalog_skip(const cli *c, const char *path, int *status)
{
	int decoded = c->cmd == CMD_TEST || c->cmd == CMD_STATS;
	int r = zs_catalog_current(c->catalog, path, decoded, c->opt.hash,
				   status);
	if (r > 0) {
		if (!c->quiet)
			fprintf(stderr, "zipscan: %s: unchanged since it was "
				"recorded (exit %d): skipped; --refresh "
				"rescans\n", path, *status);
		zs_catalog_skipped(c->catalog);
	}
	if (r < 0)
		catalog_failed((cli *)c);
	return r;
}

/* --db: hand the scanned archive to the catalog's writer thread (which
 * closes it), or close it; -1 after a database error. */
static int catalog_give(const cli *c, zs_archive *a)
{
	if (!c->catalog || !zs_archive_indexed(a) || interrupted) {
		zs_close(a);
		return 0;
	}
	if (zs_catalog_submit(c->catalog, a, commands[c->cmd].name) == 0)
		return 0;
	catalog_failed((cli *)c);
	return -1;
}

/* One archive's report for zs_batch_run (test, list, check): out is where
 * the report goes, err where standard error's part goes; ctx is the cli.
 * Returns the archive's exit status. */
static int report_archive(void *ctx, zs_archive *a, const zs_totals *t,
			  FILE *out, FILE *err)
{
	const cli *c = ctx;
	int status = zs_archive_status(a), wrote = 0;

	if (c->cmd == CMD_CHECK) {
		/* SOZip indexes against the data: each chunk on its own */
		if (zs_archive_indexed(a))
			status = zs_sozip_check(a, &c->opt);
		if (c->json)
			wrote = zs_report_check_json(a, status, out);
		else if (zs_archive_indexed(a) || !c->to_stdout)
			wrote = zs_report_check_text(a, status, c->quiet, out);
		if (c->json || !c->to_stdout)
			put_open_failure(a, err);
		else if (!zs_archive_indexed(a))
			zs_report_check_text(a, status, c->quiet, err);
	} else if (c->cmd == CMD_TEST) {
		put_open_failure(a, err);
		if (c->json)
			wrote = zs_report_json(a, t, 1, NULL, out);
		else if (zs_archive_indexed(a) || !c->to_stdout)
			wrote = zs_report_test_text(a, t, c->quiet, out);
	} else if (c->format == FMT_CSV || c->format == FMT_NDJSON) {
		/* list --csv / --ndjson: from the index, nothing decoded (the
		 * CSV header row is written once, before the batch) */
		put_open_failure(a, err);
		if (zs_archive_indexed(a))
			wrote = c->format == FMT_CSV ?
				zs_report_csv(a, 0, out) :
				zs_report_ndjson(a, NULL, NULL, out);
	} else if (c->json) {
		wrote = zs_report_json(a, NULL, 0, NULL, out);
		put_open_failure(a, err);
	} else {
		/* the findings and the entries whose headers failed */
		zs_report_check_text(a, status, 1, err);
		if (zs_archive_indexed(a))
			wrote = zs_report_list_text(a, out);
	}
	return wrote != 0 ? ZS_EXIT_WRITE : status;
}

/* --db: zs_batch's take: the archive, its report written, goes to the
 * catalog's writer thread. */
static int catalog_take(void *ctx, zs_archive *a)
{
	return catalog_give(ctx, a);
}

/* test, list, check: every archive in one batch (one work list, reports
 * in archive order); with --db each then goes to the catalog. */
static int run_archives(const cli *c, char **paths, size_t n, FILE *out)
{
	zs_batch b = {
		.decode = c->cmd == CMD_TEST,
		.include = c->include, .n_include = c->n_include,
		.exclude = c->exclude, .n_exclude = c->n_exclude,
		.report = report_archive, .ctx = (void *)c,
		.take = c->catalog ? catalog_take : NULL,
	};
	if (c->cmd == CMD_TEST && (c->progress ||
				   (!c->quiet && isatty(STDERR_FILENO))))
		b.tty = stderr;
	return zs_batch_run(paths, n, &b, &c->opt, out, stderr);
}

/* --db: the archives the catalog holds as they are now are skipped (each
 * said on standard error, first); the rest go as one batch, each handed
 * to the catalog's writer thread after its report. */
static int run_archives_db(const cli *c, char **paths, size_t n, FILE *out)
{
	char **todo = malloc((n ? n : 1) * sizeof(*todo));
	size_t m = 0;
	int status = ZS_EXIT_OK;

	if (!todo) {
		fputs("zipscan: out of memory\n", stderr);
		return ZS_EXIT_NOMEM;
	}
	for (size_t k = 0; k < n && !interrupted; k++) {
		int skip = 0, recorded;
		if (!c->refresh)
			skip = catalog_skip(c, paths[k], &recorded);
		if (skip < 0) {
			status = zs_exit_worse(status, ZS_EXIT_WRITE);
			break;
		}
		if (skip > 0)
			status = zs_exit_worse(status, recorded);
		else
			todo[m++] = paths[k];
	}
	if (m && !c->db_failed && !interrupted)
		status = zs_exit_worse(status, run_archives(c, todo, m, out));
	free(todo);
	return status;
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
			"%s\n", zs_archive_path(a), names[k]);
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
	o.progress = progress_new(c);
	zs_archive *a = zs_open(args[optind], &o, &status);
	if (!a) {
		zs_progress_stop(o.progress);
		fprintf(stderr, "zipscan: %s: out of memory\n", args[optind]);
		return ZS_EXIT_NOMEM;
	}
	select_entries(c, a);
	zs_progress_phase(o.progress, "planning");
	zs_progress_set_work(o.progress, &a, 1);
	status = zs_extract(a, &c->x, &o, &x, &t);
	zs_progress_stop(o.progress);
	if (zs_archive_indexed(a) && nargs > optind + 1)
		status = zs_exit_worse(status, check_patterns(a, args +
				optind + 1, (size_t)(nargs - optind - 1)));
	if (c->json)
		put_open_failure(a, stderr);
	wrote = c->json ? zs_report_extract_json(a, &x, &t, status, out) :
		zs_report_extract_text(a, &x, c->quiet, out, stderr);
	zs_extraction_free(&x);
	zs_close(a);
	return wrote ? ZS_EXIT_WRITE : status;
}

/* cat ARCHIVE NAME...: standard output gets the data, so every word about
 * it goes to standard error. */
static int run_cat(cli *c, char **args, int nargs)
{
	zs_totals t;
	size_t m = (size_t)(nargs - optind - 1), n = 0;
	int status;
	zs_archive *a = zs_open(args[optind], &c->opt, &status);
	if (!a) {
		fprintf(stderr, "zipscan: %s: out of memory\n", args[optind]);
		return ZS_EXIT_NOMEM;
	}
	size_t *list = zs_archive_indexed(a) ?
		       malloc((zs_entry_count(a) + 1) * sizeof(*list)) : NULL;
	uint8_t *matched = calloc(m, 1);

	if (!zs_archive_indexed(a)) {
		zs_report_findings_text(a, stderr);
	} else if (!list || !matched ||
		   zs_entries_named(a, args + optind + 1, m, list, &n,
				    matched) != 0) {
		status = zs_exit_worse(status, ZS_EXIT_NOMEM);
	} else {
		status = zs_cat(a, list, n, STDOUT_FILENO, &c->opt, &t);
		if (status == ZS_EXIT_WRITE)
			fprintf(stderr, "zipscan: cannot write to standard "
				"output: %s\n", strerror(errno));
		zs_report_test_text(a, &t, 1, stderr);
		status = zs_exit_worse(status, put_unmatched(a, args + optind
						+ 1, m, matched));
	}
	free(list);
	free(matched);
	zs_close(a);
	return status;
}

/* diff: what could not be compared goes to standard error too, where
 * a script reading the JSON or CSV report expects errors. */
static void put_diff_errors(const zs_diff_list *l, const zs_diff *d)
{
	for (size_t k = 0; k < d->count; k++) {
		const zs_diff_change *ch = &d->changes[k];
		if (ch->kind != ZS_DIFF_ERROR)
			continue;
		const zs_diff_list *side = &l[ch->error_side];
		const zs_diff_item *it = &side->items[ch->error_side ?
						      ch->new_item :
						      ch->old_item];
		fprintf(stderr, "zipscan: %s: entry %lld: %s\n", side->label,
			(long long)it->index, ch->error);
	}
}

/* The lists, the differences and the report of two open archives; the
 * status: 0 the same, 1 different, worse for an archive's or an entry's
 * error (an archive's warnings alone change nothing). */
static int diff_archives(const cli *c, zs_archive **a, FILE *out)
{
	zs_diff_list l[2];
	zs_diff d = { 0 };
	int status, wrote = 0, nomem;

	zs_diff_list_init(&l[0], zs_archive_path(a[0]));
	zs_diff_list_init(&l[1], zs_archive_path(a[1]));
	nomem = zs_diff_list_from_archive(&l[0], a[0]) != 0 ||
		zs_diff_list_from_archive(&l[1], a[1]) != 0 ||
		zs_diff_compute(&l[0], &l[1], &d) != 0 ||
		(c->opt.hash && zs_diff_confirm(&d, &l[0], a[0], &l[1], a[1],
						&c->opt) != 0);
	status = nomem ? ZS_EXIT_NOMEM : zs_diff_status(&d);
	for (int k = 0; k < 2; k++)
		if (zs_archive_status(a[k]) > ZS_EXIT_WARN)
			status = zs_exit_worse(status, zs_archive_status(a[k]));
	if (!nomem && c->format == FMT_JSON)
		wrote = zs_report_diff_json(&l[0], &l[1], &d, status, out);
	else if (!nomem && c->format == FMT_CSV)
		wrote = zs_report_diff_csv(&l[0], &l[1], &d, out);
	else if (!nomem)
		wrote = zs_report_diff_text(&l[0], &l[1], &d, c->quiet, out);
	if (!nomem && (c->format != FMT_TEXT || out != stdout))
		put_diff_errors(l, &d);
	zs_diff_free(&d);
	zs_diff_list_free(&l[0]);
	zs_diff_list_free(&l[1]);
	return wrote ? ZS_EXIT_WRITE : status;
}

/* diff --db: the archive's recorded entries as the old side, in the
 * catalog's index order (so duplicates shadow as in the archive). */
static int catalog_side(const cli *c, const char *path, zs_diff_list *l)
{
	zs_catalog_entry *e = NULL;
	size_t n = 0;
	int rc = zs_catalog_entries(c->catalog, path, &e, &n);
	if (rc == ZS_EXIT_NOTZIP)
		fprintf(stderr, "zipscan: %s: not in the catalog %s\n", path,
			c->db);
	else if (rc != 0)
		catalog_failed((cli *)c);
	for (size_t k = 0; rc == 0 && k < n; k++) {
		size_t len = strlen(e[k].name);
		zs_diff_item it = {
			.size = e[k].uncompressed_size, .crc32 = e[k].crc32,
			.method = e[k].method, .mtime = e[k].mtime,
			.index = e[k].index,
			.is_dir = len && e[k].name[len - 1] == '/',
		};
		if (zs_diff_list_add(l, &it, e[k].name, len) != 0)
			rc = ZS_EXIT_NOMEM;
	}
	zs_catalog_entries_free(e, n);
	if (rc == 0 && zs_diff_list_sort(l) != 0)
		rc = ZS_EXIT_NOMEM;
	return rc;
}

/* diff --db CATALOG ARCHIVE: what changed in the archive since it was
 * recorded (old: the catalog's rows; new: the archive as it is). */
static int run_diff_db(const cli *c, const char *path, FILE *out)
{
	zs_diff_list l[2];
	zs_diff d = { 0 };
	int status, wrote = 0;
	zs_archive *a = zs_open(path, &c->opt, NULL);

	if (!a) {
		fprintf(stderr, "zipscan: %s: out of memory\n", path);
		return ZS_EXIT_NOMEM;
	}
	zs_report_check_text(a, zs_archive_status(a), 1, stderr);
	if (!zs_archive_indexed(a)) {
		status = zs_archive_status(a);
		zs_close(a);
		return status;
	}
	zs_diff_list_init(&l[0], c->db);
	zs_diff_list_init(&l[1], zs_archive_path(a));
	status = catalog_side(c, path, &l[0]);
	if (status == 0 && (zs_diff_list_from_archive(&l[1], a) != 0 ||
			    zs_diff_compute(&l[0], &l[1], &d) != 0))
		status = ZS_EXIT_NOMEM;
	if (status == 0) {
		status = zs_diff_status(&d);
		if (c->format == FMT_JSON)
			wrote = zs_report_diff_json(&l[0], &l[1], &d, status,
						    out);
		else if (c->format == FMT_CSV)
			wrote = zs_report_diff_csv(&l[0], &l[1], &d, out);
		else
			wrote = zs_report_diff_text(&l[0], &l[1], &d,
						    c->quiet, out);
	}
	zs_diff_free(&d);
	zs_diff_list_free(&l[0]);
	zs_diff_list_free(&l[1]);
	zs_close(a);
	return wrote ? ZS_EXIT_WRITE : status;
}

/* diff OLD NEW: an archive that cannot be read is said on standard
 * error with its status, and nothing is compared. */
static int run_diff(const cli *c, char **paths, FILE *out)
{
	zs_archive *a[2];
	int status = ZS_EXIT_OK;

	for (int k = 0; k < 2; k++) {
		a[k] = zs_open(paths[k], &c->opt, NULL);
		if (!a[k]) {
			fprintf(stderr, "zipscan: %s: out of memory\n",
				paths[k]);
			zs_close(a[0]);
			return ZS_EXIT_NOMEM;
		}
		select_entries(c, a[k]);
		/* the findings and the entries whose headers failed; with
		 * -q only those that raise the status, as test -q */
		if (c->quiet) {
			zs_totals none = { 0 };
			zs_report_test_text(a[k], &none, 1, stderr);
		} else {
			zs_report_check_text(a[k], zs_archive_status(a[k]), 1,
					     stderr);
		}
		if (!zs_archive_indexed(a[k]))
			status = zs_exit_worse(status, zs_archive_status(a[k]));
	}
	if (status == ZS_EXIT_OK)
		status = diff_archives(c, a, out);
	zs_close(a[0]);
	zs_close(a[1]);
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
		if (a && !zs_archive_indexed(a))
			return 0;   /* its error went to stderr; no empty report */
		if (!a)
			snprintf(title, sizeof(title), "Total of %zu archives",
				 st->n_archives);
		return zs_report_stats_text(st, a ? zs_archive_path(a) : title,
					    out);
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
			zs_report_html_section(st, a ? zs_archive_path(a) :
					       title, out);
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
	    zs_entry_count(a) > ZS_RENDER_MAX_ENTRIES)
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
	zs_archive **ap = calloc(n, sizeof(*ap));
	zs_totals *t = calloc(n, sizeof(*t));
	int status = ZS_EXIT_OK, wrote = 0, nomem = 0;
	double t0 = zs_now();

	if (!ap || !t) {
		free(ap), free(t);
		return ZS_EXIT_NOMEM;
	}
	zs_options o = c->opt;
	o.progress = progress_new(c);
	/* A batch of small archives opens on every core too; each archive
	 * is one thread's (its own check loop then runs on that thread). */
	#pragma omp parallel for schedule(dynamic, 1) reduction(| : nomem) \
		num_threads(zs_threads_effective(&c->opt)) if (n >= 16)
	for (size_t k = 0; k < n; k++) {
		ap[k] = zs_open(paths[k], &o, NULL);
		nomem |= !ap[k];
		if (ap[k])
			select_entries(c, ap[k]);
	}
	if (nomem) {
		zs_progress_stop(o.progress);
		fputs("zipscan: out of memory opening the archives\n", stderr);
		status = ZS_EXIT_NOMEM;
		goto out;
	}
	zs_progress_phase(o.progress, "testing");
	zs_progress_set_work(o.progress, ap, n);
	status = zs_scan_batch(ap, n, &o, t);
	zs_progress_stop(o.progress);
	for (size_t k = 0; k < n; k++)
		put_open_failure(ap[k], stderr);
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
		render(c, ap[k], &t[k], &st[k], k, &r[k]);
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
			write_stats(c, ap[k], &t[k], &st[k], k, out);
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
	if (c->catalog) {
		/* recorded in order by the writer thread, which closes them */
		for (size_t k = 0; k < n; k++)
			if (ap[k] && catalog_give(c, ap[k]) != 0)
				status = zs_exit_worse(status, ZS_EXIT_WRITE);
		n = 0;
	}
	#pragma omp parallel for schedule(dynamic, 16) \
		num_threads(zs_threads_effective(&c->opt)) if (n >= 16)
	for (size_t k = 0; k < n; k++)
		zs_close(ap[k]);
	free(ap), free(t);
	return wrote ? ZS_EXIT_WRITE : status;
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

/* Is the report's file one of the archives read?  -o must never replace
 * its own input (`zipscan test -o a.zip a.zip`). */
static const char *output_is_input(const char *output, char **paths,
				   size_t n)
{
	struct stat o, in;

	if (!output || !strcmp(output, "-") || stat(output, &o) != 0 ||
	    !S_ISREG(o.st_mode))
		return NULL;
	for (size_t k = 0; k < n; k++)
		if (stat(paths[k], &in) == 0 && in.st_dev == o.st_dev &&
		    in.st_ino == o.st_ino)
			return paths[k];
	return NULL;
}

/* --db, --refresh, --shard: where they apply; -1 if all is well. */
static int check_catalog_options(const cli *c, char **args, int nargs)
{
	if (c->db && c->cmd > CMD_STATS && c->cmd != CMD_DIFF)
		return bad_usage("%s", "--db is for list, test, check, stats "
				 "and diff");
	if (c->refresh && c->cmd > CMD_STATS)
		return bad_usage("%s", "--refresh is for list, test, check and "
				 "stats");
	if (c->shard_n && c->cmd > CMD_STATS)
		return bad_usage("%s", "--shard is for list, test, check and "
				 "stats");
	if (c->refresh && !c->db)
		return bad_usage("%s", "--refresh needs --db");
	if (c->db && (c->n_include || c->n_exclude))
		return bad_usage("%s", "--db records whole archives: no -i "
				 "or -x");
	for (int k = optind; c->db && k < nargs; k++)
		if (!strcmp(args[k], "-"))
			return bad_usage("%s", "--db needs archives in files, "
					 "not standard input");
	return -1;
}

/* --shard K/N: keep the archives whose path (as given) is in shard K;
 * returns the new argument count. */
static int keep_shard(const cli *c, char **args, int nargs)
{
	int w = optind;
	for (int k = optind; k < nargs; k++)
		if (zs_shard_of(args[k], c->shard_n) == c->shard_k)
			args[w++] = args[k];
	return w;
}

/* `zipscan help [COMMAND]`, `zipscan -h`, `zipscan --version`: answered
 * before anything else; -1 if argv is none of these. */
static int answer_help(int argc, char **argv)
{
	const char *w = argv[1];

	if (!strcmp(w, "-h") || !strcmp(w, "--help") ||
	    (!strcmp(w, "help") && argc == 2)) {
		put_usage(stdout);
		return ZS_EXIT_OK;
	}
	if (!strcmp(w, "help")) {
		int k = find_command(argv[2]);
		if (k < 0)
			return unknown_command(argv[2]);
		put_command_help((enum command)k, stdout);
		return ZS_EXIT_OK;
	}
	if (!strcmp(w, "--version") || !strcmp(w, "-V")) {
		put_version();
		return ZS_EXIT_OK;
	}
	return -1;
}

/* The first word: a command, or (the short form) an existing file. */
static int first_word(cli *c, const char *w)
{
	struct stat st;
	int k = find_command(w);

	if (k >= 0) {
		c->cmd = (enum command)k;
		return 0;
	}
	if (w[0] != '-' && stat(w, &st) == 0 && !S_ISDIR(st.st_mode)) {
		c->is_short = 1;
		c->cmd = CMD_STATS;
		return 0;
	}
	return unknown_command(w);
}

/* --db: open the catalog and start its run row (the command line, for
 * the runs table). */
static int catalog_open(cli *c, int nargs, char **args)
{
	size_t len = 1;
	for (int k = 1; k < nargs; k++)
		len += strlen(args[k]) + 1;
	char *line = calloc(len, 1);
	if (!line)
		return ZS_EXIT_NOMEM;
	for (int k = 1; k < nargs; k++) {
		strcat(line, args[k]);
		if (k + 1 < nargs)
			strcat(line, " ");
	}
	int rc = zs_catalog_open(c->db, commands[c->cmd].name, line,
				 zs_threads_effective(&c->opt), &c->catalog);
	free(line);
	if (rc != 0) {
		catalog_failed(c);
		zs_catalog_close(c->catalog, rc);
		c->catalog = NULL;
	}
	return rc;
}

static int run(cli *c, char **args, int nargs)
{
	zs_output out;
	int status = ZS_EXIT_OK;

	if (zs_output_open(&out, c->output) != 0) {
		fprintf(stderr, "zipscan: cannot create %s: %s\n", c->output,
			strerror(errno));
		return ZS_EXIT_WRITE;
	}
	if (c->db && (status = catalog_open(c, nargs, args)) != 0) {
		zs_output_abort(&out);
		return status;
	}
	if (c->cmd == CMD_STATS)
		status = run_stats(c, args + optind, (size_t)(nargs - optind),
				   out.f);
	else if (c->cmd == CMD_EXTRACT)
		status = run_extract(c, args, nargs, out.f);
	else if (c->cmd == CMD_CAT)
		status = run_cat(c, args, nargs);
	else if (c->cmd == CMD_DIFF && c->catalog)
		status = run_diff_db(c, args[optind], out.f);
	else if (c->cmd == CMD_DIFF)
		status = run_diff(c, args + optind, out.f);
	c->to_stdout = out.f == stdout;
	if (c->cmd <= CMD_CHECK && c->format == FMT_CSV)
		zs_report_csv_header(out.f);
	if (c->cmd <= CMD_CHECK && c->catalog)
		status = run_archives_db(c, args + optind,
					 (size_t)(nargs - optind), out.f);
	else if (c->cmd <= CMD_CHECK)
		status = run_archives(c, args + optind,
				      (size_t)(nargs - optind), out.f);
	int closed = c->catalog ? zs_catalog_close(c->catalog, status) : 0;
	c->catalog = NULL;   /* gone: catalog_failed reads close's error */
	if (closed != 0) {
		catalog_failed(c);
		status = zs_exit_worse(status, ZS_EXIT_WRITE);
	}
	if (interrupted) {
		zs_output_abort(&out);
		if (c->cmd != CMD_STATS)   /* stats said what was done */
			fputs("zipscan: interrupted\n", stderr);
		return ZS_EXIT_INTERRUPT;
	}
	if (zs_output_commit(&out) != 0) {
		fprintf(stderr, "zipscan: cannot write %s: %s\n",
			c->output ? c->output : "standard output",
			strerror(errno));
		status = zs_exit_worse(status, ZS_EXIT_WRITE);
	}
	return status;
}

int main(int argc, char **argv)
{
	cli c = { .top = ZS_DEFAULT_TOP };
	const char *input;
	int rc;

	zs_options_init(&c.opt);
	c.opt.stop = &interrupted;
	if (argc < 2)
		return bad_usage("%s", "no command given");
	if (!strcmp(argv[1], "create") ||
	    (argc > 2 && !strcmp(argv[1], "help") && !strcmp(argv[2], "create")))
		return zs_cli_create(argc - 1, argv + 1);
	if ((rc = answer_help(argc, argv)) >= 0 ||
	    (rc = first_word(&c, argv[1])) != 0)
		return rc;
	/* the short form's first word is the archive: parse from argv[0] */
	char **args = c.is_short ? argv : argv + 1;
	int nargs = c.is_short ? argc : argc - 1;
	rc = parse_options(&c, nargs, args);
	if (rc >= 0)
		goto done;
	if (c.is_short)
		short_form(&c, &nargs, args);
	if (c.report_is_zip) {
		rc = bad_usage("refusing to write the report over %s, which "
			       "is a ZIP archive (for a batch: zipscan stats "
			       "A.zip B.zip)", c.output);
		goto done;
	}
	input = output_is_input(c.output, args + optind,
				(size_t)(nargs - optind));
	if (input) {
		rc = bad_usage("refusing to write the report over %s, which "
			       "is an input archive", input);
		goto done;
	}
	if (c.cmd != CMD_STATS && c.format != FMT_TEXT && c.format != FMT_JSON &&
	    !(c.cmd == CMD_LIST && c.format != FMT_HTML) &&
	    !(c.cmd == CMD_DIFF && c.format == FMT_CSV)) {
		rc = bad_usage("%s", "--ndjson and --csv are for stats and "
			       "list (--csv for diff too), --html for stats");
		goto done;
	}
	if ((rc = check_catalog_options(&c, args, nargs)) >= 0)
		goto done;
	if (c.shard_n && (nargs = keep_shard(&c, args, nargs)) == optind) {
		rc = ZS_EXIT_OK;   /* none of the archives is in this shard */
		goto done;
	}
	catch_signals();
	rc = run(&c, args, nargs);
done:
	free(c.include);
	free(c.exclude);
	free(c.ignore);
	return rc;
}
