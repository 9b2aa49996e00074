/* SPDX-License-Identifier: MIT */
/*
 * zipscan.h - the public API of libzipscan: the whole contract.
 *
 * An archive is mapped once (zs_open), its central directory parsed in place
 * into an index, every local header checked against its central record and
 * every entry's span checked for overlap.  zs_entry_get describes an entry;
 * zs_entry_read decodes one; zs_scan_entries decodes and verifies every
 * selected entry on all threads.  Reports are written by zs_report_*; the
 * zipscan command only calls what is declared here.
 *
 * Every public name starts with zs_ / ZS_, and only these are exported from
 * libzipscan.so.  Nothing here trusts a size or a count read from the
 * archive.  Linux only (openat2, O_TMPFILE, SIGBUS handling: README).
 *
 * Threads: one handle may be scanned by one call at a time; zs_entry_get
 * and zs_entry_read of different entries may run on several threads.
 */
#ifndef ZIPSCAN_H
#define ZIPSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The one place the version is written (the Makefile, the man page, the
 * Python package and zipscan.pc read it from here).  The shared library's
 * soname is libzipscan.so.ZS_VERSION_MAJOR. */
#define ZS_VERSION_MAJOR 0
#define ZS_VERSION_MINOR 2
#define ZS_VERSION_PATCH 0
#define ZS_VERSION "0.2.0"

#if defined(ZS_BUILDING_LIBRARY) && defined(__GNUC__)
#define ZS_API __attribute__((visibility("default")))
#else
#define ZS_API
#endif

/* "0.2.0": the library's version (may differ from the header's). */
ZS_API const char *zs_version(void);
/* The libraries it runs on, with their versions, one per line:
 * "libdeflate 1.14\nISA-L 2.30.0\n...". */
ZS_API const char *zs_library_versions(void);
/* Free what the library returned as malloc'ed memory (zs_*_string). */
ZS_API void zs_free(void *p);
/* sizeof a public struct ("zs_options", "zs_totals", "zs_entry",
 * "zs_finding", "zs_catalog_entry") as this library was built, 0 for another name: bindings
 * that lay the structs out themselves check it before any call. */
ZS_API size_t zs_struct_size(const char *name);

/*
 * Exit statuses, compatible with Info-ZIP unzip's so that Makefiles written
 * for `unzip -t` keep working.  zs_exit_worse() orders them by severity.
 */
enum zs_exit {
	ZS_EXIT_OK = 0,           /* everything tested fine */
	ZS_EXIT_WARN = 1,         /* warnings only (extra bytes, untested entries) */
	ZS_EXIT_ENTRY = 2,        /* an entry failed: CRC, data, sizes, headers */
	ZS_EXIT_STRUCT = 3,       /* severe structural damage */
	ZS_EXIT_NOMEM = 4,        /* out of memory */
	ZS_EXIT_NOTZIP = 9,       /* file not found, unreadable, or not a ZIP */
	ZS_EXIT_USAGE = 10,       /* bad command line */
	ZS_EXIT_NOMATCH = 11,     /* no entry matched the patterns */
	ZS_EXIT_OVERLAP = 12,     /* overlapping entries: possible zip bomb */
	ZS_EXIT_CHANGED = 51,     /* the archive changed or shrank while mapped
				     (Info-ZIP's "unexpected end of file") */
	ZS_EXIT_WRITE = 50,       /* an output file could not be written */
	ZS_EXIT_UNSUPPORTED = 81, /* all tested fine, but some entries use
				     unsupported methods */
	ZS_EXIT_ENCRYPTED = 82,   /* all tested fine, but some are encrypted */
	ZS_EXIT_INTERRUPT = 80,   /* stopped by Ctrl-C or SIGTERM */
};

/* The worse of two exit statuses (the one a batch reports). */
ZS_API int zs_exit_worse(int a, int b);

/* What became of one entry. */
enum zs_entry_status {
	ZS_ENTRY_UNTESTED = 0,   /* not decoded (not selected, or run stopped) */
	ZS_ENTRY_OK,
	ZS_ENTRY_BAD,
	ZS_ENTRY_UNSUPPORTED,
	ZS_ENTRY_ENCRYPTED,
};

/* Why an entry is bad (or not tested); the text comes from zs_entry_error(). */
enum zs_error {
	ZS_E_NONE = 0,
	ZS_E_LOCAL_OFFSET,    /* a: local header offset, b: archive size */
	ZS_E_LOCAL_SIG,       /* a: signature found */
	ZS_E_LOCAL_NAME,      /* a: offset of local name, b: its length */
	ZS_E_LOCAL_METHOD,    /* a: central, b: local */
	ZS_E_LOCAL_FLAGS,     /* a: central, b: local */
	ZS_E_LOCAL_CRC,       /* a: central, b: local */
	ZS_E_LOCAL_CSIZE,     /* a: central, b: local */
	ZS_E_LOCAL_USIZE,     /* a: central, b: local */
	ZS_E_LOCAL_EXTRA,     /* a: offset of the bad extra field */
	ZS_E_CENTRAL_EXTRA,   /* a: offset of the bad extra field */
	ZS_E_DATA_TRUNCATED,  /* a: end of data, b: archive size */
	ZS_E_DESC_TRUNCATED,  /* a: offset of data descriptor */
	ZS_E_DESC_CRC,        /* a: central, b: data descriptor */
	ZS_E_DESC_CSIZE,      /* a: central, b: data descriptor */
	ZS_E_DESC_USIZE,      /* a: central, b: data descriptor */
	ZS_E_STORED_SIZES,    /* a: compressed, b: uncompressed */
	ZS_E_RATIO,           /* a: declared uncompressed, b: compressed */
	ZS_E_DEFLATE,         /* a: offset in output where decoding failed */
	ZS_E_SIZE_LONG,       /* a: declared size; output runs past it */
	ZS_E_SIZE_SHORT,      /* a: declared, b: actual */
	ZS_E_CRC,             /* a: stored, b: computed */
	ZS_E_OVERLAP,         /* a: index of the entry it overlaps, or -1: CD */
	ZS_E_NOMEM,           /* a: bytes requested */
	ZS_E_UNSUPPORTED,     /* a: method */
	ZS_E_ENCRYPTED,
	ZS_E_CODEC,           /* a: output offset, b: enum zs_codec_why */
	ZS_E_MEMLIMIT,        /* a: bytes the decoder wants, b: the limit */
};

/*
 * Severity of an archive-level finding.  A note is about portability or
 * hygiene, nothing ambiguous about what the archive holds (names equal but
 * for case, zero padding, a stub before adjusted offsets): it is reported
 * and leaves the exit status alone.  A warning is what unzip warns about
 * too, or where two readers can see different contents: exit 1.  An error
 * is damage: exit 2 or worse.  --strict (zs_options.strict) makes every
 * finding an error (exit 3).  ZS_NOTE is 0 so that the numbers keep the
 * order of gravity (severity >= ZS_WARNING: it counts toward the exit
 * status) and the two older values keep theirs.
 */
enum zs_severity { ZS_NOTE = 0, ZS_WARNING = 1, ZS_ERROR = 2 };

/* A structural finding about the archive (not about one entry's data). */
typedef struct zs_finding {
	const char *code;  /* short stable name ("duplicate-name"), for scripts */
	int severity;      /* enum zs_severity */
	int exit_status;   /* what it makes the archive's exit status at least */
	int64_t entry;     /* entry index it concerns, or -1 */
	uint64_t offset;   /* where in the file */
	const char *text;  /* what is wrong, in full; names quoted raw (escape
			      them before printing: zs_report_* do) */
} zs_finding;

/* An open archive: an opaque handle (zs_open, zs_close). */
typedef struct zs_archive zs_archive;

typedef struct zs_progress zs_progress;

/* Run-time options shared by every command. */
typedef struct zs_options {
	int threads;             /* 0: every CPU this process may use */
	uint64_t memory_limit;   /* per-thread output buffer cap, bytes, and
				    the most a decoder's window may take */
	int stop_on_overlap;     /* refuse to decode an archive with overlaps */
	int strict;              /* every finding, notes included, is an
				    error (exit 3) */
	uint64_t max_total;      /* declared output of the selected entries
				    above which nothing is decoded; 0: none */
	uint64_t max_ratio;      /* the same for declared output / file size */
	int hash;                /* XXH3-128 of every entry's content */
	volatile int *stop;      /* set (by a signal handler) to stop early */
	zs_progress *progress;   /* NULL: none */
	const char *const *ignore; /* finding codes not to record (notes and
				      warnings only: an error is always
				      recorded); must outlive the handle */
	size_t n_ignore;
	uint64_t max_ratio_unbounded; /* max_ratio for the entries in methods
				    with no ratio ceiling (bzip2, LZMA, xz,
				    zstd: all but stored, Deflate and
				    Deflate64); 0: none */
	uint64_t max_input;      /* the most read from standard input, a pipe
				    or any file that is not regular (they are
				    read into memory: this bounds it); past
				    it the open fails, exit 9; 0: no limit */
} zs_options;

#define ZS_DEFAULT_MEMORY_LIMIT (256ull << 20)
/* Output limits, checked before anything is decoded (README: "Limits").
 * Every decoder stops at the entry's declared size, so the declared total
 * bounds the real output too.  1 TiB is a run of 10-20 minutes and memory
 * stays at threads x memory_limit whatever the output; 10,000:1 is ten times
 * what Deflate can reach without overlapping entries (1,032:1). */
#define ZS_DEFAULT_MAX_TOTAL (1ull << 40)
/* Input that cannot be mapped is held in memory whole: 4 GiB is more than
 * any archive sent through a pipe in practice, and a bound on a machine
 * that has it (`cat /dev/zero | zipscan test -` stops there). */
#define ZS_DEFAULT_MAX_INPUT (4ull << 30)
#define ZS_DEFAULT_MAX_RATIO 10000ull
/* bzip2, LZMA, xz and zstd have no useful ceiling (a run of one byte
 * reaches millions to one), so their declared size is the only bound on
 * the work: 1,000:1 is about Deflate's own ceiling (1,032:1) and far above
 * real data (text 3-10:1, logs 20-50:1), so a 100 KB archive can ask for
 * at most 100 MB.  An archive of zeros is refused (12) until --max-ratio
 * says more. */
#define ZS_DEFAULT_MAX_RATIO_UNBOUNDED 1000ull
/* Deflate entries up to this size are decoded whole by libdeflate; larger
 * ones stream through ISA-L (see src/decode.c for the measurements). */
#define ZS_WHOLE_ENTRY_MAX (4ull << 20)
/* Stream chunk for entries over the memory limit. */
#define ZS_STREAM_CHUNK (256u << 10)

ZS_API void zs_options_init(zs_options *o);
/* Threads to use: o->threads, or the CPUs in this process's affinity mask. */
ZS_API int zs_threads_effective(const zs_options *o);

/* Totals of one scan, summed by the parallel loop's reductions. */
typedef struct zs_totals {
	uint64_t entries;        /* selected entries */
	uint64_t ok, bad, unsupported, encrypted;
	uint64_t bytes_in;       /* compressed bytes of tested entries */
	uint64_t bytes_out;      /* bytes decoded and checked */
	double seconds_scan;
	int threads;
} zs_totals;

/*
 * Open PATH ("-" is standard input; a pipe is read into memory), find the
 * end of central directory, parse the index and check every local header
 * and entry span.  *status (may be NULL) gets the exit status so far.
 * Returns NULL only when out of memory; otherwise the handle, which must be
 * closed even when the file could not be read (zs_archive_indexed says
 * whether there is an index; the findings say why not).
 *
 * The archive is mapped.  The library installs a SIGBUS handler for its own
 * mappings (chained to any handler already there, and passing on every
 * fault outside them), so that a file that shrinks while it is read makes
 * the run report exit 51 rather than crash the process.
 */
ZS_API zs_archive *zs_open(const char *path, const zs_options *o,
			   int *status);
/* The same on a caller's buffer, which must outlive the handle; label
 * names it in messages. */
ZS_API zs_archive *zs_open_memory(const char *label, const void *buf,
				  size_t len, const zs_options *o,
				  int *status);
/* Unmap and free everything; NULL is allowed. */
ZS_API void zs_close(zs_archive *a);

/* The path (or label) given to zs_open. */
ZS_API const char *zs_archive_path(const zs_archive *a);
/* 1 if the central directory was read: there are entries to look at. */
ZS_API int zs_archive_indexed(const zs_archive *a);
/* The number of entries in the central directory (0 if not indexed). */
ZS_API size_t zs_entry_count(const zs_archive *a);
/* The archive's exit status from its findings and entry results. */
ZS_API int zs_archive_status(const zs_archive *a);

/* The structural findings recorded so far (at most 1,000 are kept; the
 * rest are only counted: zs_findings_dropped). */
ZS_API size_t zs_finding_count(const zs_archive *a);
ZS_API const zs_finding *zs_finding_get(const zs_archive *a, size_t k);
ZS_API size_t zs_findings_dropped(const zs_archive *a);

/* The finding codes the library records, each with one severity: the
 * severity of code (enum zs_severity), or -1 if no finding has it. */
ZS_API int zs_finding_code_known(const char *code);
/* The k-th code of that table (k from 0), its one-line meaning and its
 * severity; -1 past the end. */
ZS_API int zs_finding_code_info(size_t k, const char **code,
				const char **meaning);

/* Select entries by fnmatch patterns ('*' crosses '/', as unzip's do).
 * NULL/0 includes select all.  Patterns that match nothing record a
 * finding (exit 11).  Returns the number selected. */
ZS_API size_t zs_select(zs_archive *a, char *const *include,
			size_t n_include, char *const *exclude,
			size_t n_exclude);

/* Decode and verify every selected entry on all threads.  Returns the
 * archive's exit status; t (may not be NULL) gets the totals, and each
 * entry's result is in zs_entry_get's status and error. */
ZS_API int zs_scan_entries(zs_archive *a, const zs_options *o, zs_totals *t);
/* The same for a batch: the entries of all the archives form one work
 * list, largest first.  t holds one zs_totals per archive.  Returns the
 * worst exit status. */
ZS_API int zs_scan_batch(zs_archive **as, size_t n, const zs_options *o,
			 zs_totals *t);

/*
 * Several archives as one piece of work (`zipscan test|list|check A B...`):
 * opened on every core, their selected entries decoded (with `decode`) in
 * one largest-first work list, their reports made on every core, and
 * written to out and err in the order of paths: the same bytes for every
 * thread count, and as running the archives one by one.  Archives go in
 * windows of at most max_archives archives, closed once they hold
 * max_entries entries (0: ZS_BATCH_MAX_ARCHIVES, ZS_BATCH_MAX_ENTRIES;
 * checked after each group of up to 64 archives opened together), so
 * memory stays bounded: a window is reported and closed before the next.
 * report() writes one archive's report to out and err (memory streams
 * for archives up to 65,536 entries, made on any thread; the real ones
 * for bigger archives, in their turn) and returns its exit status.  With
 * tty set, a progress display per window.  With take set, each archive
 * that opened is given to take() right after its report is written, in
 * the order of paths, and is then take()'s to close (such archives are
 * mapped, never read into the window's memory, so they may outlive the
 * batch); after a nonzero return the rest of that window is reported
 * and closed, not given, no window follows, and the status is at least
 * ZS_EXIT_WRITE.  Returns the worst status; ZS_EXIT_WRITE when out failed,
 * ZS_EXIT_INTERRUPT when o->stop was set.
 */
#define ZS_BATCH_MAX_ARCHIVES 4096
#define ZS_BATCH_MAX_ENTRIES (1u << 20)
typedef int (*zs_batch_report_fn)(void *ctx, zs_archive *a,
				  const zs_totals *t, FILE *out, FILE *err);
typedef struct zs_batch {
	int decode;                /* test the selected entries */
	char *const *include;      /* zs_select's patterns for each archive */
	size_t n_include;
	char *const *exclude;
	size_t n_exclude;
	size_t max_archives, max_entries;  /* the window; 0: the defaults */
	zs_batch_report_fn report;
	void *ctx;
	FILE *tty;                 /* progress display, or NULL */
	int (*take)(void *ctx, zs_archive *a);   /* or NULL: closed */
} zs_batch;
ZS_API int zs_batch_run(char *const *paths, size_t n, const zs_batch *b,
			const zs_options *o, FILE *out, FILE *err);

/*
 * Progress on a terminal, drawn on `tty` by a thread of its own at most 10
 * times a second and fitted to the terminal's width (it never wraps).
 * zs_progress_new starts it before the archives are open: it shows the
 * current phase and the seconds elapsed.  zs_progress_set_work gives it
 * the selected entries of the archives (call it again to replace them,
 * between scans): then it shows the phase, a bar, the percentage of the
 * compressed bytes, bytes and entries done, rate and ETA.  Pass the result
 * in zs_options.progress; the library sets phases where it spends time
 * ("indexing", "checking headers", "planning"...).  Every function accepts
 * NULL (no display).  `threads`: the most threads that will decode.
 */
ZS_API zs_progress *zs_progress_new(int threads, FILE *tty);
/* label: a string that outlives the display (a literal); NULL: none. */
ZS_API void zs_progress_phase(zs_progress *p, const char *label);
ZS_API void zs_progress_set_work(zs_progress *p, zs_archive **as, size_t n);
/* zs_progress_new and zs_progress_set_work at once. */
ZS_API zs_progress *zs_progress_start(zs_archive **as, size_t n,
				      int threads, FILE *tty);
/* Stop the thread, clear the line and free the display; NULL is allowed. */
ZS_API void zs_progress_stop(zs_progress *p);

/* Monotonic clock, seconds. */
ZS_API double zs_now(void);

/*
 * One entry, as the central directory describes it (and, after a scan or
 * a read, what became of it).  Filled by zs_entry_get; the name points into
 * the mapping and lives as long as the handle.
 */
typedef struct zs_entry {
	size_t index;            /* position in the central directory */
	const char *name;        /* the name's bytes, NOT NUL-terminated:
				    the header's, or the UTF-8 name of a
				    valid Info-ZIP Unicode Path extra field
				    (as unzip, bsdtar and 7-Zip read it) */
	size_t name_len;         /* (zs_entry_name_utf8 gives a C string) */
	uint64_t compressed_size;
	uint64_t uncompressed_size;
	uint32_t crc32;
	unsigned method;         /* 0 stored, 8 Deflate, ... (zs_method_name) */
	unsigned flags;          /* general-purpose bit flags */
	unsigned version_made_by;
	uint32_t external_attr;  /* host-specific attributes */
	uint32_t mode;           /* Unix st_mode when made on Unix, else 0 */
	uint16_t dos_date, dos_time;
	int64_t mtime;           /* seconds since the epoch: the extended
				    timestamp's (UTC) if there is one, else
				    the DOS date and time as local time */
	uint64_t local_offset;   /* of the local header */
	uint64_t data_offset;    /* of the entry's data (0 if its header
				    failed its checks) */
	uint64_t central_offset; /* of the central directory record */
	int is_dir, is_symlink, is_encrypted, is_zip64;
	int status;              /* enum zs_entry_status */
	int error;               /* enum zs_error (text: zs_entry_error) */
} zs_entry;

/* Fill e with entry i; -1 if i is out of range. */
ZS_API int zs_entry_get(const zs_archive *a, size_t i, zs_entry *e);
ZS_API const char *zs_method_name(unsigned method);
/* The entry's name as UTF-8 (CP437-converted when it is not valid UTF-8 and
 * bit 11 is clear), written to out (NUL-terminated).  out needs
 * 3 * name_len + 1 bytes; returns the length. */
ZS_API size_t zs_entry_name_utf8(const zs_archive *a, size_t i, char *out);
/* "YYYY-MM-DDTHH:MM:SS" from the DOS date and time (local time). */
ZS_API void zs_entry_mtime(const zs_archive *a, size_t i, char out[20]);
/* The text of an entry's error ("" if none). */
ZS_API void zs_entry_error(const zs_archive *a, size_t i, char *out,
			   size_t len);

/*
 * Read one entry: decode it, check its CRC-32 and size.  The same checks
 * and limits as a scan (overlap, --max-total, --max-ratio, the memory
 * limit), applied to this entry alone; entries may be read from several
 * threads at once.  Returns an exit status: 0, ZS_EXIT_ENTRY (bad data:
 * zs_entry_error says why), ZS_EXIT_UNSUPPORTED, ZS_EXIT_ENCRYPTED,
 * ZS_EXIT_OVERLAP (refused before decoding), ZS_EXIT_NOMEM, or
 * ZS_EXIT_USAGE (no such entry, or it does not fit in cap).
 *
 * zs_entry_read writes into buf (cap bytes; the entry must fit whole) and
 * sets *len.  Nothing in buf is to be used unless it returns 0.
 *
 * zs_entry_read_cb hands the data to fn as it comes.  Entries up to the
 * memory limit are checked before fn sees a byte; bigger ones stream, so
 * fn may have seen data before the check fails: discard it unless the
 * result is 0.  fn returns 0 to go on, anything else to stop (the result
 * is then ZS_EXIT_WRITE).
 */
typedef int (*zs_write_fn)(void *ctx, const void *data, size_t len);
ZS_API int zs_entry_read(zs_archive *a, size_t i, void *buf, size_t cap,
			 size_t *len, const zs_options *o);
ZS_API int zs_entry_read_cb(zs_archive *a, size_t i, zs_write_fn fn,
			    void *ctx, const zs_options *o);

/*
 * Statistics of one archive or of a batch, computed from the index and the
 * scan's results (no second pass over the data).  Ratios are compressed /
 * uncompressed size, in percent, over files with data.
 */
#define ZS_RATIO_BUCKETS 11   /* 0-10%, 10-20%, ..., 90-100%, over 100% */
#define ZS_SIZE_BUCKETS 65    /* empty, then [2^k, 2^(k+1)) for k < 64 */
#define ZS_PERCENTILES 6      /* p10 p25 p50 p75 p90 p99 */
#define ZS_DEFAULT_TOP 10

typedef struct zs_ref { uint32_t archive; size_t entry; } zs_ref;

typedef struct zs_group {      /* an extension or a top-level directory */
	char *key;
	uint64_t count, comp, uncomp;
} zs_group;

typedef struct zs_method_stat {
	unsigned method;
	uint64_t count, comp, uncomp;
} zs_method_stat;

typedef struct zs_dup_group {  /* entries with one size and CRC-32 */
	zs_ref *members;
	size_t count;
	uint64_t size;
	uint32_t crc;
	int confirmed;             /* 1: XXH3-128 equal, 0: not hashed,
				      -1: hashes differ */
} zs_dup_group;

typedef struct zs_stats {
	zs_archive **archives;     /* what the refs point into */
	size_t n_archives;
	uint64_t entries, files, dirs, symlinks;
	uint64_t comp, uncomp;
	uint64_t ok, bad, unsupported, encrypted, untested;
	zs_method_stat *methods;
	size_t n_methods;
	uint64_t n_ratio;
	double ratio_pct[ZS_PERCENTILES];
	uint64_t ratio_hist[ZS_RATIO_BUCKETS];
	uint64_t size_hist[ZS_SIZE_BUCKETS];
	zs_ref *largest, *least, *most;  /* least / most compressible */
	size_t n_largest, n_least, n_most;
	zs_group *ext, *top_dirs;
	size_t n_ext, n_top_dirs;
	zs_dup_group *dups;        /* the groups wasting most, at most top */
	size_t n_dups;
	uint64_t dup_groups, dup_entries, dup_bytes;
	int hashed;
	uint64_t dup_refuted;      /* same size and CRC, hashes differ */
	uint64_t names_utf8_flag, names_non_ascii, names_cp437,
		 names_not_portable;
	int has_time;
	char time_min[20], time_max[20];
	uint64_t anomalies;        /* findings plus entries not ok */
	int threads;
	uint64_t bytes_in, bytes_out;
	double seconds_open, seconds_scan, seconds_stats, seconds_wall;
} zs_stats;

/* Statistics of the archives as[0..n) together; t: their totals. */
ZS_API int zs_stats_compute(zs_archive **as, size_t n, const zs_totals *t,
		     size_t top, zs_stats *s);
ZS_API void zs_stats_free(zs_stats *s);
/* One archive's `zipscan stats --json` object (its test results from t,
 * `top` entries in each top list), as a NUL-terminated string to free with
 * zs_free; NULL if out of memory. */
ZS_API char *zs_stats_json_string(zs_archive *a, const zs_totals *t,
				  size_t top);
/* `zipscan test --json`'s object (t from zs_scan_entries) or, with t NULL,
 * `list --json`'s, as a string to free with zs_free. */
ZS_API char *zs_report_json_string(const zs_archive *a, const zs_totals *t);

/* Reports.  Each writes to f and returns 0, or -1 on a write error. */
ZS_API int zs_report_list_text(const zs_archive *a, FILE *f);
ZS_API int zs_report_test_text(const zs_archive *a, const zs_totals *t, int quiet,
			FILE *f);
ZS_API int zs_report_json(const zs_archive *a, const zs_totals *t, int with_status,
		   const zs_stats *st, FILE *f);
/* stats: the report of one archive (or, with a NULL archive, of the batch
 * total) as text, NDJSON, CSV rows or a JSON object.  list: NDJSON with t
 * and st NULL (no statuses, no "stats" in the summary line) and CSV rows
 * (status "untested"), from the index alone.  CSV quotes every text
 * column. */
ZS_API int zs_report_stats_text(const zs_stats *s, const char *title, FILE *f);
ZS_API int zs_report_ndjson(const zs_archive *a, const zs_totals *t,
		     const zs_stats *st, FILE *f);
ZS_API int zs_report_csv(const zs_archive *a, int header, FILE *f);
/* The CSV header row alone (zs_report_csv writes it when header is set). */
ZS_API void zs_report_csv_header(FILE *f);
ZS_API void zs_stats_json(const zs_stats *s, FILE *f);
/* A batch's overview, before its sections: a row per archive (st[k] is
 * archive k's statistics) with entries, sizes, a status word and the exit
 * status, as text or as an HTML table. */
ZS_API int zs_report_overview_text(const zs_stats *st, size_t n, FILE *f);
ZS_API int zs_report_html_overview(const zs_stats *st, size_t n, FILE *f);
/* The HTML page: start, one section per archive (and the total), end. */
ZS_API void zs_report_html_begin(FILE *f, const char *title);
ZS_API void zs_report_html_section(const zs_stats *s, const char *title, FILE *f);
ZS_API int zs_report_html_end(FILE *f);
ZS_API int zs_report_findings_text(const zs_archive *a, FILE *f);
/* `zipscan check`: layout, findings and entries whose headers failed, as
 * text (quiet: only the problems) or one JSON object per line. */
ZS_API int zs_report_check_text(const zs_archive *a, int status, int quiet, FILE *f);
ZS_API int zs_report_check_json(const zs_archive *a, int status, FILE *f);

/*
 * SOZip (Seek-Optimized ZIP, the GDAL project's specification): an entry
 * whose Deflate stream is flushed into independently decodable chunks,
 * with a hidden index after its data.  zs_open validates every index
 * (a lying one is an error finding, sozip-index, and is not used);
 * zs_scan_entries decodes such entries chunk by chunk on every thread.
 */
/* The chunk size of entry i if it is seek-optimized (its index holds),
 * else 0. */
ZS_API uint32_t zs_entry_sozip_chunk(const zs_archive *a, size_t i);
/* `check`: decode every chunk of every selected seek-optimized entry on
 * its own (on o->threads threads) and record a finding (sozip-chunk) for
 * an entry whose chunks do not agree with its index.  Returns the
 * archive's exit status. */
ZS_API int zs_sozip_check(zs_archive *a, const zs_options *o);

/*
 * Extraction.  Every path is cleaned (zs_path_clean) and then resolved
 * beneath the target directory with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS): nothing is written, created or chmod-ed through a
 * symlink.  Each file is written by one thread into an unnamed (O_TMPFILE)
 * or temporary file in its final directory, checked (CRC-32, size), and only
 * then linked or renamed to its name.  Symlinks are made after every file,
 * directory modes and times after everything inside them.
 */
enum zs_overwrite {
	ZS_OVERWRITE_ERROR = 0,  /* an existing file fails its entry */
	ZS_OVERWRITE_ALWAYS,     /* -o: replace it (atomically) */
	ZS_OVERWRITE_NEVER,      /* -n: skip the entry quietly */
};

typedef struct zs_extract_options {
	const char *dir;         /* target directory (made if missing) */
	int overwrite;           /* enum zs_overwrite */
	int strict;              /* refuse names that would need cleaning */
	int keep_special;        /* keep setuid, setgid and sticky bits */
	int update;              /* enum zs_update: unzip's -u / -f */
} zs_extract_options;

/*
 * -u and -f (extract_update.c), as unzip's.  A file on disk whose time is
 * later than the entry's is kept (unzip's rule: only a newer entry
 * replaces a file).  Otherwise a file whose time, size or CRC-32 differs
 * from the entry's is replaced (atomically, as -o); one equal in all
 * three is left alone (same inode, same time): ZS_ACT_UNCHANGED.
 */
enum zs_update {
	ZS_UPDATE_NONE = 0,
	ZS_UPDATE_NEW,           /* -u: also the entries not on disk yet */
	ZS_UPDATE_FRESHEN,       /* -f: only files already on disk */
};

/* What became of an entry on disk. */
enum zs_action {
	ZS_ACT_NONE = 0,         /* not selected, or not reached */
	ZS_ACT_WRITTEN,          /* file, directory or link in place */
	ZS_ACT_SKIPPED,          /* existed, and -n; or -f and not on disk */
	ZS_ACT_DUPLICATE,        /* a later entry with the same path wins */
	ZS_ACT_REFUSED,          /* name or link target refused */
	ZS_ACT_FAILED,           /* bad data (entry error) or a write error */
	ZS_ACT_UNCHANGED,        /* -u/-f: on disk with its time, size and
				    CRC-32: left alone */
	ZS_ACT_NEWER,            /* -u/-f: the file on disk is newer: kept */
};

/* Changes made to a name to keep it beneath the target (warnings). */
#define ZS_FIX_ABSOLUTE  0x01u
#define ZS_FIX_DRIVE     0x02u
#define ZS_FIX_DOTDOT    0x04u
#define ZS_FIX_BACKSLASH 0x08u
#define ZS_FIX_EMPTY     0x10u

/* Why a name or a link was refused. */
enum zs_refusal {
	ZS_REFUSE_NONE = 0,
	ZS_REFUSE_CONTROL,       /* NUL or control bytes */
	ZS_REFUSE_EMPTY,         /* nothing left after cleaning */
	ZS_REFUSE_STRICT,        /* --strict and the name needed cleaning */
	ZS_REFUSE_LINK_ABSOLUTE, /* link target absolute or with a drive */
	ZS_REFUSE_LINK_ESCAPES,  /* link target leads out of the target */
	ZS_REFUSE_LINK_EMPTY,
	ZS_REFUSE_LINK_LONG,     /* link target longer than PATH_MAX */
};

/* Which step of writing failed (with the errno in write_errno). */
enum zs_write_step {
	ZS_STEP_NONE = 0, ZS_STEP_DIR, ZS_STEP_EXISTS, ZS_STEP_CREATE,
	ZS_STEP_WRITE, ZS_STEP_ATTR, ZS_STEP_LINK,
};

typedef struct zs_extraction {
	size_t count;            /* = index.count */
	char **path;             /* clean path of each entry (NULL: none) */
	uint8_t *action;         /* enum zs_action */
	uint8_t *fixes;          /* ZS_FIX_* */
	uint8_t *refusal;        /* enum zs_refusal */
	uint8_t *step;           /* enum zs_write_step */
	int *write_errno;
	char **link_target;      /* decoded symlink targets */
	char *arena;             /* the paths */
	int case_insensitive;    /* the target folds case */
	int disk_full;           /* stopped: no space left */
	uint64_t files, dirs, links, skipped, failed, bytes;
	double seconds;
	uint64_t unchanged, newer;  /* ZS_ACT_UNCHANGED, ZS_ACT_NEWER */
} zs_extraction;

/* Extract the selected entries of a (opened, selected) into xo->dir.
 * Returns the exit status; x must be freed with zs_extraction_free. */
ZS_API int zs_extract(zs_archive *a, const zs_extract_options *xo,
	       const zs_options *o, zs_extraction *x, zs_totals *t);
ZS_API void zs_extraction_free(zs_extraction *x);
/* unzip-style lines ("  inflating: a/b") unless quiet, and every warning
 * and error on err; JSON: one object with an entry per selected entry. */
ZS_API int zs_report_extract_text(const zs_archive *a, const zs_extraction *x,
			   int quiet, FILE *out, FILE *err);
ZS_API int zs_report_extract_json(const zs_archive *a, const zs_extraction *x,
			   const zs_totals *t, int status, FILE *f);

/*
 * cat: entries[0..n) (indexes, repeats allowed) decoded in parallel and
 * written to fd in that order.  Entries too big to decode whole stream in
 * their turn.  Returns the exit status (with errno set when it is 50, a
 * failed write); errors are recorded on the entries.
 */
ZS_API int zs_cat(zs_archive *a, const size_t *entries, size_t n, int fd,
	   const zs_options *o, zs_totals *t);
/* The entries the names ask for, each once, in the order asked: a name
 * is the last entry of that name (as listed, in UTF-8) or, failing that, a
 * pattern (fnmatch, '*' crossing '/') for the entries it matches in
 * central-directory order.  list (NULL: only count and match) needs room
 * for every entry of the archive; matched[k] says whether names[k] found
 * any.  -1: no memory. */
ZS_API int zs_entries_named(const zs_archive *a, char *const *names, size_t m,
		     size_t *list, size_t *n_list, uint8_t *matched);

/*
 * diff: what changed between two sides, each a list of entries (name,
 * size, CRC-32, method, time) sorted by the bytes of their names.  An
 * archive fills one (zs_diff_list_from_archive); anything else that
 * knows entries (a catalog's rows) fills one with zs_diff_list_add.
 * Names are compared as bytes (the UTF-8 name as listed).  When a side
 * holds several entries of one name, the last added is compared (as unzip
 * extracts the last) and the others are "shadowed" and counted.
 * Sorting is O(n log n), memory linear.
 */
typedef struct zs_diff_item {
	const char *name;        /* set by zs_diff_list_sort: points into
				    the list's own copy, NUL-terminated */
	size_t name_len;
	uint64_t size;           /* uncompressed */
	uint32_t crc32;
	unsigned method;
	int64_t mtime;           /* seconds since the epoch, UTC */
	int64_t index;           /* the entry's index in its archive (or a
				    row's id); -1: none */
	int is_dir;
	int has_hash;            /* hash is the content's XXH3-128 */
	uint64_t hash[2];
	int shadowed;            /* a later item has the same name */
	size_t name_off;         /* (the list's: where the name is kept) */
	size_t seq;              /* (the list's: the order of adding) */
} zs_diff_item;

typedef struct zs_diff_list {
	const char *label;       /* the archive's path, a catalog's name */
	zs_diff_item *items;
	size_t count, cap;
	char *names;             /* every name, each NUL-terminated */
	size_t names_len, names_cap;
	size_t shadowed;         /* items shadowed by a later one */
	int sorted;
} zs_diff_list;

/* An empty list; label must outlive it. */
ZS_API void zs_diff_list_init(zs_diff_list *l, const char *label);
/* Add a copy of it (name and len given apart: it->name is ignored);
 * -1 if out of memory.  The list must be sorted again after. */
ZS_API int zs_diff_list_add(zs_diff_list *l, const zs_diff_item *it,
			    const char *name, size_t len);
/* The selected entries of a (opened and indexed), then sorted.  -1 if
 * out of memory. */
ZS_API int zs_diff_list_from_archive(zs_diff_list *l, const zs_archive *a);
/* Sort by name bytes (ties: the order of adding) and mark the shadowed
 * items.  -1 if out of memory. */
ZS_API int zs_diff_list_sort(zs_diff_list *l);
ZS_API void zs_diff_list_free(zs_diff_list *l);

enum zs_diff_kind {
	ZS_DIFF_SAME = 0,        /* same size and CRC-32 (and hash, if any) */
	ZS_DIFF_ADDED,           /* only in the new side */
	ZS_DIFF_REMOVED,         /* only in the old side */
	ZS_DIFF_CHANGED,         /* size, CRC-32 or content differ */
	ZS_DIFF_ERROR,           /* --hash could not decode one side */
};
/* What differs (zs_diff_change.what). Method and time are told but do
 * not make a change by themselves. */
#define ZS_DIFF_SIZE    0x01u
#define ZS_DIFF_CRC     0x02u
#define ZS_DIFF_CONTENT 0x04u    /* same size and CRC-32, hashes differ */
#define ZS_DIFF_METHOD  0x08u
#define ZS_DIFF_MTIME   0x10u

typedef struct zs_diff_change {
	int kind;                /* enum zs_diff_kind */
	unsigned what;           /* ZS_DIFF_* bits */
	int64_t old_item;        /* position in the old list, or -1 */
	int64_t new_item;        /* position in the new list, or -1 */
	int status;              /* ZS_DIFF_ERROR: the exit status (2 bad
				    data, 81 unsupported, 82 encrypted...) */
	int error_side;          /* ZS_DIFF_ERROR: 0 old, 1 new */
	char *error;             /* ZS_DIFF_ERROR: what went wrong */
} zs_diff_change;

typedef struct zs_diff {
	zs_diff_change *changes; /* one per name of either side (shadowed
				    items left out), in name order */
	size_t count;
	uint64_t added, removed, changed, same, errors;
	int hashed;              /* zs_diff_confirm ran */
} zs_diff;

/* Compare two sorted lists.  -1 if out of memory. */
ZS_API int zs_diff_compute(const zs_diff_list *old_side,
			   const zs_diff_list *new_side, zs_diff *d);
/* --hash: decode both sides of every pair still "same" and compare their
 * XXH3-128.  A side whose archive is NULL must carry has_hash in its
 * items (a catalog's stored hash).  Pairs whose hashes differ become
 * ZS_DIFF_CHANGED (ZS_DIFF_CONTENT); an entry that fails to decode makes
 * its pair ZS_DIFF_ERROR (its status and text say why).  Both archives
 * are decoded in one parallel loop, with the scan's checks and limits;
 * their selections are left as they were, and zs_archive_status then
 * includes what the decoding found.  0, or -1 if out of memory. */
ZS_API int zs_diff_confirm(zs_diff *d, zs_diff_list *old_side,
			   zs_archive *old_archive, zs_diff_list *new_side,
			   zs_archive *new_archive, const zs_options *o);
/* 0 when the sides hold the same entries, 1 when they differ, worse
 * when a pair could not be confirmed (zs_diff_change.status). */
ZS_API int zs_diff_status(const zs_diff *d);
ZS_API void zs_diff_free(zs_diff *d);
/* The report: text (a line per difference, a summary line unless
 * quiet), one JSON object, or CSV (a header and a row per difference,
 * every text column quoted).  0, or -1 on a write error. */
ZS_API int zs_report_diff_text(const zs_diff_list *old_side,
			       const zs_diff_list *new_side,
			       const zs_diff *d, int quiet, FILE *f);
ZS_API int zs_report_diff_json(const zs_diff_list *old_side,
			       const zs_diff_list *new_side,
			       const zs_diff *d, int status, FILE *f);
ZS_API int zs_report_diff_csv(const zs_diff_list *old_side,
			      const zs_diff_list *new_side,
			      const zs_diff *d, FILE *f);

/*
 * Atomic output: zs_output_open makes a temporary file beside PATH;
 * zs_output_commit flushes it and renames it over PATH; zs_output_abort
 * removes it.  PATH NULL or "-" means standard output.  A PATH that is a
 * device, FIFO or socket (/dev/null) is written directly, never replaced;
 * a symlink's target is replaced, not the link.
 */
typedef struct zs_output {
	FILE *f;
	char *path;
	char *tmp;
	int direct;   /* not a regular file: written in place */
} zs_output;
ZS_API int zs_output_open(zs_output *o, const char *path);
ZS_API int zs_output_commit(zs_output *o);
ZS_API void zs_output_abort(zs_output *o);

/*
 * The catalog (`--db`): every archive, entry and finding in a database,
 * SQLite (a file path) or PostgreSQL (a "postgresql://" or
 * "postgres://" URL, or a libpq "key=value" string), one schema for both
 * (schema/catalog.sql, version 1; README: "The catalog").
 *
 * Each archive is recorded in one transaction that replaces all of its
 * rows: a reader, or a run killed at any moment, sees an archive whole or
 * not at all.  zs_catalog_submit hands the archive to one writer thread
 * and returns at once, so the scan does not wait for the database (only
 * when 8 archives are already waiting).  PostgreSQL: entries go through
 * COPY FROM STDIN; writers of one archive are serialized by a
 * transaction-scoped advisory lock on its id, so several processes on
 * several machines may write one catalog.
 *
 * Every call returns 0 or an exit status: ZS_EXIT_WRITE (50) for any
 * database error (zs_catalog_error says what), ZS_EXIT_NOMEM.  After an
 * error the handle records nothing more; close it.
 */
typedef struct zs_catalog zs_catalog;

/* Open (creating the schema if needed) and start a run row: command
 * ("list", "test", "check", "stats"), options (the command line, for
 * the runs table), threads.  *out is set even on failure (close it;
 * zs_catalog_error says why), NULL only when out of memory. */
ZS_API int zs_catalog_open(const char *db, const char *command,
			   const char *options, int threads,
			   zs_catalog **out);
/* The first error, in full ("" if none).  NULL: the error of the last
 * zs_catalog_close that failed in this thread (its handle is gone; an
 * error may come up only there, when the writer records what is left),
 * else "out of memory" (zs_catalog_open could not make a handle). */
ZS_API const char *zs_catalog_error(const zs_catalog *c);
/* Is the archive at path recorded as it is now: same absolute path,
 * size, mtime (ns) and central-directory checksum (recomputed from the
 * file's bytes from the recorded central-directory offset to the end,
 * without opening it), and scanned with at least what is asked (decoded:
 * by test or stats; hashed: with --hash)?  1: yes, *status gets its
 * recorded exit status; 0: no, scan it; -1: database error.  Call it
 * before zs_open: an unchanged archive costs a stat, one query and a read
 * of its central directory. */
ZS_API int zs_catalog_current(zs_catalog *c, const char *path, int decoded,
			      int hashed, int *status);
/* Record archive a after its scan (command: "list", "test", ...) in one
 * transaction, and close a: zs_catalog_record before returning,
 * zs_catalog_submit on the writer thread.  Either way a belongs to the
 * catalog from the call on. */
ZS_API int zs_catalog_record(zs_catalog *c, zs_archive *a,
			     const char *command);
ZS_API int zs_catalog_submit(zs_catalog *c, zs_archive *a,
			     const char *command);
/* Count an archive skipped as unchanged (the runs table's "skipped"). */
ZS_API void zs_catalog_skipped(zs_catalog *c);
/* Wait for the writer, end the run row with the run's exit status and
 * close.  Returns 0 or the status of the first error of the handle's
 * life; NULL is allowed. */
ZS_API int zs_catalog_close(zs_catalog *c, int run_status);

/* One recorded entry, as zs_catalog_entries returns it. */
typedef struct zs_catalog_entry {
	int64_t index;              /* central-directory order */
	char *name;                 /* UTF-8, NUL-terminated */
	uint64_t compressed_size, uncompressed_size;
	uint32_t crc32;
	unsigned method;
	int64_t mtime;              /* seconds since the epoch (UTC); 0: none */
	char status[12];            /* "ok", "bad", ..., "untested" */
} zs_catalog_entry;
/* The recorded entries of the archive at path (made absolute), in index
 * order: *out (free with zs_catalog_entries_free) and *n.  Returns 0,
 * ZS_EXIT_NOTZIP (9) if the catalog has no such archive, or an error. */
ZS_API int zs_catalog_entries(zs_catalog *c, const char *path,
			      zs_catalog_entry **out, size_t *n);
ZS_API void zs_catalog_entries_free(zs_catalog_entry *e, size_t n);

/* XXH3-64 of the archive's bytes from the start of its central
 * directory to the end of the file (0 if it has no index): what the
 * catalog compares to see a change. */
ZS_API uint64_t zs_archive_cd_checksum(const zs_archive *a);
/* --shard K/N: the shard (0 to n - 1) of a path, XXH3-64 of its bytes as
 * given, modulo n; stable across machines and versions. */
ZS_API unsigned zs_shard_of(const char *path, unsigned n);

/*
 * Writing archives (zipscan create).  zs_writer_open makes a temporary
 * file beside PATH; zs_writer_add_* queue entries, in the order they are
 * given (a directory: itself, then what is in it, by name); queued entries
 * are compressed on every thread and written in that order, so the output
 * is the same byte for byte whatever the thread count.  zs_writer_finish
 * writes the central directory and renames the file to PATH;
 * zs_writer_abort removes it.  Warnings (a file that vanished or changed
 * while read, a path not found) go to zs_writer_options.warn.
 */
typedef struct zs_writer zs_writer;

/* The entry's data, asked for in pieces (at most chunk_size bytes) from
 * any thread: fill buf with len bytes from offset; 0 on success. */
typedef int (*zs_fill_fn)(void *ctx, uint64_t offset, void *buf, size_t len);

typedef struct zs_writer_options {
	int level;               /* 0 store, 1-12 (libdeflate), default 6 */
	int threads;             /* 0: every CPU this process may use */
	uint64_t memory_limit;   /* per thread: data in flight (read and
				    compressed), default 64M */
	size_t chunk_size;       /* big files are compressed in pieces of
				    this much input, in parallel (1M) */
	int store_links;         /* 1: a symlink is stored as a link (-y);
				    0: what it points to (as zip) */
	const char *const *store;  /* fnmatch patterns of names stored as
				    they are; NULL: ZS_STORE_DEFAULT */
	size_t n_store;
	const char *const *exclude;  /* names left out (fnmatch, '*'
				    crosses '/') */
	size_t n_exclude;
	volatile int *stop;      /* set (by a signal handler) to stop */
	zs_progress *progress;   /* NULL: none */
	FILE *warn;              /* warnings; NULL: standard error */
	/* Seek-optimized ZIP (SOZip 0.5, GDAL's): a Deflate entry of at
	 * least sozip_min_size bytes (and more than one chunk) is written in
	 * independently decodable chunks of sozip_chunk_size bytes of input,
	 * followed by its hidden ".NAME.sozip.idx" record (not in the
	 * central directory).  Not for standard input. */
	int sozip;               /* 1: on (default 0) */
	size_t sozip_chunk_size; /* default ZS_SOZIP_CHUNK (32K, as GDAL) */
	uint64_t sozip_min_size; /* default ZS_SOZIP_MIN_SIZE (1M, as GDAL) */
} zs_writer_options;

/* Suffixes stored without compression by default (as zip -n), ':'-separated. */
#define ZS_STORE_DEFAULT ".zip:.gz:.tgz:.bz2:.xz:.txz:.zst:.lz4:.lzma:.7z:" \
	".rar:.jar:.whl:.apk:.jpg:.jpeg:.png:.gif:.webp:.mp3:.mp4:.mkv:" \
	".webm:.ogg:.flac:.mov:.avi:.Z:.zoo:.arc:.lzh:.arj"
#define ZS_WRITER_CHUNK (1u << 20)
#define ZS_WRITER_MEMORY_LIMIT (64ull << 20)
#define ZS_SOZIP_CHUNK (32u << 10)
#define ZS_SOZIP_MIN_SIZE (1ull << 20)

typedef struct zs_writer_totals {
	uint64_t entries, files, dirs, links;
	uint64_t bytes_in, bytes_out;   /* file data read, archive size */
	uint64_t warnings;
	int zip64;                /* ZIP64 records were needed */
	int threads;              /* threads that compressed */
	const char *threads_why;  /* why fewer than asked, or NULL */
	double seconds;
	uint64_t sozip;           /* entries written seek-optimized */
} zs_writer_totals;

ZS_API void zs_writer_options_init(zs_writer_options *o);
/* NULL on failure, with *status (50: cannot create, 4: no memory) and
 * errno set. */
ZS_API zs_writer *zs_writer_open(const char *path,
				 const zs_writer_options *o, int *status);
/* A file, directory (recursively), symlink, or "-" (standard input,
 * streamed: entry "-" with a data descriptor).  The name in the archive
 * is the path without leading "/", "./" and "../".  Returns the exit
 * status so far. */
ZS_API int zs_writer_add_path(zs_writer *w, const char *path);
/* An entry of len bytes copied from data (mode: Unix st_mode; mtime:
 * seconds since the epoch; a name ending in '/' is a directory). */
ZS_API int zs_writer_add_bytes(zs_writer *w, const char *name,
			       const void *data, size_t len, uint32_t mode,
			       int64_t mtime);
/* An entry of size bytes that fill produces (from several threads). */
ZS_API int zs_writer_add_fill(zs_writer *w, const char *name, uint64_t size,
			      uint32_t mode, int64_t mtime, zs_fill_fn fill,
			      void *ctx);
/* Write what is queued, the central directory, and rename to PATH.
 * Frees w.  Returns the exit status: 0, 1 (warnings), 4, 11 (nothing to
 * write: no file is made), 50 (a write failed: nothing is left), 80
 * (stopped: nothing is left). */
ZS_API int zs_writer_finish(zs_writer *w, zs_writer_totals *t);
/* Remove the temporary file and free w; NULL is allowed. */
ZS_API void zs_writer_abort(zs_writer *w);

#ifdef __cplusplus
}
#endif

#endif
