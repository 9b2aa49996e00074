/* SPDX-License-Identifier: MIT */
/*
 * writer.h - the archive writer's insides, shared by writer.c (the output
 * file, headers, central directory), writer_add.c (what is queued: paths,
 * directories, bytes) and writer_pipeline.c (read, compress in parallel,
 * write in order).
 */
#ifndef ZS_WRITER_H
#define ZS_WRITER_H

#include <stdatomic.h>
#include <sys/types.h>
#include <time.h>

#include "internal.h"

enum wkind { W_FILE, W_DIR, W_LINK, W_STDIN, W_BYTES, W_FILL };

/* An entry queued, not yet written. */
typedef struct witem {
	char *name;            /* in the archive; a directory's ends in '/' */
	char *src;             /* the file to read (W_FILE), link target
				  (W_LINK), or the copied bytes (W_BYTES) */
	int kind;              /* enum wkind */
	int store;             /* stored whatever the level */
	uint32_t mode;         /* st_mode */
	int64_t mtime;
	uint64_t size;         /* as stat said when queued */
	struct timespec ctim;  /* W_FILE: to see it change while read */
	zs_fill_fn fill;
	void *ctx;
} witem;

/* An entry written: what its central record needs. */
typedef struct wrecord {
	char *name;
	uint64_t offset, csize, usize;
	uint32_t crc, mode;
	int64_t mtime;
	uint16_t method, flags;
	uint8_t local64;       /* its local header has a ZIP64 extra */
} wrecord;

/* The chunk starts of the SOZip entry being written (writer_sozip.c). */
typedef struct wsozip {
	uint64_t *start;       /* of chunks 1.., in the entry's data */
	size_t n, cap;
} wsozip;

/* A compressing thread's compressed units (writer_arena.c). */
typedef struct warena {
	uint8_t **region;      /* each region_size bytes, on 2 MiB */
	size_t n, cap;
	size_t cur, used;      /* the region being filled (n: none), bytes
				  used in it */
	size_t region_size;
} warena;

/* An arena's region: bigger if one unit's output needs more. */
#define ZS_WARENA_REGION (2u << 20)

void zs_w_arena_init(warena *a, size_t most);
/* Room for n bytes at the arena's top (not yet taken); NULL if out of
 * memory or n is more than most. */
uint8_t *zs_w_arena_room(warena *a, size_t n);
/* The first n bytes of the room just given hold a unit until the writer
 * has written it and calls zs_w_arena_written with what this returns. */
_Atomic size_t *zs_w_arena_take(warena *a, size_t n);
/* The unit is written (any thread): its bytes may be filled again. */
void zs_w_arena_written(_Atomic size_t *live);
/* Between batches, nothing alive: every region may be filled again. */
void zs_w_arena_reset(warena *a);
void zs_w_arena_free(warena *a);

struct zs_writer {
	zs_writer_options o;
	char *path, *tmp;
	int fd;
	dev_t tmp_dev, out_dev;      /* never archive the output itself */
	ino_t tmp_ino, out_ino;
	int have_out;
	uint8_t *buf;                /* output buffer, ZS_WBUF bytes */
	size_t buf_len;
	uint64_t offset;             /* bytes written so far (and buffered) */
	int write_errno;             /* first write failure */
	witem *queue;
	size_t n_queue, cap_queue;
	wrecord *rec;
	size_t n_rec, cap_rec;
	int status;
	int stopped;                 /* a write failed or a stop came:
					add nothing more */
	int threads;
	zs_writer_totals t;
	double t0;
	struct libdeflate_compressor **comp;   /* one per thread */
	uint8_t **tbuf;              /* per thread: the input of its unit,
					tbuf_cap bytes on huge pages */
	size_t *tbuf_cap;
	warena *arena;               /* per thread: its compressed units */
	int writing;                 /* the thread writing units, for progress */
	FILE *warn;
	wsozip sozip;
};

#define ZS_WBUF (1u << 20)
#define ZS_WBUF_REGION ZS_HUGE_PAGE  /* one huge page holds it */
/* Queued entries are written once there are this many. */
#define ZS_WQUEUE_MAX 16384

/* writer.c */
int zs_w_put(zs_writer *w, const void *p, size_t n);
int zs_w_flush(zs_writer *w);
int zs_w_patch(zs_writer *w, uint64_t off, const void *p, size_t n);
/* Whether an entry of this many bytes needs ZIP64 sizes in its local
 * header (decided before its data is compressed). */
int zs_w_local64(uint64_t size);
int zs_w_local_header(zs_writer *w, wrecord *r);
int zs_w_patch_local(zs_writer *w, const wrecord *r);
int zs_w_descriptor(zs_writer *w, const wrecord *r);
wrecord *zs_w_record(zs_writer *w, const witem *it);
void zs_w_warn(zs_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* writer_add.c */
/* Room for one more element in *array (a pointer to the array pointer),
 * doubling *cap; -1 if out of memory. */
int zs_w_grow(void *array, size_t *cap, size_t n, size_t size);
int zs_w_enqueue(zs_writer *w, const witem *it);
void zs_w_item_free(witem *it);

/* writer_fetch.c: what reading a unit of a file on its compressing
 * thread found, for the sequential writer to report. */
typedef struct wfetch {
	size_t got;            /* bytes read */
	int open_errno;        /* the file could not be opened: left out */
	int read_errno;        /* a read failed after `got` bytes */
	int changed;           /* after the last unit: size or ctime differ */
} wfetch;
/* len bytes at off of the file of it into buf, through fd, or (fd < 0) a
 * descriptor opened and closed here; last: the file's last unit (then
 * fstat checks it). */
void zs_w_fetch(const zs_writer *w, const witem *it, int fd, uint64_t off,
		void *buf, size_t len, int last, wfetch *f);

/* writer_pipeline.c: write every queued entry; returns -1 when a write
 * failed or the run was stopped (w->status says which). */
int zs_w_drain(zs_writer *w);
int zs_w_setup_threads(zs_writer *w);
void zs_w_free_threads(zs_writer *w);

/* writer_sozip.c: seek-optimized entries (--sozip) */
/* Is it written as a SOZip entry (the options, its size, Deflate)? */
int zs_w_sozip_on(const zs_writer *w, const witem *it);
/* The input bytes of one unit of it: the SOZip chunk or chunk_size. */
size_t zs_w_unit_size(const zs_writer *w, const witem *it);
/* Before r's local header: ZIP64 sizes if its chunks' flushes could
 * carry it past 4 GiB. */
void zs_w_sozip_begin(zs_writer *w, const witem *it, wrecord *r);
/* A chunk after the first starts at `at` in the entry's data; -2: out of
 * memory. */
int zs_w_sozip_chunk(zs_writer *w, uint64_t at);
/* After the entry's data: its hidden index record; -1: write failed. */
int zs_w_sozip_index(zs_writer *w, const witem *it, const wrecord *r);
void zs_w_sozip_free(zs_writer *w);

#endif
