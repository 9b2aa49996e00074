/* SPDX-License-Identifier: MIT */
/*
 * extract_update.c - extract -u and -f (unzip's update and freshen):
 * before an entry is decoded, is the file already on disk the entry?
 *
 * unzip's rule first: a file on disk whose time is later than the entry's
 * is kept (only a newer entry replaces a file).  Then a file with the
 * entry's time, size and CRC-32 is left alone, same inode and all: its
 * CRC-32 is read from the disk only when the time and size are equal
 * already, so a Makefile's second run reads each file once and writes
 * nothing.  Anything else (older, another size or CRC-32, a symlink or a
 * device where a file goes) is replaced, atomically, as -o does.  -f
 * leaves out what is not on disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define ZS_UPDATE_CHUNK (256u << 10)

/* Is the regular file `name` in dir (lstat'ed as st) `size` bytes with
 * this CRC-32?  It is opened without following links and must still be
 * the file that was looked at. */
static int file_has_crc(int dir, const char *name, const struct stat *st,
			uint64_t size, uint32_t crc)
{
	struct stat now;
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			O_CLOEXEC);
	uint8_t *buf = fd >= 0 ? malloc(ZS_UPDATE_CHUNK) : NULL;
	uint64_t seen = 0;
	uint32_t c = 0;
	ssize_t got = -1;

	if (buf && fstat(fd, &now) == 0 && S_ISREG(now.st_mode) &&
	    now.st_ino == st->st_ino && now.st_dev == st->st_dev) {
		while ((got = read(fd, buf, ZS_UPDATE_CHUNK)) > 0 &&
		       seen <= size) {
			c = libdeflate_crc32(c, buf, (size_t)got);
			seen += (uint64_t)got;
		}
	}
	free(buf);
	if (fd >= 0)
		close(fd);
	return got == 0 && seen == size && c == crc;
}

/* Is the symlink `name` in dir pointing at target? */
static int link_has_target(int dir, const char *name, const char *target)
{
	size_t n = strlen(target);
	char *buf = malloc(n + 2);
	ssize_t got = buf ? readlinkat(dir, name, buf, n + 1) : -1;
	int same = got >= 0 && (size_t)got == n && !memcmp(buf, target, n);

	free(buf);
	return same;
}

/* With the same time as the entry: is the thing on disk the entry? */
static int same_content(const zs_archive *a, size_t i, int dir,
			const char *name, const struct stat *st,
			const char *link_target)
{
	if (link_target)
		return S_ISLNK(st->st_mode) &&
		       link_has_target(dir, name, link_target);
	return S_ISREG(st->st_mode) &&
	       (uint64_t)st->st_size == a->index.uncomp_size[i] &&
	       file_has_crc(dir, name, st, a->index.uncomp_size[i],
			    a->index.crc32[i]);
}

int zs_update_wanted(const zs_archive *a, zs_extraction *x, size_t i,
		     int dir, const char *name, int mode,
		     const char *link_target)
{
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT || mode != ZS_UPDATE_FRESHEN)
			return 1;   /* new (-u), or writing says what is wrong */
		x->action[i] = ZS_ACT_SKIPPED;
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		x->action[i] = ZS_ACT_FAILED;
		x->step[i] = ZS_STEP_EXISTS;
		x->write_errno[i] = EISDIR;
		return 0;
	}
	int64_t t = (int64_t)zs_entry_time(a, i);
	if ((int64_t)st.st_mtim.tv_sec > t) {
		x->action[i] = ZS_ACT_NEWER;
		return 0;
	}
	if ((int64_t)st.st_mtim.tv_sec < t ||
	    !same_content(a, i, dir, name, &st, link_target))
		return 1;
	x->action[i] = ZS_ACT_UNCHANGED;
	return 0;
}
