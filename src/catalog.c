/* SPDX-License-Identifier: MIT */
/*
 * catalog.c - the catalog's API (--db, include/zipscan.h): open a SQLite
 * or PostgreSQL catalog, decide whether an archive is unchanged since it
 * was recorded, and turn an archive's handle into the rows the backends
 * write (catalog_sqlite.c, catalog_pg.c).  The writer thread is in
 * catalog_queue.c.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "catalog.h"

void zs_cat_fail(zs_catalog *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err[0])
		return;   /* the first error is the one that explains */
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

/* The civil date of a day count since 1970-01-01 (proleptic Gregorian;
 * H. Hinnant's days_from_civil, inverted). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *digits(char *p, unsigned v, int n)
{
	for (int k = n - 1; k >= 0; k--, v /= 10)
		p[k] = (char)('0' + v % 10);
	return p + n;
}

/* Written by hand, not by gmtime and snprintf: it runs once per entry
 * and was 9% of `list --db`'s instructions. */
int zs_cat_time(int64_t t, char out[32])
{
	int64_t y;
	unsigned m, d;

	if (t < -62135596800LL || t > 253402300799LL) {   /* years 1-9999 */
		out[0] = '\0';
		return 0;
	}
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	unsigned secs = (unsigned)(t - days * 86400);
	civil(days, &y, &m, &d);
	char *p = digits(out, (unsigned)y, 4);
	*p++ = '-';
	p = digits(p, m, 2);
	*p++ = '-';
	p = digits(p, d, 2);
	*p++ = ' ';
	p = digits(p, secs / 3600, 2);
	*p++ = ':';
	p = digits(p, secs / 60 % 60, 2);
	*p++ = ':';
	p = digits(p, secs % 60, 2);
	memcpy(p, "+00:00", 7);
	return 1;
}

/* Sizes a hostile archive declares past 2^63 - 1 are kept at that. */
static int64_t clamp64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* The archive's id: 63 bits of XXH3-64 of its absolute path. */
static int64_t archive_id(const char *abs)
{
	return (int64_t)(XXH3_64bits(abs, strlen(abs)) >> 1);
}

uint64_t zs_archive_cd_checksum(const zs_archive *a)
{
	uint64_t off = a->layout.cd_offset;

	if (!a->indexed || off > a->size)
		return 0;
	return XXH3_64bits(a->data + off, (size_t)(a->size - off));
}

unsigned zs_shard_of(const char *path, unsigned n)
{
	return n ? (unsigned)(XXH3_64bits(path, strlen(path)) % n) : 0;
}

/* The absolute path of an archive, valid UTF-8 with no NUL (a file name
 * that is not UTF-8 gets U+FFFD for its odd bytes); malloc'ed. */
static char *absolute_path(const char *path)
{
	char *real = realpath(path, NULL), *joined = NULL, cwd[PATH_MAX];

	if (!real && path[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		joined = malloc(strlen(cwd) + strlen(path) + 2);
		if (joined)
			sprintf(joined, "%s/%s", cwd, path);
	}
	const char *p = real ? real : joined ? joined : path;
	size_t n = strlen(p);
	char *out = malloc(3 * n + 1);
	if (out)
		zs_utf8_sanitize((const uint8_t *)p, n, out);
	free(real);
	free(joined);
	return out;
}

static int64_t stat_mtime_ns(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

int zs_cat_archive_row(const zs_archive *a, const char *path,
		       int64_t mtime_ns, const char *command,
		       zs_cat_archive *r)
{
	zs_totals t;

	memset(r, 0, sizeof(*r));
	zs_totals_count(a, &t);
	r->id = archive_id(path);
	r->path = path;
	r->size = clamp64(a->size);
	r->mtime_ns = mtime_ns;
	r->cd_checksum = (int64_t)zs_archive_cd_checksum(a);
	r->cd_offset = a->indexed ? clamp64(a->layout.cd_offset) : 0;
	zs_cat_time(mtime_ns / 1000000000, r->mtime);
	zs_cat_time((int64_t)time(NULL), r->scanned);
	r->command = command;
	r->decoded = !strcmp(command, "test") || !strcmp(command, "stats");
	r->hashed = a->index.xxh128 != NULL;
	r->status = zs_archive_status(a);
	r->entries = (int64_t)a->index.count;
	r->ok = (int64_t)t.ok;
	r->bad = (int64_t)t.bad;
	r->unsupported = (int64_t)t.unsupported;
	r->encrypted = (int64_t)t.encrypted;
	r->untested = r->entries - r->ok - r->bad - r->unsupported -
		      r->encrypted;
	for (size_t i = 0; i < a->index.count; i++) {
		r->comp = clamp64((uint64_t)r->comp + a->index.comp_size[i]);
		r->uncomp = clamp64((uint64_t)r->uncomp +
				    a->index.uncomp_size[i]);
	}
	r->findings = (int64_t)a->findings_count;
	return 0;
}

size_t zs_cat_name_cap(const zs_archive *a)
{
	size_t n = 3 * (size_t)a->max_name_len + 1;
	return n < 1024 ? 1024 : n;
}

/* PostgreSQL's text holds no NUL: a NUL in a name is recorded as '?'. */
static void no_nul(char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!s[k])
			s[k] = '?';
}

void zs_cat_entry_row(const zs_archive *a, size_t i, char *name, char *err,
		      size_t err_cap, zs_cat_entry *e)
{
	const zs_index *ix = &a->index;
	zs_entry z;

	zs_entry_get(a, i, &z);
	e->idx = (int64_t)i;
	no_nul(name, zs_entry_name_utf8(a, i, name));
	e->name = name;
	e->method = z.method;
	e->method_name = zs_method_name(z.method);
	e->comp = clamp64(z.compressed_size);
	e->uncomp = clamp64(z.uncompressed_size);
	e->crc32 = z.crc32;
	e->has_mtime = zs_cat_time(z.mtime, e->mtime);
	e->mtime_unix = z.mtime;
	e->mode = z.mode;
	e->external_attr = z.external_attr;
	e->flags = z.flags;
	e->local_offset = clamp64(z.local_offset);
	e->data_offset = clamp64(z.data_offset);
	e->is_dir = z.is_dir;
	e->is_symlink = z.is_symlink;
	e->is_encrypted = z.is_encrypted;
	e->status = zs_status_name(z.status);
	e->error = NULL;
	if (z.error != ZS_E_NONE) {
		char raw[512];
		zs_entry_error(a, i, raw, sizeof(raw));
		size_t n = strlen(raw);
		if (3 * n + 1 > err_cap)
			n = (err_cap - 1) / 3;
		no_nul(err, zs_utf8_sanitize((const uint8_t *)raw, n, err));
		e->error = err;
	}
	e->hash[0] = '\0';
	if (ix->xxh128 && z.status == ZS_ENTRY_OK)
		snprintf(e->hash, sizeof(e->hash), "%016llx%016llx",
			 (unsigned long long)ix->xxh128[2 * i],
			 (unsigned long long)ix->xxh128[2 * i + 1]);
}

void zs_cat_finding_row(const zs_archive *a, size_t k, char *msg,
			zs_cat_finding *f)
{
	const zs_finding *g = &a->findings[k];

	f->entry = g->entry;
	f->code = g->code ? g->code : "";
	f->severity = zs_severity_name(g->severity);
	f->offset = clamp64(g->offset);
	zs_utf8_sanitize((const uint8_t *)g->text, strlen(g->text), msg);
	f->message = msg;
}

/* ---- the API ----------------------------------------------------------- */

static int is_postgres(const char *db)
{
	return !strncmp(db, "postgresql://", 13) ||
	       !strncmp(db, "postgres://", 11) || strchr(db, '=') != NULL;
}

/* The error of this thread's last failed zs_catalog_close. */
static _Thread_local char closed_err[sizeof(((zs_catalog *)0)->err)];

int zs_catalog_open(const char *db, const char *command, const char *options,
		    int threads, zs_catalog **out)
{
	zs_catalog *c = calloc(1, sizeof(*c));

	closed_err[0] = '\0';
	*out = c;
	if (!c)
		return ZS_EXIT_NOMEM;
	zs_cat_queue_init(c);
	c->started = zs_now();
	int rc = is_postgres(db) ? zs_cat_pg_open(c, db) :
		 zs_cat_sqlite_open(c, db);
	if (rc == 0)
		rc = c->be->setup(c);
	if (rc == 0)
		rc = c->be->run_begin(c, command, options, threads);
	if (rc != 0) {
		c->failed = 1;
		return ZS_EXIT_WRITE;
	}
	return 0;
}

const char *zs_catalog_error(const zs_catalog *c)
{
	return c ? c->err : closed_err[0] ? closed_err : "out of memory";
}

/* XXH3-64 of the file's bytes from off to its end (size bytes in all),
 * read with pread: the checksum zs_archive_cd_checksum gives from the
 * mapping, without opening the archive.  0 with *ok 0 if it cannot be
 * read whole. */
static uint64_t tail_checksum(const char *path, uint64_t off, uint64_t size,
			      int *ok)
{
	XXH3_state_t *st = XXH3_createState();
	size_t cap = 1u << 20;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t h = 0;

	*ok = st && buf && fd >= 0 && off <= size &&
	      XXH3_64bits_reset(st) == XXH_OK;
	while (*ok && off < size) {
		size_t want = size - off < cap ? (size_t)(size - off) : cap;
		ssize_t got = pread(fd, buf, want, (off_t)off);
		if (got <= 0)
			*ok = 0;   /* shrank, or unreadable: not unchanged */
		else
			XXH3_64bits_update(st, buf, (size_t)got);
		off += got > 0 ? (uint64_t)got : 0;
	}
	if (*ok)
		h = XXH3_64bits_digest(st);
	if (fd >= 0)
		close(fd);
	free(buf);
	XXH3_freeState(st);
	return h;
}

int zs_catalog_current(zs_catalog *c, const char *file, int decoded,
		       int hashed, int *status)
{
	zs_cat_known k;
	struct stat st;
	int found, ok;

	if (c->failed)
		return -1;
	char *path = absolute_path(file);
	if (!path || stat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
		free(path);
		return 0;
	}
	pthread_mutex_lock(&c->db_lock);
	found = c->be->lookup(c, archive_id(path), &k);
	pthread_mutex_unlock(&c->db_lock);
	free(path);
	if (found < 0) {
		c->failed = 1;
		return -1;
	}
	if (!found || k.size != (int64_t)st.st_size ||
	    k.mtime_ns != (int64_t)st.st_mtim.tv_sec * 1000000000 +
			  st.st_mtim.tv_nsec ||
	    (!k.decoded && decoded) || (!k.hashed && hashed) ||
	    k.cd_offset <= 0)
		return 0;
	uint64_t h = tail_checksum(file, (uint64_t)k.cd_offset,
				   (uint64_t)st.st_size, &ok);
	if (!ok || (int64_t)h != k.cd_checksum)
		return 0;
	if (status)
		*status = k.status;
	return 1;
}

/* The file's stat now (the scan just read it) and its absolute path. */
int zs_cat_prepare(zs_catalog *c, zs_archive *a, char **path, int64_t *ns)
{
	*ns = stat_mtime_ns(a->path);
	*path = absolute_path(a->path);
	if (!*path) {
		zs_cat_fail(c, "out of memory");
		c->failed = 1;
		return ZS_EXIT_NOMEM;
	}
	if (*ns < 0)
		*ns = 0;
	return 0;
}

int zs_catalog_record(zs_catalog *c, zs_archive *a, const char *command)
{
	char *path;
	int64_t ns;

	if (c->failed) {
		zs_close(a);
		return ZS_EXIT_WRITE;
	}
	int rc = zs_cat_prepare(c, a, &path, &ns);
	if (rc) {
		zs_close(a);
		return rc;
	}
	return zs_cat_record_now(c, a, path, ns, command);
}

void zs_catalog_skipped(zs_catalog *c)
{
	pthread_mutex_lock(&c->lock);
	c->skipped++;
	pthread_mutex_unlock(&c->lock);
}

int zs_catalog_close(zs_catalog *c, int run_status)
{
	if (!c)
		return 0;
	zs_cat_queue_stop(c);
	if (!c->failed && c->be &&
	    c->be->run_end(c, zs_now() - c->started, c->recorded, c->skipped,
			   run_status) != 0)
		c->failed = 1;
	int rc = c->failed ? ZS_EXIT_WRITE : 0;
	if (rc)
		memcpy(closed_err, c->err, sizeof(closed_err));
	if (c->be)
		c->be->close(c);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->db_lock);
	pthread_cond_destroy(&c->cond);
	free(c);
	return rc;
}

typedef struct collect {
	zs_catalog_entry *e;
	size_t n, cap;
} collect;

static int collect_one(void *ctx, const zs_catalog_entry *e)
{
	collect *k = ctx;

	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 256;
		zs_catalog_entry *m = realloc(k->e, cap * sizeof(*m));
		if (!m)
			return -1;
		k->e = m;
		k->cap = cap;
	}
	k->e[k->n] = *e;
	k->e[k->n].name = strdup(e->name);
	if (!k->e[k->n].name)
		return -1;
	k->n++;
	return 0;
}

int zs_catalog_entries(zs_catalog *c, const char *path,
		       zs_catalog_entry **out, size_t *n)
{
	collect k = { 0 };
	zs_cat_known known;
	char *abs = absolute_path(path);

	*out = NULL;
	*n = 0;
	if (!abs)
		return ZS_EXIT_NOMEM;
	int64_t id = archive_id(abs);
	free(abs);
	if (c->failed)
		return ZS_EXIT_WRITE;
	pthread_mutex_lock(&c->db_lock);
	int found = c->be->lookup(c, id, &known);
	int rc = found > 0 ? c->be->entries(c, id, collect_one, &k) : 0;
	pthread_mutex_unlock(&c->db_lock);
	if (found <= 0)
		return found < 0 ? ZS_EXIT_WRITE : ZS_EXIT_NOTZIP;
	if (rc != 0) {
		zs_catalog_entries_free(k.e, k.n);
		return c->err[0] ? ZS_EXIT_WRITE : ZS_EXIT_NOMEM;
	}
	*out = k.e;
	*n = k.n;
	return 0;
}

void zs_catalog_entries_free(zs_catalog_entry *e, size_t n)
{
	for (size_t k = 0; e && k < n; k++)
		free(e[k].name);
	free(e);
}

/* ---- SQL both backends run ---------------------------------------------- */

/* An archive's row: new, or replacing the old one ("changes" counts the
 * times its size or central directory was found different). */
const char zs_cat_sql_upsert[] =
	"INSERT INTO archives (archive_id, path, size, mtime, mtime_ns, "
	"cd_checksum, command, decoded, hashed, status, entries, ok, bad, "
	"unsupported, encrypted, untested, compressed_bytes, "
	"uncompressed_bytes, findings, first_recorded, scanned, changes, "
	"run_id, zipscan_version, cd_offset) VALUES ($1, $2, $3, $4, $5, $6, "
	"$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
	"$20, 0, $21, $22, $23) ON CONFLICT (archive_id) DO UPDATE SET "
	"path = excluded.path, size = excluded.size, mtime = excluded.mtime, "
	"mtime_ns = excluded.mtime_ns, cd_checksum = excluded.cd_checksum, "
	"cd_offset = excluded.cd_offset, "
	"command = excluded.command, decoded = excluded.decoded, "
	"hashed = excluded.hashed, status = excluded.status, "
	"entries = excluded.entries, ok = excluded.ok, bad = excluded.bad, "
	"unsupported = excluded.unsupported, encrypted = excluded.encrypted, "
	"untested = excluded.untested, "
	"compressed_bytes = excluded.compressed_bytes, "
	"uncompressed_bytes = excluded.uncompressed_bytes, "
	"findings = excluded.findings, scanned = excluded.scanned, "
	"changes = archives.changes + CASE WHEN archives.cd_checksum <> "
	"excluded.cd_checksum OR archives.size <> excluded.size THEN 1 "
	"ELSE 0 END, run_id = excluded.run_id, "
	"zipscan_version = excluded.zipscan_version";
const char zs_cat_sql_lookup[] =
	"SELECT size, mtime_ns, cd_checksum, decoded, hashed, status, "
	"cd_offset "
	"FROM archives WHERE archive_id = $1";
const char zs_cat_sql_run_begin[] =
	"INSERT INTO runs (run_id, command, options, threads, host, started, "
	"zipscan_version) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const char zs_cat_sql_run_end[] =
	"UPDATE runs SET seconds = $1, archives = $2, skipped = $3, "
	"status = $4 WHERE run_id = $5";

int64_t zs_cat_run_id(void)
{
	uint64_t seed[2] = { (uint64_t)getpid(), 0 };
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed[1] = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return (int64_t)(XXH3_64bits(seed, sizeof(seed)) >> 1);
}
