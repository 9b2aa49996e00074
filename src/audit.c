/* SPDX-License-Identifier: MIT */
/*
 * audit.c - the structural findings that need the whole index: other end
 * records that would also validate, names that are unsafe or collide, and
 * directory entries or extra fields that make no sense.
 *
 * These are the ambiguities of "My ZIP isn't your ZIP" (You et al., 2025)
 * and of PyPI's upload checks (security.md section 3): each is something
 * two readers may read two ways.  zipscan reads them one way and says so,
 * as a warning (exit 1), or an error under --strict (exit 3); names equal
 * but for case are only a note (finding.c's table has each level).  check.c
 * finds gaps and overlaps between entries; index.c the end records' own
 * disagreements.  Everything here is linear in the central directory.
 */
#include <stdlib.h>

#include "internal.h"

/* Findings of one kind shown one by one; past this only counted. */
#define ZS_AUDIT_SHOWN 10

enum audit_kind {
	K_ABSOLUTE, K_DOTDOT, K_BACKSLASH, K_CONTROL, K_EMPTY_PART,
	K_EMPTY_NAME, K_DUPLICATE, K_DUPLICATE_PATH, K_CASE, K_DIR_DATA,
	K_ZIP64_LEN, K_EXTRA_DUP, K_UPATH, K_KINDS
};

static const char *const kind_code[K_KINDS] = {
	"absolute-name", "dotdot-name", "backslash-name", "control-name",
	"empty-component", "empty-name", "duplicate-name", "duplicate-path",
	"case-duplicate", "directory-with-data", "zip64-extra-length",
	"duplicate-extra", "unicode-path-differs",
};

typedef struct audit {
	zs_archive *a;
	size_t count[K_KINDS];
	char *clean, *clean2;      /* two names cleaned (max_name_len + 1) */
	char *shown, *shown2;      /* two names as messages show them */
} audit;

/* Count a finding of kind k; record it if it is among the first shown. */
static void note(audit *au, enum audit_kind k, int64_t entry, uint64_t off,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void note(audit *au, enum audit_kind k, int64_t entry, uint64_t off,
		 const char *fmt, ...)
{
	va_list ap;

	if (au->count[k]++ >= ZS_AUDIT_SHOWN)
		return;
	va_start(ap, fmt);
	zs_structural_v(au->a, kind_code[k], entry, off, fmt, ap);
	va_end(ap);
}

static void summarise(audit *au)
{
	for (int k = 0; k < K_KINDS; k++)
		if (au->count[k] > ZS_AUDIT_SHOWN)
			zs_structural(au->a, kind_code[k], -1, 0, "%zu entries "
				      "in all with this finding (%s); the first "
				      "%d are shown", au->count[k],
				      kind_code[k], ZS_AUDIT_SHOWN);
}

/* ---- other end records ------------------------------------------------ */

/* Would an end record at pos be taken by a reader that searches from the
 * start of the comment window, or one that wants the comment to end at end
 * of file?  It must at least point at a central header or be empty. */
static int eocd_validates(const zs_archive *a, uint64_t pos)
{
	const uint8_t *e = a->data + pos;
	uint64_t entries = zs_le16(e + 10), size = zs_le32(e + 12);
	uint64_t off = zs_le32(e + 16), base = a->layout.base;
	uint64_t at;

	if (pos + ZS_EOCD_SIZE + zs_le16(e + 20) == a->size)
		return 1;
	if (entries == 0 && size == 0)
		return 0;  /* an empty archive anywhere: not evidence */
	for (int k = 0; k < 2; k++) {
		if (!zs_add(off, k ? base : 0, &at) || (k && !base))
			continue;
		if (zs_in_bounds(at, 4, pos) &&
		    zs_le32(a->data + at) == ZS_SIG_CENTRAL)
			return 1;
	}
	return 0;
}

static void audit_end_records(audit *au)
{
	zs_archive *a = au->a;
	uint64_t chosen = a->layout.eocd_offset;
	uint64_t lo = a->size > ZS_EOCD_SIZE + ZS_MAX_COMMENT ?
		      a->size - ZS_EOCD_SIZE - ZS_MAX_COMMENT : 0;
	size_t others = 0;

	/* memrchr finds each 'P' (a word at a time): a byte-by-byte loop
	 * here was a quarter of the instructions of testing a batch of
	 * 1,000 30 KB archives, each searched whole */
	for (uint64_t end = a->size - ZS_EOCD_SIZE + 1; end > lo;) {
		const uint8_t *p = memrchr(a->data + lo, 'P', end - lo);
		if (!p)
			break;
		uint64_t pos = (uint64_t)(p - a->data);
		end = pos;
		if (pos == chosen || zs_le32(a->data + pos) != ZS_SIG_EOCD ||
		    !eocd_validates(a, pos))
			continue;
		if (others++ < ZS_AUDIT_SHOWN)
			zs_structural(a, "end-record-candidates", -1, pos,
				      "another end-of-central-directory record "
				      "%s also validates: readers may list "
				      "other entries (this one uses offset "
				      "%llu)", pos > chosen ? "in the comment" :
				      "before the one used",
				      (unsigned long long)chosen);
	}
}

/* ---- names ------------------------------------------------------------ */

/* The entry's whole name for a message, into out (3 bytes per raw byte
 * and one more: zs_audit sizes it from the longest name): UTF-8, control
 * characters (C0, DEL and C1, U+0080-U+009F) as '?'.  Never cut: two names
 * of a collision may differ only in their last bytes. */
static const char *show_name(const zs_archive *a, size_t i, char *out)
{
	size_t n = zs_entry_name_utf8(a, i, out), w = 0;

	/* in place: each step writes no more than it reads */
	for (size_t k = 0; k < n; k++) {
		uint8_t c = (uint8_t)out[k];
		if (c == 0xc2 && k + 1 < n && (uint8_t)out[k + 1] >= 0x80 &&
		    (uint8_t)out[k + 1] <= 0x9f) {
			out[w++] = '?';
			k++;
			continue;
		}
		out[w++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[w] = '\0';
	return out;
}

/* The cleaned path of entry i into out (control bytes: the raw name). */
static size_t clean_name(const zs_archive *a, size_t i, char *out,
			 unsigned *fixes)
{
	const char *name = (const char *)a->data + a->index.name_offset[i];
	size_t n = a->index.name_len[i];

	if (zs_path_has_control((const uint8_t *)name, n)) {
		*fixes = 0;
		memcpy(out, name, n);
		out[n] = '\0';
		return n;
	}
	return zs_path_clean(name, n, out, fixes);
}

/* Equal but for ASCII case; not strncasecmp: a name with control bytes
 * is kept raw and may hold a NUL. */
static int same_folded(const char *x, size_t n, const char *y, size_t m)
{
	if (n != m)
		return 0;
	for (size_t k = 0; k < n; k++) {
		uint8_t c = (uint8_t)x[k], d = (uint8_t)y[k];
		if ((c >= 'A' && c <= 'Z' ? c | 0x20 : c) !=
		    (d >= 'A' && d <= 'Z' ? d | 0x20 : d))
			return 0;
	}
	return 1;
}

/* i's cleaned path (au->clean, n bytes) equals j's (au->clean2, m bytes)
 * after ASCII case folding: say how. */
static void report_collision(audit *au, size_t i, size_t j, size_t n,
			     size_t m)
{
	const zs_archive *a = au->a;
	const zs_index *ix = &a->index;
	const char *sj = show_name(a, j, au->shown2);
	const char *si = show_name(a, i, au->shown);

	if (ix->name_len[i] == ix->name_len[j] &&
	    !memcmp(a->data + ix->name_offset[i], a->data + ix->name_offset[j],
		    ix->name_len[i]))
		note(au, K_DUPLICATE, (int64_t)i, ix->central_offset[i],
		     "entries %zu and %zu are both named \"%s\"", j, i, si);
	else if (m == n && !memcmp(au->clean, au->clean2, n))
		note(au, K_DUPLICATE_PATH, (int64_t)i, ix->central_offset[i],
		     "\"%s\" (entry %zu) and \"%s\" (entry %zu) name the same "
		     "path", sj, j, si, i);
	else
		note(au, K_CASE, (int64_t)i, ix->central_offset[i],
		     "\"%s\" (entry %zu) and \"%s\" (entry %zu) differ only in "
		     "case: one file on Windows and macOS", sj, j, si, i);
}

static void audit_one_name(audit *au, size_t i, unsigned fixes)
{
	const zs_archive *a = au->a;
	const zs_index *ix = &a->index;
	const uint8_t *name = a->data + ix->name_offset[i];
	size_t n = ix->name_len[i];
	uint64_t off = ix->name_offset[i];
	char *s = au->shown;

	if (n == 0) {
		note(au, K_EMPTY_NAME, (int64_t)i, ix->central_offset[i],
		     "entry %zu has an empty name", i);
		return;
	}
	if (zs_path_has_control(name, n))
		note(au, K_CONTROL, (int64_t)i, off, "\"%s\": control bytes in "
		     "the name", show_name(a, i, s));
	if (fixes & (ZS_FIX_ABSOLUTE | ZS_FIX_DRIVE))
		note(au, K_ABSOLUTE, (int64_t)i, off, "\"%s\": an absolute "
		     "name", show_name(a, i, s));
	if (fixes & ZS_FIX_DOTDOT)
		note(au, K_DOTDOT, (int64_t)i, off, "\"%s\": a \"..\" "
		     "component", show_name(a, i, s));
	if (fixes & ZS_FIX_BACKSLASH)
		note(au, K_BACKSLASH, (int64_t)i, off, "\"%s\": backslashes "
		     "(APPNOTE wants '/')", show_name(a, i, s));
	if (fixes & ZS_FIX_EMPTY)
		note(au, K_EMPTY_PART, (int64_t)i, off, "\"%s\": an empty "
		     "component", show_name(a, i, s));
	/* the same test extraction makes (a directory is made, its data
	 * never written) */
	if (zs_entry_is_dir(a, i) && !zs_entry_is_symlink(a, i) &&
	    ix->uncomp_size[i] > 0)
		note(au, K_DIR_DATA, (int64_t)i, ix->central_offset[i],
		     "directory entry \"%s\" holds %llu bytes of data",
		     show_name(a, i, s),
		     (unsigned long long)ix->uncomp_size[i]);
}

/* Every name on its own, then every pair that collides (exactly, after
 * cleaning, or after ASCII case folding), through one name table. */
static int audit_names(audit *au)
{
	zs_archive *a = au->a;
	size_t n = a->index.count;
	zs_table t;
	int rc = zs_table_init(&t, n) == 0 ? 0 : -1;

	for (size_t i = 0; rc == 0 && i < n && !zs_stopping(a); i++) {
		unsigned fixes;
		size_t len = clean_name(a, i, au->clean, &fixes), m = 0;
		uint32_t *slot;
		audit_one_name(au, i, fixes);
		uint64_t h = zs_hash_fold(au->clean, len);
		ZS_TABLE_FIND(&t, h, (m = clean_name(a, v - 1, au->clean2,
						     &fixes),
				      same_folded(au->clean, len, au->clean2, m)),
			      slot);
		if (*slot) {
			report_collision(au, i, *slot - 1, len, m);
		} else {
			*slot = (uint32_t)(i + 1);
			t.used++;
		}
	}
	zs_table_free(&t);
	return rc;
}

/* ---- extra fields ----------------------------------------------------- */

/*
 * A name's skeleton in out, cleaned: each run of non-ASCII bytes as one
 * 0x80, so that one name in two encodings (CP437, Big5 or Shift-JIS in the
 * header, UTF-8 in the extra field) compares equal.  With dbcs, a byte
 * after a non-ASCII one belongs to its character (a double-byte code's
 * trail byte may be ASCII: Big5's "A" in 0xa7 0x41).
 */
static size_t skeleton(const uint8_t *s, size_t n, int dbcs, char *tmp,
		       char *out)
{
	size_t o = 0;
	unsigned fixes;
	for (size_t k = 0; k < n; k++) {
		if (s[k] >= 0x80) {
			if (o == 0 || (uint8_t)tmp[o - 1] != 0x80)
				tmp[o++] = (char)0x80;
			k += dbcs && k + 1 < n;
			continue;
		}
		tmp[o++] = (char)s[k];
	}
	return zs_path_clean(tmp, o, out, &fixes);
}

/*
 * The Unicode Path extra field names the entry (index.c): unzip, bsdtar
 * and 7-Zip read that name, Python and Go the header's.  If they are not
 * one name in two encodings, two readers write two different files: an
 * archive can pass a check of its header names and write `../evil`.
 */
static void audit_unicode_path(audit *au, size_t i, char *utf8)
{
	const zs_archive *a = au->a;
	const zs_index *ix = &a->index;
	uint16_t hn;
	const uint8_t *h = zs_header_name(a, i, &hn);

	if (!ix->upath[i])
		return;
	/* utf8 is 3 * 64 KiB: the scratch and two skeletons, each at most
	 * its name's length and a NUL */
	char *tmp = utf8, *key = utf8 + ZS_MAX_NAME + 1;
	char *ukey = key + ZS_MAX_NAME + 1;
	size_t m = skeleton(a->data + ix->name_offset[i], ix->name_len[i], 0,
			    tmp, ukey);
	for (int dbcs = 0; dbcs < 2; dbcs++) {
		size_t n = skeleton(h, hn, dbcs, tmp, key);
		if (n == m && !memcmp(key, ukey, n))
			return;
	}
	/* the header's name whole, printable ASCII or '?' (utf8 is free
	 * again, and holds 64 KiB) */
	for (size_t k = 0; k < hn; k++)
		utf8[k] = h[k] >= 0x20 && h[k] < 0x7f ? (char)h[k] : '?';
	utf8[hn] = '\0';
	note(au, K_UPATH, (int64_t)i, ix->central_offset[i], "\"%s\": the "
	     "Unicode Path extra field names another path than the header "
	     "(\"%s\"); unzip, bsdtar and 7-Zip use the extra field, Python "
	     "and Go the header", show_name(a, i, au->shown), utf8);
}

/* Sub-fields that say what a name, size or time is: two of one kind leave
 * the choice to the reader. */
static int is_meaning_field(uint16_t id)
{
	return id == ZS_EXTRA_ZIP64 || id == 0x7075 || id == 0x6375 ||
	       id == 0x5455 || id == 0x7875;
}

/* The central extra field of entry i.  An overrunning sub-field is already
 * the entry's error (index.c), so the walk just stops there. */
static void audit_extra(audit *au, size_t i)
{
	const zs_archive *a = au->a;
	const zs_index *ix = &a->index;
	const uint8_t *h = a->data + ix->central_offset[i];
	uint64_t at = ix->central_offset[i] + ZS_CENTRAL_SIZE + zs_le16(h + 28);
	uint32_t len = zs_le16(h + 30), pos = 0;
	uint16_t seen[8];
	size_t n_seen = 0;

	while (pos + 4 <= len) {
		uint16_t id = zs_le16(a->data + at + pos);
		uint16_t sz = zs_le16(a->data + at + pos + 2);
		if (sz > len - pos - 4)
			break;
		if (id == ZS_EXTRA_ZIP64 && sz != 0 && sz != 8 && sz != 16 &&
		    sz != 24 && sz != 28)
			note(au, K_ZIP64_LEN, (int64_t)i, at + pos, "entry %zu: "
			     "a ZIP64 extra field of %u bytes (0, 8, 16, 24 or "
			     "28 expected)", i, sz);
		if (is_meaning_field(id)) {
			for (size_t k = 0; k < n_seen; k++)
				if (seen[k] == id)
					note(au, K_EXTRA_DUP, (int64_t)i,
					     at + pos, "entry %zu: two extra "
					     "fields of type 0x%04x", i, id);
			if (n_seen < 8)
				seen[n_seen++] = id;
		}
		pos += 4u + sz;
	}
}

void zs_audit(zs_archive *a)
{
	audit au = { .a = a };

	/* sized by the names: two 64 KiB buffers for every archive of a
	 * batch were a trim of the heap's top when freed (a TLB shootdown
	 * of the other threads, and fresh pages for the next archive) */
	au.clean = malloc((size_t)a->max_name_len + 1);
	au.clean2 = malloc((size_t)a->max_name_len + 1);
	au.shown = malloc(3 * (size_t)a->max_name_len + 1);
	au.shown2 = malloc(3 * (size_t)a->max_name_len + 1);
	if (a->layout.eocd_offset < a->size)
		audit_end_records(&au);
	if (!au.clean || !au.clean2 || !au.shown || !au.shown2 ||
	    audit_names(&au) != 0)
		zs_finding_add(a, ZS_ERROR, ZS_EXIT_NOMEM, -1, 0,
			       "out of memory checking %zu names",
			       a->index.count);
	/* made for the first Unicode Path field only: 192 KiB for every
	 * archive of a batch was fresh memory, and a trim of the heap's top
	 * (a TLB shootdown of the other threads) when freed */
	char *utf8 = NULL;
	int utf8_failed = 0;
	for (size_t i = 0; i < a->index.count; i++) {
		audit_extra(&au, i);
		if (a->index.upath[i] && !utf8 && !utf8_failed)
			utf8_failed = !(utf8 = malloc(3 * ((size_t)ZS_MAX_NAME +
							   1)));
		if (utf8 && au.shown)
			audit_unicode_path(&au, i, utf8);
	}
	free(utf8);
	summarise(&au);
	free(au.clean);
	free(au.clean2);
	free(au.shown);
	free(au.shown2);
}
