/*
 * cli.c - the zipscan command: parse the command line, then for each
 * archive call the library (open, select, scan, report).  Nothing here
 * knows the ZIP format.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "zipscan.h"

#define ZS_MAX_THREADS 1024
#define ZS_MAX_PATTERNS 4096

static const char usage_text[] =
"usage: zipscan COMMAND [OPTIONS] ARCHIVE...\n"
"\n"
"Commands:\n"
"  test     decode every entry and check its CRC-32 and sizes\n"
"  list     one line per entry and totals, like unzip -v\n"
"\n"
"Options:\n"
"  -j, --threads N        threads to use (default: every CPU this process\n"
"                         may use; 1 is sequential)\n"
"  -q, --quiet            test: print only problems, no summary\n"
"      --json             one JSON object per archive per line\n"
"  -o, --output FILE      write the report to FILE (atomically)\n"
"  -i, --include PATTERN  only entries matching PATTERN (fnmatch; '*'\n"
"                         crosses '/'); may be repeated\n"
"  -x, --exclude PATTERN  leave out entries matching PATTERN\n"
"      --memory-limit SIZE  per-thread output buffer (default 256M);\n"
"                         larger entries are streamed\n"
"      --allow-overlap    decode entries even if they overlap\n"
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
"  12  overlapping entries (possible zip bomb)\n"
"  50  the report could not be written\n"
"  81  some entries use unsupported methods (none failed)\n"
"  82  some entries are encrypted (none failed)\n"
"Several archives: the worst status of them.\n";

enum command { CMD_TEST, CMD_LIST };

typedef struct cli {
	enum command cmd;
	zs_options opt;
	int quiet, json;
	const char *output;
	char **include, **exclude;
	size_t n_include, n_exclude;
} cli;

enum { OPT_JSON = 256, OPT_MEMORY, OPT_ALLOW_OVERLAP, OPT_VERSION };

static const struct option long_options[] = {
	{ "threads", required_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	{ "include", required_argument, NULL, 'i' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "memory-limit", required_argument, NULL, OPT_MEMORY },
	{ "allow-overlap", no_argument, NULL, OPT_ALLOW_OVERLAP },
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

	while ((ch = getopt_long(argc, argv, "j:qo:i:x:h", long_options,
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
		case 'o': c->output = optarg; break;
		case OPT_JSON: c->json = 1; break;
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
	return -1;
}

/* Open, select, scan and report one archive; returns its exit status. */
static int run_archive(const cli *c, const char *path, FILE *out)
{
	zs_archive a;
	zs_totals t;
	int status = zs_archive_open(&a, path, &c->opt);
	int wrote = 0;

	if (a.indexed && (c->n_include || c->n_exclude) &&
	    zs_select(&a, c->include, c->n_include, c->exclude,
		      c->n_exclude) == 0)
		zs_finding_add(&a, ZS_ERROR, ZS_EXIT_NOMATCH, -1, 0,
			       "no entry matched the patterns");
	if (c->cmd == CMD_TEST) {
		status = zs_scan_entries(&a, &c->opt, &t);
		wrote = c->json ? zs_report_json(&a, &t, 1, out) :
				  zs_report_test_text(&a, &t, c->quiet, out);
	} else {
		status = zs_archive_status(&a);
		if (c->json) {
			wrote = zs_report_json(&a, NULL, 0, out);
		} else {
			zs_report_findings_text(&a, stderr);
			if (a.indexed)
				wrote = zs_report_list_text(&a, out);
		}
	}
	zs_archive_close(&a);
	return wrote != 0 ? ZS_EXIT_WRITE : status;
}

int main(int argc, char **argv)
{
	cli c = { 0 };
	zs_output out;
	int status = ZS_EXIT_OK;

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
	if (!strcmp(argv[1], "test"))
		c.cmd = CMD_TEST;
	else if (!strcmp(argv[1], "list"))
		c.cmd = CMD_LIST;
	else
		return bad_usage("unknown command '%s'", argv[1]);
	int rc = parse_options(&c, argc - 1, argv + 1);
	if (rc >= 0)
		goto done;
	if (zs_output_open(&out, c.output) != 0) {
		fprintf(stderr, "zipscan: cannot create %s: %s\n", c.output,
			strerror(errno));
		rc = ZS_EXIT_WRITE;
		goto done;
	}
	for (int k = optind + 1; k < argc; k++)
		status = zs_exit_worse(status, run_archive(&c, argv[k],
							   out.f));
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
