/* SPDX-License-Identifier: MIT */
/*
 * report_list.c - `zipscan list`'s table, in the columns of `unzip -v`.
 *
 * A line per entry, formatted by hand into a buffer (no printf per line)
 * and written in blocks: with printf and snprintf per field, formatting
 * took 1.53 of the 1.88 billion instructions of listing a 200,000-entry
 * archive, four times what testing it takes.  On several threads the
 * entries are formatted in chunks in parallel and the chunks written in
 * order, so the bytes are the same for every thread count.
 */
#include <omp.h>
#include <stdlib.h>

#include "internal.h"

/* Entries formatted as one piece of work, and pieces in flight at once
 * per thread (memory: a chunk's text, about 100 bytes a line). */
#define ZS_LIST_CHUNK 8192
#define ZS_LIST_ROUND 4

/* Percent of space saved, as unzip prints it.  Sizes are the archive's
 * word: in 128 bits, and capped to fit the column (a 2^29-byte entry
 * said to hold 1 byte once made -INT_MIN, found by fuzz_archive). */
static int saved_percent(uint64_t comp, uint64_t uncomp)
{
	if (uncomp == 0)
		return 0;
	uint64_t d = comp > uncomp ? comp - uncomp : uncomp - comp, q;
	if (d < (1ull << 56))   /* 64 bits suffice (a 128-bit division is
				   a library call, on every line) */
		q = (d * 100 + uncomp / 2) / uncomp;
	else
		q = (uint64_t)(((unsigned __int128)d * 100 + uncomp / 2) /
			       uncomp);
	int v = q > 99999 ? 99999 : (int)q;   /* "-99999%" fills the column */
	return comp > uncomp ? -v : v;
}

static const char pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

/* v in decimal, right-aligned in `width` columns (wider if it needs),
 * written from the right two digits a step. */
static char *put_dec(char *p, uint64_t v, int width)
{
	int len = 1;
	for (uint64_t x = v; x >= 10; x /= 10)
		len++;
	int total = len > width ? len : width;
	char *q = p + total;

	if (len < width) {   /* blanks first; width is at most 16 */
		static const char blanks[16] = "                ";
		memcpy(p, blanks, 16);
	}

	while (v >= 100) {
		q -= 2;
		memcpy(q, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, pairs + 2 * v, 2);
	} else {
		*--q = (char)('0' + v);
	}
	return p + total;
}

/* v % 100 in two digits. */
static char *put_2(char *p, unsigned v)
{
	memcpy(p, pairs + 2 * (v % 100), 2);
	return p + 2;
}

static char *put_sep(char *p)
{
	memcpy(p, "  ", 2);
	return p + 2;
}

/* What a thread keeps from line to line: a buffer for names, and the
 * last method's column ("deflate  ", as "%-9s"), which most lines
 * repeat. */
typedef struct line_ctx {
	char *name;
	unsigned method;
	size_t method_len;
	char method_col[32];
} line_ctx;

static char *put_method(char *p, unsigned method, line_ctx *c)
{
	if (method != c->method || !c->method_len) {
		const char *s = zs_method_name(method);
		size_t n = strlen(s);   /* the longest is 9 */
		memset(c->method_col, ' ', 16);
		memcpy(c->method_col, s, n);
		c->method = method;
		c->method_len = n > 9 ? n : 9;
	}
	memcpy(p, c->method_col, 16);   /* the room allows; p moves less */
	return p + c->method_len;
}

/* "-12%" right-aligned in 4 columns, as "%4s" of "%d%%". */
static char *put_ratio(char *p, int r)
{
	char s[8];
	int n = 0;
	unsigned v = r < 0 ? (unsigned)-r : (unsigned)r;

	s[n++] = '%';
	do {
		s[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (r < 0)
		s[n++] = '-';
	for (int k = n; k < 4; k++)
		*p++ = ' ';
	while (n)
		*p++ = s[--n];
	return p;
}

/* "YYYY-MM-DD HH:MM" from the DOS date and time, as zs_entry_mtime. */
static char *put_when(char *p, unsigned d, unsigned t)
{
	unsigned year = 1980 + (d >> 9);   /* 1980-2107 */

	p = put_2(p, year / 100);
	p = put_2(p, year);
	*p++ = '-';
	p = put_2(p, (d >> 5) & 15);
	*p++ = '-';
	p = put_2(p, d & 31);
	*p++ = ' ';
	p = put_2(p, t >> 11);
	*p++ = ':';
	return put_2(p, (t >> 5) & 63);
}

static char *put_hex8(char *p, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";

	for (int k = 7; k >= 0; k--, v >>= 4)
		p[k] = hex[v & 15];
	return p + 8;
}

/* A growing text buffer. */
typedef struct text {
	char *buf;
	size_t len, cap;
	int failed;
} text;

/* Room for n more bytes. */
static char *text_room(text *t, size_t n)
{
	if (t->cap - t->len < n) {
		size_t cap = t->cap ? t->cap : 1 << 16;
		while (cap - t->len < n)
			cap *= 2;
		char *b = realloc(t->buf, cap);
		if (!b) {
			t->failed = 1;
			return NULL;
		}
		t->buf = b;
		t->cap = cap;
	}
	return t->buf + t->len;
}

/* Are the n bytes at s all ASCII?  A word at a time. */
static int all_ascii(const uint8_t *s, size_t n)
{
	uint64_t x, any = 0;
	size_t k = 0;

	for (; k + 8 <= n; k += 8) {
		memcpy(&x, s + k, 8);
		any |= x;
	}
	for (; k < n; k++)
		any |= s[k];
	return (any & 0x8080808080808080ull) == 0;
}

/* Entry i's name as zs_entry_name_utf8 gives it: an ASCII name in
 * place, others converted into buf (a zs_name_buf). */
static const char *line_name(const zs_archive *a, size_t i, char *buf,
			     size_t *n)
{
	const uint8_t *raw = a->data + a->index.name_offset[i];
	size_t len = a->index.name_len[i];
	const char *s = (const char *)raw;

	if (!all_ascii(raw, len)) {
		len = zs_entry_name_utf8(a, i, buf);
		s = buf;
	}
	*n = len;
	return s;
}

/* Entry i's line, appended to t. */
static void put_line(const zs_archive *a, size_t i, line_ctx *c, text *t)
{
	const zs_index *ix = &a->index;
	size_t n;
	const char *name = line_name(a, i, c->name, &n);
	/* the fields take 99 bytes at most (20-digit sizes, the method
	 * column written 16 bytes wide); the name twice its length */
	char *p = text_room(t, 128 + 2 * n), *start = p;
	if (!p)
		return;
	p = put_dec(p, ix->uncomp_size[i], 10);
	p = put_method(put_sep(p), ix->method[i], c);
	p = put_dec(put_sep(p), ix->comp_size[i], 10);
	p = put_ratio(put_sep(p), saved_percent(ix->comp_size[i],
						ix->uncomp_size[i]));
	p = put_when(put_sep(p), ix->dos_date[i], ix->dos_time[i]);
	p = put_hex8(put_sep(p), ix->crc32[i]);
	p = put_sep(p);
	if (a->n_sozip) {   /* the SOZip column, as "%-5s  " */
		memcpy(p, zs_entry_sozip_chunk(a, i) ? "yes    " : "-      ",
		       7);
		p += 7;
	}
	p = zs_text_escape(p, name, n);
	*p++ = '\n';
	t->len += (size_t)(p - start);
}

/* The lines of the selected entries among [from, to). */
static void put_chunk(const zs_archive *a, size_t from, size_t to,
		      char *name, text *t)
{
	line_ctx c = { .name = name };

	for (size_t i = from; i < to && !t->failed; i++)
		if (a->index.selected[i])
			put_line(a, i, &c, t);
}

/* The lines of every selected entry, chunk by chunk: a round of chunks
 * formatted on nt threads, then written in order. */
static int put_lines(const zs_archive *a, int nt, FILE *f)
{
	size_t count = a->index.count, per = (size_t)nt * ZS_LIST_ROUND;
	size_t chunks = (count + ZS_LIST_CHUNK - 1) / ZS_LIST_CHUNK;
	text *t = calloc(per, sizeof(*t));
	char **names = calloc((size_t)nt, sizeof(*names));
	int failed = !t || !names;

	for (int k = 0; !failed && k < nt; k++)
		failed = !(names[k] = zs_name_buf(&a, 1));
	for (size_t c0 = 0; !failed && c0 < chunks; c0 += per) {
		size_t m = chunks - c0 < per ? chunks - c0 : per;
		if (zs_stopping(a))
			break;   /* Ctrl-C: the caller exits 80 */
		#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) \
			if (m > 1)
		for (size_t k = 0; k < m; k++) {
			size_t from = (c0 + k) * ZS_LIST_CHUNK;
			size_t to = count - from < ZS_LIST_CHUNK ? count :
				    from + ZS_LIST_CHUNK;
			t[k].len = 0;
			put_chunk(a, from, to, names[omp_get_thread_num()],
				  &t[k]);
		}
		for (size_t k = 0; k < m && !failed; k++)
			failed = t[k].failed ||
				 fwrite(t[k].buf, 1, t[k].len, f) != t[k].len;
	}
	for (size_t k = 0; t && k < per; k++)
		free(t[k].buf);
	for (int k = 0; names && k < nt; k++)
		free(names[k]);
	free(t);
	free(names);
	return failed ? -1 : 0;
}

int zs_report_list_text(const zs_archive *a, FILE *f)
{
	const zs_index *ix = &a->index;
	uint64_t tc = 0, tu = 0;
	size_t n = 0;
	char ratio[8];
	/* one thread below a chunk or two: waking the others costs more */
	int nt = ix->count > 2 * ZS_LIST_CHUNK && a->threads > 1 ?
		 a->threads : 1;

	/* a SOZip column only where there are seek-optimized entries:
	 * other listings stay unzip -v's */
	int seek = a->n_sozip > 0;
	fputs("Archive:  ", f);
	zs_put_text(f, a->path);
	fprintf(f, "\n    Length  Method        Size  Cmpr       Date   Time    "
		"CRC-32  %sName\n----------  ---------  ----------  ----  "
		"----------  -----  --------  %s----\n", seek ? "SOZip  " : "",
		seek ? "-----  " : "");
	if (put_lines(a, nt, f) != 0)
		return -1;
	for (size_t i = 0; i < ix->count; i++)
		if (ix->selected[i]) {
			tc += ix->comp_size[i];
			tu += ix->uncomp_size[i];
			n++;
		}
	snprintf(ratio, sizeof(ratio), "%d%%", saved_percent(tc, tu));
	fprintf(f, "----------             ----------  ----                "
		"                 -------\n%10llu             %10llu  %4s     "
		"                           %zu file%s\n",
		(unsigned long long)tu, (unsigned long long)tc, ratio, n,
		n == 1 ? "" : "s");
	return ferror(f) ? -1 : 0;
}
