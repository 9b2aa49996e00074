/* SPDX-License-Identifier: MIT */
/*
 * fuzz_archive.c - libFuzzer target: each input is an archive, and goes
 * through what the command line does with one.
 *
 *   check    open (index, local headers, overlaps), select all, the
 *            check report as JSON and text
 *   list     the JSON list report and the text findings and listing
 *   test     scan every entry on one thread (deterministic), the JSON and
 *            text test reports
 *   stats    statistics, then every stats format (text, JSON, NDJSON, CSV,
 *            HTML)
 *   extract  into a fresh directory, then both extract reports
 *   cat      every entry ("*"), and the first entry by name, to /dev/null
 *            (on a quarter of the inputs: it decodes everything a third
 *            time, and test and extract cover the same decoder)
 *
 * Options come from a hash of the input, so the corpus covers them all:
 * a 64 KiB memory limit (entries past it take the streaming decoder),
 * XXH3 hashing, --allow-overlap (with --max-total 64M), --strict,
 * --keep-special and the three overwrite policies.  Each is a pure function of the bytes, so a crash
 * replays exactly.
 *
 * Beyond the sanitizers, the harness checks what the project promises:
 *   - every JSON report is valid JSON (RFC 8259, UTF-8 strings), one
 *     value per line;
 *   - text reports carry no control characters but newlines (names are
 *     shown as ^X), so a hostile name cannot drive a terminal;
 *   - extraction writes nothing outside its directory: the four
 *     directories around it hold only what the harness put there, no
 *     symlink in the
 *     tree resolves outside it (openat2 RESOLVE_BENEATH), and the tree
 *     holds exactly as many files and links as the extraction reports
 *     (no temporary file left behind).
 * A broken promise is an abort() with a message, which libFuzzer saves
 * as a crash.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"   /* it drives the library from inside */

/* Extraction (and cat) are skipped when the entries that would be
 * inflated declare more than this in all.  Their output is bounded by
 * the declared sizes (decode.c stops at them), and a fuzzer writing a
 * gigabyte per input to disk would measure the disk, not the code.  With
 * --allow-overlap, the same bound is the library's --max-total. */
#define FUZZ_OUTPUT_MAX (64ull << 20)

static FILE *devnull;
static int devnull_fd = -1;
/* Each input is extracted into a fresh directory in base/1/2/3, and each
 * of those must hold only the next afterwards: an entry that climbs out
 * of the target with up to four "..", or lands in one of them some other
 * way, is caught. */
#define FUZZ_LEVELS 4
static char level[FUZZ_LEVELS][PATH_MAX];   /* base, base/1, base/1/2, ... */
static int have_openat2;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_archive: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

/* ---- JSON ---------------------------------------------------------------
 * A strict RFC 8259 checker: grammar, strings of valid UTF-8 (no
 * overlong forms, no surrogates, nothing past U+10FFFF), no raw control
 * bytes in strings, finite numbers only. */

typedef struct json {
	const unsigned char *p, *end;
	int depth;
} json;

static void json_ws(json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static int json_string(json *j)
{
	j->p++;   /* the opening quote */
	while (j->p < j->end) {
		unsigned c = *j->p;
		if (c == '"') {
			j->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (++j->p >= j->end)
				return -1;
			if (*j->p == 'u') {
				if (j->end - j->p < 5)
					return -1;
				for (int k = 1; k <= 4; k++)
					if (!strchr("0123456789abcdefABCDEF",
						    j->p[k]) || !j->p[k])
						return -1;
				j->p += 5;
			} else if (*j->p && strchr("\"\\/bfnrt", *j->p)) {
				j->p++;
			} else {
				return -1;
			}
			continue;
		}
		size_t len = utf8_len(j->p, (size_t)(j->end - j->p));
		if (!len)
			return -1;
		j->p += len;
	}
	return -1;
}

static int is_digit(const json *j)
{
	return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

static int json_number(json *j)
{
	if (*j->p == '-')
		j->p++;
	if (!is_digit(j))
		return -1;
	if (*j->p == '0')
		j->p++;
	else
		while (is_digit(j))
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!is_digit(j))
			return -1;
		while (is_digit(j))
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!is_digit(j))
			return -1;
		while (is_digit(j))
			j->p++;
	}
	return 0;
}

static int json_word(json *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return -1;
	j->p += n;
	return 0;
}

static int json_value(json *j);

/* An object ('{', string keys) or an array ('['). */
static int json_container(json *j, int object)
{
	unsigned char close = object ? '}' : ']';

	if (++j->depth > 64)
		return -1;
	j->p++;
	json_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return 0;
	}
	for (;;) {
		if (object) {
			json_ws(j);
			if (j->p >= j->end || *j->p != '"' ||
			    json_string(j) != 0)
				return -1;
			json_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return -1;
		}
		if (json_value(j) != 0)
			return -1;
		json_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == close) {
			j->p++;
			j->depth--;
			return 0;
		}
		if (*j->p++ != ',')
			return -1;
	}
}

static int json_value(json *j)
{
	json_ws(j);
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '{': return json_container(j, 1);
	case '[': return json_container(j, 0);
	case '"': return json_string(j);
	case 't': return json_word(j, "true");
	case 'f': return json_word(j, "false");
	case 'n': return json_word(j, "null");
	default: return json_number(j);
	}
}

/* buf must be one or more JSON values, each alone on a line ending in
 * '\n' (a report's object, or NDJSON). */
static void check_json_lines(const char *what, const char *buf, size_t len)
{
	json j = { (const unsigned char *)buf,
		   (const unsigned char *)buf + len, 0 };

	if (len == 0)
		die(what, "no JSON written");
	while (j.p < j.end) {
		if (json_value(&j) != 0)
			goto bad;
		if (j.p >= j.end || *j.p++ != '\n')
			goto bad;
	}
	return;
bad:
	fprintf(stderr, "fuzz_archive: invalid JSON at byte %zu of:\n%.*s\n",
		(size_t)((const char *)j.p - buf), (int)len, buf);
	die(what, "invalid JSON");
}

/* Text meant for a terminal: no control bytes but '\n', no DEL, no C1
 * control (U+0080-U+009F, 0xc2 0x80-0x9f in UTF-8). */
static void check_text(const char *what, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;

	for (size_t k = 0; k < len; k++) {
		int c1 = p[k] == 0xc2 && k + 1 < len && p[k + 1] >= 0x80 &&
			 p[k + 1] < 0xa0;
		if ((p[k] < 0x20 && p[k] != '\n') || p[k] == 0x7f || c1) {
			fprintf(stderr, "fuzz_archive: control byte 0x%02x at "
				"%zu of:\n%.*s\n", p[k], k, (int)len, buf);
			die(what, "control character in text output");
		}
	}
}

/* An in-memory FILE for one report. */
typedef struct mem {
	FILE *f;
	char *buf;
	size_t len;
} mem;

static FILE *mem_open(mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	if (!m->f)
		die("open_memstream", strerror(errno));
	return m->f;
}

/* Close m, check it as JSON (json) or terminal text, free it. */
static void mem_check(mem *m, int is_json, const char *what)
{
	if (fclose(m->f) != 0)
		die(what, "fclose of the memory stream failed");
	if (is_json)
		check_json_lines(what, m->buf, m->len);
	else
		check_text(what, m->buf, m->len);
	free(m->buf);
}

/* ---- the extraction directory ------------------------------------------ */

static int open_beneath(int root, const char *path, uint64_t flags,
			uint64_t resolve)
{
	struct open_how how = { .flags = flags | O_CLOEXEC,
				.resolve = resolve };
	return (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
}

/* The entries of directory `rel` beneath root, read whole, so no
 * descriptor stays open while the caller works on them.  Never follows
 * a symlink. */
typedef struct listing {
	char **name;
	unsigned char *type;   /* DT_* from lstat */
	size_t n, cap;
} listing;

static void list_dir(int root, const char *rel, listing *l)
{
	int fd = rel[0] ? openat(root, rel, O_RDONLY | O_DIRECTORY |
				 O_NOFOLLOW | O_CLOEXEC) :
			  openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	struct stat st;

	memset(l, 0, sizeof(*l));
	if (!d)
		die("cannot open an extracted directory", rel);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			die("cannot stat an extracted name", e->d_name);
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 16;
			l->name = realloc(l->name, l->cap * sizeof(*l->name));
			l->type = realloc(l->type, l->cap);
			if (!l->name || !l->type)
				die("out of memory", NULL);
		}
		l->type[l->n] = S_ISDIR(st.st_mode) ? DT_DIR :
				S_ISLNK(st.st_mode) ? DT_LNK :
				S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		if (!(l->name[l->n++] = strdup(e->d_name)))
			die("out of memory", NULL);
	}
	closedir(d);
}

static void listing_free(listing *l)
{
	for (size_t k = 0; k < l->n; k++)
		free(l->name[k]);
	free(l->name);
	free(l->type);
}

typedef struct tree {
	uint64_t files, links, other;
} tree;

/* rel (len bytes, in a PATH_MAX buffer) + "/" + name; 0 if it fits. */
static int path_join(char *rel, size_t len, const char *name)
{
	int n = snprintf(rel + len, PATH_MAX - len, "%s%s", len ? "/" : "",
			 name);
	return n >= 0 && (size_t)n < PATH_MAX - len ? 0 : -1;
}

/* Check (remove == 0) or remove (remove == 1) everything beneath
 * root/rel.  Checking counts files and links, fails on a symlink that
 * resolves outside root, and gives every directory owner rwx (an
 * archive may make one unreadable) so that removing can enter it. */
static void walk(int root, char *rel, size_t len, int remove, tree *t)
{
	listing l;

	list_dir(root, rel, &l);
	for (size_t k = 0; k < l.n; k++) {
		if (path_join(rel, len, l.name[k]) != 0)
			die("an extracted path is longer than PATH_MAX", rel);
		if (l.type[k] == DT_DIR) {
			if (!remove && fchmodat(root, rel, 0700, 0) != 0)
				die("cannot chmod an extracted directory", rel);
			walk(root, rel, strlen(rel), remove, t);
		} else if (!remove && l.type[k] == DT_LNK) {
			t->links++;
			int fd = open_beneath(root, rel, O_PATH,
					      RESOLVE_BENEATH);
			if (fd >= 0)
				close(fd);
			else if (errno == EXDEV && have_openat2)
				die("an extracted symlink leads outside the "
				    "target", rel);
		} else if (!remove) {
			*(l.type[k] == DT_REG ? &t->files : &t->other) += 1;
		}
		if (remove && unlinkat(root, rel, l.type[k] == DT_DIR ?
				       AT_REMOVEDIR : 0) != 0)
			die("cannot remove an extracted name", rel);
		rel[len] = '\0';
	}
	listing_free(&l);
}

/* dir must hold the one name `only` and nothing else. */
static void check_holds_only(const char *dir, const char *only)
{
	listing l;
	list_dir(AT_FDCWD, dir, &l);
	if (l.n != 1 || strcmp(l.name[0], only)) {
		for (size_t k = 0; k < l.n; k++)
			fprintf(stderr, "fuzz_archive: %s holds %s\n", dir,
				l.name[k]);
		die("something was written outside the target", dir);
	}
	listing_free(&l);
}

/* At exit: each input's directory is gone already. */
static void remove_levels(void)
{
	for (int k = FUZZ_LEVELS; k-- > 0;)
		rmdir(level[k]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("ZS_FUZZ_TMPDIR");
	struct rlimit rl;

	(void)argc, (void)argv;
	if (!tmp || !*tmp)
		tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	mkdir(tmp, 0777);
	snprintf(level[0], PATH_MAX, "%s/zipscan-fuzz-XXXXXX", tmp);
	if (!mkdtemp(level[0]))
		die("cannot make the base directory", level[0]);
	for (int k = 1; k < FUZZ_LEVELS; k++) {
		snprintf(level[k], PATH_MAX, "%s/%d", level[k - 1], k);
		if (mkdir(level[k], 0700) != 0)
			die("cannot make", level[k]);
	}
	atexit(remove_levels);
	devnull = fopen("/dev/null", "w");
	devnull_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!devnull || devnull_fd < 0)
		die("cannot open /dev/null", NULL);
	int fd = open_beneath(AT_FDCWD, ".", O_PATH, RESOLVE_BENEATH);
	have_openat2 = fd >= 0;
	if (fd >= 0)
		close(fd);
	/* as the command line does for extract: a descriptor per directory */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return 0;
}

/* ---- one input --------------------------------------------------------- */

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t k = 0; k < n; k++)
		h = (h ^ p[k]) * 0x100000001b3ull;
	return h;
}

/* What the deflate entries still to be decoded say they hold, in all
 * (saturating).  Stored data is bounded by the input's size already, and
 * entries that failed a header check are never decoded. */
static uint64_t declared_output(const zs_archive *a)
{
	const zs_index *ix = &a->index;
	uint64_t sum = 0;

	for (size_t i = 0; i < ix->count; i++)
		if (ix->method[i] == 8 && ix->status[i] == ZS_ENTRY_UNTESTED &&
		    __builtin_add_overflow(sum, ix->uncomp_size[i], &sum))
			return UINT64_MAX;
	return sum;
}

static void open_archive(zs_archive *a, const uint8_t *data, size_t size,
			 const zs_options *o)
{
	zs_archive_open_memory(a, "fuzz.zip", data, size, o);
	if (a->indexed)
		zs_select(a, NULL, 0, NULL, 0);
}

/* zipscan check, list and test, with every report they write. */
static void run_list_test(const uint8_t *data, size_t size,
			  const zs_options *o)
{
	zs_archive a, *ap = &a;
	zs_totals t;
	zs_stats st;
	mem m;

	open_archive(&a, data, size, o);
	int status = zs_archive_status(&a);
	zs_report_check_json(&a, status, mem_open(&m));
	mem_check(&m, 1, "check --json");
	zs_report_check_text(&a, status, 0, mem_open(&m));
	zs_report_check_text(&a, status, 1, m.f);
	mem_check(&m, 0, "check");
	zs_report_json(&a, NULL, 0, NULL, mem_open(&m));
	mem_check(&m, 1, "list --json");
	zs_report_findings_text(&a, mem_open(&m));
	if (a.indexed)
		zs_report_list_text(&a, m.f);
	mem_check(&m, 0, "list");

	zs_scan_entries(&a, o, &t);
	zs_report_json(&a, &t, 1, NULL, mem_open(&m));
	mem_check(&m, 1, "test --json");
	zs_report_test_text(&a, &t, 0, mem_open(&m));
	zs_report_test_text(&a, &t, 1, m.f);
	mem_check(&m, 0, "test");

	if (zs_stats_compute(&ap, 1, &t, 3, &st) == 0) {
		zs_report_stats_text(&st, a.path, mem_open(&m));
		mem_check(&m, 0, "stats");
		zs_report_json(&a, &t, 1, &st, mem_open(&m));
		mem_check(&m, 1, "stats --json");
		zs_report_ndjson(&a, &t, &st, mem_open(&m));
		mem_check(&m, 1, "stats --ndjson");
		zs_report_csv(&a, 1, devnull);
		zs_report_html_begin(devnull, a.path);
		zs_report_html_section(&st, a.path, devnull);
		zs_report_html_end(devnull);
	}
	zs_stats_free(&st);
	zs_archive_close(&a);
}

/* zipscan extract, into a fresh directory that is checked and removed. */
static void run_extract(const uint8_t *data, size_t size, const zs_options *o,
			int strict, uint64_t h)
{
	zs_archive a;
	zs_extraction x;
	zs_totals t;
	char dir[PATH_MAX], rel[PATH_MAX] = "";
	mem m, e;

	open_archive(&a, data, size, o);
	if (a.indexed && declared_output(&a) > FUZZ_OUTPUT_MAX) {
		zs_archive_close(&a);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/x-XXXXXX", level[FUZZ_LEVELS - 1]);
	if (!mkdtemp(dir))
		die("mkdtemp", strerror(errno));
	zs_extract_options xo = {
		.dir = dir,
		.overwrite = (int)(h % 3),
		.strict = strict,
		.keep_special = (h >> 2) & 1,
	};
	int status = zs_extract(&a, &xo, o, &x, &t);
	zs_report_extract_json(&a, &x, &t, status, mem_open(&m));
	mem_check(&m, 1, "extract --json");
	zs_report_extract_text(&a, &x, 0, mem_open(&m), mem_open(&e));
	mem_check(&m, 0, "extract");
	mem_check(&e, 0, "extract (errors)");
	zs_report_extract_text(&a, &x, 1, devnull, devnull);

	/* nothing beside the target, in any directory around it */
	for (int k = 0; k < FUZZ_LEVELS; k++)
		check_holds_only(level[k], strrchr(k + 1 < FUZZ_LEVELS ?
					level[k + 1] : dir, '/') + 1);
	int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		die("cannot open the target", dir);
	tree tr = { 0 };
	walk(root, rel, 0, 0, &tr);
	if (tr.files != x.files || tr.links != x.links || tr.other) {
		fprintf(stderr, "fuzz_archive: tree has %llu files, %llu "
			"links, %llu others; extraction says %llu files, %llu "
			"links\n", (unsigned long long)tr.files,
			(unsigned long long)tr.links,
			(unsigned long long)tr.other,
			(unsigned long long)x.files,
			(unsigned long long)x.links);
		die("the tree does not match the extraction's report", dir);
	}
	walk(root, rel, 0, 1, &tr);
	close(root);
	if (rmdir(dir) != 0)
		die("cannot remove the target", strerror(errno));
	zs_extraction_free(&x);
	zs_archive_close(&a);
}

/* zipscan cat ARCHIVE '*' FIRST-NAME no/such/name, to /dev/null. */
static void run_cat(const uint8_t *data, size_t size, const zs_options *o)
{
	zs_archive a;
	zs_totals t;

	open_archive(&a, data, size, o);
	if (!a.indexed || declared_output(&a) > FUZZ_OUTPUT_MAX) {
		zs_archive_close(&a);
		return;
	}
	char *first = malloc(a.index.count ?
			     3 * (size_t)a.index.name_len[0] + 1 : 1);
	size_t *list = malloc(3 * (a.index.count + 1) * sizeof(*list));
	uint8_t matched[3];
	size_t n = 0;
	if (!first || !list)
		die("out of memory", NULL);
	first[0] = '\0';
	if (a.index.count)
		zs_entry_name_utf8(&a, 0, first);
	char *names[] = { "*", first, "no/such/name" };
	if (zs_entries_named(&a, names, 3, list, &n, matched) == 0)
		zs_cat(&a, list, n, devnull_fd, o, &t);
	free(list);
	free(first);
	zs_archive_close(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t h = fnv1a(data, size);
	zs_options o;

	zs_options_init(&o);
	o.threads = 1;
	if (h & 1)
		o.memory_limit = 64u << 10;   /* stream entries past 64 KiB */
	o.hash = (h >> 1) & 1;
	/* --allow-overlap decodes overlapping entries too: an overlap bomb's
	 * output is then bounded by the library's own --max-total */
	o.stop_on_overlap = ((h >> 2) & 7) != 0;
	if (!o.stop_on_overlap)
		o.max_total = FUZZ_OUTPUT_MAX;
	o.strict = ((h >> 5) & 7) == 0;   /* --strict: for open and extract */
	h >>= 8;

	run_list_test(data, size, &o);
	run_extract(data, size, &o, o.strict, h);
	if (((h >> 3) & 3) == 0)
		run_cat(data, size, &o);
	return 0;
}
