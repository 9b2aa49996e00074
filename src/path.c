/* SPDX-License-Identifier: MIT */
/*
 * path.c - turn an entry's name into a path that stays beneath the target
 * directory, and decide whether a symlink's target does.
 *
 * This is only the lexical half of the defence: extract.c then opens every
 * directory with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so even a
 * clean path is never followed through a symlink, whoever made it.
 */
#include <fnmatch.h>

#include "internal.h"

static int is_control(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

int zs_path_has_control(const uint8_t *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (is_control(s[k]))
			return 1;
	return 0;
}

/* Append component c (n bytes) to out at *o, with a separating '/'. */
static void put_component(char *out, size_t *o, const char *c, size_t n)
{
	if (*o)
		out[(*o)++] = '/';
	memcpy(out + *o, c, n);
	*o += n;
}

/*
 * Clean a UTF-8 name (n bytes, no NUL or control bytes: the caller checked)
 * into out (n + 1 bytes): backslashes become '/', a drive letter and leading
 * slashes go, "." and empty components go, ".." components go.  Returns the
 * length (0: nothing left) and sets *fixes to the ZS_FIX_* bits of what had
 * to be changed; "." and a trailing '/' are not worth a warning.
 */
size_t zs_path_clean(const char *name, size_t n, char *out, unsigned *fixes)
{
	size_t o = 0, k = 0;

	*fixes = 0;
	if (n >= 2 && name[1] == ':' &&
	    ((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z')) {
		*fixes |= ZS_FIX_DRIVE;
		k = 2;
	}
	if (k < n && (name[k] == '/' || name[k] == '\\'))
		*fixes |= ZS_FIX_ABSOLUTE;
	while (k < n) {
		size_t start = k;
		while (k < n && name[k] != '/' && name[k] != '\\')
			k++;
		size_t len = k - start;
		if (k < n && name[k] == '\\')
			*fixes |= ZS_FIX_BACKSLASH;
		k += k < n;   /* the separator */
		if (len == 0) {
			/* "a//b": an empty component, but not the trailing
			 * slash of a directory or the leading one counted as
			 * absolute */
			if (start > 0 && k < n && o > 0)
				*fixes |= ZS_FIX_EMPTY;
			continue;
		}
		if (len == 1 && name[start] == '.')
			continue;
		if (len == 2 && name[start] == '.' && name[start + 1] == '.') {
			*fixes |= ZS_FIX_DOTDOT;
			continue;
		}
		put_component(out, &o, name + start, len);
	}
	out[o] = '\0';
	return o;
}

int zs_path_needs_cleaning(const char *utf8, size_t n, const char *clean,
			   size_t len)
{
	if (n > len && utf8[n - 1] == '/')
		n--;   /* "d/" is written as d */
	return n != len || memcmp(utf8, clean, n) != 0;
}

int zs_entry_matches(const zs_archive *a, size_t i, const char *p,
		     char *utf8, char *clean)
{
	unsigned fixes;
	size_t n = zs_entry_name_utf8(a, i, utf8);

	/* a name with control bytes is refused, never cleaned: its own */
	if (zs_path_has_control((const uint8_t *)utf8, n))
		return fnmatch(p, utf8, 0) == 0;
	size_t len = zs_path_clean(utf8, n, clean, &fixes);
	if (fnmatch(p, clean, 0) == 0)
		return 1;
	if (!zs_entry_is_dir(a, i))
		return 0;
	/* patterns ending in "dir/" keep matching a directory, as unzip's */
	clean[len] = '/';
	clean[len + 1] = '\0';
	return fnmatch(p, clean, 0) == 0;
}

/* Depth of the directory holding path (components before the last). */
static size_t parent_depth(const char *path)
{
	size_t d = 0;
	for (const char *p = path; *p; p++)
		d += *p == '/';
	return d;
}

/*
 * May a symlink at `path` (a clean path) point at `target`?  Only relative
 * targets of the form "../../a/b": the ".." components first, no more of
 * them than the link's depth, then none at all, so that resolving it from
 * the link's directory (all real directories, made by us without following
 * links) can only go down again.  Returns 0 or the ZS_REFUSE_* reason.
 */
int zs_link_target_check(const char *path, const uint8_t *target, size_t n)
{
	size_t ups = 0, k = 0, downs = 0;

	if (n == 0)
		return ZS_REFUSE_LINK_EMPTY;
	if (memchr(target, '\0', n) || zs_path_has_control(target, n))
		return ZS_REFUSE_CONTROL;
	if (target[0] == '/' || memchr(target, '\\', n) ||
	    (n >= 2 && target[1] == ':'))
		return ZS_REFUSE_LINK_ABSOLUTE;
	while (k < n) {
		size_t start = k;
		while (k < n && target[k] != '/')
			k++;
		size_t len = k - start;
		k++;
		if (len == 0 || (len == 1 && target[start] == '.'))
			continue;
		if (len == 2 && target[start] == '.' &&
		    target[start + 1] == '.') {
			if (downs)
				return ZS_REFUSE_LINK_ESCAPES;
			ups++;
			continue;
		}
		downs++;
	}
	return ups > parent_depth(path) ? ZS_REFUSE_LINK_ESCAPES : 0;
}
