// SPDX-License-Identifier: MIT
/*
 * writer_pipeline.c - the writer's three stages, batch after batch:
 *
 *  1. plan (sequential): the queued entries are cut into units of at most
 *     chunk_size bytes of input, in order, until the batch holds
 *     threads x memory_limit bytes (input plus room for its output);
 *     standard input is read here, a file of several units opened;
 *  2. read and compress (parallel): each unit by one thread, a file's
 *     bytes read there (writer_fetch.c), compressed with libdeflate into
 *     the thread's arena (writer_arena.c); a big file's units become
 *     Deflate pieces that join into one stream (deflate_piece.c), their
 *     CRC-32s combined later;
 *  3. write (one thread at a time, in queue order, while the others
 *     compress): local header, data (its arena room then free to be
 *     filled again), and for an entry of several units
 *     its CRC-32 and sizes patched in afterwards (a data descriptor for
 *     standard input).
 *
 * What a unit becomes depends only on its bytes, the level and the chunk
 * size, never on the thread that compressed it or on the batch it fell
 * in: the output is the same for every thread count.
 */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <omp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "deflate_piece.h"
#include "writer.h"

typedef struct unit {
	size_t item;
	uint64_t offset;        /* of this unit in the entry's data */
	uint8_t *in;            /* input: own_in, or borrowed from the item */
	size_t len;
	uint8_t *out;           /* compressed, in the compressing thread's
				   arena; NULL: stored as read */
	size_t out_len;
	_Atomic size_t *live;   /* out (or in) is in an arena region: its
				   count, lowered once written */
	uint32_t crc;
	uint8_t first, last, failed;
	uint8_t fetch;          /* W_FILE: read by the compressing thread */
	int fd;                 /* a file of several units: the descriptor
				   opened in order; -1: opened by the thread */
	wfetch got;             /* what the thread's read found */
	/* kept from batch to batch (fresh memory faults every page) */
	uint8_t *own_in;
	size_t cap_in;
} unit;

/* Empty u for its next use, keeping its buffers. */
static void unit_reset(unit *u)
{
	uint8_t *in = u->own_in;
	size_t ci = u->cap_in;

	memset(u, 0, sizeof(*u));
	u->fd = -1;
	u->own_in = in;
	u->cap_in = ci;
}

/* One of u's buffers with room for n bytes; NULL if out of memory. */
static uint8_t *unit_buffer(uint8_t **buf, size_t *cap, size_t n)
{
	if (*cap < n) {
		free(*buf);
		*cap = 0;
		if (!(*buf = malloc(n)))
			return NULL;
		*cap = n;
	}
	return *buf;
}

/* The entry being read when a batch filled up. */
typedef struct cursor {
	size_t item;
	uint64_t done;          /* bytes of it read */
	int fd;
	size_t rec;             /* its record, once its header is out */
} cursor;

/* ---- threads ------------------------------------------------------------ */

/* MemAvailable from /proc/meminfo, bytes; 0 if unknown. */
static uint64_t available_memory(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long long kib = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return (uint64_t)kib << 10;
}

int zs_w_setup_threads(zs_writer *w)
{
	zs_options o;
	zs_options_init(&o);
	o.threads = w->o.threads;
	int n = zs_threads_effective(&o);
	uint64_t avail = available_memory();

	if (w->o.chunk_size == 0)
		w->o.chunk_size = ZS_WRITER_CHUNK;
	if (w->o.sozip_chunk_size == 0 || w->o.sozip_chunk_size > UINT32_MAX)
		w->o.sozip_chunk_size = ZS_SOZIP_CHUNK;
	if (w->o.sozip_min_size == 0)
		w->o.sozip_min_size = ZS_SOZIP_MIN_SIZE;
	if (w->o.memory_limit == 0)
		w->o.memory_limit = ZS_WRITER_MEMORY_LIMIT;
	if (avail && (uint64_t)n * w->o.memory_limit > avail / 2) {
		uint64_t fit = avail / 2 / w->o.memory_limit;
		n = fit ? (int)(fit < (uint64_t)n ? fit : (uint64_t)n) : 1;
		w->t.threads_why = "available memory holds the buffers of "
				   "fewer threads";
	}
	w->threads = w->t.threads = n;
	w->comp = calloc((size_t)n, sizeof(*w->comp));
	w->tbuf = calloc((size_t)n, sizeof(*w->tbuf));
	w->tbuf_cap = calloc((size_t)n, sizeof(*w->tbuf_cap));
	w->arena = calloc((size_t)n, sizeof(*w->arena));
	if (!w->comp || !w->tbuf || !w->tbuf_cap || !w->arena)
		return -1;
	size_t most = zs_deflate_piece_bound(w->o.chunk_size);
	size_t sz = zs_deflate_piece_sozip_bound(w->o.sozip_chunk_size);
	for (int k = 0; k < n; k++)
		zs_w_arena_init(&w->arena[k], most > sz ? most : sz);
	for (int k = 0; k < n && w->o.level > 0; k++)
		if (!(w->comp[k] = libdeflate_alloc_compressor(w->o.level)))
			return -1;
	return 0;
}

void zs_w_free_threads(zs_writer *w)
{
	for (int k = 0; w->comp && k < w->threads; k++)
		libdeflate_free_compressor(w->comp[k]);
	for (int k = 0; w->tbuf && k < w->threads; k++)
		if (w->tbuf[k])
			munmap(w->tbuf[k], w->tbuf_cap[k]);
	for (int k = 0; w->arena && k < w->threads; k++)
		zs_w_arena_free(&w->arena[k]);
	free(w->arena);
	free(w->comp);
	free(w->tbuf);
	free(w->tbuf_cap);
	w->comp = NULL;
	w->tbuf = NULL;
	w->tbuf_cap = NULL;
	w->arena = NULL;
}

/* ---- 1. read --------------------------------------------------------------- */

/* n bytes, or fewer at the end of the file; a signal that sets the stop
 * flag ends the read (a pipe may never send more). */
static int read_full(const zs_writer *w, int fd, uint8_t *p, size_t n,
		     size_t *got)
{
	*got = 0;
	while (*got < n) {
		ssize_t k = read(fd, p + *got, n - *got);
		if (k < 0 && errno == EINTR && !(w->o.stop && *w->o.stop))
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return 0;
}

/* Open the file of it for its first unit; -1: vanished (warned). */
static int open_item(zs_writer *w, const witem *it, cursor *c)
{
	c->fd = it->kind == W_STDIN ? STDIN_FILENO :
		open(it->src, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0)
		zs_w_warn(w, "%s: cannot open: %s, left out", it->src,
			  strerror(errno));
	return c->fd < 0 ? -1 : 0;
}

/* A unit of a file, read later by the thread that compresses it; a file
 * of several units is opened here, once.  -1: left out (vanished). */
static int plan_file_unit(zs_writer *w, cursor *c, unit *u, size_t want)
{
	const witem *it = &w->queue[c->item];
	int several = it->size > zs_w_unit_size(w, it);

	if (u->first && several && open_item(w, it, c) != 0)
		return -1;
	u->fd = several ? c->fd : -1;
	u->fetch = 1;
	u->len = want;
	c->done += want;
	u->last = c->done == it->size;
	return 0;
}

/* Fill u with the next unit of the entry at the cursor (read now from
 * standard input; planned, to be read on a compressing thread, from a
 * file).  -1: the entry is left out (it vanished); -2: out of memory. */
static int read_unit(zs_writer *w, cursor *c, unit *u)
{
	witem *it = &w->queue[c->item];
	size_t chunk = zs_w_unit_size(w, it), got = 0;
	int reads = it->kind == W_STDIN;
	uint64_t left = it->kind == W_STDIN ? chunk : it->size - c->done;
	size_t want = left < chunk ? (size_t)left : chunk;

	unit_reset(u);
	u->item = c->item;
	u->offset = c->done;
	u->first = c->done == 0;
	if (it->kind == W_FILE)
		return plan_file_unit(w, c, u, want);
	if (u->first && reads && open_item(w, it, c) != 0)
		return -1;
	if (it->kind == W_BYTES || it->kind == W_LINK) {
		u->in = (uint8_t *)it->src + c->done;
		got = want;
	} else if (want && !(u->in = unit_buffer(&u->own_in, &u->cap_in,
						 want))) {
		return -2;
	} else if (it->kind == W_FILL) {
		got = want;      /* filled by the compressing thread */
	} else if (reads && read_full(w, c->fd, u->in, want, &got) != 0 &&
		   errno != EINTR) {
		zs_w_warn(w, "standard input: read error: %s",
			  strerror(errno));
	}
	u->len = got;
	c->done += got;
	u->last = got < want || (it->kind != W_STDIN && c->done == it->size) ||
		  (it->kind == W_STDIN && got < chunk);
	return 0;
}

/* Bytes a unit of len holds in memory, input and output. */
static uint64_t unit_cost(size_t len)
{
	return (uint64_t)len + zs_deflate_piece_bound(len);
}

/* Units of the queue from the cursor on, up to the batch's budget. */
static int read_batch(zs_writer *w, cursor *c, unit *units, size_t max,
		      size_t *n)
{
	uint64_t budget = (uint64_t)w->threads * w->o.memory_limit, used = 0;

	*n = 0;
	while (c->item < w->n_queue && *n < max &&
	       (*n == 0 || used + unit_cost(w->o.chunk_size) <= budget)) {
		int rc = read_unit(w, c, &units[*n]);
		if (rc == -2)
			return -1;
		if (rc == -1) {          /* left out: on to the next entry */
			zs_w_item_free(&w->queue[c->item++]);
			c->done = 0;
			continue;
		}
		used += unit_cost(units[*n].len);
		if (units[(*n)++].last) {
			c->item++;
			c->done = 0;
		}
	}
	return 0;
}

/* ---- 2. compress ------------------------------------------------------ */

static int deflated(const zs_writer *w, const witem *it)
{
	return w->o.level > 0 && !it->store && (it->kind == W_FILE ||
		it->kind == W_STDIN || it->kind == W_BYTES || it->kind == W_FILL);
}

/* Thread me's input buffer, made once on huge pages (the units it
 * compresses are read into it one after another); NULL if out of
 * memory. */
static uint8_t *thread_input(zs_writer *w, int me, size_t len)
{
	if (!w->tbuf[me]) {
		size_t most = w->o.chunk_size > w->o.sozip_chunk_size ?
			      w->o.chunk_size : w->o.sozip_chunk_size;
		size_t size = zs_huge_round(most);
		if (!(w->tbuf[me] = zs_huge_region(size)))
			return NULL;
		w->tbuf_cap[me] = size;
	}
	return len <= w->tbuf_cap[me] ? w->tbuf[me] : NULL;
}

/* The unit's bytes from its file: into the thread's buffer when they are
 * to be compressed, into the unit's own when they go out as they are.
 * -1: nothing to compress (left out, or out of memory). */
static int fetch_unit(zs_writer *w, unit *u, int me)
{
	const witem *it = &w->queue[u->item];
	uint8_t *dst = deflated(w, it) && u->len ? thread_input(w, me, u->len) :
		unit_buffer(&u->own_in, &u->cap_in, u->len ? u->len : 1);

	if (!dst) {
		u->failed = 2;
		return -1;
	}
	zs_w_fetch(w, it, u->fd, u->offset, dst, u->len, u->last, &u->got);
	u->in = dst;
	u->len = u->got.got;
	return u->got.open_errno ? -1 : 0;
}

/* Compressed data that came out no smaller goes out as it was read: out
 * of the thread's buffer, which the thread's next unit reuses, into its
 * arena. */
static void keep_input(unit *u, warena *a)
{
	if (u->out || !u->fetch || u->in == u->own_in || !u->len)
		return;
	uint8_t *p = zs_w_arena_room(a, u->len);
	if (!p) {
		u->failed = 2;
		return;
	}
	memcpy(p, u->in, u->len);
	u->live = zs_w_arena_take(a, u->len);
	u->in = p;
}

static void compress_unit(zs_writer *w, unit *u, int me)
{
	const witem *it = &w->queue[u->item];
	struct libdeflate_compressor *c = w->comp[me];
	warena *a = &w->arena[me];

	if (it->kind == W_FILL && u->len &&
	    it->fill(it->ctx, u->offset, u->in, u->len) != 0)
		u->failed = 1;
	u->crc = (uint32_t)libdeflate_crc32(0, u->in, u->len);
	if (!deflated(w, it) || (u->len == 0 && u->first))
		return;
	int sozip = zs_w_sozip_on(w, it) && !u->last;
	size_t cap = sozip ? zs_deflate_piece_sozip_bound(u->len) :
		     zs_deflate_piece_bound(u->len);
	if (!(u->out = zs_w_arena_room(a, cap))) {
		u->failed = 2;
		return;
	}
	if (u->first && u->last) {   /* a whole entry: Deflate if smaller */
		u->out_len = libdeflate_deflate_compress(c, u->in, u->len,
							 u->out, cap);
		if (u->out_len == 0 || u->out_len >= u->len)
			u->out = NULL;
		else
			u->live = zs_w_arena_take(a, u->out_len);
		keep_input(u, a);
		return;
	}
	u->out_len = sozip ? zs_deflate_piece_sozip(c, u->in, u->len, u->out,
						    cap) :
		     zs_deflate_piece(c, u->in, u->len, u->last, u->out, cap);
	u->live = zs_w_arena_take(a, u->out_len);
	if (u->out_len == 0)
		u->failed = 2;
}

/* ---- 3. write ---------------------------------------------------------- */

static void count_entry(zs_writer *w, const witem *it, const wrecord *r)
{
	if (it->kind == W_DIR)
		w->t.dirs++;
	else if (it->kind == W_LINK)
		w->t.links++;
	else
		w->t.files++;
	w->t.bytes_in += r->usize;
	zs_progress_add_bytes(w->o.progress, w->writing, 0, 1);
}

/* The entry's header, before its first unit's data. */
static int begin_entry(zs_writer *w, const unit *u, cursor *c)
{
	const witem *it = &w->queue[u->item];
	wrecord *r = zs_w_record(w, it);

	if (!r)
		return -2;
	c->rec = w->n_rec - 1;
	int whole = u->first && u->last;
	r->method = (whole ? u->out != NULL : deflated(w, it)) ? 8 : 0;
	if (whole && it->kind != W_STDIN) {
		r->crc = u->crc;
		r->usize = u->len;
		r->csize = u->out ? u->out_len : u->len;
	}
	zs_w_sozip_begin(w, it, r);
	return zs_w_local_header(w, r);
}

/* The entry's CRC-32 and sizes after its last unit. */
static int end_entry(zs_writer *w, const unit *u, cursor *c)
{
	witem *it = &w->queue[u->item];
	wrecord *r = &w->rec[c->rec];
	int rc = 0;

	if (u->fetch && (u->got.changed || r->usize != it->size))
		zs_w_warn(w, "%s: changed while being read (%llu bytes stored, "
			  "as read; the archive is consistent)", it->src,
			  (unsigned long long)r->usize);
	if (it->kind == W_STDIN)
		rc = zs_w_descriptor(w, r);
	else if (!u->first)
		rc = zs_w_patch_local(w, r);
	if (rc == 0)
		rc = zs_w_sozip_index(w, it, r);
	count_entry(w, it, r);
	zs_w_item_free(it);
	return rc;
}

/* What the compressing thread's read of u found: a file that could not
 * be opened is left out (1), a read error is a warning. */
static int fetch_report(zs_writer *w, const unit *u)
{
	witem *it = &w->queue[u->item];

	if (u->got.open_errno) {
		zs_w_warn(w, "%s: cannot open: %s, left out", it->src,
			  strerror(u->got.open_errno));
		zs_w_item_free(it);
		return 1;
	}
	if (u->got.read_errno && u->got.read_errno != EINTR)   /* a stop */
		zs_w_warn(w, "%s: read error: %s", it->src,
			  strerror(u->got.read_errno));
	return 0;
}

static int write_unit(zs_writer *w, const unit *u, cursor *c)
{
	int rc;

	if (u->fetch && fetch_report(w, u) != 0)
		return 0;
	if (u->first && (rc = begin_entry(w, u, c)) != 0)
		return rc;
	wrecord *r = &w->rec[c->rec];
	size_t n = u->out ? u->out_len : u->len;
	if (!u->first && zs_w_sozip_on(w, &w->queue[u->item]) &&
	    (rc = zs_w_sozip_chunk(w, r->csize)) != 0)
		return rc;
	if (!(u->first && u->last) || w->queue[u->item].kind == W_STDIN) {
		r->crc = (uint32_t)crc32_combine64(r->crc, u->crc,
						   (z_off64_t)u->len);
		r->usize += u->len;
		r->csize += n;
	}
	if (zs_w_put(w, u->out ? u->out : u->in, n) != 0)
		return -1;
	return u->last ? end_entry(w, u, c) : 0;
}

/* The descriptors of files of several units whose last unit was not
 * written (a write failed). */
static void close_files(unit *units, size_t from, size_t n)
{
	for (size_t k = from; k < n; k++)
		if (units[k].last && units[k].fd >= 0)
			close(units[k].fd);
}

static void free_units(unit *units, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(units[k].own_in);
}

/*
 * A batch compressed and written at once: whichever thread finds the next
 * unit in order compressed, and the output free, writes it and those
 * ready after it, so that writing overlaps compressing instead of
 * following it.  The order, and so the archive, are those of the queue
 * whatever the thread count.
 */
typedef struct wflow {
	unit *units;
	size_t n;
	_Atomic unsigned char *ready;   /* unit k compressed */
	pthread_mutex_t lock;           /* held while writing: */
	size_t next;                    /* the first unit not written */
	int rc;                         /* the first failure of a write */
	cursor *c;
} wflow;

/* Unit k written: 0, -1 write failed, -2 out of memory. */
static int write_one(zs_writer *w, unit *u, cursor *c)
{
	int rc = 0;

	if (u->failed == 2)
		return -2;
	if (u->failed)
		zs_w_warn(w, "%s: its data could not be made",
			  w->queue[u->item].name);
	rc = write_unit(w, u, c);
	zs_w_arena_written(u->live);   /* its bytes are out */
	u->live = NULL;
	if (rc == 0 && u->last && u->fd >= 0)
		close(u->fd);
	return rc;
}

/* The units ready from f->next on, in order; f->lock held. */
static void write_ready(zs_writer *w, wflow *f, int me)
{
	w->writing = me;
	while (f->rc == 0 && f->next < f->n &&
	       atomic_load_explicit(&f->ready[f->next], memory_order_acquire))
		f->rc = write_one(w, &f->units[f->next++], f->c);
}

static void compress_batch(zs_writer *w, wflow *f)
{
	for (int k = 0; k < w->threads; k++)
		zs_w_arena_reset(&w->arena[k]);
	#pragma omp parallel for schedule(dynamic, 1) num_threads(w->threads)
	for (size_t k = 0; k < f->n; k++) {
		int me = omp_get_thread_num();
		unit *u = &f->units[k];
		if (!u->fetch || fetch_unit(w, u, me) == 0)
			compress_unit(w, u, me);
		zs_progress_add_bytes(w->o.progress, me, u->len, 0);
		atomic_store_explicit(&f->ready[k], 1, memory_order_release);
		if (pthread_mutex_trylock(&f->lock) == 0) {   /* else busy */
			write_ready(w, f, me);
			pthread_mutex_unlock(&f->lock);
		}
	}
	write_ready(w, f, 0);    /* what came ready while the writer was busy */
}

/* Compress and write one batch; -1: write failed, -2: no memory. */
static int write_batch(zs_writer *w, unit *units, size_t n, cursor *c)
{
	wflow f = { .units = units, .n = n, .c = c };

	if (!(f.ready = calloc(n ? n : 1, sizeof(*f.ready))))
		return -2;
	pthread_mutex_init(&f.lock, NULL);
	compress_batch(w, &f);
	pthread_mutex_destroy(&f.lock);
	free((void *)f.ready);
	if (f.rc != 0)
		close_files(units, f.next - 1, n);
	return f.rc;
}

static void queue_totals(zs_writer *w)
{
	uint64_t bytes = 0;
	for (size_t k = 0; k < w->n_queue; k++)
		bytes += w->queue[k].size;
	zs_progress_set_totals(w->o.progress, w->n_queue, bytes);
}

static int stop(zs_writer *w, int status)
{
	w->stopped = 1;
	w->status = zs_exit_worse(w->status, status);
	return -1;
}

int zs_w_drain(zs_writer *w)
{
	size_t max = 4096 * (size_t)w->threads, n;
	unit *units = calloc(max, sizeof(*units));
	cursor c = { .fd = -1 };
	int rc = 0;

	if (w->stopped || !units) {
		free(units);
		return w->stopped ? -1 : stop(w, ZS_EXIT_NOMEM);
	}
	queue_totals(w);
	for (;;) {
		if (rc == 0 && w->o.stop && *w->o.stop) {
			rc = stop(w, ZS_EXIT_INTERRUPT);
			break;
		}
		if (rc != 0 || c.item >= w->n_queue)
			break;
		if (read_batch(w, &c, units, max, &n) != 0) {
			rc = stop(w, ZS_EXIT_NOMEM);
			break;
		}
		rc = write_batch(w, units, n, &c);
		if (rc != 0)
			rc = stop(w, rc == -2 ? ZS_EXIT_NOMEM : ZS_EXIT_WRITE);
	}
	if (c.done && c.item < w->n_queue && c.fd > STDIN_FILENO)
		close(c.fd);      /* stopped inside an entry */
	for (size_t k = 0; k < w->n_queue; k++)   /* those not written */
		zs_w_item_free(&w->queue[k]);
	w->n_queue = 0;
	free_units(units, max);
	free(units);
	return rc;
}
