// SPDX-License-Identifier: MIT
/*
 * writer.c - the archive writer's output: the temporary file beside the
 * destination (renamed over it when complete, removed otherwise), local
 * headers, data descriptors, the central directory and its end records,
 * with ZIP64 records exactly where a size, offset or count needs them.
 * APPNOTE 6.3.10 sections 4.3 (records) and 4.5.3 (ZIP64 extra), and
 * Info-ZIP's extended timestamp field (0x5455).
 */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "writer.h"

#define MADE_BY_UNIX 0x031e     /* Unix, APPNOTE 3.0 (as Info-ZIP zip) */
#define FLAG_DESCRIPTOR 0x0008
#define FLAG_UTF8 0x0800
#define U32_MAX 0xffffffffu
#define U16_MAX 0xffffu

static void le16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { le16(p, v & 0xffff); le16(p + 2, v >> 16); }
static void le64(uint8_t *p, uint64_t v) { le32(p, (uint32_t)v); le32(p + 4, (uint32_t)(v >> 32)); }

void zs_writer_options_init(zs_writer_options *o)
{
	memset(o, 0, sizeof(*o));
	o->level = 6;
	o->memory_limit = ZS_WRITER_MEMORY_LIMIT;
	o->chunk_size = ZS_WRITER_CHUNK;
	o->sozip_chunk_size = ZS_SOZIP_CHUNK;
	o->sozip_min_size = ZS_SOZIP_MIN_SIZE;
}

void zs_w_warn(zs_writer *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("zipscan: warning: ", w->warn);
	vfprintf(w->warn, fmt, ap);
	fputc('\n', w->warn);
	va_end(ap);
	w->t.warnings++;
	w->status = zs_exit_worse(w->status, ZS_EXIT_WARN);
}

/* ---- the output file ---------------------------------------------------- */

int zs_w_flush(zs_writer *w)
{
	if (!w->write_errno && w->buf_len &&
	    zs_write_all(w->fd, w->buf, w->buf_len, NULL) != 0)
		w->write_errno = errno ? errno : EIO;
	w->buf_len = 0;
	return w->write_errno ? -1 : 0;
}

int zs_w_put(zs_writer *w, const void *p, size_t n)
{
	const uint8_t *s = p;

	w->offset += n;
	if (n >= ZS_WBUF / 2) {   /* a unit's data: out as it is, no copy */
		if (zs_w_flush(w) == 0 && zs_write_all(w->fd, p, n, NULL) != 0)
			w->write_errno = errno ? errno : EIO;
		return w->write_errno ? -1 : 0;
	}
	while (n && !w->write_errno) {
		size_t k = ZS_WBUF - w->buf_len < n ? ZS_WBUF - w->buf_len : n;
		memcpy(w->buf + w->buf_len, s, k);
		w->buf_len += k;
		s += k;
		n -= k;
		if (w->buf_len == ZS_WBUF)
			zs_w_flush(w);
	}
	return w->write_errno ? -1 : 0;
}

/* Rewrite n bytes at off (before w->offset). */
int zs_w_patch(zs_writer *w, uint64_t off, const void *p, size_t n)
{
	if (zs_w_flush(w) != 0)
		return -1;
	if (pwrite(w->fd, p, n, (off_t)off) != (ssize_t)n)
		w->write_errno = errno ? errno : EIO;
	return w->write_errno ? -1 : 0;
}

/* The temporary file beside path, or path itself when it is a device
 * (/dev/null: never replaced). */
static int open_output(zs_writer *w, const char *path)
{
	struct stat st;
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) + 1 : 0, len;

	if (stat(path, &st) == 0) {
		w->have_out = 1;
		w->out_dev = st.st_dev;
		w->out_ino = st.st_ino;
		if (!S_ISREG(st.st_mode)) {
			w->fd = open(path, O_WRONLY);
			return w->fd < 0 ? -1 : 0;
		}
	}
	len = strlen(path) + 32;
	if (!(w->tmp = malloc(len)))
		return -1;
	snprintf(w->tmp, len, "%.*s.%s.tmp-XXXXXX", (int)dir, path, path + dir);
	w->fd = mkstemp(w->tmp);
	if (w->fd < 0 || fstat(w->fd, &st) != 0)
		return -1;
	w->tmp_dev = st.st_dev;
	w->tmp_ino = st.st_ino;
	mode_t mask = umask(0);
	umask(mask);
	return fchmod(w->fd, 0666 & ~mask);
}

zs_writer *zs_writer_open(const char *path, const zs_writer_options *o,
			  int *status)
{
	zs_writer *w = calloc(1, sizeof(*w));

	*status = ZS_EXIT_NOMEM;
	if (!w)
		return NULL;
	w->fd = -1;
	w->t0 = zs_now();
	zs_writer_options_init(&w->o);
	if (o)
		w->o = *o;
	w->warn = w->o.warn ? w->o.warn : stderr;
	w->path = strdup(path);
	w->buf = zs_huge_region(ZS_WBUF_REGION);
	if (!w->path || !w->buf || zs_w_setup_threads(w) != 0) {
		zs_writer_abort(w);
		return NULL;
	}
	if (open_output(w, path) != 0) {
		int e = errno;
		*status = ZS_EXIT_WRITE;
		zs_writer_abort(w);
		errno = e;
		return NULL;
	}
	*status = ZS_EXIT_OK;
	return w;
}

void zs_writer_abort(zs_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp && w->fd >= 0)
		unlink(w->tmp);
	for (size_t k = 0; k < w->n_queue; k++)
		zs_w_item_free(&w->queue[k]);
	for (size_t k = 0; k < w->n_rec; k++)
		free(w->rec[k].name);
	zs_w_free_threads(w);
	zs_w_sozip_free(w);
	free(w->queue);
	free(w->rec);
	if (w->buf)
		munmap(w->buf, ZS_WBUF_REGION);
	free(w->path);
	free(w->tmp);
	free(w);
}

/* ---- records ------------------------------------------------------------- */

static void dos_time(int64_t t, uint16_t *dtime, uint16_t *ddate)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || tm.tm_year < 80) {
		*dtime = 0;
		*ddate = (1 << 5) | 1;   /* 1980-01-01 */
		return;
	}
	if (tm.tm_year > 207)
		tm.tm_year = 207;
	*dtime = (uint16_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	*ddate = (uint16_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 |
			    tm.tm_mday);
}

static int non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

int zs_w_local64(uint64_t size)
{
	/* compressed data is at most 5 bytes per 64 KiB more than the
	 * input (stored blocks) plus a few per piece: keep that margin */
	return size >= U32_MAX - (U32_MAX >> 12);
}

wrecord *zs_w_record(zs_writer *w, const witem *it)
{
	if (zs_w_grow(&w->rec, &w->cap_rec, w->n_rec, sizeof(*w->rec)))
		return NULL;
	wrecord *r = &w->rec[w->n_rec];
	memset(r, 0, sizeof(*r));
	if (!(r->name = strdup(it->name)))
		return NULL;
	w->n_rec++;
	r->mode = it->mode;
	r->mtime = it->mtime;
	r->offset = w->offset;
	r->flags = non_ascii(it->name) ? FLAG_UTF8 : 0;
	if (it->kind == W_STDIN)
		r->flags |= FLAG_DESCRIPTOR;
	r->local64 = it->kind != W_STDIN && zs_w_local64(it->size);
	return r;
}

static unsigned version_needed(const wrecord *r, int zip64)
{
	return zip64 ? 45 : r->method == 8 ? 20 : 10;
}

/* The fixed 26 bytes after a local header's signature, from version
 * needed to the extra length. */
static void local_fields(const wrecord *r, uint8_t *p, size_t extra)
{
	uint16_t dt, dd;
	int desc = r->flags & FLAG_DESCRIPTOR;

	dos_time(r->mtime, &dt, &dd);
	le16(p, version_needed(r, r->local64));
	le16(p + 2, r->flags);
	le16(p + 4, r->method);
	le16(p + 6, dt);
	le16(p + 8, dd);
	le32(p + 10, desc ? 0 : r->crc);
	le32(p + 14, desc ? 0 : r->local64 ? U32_MAX : (uint32_t)r->csize);
	le32(p + 18, desc ? 0 : r->local64 ? U32_MAX : (uint32_t)r->usize);
	le16(p + 22, (unsigned)strlen(r->name));
	le16(p + 24, (unsigned)extra);
}

/* Extended timestamp (modification time only) at p: 9 bytes. */
static size_t put_ut(uint8_t *p, int64_t mtime)
{
	le16(p, 0x5455);
	le16(p + 2, 5);
	p[4] = 1;
	le32(p + 5, (uint32_t)(mtime < 0 ? 0 : mtime > U32_MAX ? U32_MAX :
			       mtime));
	return 9;
}

int zs_w_local_header(zs_writer *w, wrecord *r)
{
	uint8_t h[30 + 9 + 20];
	size_t extra = 9 + (r->local64 ? 20 : 0);

	le32(h, 0x04034b50);
	local_fields(r, h + 4, extra);
	put_ut(h + 30, r->mtime);
	if (r->local64) {
		le16(h + 39, 0x0001);
		le16(h + 41, 16);
		le64(h + 43, r->usize);
		le64(h + 51, r->csize);
	}
	if (zs_w_put(w, h, 30) != 0 ||
	    zs_w_put(w, r->name, strlen(r->name)) != 0)
		return -1;
	return zs_w_put(w, h + 30, extra);
}

/* The CRC-32 and sizes, once known, into the header written before. */
int zs_w_patch_local(zs_writer *w, const wrecord *r)
{
	uint8_t h[26], z[16];

	local_fields(r, h, 0);
	if (zs_w_patch(w, r->offset + 14, h + 10, 12) != 0)
		return -1;
	if (!r->local64)
		return 0;
	le64(z, r->usize);
	le64(z + 8, r->csize);
	return zs_w_patch(w, r->offset + 30 + strlen(r->name) + 9 + 4, z, 16);
}

int zs_w_descriptor(zs_writer *w, const wrecord *r)
{
	uint8_t d[24];
	int big = r->csize >= U32_MAX || r->usize >= U32_MAX;

	le32(d, 0x08074b50);
	le32(d + 4, r->crc);
	if (big) {
		le64(d + 8, r->csize);
		le64(d + 16, r->usize);
	} else {
		le32(d + 8, (uint32_t)r->csize);
		le32(d + 12, (uint32_t)r->usize);
	}
	return zs_w_put(w, d, big ? 24 : 16);
}

/* One central directory record. */
static int put_central(zs_writer *w, const wrecord *r)
{
	uint8_t h[46 + 9 + 28], *x = h + 46 + 9, *z = x + 4;
	int big_u = r->usize >= U32_MAX || r->local64;
	int big_c = r->csize >= U32_MAX || r->local64;
	int big_o = r->offset >= U32_MAX;
	size_t zn = 8 * (size_t)(big_u + big_c + big_o);
	uint32_t ext = r->mode << 16 | (S_ISDIR(r->mode) ? 0x10 : 0);

	le32(h, 0x02014b50);
	le16(h + 4, MADE_BY_UNIX);
	local_fields(r, h + 6, 9 + (zn ? zn + 4 : 0));
	le16(h + 6, version_needed(r, zn != 0));
	le32(h + 20, big_c ? U32_MAX : (uint32_t)r->csize);
	le32(h + 24, big_u ? U32_MAX : (uint32_t)r->usize);
	le32(h + 16, r->crc);
	le16(h + 32, 0);              /* comment */
	le16(h + 34, 0);              /* disk */
	le16(h + 36, 0);              /* internal attributes */
	le32(h + 38, ext);
	le32(h + 42, big_o ? U32_MAX : (uint32_t)r->offset);
	put_ut(h + 46, r->mtime);
	le16(x, 0x0001);
	le16(x + 2, (unsigned)zn);
	if (big_u)
		le64(z, r->usize), z += 8;
	if (big_c)
		le64(z, r->csize), z += 8;
	if (big_o)
		le64(z, r->offset);
	if (zn)
		w->t.zip64 = 1;
	if (zs_w_put(w, h, 46) != 0 ||
	    zs_w_put(w, r->name, strlen(r->name)) != 0)
		return -1;
	return zs_w_put(w, h + 46, 9 + (zn ? zn + 4 : 0));
}

/* ZIP64 end record and locator (APPNOTE 4.3.14, 4.3.15). */
static int put_end64(zs_writer *w, uint64_t cd, uint64_t cd_size)
{
	uint8_t e[56 + 20];
	uint64_t at = w->offset;

	le32(e, 0x06064b50);
	le64(e + 4, 44);
	le16(e + 12, MADE_BY_UNIX);
	le16(e + 14, 45);
	le32(e + 16, 0);
	le32(e + 20, 0);
	le64(e + 24, w->n_rec);
	le64(e + 32, w->n_rec);
	le64(e + 40, cd_size);
	le64(e + 48, cd);
	le32(e + 56, 0x07064b50);
	le32(e + 60, 0);
	le64(e + 64, at);
	le32(e + 72, 1);
	w->t.zip64 = 1;
	return zs_w_put(w, e, sizeof(e));
}

static int put_central_directory(zs_writer *w)
{
	uint64_t cd = w->offset;
	uint8_t e[22];

	for (size_t k = 0; k < w->n_rec; k++)
		if (put_central(w, &w->rec[k]) != 0)
			return -1;
	uint64_t size = w->offset - cd;
	int big = w->n_rec >= U16_MAX || cd >= U32_MAX || size >= U32_MAX;
	if (big && put_end64(w, cd, size) != 0)
		return -1;
	unsigned n = w->n_rec >= U16_MAX ? U16_MAX : (unsigned)w->n_rec;
	le32(e, 0x06054b50);
	le16(e + 4, 0);
	le16(e + 6, 0);
	le16(e + 8, n);
	le16(e + 10, n);
	le32(e + 12, size >= U32_MAX ? U32_MAX : (uint32_t)size);
	le32(e + 16, cd >= U32_MAX ? U32_MAX : (uint32_t)cd);
	le16(e + 20, 0);
	return zs_w_put(w, e, sizeof(e));
}

/* After a failed write: say why, and leave nothing behind. */
static int failed(zs_writer *w, zs_writer_totals *t)
{
	int status = w->status;

	if (w->write_errno) {
		fprintf(w->warn, "zipscan: %s: cannot write: %s; nothing "
			"written\n", w->path, strerror(w->write_errno));
		status = ZS_EXIT_WRITE;
	}
	if (t)
		*t = w->t;
	zs_writer_abort(w);
	return status;
}

int zs_writer_finish(zs_writer *w, zs_writer_totals *t)
{
	if (zs_w_drain(w) != 0)
		return failed(w, t);
	if (w->n_rec == 0) {
		fprintf(w->warn, "zipscan: %s: nothing to do (no entry to "
			"write)\n", w->path);
		w->status = ZS_EXIT_NOMATCH;
		return failed(w, t);
	}
	if (put_central_directory(w) != 0 || zs_w_flush(w) != 0)
		return failed(w, t);
	if (close(w->fd) != 0 || (w->tmp && rename(w->tmp, w->path) != 0)) {
		w->write_errno = errno;
		w->fd = -1;
		if (w->tmp)
			unlink(w->tmp);
		return failed(w, t);
	}
	w->fd = -1;
	w->t.entries = w->n_rec;
	w->t.bytes_out = w->offset;
	w->t.seconds = zs_now() - w->t0;
	if (t)
		*t = w->t;
	int status = w->status;
	zs_writer_abort(w);
	return status;
}
