// SPDX-License-Identifier: MIT
/*
 * writer_fetch.c - a unit of a file read by the thread that compresses it
 * (writer_pipeline.c): the file opened there when the unit is the whole
 * file, else read at its offset through the descriptor the sequential
 * stage opened; after the file's last unit, fstat says whether it changed
 * while being read.  Reading on every thread spreads the kernel's copies
 * over the cores, and a thread's buffer, used again unit after unit, is
 * not faulted in afresh.  What happened is recorded for the sequential
 * writer, which warns in queue order.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "writer.h"

/* len bytes at off, or fewer at the end of the file; a signal that sets
 * the stop flag ends the read.  Returns 0 or an errno. */
static int pread_full(const zs_writer *w, int fd, uint8_t *p, size_t len,
		      uint64_t off, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t k = pread(fd, p + *got, len - *got, (off_t)(off + *got));
		if (k < 0 && errno == EINTR && !(w->o.stop && *w->o.stop))
			continue;
		if (k < 0)
			return errno;
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return 0;
}

/* Is the file as it was queued (size and ctime: no data written)? */
static int unchanged(const witem *it, int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (uint64_t)st.st_size == it->size &&
	       st.st_ctim.tv_sec == it->ctim.tv_sec &&
	       st.st_ctim.tv_nsec == it->ctim.tv_nsec;
}

void zs_w_fetch(const zs_writer *w, const witem *it, int fd, uint64_t off,
		void *buf, size_t len, int last, wfetch *f)
{
	int own = fd < 0;

	memset(f, 0, sizeof(*f));
	if (own && (fd = open(it->src, O_RDONLY | O_CLOEXEC)) < 0) {
		f->open_errno = errno ? errno : EIO;
		return;
	}
	f->read_errno = pread_full(w, fd, buf, len, off, &f->got);
	if (last)
		f->changed = !unchanged(it, fd);
	if (own)
		close(fd);
}
