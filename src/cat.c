/* SPDX-License-Identifier: MIT */
/*
 * cat.c - zipscan cat: entries written to standard output in the order the
 * user named them (as `unzip -p`), decoded on every core.
 *
 * One `for ordered schedule(dynamic, 1)` loop: a thread decodes its entry
 * into its own buffer (stored data too: what waits for its turn must be
 * the bytes that were checked, not the mapping) outside the ordered region, then waits for its turn to write it.  So at
 * most one decoded entry per thread waits, and memory stays bounded by the
 * per-thread cap.  Entries too big to decode whole are streamed inside their
 * turn, since they could not be held.  A SOZip entry, and a big Deflate
 * entry worth it, are decoded by every thread on their own (cat_sozip;
 * cat_split at offsets, cat_in_order into a pipe).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pinflate_entry.h"
#include "sozip.h"

static int is_pattern(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static uint64_t name_hash(const char *s)
{
	return zs_hash(s, strlen(s));
}

/* exact[k]: the last entry named names[k], or -1.  The names asked for go
 * in a name table, each once. */
static int find_exact(const zs_archive *a, char *const *names, size_t m,
		      int64_t *exact)
{
	zs_table t;
	char *name = zs_name_buf(&a, 1);
	uint32_t *slot;
	int rc = zs_table_init(&t, m) == 0 && name ? 0 : -1;

	for (size_t k = 0; rc == 0 && k < m; k++) {
		uint64_t h = name_hash(names[k]);
		exact[k] = -1;
		ZS_TABLE_FIND(&t, h, !strcmp(names[v - 1], names[k]), slot);
		if (!*slot) {
			*slot = (uint32_t)(k + 1);
			t.used++;
		}
	}
	for (size_t i = 0; rc == 0 && i < a->index.count; i++) {
		zs_entry_name_utf8(a, i, name);
		uint64_t h = name_hash(name);
		ZS_TABLE_FIND(&t, h, !strcmp(names[v - 1], name), slot);
		if (*slot)
			exact[*slot - 1] = (int64_t)i;  /* the last wins */
	}
	/* a name given twice points at its first mention */
	for (size_t k = 0; rc == 0 && k < m; k++) {
		uint64_t h = name_hash(names[k]);
		ZS_TABLE_FIND(&t, h, !strcmp(names[v - 1], names[k]), slot);
		exact[k] = exact[*slot - 1];
	}
	zs_table_free(&t);
	free(name);
	return rc;
}

static void take(size_t i, size_t *list, size_t *n, uint8_t *seen)
{
	if (!seen[i]) {
		seen[i] = 1;
		if (list)
			list[*n] = i;
		(*n)++;
	}
}

int zs_entries_named(const zs_archive *a, char *const *names, size_t m,
		     size_t *list, size_t *n_list, uint8_t *matched)
{
	size_t count = a->index.count, n = 0;
	int64_t *exact = malloc((m ? m : 1) * sizeof(*exact));
	uint8_t *seen = calloc(count ? count : 1, 1);
	char *name = zs_name_buf(&a, 1), *clean = zs_name_buf(&a, 1);
	int rc = exact && seen && name && clean ?
		 find_exact(a, names, m, exact) : -1;

	for (size_t k = 0; rc == 0 && k < m; k++) {
		matched[k] = exact[k] >= 0;
		if (matched[k]) {
			take((size_t)exact[k], list, &n, seen);
			continue;
		}
		if (!is_pattern(names[k]))
			continue;
		/* as unzip: '*' crosses '/'; matched against the name as
		 * it is written (zs_select) */
		for (size_t i = 0; i < count; i++) {
			if (zs_entry_matches(a, i, names[k], name, clean)) {
				matched[k] = 1;
				take(i, list, &n, seen);
			}
		}
	}
	*n_list = n;
	free(exact);
	free(seen);
	free(name);
	free(clean);
	return rc;
}

/* The bytes of a streamed entry that an earlier pass already wrote (a
 * SOZip entry's good ranges) are skipped, the rest written. */
typedef struct skip_writer {
	int fd;
	uint64_t skip;
	volatile int *stop;
} skip_writer;

static int write_skipping(void *ctx, const void *data, size_t len)
{
	skip_writer *sw = ctx;
	const uint8_t *p = data;
	size_t drop = sw->skip < len ? (size_t)sw->skip : len;

	sw->skip -= drop;
	return zs_write_all(sw->fd, p + drop, len - drop, sw->stop);
}

/* Entry i in its turn: stream it (past skip bytes already written), or
 * write what was decoded. */
static uint64_t cat_turn(zs_worker *w, zs_archive *a, size_t i, zs_sink *s,
			 int streams, skip_writer *sw)
{
	if (streams) {
		s->defer = 0;
		if (sw->skip) {
			s->fn = write_skipping;
			s->ctx = sw;
		}
		return zs_decode_entry_to(w, a, i, s);
	}
	if (s->pending && a->index.status[i] == ZS_ENTRY_OK &&
	    zs_write_all(s->fd, s->pending, s->pending_len, s->stop) != 0)
		s->err = errno;
	return 0;
}

/* entries[0, n) decoded on every thread and written in order; the first
 * skips `skip` bytes already written.  Returns the bytes decoded. */
static uint64_t cat_entries(zs_archive *a, const size_t *entries, size_t n,
			    int fd, const zs_options *o, uint64_t skip,
			    atomic_int *write_err, int *nomem)
{
	int nt = zs_threads_effective(o), nm = 0;
	uint64_t out = 0, total = 0;

	for (size_t k = 0; k < n; k++)
		total += a->index.comp_size[entries[k]];
	#pragma omp parallel num_threads(nt) reduction(+ : out) \
		reduction(| : nm) if (zs_worth_parallel(n, total))
	{
		zs_worker *w = zs_worker_new(o->memory_limit, 0);
		nm = !w;
		#pragma omp for ordered schedule(dynamic, 1)
		for (size_t k = 0; k < n; k++) {
			size_t i = entries[k];
			zs_sink s = { .fd = fd, .defer = 1, .stop = o->stop };
			skip_writer sw = { fd, k == 0 ? skip : 0, o->stop };
			int go = w && !atomic_load_explicit(write_err,
					memory_order_relaxed) && !(o->stop && *o->stop);
			int streams = go && zs_decode_streams(w, a, i);
			if (go && !streams)
				out += zs_decode_entry_to(w, a, i, &s);
			#pragma omp ordered
			{
				if (go && !atomic_load(write_err))
					out += cat_turn(w, a, i, &s, streams, &sw);
				if (s.err)
					atomic_store(write_err, s.err);
			}
		}
		zs_worker_free(w);
	}
	*nomem |= nm;
	return out;
}

/* A SOZip entry by its chunks on every thread (zs_sozip_cat); if that did
 * not settle it, the whole decode gives the verdict past what was written.
 * Returns the bytes out. */
static uint64_t cat_sozip(zs_archive *a, size_t i, int fd,
			  const zs_options *o, atomic_int *write_err,
			  int *nomem)
{
	uint64_t hold = zs_whole_max(o->memory_limit);
	int err = 0;
	uint64_t wrote = zs_sozip_cat(a, i, fd, o, hold, &err);

	if (err) {
		atomic_store(write_err, err);
		return wrote;
	}
	if (zs_sozip_settled(a, i) || zs_stopping(a))
		return wrote;
	return cat_entries(a, &i, 1, fd, o, wrote, write_err, nomem);
}

/* Where cat's output stands, for a split written at offsets. */
typedef struct out_place {
	int64_t at;     /* its offset, or -1: written in order only */
	int64_t size;   /* a regular file's size */
	int null;       /* /dev/null (where timing runs send it) */
} out_place;

/* fd takes writes at offsets if it is a regular file not opened to append
 * (pwrite there would append), at or past its end (so that if the split
 * must be undone, nothing of the file's own is lost), or /dev/null; not a
 * pipe, a terminal, or the middle of a file. */
static out_place place_of(int fd)
{
	out_place p = { -1, 0, 0 };
	struct stat st, null;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || (fl & O_APPEND) || fstat(fd, &st) != 0)
		return p;
	p.null = S_ISCHR(st.st_mode) && stat("/dev/null", &null) == 0 &&
		 S_ISCHR(null.st_mode) && st.st_rdev == null.st_rdev;
	off_t at = p.null ? 0 : S_ISREG(st.st_mode) ? lseek(fd, 0, SEEK_CUR) :
		   -1;
	if (at >= 0 && (p.null || at >= st.st_size)) {
		p.at = at;
		p.size = st.st_size;
	}
	return p;
}

/* May entry i (worth splitting) be split into fd?  At offsets, always;
 * in order only if the whole decode streams it too: that writes all it
 * decodes, up to an error, so it can go on past what the split wrote (an
 * entry decoded whole is written only once it checked out). */
static int cat_splits(const zs_archive *a, size_t i, int at_offsets,
		      const zs_options *o)
{
	return at_offsets ||
	       a->index.uncomp_size[i] > zs_whole_max(o->memory_limit);
}

/* A big Deflate entry split over every thread into a pipe (or anything
 * that takes writes only in order): its bytes in order, each chunk's
 * once the chunk before has written its own.  They cannot be taken back,
 * so if the split does not settle the entry, the whole decode gives the
 * verdict and writes on past them (they are its own first bytes:
 * zs_pinflate_write).  Returns the bytes out. */
static uint64_t cat_in_order(zs_archive *a, size_t i, int fd,
			     const zs_options *o, atomic_int *write_err,
			     int *nomem)
{
	uint64_t written = 0;
	uint64_t out = zs_pinflate_write(a, i, fd, 0, o, &written);

	if (out)
		return out;
	return cat_entries(a, &i, 1, fd, o, written, write_err, nomem);
}

/* A big Deflate entry split over every thread, each chunk written at its
 * place in fd (zs_pinflate_write; nothing into /dev/null).  If the split
 * does not settle it, the whole decode writes it again from there, and
 * the file is cut back to what that wrote: the same bytes as without the
 * split.  Returns the bytes out. */
static uint64_t cat_split(zs_archive *a, size_t i, int fd,
			  const out_place *pl, const zs_options *o,
			  atomic_int *write_err, int *nomem)
{
	uint64_t out = zs_pinflate_write(a, i, pl->null ? -1 : fd,
					 (uint64_t)pl->at, o, NULL);
	if (out) {
		if (lseek(fd, (off_t)(pl->at + (int64_t)out), SEEK_SET) < 0)
			atomic_store(write_err, errno);
		return out;
	}
	if (lseek(fd, (off_t)pl->at, SEEK_SET) < 0) {
		atomic_store(write_err, errno);
		return 0;
	}
	out = cat_entries(a, &i, 1, fd, o, 0, write_err, nomem);
	off_t end = lseek(fd, 0, SEEK_CUR), keep = end > pl->size ? end :
						   (off_t)pl->size;
	struct stat now;
	if (end >= 0 && fstat(fd, &now) == 0 && now.st_size > keep &&
	    ftruncate(fd, keep) != 0)
		atomic_store(write_err, errno);
	return out;
}

int zs_cat(zs_archive *a, const size_t *entries, size_t n, int fd,
	   const zs_options *o, zs_totals *t)
{
	int nt = zs_threads_effective(o), nomem = 0;
	atomic_int write_err = 0;   /* the first failed write's errno */
	uint64_t out = 0;
	double t0 = zs_now();

	a->stop = o->stop;
	memset(a->index.selected, 0, a->index.count);
	for (size_t k = 0; k < n; k++)
		a->index.selected[entries[k]] = 1;
	a->n_selected = n;
	if (!zs_decode_permitted(a, o))
		n = 0;   /* 12: the finding says why; nothing is written */
	int at_offsets = place_of(fd).at >= 0;
	uint64_t rest = 0;
	for (size_t k = 0; k < n; k++)
		rest += a->index.comp_size[entries[k]];
	/* runs of entries on every thread; each SOZip entry, and each big
	 * Deflate entry, on its own */
	for (size_t k0 = 0, k1; k0 < n && !atomic_load(&write_err) &&
	     !zs_stopping(a); k0 = k1) {
		for (k1 = k0; k1 < n && !zs_sozip_wanted(a, entries[k1], o) &&
		     !(zs_pinflate_worth(a, entries[k1], o, nt, rest) &&
		       cat_splits(a, entries[k1], at_offsets, o));)
			k1++;
		out += cat_entries(a, entries + k0, k1 - k0, fd, o, 0,
				   &write_err, &nomem);
		if (k1 == n || atomic_load(&write_err) || zs_stopping(a))
			break;
		size_t i = entries[k1++];
		out_place pl;
		if (zs_sozip_wanted(a, i, o))
			out += cat_sozip(a, i, fd, o, &write_err, &nomem);
		else if ((pl = place_of(fd)).at >= 0)
			out += cat_split(a, i, fd, &pl, o, &write_err, &nomem);
		else if (cat_splits(a, i, 0, o))
			out += cat_in_order(a, i, fd, o, &write_err, &nomem);
		else   /* a file now written in order: decoded whole */
			out += cat_entries(a, &i, 1, fd, o, 0, &write_err,
					   &nomem);
	}
	zs_sozip_scan_findings(a);
	zs_trailing_findings(a);
	zs_totals_count(a, t);
	t->threads = nt;
	t->bytes_out = out;
	t->seconds_scan = zs_now() - t0;
	/* EFAULT: the write read a page of the mapping the file lost */
	if (atomic_load(&write_err) == EFAULT)
		zs_map_note_efault(a);
	zs_map_check_changed(a);
	int status = zs_archive_status(a);
	if (nomem)
		status = zs_exit_worse(status, ZS_EXIT_NOMEM);
	if (atomic_load(&write_err) && !a->changed) {
		errno = atomic_load(&write_err);
		status = zs_exit_worse(status, ZS_EXIT_WRITE);
	}
	return status;
}
