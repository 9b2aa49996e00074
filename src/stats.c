/* SPDX-License-Identifier: MIT */
/*
 * stats.c - the analysis of `zipscan stats`, computed from the index and
 * the scan's per-entry results: kinds, totals, method mix, ratio and size
 * distributions, top entries, extension and directory breakdowns,
 * duplicate candidates, name properties, time span.  The data is never
 * read again: the scan's reductions already summed the bytes.  Everything
 * is sorted with total orders, so the result never depends on the thread
 * count.
 */
#include <stdlib.h>

#include "internal.h"

#define ZS_EXT_MAX 16          /* longer "extensions" count as (other) */

typedef struct item {          /* one entry, for sorting */
	zs_ref ref;
	uint64_t a, b;         /* sort keys */
	const char *key;       /* group key: top-level directory */
	const char *key2;      /* the extension, for files */
} item;

static int item_cmp(const void *x, const void *y)
{
	const item *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	if (p->ref.archive != q->ref.archive)
		return p->ref.archive < q->ref.archive ? -1 : 1;
	return p->ref.entry < q->ref.entry ? -1 : p->ref.entry > q->ref.entry;
}


/* Collect the selected entries of every archive as items. */
static item *collect(zs_archive **as, size_t n, size_t *count)
{
	size_t total = 0, k = 0;
	for (size_t a = 0; a < n; a++)
		total += as[a]->n_selected;
	item *it = calloc(total ? total : 1, sizeof(*it));
	if (!it)
		return NULL;
	for (size_t a = 0; a < n; a++)
		for (size_t i = 0; i < as[a]->index.count; i++)
			if (as[a]->index.selected[i])
				it[k++].ref = (zs_ref){ (uint32_t)a, i };
	*count = total;
	return it;
}

#define IX(s, r) (&(s)->archives[(r).archive]->index)

/* Ratio in millionths, so sorting is exact and deterministic. */
static uint64_t ratio_ppm(uint64_t comp, uint64_t uncomp)
{
	unsigned __int128 r = (unsigned __int128)comp * 1000000u / uncomp;
	return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

static int is_file(const zs_stats *s, zs_ref r)
{
	const zs_archive *a = s->archives[r.archive];
	return !zs_entry_is_dir(a, r.entry) && !zs_entry_is_symlink(a, r.entry);
}

/* Max-heap of items under item_cmp (the worst of the best at the root). */
static void heap_down(item *h, size_t m, size_t k)
{
	for (;;) {
		size_t c = 2 * k + 1;
		if (c >= m)
			return;
		if (c + 1 < m && item_cmp(&h[c + 1], &h[c]) > 0)
			c++;
		if (item_cmp(&h[c], &h[k]) <= 0)
			return;
		item t = h[k];
		h[k] = h[c];
		h[c] = t;
		k = c;
	}
}

static void heap_up(item *h, size_t k)
{
	while (k > 0 && item_cmp(&h[(k - 1) / 2], &h[k]) < 0) {
		item t = h[k];
		h[k] = h[(k - 1) / 2];
		h[(k - 1) / 2] = t;
		k = (k - 1) / 2;
	}
}

/*
 * The `top` smallest items under item_cmp, in order, without sorting them
 * all: a max-heap of the best so far, whose root (the worst of them) a
 * newcomer replaces only if it beats it, then the heap sorted.  O(n log
 * top): --top 100000 on a sorted array of inserts cost entries x top
 * (11 s on 100,000 entries).
 */
static zs_ref *select_top(const item *it, size_t n, size_t top,
			  size_t *out_n)
{
	size_t cap = n < top ? n : top, m = 0;
	item *best = malloc((cap ? cap : 1) * sizeof(*best));
	zs_ref *r = malloc((cap ? cap : 1) * sizeof(*r));

	if (!best || !r) {
		free(best);
		free(r);
		return NULL;
	}
	for (size_t k = 0; k < n && cap; k++) {
		if (m < cap) {
			best[m] = it[k];
			heap_up(best, m++);
		} else if (item_cmp(&it[k], &best[0]) < 0) {
			best[0] = it[k];
			heap_down(best, m, 0);
		}
	}
	qsort(best, m, sizeof(*best), item_cmp);
	for (size_t k = 0; k < m; k++)
		r[k] = best[k].ref;
	free(best);
	*out_n = m;
	return r;
}

static int u64_cmp(const void *x, const void *y)
{
	uint64_t p = *(const uint64_t *)x, q = *(const uint64_t *)y;
	return p < q ? -1 : p > q;
}

/* Ratio percentiles and histogram, and the least and most compressible. */
static int ratio_stats(zs_stats *s, item *it, size_t n, size_t top)
{
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		const zs_index *ix = IX(s, it[k].ref);
		size_t i = it[k].ref.entry;
		if (!is_file(s, it[k].ref) || ix->uncomp_size[i] == 0)
			continue;
		item tmp = it[k];
		it[k] = it[m];
		it[m] = tmp;
		it[m].a = ratio_ppm(ix->comp_size[i], ix->uncomp_size[i]);
		it[m].b = UINT64_MAX - ix->uncomp_size[i];  /* big first */
		m++;
	}
	uint64_t *r = malloc((m ? m : 1) * sizeof(*r));
	if (!r)
		return -1;
	for (size_t k = 0; k < m; k++) {
		r[k] = it[k].a;
		uint64_t b = it[k].a / 100000;   /* tenths */
		if (it[k].a > 1000000)
			b = ZS_RATIO_BUCKETS - 1;    /* grew */
		else if (b > ZS_RATIO_BUCKETS - 2)
			b = ZS_RATIO_BUCKETS - 2;    /* exactly 100% */
		s->ratio_hist[b]++;
	}
	qsort(r, m, sizeof(*r), u64_cmp);
	static const unsigned pct[ZS_PERCENTILES] = { 10, 25, 50, 75, 90, 99 };
	for (int p = 0; p < ZS_PERCENTILES && m; p++) {
		size_t rank = (m * pct[p] + 99) / 100;   /* nearest rank */
		s->ratio_pct[p] = (double)r[rank ? rank - 1 : 0] / 1e4;
	}
	free(r);
	s->n_ratio = m;
	s->most = select_top(it, m, top, &s->n_most);
	/* least compressible: highest ratio first, the bigger on ties */
	for (size_t k = 0; k < m; k++)
		it[k].a = UINT64_MAX - it[k].a;
	s->least = select_top(it, m, top, &s->n_least);
	return s->most && s->least ? 0 : -1;
}

static int largest(zs_stats *s, item *it, size_t n, size_t top)
{
	for (size_t k = 0; k < n; k++) {
		const zs_index *ix = IX(s, it[k].ref);
		it[k].a = UINT64_MAX - ix->uncomp_size[it[k].ref.entry];
		it[k].b = 0;
	}
	s->largest = select_top(it, n, top, &s->n_largest);
	return s->largest ? 0 : -1;
}

/* Breakdown by key (extension or top-level directory): sort the items by
 * key, sum each run, then order the groups by bytes, biggest first. */
static int group_cmp(const void *x, const void *y)
{
	const zs_group *p = x, *q = y;
	if (p->uncomp != q->uncomp)
		return p->uncomp > q->uncomp ? -1 : 1;
	return strcmp(p->key, q->key);
}

/* The name tables' keyed hash (table.c): the keys are the archive's. */
static uint64_t key_hash(const char *k)
{
	return zs_hash(k, strlen(k));
}

/* Sum the items by key in an open-addressing table (O(n); keys are few),
 * then order the groups by bytes, biggest first. */
static int group_by_key(zs_stats *s, item *it, size_t n, zs_group **out,
			size_t *out_n)
{
	size_t cap = 16, m = 0;
	while (cap < 2 * n)
		cap *= 2;
	size_t *slot = malloc(cap * sizeof(*slot));   /* group + 1, 0: empty */
	zs_group *g = calloc(n ? n : 1, sizeof(*g));
	int rc = -1;

	if (!slot || !g)
		goto out;
	memset(slot, 0, cap * sizeof(*slot));
	for (size_t k = 0; k < n; k++) {
		size_t h = (size_t)key_hash(it[k].key) & (cap - 1);
		while (slot[h] && strcmp(g[slot[h] - 1].key, it[k].key))
			h = (h + 1) & (cap - 1);
		if (!slot[h]) {
			if (!(g[m].key = strdup(it[k].key)))
				goto out;
			slot[h] = ++m;
		}
		zs_group *x = &g[slot[h] - 1];
		const zs_index *ix = IX(s, it[k].ref);
		x->count++;
		x->comp += ix->comp_size[it[k].ref.entry];
		x->uncomp += ix->uncomp_size[it[k].ref.entry];
	}
	qsort(g, m, sizeof(*g), group_cmp);
	rc = 0;
out:
	free(slot);
	*out = g;   /* zs_stats_free frees the keys made so far */
	*out_n = m;
	return rc;
}

/* The extension of a name: after the last '.' of its last component,
 * lower-cased; "(none)" or "(other)" when there is none or it is odd. */
static void name_ext(const char *name, char *out)
{
	const char *base = strrchr(name, '/'), *dot;
	base = base ? base + 1 : name;
	dot = strrchr(base, '.');
	if (!dot || dot == base || !dot[1]) {
		strcpy(out, "(none)");
		return;
	}
	size_t n = strlen(dot + 1);
	/* a control byte or space makes it odd; stop there, the string
	 * may end right after it */
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)dot[1 + k] < 0x21 || dot[1 + k] == 0x7f) {
			n = ZS_EXT_MAX + 1;
			break;
		}
	if (n > ZS_EXT_MAX) {
		strcpy(out, "(other)");
		return;
	}
	for (size_t k = 0; k <= n; k++) {
		char c = dot[1 + k];
		out[k] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
}

/* The first component of a name with its '/', or "(root)". */
static void name_top(const char *name, char *out, size_t cap)
{
	const char *slash = strchr(name, '/');
	if (!slash || slash == name) {
		strcpy(out, "(root)");
		return;
	}
	size_t n = (size_t)(slash - name) + 1;
	if (n >= cap) {   /* cut at a character boundary */
		n = cap - 1;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, name, n);
	out[n] = '\0';
}

#define ZS_TOP_KEY 64           /* top-level directory keys, cut here */
#define ZS_EXT_KEY (ZS_EXT_MAX + 8)

static int zs_stats_groups(zs_stats *s, item *it, size_t n)
{
	char *name = zs_stats_name_buf(s);
	char *tops = malloc((n ? n : 1) * ZS_TOP_KEY);
	char *exts = malloc((n ? n : 1) * ZS_EXT_KEY);
	int rc = -1;

	if (!name || !tops || !exts)
		goto out;
	/* one conversion of each name gives both keys */
	for (size_t k = 0; k < n; k++) {
		zs_entry_name_utf8(s->archives[it[k].ref.archive],
				   it[k].ref.entry, name);
		name_top(name, tops + k * ZS_TOP_KEY, ZS_TOP_KEY);
		it[k].key = tops + k * ZS_TOP_KEY;
		it[k].key2 = NULL;
		if (is_file(s, it[k].ref)) {
			name_ext(name, exts + k * ZS_EXT_KEY);
			it[k].key2 = exts + k * ZS_EXT_KEY;
		}
	}
	if (group_by_key(s, it, n, &s->top_dirs, &s->n_top_dirs) != 0)
		goto out;
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		if (!it[k].key2)
			continue;
		item tmp = it[k];
		tmp.key = tmp.key2;
		it[k] = it[m];
		it[m++] = tmp;
	}
	rc = group_by_key(s, it, m, &s->ext, &s->n_ext);
out:
	free(name);
	free(tops);
	free(exts);
	return rc;
}

/* Duplicate candidates: files with data and the same size and CRC-32;
 * with hashing, confirmed when their XXH3-128 agree too. */
static int dup_cmp(const void *x, const void *y)
{
	const zs_dup_group *p = x, *q = y;
	unsigned __int128 wp = (unsigned __int128)p->size * (p->count - 1);
	unsigned __int128 wq = (unsigned __int128)q->size * (q->count - 1);
	if (wp != wq)
		return wp > wq ? -1 : 1;
	if (p->members[0].archive != q->members[0].archive)
		return p->members[0].archive < q->members[0].archive ? -1 : 1;
	return p->members[0].entry < q->members[0].entry ? -1 : 1;
}

static int confirm(const zs_stats *s, const item *run, size_t len)
{
	if (!s->hashed)
		return 0;
	const zs_index *x0 = IX(s, run[0].ref);
	for (size_t k = 0; k < len; k++) {
		const zs_index *ix = IX(s, run[k].ref);
		size_t i = run[k].ref.entry, i0 = run[0].ref.entry;
		if (ix->status[i] != ZS_ENTRY_OK ||
		    ix->xxh128[2 * i] != x0->xxh128[2 * i0] ||
		    ix->xxh128[2 * i + 1] != x0->xxh128[2 * i0 + 1])
			return -1;
	}
	return 1;
}

static int zs_stats_dups(zs_stats *s, item *it, size_t n, size_t top)
{
	size_t m = 0, groups = 0;
	for (size_t k = 0; k < n; k++) {
		const zs_index *ix = IX(s, it[k].ref);
		size_t i = it[k].ref.entry;
		if (!is_file(s, it[k].ref) || ix->uncomp_size[i] == 0)
			continue;
		item tmp = it[k];   /* swap, so no item is lost */
		it[k] = it[m];
		it[m] = tmp;
		it[m].a = ix->uncomp_size[i];
		it[m++].b = ix->crc32[i];
	}
	qsort(it, m, sizeof(*it), item_cmp);
	zs_dup_group *g = NULL;
	for (size_t k = 0, len; k < m; k += len) {
		for (len = 1; k + len < m && it[k + len].a == it[k].a &&
			      it[k + len].b == it[k].b; len++)
			;
		if (len < 2)
			continue;
		int confirmed = confirm(s, it + k, len);
		if (confirmed < 0) {   /* same size and CRC, other content */
			s->dup_refuted++;
			continue;
		}
		zs_dup_group *ng = realloc(g, (groups + 1) * sizeof(*g));
		zs_ref *mem = malloc(len * sizeof(*mem));
		if (!ng || !mem) {
			free(ng ? ng : g);
			free(mem);
			return -1;
		}
		g = ng;
		for (size_t j = 0; j < len; j++)
			mem[j] = it[k + j].ref;
		g[groups++] = (zs_dup_group){ mem, len, it[k].a,
					      (uint32_t)it[k].b,
					      confirmed };
		s->dup_entries += len;
		s->dup_bytes += it[k].a * (len - 1);
	}
	if (groups)
		qsort(g, groups, sizeof(*g), dup_cmp);
	s->dup_groups = groups;
	s->n_dups = groups < top ? groups : top;
	for (size_t k = s->n_dups; k < groups; k++)
		free(g[k].members);
	s->dups = g;
	return 0;
}

static void method_add(zs_stats *s, unsigned method, uint64_t comp,
		       uint64_t uncomp)
{
	size_t k = 0;
	while (k < s->n_methods && s->methods[k].method != method)
		k++;
	if (k == s->n_methods) {
		zs_method_stat *m = realloc(s->methods, (k + 1) * sizeof(*m));
		if (!m)
			return;
		s->methods = m;
		s->methods[s->n_methods++] = (zs_method_stat){ method, 0, 0, 0 };
	}
	s->methods[k].count++;
	s->methods[k].comp += comp;
	s->methods[k].uncomp += uncomp;
}

static int method_cmp(const void *x, const void *y)
{
	const zs_method_stat *p = x, *q = y;
	return p->method < q->method ? -1 : p->method > q->method;
}

/* Is a DOS date/time plausible (month 1-12, day 1-31, hour < 24)? */
static int dos_time_valid(uint16_t d, uint16_t t)
{
	unsigned mon = (d >> 5) & 15, day = d & 31;
	return mon >= 1 && mon <= 12 && day >= 1 && (t >> 11) < 24 &&
	       ((t >> 5) & 63) < 60;
}

/* Sums over every entry: kinds, totals, methods, sizes, names, times. */
static void entry_sums(zs_stats *s, const item *it, size_t n)
{
	uint32_t tmin = UINT32_MAX, tmax = 0;
	size_t tmin_ref = 0, tmax_ref = 0;

	for (size_t k = 0; k < n; k++) {
		const zs_archive *a = s->archives[it[k].ref.archive];
		const zs_index *ix = &a->index;
		size_t i = it[k].ref.entry;
		s->entries++;
		if (zs_entry_is_dir(a, i))
			s->dirs++;
		else if (zs_entry_is_symlink(a, i))
			s->symlinks++;
		else
			s->files++;
		s->comp += ix->comp_size[i];
		s->uncomp += ix->uncomp_size[i];
		method_add(s, ix->method[i], ix->comp_size[i],
			   ix->uncomp_size[i]);
		uint64_t u = ix->uncomp_size[i];
		s->size_hist[u ? 64 - __builtin_clzll(u) : 0]++;
		switch (ix->status[i]) {
		case ZS_ENTRY_OK: s->ok++; break;
		case ZS_ENTRY_BAD: s->bad++; break;
		case ZS_ENTRY_UNSUPPORTED: s->unsupported++; break;
		case ZS_ENTRY_ENCRYPTED: s->encrypted++; break;
		default: s->untested++; break;
		}
		zs_name_props(a, i, &s->names_utf8_flag, &s->names_non_ascii,
			      &s->names_cp437, &s->names_not_portable);
		if (dos_time_valid(ix->dos_date[i], ix->dos_time[i])) {
			uint32_t t = (uint32_t)ix->dos_date[i] << 16 |
				     ix->dos_time[i];
			if (t < tmin)
				tmin = t, tmin_ref = k;
			if (t > tmax)
				tmax = t, tmax_ref = k;
		}
	}
	if (s->n_methods)
		qsort(s->methods, s->n_methods, sizeof(*s->methods),
		      method_cmp);
	if (tmin != UINT32_MAX) {
		s->has_time = 1;
		zs_entry_mtime(s->archives[it[tmin_ref].ref.archive],
			       it[tmin_ref].ref.entry, s->time_min);
		zs_entry_mtime(s->archives[it[tmax_ref].ref.archive],
			       it[tmax_ref].ref.entry, s->time_max);
	}
}

static void run_sums(zs_stats *s, zs_archive **as, size_t n,
		     const zs_totals *t)
{
	for (size_t k = 0; k < n; k++) {
		s->anomalies += as[k]->findings_count + as[k]->findings_dropped;
		s->seconds_open += as[k]->seconds_open;
		if (t) {
			s->bytes_in += t[k].bytes_in;
			s->bytes_out += t[k].bytes_out;
			s->threads = t[k].threads;
			if (t[k].seconds_scan > s->seconds_scan)
				s->seconds_scan = t[k].seconds_scan;
		}
	}
	s->anomalies += s->bad + s->unsupported + s->encrypted;
}

int zs_stats_compute(zs_archive **as, size_t n, const zs_totals *t,
		     size_t top, zs_stats *s)
{
	double t0 = zs_now();
	size_t count = 0;

	memset(s, 0, sizeof(*s));
	s->archives = as;
	s->n_archives = n;
	item *it = collect(as, n, &count);
	if (!it)
		return -1;
	entry_sums(s, it, count);
	run_sums(s, as, n, t);
	s->hashed = n > 0 && as[0]->index.xxh128 != NULL;
	int rc = largest(s, it, count, top);
	rc |= zs_stats_groups(s, it, count);
	rc |= zs_stats_dups(s, it, count, top);
	/* last: it reorders and trims the items to files with data */
	rc |= ratio_stats(s, it, count, top);
	free(it);
	s->seconds_stats = zs_now() - t0;
	if (n == 1)
		s->seconds_wall = as[0]->seconds_open + s->seconds_stats +
				  (t ? t->seconds_scan : 0);
	return rc ? -1 : 0;
}

void zs_stats_free(zs_stats *s)
{
	free(s->methods);
	free(s->largest);
	free(s->least);
	free(s->most);
	for (size_t k = 0; k < s->n_ext; k++)
		free(s->ext[k].key);
	for (size_t k = 0; k < s->n_top_dirs; k++)
		free(s->top_dirs[k].key);
	free(s->ext);
	free(s->top_dirs);
	for (size_t k = 0; k < s->n_dups; k++)
		free(s->dups[k].members);
	free(s->dups);
	memset(s, 0, sizeof(*s));
}
