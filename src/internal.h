/* SPDX-License-Identifier: MIT */
/*
 * internal.h - helpers shared by the library's files, not part of the API.
 *
 * Little-endian readers for the mapping, checked offset arithmetic, and the
 * record layouts of the ZIP format (APPNOTE 6.3.10) with every limit named.
 */
#ifndef ZS_INTERNAL_H
#define ZS_INTERNAL_H

#include <stdint.h>
#include <string.h>
#include "huge.h"
#include "zipscan.h"

/* ---- the archive handle (opaque in zipscan.h) ------------------------ */

/*
 * The index: one array per field, entry i in central-directory order.
 * Offsets are absolute positions in the mapping (any prepended-data base is
 * already applied).  Names are never copied: name_offset/name_len locate them
 * inside the mapping.
 */
typedef struct zs_index {
	size_t count;
	uint64_t *local_offset;
	uint64_t *data_offset;    /* first byte of entry data; set by the check */
	uint64_t *comp_size;
	uint64_t *uncomp_size;
	uint64_t *name_offset;
	uint64_t *central_offset; /* of the central record, for messages */
	uint32_t *crc32;
	uint32_t *ext_attr;
	uint16_t *name_len;
	uint16_t *method;
	uint16_t *flags;
	uint16_t *dos_time;
	uint16_t *dos_date;
	uint16_t *version_made_by;
	uint8_t *zip64;           /* entry had a ZIP64 extra in the CD */
	uint8_t *upath;           /* name_offset/name_len are a valid Info-ZIP
				     Unicode Path extra field's UTF-8 name,
				     not the header's (zs_header_name) */
	/* results, written by exactly one thread each */
	uint8_t *status;          /* enum zs_entry_status */
	uint8_t *error;           /* enum zs_error */
	uint8_t *selected;        /* 1 if the scan should decode it */
	uint64_t *err_a, *err_b;
	uint64_t *xxh128;         /* 2 per entry, with zs_options.hash */
	uint64_t *trailing;       /* where data after the end of the entry's
				     stream starts, inside its compressed
				     size (0: none); written by the thread
				     decoding it, reported after the loop */
	void *block;              /* the arrays above but xxh128, one block
				     (zs_big_alloc) */
	size_t block_size;
} zs_index;

/* Where the pieces of the archive are (absolute offsets). */
typedef struct zs_layout {
	uint64_t file_size;
	uint64_t eocd_offset;
	uint64_t zip64_locator_offset; /* UINT64_MAX if none */
	uint64_t zip64_eocd_offset;    /* UINT64_MAX if none */
	uint64_t cd_offset;            /* absolute */
	uint64_t cd_size;
	uint64_t cd_entries_declared;
	uint64_t base;                 /* prepended bytes added to offsets */
	uint64_t comment_offset;
	uint16_t comment_len;
} zs_layout;

struct zs_archive {
	char *path;                   /* as given, for messages */
	const uint8_t *data;          /* the mapping (or buffer) */
	uint64_t size;
	int map_kind;                 /* internal: how data must be released */
	int map_slot;                 /* internal: its SIGBUS guard (map.c) */
	int changed;                  /* the file shrank while mapped */
	zs_layout layout;
	zs_index index;
	zs_finding *findings;
	size_t findings_count, findings_cap;
	size_t findings_dropped;      /* past the cap, only counted */
	int status;                   /* exit status so far */
	double seconds_open;          /* map + index + checks */
	size_t overlaps;              /* entries overlapping others */
	int strict;                   /* from zs_options: findings are errors */
	const char *const *ignore;    /* from zs_options: codes not recorded */
	size_t n_ignore;
	int limits_checked;           /* zs_decode_permitted ran */
	int decode_refused;           /* ... and refused: nothing is decoded */
	uint16_t max_name_len;        /* longest name in the index */
	size_t n_selected;            /* entries zs_select chose */
	int indexed;                  /* central directory parsed */
	int split;                    /* the last part of a split archive:
					 entries are in other files, nothing
					 is checked or decoded */
	volatile int *stop;           /* zs_options.stop, for the loops of
					 open (index, checks, audit) */
	int threads;                  /* zs_options' thread count, for the
					 reports that format in parallel */
	/* SOZip (sozip.h): per entry, its hidden index's local header (0:
	 * none, or not valid), and the entries whose index holds */
	uint64_t *sozip_at;
	struct zs_sozip *sozip;
	size_t n_sozip;
};

/* archive.c: open into caller's storage (zs_open wraps these); the
 * return value is the exit status so far.  Always close. */
typedef struct zs_map_pool zs_map_pool;   /* map.c */
int zs_archive_open(zs_archive *a, const char *path, const zs_options *o);
int zs_archive_open_pooled(zs_archive *a, const char *path,
			   const zs_options *o, zs_map_pool *pool);
/* zs_open with small files read into pool (NULL: mapped); close the
 * archive before freeing the pool. */
zs_archive *zs_open_pooled(const char *path, const zs_options *o,
			   zs_map_pool *pool, int *status);
int zs_archive_open_memory(zs_archive *a, const char *label,
			   const void *buf, size_t len, const zs_options *o);
void zs_archive_close(zs_archive *a);

/* Has the caller asked the run to stop (Ctrl-C)?  Loops over entries
 * before decoding ask it; zs_interrupted records it (exit 80) once. */
static inline int zs_stopping(const zs_archive *a)
{
	return a->stop && *a->stop;
}
void zs_interrupted(zs_archive *a);

/* finding.c: record a finding (printf-style text) and raise a->status. */
void zs_finding_add(zs_archive *a, int severity, int exit_status,
		    int64_t entry, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void zs_findings_free(zs_archive *a);

/*
 * limits.c: may the selected entries be decoded?  No if entries overlap
 * (unless o->stop_on_overlap is 0) or if their declared output passes
 * o->max_total or o->max_ratio times the file's size: then a finding says
 * so (exit 12) and scan, extract and cat decode nothing.  Asked once per
 * archive.
 */
int zs_decode_permitted(zs_archive *a, const zs_options *o);
/* The same limits for entry i alone, recording nothing (zs_entry_read). */
int zs_entry_permitted(const zs_archive *a, size_t i, const zs_options *o);

/* progress.c: count one entry done by thread `me` (the decode loop). */
void zs_progress_add(zs_progress *p, int me, uint64_t in, uint64_t out);

/* The name bytes of entry i's central header (*n bytes), whatever name
 * the index uses: the local header must repeat these. */
static inline const uint8_t *zs_header_name(const zs_archive *a, size_t i,
					    uint16_t *n)
{
	const uint8_t *rec = a->data + a->index.central_offset[i];
	*n = (uint16_t)(rec[28] | rec[29] << 8);
	return rec + 46;
}

/* entry.c */
int zs_entry_is_dir(const zs_archive *a, size_t i);
int zs_entry_is_encrypted(const zs_archive *a, size_t i);
int zs_entry_is_symlink(const zs_archive *a, size_t i);

/* Record signatures and fixed sizes (APPNOTE 4.3). */
#define ZS_SIG_LOCAL        0x04034b50u
#define ZS_SIG_CENTRAL      0x02014b50u
#define ZS_SIG_EOCD         0x06054b50u
#define ZS_SIG_ZIP64_EOCD   0x06064b50u
#define ZS_SIG_ZIP64_LOC    0x07064b50u
#define ZS_SIG_DESCRIPTOR   0x08074b50u

#define ZS_LOCAL_SIZE       30u
#define ZS_CENTRAL_SIZE     46u
#define ZS_EOCD_SIZE        22u
#define ZS_ZIP64_LOC_SIZE   20u
#define ZS_ZIP64_EOCD_SIZE  56u
#define ZS_MAX_COMMENT      0xffffu
#define ZS_MAX_NAME         0xffffu
#define ZS_EXTRA_ZIP64      0x0001u

/* General-purpose flag bits (APPNOTE 4.4.4). */
#define ZS_FLAG_ENCRYPTED   0x0001u
#define ZS_FLAG_DESCRIPTOR  0x0008u
#define ZS_FLAG_STRONG_ENC  0x0040u
#define ZS_FLAG_UTF8        0x0800u

#define ZS_METHOD_STORED    0
#define ZS_METHOD_DEFLATE   8
#define ZS_METHOD_AES       99

/* Deflate cannot expand data by more than this (258 bytes from 2 bits, plus
 * block overhead); a declared size beyond it is a lie, not a reason to
 * allocate.  Fifield uses the same bound. */
#define ZS_DEFLATE_MAX_RATIO 1032u
#define ZS_DEFLATE_RATIO_SLACK 1024u

static inline uint16_t zs_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t zs_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t zs_le64(const uint8_t *p)
{
	return (uint64_t)zs_le32(p) | (uint64_t)zs_le32(p + 4) << 32;
}

/*
 * table.c: the hash of every name table (the audit's names, the extraction
 * plan's paths and directories, cat's names, stats' groups), keyed with a
 * random secret drawn once per process, so that an archive cannot choose
 * names that all land in one probe sequence and make every insert walk it
 * (hash flooding: with the unkeyed FNV-1a used before, 50,000 chosen names
 * made `check` 25 times slower than random ones, growing with the square
 * of their number).  zs_hash_fold folds ASCII case first;
 * its values are comparable only with its own.  zs_hash_chain extends the
 * hash h of a sequence of strings by one more (the plan's path prefixes,
 * hashed once each, component by component).
 */
uint64_t zs_hash(const void *s, size_t n);
uint64_t zs_hash_fold(const void *s, size_t n);
uint64_t zs_hash_chain(uint64_t h, const void *s, size_t n);

/* table.c: open addressing over names; slots hold an index + 1.  Both
 * arrays are 32-bit (8 bytes a slot: a million names take 16 MiB): the
 * top half of the 64-bit hash picks the slot and is kept to skip most
 * unequal keys without comparing them. */
typedef struct zs_table {
	uint32_t *hash;
	uint32_t *slot;
	size_t cap, used;
} zs_table;
/* Room for n keys at half load; -1 if out of memory or n is over
 * ZS_TABLE_MAX (free it anyway). */
#define ZS_TABLE_MAX (UINT32_MAX >> 2)
int zs_table_init(zs_table *t, size_t n);
void zs_table_free(zs_table *t);
/* Double when half full, before an insert; -1 if out of memory. */
int zs_table_grow(zs_table *t);
/* Find a key equal (by eq_expr, with v the slot's value) to the one
 * hashed h; out (uint32_t *) gets its slot's address (empty if there is
 * none). */
#define ZS_TABLE_FIND(t, h, eq_expr, out)                                  \
	do {                                                               \
		uint32_t h_ = (uint32_t)((h) >> 32);                       \
		size_t k_ = h_ & ((t)->cap - 1);                           \
		for (;; k_ = (k_ + 1) & ((t)->cap - 1)) {                  \
			size_t v = (t)->slot[k_];                          \
			if (!v || ((t)->hash[k_] == h_ && (eq_expr)))      \
				break;                                     \
		}                                                          \
		(out) = &(t)->slot[k_];                                    \
		(t)->hash[k_] = h_;                                        \
	} while (0)

/* Names compared as bytes, a prefix first (diff's order). */
static inline int zs_bytes_cmp(const char *x, size_t nx, const char *y,
			       size_t ny)
{
	int c = memcmp(x, y, nx < ny ? nx : ny);
	return c ? c : (nx > ny) - (nx < ny);
}

/* *out = a + b; returns 0 if that overflows. */
static inline int zs_add(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

/* Are the n bytes at p all zero (padding, not hidden data)? */
static inline int zs_all_zero(const uint8_t *p, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++)
		if (p[k])
			return 0;
	return 1;
}

/* Does [off, off + len) lie inside a buffer of `size` bytes? */
static inline int zs_in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/*
 * Is a loop over `items` pieces of work (`bytes` of data) worth waking the
 * thread pool?  Below this the waking and spinning cost more than the work:
 * 50 runs of `zipscan test` on a 1 KB archive took 1.0-1.7 s on 2 threads
 * and 0.17-0.26 s on one (libgomp's idle threads spin after each region).
 */
#define ZS_PARALLEL_MIN_ITEMS 1024
#define ZS_PARALLEL_MIN_BYTES (1ull << 20)
static inline int zs_worth_parallel(size_t items, uint64_t bytes)
{
	return items > 1 && (items >= ZS_PARALLEL_MIN_ITEMS ||
			     bytes >= ZS_PARALLEL_MIN_BYTES);
}

/* human.c: v bytes as "512 B", "1.5 MiB", "312 KiB" (binary units, one
 * decimal below 100); the label of size histogram bucket b ("empty",
 * "512 B+", "1 KiB+": the text and HTML reports use the same). */
#define ZS_HUMAN_SIZE 16
void zs_human_size(uint64_t v, char out[ZS_HUMAN_SIZE]);
void zs_size_bucket_label(int b, char out[ZS_HUMAN_SIZE]);

/* progress.c: count one entry done by thread `me` (the decode loops);
 * relaxed stores to the thread's own slot, no lock. */
void zs_progress_add(zs_progress *p, int me, uint64_t in, uint64_t out);
/* The same for the writer: in bytes and entries (0 or 1) done; the work
 * as totals (the counts start again from zero). */
void zs_progress_add_bytes(zs_progress *p, int me, uint64_t in, int entries);
void zs_progress_set_totals(zs_progress *p, uint64_t entries, uint64_t in);

/* scan.c: decoding workers kept from one zs_scan_batch to the next (a
 * batch's windows), so that their buffers, already faulted in, serve
 * again instead of fresh memory (on a virtual machine a first touch costs
 * more than a decode's write).  keep NULL: made and freed per call. */
typedef struct zs_workers zs_workers;
zs_workers *zs_workers_new(void);
void zs_workers_free(zs_workers *ws);
int zs_scan_batch_kept(zs_archive **as, size_t na, const zs_options *o,
		       zs_totals *t, zs_workers *keep);

/* map.c */
/* max_input: the most read into memory from what cannot be mapped (0: no
 * limit); past it a finding (exit 9) and -1. */
/* map.c: small files of a batch are read into a pool, released whole by
 * zs_map_pool_free once every archive using it is closed. */
zs_map_pool *zs_map_pool_new(void);
void zs_map_pool_free(zs_map_pool *p);
/* Bytes the pool's archives take, and how many a batch's window holds
 * (ZS_POOL_WINDOW) before it closes and the pool is reset. */
size_t zs_map_pool_taken(zs_map_pool *p);
size_t zs_map_pool_window(const zs_map_pool *p);
/* Every archive using the pool is closed: its memory, already faulted in,
 * holds the next window's archives (fresh memory costs a page fault and
 * the kernel's clearing of every page, more than the read itself). */
void zs_map_pool_reset(zs_map_pool *p);
int zs_map_is_pooled(const zs_archive *a);
int zs_map_file(zs_archive *a, const char *path, uint64_t max_input,
		zs_map_pool *pool);
void zs_unmap(zs_archive *a);
void zs_map_borrow(zs_archive *a, const void *buf, size_t len);
/* madvise() a range of the mapping; a no-op for heap buffers. */
void zs_map_advise(zs_archive *a, uint64_t off, uint64_t len, int advice);
/* Read-ahead hint for the entry data, once the index says where it is. */
void zs_map_advise_data(zs_archive *a);
/* Did a read of the mapping fault because the file shrank (SIGBUS, or
 * EFAULT from a write() out of it: pass fault_errno)?  Records the finding
 * (exit 51) once; returns 1 if so. */
int zs_map_check_changed(zs_archive *a);
void zs_map_note_efault(zs_archive *a);

/* index.c */
int zs_index_build(zs_archive *a);
void zs_index_free(zs_index *ix);
/* Apply a ZIP64 extra field to the saturated values; -1 if malformed. */
int zs_zip64_apply(const uint8_t *extra, uint16_t len, uint64_t *usize,
		   uint64_t *csize, uint64_t *offset, int *found);

/* check.c */
/* Local headers, descriptors and overlaps, before anything is decoded. */
void zs_check_entries(zs_archive *a, int threads);

/* decode.c: per-thread state */
typedef struct zs_worker zs_worker;
zs_worker *zs_worker_new(uint64_t memory_limit, int hash);
/* The largest entry a worker decodes whole (into its buffer, written only
 * once it checked out): --memory-limit, at most ZS_WHOLE_ENTRY_MAX;
 * bigger ones stream (written as they decode). */
uint64_t zs_whole_max(uint64_t memory_limit);
void zs_worker_free(zs_worker *w);
/* Decode and check entry i; sets its status and error. Returns bytes out. */
uint64_t zs_decode_entry(zs_worker *w, zs_archive *a, size_t i);

/* Where decoded output goes.  Whole entries (stored, or small enough to
 * decode in one call) reach the sink once and only if their CRC and size
 * check out; streamed entries reach it chunk by chunk as they decode, so the
 * caller must discard what was written if the entry ends up bad.  With
 * fn set, output goes to fn(ctx, ...) instead of fd (zs_entry_read).  With
 * `defer`, a whole entry is not written but left in pending/pending_len:
 * the worker's buffer, valid until its next entry, and never the mapping,
 * which a writer may change after the check (decode.c). */
typedef struct zs_sink {
	int fd;
	zs_write_fn fn;          /* if set, called instead of write(fd) */
	void *ctx;
	int defer;
	int err;                 /* errno of the first failed write */
	volatile int *stop;      /* abandon the entry when set */
	const uint8_t *pending;
	size_t pending_len;
} zs_sink;
uint64_t zs_decode_entry_to(zs_worker *w, zs_archive *a, size_t i,
			    zs_sink *s);
/* The entries' trailing data (ix->trailing) as findings, in index order,
 * after a parallel loop (zs_finding_vadd is not thread-safe, and the
 * order must not depend on the threads); each is reported once. */
void zs_trailing_findings(zs_archive *a);
/* Is entry i decoded chunk by chunk (so it cannot be deferred)? */
int zs_decode_streams(const zs_worker *w, const zs_archive *a, size_t i);
/* write() all of buf, retrying short writes, and EINTR unless *stop is
 * set; -1 with errno. */
int zs_write_all(int fd, const void *buf, size_t n, volatile int *stop);

/* A selected entry with something to report: bad, unsupported or
 * encrypted (every such entry carries an error code). */
static inline int zs_entry_has_problem(const zs_archive *a, size_t i)
{
	return a->index.selected[i] && a->index.error[i] != ZS_E_NONE;
}

static inline void zs_entry_fail(zs_index *ix, size_t i, int status, int err,
				 uint64_t a, uint64_t b)
{
	ix->status[i] = (uint8_t)status;
	ix->error[i] = (uint8_t)err;
	ix->err_a[i] = a;
	ix->err_b[i] = b;
}


/* finding.c: findings with a code.  zs_structural records an ambiguity or
 * damage that readers survive at the severity finding.c's table gives its
 * code: a note (exit 0) or a warning (exit 1).  Under --strict every
 * finding is an error (exit 3); a code in zs_options.ignore is not
 * recorded unless it is an error. */
#include <stdarg.h>
void zs_finding_vadd(zs_archive *a, const char *code, int severity,
		     int exit_status, int64_t entry, uint64_t offset,
		     const char *fmt, va_list ap);
void zs_finding_coded(zs_archive *a, const char *code, int severity,
		      int exit_status, int64_t entry, uint64_t offset,
		      const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void zs_structural_v(zs_archive *a, const char *code, int64_t entry,
		     uint64_t offset, const char *fmt, va_list ap);
void zs_structural(zs_archive *a, const char *code, int64_t entry,
		   uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* check.c: check entry i's local header (and descriptor) once more, for
 * an entry whose overlap error hid the rest */
void zs_check_local_again(zs_archive *a, size_t i);

/* audit.c: the structural findings that need the whole index (names,
 * other end records, layout); check.c finds gaps and overlaps. */
void zs_audit(zs_archive *a);

/* archive.c: a's totals from its entries' statuses, for the loops that
 * do not sum them as they go (extract, cat); t->entries etc. */
void zs_totals_count(const zs_archive *a, zs_totals *t);
/* archive.c: the exit status a bad entry's error (enum zs_error) gives:
 * 2, or 4 for memory, 12 for overlap. */
int zs_entry_exit(unsigned err);

/* scan.c: the work list, largest entries first (stable: ties in index
 * order).  *n_out gets its length. */
typedef struct zs_work {
	uint32_t archive;
	size_t entry;
} zs_work;
zs_work *zs_order_largest_first(zs_archive **as, size_t na, size_t *n_out);
/* Frees what it returned (n: its *n_out; from 2 MiB on huge pages). */
void zs_order_free(zs_work *order, size_t n);

/* path.c */
int zs_path_has_control(const uint8_t *s, size_t n);
size_t zs_path_clean(const char *name, size_t n, char *out, unsigned *fixes);
/* Does fnmatch pattern p match entry i by the name it is written as (its
 * UTF-8 name cleaned; a directory also with its '/')?  utf8 and clean
 * need 3 * name_len + 2 bytes. */
int zs_entry_matches(const zs_archive *a, size_t i, const char *p,
		     char *utf8, char *clean);
/* Would extraction write entry i under another name than its own (the
 * UTF-8 name), beyond a directory's trailing '/'?  --strict refuses it. */
int zs_path_needs_cleaning(const char *utf8, size_t n, const char *clean,
			   size_t len);
int zs_link_target_check(const char *path, const uint8_t *target, size_t n);

/* attr.c: what extraction restores */
#include <sys/types.h>
#include <time.h>
mode_t zs_entry_mode(const zs_archive *a, size_t i, mode_t umask_bits,
		     int keep_special);
time_t zs_entry_time(const zs_archive *a, size_t i);
/* The UTC time of an NTFS (preferred) or UT extra field: 1 if there is
 * one; zs_entry_time falls back to the DOS time as local time. */
int zs_entry_utc(const zs_archive *a, size_t i, time_t *out);

/* beneath.c: safe file system steps for extraction */
#define ZS_TMP_NAME 64
/* What the kernel offers (openat2, O_TMPFILE linking): probed once. */
void zs_beneath_init(void);
/* Open directory path ("" is root) beneath root, following no symlink. */
int zs_open_dir_beneath(int root, const char *path, int flags);
/* -1 if resolving path from root (following symlinks) leaves root. */
int zs_resolves_beneath(int root, const char *path);
/* A new file in dir for entry i: unnamed (tmp[0] == 0) or named tmp. */
int zs_create_file(int dir, mode_t mode, char tmp[ZS_TMP_NAME], size_t i);
int zs_place_file(int dir, int fd, char tmp[ZS_TMP_NAME], const char *name,
		  int replace, size_t i);
void zs_discard_file(int dir, int fd, const char *tmp);

/* extract_plan.c: what each entry becomes, before the disk is touched */
typedef struct zs_dir {
	size_t src;          /* entry whose path starts with this directory */
	uint32_t len;        /* bytes of that path */
	int64_t entry;       /* the directory's own entry, or -1 */
	int64_t parent;      /* index of its parent, or -1: the target */
} zs_dir;
typedef struct zs_plan {
	zs_dir *dirs;        /* parents before children */
	size_t n_dirs, cap_dirs;
	int64_t *entry_dir;  /* the directory each file or link goes in */
	size_t case_collisions;
} zs_plan;
int zs_plan_extraction(zs_archive *a, zs_extraction *x, int strict,
		       zs_plan *pl);
int zs_plan_fold(zs_extraction *x);
void zs_plan_free(zs_plan *pl);

/* extract_update.c: -u / -f (mode: enum zs_update).  Should entry i be
 * written over what `name` in dir holds?  1: yes (replacing it); 0: no,
 * and x->action[i] says why (unchanged, newer on disk, not on disk with
 * -f, a directory in the way).  link_target: the entry is a symlink to
 * it (compared with the link on disk instead of a CRC-32). */
int zs_update_wanted(const zs_archive *a, zs_extraction *x, size_t i,
		     int dir, const char *name, int mode,
		     const char *link_target);

/* report.c: pieces shared by the report writers */
void zs_put_text(FILE *f, const char *s);
/* escape.c: zs_put_text's rules for the n bytes of s (up to a NUL byte,
 * where zs_put_text stops too), into out (2n bytes at most); returns the
 * end of what was written. */
char *zs_text_escape(char *out, const char *s, size_t n);
void zs_put_json_str(FILE *f, const char *s);
void zs_put_json_path(FILE *f, const char *path);
/* A CSV field: quoted if it must be, or always (text for importers). */
void zs_put_csv(FILE *f, const char *s, int always);
const char *zs_status_name(int s);
/* "note", "warning" or "error" */
const char *zs_severity_name(int s);
/* "ok", "warnings", "3 bad", "not a ZIP"...: an archive's overview row */
const char *zs_archive_word(const zs_archive *a, uint64_t bad,
			    char buf[32]);
void zs_json_entry(const zs_archive *a, size_t i, int with_status,
		   char *name, FILE *f);
/* The same without the closing brace, for callers that add members. */
void zs_json_entry_open(const zs_archive *a, size_t i, int with_status,
			char *name, FILE *f);
void zs_json_findings(const zs_archive *a, FILE *f);
/* One line per selected entry with an error (name needs 3 * 65535 + 1). */
void zs_put_problems(const zs_archive *a, char *name, FILE *f);
/* The findings as text lines (quiet: those that raise the status). */
void zs_put_findings(const zs_archive *a, int quiet, FILE *f);
/* A buffer for any name of these archives as UTF-8 (3 bytes per raw
 * byte at most): sized from their longest name, not from 64 KiB. */
char *zs_name_buf(const zs_archive *const *as, size_t n);
static inline char *zs_stats_name_buf(const zs_stats *s)
{
	return zs_name_buf((const zs_archive *const *)s->archives,
			   s->n_archives);
}

/* entry.c: zs_entry_error's text, whole (the name of an entry it
 * overlaps is not cut), malloc'ed; NULL if out of memory. */
char *zs_entry_error_dup(const zs_archive *a, size_t i);

/* entry.c: copy s as UTF-8, each invalid byte becoming U+FFFD; out needs
 * 3 * n + 1 bytes.  Returns the length written. */
size_t zs_utf8_sanitize(const uint8_t *s, size_t n, char *out);
/* Count entry i's name properties into the four counters. */
void zs_name_props(const zs_archive *a, size_t i, uint64_t *utf8_flag,
		   uint64_t *non_ascii, uint64_t *cp437, uint64_t *not_portable);

#endif
