/* SPDX-License-Identifier: MIT */
/*
 * pinflate.c - one raw Deflate stream on every thread of a team, in the
 * manner of rapidgzip (Knespel & Brunst, HPDC 2023); our own code.
 *
 * The input is cut into chunks of cfg.chunk bytes.  First every thread
 * looks for the first block start in a chunk (blockfind.c); chunks where
 * none is found join the chunk before.  Then the threads take the chunks in
 * order.  Chunk 0 runs through ISA-L.  Any other chunk decodes from its
 * start with markers for the unknown window (inflate_mark.c) until, at a
 * block boundary, either the chunk before has published its last 32 KiB
 * (markers resolved at once) or its own last 32 KiB hold no markers; from
 * there ISA-L decodes the rest, the window handed over by
 * isal_inflate_set_dict, entered at a bit offset through its bit buffer
 * (read_in), and stopped at the next chunk's start by giving it the input
 * up to that byte only.  A chunk must end exactly where the next one
 * starts: if it runs past it, that start was false and the chunk goes on to
 * the start after (ISA-L's part decoded again), absorbing the false one.
 * A chunk publishes its window (only its last 32 KiB resolved) before it
 * resolves the rest, so the chain from chunk to chunk costs 32 KiB.
 * Each chunk's CRC-32 is combined in order by zlib's crc32_combine64 (the
 * whole output is never held); any failure, or a size or CRC that differs
 * from the entry's, sends the caller back to the sequential decoder, which
 * gives the verdict.  Where the output is wanted (cfg.out, or a file by
 * pwrite), a chunk's bytes go to their offset as soon as it is known (the
 * chunk before has published), held until then.  The work is offered as
 * tasks (searches, then chunks in order) for a caller's work list, or run
 * by one team (zs_pinflate_team).
 */
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "blockfind.h"
#include "huge.h"
#include "pinflate.h"

#define WIN ZS_MARK_WINDOW
#define PIECE (256u << 10)   /* ISA-L's output, a piece at a time */

typedef struct chunk {
	uint64_t start;       /* bit offset of its first block */
	uint8_t *win;         /* the 32 KiB before the next chunk */
	size_t known;         /* valid bytes at the end of win */
	uint64_t end_off;     /* output offset where the next chunk starts */
	uint64_t used;        /* the last: input bytes to the stream's end */
	uint64_t off;         /* output offset where it starts */
	uint64_t size;        /* this chunk's output */
	uint32_t crc;
	int absorbed;         /* a false start, decoded by a chunk before */
	_Atomic int ready;    /* the fields above are published */
	_Atomic int written;  /* cfg.in_order: its bytes are all out */
} chunk;

struct zs_pinflate {
	zs_pinflate_cfg cfg;
	size_t n;             /* chunks before the search */
	uint64_t *cand;       /* each one's start, or ZS_BLOCK_NONE */
	chunk *c;
	size_t m;             /* chunks with a start */
	_Atomic int fail;
	_Atomic int write_err;   /* the first failed write's errno */
	_Atomic uint64_t emitted;   /* cfg.in_order: the bytes out; one chunk
				       writes at a time (written, in order) */
	_Atomic uint64_t absorbed, redecoded, marker_syms, markers,
		isal_bytes, switch_pred, switch_clean;
	_Atomic uint64_t cpu_max, cpu_sum, wait_sum;   /* thread CPU, ns */
};

/* One thread's buffers, reused from chunk to chunk and job to job. */
typedef struct zs_pinflate_scratch {
	zs_mark_dec *d;
	struct inflate_state *st;
	uint8_t *piece;       /* ISA-L output */
	uint8_t dict[WIN];
	uint8_t tail[WIN];    /* the last bytes ISA-L wrote */
	size_t tail_len;
	uint64_t used;        /* input to the stream's end, when reached */
	/* with an output (cfg.out or cfg.to_fd): */
	size_t x;             /* the chunk being decoded */
	int placed;           /* its output offset is known: ISA-L's bytes go
				 out as they come */
	uint64_t isal_at;     /* then: the output offset of ISA-L's part */
	uint64_t wpos;        /* and of its next byte */
	uint8_t *bytes;       /* until then: ISA-L's bytes held */
	size_t bytes_len, bytes_cap;
} scratch;

/* What ISA-L made of one stretch of a chunk. */
typedef struct part {
	uint32_t crc;
	uint64_t len;
} part;

enum { LANDED, PAST, FAILED };

static int failing(zs_pinflate *j)
{
	return atomic_load_explicit(&j->fail, memory_order_relaxed) ||
	       (j->cfg.stop && *j->cfg.stop);
}

static void fail(zs_pinflate *j)
{
	atomic_store(&j->fail, 1);
}

/* ---- windows --------------------------------------------------------- */

/* The last WIN bytes of a ++ b ++ c into dst (right-aligned); how many of
 * them exist. */
static size_t compose(uint8_t *dst, const uint8_t *a, size_t na,
		      const uint8_t *b, size_t nb, const uint8_t *c, size_t nc)
{
	const uint8_t *src[3] = { c, b, a };
	size_t len[3] = { nc, nb, na }, have = 0;
	for (int k = 0; k < 3 && have < WIN; k++) {
		size_t take = len[k] < WIN - have ? len[k] : WIN - have;
		if (take == 0)
			continue;
		memcpy(dst + WIN - have - take, src[k] + len[k] - take, take);
		have += take;
	}
	return have;
}

static void tail_push(scratch *s, const uint8_t *p, size_t n)
{
	if (n >= WIN) {
		memcpy(s->tail, p + n - WIN, WIN);
		s->tail_len = WIN;
		return;
	}
	size_t keep = s->tail_len + n > WIN ? WIN - n : s->tail_len;
	memmove(s->tail, s->tail + s->tail_len - keep, keep);
	memcpy(s->tail + keep, p, n);
	s->tail_len = keep + n;
}

/* ---- waiting and counting ----------------------------------------- */

/* This thread's CPU time, ns (whatever else runs on the machine). */
static uint64_t thread_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int is_ready(zs_pinflate *j, size_t x)
{
	return atomic_load_explicit(&j->c[x].ready, memory_order_acquire);
}

/* Wait until done(j, x), or the job fails: yielding for the first
 * thousand checks (a wait on the chain from chunk to chunk is short),
 * then sleeping 100 us a check, so that a long one (in order: for the
 * chunk before to write all it has) leaves the core to the threads at
 * work and to the reader of a pipe. */
static void wait_for(zs_pinflate *j, int (*done)(zs_pinflate *, size_t),
		     size_t x)
{
	if (done(j, x))
		return;
	uint64_t t0 = thread_ns();
	for (unsigned k = 0; !done(j, x) && !failing(j); k++) {
		if (k < 1000)
			sched_yield();
		else
			nanosleep(&(struct timespec){ 0, 100000 }, NULL);
	}
	atomic_fetch_add(&j->wait_sum, thread_ns() - t0);
}

static void wait_ready(zs_pinflate *j, size_t x)
{
	wait_for(j, is_ready, x);
}

/* One chunk's CPU time, for the figures. */
static void count_cpu(zs_pinflate *j, uint64_t t0)
{
	uint64_t t = thread_ns() - t0, max = atomic_load(&j->cpu_max);
	atomic_fetch_add(&j->cpu_sum, t);
	while (t > max && !atomic_compare_exchange_weak(&j->cpu_max, &max, t))
		;
}

/* ---- output: where the bytes go ------------------------------------ */

static int has_output(const zs_pinflate *j)
{
	return j->cfg.out || j->cfg.to_fd;
}

/* n bytes to cfg.fd: at offset `at` (pwrite), or in order (write; one
 * blocked on a full pipe ends with Ctrl-C). */
static int put_fd(zs_pinflate *j, uint64_t at, const uint8_t *p, size_t n)
{
	while (n) {
		/* stopped: a write the signal cut short (the bytes before it
		 * returned, no EINTR) is not followed by one that blocks */
		int stopped = j->cfg.stop && *j->cfg.stop;
		size_t take = n > (1u << 30) ? 1u << 30 : n;
		ssize_t w = stopped ? (errno = EINTR, -1) :
			    j->cfg.in_order ? write(j->cfg.fd, p, take) :
			    pwrite(j->cfg.fd, p, take, (off_t)at);
		if (w < 0 && errno == EINTR && !stopped)
			continue;
		if (w <= 0) {
			int none = 0;
			atomic_compare_exchange_strong(&j->write_err, &none,
						       w < 0 ? errno : EIO);
			return -1;
		}
		p += w;
		n -= (size_t)w;
		at += (uint64_t)w;
	}
	return 0;
}

/* n bytes of output at offset off: into cfg.out, or written to cfg.fd.
 * Never past the declared size, max_out.  In order, what is out already
 * (a stretch decoded again past a false start: the same bytes) is not
 * written again, and a gap is refused. */
static int emit(zs_pinflate *j, uint64_t off, const uint8_t *p, size_t n)
{
	if (j->cfg.in_order) {
		uint64_t done = atomic_load_explicit(&j->emitted,
						     memory_order_relaxed);
		if (off > done)
			return -1;
		if (n <= done - off)
			return 0;
		p += done - off;
		n -= (size_t)(done - off);
		off = done;
	}
	if (n == 0)
		return 0;
	if (off > j->cfg.max_out || n > j->cfg.max_out - off)
		return -1;
	if (j->cfg.out) {
		if (off > j->cfg.out_cap || n > j->cfg.out_cap - off)
			return -1;
		memcpy(j->cfg.out + off, p, n);
	} else if (put_fd(j, j->cfg.fd_base + off, p, n) != 0) {
		return -1;   /* fd_base + max_out: checked by zs_pinflate_new */
	}
	if (j->cfg.in_order)
		atomic_store_explicit(&j->emitted, off + n,
				      memory_order_relaxed);
	return 0;
}

/* Hold n bytes of ISA-L's output, the chunk's place not known yet: 0, or
 * 1 when that would pass cfg.hold_cap, -1 out of memory.  The buffer is
 * reserved once a thread for the cap (a huge region: only what is used is
 * faulted in, 2 MiB at a time). */
static int hold(zs_pinflate *j, scratch *s, const uint8_t *q, size_t n)
{
	size_t cap = j->cfg.hold_cap;
	if (cap > j->cfg.max_out)
		cap = (size_t)j->cfg.max_out;
	if (n > cap - s->bytes_len)   /* bytes_len <= cap: set below */
		return 1;
	if (s->bytes_cap < cap) {     /* bytes_len is 0 here: cap per job */
		zs_big_free(s->bytes, s->bytes_cap);
		s->bytes_cap = 0;
		if (!(s->bytes = zs_big_alloc(cap)))
			return -1;
		s->bytes_cap = cap;
	}
	memcpy(s->bytes + s->bytes_len, q, n);
	s->bytes_len += n;
	return 0;
}

/* May chunk x's bytes go out: the chunk before has published its end
 * (at their offsets), or written all its bytes (in order)? */
static int placeable(zs_pinflate *j, size_t x)
{
	if (x == 0)
		return 1;
	if (!j->cfg.in_order)
		return is_ready(j, x - 1);
	return atomic_load_explicit(&j->c[x - 1].written, memory_order_acquire);
}

static void wait_placeable(zs_pinflate *j, size_t x)
{
	wait_for(j, placeable, x);
}

/* Chunks x..y-1 (y - 1 the last it absorbed) have all their bytes out. */
static void mark_written(zs_pinflate *j, size_t x, size_t y)
{
	for (size_t z = x; z < y; z++)
		atomic_store_explicit(&j->c[z].written, 1,
				      memory_order_release);
}

/* In order, chunk x's bytes from marker mode go out before ISA-L's: its
 * markers resolved now (the chunk before, done, has published its
 * window), unless they were. */
static int emit_marked(zs_pinflate *j, scratch *s, size_t x)
{
	zs_mark_dec *d = s->d;
	const chunk *prev = &j->c[x - 1];

	if (d->marker_end != (size_t)-1) {
		int64_t n = zs_mark_resolve(d, prev->win, prev->known);
		if (n < 0)
			return -1;
		atomic_fetch_add(&j->markers, (uint64_t)n);
		d->marker_end = (size_t)-1;   /* resolved: bytes now */
	}
	return emit(j, prev->end_off, (const uint8_t *)d->out, d->len);
}

/* Can chunk s->x's bytes go out now (placeable)?  Then the held bytes go
 * out, and the rest as it comes.  -1: the chunk was absorbed (its work is
 * not wanted), or a write failed. */
static int try_place(zs_pinflate *j, scratch *s, uint64_t before)
{
	size_t x = s->x;
	if (s->placed || !placeable(j, x))
		return 0;
	if (x > 0 && j->c[x].absorbed)
		return -1;
	s->isal_at = (x ? j->c[x - 1].end_off : 0) + before;
	if (j->cfg.in_order && x > 0 && emit_marked(j, s, x) != 0)
		return -1;
	if (emit(j, s->isal_at, s->bytes, s->bytes_len) != 0)
		return -1;
	s->wpos = s->isal_at + s->bytes_len;
	s->bytes_len = 0;
	s->placed = 1;
	return 0;
}

/* One piece of ISA-L's output, `before` bytes of the chunk before it: out
 * at once if the chunk's place is known, else held; once the hold is
 * full, wait for the chunk before (held by a thread already). */
static int place_piece(zs_pinflate *j, scratch *s, uint64_t before,
		       const uint8_t *q, size_t n)
{
	if (try_place(j, s, before) != 0)
		return -1;
	if (!s->placed) {
		int r = hold(j, s, q, n);
		if (r <= 0)
			return r;
		wait_placeable(j, s->x);
		if (failing(j) || try_place(j, s, before) != 0)
			return -1;
	}
	if (emit(j, s->wpos, q, n) != 0)
		return -1;
	s->wpos += n;
	return 0;
}

/* ---- ISA-L from a bit offset to a bit offset ------------------------- */

static void isal_enter(struct inflate_state *st, const uint8_t *in,
		       uint64_t from, const uint8_t *dict, size_t dict_len,
		       int *bad)
{
	isal_inflate_init(st);
	if (dict_len && isal_inflate_set_dict(st, (uint8_t *)dict,
					      (uint32_t)dict_len) != COMP_OK)
		*bad = 1;
	if (from & 7) {
		st->read_in = in[from >> 3] >> (from & 7);
		st->read_in_length = (int32_t)(8 - (from & 7));
	}
}

/* One piece of ISA-L output: CRC, tail, and the output's bytes. */
static int isal_piece(zs_pinflate *j, scratch *s, part *p, uint64_t before,
		      const uint8_t *q, size_t n)
{
	p->crc = libdeflate_crc32(p->crc, q, n);
	p->len += n;
	tail_push(s, q, n);
	if (before + p->len > j->cfg.max_out)
		return -1;
	if (has_output(j) && place_piece(j, s, before, q, n) != 0)
		return -1;
	return 0;
}

/* Decode [from, to) (to the stream's end when last), `before` bytes of
 * the chunk's output already made.  LANDED: ended between blocks with all
 * input used (last: at the final block's end, s->used set); PAST: the
 * input ran out inside a block (the next start was false); FAILED. */
static int isal_run(zs_pinflate *j, scratch *s, uint64_t from, uint64_t to,
		    int last, size_t dict_len, uint64_t before, part *p)
{
	const uint8_t *in = j->cfg.in;
	struct inflate_state *st = s->st;
	uint64_t stop = last ? j->cfg.in_len : (to + 7) >> 3;
	uint64_t at = (from >> 3) + ((from & 7) != 0);
	int bad = 0;

	*p = (part){ 0, 0 };
	s->tail_len = 0;
	s->bytes_len = 0;   /* from the same point again: the same bytes */
	s->wpos = s->isal_at;
	isal_enter(st, in, from, s->dict, dict_len, &bad);
	while (!bad && !failing(j)) {
		if (st->avail_in == 0 && at < stop) {
			uint64_t take = stop - at > (1u << 30) ? 1u << 30 :
					stop - at;
			st->next_in = (uint8_t *)in + at;
			st->avail_in = (uint32_t)take;
			at += take;
		}
		uint32_t before_in = st->avail_in;
		st->next_out = s->piece;
		st->avail_out = PIECE;
		int r = isal_inflate(st);
		uint32_t got = PIECE - st->avail_out;
		if (r < 0 || isal_piece(j, s, p, before, s->piece, got) != 0)
			return FAILED;
		if (st->block_state == ISAL_BLOCK_FINISH) {
			if (!last)
				return PAST;   /* a final block before `to` */
			s->used = at - st->avail_in -
				  (uint64_t)st->read_in_length / 8;
			return LANDED;
		}
		if (st->avail_in == 0 && at == stop && st->avail_out > 0) {
			if (last)
				return FAILED;   /* truncated */
			return st->block_state == ISAL_BLOCK_NEW_HDR ||
			       st->block_state == ISAL_BLOCK_HDR ? LANDED :
								   PAST;
		}
		if (got == 0 && st->avail_in == before_in)
			return FAILED;
	}
	return FAILED;
}

/* ---- one chunk ------------------------------------------------------- */

/* Where chunk y starts (the stream's end for y == m). */
static uint64_t start_of(const zs_pinflate *j, size_t y)
{
	return y < j->m ? j->c[y].start : (uint64_t)j->cfg.in_len * 8;
}

/* Marker mode from the chunk's start.  *y: the chunk whose start it ran
 * to (advanced past false starts); *ended: the stream ended in it. */
static int marker_phase(zs_pinflate *j, scratch *s, size_t x, size_t *y,
			int *ended)
{
	zs_mark_dec *d = s->d;
	zs_mark_start(d, j->cfg.in, j->cfg.in_len, j->c[x].start,
		      j->cfg.sym_cap);
	for (;;) {
		if (failing(j))
			return -1;
		while (*y < j->m && d->pos > start_of(j, *y))
			(*y)++;   /* ran past a false start */
		if (*y < j->m && d->pos == start_of(j, *y))
			return 0;
		if (j->cfg.mode == ZS_PIN_NORMAL && is_ready(j, x - 1)) {
			if (j->c[x].absorbed)
				return -1;   /* a false start: not wanted, and
						chunk x - 1 has no window */
			atomic_fetch_add(&j->switch_pred, 1);
			return 0;
		}
		if (j->cfg.mode != ZS_PIN_MARKERS_ONLY &&
		    zs_mark_tail_clean(d)) {
			atomic_fetch_add(&j->switch_clean, 1);
			return 0;
		}
		if (zs_mark_block(d) != ZS_MARK_OK || d->len > j->cfg.max_out)
			return -1;
		if (d->final) {
			while (*y < j->m && d->pos > start_of(j, *y))
				(*y)++;   /* false starts in the last block */
			if (*y < j->m)
				return -1;   /* the stream ends too early */
			s->used = (d->pos + 7) >> 3;
			*ended = 1;
			return 0;
		}
	}
}

/* ISA-L for the rest of chunk x after marker mode, running on past false
 * starts (again from the same point: ISA-L cannot be asked where it was). */
static int isal_phase(zs_pinflate *j, scratch *s, size_t x, size_t *y,
		      part *p)
{
	zs_mark_dec *d = s->d;
	size_t dict_len;

	if (d->len >= WIN && d->marker_end <= d->len - WIN) {
		for (size_t k = 0; k < WIN; k++)
			s->dict[k] = (uint8_t)d->out[d->len - WIN + k];
		dict_len = WIN;
	} else {
		/* the chunk before is done: resolve now, window from both */
		const chunk *prev = &j->c[x - 1];
		int64_t n = zs_mark_resolve(d, prev->win, prev->known);
		if (n < 0)
			return -1;
		atomic_fetch_add(&j->markers, (uint64_t)n);
		d->marker_end = (size_t)-1;   /* resolved: bytes now */
		dict_len = compose(s->dict, prev->win + WIN - prev->known,
				   prev->known, (uint8_t *)d->out, d->len,
				   NULL, 0);
		memmove(s->dict, s->dict + WIN - dict_len, dict_len);
	}
	for (;;) {
		int r = isal_run(j, s, d->pos, start_of(j, *y), *y == j->m,
				 dict_len, d->len, p);
		if (r == LANDED)
			return 0;
		if (r == FAILED || *y == j->m)
			return -1;
		(*y)++;
		atomic_fetch_add(&j->redecoded, 1);
	}
}

/* Chunk x covers up to chunk y's start, `size` bytes ending in the
 * resolved pre ++ s->tail: publish the window and output offset for chunk
 * y, and mark x+1..y-1 absorbed.  Only this is on the chain from chunk to
 * chunk; resolving the rest and its CRC come after (finish). */
static int publish(zs_pinflate *j, scratch *s, size_t x, size_t y,
		   const uint8_t *pre, size_t npre, uint64_t size)
{
	const chunk *prev = x ? &j->c[x - 1] : NULL;
	chunk *c = &j->c[x], *last = &j->c[y - 1];
	uint8_t *win = calloc(1, WIN);

	if (!win)
		return -1;
	size_t known = compose(win, prev ? prev->win + WIN - prev->known : NULL,
			       prev ? prev->known : 0, pre, npre, s->tail,
			       s->tail_len);
	c->off = prev ? prev->end_off : 0;
	c->used = s->used;
	for (size_t z = x + 1; z < y; z++)
		j->c[z].absorbed = 1;
	last->win = win;
	last->known = known;
	last->end_off = c->off + size;
	for (size_t z = x; z < y; z++)
		atomic_store_explicit(&j->c[z].ready, 1, memory_order_release);
	return 0;
}

/* Chunk x's output is pre (resolved) ++ ISA-L's part: CRC and size, and
 * the bytes not out yet (in order: once the chunk before has written its
 * own; pre went out with ISA-L's first if that was placed). */
static int finish(zs_pinflate *j, scratch *s, size_t x, const uint8_t *pre,
		  size_t npre, const part *p)
{
	chunk *c = &j->c[x];
	int in_order = j->cfg.in_order;
	if (has_output(j) && in_order && !s->placed) {
		wait_placeable(j, x);
		if (failing(j))
			return -1;
	}
	if (has_output(j) &&
	    ((!(in_order && s->placed) && emit(j, c->off, pre, npre) != 0) ||
	     (!s->placed && emit(j, c->off + npre, s->bytes, s->bytes_len))))
		return -1;
	c->crc = (uint32_t)crc32_combine64(npre ? libdeflate_crc32(0, pre, npre)
						: 0,
					   p->crc, (z_off64_t)p->len);
	c->size = npre + p->len;
	return 0;
}

/* The chunk before is done: is x absorbed by it? (then its work is not
 * needed, whatever became of it) */
static int absorbed(zs_pinflate *j, size_t x)
{
	wait_ready(j, x - 1);
	return !failing(j) && j->c[x].absorbed;
}

/* A new chunk on this thread. */
static void chunk_begin(scratch *s, size_t x)
{
	s->x = x;
	s->placed = 0;
	s->isal_at = 0;
	s->tail_len = 0;
	s->bytes_len = 0;
	s->used = 0;
}

static void decode_first(zs_pinflate *j, scratch *s)
{
	size_t y = 1;
	part p;

	chunk_begin(s, 0);
	for (;;) {
		int r = isal_run(j, s, 0, start_of(j, y), y == j->m, 0, 0, &p);
		if (r == LANDED)
			break;
		if (r == FAILED || y == j->m) {
			fail(j);
			return;
		}
		y++;
		atomic_fetch_add(&j->redecoded, 1);
	}
	atomic_fetch_add(&j->isal_bytes, p.len);
	if (publish(j, s, 0, y, NULL, 0, p.len) != 0 ||
	    finish(j, s, 0, NULL, 0, &p) != 0) {
		fail(j);
		return;
	}
	mark_written(j, 0, y);
}

static void decode_chunk(zs_pinflate *j, scratch *s, size_t x)
{
	size_t y = x + 1;
	int ended = 0;
	part p = { 0, 0 };
	zs_mark_dec *d = s->d;

	chunk_begin(s, x);
	int bad = marker_phase(j, s, x, &y, &ended) != 0;
	if (!bad && !ended && !(y < j->m && d->pos == start_of(j, y)))
		bad = isal_phase(j, s, x, &y, &p) != 0;
	if (absorbed(j, x) || failing(j))
		return;
	if (bad) {
		fail(j);   /* a true start that does not decode */
		return;
	}
	atomic_fetch_add(&j->marker_syms, d->len);
	atomic_fetch_add(&j->isal_bytes, p.len);
	const chunk *prev = &j->c[x - 1];
	int resolved = d->marker_end == (size_t)-1;
	size_t nt = d->len < WIN ? d->len : WIN;
	const uint8_t *tail = (const uint8_t *)d->out + d->len - nt;
	if (!resolved) {   /* the window first: only its bytes */
		tail = s->dict;
		if (zs_mark_resolve_to(d->out + d->len - nt, nt, prev->win,
				       prev->known, s->dict) < 0) {
			fail(j);
			return;
		}
	}
	if (publish(j, s, x, y, tail, nt, d->len + p.len) != 0) {
		fail(j);
		return;
	}
	if (!resolved) {
		int64_t n = zs_mark_resolve(d, prev->win, prev->known);
		if (n < 0) {
			fail(j);
			return;
		}
		atomic_fetch_add(&j->markers, (uint64_t)n);
	}
	if (finish(j, s, x, (uint8_t *)d->out, d->len, &p) != 0) {
		fail(j);
		return;
	}
	mark_written(j, x, y);
	free(j->c[x - 1].win);   /* chunk x was its only reader */
	j->c[x - 1].win = NULL;
}

/* ---- the queue: jobs' searches, then their chunks, then the caller's - */

static zs_pinflate_scratch *scratch_new(void)
{
	scratch *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->d = calloc(1, sizeof(*s->d));
	s->st = malloc(sizeof(*s->st));
	s->piece = malloc(PIECE);
	if (!s->d || !s->st || !s->piece) {
		zs_pinflate_scratch_free(s);
		return NULL;
	}
	return s;
}

void zs_pinflate_scratch_free(zs_pinflate_scratch *s)
{
	if (!s)
		return;
	zs_mark_free(s->d);
	free(s->st);
	free(s->piece);
	zs_big_free(s->bytes, s->bytes_cap);
	free(s);
}

/* The first block start in chunk k's stretch of input. */
static void search(zs_pinflate *j, size_t k, scratch *s)
{
	uint64_t t0 = thread_ns();
	if (!s)
		fail(j);
	if (k == 0 || failing(j)) {
		j->cand[k] = 0;
		return;
	}
	uint64_t from = k * j->cfg.chunk * 8;
	s->d->cap_max = j->cfg.sym_cap;   /* the finder's trial decodes */
	j->cand[k] = zs_block_find(s->d, j->cfg.in, j->cfg.in_len, from,
				   from + j->cfg.chunk * 8);
	atomic_fetch_add(&j->cpu_sum, thread_ns() - t0);
}

/* Once every search is done: the chunks whose start was found. */
static size_t keep_found(zs_pinflate *j)
{
	j->m = 0;
	for (size_t k = 0; k < j->n; k++)
		if (k == 0 || j->cand[k] != ZS_BLOCK_NONE)
			j->c[j->m++].start = j->cand[k];
	return j->m;
}

static void decode(zs_pinflate *j, size_t x, scratch *s)
{
	uint64_t t0 = thread_ns();
	if (!s)
		fail(j);
	if (failing(j))
		return;
	if (x == 0)
		decode_first(j, s);
	else
		decode_chunk(j, s, x);
	count_cpu(j, t0);
}

int zs_pinflate_queue_init(zs_pinflate_queue *q, zs_pinflate **jobs,
			   size_t n_jobs, size_t n_rest)
{
	size_t room = 0;   /* a job has no more chunks than searches */
	for (size_t h = 0; h < n_jobs; h++)
		room += jobs[h] ? jobs[h]->n : 0;
	*q = (zs_pinflate_queue){ .jobs = jobs, .n_jobs = n_jobs,
				  .n_rest = n_rest };
	q->chunks = malloc((room + 1) * sizeof(*q->chunks));
	return q->chunks ? 0 : -1;
}

void zs_pinflate_queue_free(zs_pinflate_queue *q)
{
	free(q->chunks);
	q->chunks = NULL;
}

zs_pinflate_scratch *zs_pinflate_queue_start(zs_pinflate_queue *q)
{
	scratch *s = q->n_jobs ? scratch_new() : NULL;
	for (size_t h = 0; h < q->n_jobs; h++) {
		zs_pinflate *j = q->jobs[h];
		size_t n = j ? j->n : 0;
		#pragma omp for schedule(dynamic, 1) nowait
		for (size_t k = 0; k < n; k++)
			search(j, k, s);
	}
	#pragma omp barrier
	#pragma omp single
	for (size_t h = 0; h < q->n_jobs; h++) {
		size_t m = q->jobs[h] ? keep_found(q->jobs[h]) : 0;
		for (size_t x = 0; x < m; x++)
			q->chunks[q->n_chunks++] = (zs_pinflate_task){ h, x };
	}
	return s;
}

size_t zs_pinflate_next(zs_pinflate_queue *q, zs_pinflate_scratch *s)
{
	size_t t;
	while ((t = atomic_fetch_add(&q->next, 1)) < q->n_chunks) {
		const zs_pinflate_task *c = &q->chunks[t];
		decode(q->jobs[c->job], c->chunk, s);
	}
	return t - q->n_chunks < q->n_rest ? t - q->n_chunks : SIZE_MAX;
}

void zs_pinflate_team(zs_pinflate *j, int threads)
{
	zs_pinflate_queue q;

	if (zs_pinflate_queue_init(&q, &j, 1, 0) != 0) {
		fail(j);
		return;
	}
	#pragma omp parallel num_threads(threads > 0 ? threads : 1)
	{
		zs_pinflate_scratch *s = zs_pinflate_queue_start(&q);
		while (zs_pinflate_next(&q, s) != SIZE_MAX)
			;
		zs_pinflate_scratch_free(s);
	}
	zs_pinflate_queue_free(&q);
}

zs_pinflate *zs_pinflate_new(const zs_pinflate_cfg *c)
{
	zs_pinflate *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->cfg = *c;
	if (c->to_fd && (c->fd_base > INT64_MAX ||
			 c->max_out > INT64_MAX - c->fd_base)) {
		free(j);   /* past the largest file offset */
		return NULL;
	}
	if (j->cfg.chunk == 0)
		j->cfg.chunk = 1;
	j->n = (size_t)((c->in_len + j->cfg.chunk - 1) / j->cfg.chunk);
	if (j->n == 0)
		j->n = 1;
	j->cand = calloc(j->n, sizeof(*j->cand));
	j->c = calloc(j->n, sizeof(*j->c));
	if (!j->cand || !j->c) {
		free(j->cand);
		free(j->c);
		free(j);
		return NULL;
	}
	return j;
}

/* The chunks' CRCs and sizes in order. */
static void combine(const zs_pinflate *j, zs_pinflate_result *r)
{
	uint32_t crc = 0;
	uint64_t size = 0;
	for (size_t x = 0; x < j->m; x++) {
		crc = (uint32_t)crc32_combine64(crc, j->c[x].crc,
						(z_off64_t)j->c[x].size);
		size += j->c[x].size;
	}
	r->crc = crc;
	r->size = size;
}

void zs_pinflate_end(zs_pinflate *j, zs_pinflate_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!j)
		return;
	r->ok = !failing(j) && j->m > 0;
	for (size_t x = 0; x < j->m; x++) {
		r->ok &= atomic_load(&j->c[x].ready);
		r->absorbed += (uint64_t)j->c[x].absorbed;
		if (!j->c[x].absorbed)
			r->used = j->c[x].used;
	}
	if (r->ok)
		combine(j, r);
	r->chunks = j->m;
	r->redecoded = j->redecoded;
	r->marker_syms = j->marker_syms;
	r->markers = j->markers;
	r->isal_bytes = j->isal_bytes;
	r->switch_pred = j->switch_pred;
	r->switch_clean = j->switch_clean;
	r->cpu_max = j->cpu_max;
	r->cpu_sum = j->cpu_sum;
	r->wait_sum = j->wait_sum;
	r->write_err = j->write_err;
	r->written = j->emitted;
	for (size_t x = 0; x < j->n; x++)
		free(j->c[x].win);
	free(j->c);
	free(j->cand);
	free(j);
}

void zs_pinflate_run(const zs_pinflate_cfg *c, int threads,
		     zs_pinflate_result *r)
{
	zs_pinflate *j = zs_pinflate_new(c);
	if (!j) {
		memset(r, 0, sizeof(*r));
		return;
	}
	zs_pinflate_team(j, threads);
	zs_pinflate_end(j, r);
}
