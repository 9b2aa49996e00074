/* SPDX-License-Identifier: MIT */
/*
 * map.c - bring an archive into memory: one open, one fstat, one read-only
 * mmap of the whole file.  A pipe or "-" (standard input) cannot be mapped,
 * so it is read into a heap buffer once and then treated the same, up to
 * --max-input bytes: the buffer grows with what arrives but never past the
 * limit, so `zipscan test - < /dev/zero` fails at the limit rather than
 * eating memory.  (Spooling to an unlinked temporary file and mapping it
 * would move the bound from memory to the disk, where a pipe of any size
 * still has to fit; a limit is needed either way, and memory needs no
 * writable temporary directory.)
 *
 * A file that shrinks while it is mapped (truncated by another process, a
 * network file system going away) makes any read of the lost pages raise
 * SIGBUS.  Rather than crash, or wrap every read in the decoders (libdeflate
 * and ISA-L included) in a check, the handler maps zero pages over the rest
 * of that mapping and marks it changed: the read goes on with zeros, CRCs
 * fail, and the run ends with exit 51 saying the archive changed.  Each
 * mapping is registered in a fixed table the handler can read without
 * locks; a SIGBUS anywhere else goes to the previous handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

enum { MAP_NONE, MAP_MMAP, MAP_HEAP, MAP_BORROWED, MAP_POOLED };

/* Below this size an archive is read in a few page faults anyway, and the
 * madvise calls only add system calls (measured on a batch of 1,000 30 KB
 * archives: opening took 0.029 s with the hints, 0.014-0.022 s without). */
#define ZS_ADVISE_MIN (1u << 20)

/*
 * A batch reads its small archives into a pool instead of mapping them.
 * Each mapping costs an mmap, page faults and an munmap, and every munmap
 * interrupts the process's other CPUs to flush their TLBs; a pool is a few
 * huge pages, filled by pread and released at once when the batch's window
 * closes.  Measured on 1,000 archives of 30 KB (README, "Batches"): the
 * serial closing went from about 30 ms to 1 ms and the opening got faster
 * too.  A pool is bounded: past ZS_POOL_MAX, files are mapped again.
 */
#define ZS_POOL_FILE_MAX (256u << 10)  /* largest file read into a pool */
#define ZS_POOL_REGION (8u << 20)      /* taken from the system at a time */
#define ZS_POOL_MAX (64u << 20)        /* the most one pool holds */
/* A batch's window closes once its archives take this much of the pool;
 * the next window fills the same memory again, already faulted in, where
 * fresh memory would cost a fault and the kernel's clearing of every page
 * (on a virtual machine more than reading the file into it). */
#define ZS_POOL_WINDOW (8u << 20)

struct zs_map_pool {
	pthread_mutex_t lock;
	size_t region_size;             /* ZS_POOL_REGION but in tests */
	size_t window;                  /* ZS_POOL_WINDOW but in tests */
	size_t cur;                     /* the region being filled */
	size_t used;                    /* bytes of it taken */
	size_t taken;                   /* bytes taken in all, padding in */
	size_t n_regions;
	uint8_t *regions[ZS_POOL_MAX / ZS_POOL_REGION];
};

/* Mappings guarded at once: more than the kernel's default map count
 * (vm.max_map_count, 65530), so a batch runs out of mappings first. */
#define ZS_GUARD_SLOTS 65536

typedef struct guard {
	_Atomic int used;
	_Atomic uintptr_t start;     /* 0: free */
	uintptr_t end;
	_Atomic int faulted;
	_Atomic uint64_t fault_offset;
} guard;

static guard guards[ZS_GUARD_SLOTS];
static _Atomic size_t guards_high;
static struct sigaction previous_bus;
static uintptr_t page_mask;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void chain_previous(int sig, siginfo_t *si, void *ctx)
{
	if ((previous_bus.sa_flags & SA_SIGINFO) &&
	    previous_bus.sa_sigaction) {
		previous_bus.sa_sigaction(sig, si, ctx);
		return;
	}
	/* default or a plain handler: reinstall it; the faulting read runs
	 * again and gets it */
	sigaction(SIGBUS, &previous_bus, NULL);
}

/* Async-signal-safe: atomics and mmap only. */
static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	uintptr_t addr = (uintptr_t)si->si_addr;
	size_t high = atomic_load(&guards_high);

	for (size_t k = 0; k < high; k++) {
		uintptr_t start = atomic_load(&guards[k].start);
		if (!start || addr < start || addr >= guards[k].end)
			continue;
		uintptr_t page = addr & ~page_mask;
		if (mmap((void *)page, guards[k].end - page, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		    MAP_FAILED)
			break;
		uint64_t none = UINT64_MAX;
		atomic_compare_exchange_strong(&guards[k].fault_offset, &none,
					       (uint64_t)(addr - start));
		atomic_store(&guards[k].faulted, 1);
		return;
	}
	chain_previous(sig, si, ctx);
}

static void guard_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	page_mask = (uintptr_t)sysconf(_SC_PAGESIZE) - 1;
	sigaction(SIGBUS, &sa, &previous_bus);
}

/* Returns the slot, or -1 if the table is full (the mapping then goes
 * unguarded). */
static int guard_add(const void *p, size_t len)
{
	pthread_once(&guard_once, guard_install);
	for (size_t k = 0; k < ZS_GUARD_SLOTS; k++) {
		int free_slot = 0;
		if (!atomic_compare_exchange_strong(&guards[k].used,
						    &free_slot, 1))
			continue;
		guards[k].end = (uintptr_t)p + len;
		atomic_store(&guards[k].faulted, 0);
		atomic_store(&guards[k].fault_offset, UINT64_MAX);
		atomic_store(&guards[k].start, (uintptr_t)p);
		size_t high = atomic_load(&guards_high);
		while (high < k + 1 &&
		       !atomic_compare_exchange_weak(&guards_high, &high,
						     k + 1))
			;
		return (int)k;
	}
	return -1;
}

static void guard_remove(int k)
{
	if (k < 0)
		return;
	atomic_store(&guards[k].start, 0);
	atomic_store(&guards[k].used, 0);
}

static void changed_finding(zs_archive *a, uint64_t offset, const char *how)
{
	if (a->changed)
		return;
	a->changed = 1;
	zs_finding_add(a, ZS_ERROR, ZS_EXIT_CHANGED, -1, offset,
		       "the archive changed while it was read: %s; nothing "
		       "read from it can be trusted", how);
}

int zs_map_check_changed(zs_archive *a)
{
	if (a->map_kind == MAP_MMAP && a->map_slot >= 0 &&
	    atomic_load(&guards[a->map_slot].faulted))
		changed_finding(a, atomic_load(&guards[a->map_slot].
					       fault_offset),
				"it is shorter than when it was opened");
	return a->changed;
}

void zs_map_note_efault(zs_archive *a)
{
	changed_finding(a, 0, "its data could no longer be read (EFAULT "
			"writing from the mapping: the file shrank)");
}

/* The archive's bytes are buf[0, len), to be released as kind says. */
static int hold(zs_archive *a, const uint8_t *buf, size_t len, int kind)
{
	a->data = buf;
	a->size = len;
	a->map_kind = kind;
	return 0;
}

/* Read everything from fd; the buffer grows with what actually arrives,
 * to at most max (0: no limit) plus the one byte that shows there is more.
 * -1 with errno; EFBIG: over max. */
static int read_all(zs_archive *a, int fd, uint64_t max)
{
	size_t cap = 1 << 16, len = 0;
	size_t most = max && max < SIZE_MAX ? (size_t)max + 1 : SIZE_MAX;
	uint8_t *buf;

	if (cap > most)
		cap = most;
	if (!(buf = malloc(cap)))
		return -1;
	for (;;) {
		if (len == cap && cap == most) {
			free(buf);
			errno = EFBIG;
			return -1;
		}
		if (len == cap) {
			size_t grow = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
			uint8_t *nb = realloc(buf, grow < most ? grow : most);
			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
			cap = grow < most ? grow : most;
		}
		/* EINTR is a failure: a Ctrl-C must stop a read from a pipe
		 * that may never end. */
		ssize_t n = read(fd, buf + len, cap - len);
		if (n > 0 && zs_stopping(a)) {   /* a source that never blocks */
			errno = EINTR;
			n = -1;
		}
		if (n < 0) {
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return hold(a, buf, len, MAP_HEAP);
}

zs_map_pool *zs_map_pool_new(void)
{
	zs_map_pool *p = calloc(1, sizeof(*p));

	if (p && pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return NULL;
	}
	/* test knob: smaller regions, so that a test fills the pool */
	const char *knob = getenv("ZS_TEST_POOL_REGION");
	unsigned long long r = knob ? strtoull(knob, NULL, 10) : 0;
	p->region_size = r >= 4096 && r <= ZS_POOL_REGION ? (size_t)r :
			 ZS_POOL_REGION;
	/* test knob: smaller windows, so that a test has several */
	knob = getenv("ZS_TEST_POOL_WINDOW");
	r = knob ? strtoull(knob, NULL, 10) : 0;
	p->window = r >= 1 && r <= ZS_POOL_WINDOW ? (size_t)r : ZS_POOL_WINDOW;
	return p;
}

int zs_map_is_pooled(const zs_archive *a)
{
	return a->map_kind == MAP_POOLED;
}

void zs_map_pool_free(zs_map_pool *p)
{
	if (!p)
		return;
	for (size_t k = 0; k < p->n_regions; k++)
		munmap(p->regions[k], p->region_size);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* size bytes from the pool, or NULL when it is full. */
static uint8_t *pool_take(zs_map_pool *p, size_t size)
{
	uint8_t *got = NULL;

	size = (size + 63) & ~(size_t)63;   /* cache lines of their own */
	if (size > p->region_size)
		return NULL;
	pthread_mutex_lock(&p->lock);
	if (p->cur < p->n_regions && p->used + size > p->region_size) {
		p->cur++;        /* the next: kept from an earlier window, */
		p->used = 0;
	}
	if (p->cur == p->n_regions &&            /* or new */
	    p->n_regions < ZS_POOL_MAX / ZS_POOL_REGION) {
		uint8_t *r = zs_huge_region(p->region_size);
		if (r)
			p->regions[p->n_regions++] = r;
	}
	if (p->cur < p->n_regions && p->used + size <= p->region_size) {
		got = p->regions[p->cur] + p->used;
		p->used += size;
		p->taken += size;
	}
	pthread_mutex_unlock(&p->lock);
	return got;
}

size_t zs_map_pool_window(const zs_map_pool *p)
{
	return p->window;
}

size_t zs_map_pool_taken(zs_map_pool *p)
{
	pthread_mutex_lock(&p->lock);
	size_t n = p->taken;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void zs_map_pool_reset(zs_map_pool *p)
{
	p->cur = 0;
	p->used = 0;
	p->taken = 0;
}

/* A small regular file read whole into buf.  A file that shrinks
 * meanwhile gives what it still holds: the archive is what was read. */
static int read_into(zs_archive *a, int fd, uint8_t *buf, size_t size)
{
	size_t len = 0;

	while (len < size) {
		ssize_t n = pread(fd, buf + len, size - len, (off_t)len);
		if (n < 0 && errno == EINTR && !zs_stopping(a))
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return hold(a, buf, len, MAP_POOLED);
}

int zs_map_file(zs_archive *a, const char *path, uint64_t max_input,
		zs_map_pool *pool)
{
	int from_stdin = strcmp(path, "-") == 0;
	int fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int rc = -1;

	if (fd < 0) {
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOTZIP, -1, 0,
			       "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOTZIP, -1, 0,
			       "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOTZIP, -1, 0,
			       "is a directory, not a ZIP archive");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		if (read_all(a, fd, max_input) == 0)
			rc = 0;
		else if (errno == EFBIG)
			zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOTZIP, -1, 0,
				       "%s is larger than --max-input %llu "
				       "(it cannot be mapped, so it is read "
				       "into memory)", from_stdin ?
				       "standard input" : "the input",
				       (unsigned long long)max_input);
		else
			zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOTZIP, -1, 0,
				       "cannot read: %s", strerror(errno));
		goto out;
	}
	a->size = (uint64_t)st.st_size;
	if (a->size == 0) {     /* mmap refuses length 0 */
		a->data = NULL;
		a->map_kind = MAP_NONE;
		rc = 0;
		goto out;
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOTZIP, -1, 0,
			       "too large to map on this system");
		goto out;
	}
	uint8_t *in_pool = pool && a->size <= ZS_POOL_FILE_MAX ?
			   pool_take(pool, (size_t)a->size) : NULL;
	if (in_pool) {
		if (read_into(a, fd, in_pool, (size_t)a->size) == 0)
			rc = 0;
		else
			zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOTZIP, -1, 0,
				       "cannot read: %s", strerror(errno));
		goto out;
	}
	void *p = mmap(NULL, (size_t)a->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOTZIP, -1, 0,
			       "cannot map: %s", strerror(errno));
		goto out;
	}
	a->data = p;
	a->map_kind = MAP_MMAP;
	a->map_slot = guard_add(p, (size_t)a->size);
	rc = 0;
out:
	if (!from_stdin)
		close(fd);
	return rc;
}

void zs_map_advise(zs_archive *a, uint64_t off, uint64_t len, int advice)
{
	if (a->map_kind != MAP_MMAP || len == 0 || a->size < ZS_ADVISE_MIN)
		return;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t start = off & ~(uint64_t)(page - 1);
	/* advice is only a hint: a failure changes nothing we rely on */
	(void)madvise((void *)(a->data + start), (size_t)(off + len - start),
		      advice);
}

/*
 * Entry data is read largest entry first, so not in file order: ask for
 * the whole data region to be read ahead, unless it could not stay in
 * memory anyway.  Measured cold-cache (caches dropped), 2 threads: the
 * big-files bench 0.45 s -> 0.38 s; many-files unchanged (0.32 s);
 * MADV_SEQUENTIAL made many-files slower (0.37 s).
 */
void zs_map_advise_data(zs_archive *a)
{
	static _Atomic uint64_t memory;   /* glibc asks sysinfo each time */
	uint64_t end = a->layout.cd_offset, mem = atomic_load(&memory);

	if (a->map_kind != MAP_MMAP || a->size < ZS_ADVISE_MIN)
		return;
	if (!mem) {
		long pages = sysconf(_SC_PHYS_PAGES);
		long page = sysconf(_SC_PAGESIZE);
		mem = pages > 0 && page > 0 ? (uint64_t)pages * page : 1;
		atomic_store(&memory, mem);
	}
	if (end <= mem / 2)
		zs_map_advise(a, 0, end, MADV_WILLNEED);
}

void zs_unmap(zs_archive *a)
{
	if (a->map_kind == MAP_MMAP) {
		guard_remove(a->map_slot);
		munmap((void *)a->data, (size_t)a->size);
	}
	else if (a->map_kind == MAP_HEAP)
		free((void *)a->data);
	a->data = NULL;
	a->map_kind = MAP_NONE;
}

void zs_map_borrow(zs_archive *a, const void *buf, size_t len)
{
	a->data = buf;
	a->size = len;
	a->map_kind = MAP_BORROWED;
}
