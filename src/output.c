/* SPDX-License-Identifier: MIT */
/*
 * output.c - report files written atomically: into a temporary file beside
 * the destination, then renamed over it, so a reader (or make) never sees a
 * half-written report under the final name.
 *
 * Only regular files (and names that do not exist yet) are replaced that
 * way.  A device, FIFO or socket (/dev/null, /dev/stdout, a named pipe) is
 * written directly: renaming over /dev/null as root would turn it into a
 * regular file for every program on the machine.  A symlink is followed,
 * and its target replaced, so the link itself stays a link.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define ZS_OUTPUT_BUFFER (1 << 20)

static int open_temporary(zs_output *o, const char *path);

int zs_output_open(zs_output *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	struct stat st;
	char *real = NULL;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		real = realpath(path, NULL);   /* replace the link's target */
		if (!real)
			return -1;
		path = real;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "w");       /* a device, FIFO or socket */
		o->direct = o->f != NULL;
		return o->f ? 0 : -1;
	}
	int rc = open_temporary(o, path);
	free(real);
	return rc;
}

/* The temporary file beside path that becomes path when committed. */
static int open_temporary(zs_output *o, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
	size_t len = strlen(path) + 32;
	o->path = strdup(path);
	o->tmp = malloc(len);
	if (!o->path || !o->tmp)
		goto fail;
	snprintf(o->tmp, len, "%.*s.%s.tmp-XXXXXX", (int)dir_len, path,
		 path + dir_len);
	int fd = mkstemp(o->tmp);
	if (fd < 0)
		goto fail;
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "w"))) {
		close(fd);
		unlink(o->tmp);
		goto fail;
	}
	setvbuf(o->f, NULL, _IOFBF, ZS_OUTPUT_BUFFER);
	return 0;
fail:
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return -1;
}

int zs_output_commit(zs_output *o)
{
	int rc = 0;

	if (o->direct) {
		rc = ferror(o->f) ? -1 : 0;
		if (fclose(o->f) != 0)
			rc = -1;
	} else if (!o->tmp) {
		rc = fflush(o->f) == 0 && !ferror(o->f) ? 0 : -1;
	} else {
		if (ferror(o->f))
			rc = -1;
		if (fclose(o->f) != 0)
			rc = -1;
		if (rc == 0 && rename(o->tmp, o->path) != 0)
			rc = -1;
		if (rc != 0) {
			int e = errno;
			unlink(o->tmp);
			errno = e;
		}
	}
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return rc;
}

void zs_output_abort(zs_output *o)
{
	if (o->direct)
		fclose(o->f);
	if (o->tmp) {
		fclose(o->f);
		unlink(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
}
