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
#include <sys/mman.h>
#include <unistd.h>

#include "huge.h"
#include "inflate_mark.h"

/* Table entry: the bits the symbol takes, code and extra bits (bits 0-7),
 * the code's own length (8-11), what it is (12-15), its value (16-31): a
 * byte, a length or distance base, a raw code-length symbol.  So a length
 * is value + (bits & mask(total)) >> code length, with no table of extra
 * bits.  0 is a hole of an incomplete code (or an unused subtable slot). */
#define F_LIT ZS_MARK_F_LIT
#define F_LEN ZS_MARK_F_LEN
#define F_END ZS_MARK_F_END
#define F_SUB ZS_MARK_F_SUB   /* primary entry: subtable at value, bits 8-11
				 its index bits */
#define ENTRY(len, extra, flags, value) \
	(((uint32_t)(len) + (uint32_t)(extra)) | (uint32_t)(len) << 8 | \
	 (uint32_t)(flags) | (uint32_t)(value) << 16)

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

/* The entry for symbol s of a code of that kind (no flag: a symbol out
 * of the alphabet, an error when met). */
static uint32_t entry_for(unsigned s, unsigned len, int kind)
{
	if (kind == T_RAW)
		return ENTRY(len, 0, F_LIT, s);
	if (kind == T_DIST)
		return s < 30 ? ENTRY(len, dist_extra[s], F_LEN, dist_base[s])
			      : ENTRY(len, 0, 0, 0);
	if (s < 256)
		return ENTRY(len, 0, F_LIT, s);
	if (s == 256)
		return ENTRY(len, 0, F_END, 0);
	if (s < 286)
		return ENTRY(len, len_extra[s - 257], F_LEN,
			     len_base[s - 257]);
	return ENTRY(len, 0, 0, 0);
}

/* Tables are two-level: the first PRIMARY bits index the table (always
 * 2^PRIMARY entries, short codes repeated, so the mask is a constant);
 * codes longer than that go through a subtable (an entry with F_SUB holds
 * its offset) indexed by the bits after them.  A whole 15-bit table (128
 * KiB) costs 32,768 stores per block and misses the cache on every
 * symbol. */
#define PRIMARY ZS_MARK_PRIMARY
#define PRIMARY_MASK ((1u << PRIMARY) - 1)
/* The code-length code (lengths <= 7) gets a one-level table of its own
 * size: the block finder builds one for every candidate header. */
#define RAW_BITS 7u

/* Fill the entries of code r (len bits) in a table of 2^bits entries. */
static void fill(uint32_t *t, unsigned r, unsigned len, unsigned bits,
		 uint32_t e)
{
	for (; r < (1u << bits); r += 1u << len)
		t[r] = e;
}

/* Symbol s of length l, code code: into the primary table of pb bits,
 * or into the subtable of its first PRIMARY bits (made on first use at
 * *free). */
static void place(uint32_t *table, unsigned pb, unsigned code, unsigned l,
		  unsigned max, uint32_t e, unsigned *free_at)
{
	unsigned r = reverse(code, l);
	if (l <= pb) {
		fill(table, r, l, pb, e);
		return;
	}
	uint32_t *head = &table[r & PRIMARY_MASK];
	if (!(*head & F_SUB)) {
		*head = F_SUB | (max - PRIMARY) << 8 |
			(uint32_t)*free_at << 16;
		*free_at += 1u << (max - PRIMARY);
	}
	fill(table + (*head >> 16), r >> PRIMARY, l - PRIMARY, max - PRIMARY,
	     e);
}

/* Build a table from n code lengths.  zlib's rule: complete, or a single
 * code of length 1; no codes at all only for distances (then any distance
 * is an error).  -1 otherwise. */
static int build(const uint8_t *lens, unsigned n, uint32_t *table, int kind)
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
		memset(table, 0, sizeof(*table) << PRIMARY);
		return 0;
	}
	if (left > 0 && max != 1)
		return -1;       /* incomplete */
	unsigned pb = kind == T_RAW ? RAW_BITS : PRIMARY, free_at = 1u << pb;
	if (left > 0 || max > pb)
		memset(table, 0, sizeof(*table) << pb);
	next[1] = 0;
	for (unsigned l = 1; l < 15; l++)
		next[l + 1] = (next[l] + count[l]) << 1;
	for (unsigned s = 0; s < n; s++)
		if (lens[s])
			place(table, pb, next[lens[s]]++, lens[s], max,
			      entry_for(s, lens[s], kind), &free_at);
	return 0;
}

/* The entry the next bits of buf select (0 for a hole). */
static inline uint32_t lookup(const uint32_t *table, uint64_t buf)
{
	return zs_mark_lookup(table, buf);
}

/* A symbol's value with its extra bits, consumed. */
static inline unsigned take_entry(bits *b, uint32_t e)
{
	unsigned total = e & 0xff, code = (e >> 8) & 15;
	unsigned v = (e >> 16) +
		     (unsigned)((b->buf & ((1ull << total) - 1)) >> code);
	b->buf >>= total;
	b->cnt -= total;
	return v;
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
	if (build(lens, 288, d->lit, T_LIT) != 0 ||
	    build(lens + 288, 32, d->dist, T_DIST) != 0)
		return ZS_MARK_BAD;
	return ZS_MARK_OK;
}

/* The code lengths of a dynamic header, through the code-length code. */
static int read_lengths(bits *b, uint8_t *lens, unsigned total)
{
	static const uint8_t order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
					   11, 4, 12, 3, 13, 2, 14, 1, 15 };
	uint8_t cl[19] = { 0 };
	uint32_t table[1u << RAW_BITS];
	unsigned ncl = take(b, 4) + 4;

	for (unsigned k = 0; k < ncl; k++) {
		refill(b);
		cl[order[k]] = (uint8_t)take(b, 3);
	}
	if (build(cl, 19, table, T_RAW) != 0)
		return -1;
	for (unsigned k = 0; k < total;) {
		refill(b);
		uint32_t e = table[b->buf & ((1u << RAW_BITS) - 1)];
		if (!(e & F_LIT))
			return -1;   /* a hole */
		unsigned sym = take_entry(b, e), rep;
		uint8_t val = 0;
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
	if (build(lens, nlit, d->lit, T_LIT) != 0 ||
	    build(lens + nlit, ndist, d->dist, T_DIST) != 0)
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

/* The pages of p[from, to) faulted in by one call (Linux 5.14+;
 * elsewhere, or if refused, page by page on first touch as before).  Any
 * partial page at the ends is left alone. */
static void prefault(void *p, size_t from, size_t to)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + from + pg - 1) & ~(pg - 1);
	uintptr_t e = ((uintptr_t)p + to) & ~(pg - 1);
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)from;
	(void)to;
#endif
}

/* The output moved to a region of `bytes` on huge pages; NULL if out of
 * memory. */
static uint16_t *out_to_huge(zs_mark_dec *d, size_t bytes)
{
	uint16_t *p = zs_big_alloc(bytes);
	if (!p)
		return NULL;
	if (d->len)
		memcpy(p, d->out, d->len * sizeof(*p));
	zs_big_free(d->out, d->cap * sizeof(*d->out));
	d->faulted = d->len;   /* the copy faulted in as much */
	return p;
}

/* Room for `n` more symbols; ZS_MARK_FULL past cap_max.  Past a huge
 * page's worth the output lives on huge pages: a chunk writes megabytes in
 * marker mode, and on a virtual machine their 4 KiB pages, one fault each,
 * were the longest part of the busiest thread's extra time (big.zip at -j2:
 * 1,800 faults, about 13 ms). */
static int __attribute__((noinline)) grow(zs_mark_dec *d, size_t n)
{
	if (d->len + n > d->cap_max)
		return ZS_MARK_FULL;
	size_t cap = d->cap ? d->cap : 1u << 16;
	while (cap < d->len + n)
		cap *= 2;
	if (cap > d->cap_max)
		cap = d->cap_max;
	size_t bytes = cap * sizeof(*d->out);
	uint16_t *p;
	if (bytes >= ZS_HUGE_PAGE) {
		p = out_to_huge(d, bytes);
	} else {
		p = realloc(d->out, bytes);   /* keeps out[0..faulted) in */
	}
	if (!p)
		return ZS_MARK_FULL;
	d->out = p;
	d->cap = cap;
	return ZS_MARK_OK;
}

/* The fast loop writes only where the pages are in: the next AHEAD symbols
 * are faulted in at once when it nears the end of them.  A chunk writes
 * tens of MB in marker mode: a page fault at a time, that was 15% of a
 * harness's CPU time on big.zip (12,581 faults; now 1,029).  Ahead of the
 * output rather than all the room grown, which would clear pages never
 * used. */
#define AHEAD (1u << 19)

static void fault_ahead(zs_mark_dec *d)
{
	size_t to = d->len + AHEAD < d->cap ? d->len + AHEAD : d->cap;
	if (to <= d->faulted)
		return;
	prefault(d->out, d->faulted * sizeof(*d->out), to * sizeof(*d->out));
	d->faulted = to;
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

/* An in-output copy from dist back: 8 symbols at a time when 8+ back, a
 * run of one symbol 4 at a time, else one by one.  Up to 7 symbols are
 * written past the match: the callers keep room for them. */
static inline void copy_back(uint16_t *o, const uint16_t *s, unsigned n,
			     unsigned dist)
{
	if (dist >= 8) {
		for (unsigned k = 0; k < n; k += 8)
			memcpy(o + k, s + k, 16);
	} else if (dist == 1) {
		uint64_t v = s[0] * 0x0001000100010001ull;
		for (unsigned k = 0; k < n; k += 4)
			memcpy(o + k, &v, 8);
	} else {
		for (unsigned k = 0; k < n; k++)
			o[k] = s[k];
	}
}

/* A match of `n` symbols from `dist` back at out[len]: before the start
 * it is markers, inside the output a copy (of markers too).  *mend stays a
 * bound (zs_mark_tail_clean makes it exact): a copy whose source starts
 * before it may have copied markers. */
static inline void copy_match(uint16_t *out, size_t len, size_t *mend,
			      unsigned n, unsigned dist)
{
	if (__builtin_expect(dist <= len, 1)) {
		if (*mend > len - dist)
			*mend = len + n;
		copy_back(out + len, out + len - dist, n, dist);
		return;
	}
	size_t from = ZS_MARK_WINDOW + len - dist;   /* dist <= 32768 */
	unsigned k = 0;
	for (; k < n && from + k < ZS_MARK_WINDOW; k++)
		out[len + k] = (uint16_t)(ZS_MARK_BIT | (from + k));
	for (; k < n; k++)
		out[len + k] = out[len + k - dist];
	*mend = len + n;
}

/* The fast loop runs while at least FAST_IN input bytes are left (every
 * refill is one load: two per turn, 7 bytes each at most, 8 read) and
 * FAST_OUT symbols of room (a longest match and copy_back's overrun). */
#define FAST_IN 32u
#define FAST_OUT (258u + 16u)

static inline void refill_fast(bits *b)
{
	uint64_t v;
	memcpy(&v, b->p, 8);
	b->buf |= v << b->cnt;
	b->p += (63 - b->cnt) >> 3;
	b->cnt |= 56;
}

static inline void consume(bits *b, uint32_t e)
{
	b->buf >>= e & 0xff;
	b->cnt -= e & 0xff;
}

static int fast_ok(const zs_mark_dec *d, size_t len, const bits *b)
{
	return len + FAST_OUT <= d->faulted &&
	       (size_t)(b->end - b->p) >= FAST_IN;
}

/* Far from both ends: up to three literals per refill (56 bits hold three
 * codes of 15), or a match (length code and extra, distance code and
 * extra: 48 bits at most) after a second refill.  Stops, the symbol not
 * consumed, at anything else (end of block, a hole, a symbol out of the
 * alphabet), for the careful loop; ZS_MARK_BAD on a bad distance. */
static int fast_loop(zs_mark_dec *d, bits *io)
{
	const uint32_t *lit = d->lit, *dtab = d->dist;
	uint16_t *const out = d->out;
	size_t len = d->len, mend = d->marker_end;
	size_t len_max = d->faulted - FAST_OUT;   /* fast_ok: faulted >= that */
	bits b = *io;
	const uint8_t *in_max = b.end - FAST_IN;
	int r = ZS_MARK_OK;

	while (len <= len_max && b.p <= in_max) {
		refill_fast(&b);
		uint32_t e = lookup(lit, b.buf);
		if (e & F_LIT) {
			consume(&b, e);
			out[len++] = (uint16_t)(e >> 16);
			e = lookup(lit, b.buf);
			if (e & F_LIT) {
				consume(&b, e);
				out[len++] = (uint16_t)(e >> 16);
				e = lookup(lit, b.buf);
				if (e & F_LIT) {
					consume(&b, e);
					out[len++] = (uint16_t)(e >> 16);
					continue;
				}
			}
		}
		if (!(e & F_LEN))
			break;
		refill_fast(&b);
		unsigned n = take_entry(&b, e);
		uint32_t de = lookup(dtab, b.buf);
		if (!(de & F_LEN)) {
			r = ZS_MARK_BAD;
			break;
		}
		unsigned dist = take_entry(&b, de);
		copy_match(out, len, &mend, n, dist);
		len += n;
	}
	*io = b;
	d->len = len;
	d->marker_end = mend;
	return r;
}

enum { SYM_LIT, SYM_END, SYM_MATCH, SYM_BAD };

/* The next symbol through the general tables, every end checked: a
 * literal (*n its byte), the block's end, or a match of *n from *dist
 * back; SYM_BAD for a hole, a symbol outside the alphabet or input run
 * out.  huffman_body writes what it gives, huffman_skip counts it. */
static inline int next_symbol(bits *b, const zs_mark_dec *d, unsigned *n,
			      unsigned *dist)
{
	refill(b);
	uint32_t e = lookup(d->lit, b->buf);
	if (!(e & (F_LIT | F_LEN | F_END)) || b->over > 8)
		return SYM_BAD;
	if (!(e & F_LEN)) {
		consume(b, e);
		*n = e >> 16;
		return (e & F_END) ? SYM_END : SYM_LIT;
	}
	*n = take_entry(b, e);
	uint32_t de = lookup(d->dist, b->buf);
	if (!(de & F_LEN))
		return SYM_BAD;
	*dist = take_entry(b, de);
	return SYM_MATCH;
}

/* The careful loop: one symbol at a time, every end checked; the fast
 * loop whenever far enough from them. */
static int huffman_body(zs_mark_dec *d)
{
	bits b;
	bits_at(&b, d);
	for (;;) {
		if (d->len + FAST_OUT > d->cap)
			(void)grow(d, FAST_OUT);   /* else careful to the cap */
		if (d->len + FAST_OUT > d->faulted)
			fault_ahead(d);
		if (fast_ok(d, d->len, &b) && fast_loop(d, &b) != ZS_MARK_OK)
			return ZS_MARK_BAD;
		if (room(d, 258 + 8) != ZS_MARK_OK) {
			bits_done(&b, d);
			return ZS_MARK_FULL;
		}
		unsigned n, dist;
		int sym = next_symbol(&b, d, &n, &dist);
		if (sym == SYM_BAD)
			return ZS_MARK_BAD;
		if (sym == SYM_END)
			break;
		if (sym == SYM_LIT) {
			d->out[d->len++] = (uint16_t)n;
			continue;
		}
		copy_match(d->out, d->len, &d->marker_end, n, dist);
		d->len += n;
	}
	return bits_done(&b, d);
}

/* Stored: skip LEN bytes; the header left pos on a byte boundary. */
static int stored_skip(zs_mark_dec *d)
{
	uint64_t at = d->pos >> 3;
	if (at > d->in_len || d->stored_len > d->in_len - at ||
	    d->stored_len > d->cap_max - d->len)
		return ZS_MARK_BAD;
	d->len += d->stored_len;
	d->pos += (uint64_t)d->stored_len * 8;
	return ZS_MARK_OK;
}

/*
 * The walk's tables (deflate_walk.c), made per block from the primary
 * entries: an entry says how many bits its symbol takes with its extra
 * bits (0-5), whether it is a length (W_LEN), what it adds to the count
 * or what the distance is: base (16-31) plus extra bits (8-11) after the
 * code; W_SLOW for what only next_symbol decodes (a longer code, the end
 * of the block, a hole, a symbol outside the alphabet).  A literal counts
 * as a length of 1 with no distance, so the loop takes every symbol the
 * same way, without a branch on its kind.
 */
#define W_SLOW 0x40u
#define W_LEN 0x80u
#define WE(take, len, extra, base) \
	((uint32_t)(take) | (uint32_t)(len) | (uint32_t)(extra) << 8 | \
	 (uint32_t)(base) << 16)
#define WE_TAKE(e) ((e) & 63u)
#define W_MASK ((1u << ZS_MARK_PRIMARY) - 1)

typedef struct walk_tables {
	uint32_t lit[1u << ZS_MARK_PRIMARY];
	uint32_t dist[1u << ZS_MARK_PRIMARY];
} walk_tables;

static uint32_t walk_entry(uint32_t e, int dist)
{
	unsigned total = e & 0xff, code = (e >> 8) & 15, x = total - code;

	if ((e & F_SUB) || !(e & (F_LIT | F_LEN)) || (dist && !(e & F_LEN)))
		return W_SLOW;   /* a longer code, a hole, the block's end */
	if (dist)
		return WE(total, 0, x, e >> 16);
	if (e & F_LIT)
		return WE(code, 0, 0, 1);
	return WE(total, W_LEN, x, e >> 16);
}

static void walk_tables_make(walk_tables *w, const zs_mark_dec *d)
{
	for (unsigned i = 0; i <= W_MASK; i++) {
		w->lit[i] = walk_entry(d->lit[i], 0);
		w->dist[i] = walk_entry(d->dist[i], 1);
	}
}

/* Base plus the extra bits after the code. */
static inline size_t walk_value(uint32_t e, uint64_t buf)
{
	static const uint16_t mask[16] = { 0, 1, 3, 7, 15, 31, 63, 127, 255,
					   511, 1023, 2047, 4095, 8191 };
	unsigned x = (e >> 8) & 15;
	return (e >> 16) + ((buf >> (WE_TAKE(e) - x)) & mask[x]);
}

/* Far from the input's end, the symbols counted into *lenp through the
 * walk's tables.  Stops, the symbol not consumed, at one they mark
 * W_SLOW; ZS_MARK_BAD if a distance went past the count. */
static int skip_fast(const walk_tables *w, bits *io, size_t *lenp)
{
	size_t len = *lenp, far = 0;
	bits b = *io;
	const uint8_t *in_max = b.end - FAST_IN;

	while (b.p <= in_max) {
		refill_fast(&b);   /* 56 bits: a symbol and its distance */
		uint32_t e = w->lit[b.buf & W_MASK];
		uint64_t rest = b.buf >> WE_TAKE(e);
		uint32_t de = w->dist[rest & W_MASK];
		size_t is_len = (e >> 7) & 1;   /* W_LEN */
		if (__builtin_expect((e | (de & (uint32_t)-is_len)) & W_SLOW,
				     0))
			break;
		unsigned dtake = WE_TAKE(de) & (unsigned)-is_len;
		far |= (walk_value(de, rest) > len) & is_len;
		len += walk_value(e, b.buf);
		b.buf = rest >> dtake;
		b.cnt -= WE_TAKE(e) + dtake;
	}
	*io = b;
	*lenp = len;
	return far ? ZS_MARK_BAD : ZS_MARK_OK;
}

/* The symbols of a Huffman block, counted, none written: a reference
 * before the start or past cap_max is ZS_MARK_BAD.  The walk's fast loop
 * whenever far enough from the input's end, next_symbol for the rest. */
static int huffman_skip(zs_mark_dec *d)
{
	bits b;
	walk_tables w;
	size_t len = d->len;
	bits_at(&b, d);
	walk_tables_make(&w, d);
	for (;;) {
		if ((size_t)(b.end - b.p) >= FAST_IN &&
		    (skip_fast(&w, &b, &len) != ZS_MARK_OK || len > d->cap_max))
			return ZS_MARK_BAD;
		unsigned n, dist;
		int sym = next_symbol(&b, d, &n, &dist);
		if (sym == SYM_BAD)
			return ZS_MARK_BAD;
		if (sym == SYM_END)
			break;
		if (sym == SYM_LIT) {
			len++;
			continue;
		}
		if (dist > len || n > d->cap_max - len || b.over > 8)
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
		zs_big_free(d->out, d->cap * sizeof(*d->out));
		free(d);
	}
}

/* Is any of the 4 symbols at p a marker? */
static int any_marker4(const uint16_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return (v & 0x8000800080008000ull) != 0;
}

int zs_mark_tail_clean(zs_mark_dec *d)
{
	if (d->len < ZS_MARK_WINDOW)
		return 0;
	size_t lo = d->len - ZS_MARK_WINDOW, k = d->marker_end;
	while (k >= lo + 4 && !any_marker4(d->out + k - 4))
		k -= 4;
	while (k > lo && !(d->out[k - 1] & ZS_MARK_BIT))
		k--;
	d->marker_end = k;
	return k <= lo;
}
