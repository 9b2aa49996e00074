/* SPDX-License-Identifier: MIT */
/*
 * extract.c - zipscan extract: the selected entries written beneath the
 * target directory, on every core.
 *
 * In order: plan (extract_plan.c: clean names, one winner per path, the
 * directories to make), make the directories (parents first), write the
 * files (one OpenMP loop, largest first, each file by one thread, straight
 * from the mapping or the thread's buffer into an unnamed file that gets its
 * name only once its CRC-32 and size check out), make the symlinks (in
 * central-directory order, once every file exists, so no file is ever
 * written through one), and last give the directories their modes and
 * times, deepest first, so that nothing written inside changes them again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pinflate_entry.h"
#include "sozip.h"

/* A path, a '/', a temporary name and a NUL. */
#define ZS_PATH_BUF (PATH_MAX + ZS_TMP_NAME + 2)

typedef struct job {
	zs_archive *a;
	zs_extraction *x;
	const zs_extract_options *xo;
	const zs_options *o;
	const zs_plan *pl;
	int root;
	int *dir_fd;              /* O_PATH fd of each planned directory */
	int *dir_errno;           /* why it could not be made, or 0 */
	mode_t umask_bits;
	atomic_int halt;          /* no space left: start nothing new */
} job;

static void fail(zs_extraction *x, size_t i, int step, int err)
{
	x->action[i] = ZS_ACT_FAILED;
	x->step[i] = (uint8_t)step;
	x->write_errno[i] = err;
}

static int stopping(job *j)
{
	return atomic_load_explicit(&j->halt, memory_order_relaxed) ||
	       (j->o->stop && *j->o->stop);
}

/* The last part of a clean path (its directory comes from the plan). */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Directories made here are kept open (as many as the descriptor limit
 * allows), so a file is created with no path lookup at all. */
#define ZS_FD_RESERVE 64           /* descriptors left for everything else */
#define ZS_DIR_FDS_MAX 65536

/* A descriptor for directory d (-1: the target).  *owned: close it after. */
static int dir_of(job *j, int64_t d, char *buf, int *owned)
{
	*owned = 0;
	if (d < 0)
		return j->root;
	if (j->dir_fd[d] >= 0)
		return j->dir_fd[d];
	if (j->dir_errno[d]) {
		errno = j->dir_errno[d];   /* say why, not just ENOENT */
		return -1;
	}
	const zs_dir *dir = &j->pl->dirs[d];
	memcpy(buf, j->x->path[dir->src], dir->len);
	buf[dir->len] = '\0';
	*owned = 1;
	return zs_open_dir_beneath(j->root, buf, O_PATH);
}

static void times_of(const zs_archive *a, size_t i, struct timespec ts[2])
{
	ts[0].tv_sec = ts[1].tv_sec = zs_entry_time(a, i);
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
}

/* Does the overwrite policy let entry i take `name` in dir?  If not, the
 * entry's action says why.  (The final link or rename checks again, so a
 * name that appears meanwhile is not overwritten either.) */
static int may_write(job *j, int dir, const char *name, size_t i)
{
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 1;
	if (j->xo->overwrite == ZS_OVERWRITE_NEVER)
		j->x->action[i] = ZS_ACT_SKIPPED;
	else if (S_ISDIR(st.st_mode))
		fail(j->x, i, ZS_STEP_EXISTS, EISDIR);
	else if (j->xo->overwrite == ZS_OVERWRITE_ALWAYS)
		return 1;
	else
		fail(j->x, i, ZS_STEP_EXISTS, EEXIST);
	return 0;
}

/* Does a written file replace what has its name (-o, -u, -f)? */
static int replacing(const job *j)
{
	return j->xo->overwrite == ZS_OVERWRITE_ALWAYS || j->xo->update;
}

/* Entry i's directory could not be opened: with -f, a directory not on
 * disk holds no file to freshen. */
static void no_dir(job *j, size_t i, int err)
{
	if (j->xo->update == ZS_UPDATE_FRESHEN && err == ENOENT)
		j->x->action[i] = ZS_ACT_SKIPPED;
	else
		fail(j->x, i, ZS_STEP_DIR, err);
}

/* The name exists after all (linkat / rename said EEXIST). */
static void placing_failed(job *j, size_t i, int err)
{
	if (err == EEXIST && j->xo->overwrite == ZS_OVERWRITE_NEVER)
		j->x->action[i] = ZS_ACT_SKIPPED;
	else
		fail(j->x, i, err == EEXIST ? ZS_STEP_EXISTS : ZS_STEP_LINK,
		     err);
}

static int set_file_attrs(job *j, int fd, size_t i, mode_t mode)
{
	struct timespec ts[2];

	times_of(j->a, i, ts);
	if (futimens(fd, ts) != 0)
		return -1;
	/* the file was made with mode's permission bits; only the special
	 * bits (--keep-special) need another call */
	return (mode & 07000) ? fchmod(fd, mode) : 0;
}

/* A new file being written: its directory, descriptor and temporary
 * name. */
typedef struct open_file {
	int dir, owned, fd;
	mode_t mode;
	char tmp[ZS_TMP_NAME];
} open_file;

/* Entry i's new file, made unnamed in its directory (the checks of -n, -u
 * and -f first): 0, or -1 if there is none to write (x->action says why,
 * if anything was wrong). */
static int file_open(job *j, size_t i, char *buf, open_file *f)
{
	const char *name = base_name(j->x->path[i]);

	f->dir = dir_of(j, j->pl->entry_dir[i], buf, &f->owned);
	if (f->dir < 0) {
		no_dir(j, i, errno);
		return -1;
	}
	/* Only -n, -u and -f look first (skipping is their common case, and
	 * saves the decoding); otherwise linking the new file in finds an
	 * existing one, race-free. */
	if (j->xo->update ? zs_update_wanted(j->a, j->x, i, f->dir, name,
					     j->xo->update, NULL) :
	    j->xo->overwrite != ZS_OVERWRITE_NEVER ||
	    may_write(j, f->dir, name, i)) {
		f->mode = zs_entry_mode(j->a, i, j->umask_bits,
					j->xo->keep_special);
		f->fd = zs_create_file(f->dir, f->mode & 0777, f->tmp, i);
		if (f->fd >= 0)
			return 0;
		fail(j->x, i, ZS_STEP_CREATE, errno);
	}
	if (f->owned)
		close(f->dir);
	return -1;
}

/* The decode into f is over (err: a write's errno): the file gets its
 * name if the entry checked out, else it is dropped. */
static void file_close(job *j, size_t i, open_file *f, int err)
{
	zs_archive *a = j->a;
	zs_extraction *x = j->x;

	if (err) {
		fail(x, i, ZS_STEP_WRITE, err);
		if (err == ENOSPC || err == EDQUOT)
			atomic_store(&j->halt, 1);
	} else if (a->index.status[i] == ZS_ENTRY_UNTESTED) {
		/* interrupted, or not settled by the team: nothing is kept */
	} else if (a->index.status[i] != ZS_ENTRY_OK) {
		x->action[i] = ZS_ACT_FAILED;  /* the entry error says why */
	} else if (set_file_attrs(j, f->fd, i, f->mode) != 0) {
		fail(x, i, ZS_STEP_ATTR, errno);
	} else if (zs_place_file(f->dir, f->fd, f->tmp,
				 base_name(x->path[i]), replacing(j), i) != 0) {
		placing_failed(j, i, errno);
	} else {
		x->action[i] = ZS_ACT_WRITTEN;
	}
	zs_discard_file(f->dir, f->fd, f->tmp);  /* tmp is "" once placed */
	if (f->owned)
		close(f->dir);
}

/* Decode entry i into a new file and give it its name if it checks out.
 * With no worker, a seek-optimized entry is decoded by every thread by its
 * chunks; if that does not settle it, it stays to be done (action none). */
static uint64_t write_file(job *j, zs_worker *w, size_t i, char *buf)
{
	open_file f;
	uint64_t out;

	if (file_open(j, i, buf, &f) != 0)
		return 0;
	zs_sink s = { .fd = f.fd, .stop = j->o->stop };
	if (w)
		out = zs_decode_entry_to(w, j->a, i, &s);
	else
		out = zs_sozip_write(j->a, i, f.fd,
				     zs_threads_effective(j->o));
	file_close(j, i, &f, s.err);
	return out;
}

/* A symlink's target is its data: decode it now, check it, make the link
 * after every file is written.  The target is copied out of the worker's
 * buffer first and checked in that copy, the one the link is made from. */
static void read_link(job *j, zs_worker *w, size_t i)
{
	zs_archive *a = j->a;
	zs_extraction *x = j->x;
	zs_sink s = { .fd = -1, .defer = 1 };

	if (a->index.uncomp_size[i] >= PATH_MAX || zs_decode_streams(w, a, i)) {
		x->action[i] = ZS_ACT_REFUSED;
		x->refusal[i] = ZS_REFUSE_LINK_LONG;
		return;
	}
	zs_decode_entry_to(w, a, i, &s);
	if (a->index.status[i] != ZS_ENTRY_OK) {
		x->action[i] = ZS_ACT_FAILED;
		return;
	}
	char *t = malloc(s.pending_len + 1);
	if (!t) {
		fail(x, i, ZS_STEP_LINK, ENOMEM);
		return;
	}
	memcpy(t, s.pending, s.pending_len);
	t[s.pending_len] = '\0';
	int why = zs_link_target_check(x->path[i], (const uint8_t *)t,
				       s.pending_len);
	if (why) {
		free(t);
		x->action[i] = ZS_ACT_REFUSED;
		x->refusal[i] = (uint8_t)why;
		return;
	}
	x->link_target[i] = t;
}

static int is_file_work(const zs_archive *a, const zs_extraction *x, size_t i)
{
	return x->path[i] && x->action[i] == ZS_ACT_NONE &&
	       (zs_entry_is_symlink(a, i) || !zs_entry_is_dir(a, i));
}

/* The seek-optimized files first, each on every thread by its chunks; the
 * loop of write_files skips those they wrote. */
static uint64_t write_sozip_files(job *j)
{
	uint64_t out = 0;
	char *buf = NULL;

	for (size_t i = 0; i < j->a->index.count && !stopping(j); i++) {
		if (!is_file_work(j->a, j->x, i) ||
		    zs_entry_is_symlink(j->a, i) ||
		    !zs_sozip_wanted(j->a, i, j->o))
			continue;
		if (!buf && !(buf = malloc(ZS_PATH_BUF)))
			break;   /* the loop of write_files does it */
		out += write_file(j, NULL, i, buf);
	}
	free(buf);
	return out;
}

/* A file whose entry is split into chunk tasks of write_files' loop. */
typedef struct split_file {
	size_t i;
	open_file f;
} split_file;

/* Files split at once, each with a descriptor open; the others are
 * decoded whole (only ZS_TEST_PINFLATE_CHUNK, or a hundred entries of 16
 * MiB and more on many cores, come near it). */
#define ZS_EXTRACT_SPLITS_MAX 256

/* The files split into chunk tasks: sf[h] has the split jobs[h]. */
typedef struct splits {
	uint8_t *split;             /* order[k] is split */
	split_file *sf;
	zs_pinflate **jobs;
	size_t ns;
} splits;

/* The files to split (big Deflate files bigger than a thread's share of
 * all the files' compressed bytes), each made unnamed, with its job. */
static void open_splits(job *j, const zs_work *order, size_t n, splits *p,
			char *buf)
{
	int nt = zs_threads_effective(j->o);
	uint64_t rest = 0;

	for (size_t i = 0; i < j->a->index.count; i++)
		if (is_file_work(j->a, j->x, i))
			rest += j->a->index.comp_size[i];
	for (size_t k = 0; k < n && p->ns < ZS_EXTRACT_SPLITS_MAX &&
	     !stopping(j); k++) {
		split_file *f = &p->sf[p->ns];
		f->i = order[k].entry;
		if (!is_file_work(j->a, j->x, f->i) ||
		    zs_entry_is_symlink(j->a, f->i) ||
		    !zs_pinflate_worth(j->a, f->i, j->o, nt, rest) ||
		    file_open(j, f->i, buf, &f->f) != 0)
			continue;
		zs_pinflate *job = zs_pinflate_entry_job(j->a, f->i, j->o, nt,
							 f->f.fd, 0);
		if (!job) {   /* dropped (untested): the loop decodes it */
			file_close(j, f->i, &f->f, 0);
			continue;
		}
		p->jobs[p->ns++] = job;
		p->split[k] = 1;
	}
}

/* Split file h once all its chunks are done: named if the split found it
 * good, else decoded whole on this thread (with a worker).  Returns the
 * bytes out. */
static uint64_t settle_split(job *j, splits *p, size_t h, zs_worker *w,
			     char *buf)
{
	split_file *f = &p->sf[h];
	uint64_t out = zs_pinflate_entry_good(j->a, f->i, p->jobs[h]);

	p->jobs[h] = NULL;
	file_close(j, f->i, &f->f, 0);   /* untested: dropped */
	if (!out && w && !stopping(j) && j->x->action[f->i] == ZS_ACT_NONE)
		out = write_file(j, w, f->i, buf);
	return out;
}

/* The files to split, opened, their jobs in q: 0, or -1 out of memory
 * (none left open). */
static int splits_open(job *j, const zs_work *order, size_t n, splits *p,
		       zs_pinflate_queue *q)
{
	size_t cap = n < ZS_EXTRACT_SPLITS_MAX ? n : ZS_EXTRACT_SPLITS_MAX;
	char *buf = malloc(ZS_PATH_BUF);

	p->split = calloc(n ? n : 1, 1);
	p->sf = calloc(cap + 1, sizeof(*p->sf));
	p->jobs = calloc(cap + 1, sizeof(*p->jobs));
	int ok = p->split && p->sf && p->jobs && buf;
	if (ok)
		open_splits(j, order, n, p, buf);
	free(buf);
	if (ok && zs_pinflate_queue_init(q, p->jobs, p->ns, n) == 0)
		return 0;
	for (size_t h = 0; h < p->ns; h++)
		settle_split(j, p, h, NULL, NULL);   /* dropped */
	return -1;
}

static void splits_free(splits *p)
{
	free(p->split);
	free(p->sf);
	free(p->jobs);
}

/* One file or link target, whole. */
static uint64_t write_one(job *j, zs_worker *w, size_t i, char *buf)
{
	if (zs_entry_is_symlink(j->a, i)) {
		read_link(j, w, i);
		return 0;
	}
	return write_file(j, w, i, buf);
}

/* This thread's share of the list: the split files' chunks first (each
 * outweighs a thread's share of the rest), then the others (order[k],
 * largest first, past those split). */
static uint64_t run_tasks(job *j, zs_pinflate_queue *q, const zs_work *order,
			  const uint8_t *split, zs_worker *w, char *buf,
			  zs_pinflate_scratch *s, int me)
{
	uint64_t out = 0;
	size_t k;
	while ((k = zs_pinflate_next(q, s)) != SIZE_MAX) {
		size_t i = order[k].entry;
		if (split[k] || !w || !buf || stopping(j) ||
		    !is_file_work(j->a, j->x, i))
			continue;
		uint64_t o = write_one(j, w, i, buf);
		out += o;
		zs_progress_add(j->o->progress, me, j->a->index.comp_size[i], o);
	}
	return out;
}

/* The parallel loop over files and link targets, largest first; a big
 * Deflate file's chunks in it as tasks, the file settled after. */
static int write_files(job *j, uint64_t *bytes)
{
	size_t n = 0;
	zs_work *order = zs_order_largest_first(&j->a, 1, &n);
	uint64_t out = write_sozip_files(j), total = 0;
	int nt = zs_threads_effective(j->o), nomem = 0;
	splits p = { 0 };
	zs_pinflate_queue q = { 0 };

	if (!order || splits_open(j, order, n, &p, &q) != 0) {
		splits_free(&p);
		zs_order_free(order, n);
		*bytes = out;
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		total += j->a->index.uncomp_size[order[k].entry];
	size_t ns = p.ns;

	#pragma omp parallel num_threads(nt) reduction(+ : out) \
		reduction(| : nomem) if (zs_worth_parallel(n, total) || ns)
	{
		int me = omp_get_thread_num();
		zs_worker *w = zs_worker_new(j->o->memory_limit, 0);
		char *buf = malloc(ZS_PATH_BUF);
		zs_pinflate_scratch *s = zs_pinflate_queue_start(&q);
		nomem = !w || !buf;
		out += run_tasks(j, &q, order, p.split, w, buf, s, me);
		#pragma omp barrier
		#pragma omp for schedule(dynamic, 1)
		for (size_t h = 0; h < ns; h++) {
			uint64_t o = settle_split(j, &p, h, w, buf);
			out += o;
			zs_progress_add(j->o->progress, me,
					j->a->index.comp_size[p.sf[h].i], o);
		}
		zs_pinflate_scratch_free(s);
		zs_worker_free(w);
		free(buf);
	}
	zs_pinflate_queue_free(&q);
	splits_free(&p);
	zs_order_free(order, n);
	*bytes = out;
	return nomem ? -1 : 0;
}

/* Make directory d in its parent; keep a descriptor for it if allowed.
 * A directory entry's own directory starts with owner rwx so that it can
 * be filled; its real mode comes at the end. */
static void make_dir(job *j, size_t d, int keep_fd, char *buf)
{
	const zs_dir *dir = &j->pl->dirs[d];
	const char *path = j->x->path[dir->src];
	const char *last = memrchr(path, '/', dir->len);
	char name[NAME_MAX + 1];
	size_t start = last ? (size_t)(last - path) + 1 : 0;
	int owned, pfd = dir_of(j, dir->parent, buf, &owned);
	struct stat st;

	if (dir->len - start > NAME_MAX || pfd < 0) {
		j->dir_errno[d] = pfd < 0 ? errno : ENAMETOOLONG;
		if (owned && pfd >= 0)
			close(pfd);
		return;   /* the entries inside fail with this errno */
	}
	memcpy(name, path + start, dir->len - start);
	name[dir->len - start] = '\0';
	mode_t mode = dir->entry < 0 ? 0777 :
		      zs_entry_mode(j->a, (size_t)dir->entry, j->umask_bits,
				    0) | 0700;
	/* -f makes no directory: one not on disk holds nothing to freshen */
	int rc = j->xo->update == ZS_UPDATE_FRESHEN ? (errno = EEXIST, -1) :
		 mkdirat(pfd, name, mode);
	int existed = rc != 0 && errno == EEXIST;
	if (existed && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		rc = S_ISDIR(st.st_mode) ? 0 : (errno = ENOTDIR, -1);
	if (rc != 0)
		j->dir_errno[d] = errno;
	else if (keep_fd)
		j->dir_fd[d] = openat(pfd, name, O_PATH | O_DIRECTORY |
				      O_NOFOLLOW | O_CLOEXEC);
	if (dir->entry >= 0) {
		size_t i = (size_t)dir->entry;
		if (rc != 0)
			no_dir(j, i, errno);
		else if (j->x->action[i] == ZS_ACT_NONE)
			j->x->action[i] = existed && j->xo->update ?
					  ZS_ACT_UNCHANGED : ZS_ACT_WRITTEN;
	}
	if (owned)
		close(pfd);
}

/* How many directory descriptors may stay open. */
static size_t dir_fd_budget(int threads)
{
	struct rlimit rl;
	size_t want = ZS_FD_RESERVE + 4 * (size_t)threads;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur <= want)
		return 0;
	size_t n = rl.rlim_cur == RLIM_INFINITY ? ZS_DIR_FDS_MAX :
		   (size_t)rl.rlim_cur - want;
	return n < ZS_DIR_FDS_MAX ? n : ZS_DIR_FDS_MAX;
}

static void make_dirs(job *j, char *buf)
{
	size_t budget = dir_fd_budget(zs_threads_effective(j->o));

	for (size_t d = 0; d < j->pl->n_dirs && !stopping(j); d++)
		make_dir(j, d, d < budget, buf);
}

static void close_dirs(job *j)
{
	for (size_t d = 0; j->dir_fd && d < j->pl->n_dirs; d++)
		if (j->dir_fd[d] >= 0)
			close(j->dir_fd[d]);
	free(j->dir_fd);
	free(j->dir_errno);
}

/* Directory entries' modes and times, deepest first. */
static void finish_dirs(job *j, char *buf)
{
	const zs_plan *pl = j->pl;
	for (size_t d = pl->n_dirs; d-- > 0 && !stopping(j);) {
		const zs_dir *dir = &pl->dirs[d];
		if (dir->entry < 0 ||
		    j->x->action[dir->entry] != ZS_ACT_WRITTEN)
			continue;
		size_t i = (size_t)dir->entry;
		struct timespec ts[2];
		int owned, pfd = dir_of(j, (int64_t)d, buf, &owned);
		/* fchmod needs a real descriptor, not an O_PATH one */
		int fd = pfd < 0 ? -1 : openat(pfd, ".", O_RDONLY |
					       O_DIRECTORY | O_CLOEXEC);
		if (owned && pfd >= 0)
			close(pfd);
		times_of(j->a, i, ts);
		if (fd < 0 || fchmod(fd, zs_entry_mode(j->a, i, j->umask_bits,
				j->xo->keep_special)) != 0 ||
		    futimens(fd, ts) != 0)
			fail(j->x, i, ZS_STEP_ATTR, errno);
		if (fd >= 0)
			close(fd);
	}
}

static void make_link(job *j, size_t i, char *buf)
{
	zs_extraction *x = j->x;
	const char *path = x->path[i];
	char tmp[ZS_TMP_NAME];
	struct timespec ts[2];
	int owned, dir = dir_of(j, j->pl->entry_dir[i], buf, &owned);
	const char *name = base_name(path);
	/* buf: the parent's path, to resolve the new link by below */
	size_t plen = (size_t)(name - path);
	memcpy(buf, path, plen);

	if (dir < 0) {
		no_dir(j, i, errno);
		return;
	}
	snprintf(tmp, sizeof(tmp), ".zipscan-%ld-%zu.tmp", (long)getpid(), i);
	if (j->xo->update ? !zs_update_wanted(j->a, x, i, dir, name,
					       j->xo->update,
					       x->link_target[i]) :
	    !may_write(j, dir, name, i))
		goto out;
	if (symlinkat(x->link_target[i], dir, tmp) != 0) {
		fail(x, i, ZS_STEP_LINK, errno);
		goto out;
	}
	/* the kernel's word that it resolves inside, through whatever
	 * links the tree already holds */
	snprintf(buf + plen, ZS_PATH_BUF - plen, "%s", tmp);
	times_of(j->a, i, ts);
	if (zs_resolves_beneath(j->root, buf) != 0) {
		x->action[i] = ZS_ACT_REFUSED;
		x->refusal[i] = ZS_REFUSE_LINK_ESCAPES;
	} else if (utimensat(dir, tmp, ts, AT_SYMLINK_NOFOLLOW) != 0) {
		fail(x, i, ZS_STEP_ATTR, errno);
	} else if (renameat2(dir, tmp, dir, name,
			     replacing(j) ? 0 : RENAME_NOREPLACE) != 0) {
		placing_failed(j, i, errno);
	} else {
		x->action[i] = ZS_ACT_WRITTEN;
	}
	if (x->action[i] != ZS_ACT_WRITTEN)
		unlinkat(dir, tmp, 0);
out:
	if (owned)
		close(dir);
}

static void make_links(job *j, char *buf)
{
	for (size_t i = 0; i < j->x->count && !stopping(j); i++)
		if (j->x->link_target[i] && j->x->action[i] == ZS_ACT_NONE)
			make_link(j, i, buf);
}

/* mkdir -p: the target itself is the user's to choose, links and all. */
static int open_target(const char *dir)
{
	char *p = strdup(dir && *dir ? dir : ".");
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0777);
		*s = '/';
	}
	mkdir(p, 0777);
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(p);
	return fd;
}

/* Does the target fold case?  Only asked when two paths differ only in
 * case: a probe file, looked up in upper case. */
static int folds_case(int root)
{
	char lower[48], upper[48];
	struct stat st;

	snprintf(lower, sizeof(lower), ".zipscan-case-%ld", (long)getpid());
	snprintf(upper, sizeof(upper), ".ZIPSCAN-CASE-%ld", (long)getpid());
	int fd = openat(root, lower, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
			0600);
	if (fd < 0)
		return 0;
	close(fd);
	int folds = fstatat(root, upper, &st, AT_SYMLINK_NOFOLLOW) == 0;
	unlinkat(root, lower, 0);
	return folds;
}

/* A refused name or link: a warning, as a stripped name is (nothing was
 * lost that unzip would have written safely), except a name with control
 * bytes, whose data is not written at all; every one an error with
 * --strict. */
static int refusal_status(int why, int strict)
{
	if (strict || why == ZS_REFUSE_STRICT)
		return ZS_EXIT_STRUCT;
	return why == ZS_REFUSE_CONTROL ? ZS_EXIT_ENTRY : ZS_EXIT_WARN;
}

/* The exit status: unzip's where it has one (an existing file it was not
 * told to replace: 1; a file it could not write: 50). */
static int extraction_status(const zs_archive *a, const zs_extraction *x,
			     int strict)
{
	int s = zs_archive_status(a);

	for (size_t i = 0; i < x->count; i++) {
		if (x->fixes[i] || x->action[i] == ZS_ACT_DUPLICATE)
			s = zs_exit_worse(s, ZS_EXIT_WARN);
		if (x->action[i] == ZS_ACT_REFUSED)
			s = zs_exit_worse(s, refusal_status(x->refusal[i],
							    strict));
		if (x->action[i] == ZS_ACT_FAILED && x->step[i])
			s = zs_exit_worse(s, x->step[i] == ZS_STEP_EXISTS ?
					  ZS_EXIT_WARN : ZS_EXIT_WRITE);
	}
	return x->disk_full ? zs_exit_worse(s, ZS_EXIT_WRITE) : s;
}

static void count_actions(const zs_archive *a, zs_extraction *x)
{
	for (size_t i = 0; i < x->count; i++) {
		switch (x->action[i]) {
		case ZS_ACT_WRITTEN:
			if (zs_entry_is_symlink(a, i))
				x->links++;
			else if (zs_entry_is_dir(a, i))
				x->dirs++;
			else
				x->files++;
			break;
		case ZS_ACT_SKIPPED: case ZS_ACT_DUPLICATE:
			x->skipped++;
			break;
		case ZS_ACT_REFUSED: case ZS_ACT_FAILED:
			x->failed++;
			break;
		case ZS_ACT_UNCHANGED:
			x->unchanged++;
			break;
		case ZS_ACT_NEWER:
			x->newer++;
			break;
		}
	}
}


static int run_phases(job *j, zs_plan *pl)
{
	char *buf = malloc(ZS_PATH_BUF);
	int rc = -1;

	if (!buf)
		return -1;
	j->pl = pl;
	j->dir_fd = malloc((pl->n_dirs ? pl->n_dirs : 1) * sizeof(int));
	j->dir_errno = calloc(pl->n_dirs ? pl->n_dirs : 1, sizeof(int));
	if (!j->dir_fd || !j->dir_errno)
		goto out;
	memset(j->dir_fd, 0xff, (pl->n_dirs ? pl->n_dirs : 1) * sizeof(int));
	zs_beneath_init();
	if (pl->case_collisions && folds_case(j->root)) {
		j->x->case_insensitive = 1;
		if (zs_plan_fold(j->x) != 0)
			goto out;
	}
	zs_progress_phase(j->o->progress, "making directories");
	make_dirs(j, buf);
	zs_progress_phase(j->o->progress, "extracting");
	int files_rc = write_files(j, &j->x->bytes);
	zs_trailing_findings(j->a);
	zs_sozip_scan_findings(j->a);
	if (files_rc != 0)
		goto out;
	zs_progress_phase(j->o->progress, "making links");
	make_links(j, buf);
	zs_progress_phase(j->o->progress, "finishing directories");
	finish_dirs(j, buf);
	rc = 0;
out:
	close_dirs(j);
	free(buf);
	return rc;
}

int zs_extract(zs_archive *a, const zs_extract_options *xo,
	       const zs_options *o, zs_extraction *x, zs_totals *t)
{
	job j = { .a = a, .x = x, .xo = xo, .o = o, .root = -1 };
	zs_plan pl;
	double t0 = zs_now();

	memset(x, 0, sizeof(*x));
	memset(t, 0, sizeof(*t));
	if (!a->indexed)
		return a->status;
	a->stop = o->stop;
	zs_progress_phase(o->progress, "planning");
	if (zs_plan_extraction(a, x, xo->strict, &pl) != 0) {
		if (zs_stopping(a))
			zs_interrupted(a);
		else
			zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMEM, -1, 0,
				       "out of memory planning the "
				       "extraction");
		zs_plan_free(&pl);
		return zs_archive_status(a);
	}
	if (!zs_decode_permitted(a, o)) {
		zs_plan_free(&pl);
		return zs_archive_status(a);   /* 12: nothing is written */
	}
	j.umask_bits = umask(0);
	umask(j.umask_bits);
	j.root = open_target(xo->dir);
	if (j.root < 0)
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_WRITE, -1, 0,
			       "cannot open or make the target directory %s: "
			       "%s", xo->dir ? xo->dir : ".", strerror(errno));
	else if (run_phases(&j, &pl) != 0)
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMEM, -1, 0,
			       "out of memory for %d extracting threads",
			       zs_threads_effective(o));
	if (j.root >= 0)
		close(j.root);
	zs_plan_free(&pl);
	x->disk_full = atomic_load(&j.halt);
	x->seconds = zs_now() - t0;
	/* EFAULT: a write read a page of the mapping the file lost */
	for (size_t i = 0; x->write_errno && i < x->count; i++)
		if (x->write_errno[i] == EFAULT)
			zs_map_note_efault(a);
	zs_map_check_changed(a);
	count_actions(a, x);
	zs_totals_count(a, t);
	t->threads = zs_threads_effective(o);
	t->seconds_scan = x->seconds;
	t->bytes_out = x->bytes;
	return extraction_status(a, x, xo->strict);
}

void zs_extraction_free(zs_extraction *x)
{
	for (size_t i = 0; x->link_target && i < x->count; i++)
		free(x->link_target[i]);
	free(x->link_target);
	free(x->path);
	free(x->action);
	free(x->fixes);
	free(x->refusal);
	free(x->step);
	free(x->write_errno);
	free(x->arena);
	memset(x, 0, sizeof(*x));
}
