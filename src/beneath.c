/* SPDX-License-Identifier: MIT */
/*
 * beneath.c - the file system side of extraction: open directories beneath
 * the target without following any symlink, create files that have no name
 * until they are complete, and put them in place atomically.
 *
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) does the resolving in the
 * kernel (Linux 5.6+); elsewhere each component is opened with
 * O_NOFOLLOW | O_DIRECTORY, which refuses a symlink at every step.  Files are
 * made with O_TMPFILE where the file system has it: a run killed with -9
 * then leaves nothing behind, not even a temporary name.  They are linked
 * in with linkat() through /proc/self/fd, which fails if the name exists
 * (so "never overwrite" needs no separate check to be race-free); replacing
 * goes through a temporary name and rename(), which replaces a symlink
 * itself, never what it points at.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

static int have_openat2, have_tmpfile;
static pthread_once_t probed = PTHREAD_ONCE_INIT;

static void probe(void)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof(how));

	have_openat2 = fd >= 0;
	if (fd >= 0)
		close(fd);
	/* linking an O_TMPFILE file in needs /proc */
	have_tmpfile = access("/proc/self/fd", X_OK) == 0;
}

void zs_beneath_init(void)
{
	pthread_once(&probed, probe);
}

/* Component by component, refusing symlinks: for kernels before 5.6. */
static int open_dir_walk(int root, const char *path)
{
	int fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char comp[NAME_MAX + 1];

	while (fd >= 0 && *path) {
		const char *slash = strchr(path, '/');
		size_t len = slash ? (size_t)(slash - path) : strlen(path);
		if (len > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, path, len);
		comp[len] = '\0';
		int next = openat(fd, comp, O_RDONLY | O_DIRECTORY |
				  O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		path += len + (slash != NULL);
	}
	return fd;   /* O_RDONLY serves for O_PATH uses too */
}

int zs_open_dir_beneath(int root, const char *path, int flags)
{
	if (!have_openat2)
		return open_dir_walk(root, path);
	struct open_how how = {
		.flags = (uint64_t)(flags | O_DIRECTORY | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	do
		fd = syscall(SYS_openat2, root, *path ? path : ".", &how,
			     sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return (int)fd;
}

int zs_resolves_beneath(int root, const char *path)
{
	if (!have_openat2)
		return 0;  /* the lexical check in path.c still holds */
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH |
					   RESOLVE_NO_MAGICLINKS };
	long fd = syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (fd >= 0) {
		close((int)fd);
		return 0;
	}
	/* a dangling link is fine; leaving the tree is not */
	return errno == EXDEV || errno == ELOOP ? -1 : 0;
}

int zs_create_file(int dir, mode_t mode, char tmp[ZS_TMP_NAME], size_t i)
{
	tmp[0] = '\0';
	if (have_tmpfile) {
		int fd = openat(dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC,
				mode);
		if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
				errno != EINVAL))
			return fd;
	}
	snprintf(tmp, ZS_TMP_NAME, ".zipscan-%ld-%zu.tmp", (long)getpid(), i);
	return openat(dir, tmp, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW |
		      O_CLOEXEC, mode);
}

void zs_discard_file(int dir, int fd, const char *tmp)
{
	close(fd);
	if (tmp[0])
		unlinkat(dir, tmp, 0);
}

/* Give the unnamed file fd the name `name` in dir, unless it exists. */
static int link_unnamed(int dir, int fd, const char *name)
{
	char proc[32];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, dir, name, AT_SYMLINK_FOLLOW);
}

int zs_place_file(int dir, int fd, char tmp[ZS_TMP_NAME], const char *name,
		  int replace, size_t i)
{
	if (!tmp[0]) {
		if (link_unnamed(dir, fd, name) == 0)
			return 0;
		if (errno != EEXIST || !replace)
			return -1;
		/* replacing: name it first, then rename over */
		snprintf(tmp, ZS_TMP_NAME, ".zipscan-%ld-%zu.tmp",
			 (long)getpid(), i);
		if (link_unnamed(dir, fd, tmp) != 0) {
			tmp[0] = '\0';
			return -1;
		}
	}
	if (renameat2(dir, tmp, dir, name, replace ? 0 : RENAME_NOREPLACE)
	    != 0)
		return -1;
	tmp[0] = '\0';
	return 0;
}
