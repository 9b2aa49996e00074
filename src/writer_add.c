// SPDX-License-Identifier: MIT
/*
 * writer_add.c - what goes into an archive, in order: paths (a directory
 * is its entry, then its contents sorted by name), standard input, bytes
 * and generated data, each queued as a witem with its name in the archive,
 * mode, time and whether it is stored.  Reading and compressing happen
 * later (writer_pipeline.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "writer.h"

/* Ancestors of the directory being walked: a followed link that leads
 * back into one of them would loop.  Entries are looked at relative to
 * their directory's descriptor (fstatat, readlinkat, openat): the path is
 * walked once a directory, not once an entry, which on a tree of small
 * files was a sixth of the scan. */
typedef struct walk {
	dev_t dev[256];
	ino_t ino[256];
	int depth;
} walk;

static int add_any(zs_writer *w, int at, const char *leaf, const char *path,
		   const char *name, walk *wk);

void zs_w_item_free(witem *it)
{
	free(it->name);
	free(it->src);
	memset(it, 0, sizeof(*it));
}

int zs_w_grow(void *array, size_t *cap, size_t n, size_t size)
{
	void **p = array;

	if (n < *cap)
		return 0;
	size_t more = *cap ? 2 * *cap : 256;
	void *q = realloc(*p, more * size);
	if (!q)
		return -1;
	*p = q;
	*cap = more;
	return 0;
}

int zs_w_enqueue(zs_writer *w, const witem *it)
{
	if (zs_w_grow(&w->queue, &w->cap_queue, w->n_queue, sizeof(*it)))
		return -1;
	w->queue[w->n_queue++] = *it;
	if (w->n_queue >= ZS_WQUEUE_MAX)
		zs_w_drain(w);   /* a failure sets w->stopped */
	return 0;
}

static int matches_any(const char *name, const char *const *pat, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (fnmatch(pat[k], name, 0) == 0)
			return 1;
	return 0;
}

/* Stored as it is: a --store pattern, or a default suffix. */
static int stored_by_name(const zs_writer *w, const char *name)
{
	if (w->o.store)
		return matches_any(name, w->o.store, w->o.n_store);
	const char *dot = strrchr(name, '.');
	if (!dot || strchr(dot, '/'))
		return 0;
	size_t n = strlen(dot);
	for (const char *s = ZS_STORE_DEFAULT; *s; ) {
		size_t k = strcspn(s, ":");
		if (k == n && strncasecmp(s, dot, n) == 0)
			return 1;
		s += k + (s[k] == ':');
	}
	return 0;
}

/* The name in the archive: the path without leading "/", "./" and "../"
 * (as zip); "" for "." or "/". */
static const char *archive_name(const char *path)
{
	for (;;) {
		if (*path == '/')
			path++;
		else if (!strncmp(path, "./", 2))
			path += 2;
		else if (!strncmp(path, "../", 3))
			path += 3;
		else if (!strcmp(path, ".") || !strcmp(path, ".."))
			return path + strlen(path);
		else
			return path;
	}
}

static int queue_item(zs_writer *w, witem *it, const char *name)
{
	size_t n = strlen(name);
	int dir = it->kind == W_DIR;

	if (w->stopped || n + dir > 65535 || matches_any(name, w->o.exclude, w->o.n_exclude)) {
		if (!w->stopped && n + dir > 65535)
			zs_w_warn(w, "%s: name too long for ZIP, left out", name);
		free(it->src);
		return 0;
	}
	it->name = malloc(n + 2);
	if (!it->name) {
		free(it->src);
		return -1;
	}
	memcpy(it->name, name, n);
	strcpy(it->name + n, dir && (n == 0 || name[n - 1] != '/') ? "/" : "");
	it->store = w->o.level == 0 || stored_by_name(w, name);
	if (zs_w_enqueue(w, it) != 0)
		return -1;
	return 0;
}

static int is_output(const zs_writer *w, const struct stat *st)
{
	return (w->tmp && st->st_dev == w->tmp_dev && st->st_ino ==
		w->tmp_ino) || (w->have_out && st->st_dev == w->out_dev &&
				st->st_ino == w->out_ino);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the directory open as dfd, sorted, in *names (NULL if
 * none); -1 with errno when it cannot be read. */
static int read_names(int dfd, char ***names, size_t *n)
{
	int fd = dfd < 0 ? -1 : dup(dfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	char **v = NULL;
	size_t cap = 0;
	struct dirent *e;

	*n = 0;
	*names = NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			char **nv = realloc(v, cap * sizeof(*nv));
			if (!nv)
				break;
			v = nv;
		}
		if (!(v[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_names);
	*names = v;
	return 0;
}

static char *join(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 2);
	if (s) {
		memcpy(s, a, na);
		s[na] = '/';
		memcpy(s + na + 1, b, nb + 1);
		if (na && a[na - 1] == '/')
			memmove(s + na, s + na + 1, nb + 1);
	}
	return s;
}

/* A directory (leaf in the directory open as at): its entry (unless the
 * name is empty), then its contents. */
static int add_dir(zs_writer *w, int at, const char *leaf, const char *path,
		   const char *name, const struct stat *st, walk *wk)
{
	witem it = { .kind = W_DIR, .mode = st->st_mode, .mtime = st->st_mtime };
	size_t n;
	int rc = 0;

	for (int k = 0; k < wk->depth; k++)
		if (wk->dev[k] == st->st_dev && wk->ino[k] == st->st_ino) {
			zs_w_warn(w, "%s: a link back into its own directory, "
				  "not followed", path);
			return 0;
		}
	if (wk->depth == 256) {
		zs_w_warn(w, "%s: directories nested too deep, left out", path);
		return 0;
	}
	if (*name && queue_item(w, &it, name) != 0)
		return -1;
	char **names;
	int dfd = openat(at, leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
			 (w->o.store_links ? O_NOFOLLOW : 0));
	if (read_names(dfd, &names, &n) != 0)
		zs_w_warn(w, "%s: cannot read directory: %s", path,
			  strerror(errno));
	wk->dev[wk->depth] = st->st_dev;
	wk->ino[wk->depth++] = st->st_ino;
	for (size_t k = 0; k < n; k++) {
		char *p = join(path, names[k]), *nm = join(name, names[k]);
		if (rc == 0 && (!p || !nm))
			rc = -1;
		if (rc == 0)
			rc = add_any(w, dfd, names[k], p,
				     *name ? nm : names[k], wk);
		free(p), free(nm), free(names[k]);
	}
	if (dfd >= 0)
		close(dfd);
	wk->depth--;
	free(names);
	return rc;
}

static int add_link(zs_writer *w, int at, const char *leaf, const char *path,
		    const char *name, const struct stat *st)
{
	char target[4096];
	ssize_t n = readlinkat(at, leaf, target, sizeof(target) - 1);
	witem it = { .kind = W_LINK, .mode = st->st_mode,
		     .mtime = st->st_mtime };

	if (n < 0) {
		zs_w_warn(w, "%s: cannot read link: %s", path, strerror(errno));
		return 0;
	}
	target[n] = '\0';
	it.size = (uint64_t)n;
	if (!(it.src = strdup(target)))
		return -1;
	return queue_item(w, &it, name);
}

/* leaf, in the directory open as at (AT_FDCWD for a path given), shown
 * as path, named name in the archive. */
static int add_any(zs_writer *w, int at, const char *leaf, const char *path,
		   const char *name, walk *wk)
{
	struct stat st;

	if (w->stopped)
		return 0;
	int r = fstatat(at, leaf, &st,
			w->o.store_links ? AT_SYMLINK_NOFOLLOW : 0);

	if (r != 0 && !w->o.store_links &&
	    fstatat(at, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0)
		errno = ENOENT;   /* a dangling link, followed */
	if (r != 0) {
		zs_w_warn(w, "%s: %s, left out", path, strerror(errno));
		return 0;
	}
	if (is_output(w, &st))
		return 0;
	if (S_ISDIR(st.st_mode))
		return add_dir(w, at, leaf, path, name, &st, wk);
	if (S_ISLNK(st.st_mode))
		return add_link(w, at, leaf, path, name, &st);
	if (!S_ISREG(st.st_mode)) {
		zs_w_warn(w, "%s: not a regular file, directory or link, "
			  "left out", path);
		return 0;
	}
	witem it = { .kind = W_FILE, .mode = st.st_mode, .mtime = st.st_mtime,
		     .size = (uint64_t)st.st_size, .ctim = st.st_ctim };
	if (!*name || !(it.src = strdup(path)))
		return *name ? -1 : 0;
	return queue_item(w, &it, name);
}

static int nomem(zs_writer *w)
{
	w->status = zs_exit_worse(w->status, ZS_EXIT_NOMEM);
	return w->status;
}

int zs_writer_add_path(zs_writer *w, const char *path)
{
	walk wk = { .depth = 0 };

	if (!strcmp(path, "-")) {
		witem it = { .kind = W_STDIN, .mode = S_IFREG | 0644,
			     .mtime = time(NULL) };
		return queue_item(w, &it, "-") != 0 ? nomem(w) : w->status;
	}
	if (add_any(w, AT_FDCWD, path, path, archive_name(path), &wk) != 0)
		return nomem(w);
	return w->status;
}

int zs_writer_add_bytes(zs_writer *w, const char *name, const void *data,
			size_t len, uint32_t mode, int64_t mtime)
{
	size_t n = strlen(name);
	witem it = { .kind = W_BYTES, .mode = mode, .mtime = mtime,
		     .size = len };

	if (n && name[n - 1] == '/') {
		it.kind = W_DIR;
		it.size = 0;
	} else if (!(it.src = malloc(len ? len : 1))) {
		return nomem(w);
	} else {
		memcpy(it.src, data, len);
	}
	if (!(mode & S_IFMT))
		it.mode |= it.kind == W_DIR ? S_IFDIR : S_IFREG;
	return queue_item(w, &it, name) != 0 ? nomem(w) : w->status;
}

int zs_writer_add_fill(zs_writer *w, const char *name, uint64_t size,
		       uint32_t mode, int64_t mtime, zs_fill_fn fill, void *ctx)
{
	witem it = { .kind = W_FILL, .mode = mode, .mtime = mtime,
		     .size = size, .fill = fill, .ctx = ctx };

	if (!(mode & S_IFMT))
		it.mode |= S_IFREG;
	return queue_item(w, &it, name) != 0 ? nomem(w) : w->status;
}
