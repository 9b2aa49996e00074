/* SPDX-License-Identifier: MIT */
/*
 * diff_list.c - one side of a diff: a list of entries (name, size, CRC-32,
 * method, time), filled from an archive's index or by any caller (a
 * catalog's rows), then sorted by the bytes of the names.  Where a side
 * holds several entries of one name the last one added is compared (unzip
 * extracts the last) and the earlier ones are marked shadowed.
 *
 * The list owns a copy of every name, so it outlives the archive.  Sorting
 * is a merge sort, O(n log n) whatever the names, and stable: entries of
 * one name keep the order they were added in.
 */
#include <stdlib.h>

#include "internal.h"

void zs_diff_list_init(zs_diff_list *l, const char *label)
{
	memset(l, 0, sizeof(*l));
	l->label = label;
}

void zs_diff_list_free(zs_diff_list *l)
{
	free(l->items);
	free(l->names);
	memset(l, 0, sizeof(*l));
}

/* Room for `more` bytes in the name arena; -1 if out of memory. */
static int names_reserve(zs_diff_list *l, size_t more)
{
	size_t need;

	if (__builtin_add_overflow(l->names_len, more, &need))
		return -1;
	if (need <= l->names_cap)
		return 0;
	size_t cap = l->names_cap ? l->names_cap : 4096;
	while (cap < need)
		if (__builtin_mul_overflow(cap, 2, &cap))
			return -1;
	char *p = realloc(l->names, cap);
	if (!p)
		return -1;
	l->names = p;
	l->names_cap = cap;
	return 0;
}

int zs_diff_list_add(zs_diff_list *l, const zs_diff_item *it,
		     const char *name, size_t len)
{
	if (len == SIZE_MAX || names_reserve(l, len + 1) != 0)
		return -1;
	if (l->count == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		if (cap > SIZE_MAX / sizeof(*l->items))
			return -1;
		zs_diff_item *p = realloc(l->items, cap * sizeof(*p));
		if (!p)
			return -1;
		l->items = p;
		l->cap = cap;
	}
	zs_diff_item *dst = &l->items[l->count];
	*dst = *it;
	dst->name = NULL;           /* the arena may move until sorted */
	dst->name_len = len;
	dst->name_off = l->names_len;
	dst->seq = l->count++;
	dst->shadowed = 0;
	memcpy(l->names + l->names_len, name, len);
	l->names[l->names_len + len] = '\0';
	l->names_len += len + 1;
	l->sorted = 0;
	return 0;
}

static int name_cmp(const zs_diff_item *x, const zs_diff_item *y)
{
	return zs_bytes_cmp(x->name, x->name_len, y->name, y->name_len);
}

static int item_cmp(const zs_diff_item *x, const zs_diff_item *y)
{
	int c = name_cmp(x, y);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* One pass of a bottom-up merge sort: runs of w from src merged into dst
 * (w < n, so lo + 2w cannot overflow). */
static void merge_pass(zs_diff_item *const *src, zs_diff_item **dst, size_t n,
		       size_t w)
{
	for (size_t lo = 0; lo < n; lo += 2 * w) {
		size_t mid = lo + w < n ? lo + w : n;
		size_t hi = mid + w < n ? mid + w : n;
		size_t a = lo, b = mid, k = lo;
		while (a < mid && b < hi)
			dst[k++] = item_cmp(src[b], src[a]) < 0 ? src[b++] :
				   src[a++];
		while (a < mid)
			dst[k++] = src[a++];
		while (b < hi)
			dst[k++] = src[b++];
	}
}

/* The items in name order: a merge sort of pointers, then one copy.  Its
 * O(n log n) holds whatever the names (glibc's qsort turns to quicksort
 * when its buffer cannot be had). */
static int sort_items(zs_diff_list *l)
{
	size_t n = l->count;
	zs_diff_item **p = malloc(n * sizeof(*p)), **tmp = malloc(n * sizeof(*p));
	zs_diff_item *out = malloc(n * sizeof(*out));
	int rc = p && tmp && out ? 0 : -1;

	for (size_t k = 0; rc == 0 && k < n; k++)
		p[k] = &l->items[k];
	for (size_t w = 1; rc == 0 && w < n; w *= 2) {
		merge_pass(p, tmp, n, w);
		zs_diff_item **swap = p;
		p = tmp;
		tmp = swap;
	}
	for (size_t k = 0; rc == 0 && k < n; k++)
		out[k] = *p[k];
	if (rc == 0) {
		free(l->items);
		l->items = out;
		l->cap = n;
		out = NULL;
	}
	free(p);
	free(tmp);
	free(out);
	return rc;
}

int zs_diff_list_sort(zs_diff_list *l)
{
	/* the arena is final now: the names can be pointed at */
	for (size_t k = 0; k < l->count; k++)
		l->items[k].name = l->names + l->items[k].name_off;
	if (l->count > 1 && sort_items(l) != 0)
		return -1;
	l->shadowed = 0;
	for (size_t k = 0; k < l->count; k++) {
		zs_diff_item *it = &l->items[k];
		it->shadowed = k + 1 < l->count && name_cmp(it, it + 1) == 0;
		l->shadowed += (size_t)it->shadowed;
	}
	l->sorted = 1;
	return 0;
}

/* The item of archive entry i (its name goes apart). */
static zs_diff_item archive_item(const zs_archive *a, size_t i)
{
	const zs_index *ix = &a->index;
	return (zs_diff_item){
		.size = ix->uncomp_size[i],
		.crc32 = ix->crc32[i],
		.method = ix->method[i],
		.mtime = (int64_t)zs_entry_time(a, i),
		.index = (int64_t)i,
		.is_dir = zs_entry_is_dir(a, i) && !zs_entry_is_symlink(a, i),
	};
}

int zs_diff_list_from_archive(zs_diff_list *l, const zs_archive *a)
{
	char *name = zs_name_buf(&a, 1);
	int rc = name ? 0 : -1;

	for (size_t i = 0; rc == 0 && i < a->index.count; i++) {
		if (!a->index.selected[i])
			continue;
		zs_diff_item it = archive_item(a, i);
		size_t n = zs_entry_name_utf8(a, i, name);
		rc = zs_diff_list_add(l, &it, name, n);
	}
	free(name);
	return rc == 0 ? zs_diff_list_sort(l) : -1;
}
