/* SPDX-License-Identifier: MIT */
/*
 * inflate_mark.c - Deflate (RFC 1951) from a block boundary with an unknown
 * window: back-references before the start become 16-bit markers
 * (inflate_mark.h).  Strict where zlib is strict (over- and under-
 * subscribed codes, HLIT/HDIST ranges, lengths and distances out of the
 * alphabet): whatever it refuses, the caller decodes sequentially.
 */
#include <stdlib.h>
#include <string.h>

#include "inflate_mark.h"

/* Table entry: code length (bits 0-4), kind (5-6), extra bits (8-12),
 * value (16-31).  Length 0 is a hole of an incomplete code. */
enum { K_LIT = ZS_MARK_K_LIT, K_END = ZS_MARK_K_END, K_LEN = ZS_MARK_K_LEN,
       K_BAD = ZS_MARK_K_BAD };
#define ENTRY(len, kind, extra, value) \
	((uint32_t)(len) | (uint32_t)(kind) << 5 | (uint32_t)(extra) << 8 | \
	 (uint32_t)(value) << 16)

static const uint16_t len_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t len_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dist_base[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
	8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* ---- bits ------------------------------------------------------------ */

/* A local bit buffer: at least 56 valid bits after refill; bytes past the
 * end read as zero and are counted in `over`. */
typedef struct bits {
	const uint8_t *p, *end, *in;
	uint64_t buf;
	unsigned cnt;
	size_t over;
} bits;

/* Near the end: a byte at a time. */
static void __attribute__((noinline)) refill_tail(bits *b)
{
	while (b->cnt <= 56) {
		if (b->p < b->end)
			b->buf |= (uint64_t)*b->p++ << b->cnt;
		else
			b->over++;
		b->cnt += 8;
	}
}

static inline void refill(bits *b)
{
	if (__builtin_expect(b->end - b->p >= 8, 1)) {
		uint64_t v;
		memcpy(&v, b->p, 8);   /* little-endian hosts (x86, arm64) */
		b->buf |= v << b->cnt;
		b->p += (63 - b->cnt) >> 3;
		b->cnt |= 56;
		return;
	}
	refill_tail(b);
}

static void bits_at(bits *b, const zs_mark_dec *d)
{
	b->in = d->in;
	b->p = d->in + (d->pos >> 3 < d->in_len ? d->pos >> 3 : d->in_len);
	b->end = d->in + d->in_len;
	b->buf = 0;
	b->cnt = 0;
	b->over = d->pos >> 3 > d->in_len ? (size_t)(d->pos >> 3) - d->in_len
					  : 0;
	refill(b);
	b->buf >>= d->pos & 7;
	b->cnt -= (unsigned)(d->pos & 7);
}

/* Store the position back; ZS_MARK_BAD if it went past the input. */
static int bits_done(const bits *b, zs_mark_dec *d)
{
	d->pos = ((uint64_t)(b->p - b->in) + b->over) * 8 - b->cnt;
	return d->pos > (uint64_t)d->in_len * 8 ? ZS_MARK_BAD : ZS_MARK_OK;
}

static uint32_t take(bits *b, unsigned n)
{
	uint32_t v = (uint32_t)(b->buf & ((1ull << n) - 1));
	b->buf >>= n;
	b->cnt -= n;
	return v;
}

/* ---- Huffman tables ------------------------------------------------- */

static unsigned reverse(unsigned code, unsigned len)
{
	unsigned r = 0;
	for (unsigned k = 0; k < len; k++, code >>= 1)
		r = r << 1 | (code & 1);
	return r;
}

/* What a table decodes to: the code-length code's raw symbols, distances
 * or literals/lengths. */
enum { T_RAW, T_DIST, T_LIT };

/* The entry for symbol s of a code of that kind. */
static uint32_t entry_for(unsigned s, unsigned len, int kind)
{
	if (kind == T_RAW)
		return ENTRY(len, K_LIT, 0, s);
	if (kind == T_DIST)
		return s < 30 ? ENTRY(len, K_LIT, dist_extra[s], dist_base[s])
			      : ENTRY(len, K_BAD, 0, 0);
	if (s < 256)
		return ENTRY(len, K_LIT, 0, s);
	if (s == 256)
		return ENTRY(len, K_END, 0, 0);
	if (s < 286)
		return ENTRY(len, K_LEN, len_extra[s - 257], len_base[s - 257]);
	return ENTRY(len, K_BAD, 0, 0);
}

/* Tables are two-level: the first PRIMARY bits index the table; codes
 * longer than that go through a subtable (an entry with SUB set holds its
 * offset) indexed by the bits after them.  A whole 15-bit table (128 KiB)
 * costs 32,768 stores per block and misses the cache on every symbol. */
#define PRIMARY 10u
#define SUB ZS_MARK_SUB

/* Fill the entries of code r (len bits) in a table of 2^bits entries. */
static void fill(uint32_t *t, unsigned r, unsigned len, unsigned bits,
		 uint32_t e)
{
	for (; r < (1u << bits); r += 1u << len)
		t[r] = e;
}

/* Symbol s of length l, code code: into the primary table, or into the
 * subtable of its first PRIMARY bits (made on first use at *free). */
static void place(uint32_t *table, unsigned code, unsigned l, unsigned max,
		  uint32_t e, unsigned *free_at)
{
	unsigned r = reverse(code, l), pb = max < PRIMARY ? max : PRIMARY;
	if (l <= pb) {
		fill(table, r, l, pb, e);
		return;
	}
	uint32_t *head = &table[r & ((1u << PRIMARY) - 1)];
	if (!(*head & SUB)) {
		*head = SUB | (uint32_t)*free_at << 16;
		*free_at += 1u << (max - PRIMARY);
	}
	fill(table + (*head >> 16), r >> PRIMARY, l - PRIMARY, max - PRIMARY,
	     e);
}

/* Build a table from n code lengths; *tbits gets the primary bits (low
 * 4) and the subtable bits (next 4).  zlib's rule: complete, or a single
 * code of length 1; no codes at all only for distances (then any distance
 * is an error).  -1 otherwise. */
static int build(const uint8_t *lens, unsigned n, uint32_t *table,
		 unsigned *tbits, int kind)
{
	unsigned count[16] = { 0 }, next[16], max = 0;
	for (unsigned s = 0; s < n; s++)
		count[lens[s]]++;
	for (unsigned l = 1; l < 16; l++)
		if (count[l])
			max = l;
	int left = 1;
	for (unsigned l = 1; l < 16; l++) {
		left = left * 2 - (int)count[l];
		if (left < 0)
			return -1;   /* over-subscribed */
	}
	if (max == 0) {
		if (kind != T_DIST)
			return -1;
		*tbits = 1;
		table[0] = table[1] = 0;
		return 0;
	}
	if (left > 0 && max != 1)
		return -1;       /* incomplete */
	unsigned pb = max < PRIMARY ? max : PRIMARY, free_at = 1u << pb;
	*tbits = pb | (max - pb) << 4;
	if (left > 0 || max > PRIMARY)
		memset(table, 0, sizeof(*table) << pb);
	next[1] = 0;
	for (unsigned l = 1; l < 15; l++)
		next[l + 1] = (next[l] + count[l]) << 1;
	for (unsigned s = 0; s < n; s++)
		if (lens[s])
			place(table, next[lens[s]]++, lens[s], max,
			      entry_for(s, lens[s], kind), &free_at);
	return 0;
}

/* One symbol through a table (0 if the bits hit a hole). */
static inline uint32_t decode_sym(bits *b, const uint32_t *table,
				  unsigned tbits)
{
	unsigned pb = tbits & 15;
	uint32_t e = table[b->buf & ((1u << pb) - 1)];
	if (e & SUB)
		e = table[(e >> 16) +
			  ((b->buf >> pb) & ((1u << (tbits >> 4)) - 1))];
	unsigned l = e & 31;
	b->buf >>= l;
	b->cnt -= l;
	return e;
}

/* ---- block headers --------------------------------------------------- */

static int fixed_tables(zs_mark_dec *d)
{
	uint8_t lens[288 + 32];
	memset(lens, 8, 144);
	memset(lens + 144, 9, 112);
	memset(lens + 256, 7, 24);
	memset(lens + 280, 8, 8);
	memset(lens + 288, 5, 32);
	if (build(lens, 288, d->lit, &d->lit_bits, T_LIT) != 0 ||
	    build(lens + 288, 32, d->dist, &d->dist_bits, T_DIST) != 0)
		return ZS_MARK_BAD;
	return ZS_MARK_OK;
}

/* The code lengths of a dynamic header, through the code-length code. */
static int read_lengths(bits *b, uint8_t *lens, unsigned total)
{
	static const uint8_t order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
					   11, 4, 12, 3, 13, 2, 14, 1, 15 };
	uint8_t cl[19] = { 0 };
	uint32_t table[1u << 7];   /* lengths <= 7: one level */
	unsigned tbits, ncl = take(b, 4) + 4;

	for (unsigned k = 0; k < ncl; k++) {
		refill(b);
		cl[order[k]] = (uint8_t)take(b, 3);
	}
	if (build(cl, 19, table, &tbits, T_RAW) != 0)
		return -1;
	for (unsigned k = 0; k < total;) {
		refill(b);
		uint32_t e = decode_sym(b, table, tbits);
		unsigned sym = e >> 16, rep;
		uint8_t val = 0;
		if (!(e & 31))
			return -1;
		if (sym < 16) {
			lens[k++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (k == 0)
				return -1;
			val = lens[k - 1];
			rep = 3 + take(b, 2);
		} else if (sym == 17) {
			rep = 3 + take(b, 3);
		} else {
			rep = 11 + take(b, 7);
		}
		if (rep > total - k)
			return -1;
		memset(lens + k, val, rep);
		k += rep;
	}
	return 0;
}

static int dynamic_tables(zs_mark_dec *d, bits *b)
{
	uint8_t lens[286 + 30];
	unsigned nlit = take(b, 5) + 257, ndist = take(b, 5) + 1;

	refill(b);

	if (nlit > 286 || ndist > 30)
		return ZS_MARK_BAD;
	if (read_lengths(b, lens, nlit + ndist) != 0 || lens[256] == 0)
		return ZS_MARK_BAD;
	if (build(lens, nlit, d->lit, &d->lit_bits, T_LIT) != 0 ||
	    build(lens + nlit, ndist, d->dist, &d->dist_bits, T_DIST) != 0)
		return ZS_MARK_BAD;
	return ZS_MARK_OK;
}

int zs_mark_header(zs_mark_dec *d)
{
	bits b;
	bits_at(&b, d);
	d->final = (int)take(&b, 1);
	d->type = (int)take(&b, 2);
	int r = ZS_MARK_OK;
	if (d->type == 0) {
		take(&b, b.cnt & 7);   /* to the byte boundary */
		uint32_t len = take(&b, 16), nlen = take(&b, 16);
		if ((len ^ 0xffff) != nlen)
			r = ZS_MARK_BAD;
		d->stored_len = len;
	} else if (d->type == 1) {
		r = fixed_tables(d);
	} else if (d->type == 2) {
		r = dynamic_tables(d, &b);
	} else {
		r = ZS_MARK_BAD;
	}
	if (bits_done(&b, d) != ZS_MARK_OK)
		r = ZS_MARK_BAD;
	return r;
}

/* ---- output ---------------------------------------------------------- */

/* Room for `n` more symbols; ZS_MARK_FULL past cap_max. */
static int __attribute__((noinline)) grow(zs_mark_dec *d, size_t n)
{
	if (d->len + n > d->cap_max)
		return ZS_MARK_FULL;
	size_t cap = d->cap ? d->cap : 1u << 16;
	while (cap < d->len + n)
		cap *= 2;
	if (cap > d->cap_max)
		cap = d->cap_max;
	uint16_t *p = realloc(d->out, cap * sizeof(*p));
	if (!p)
		return ZS_MARK_FULL;
	d->out = p;
	d->cap = cap;
	return ZS_MARK_OK;
}

static inline int room(zs_mark_dec *d, size_t n)
{
	return __builtin_expect(d->len + n <= d->cap, 1) ? ZS_MARK_OK :
							  grow(d, n);
}

static int stored_body(zs_mark_dec *d)
{
	uint64_t at = d->pos >> 3;   /* the header left pos on a byte */
	if (at > d->in_len || d->stored_len > d->in_len - at)
		return ZS_MARK_BAD;
	int r = room(d, d->stored_len);
	if (r != ZS_MARK_OK)
		return r;
	for (uint32_t k = 0; k < d->stored_len; k++)
		d->out[d->len + k] = d->in[at + k];
	d->len += d->stored_len;
	d->pos += (uint64_t)d->stored_len * 8;
	return ZS_MARK_OK;
}

/* A match of `n` symbols from `dist` back: before the start it is markers,
 * inside the output a copy (of markers too).  marker_end stays a bound: a
 * copy whose source starts before it may have copied markers.  In-output
 * copies of 8+ back go 8 symbols at a time (up to 7 written past the end:
 * the caller keeps room for them). */
static inline void copy_match(zs_mark_dec *d, unsigned n, unsigned dist)
{
	uint16_t *o = d->out + d->len;
	if (dist <= d->len) {
		const uint16_t *s = o - dist;
		if (dist >= 8)
			for (unsigned k = 0; k < n; k += 8)
				memcpy(o + k, s + k, 16);
		else
			for (unsigned k = 0; k < n; k++)
				o[k] = s[k];
		if (d->marker_end > d->len - dist)
			d->marker_end = d->len + n;
	} else {
		size_t from = ZS_MARK_WINDOW + d->len - dist;
		for (unsigned k = 0; k < n; k++, from++)
			o[k] = from < ZS_MARK_WINDOW ?
				(uint16_t)(ZS_MARK_BIT | from) :
				d->out[from - ZS_MARK_WINDOW];
		d->marker_end = d->len + n;
	}
	d->len += n;
}

/* The length (its code's entry e just taken) and distance of a match;
 * -1 if the distance code is a hole or outside the alphabet. */
static inline int read_match(bits *b, const zs_mark_dec *d, uint32_t e,
			     unsigned *n, unsigned *dist)
{
	*n = (e >> 16) + take(b, (e >> 8) & 31);
	uint32_t de = decode_sym(b, d->dist, d->dist_bits);
	if (!(de & 31) || ((de >> 5) & 3) == K_BAD)
		return -1;
	*dist = (de >> 16) + take(b, (de >> 8) & 31);
	return 0;
}

static int huffman_body(zs_mark_dec *d)
{
	bits b;
	bits_at(&b, d);
	for (;;) {
		if (room(d, 258 + 8) != ZS_MARK_OK) {
			bits_done(&b, d);
			return ZS_MARK_FULL;
		}
		refill(&b);
		uint32_t e = decode_sym(&b, d->lit, d->lit_bits);
		unsigned kind = (e >> 5) & 3;
		if (!(e & 31) || kind == K_BAD || b.over > 8)
			return ZS_MARK_BAD;
		if (kind == K_LIT) {
			d->out[d->len++] = (uint16_t)(e >> 16);
			continue;
		}
		if (kind == K_END)
			break;
		unsigned n, dist;
		if (read_match(&b, d, e, &n, &dist) != 0 ||
		    dist > ZS_MARK_WINDOW)   /* 32768 is the largest base+extra */
			return ZS_MARK_BAD;
		copy_match(d, n, dist);
	}
	return bits_done(&b, d);
}

/* Stored: skip LEN bytes; the header left pos on a byte boundary. */
static int stored_skip(zs_mark_dec *d)
{
	uint64_t at = d->pos >> 3;
	if (at > d->in_len || d->stored_len > d->in_len - at)
		return ZS_MARK_BAD;
	d->len += d->stored_len;
	d->pos += (uint64_t)d->stored_len * 8;
	return ZS_MARK_OK;
}

/* The symbols of a Huffman block, counted, none written: a reference
 * before the start or past cap_max is ZS_MARK_BAD. */
static int huffman_skip(zs_mark_dec *d)
{
	bits b;
	size_t len = d->len;
	bits_at(&b, d);
	for (;;) {
		refill(&b);
		uint32_t e = decode_sym(&b, d->lit, d->lit_bits);
		unsigned kind = (e >> 5) & 3;
		if (kind == K_LIT && (e & 31) && b.over <= 8) {
			len++;
			continue;
		}
		if (!(e & 31) || kind == K_BAD || b.over > 8)
			return ZS_MARK_BAD;
		if (kind == K_END)
			break;
		unsigned n, dist;
		if (read_match(&b, d, e, &n, &dist) != 0 ||
		    dist > len || n > d->cap_max - len)
			return ZS_MARK_BAD;
		len += n;
	}
	if (len > d->cap_max)
		return ZS_MARK_BAD;
	d->len = len;
	return bits_done(&b, d);
}

int zs_mark_skip(zs_mark_dec *d)
{
	return d->type == 0 ? stored_skip(d) : huffman_skip(d);
}

int zs_mark_body(zs_mark_dec *d)
{
	return d->type == 0 ? stored_body(d) : huffman_body(d);
}

int zs_mark_block(zs_mark_dec *d)
{
	int r = zs_mark_header(d);
	return r == ZS_MARK_OK ? zs_mark_body(d) : r;
}

void zs_mark_start(zs_mark_dec *d, const uint8_t *in, size_t in_len,
		   uint64_t pos, size_t cap_max)
{
	d->in = in;
	d->in_len = in_len;
	d->pos = pos;
	d->final = 0;
	d->len = 0;
	d->marker_end = 0;
	d->cap_max = cap_max;
}

void zs_mark_free(zs_mark_dec *d)
{
	if (d) {
		free(d->out);
		free(d);
	}
}

/* Markers through a 64 Ki-entry map (symbol -> byte): one load per
 * symbol.  Only with all 32 KiB known; else each marker is checked. */
static void resolve_mapped(const uint16_t *src, size_t n, const uint8_t *win,
			   uint8_t *dst)
{
	static _Thread_local uint8_t map[1u << 16];
	for (unsigned v = 0; v < 256; v++)
		map[v] = (uint8_t)v;
	memcpy(map + ZS_MARK_BIT, win, ZS_MARK_WINDOW);
	for (size_t k = 0; k < n; k++)
		dst[k] = map[src[k]];
}

int64_t zs_mark_resolve_to(const uint16_t *src, size_t n, const uint8_t *win,
			   size_t known, uint8_t *dst)
{
	if (known == ZS_MARK_WINDOW) {
		resolve_mapped(src, n, win, dst);
		return 0;   /* not counted: that is a pass of its own */
	}
	size_t first = ZS_MARK_WINDOW - known;
	int64_t markers = 0;
	for (size_t k = 0; k < n; k++) {
		uint16_t v = src[k];
		if (v & ZS_MARK_BIT) {
			if ((size_t)(v & 0x7fff) < first)
				return -1;
			v = win[v & 0x7fff];
			markers++;
		}
		dst[k] = (uint8_t)v;
	}
	return markers;
}

int64_t zs_mark_resolve(zs_mark_dec *d, const uint8_t *win, size_t known)
{
	return zs_mark_resolve_to(d->out, d->len, win, known,
				  (uint8_t *)d->out);
}
