/* SPDX-License-Identifier: MIT */
/*
 * inflate64.c - our Deflate64 decoder (ZIP method 9), in the style of a
 * modern table-driven inflater.
 *
 * No fast library decodes Deflate64 (libdeflate, zlib-ng and ISA-L do not),
 * so we do.  Design, for speed:
 *   - a 64-bit bit buffer refilled a word at a time, branch-free, while at
 *     least IN_MARGIN input bytes remain; byte by byte (with zero bytes past
 *     the end, counted, so a short stream is caught) near the end;
 *   - one table lookup per symbol: an 11-bit literal/length table whose
 *     entries carry the symbol, its extra-bit count and codeword length
 *     (subtables for longer codes), an 8-bit distance table likewise;
 *   - a multi-symbol fast path: where two literals' codes fit in the table's
 *     11 bits together, their entry holds both, and one refill feeds up to
 *     three lookups (six literals) before the next;
 *   - matches copied a word at a time, overshooting into room the fast loop
 *     keeps free, so a copy of any length is one tight loop;
 *   - the window is the output buffer itself: a whole entry decodes into
 *     one buffer; a streamed one keeps the last 64 KiB in front of each
 *     chunk (codec.h), so the same loops serve both.
 * The decoder stops where the output space ends, even inside a match or a
 * stored block, and resumes there: its whole state is in zs_inflate64.
 *
 * Validity follows zlib: over-subscribed or incomplete codes are errors,
 * except a single code of length 1 (and an empty distance code), as RFC 1951
 * allows; a codeword that stands for no symbol, a distance before the start
 * of the output and symbols 286/287 are errors.  Bytes after the final
 * block are ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "inflate64.h"
#include "internal.h"

/* Alphabets (RFC 1951 3.2.5-3.2.7; Deflate64 adds distance codes 30-31). */
#define LITLEN_SYMS   288
#define DIST_SYMS     32
#define PRECODE_SYMS  19
#define MAX_CODE_LEN  15
#define SYM_EOB       256
#define MAX_HLIT      286   /* 286 and 287 never occur */

/* Table sizes: main-table bits, and the most entries with subtables for
 * any valid code (zlib's `enough` program: enough 288 11 15, 32 8 15). */
#define LITLEN_BITS   11
#define LITLEN_ENOUGH 2342
#define DIST_BITS     8
#define DIST_ENOUGH   402
#define PRECODE_BITS  7

/*
 * A table entry (32 bits):
 *   0-7    bits to consume: codeword + extra bits (for a subtable pointer:
 *          the main table's bits)
 *   8-11   codeword length (extra bits start there); a subtable pointer's
 *          subtable bits; a double literal's first codeword length
 *   12     DOUBLE: two literals, in bits 16-23 and 24-31
 *   13     SUBTABLE: bits 16-31 are the subtable's start
 *   14     EXCEPTIONAL: end of block (value 0), invalid (value 1), subtable
 *   15     LITERAL
 *   16-31  literal(s), length or distance base, subtable start
 */
#define E_DOUBLE      0x1000u
#define E_SUBTABLE    0x2000u
#define E_EXCEPTIONAL 0x4000u
#define E_LITERAL     0x8000u
#define E_INVALID     (E_EXCEPTIONAL | 1u << 16)
#define E_EOB         E_EXCEPTIONAL

/* The fast loop runs while this much input is left (two word refills per
 * symbol pair, each reading 8 bytes and advancing at most 7) ... */
#define IN_MARGIN     16
/* ... and this much output room: six literal bytes and a stored pair. */
#define OUT_MARGIN    8
/* A match copy may write this far past its end. */
#define COPY_SLACK    32
/* Pair literals only with this much input left: building the pairs costs
 * up to ~10,000 instructions a block, which a short block never earns back
 * (measured on /usr/include's files: no gain on text, 5% on low-entropy
 * data, 2-10% lost on entries of a few KiB). */
#define PAIR_MIN_INPUT (16u << 10)
/* The most bits a length or distance takes: 15-bit codeword + 16 or 14
 * extra bits (length code 285, distance codes 30-31). */
#define DIST_MAX_BITS (MAX_CODE_LEN + 14)

/* Deflate64: bases and extra bits of lengths 257-285 and distances 0-31. */
static const uint16_t length_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 3
};
static const uint8_t length_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 16
};
static const uint16_t dist_base[32] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289,
	16385, 24577, 32769, 49153
};
static const uint8_t dist_extra[32] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14
};
static const uint8_t precode_order[PRECODE_SYMS] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
};

enum { ST_HEADER, ST_HUFFMAN, ST_STORED, ST_DONE, ST_FAILED };
enum { TABLES_NONE, TABLES_FIXED, TABLES_DYNAMIC };

struct zs_inflate64 {
	uint32_t litlen[LITLEN_ENOUGH];
	uint32_t dist[DIST_ENOUGH];
	uint32_t precode[1u << PRECODE_BITS];
	uint32_t litlen_sym[LITLEN_SYMS];  /* each symbol's static entry part */
	uint32_t dist_sym[DIST_SYMS];
	uint8_t lens[LITLEN_SYMS + DIST_SYMS];

	const uint8_t *in, *in_next, *in_end;
	uint64_t bitbuf;         /* bits above bitsleft: zero or the input's */
	unsigned bitsleft;
	unsigned overread;       /* zero bytes fed past the end of the input */

	int state, final, tables, why;
	unsigned flags;          /* as started; -1u before the first start */
	uint32_t match_len, match_dist;  /* a match cut short by a full out */
	uint32_t stored_left;
	int (*fast)(zs_inflate64 *, uint8_t *, size_t *, size_t);
};

/* ---- bits ------------------------------------------------------------- */

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline uint64_t bitmask(unsigned n)
{
	return (1ull << n) - 1;
}

/* A length or distance entry's value: its base plus the extra bits that
 * follow its codeword in `saved` (the bit buffer before consuming it). */
static inline uint32_t entry_value(uint32_t e, uint64_t saved)
{
	return (e >> 16) +
	       (uint32_t)((saved & bitmask(e & 0xff)) >> ((e >> 8) & 0xf));
}

/* Top the bit buffer up to 56-63 bits from 8 readable bytes: whole bytes
 * only, so in_next stays exact; the bits loaded past bitsleft are the
 * input's next bits, which a later refill ORs in again unchanged. */
#define REFILL_FAST()                                                    \
	do {                                                             \
		bitbuf |= load_le64(in_next) << bitsleft;                \
		in_next += (63 - bitsleft) >> 3;                         \
		bitsleft |= 56;                                          \
	} while (0)

#define CONSUME(n)                                                       \
	do {                                                             \
		bitbuf >>= (n);                                          \
		bitsleft -= (n);                                         \
	} while (0)

/* A literal entry's one or two bytes: both stored whatever (a single
 * literal's second is 0, overwritten next), out moved by the count. */
#define PUT_LITERALS(e)                                                  \
	do {                                                             \
		CONSUME((e) & 0xff);                                     \
		out[0] = (uint8_t)((e) >> 16);                           \
		out[1] = (uint8_t)((e) >> 24);                           \
		out += 1 + (((e) >> 12) & 1);                            \
	} while (0)

/* Near the end: a byte at a time, zeros past the end (counted). */
static inline void refill_slow(zs_inflate64 *d)
{
	while (d->bitsleft < 56) {   /* to 56-63: REFILL_FAST needs < 64 */
		uint64_t byte = 0;
		if (d->in_next < d->in_end)
			byte = *d->in_next++;
		else
			d->overread++;
		d->bitbuf |= byte << d->bitsleft;
		d->bitsleft += 8;
	}
}

/* Have bits been consumed that the input never had? */
static inline int overran(const zs_inflate64 *d)
{
	return d->bitsleft < d->overread * 8u;
}

static inline unsigned take_bits(zs_inflate64 *d, unsigned n)
{
	refill_slow(d);
	unsigned v = (unsigned)(d->bitbuf & bitmask(n));
	d->bitbuf >>= n;
	d->bitsleft -= n;
	return v;
}

static zs_codec_result fail(zs_inflate64 *d, int why)
{
	d->state = ST_FAILED;
	d->why = why;
	return ZS_CODEC_BAD;
}

/* ---- tables ----------------------------------------------------------- */

/* The low `len` bits of code, reversed: Deflate sends codewords from their
 * most significant bit, and the tables are indexed by bits as they come. */
static inline unsigned reverse_bits(unsigned code, unsigned len)
{
	code = (code & 0x5555) << 1 | (code >> 1 & 0x5555);
	code = (code & 0x3333) << 2 | (code >> 2 & 0x3333);
	code = (code & 0x0f0f) << 4 | (code >> 4 & 0x0f0f);
	code = (code & 0x00ff) << 8 | (code >> 8 & 0x00ff);
	return code >> (16 - len);
}

/* Which incomplete codes a table may have (RFC 1951 3.2.7, as zlib reads
 * it): none (the precode), a single codeword of length 1 whose other
 * codeword stands for nothing, or also no codewords at all (distances, in
 * a block of literals only). */
enum { CODE_COMPLETE, CODE_SINGLE_OK, CODE_EMPTY_OK };

/* A decode table under construction. */
struct table_build {
	uint32_t *table;
	unsigned bits, enough;
	const uint8_t *lens;
	const uint32_t *sym_entry;       /* each symbol's static part */
	unsigned count[MAX_CODE_LEN + 1];
	uint16_t sorted[LITLEN_SYMS];    /* symbols by (length, symbol) */
	uint16_t rev[LITLEN_SYMS];       /* their codewords, reversed */
	unsigned used;
};

/* Codes longer than the main table: each main-table prefix they share
 * points to a subtable as deep as its codes need (they fill it exactly:
 * the code is complete).  k is the first such code in sorted order. */
static int build_subtables(struct table_build *b, unsigned k, unsigned code,
			   unsigned len)
{
	unsigned bits = b->bits, next = 1u << bits, count[MAX_CODE_LEN + 1];
	unsigned prefix = ~0u, start = 0, sub_bits = 0;

	memcpy(count, b->count, sizeof(count));
	for (; k < b->used; k++, code++) {
		unsigned s = b->sorted[k];
		for (; len < b->lens[s]; len++)
			code <<= 1;
		unsigned rev = reverse_bits(code, len);
		if ((rev & bitmask(bits)) != prefix) {
			prefix = rev & (unsigned)bitmask(bits);
			sub_bits = len - bits;
			int room = 1 << sub_bits;
			for (unsigned l = len;
			     (room -= (int)count[l]) > 0 && l < MAX_CODE_LEN;
			     l++, room <<= 1)
				sub_bits++;
			start = next;
			next += 1u << sub_bits;
			if (next > b->enough)
				return -1;
			b->table[prefix] = E_EXCEPTIONAL | E_SUBTABLE |
					   start << 16 | sub_bits << 8 | bits;
		}
		unsigned rest = len - bits;
		uint32_t e = b->sym_entry[s] + (rest << 8) + rest;
		for (unsigned j = rev >> bits; j < (1u << sub_bits);
		     j += 1u << rest)
			b->table[start + j] = e;
		count[len]--;
	}
	return 0;
}

/* Fill b->table (main part 2^bits entries, subtables after it) from code
 * lengths.  The main table grows by doubling as the lengths do, so a short
 * codeword's copies are made by memcpy rather than one at a time.  Returns
 * 0, or -1 for lengths that make no valid code. */
static int build_table(struct table_build *b, unsigned nsyms, int incomplete)
{
	unsigned offs[MAX_CODE_LEN + 2];
	int left = 1;

	memset(b->count, 0, sizeof(b->count));
	for (unsigned s = 0; s < nsyms; s++)
		b->count[b->lens[s]]++;
	for (unsigned l = 1; l <= MAX_CODE_LEN; l++) {
		left = (left << 1) - (int)b->count[l];
		if (left < 0)
			return -1;           /* over-subscribed */
	}
	b->used = nsyms - b->count[0];
	if (left > 0) {
		int single = b->used == 1 && b->count[1] == 1;
		if (!(single && incomplete >= CODE_SINGLE_OK) &&
		    !(b->used == 0 && incomplete == CODE_EMPTY_OK))
			return -1;           /* incomplete */
		b->table[0] = b->table[1] = E_INVALID | 1u;
	}
	offs[1] = 0;
	for (unsigned l = 1; l <= MAX_CODE_LEN; l++)
		offs[l + 1] = offs[l] + b->count[l];
	for (unsigned s = 0; s < nsyms; s++)
		if (b->lens[s])
			b->sorted[offs[b->lens[s]]++] = (uint16_t)s;

	unsigned k = 0, code = 0, len = 1, size = 2;
	for (; len <= b->bits; len++, code <<= 1) {
		if (len > 1) {
			memcpy(b->table + size, b->table, size * 4);
			size *= 2;
		}
		for (unsigned n = b->count[len]; n > 0; n--, k++, code++) {
			unsigned s = b->sorted[k], rev = reverse_bits(code, len);
			b->rev[s] = (uint16_t)rev;
			b->table[rev] = b->sym_entry[s] + (len << 8) + len;
		}
	}
	if (k == b->used)
		return 0;
	return build_subtables(b, k, code, len);
}

/* Where two literals' codewords fit in the main table's bits together, one
 * entry gives both: written for each pair (in length order, so the inner
 * loop stops at the first too long), as many entries as the pair's bits
 * leave free.  Long literal codes (text) make few pairs and cost little. */
static void pair_literals(struct table_build *b)
{
	const unsigned bits = b->bits;
	unsigned n = 0;
	uint16_t lit[256];

	for (unsigned k = 0; k < b->used; k++) {
		unsigned s = b->sorted[k];
		if (b->lens[s] >= bits)
			break;
		if (s < 256)
			lit[n++] = (uint16_t)s;
	}
	for (unsigned x = 0; x < n; x++) {
		unsigned s1 = lit[x], l1 = b->lens[s1];
		for (unsigned y = 0; y < n; y++) {
			unsigned s2 = lit[y], l = l1 + b->lens[s2];
			if (l > bits)
				break;
			uint32_t e = E_LITERAL | E_DOUBLE | s1 << 16 |
				     s2 << 24 | l1 << 8 | l;
			for (unsigned j = b->rev[s1] | (unsigned)b->rev[s2] << l1;
			     j < (1u << bits); j += 1u << l)
				b->table[j] = e;
		}
	}
}

/* Each symbol's static entry part: Deflate64's, or plain Deflate's. */
static void load_symbols(zs_inflate64 *d)
{
	int plain = d->flags & ZS_INFLATE64_PLAIN;

	for (unsigned s = 0; s < 256; s++)
		d->litlen_sym[s] = E_LITERAL | s << 16;
	d->litlen_sym[SYM_EOB] = E_EOB;
	for (unsigned s = 257; s < 286; s++)
		d->litlen_sym[s] = (uint32_t)length_base[s - 257] << 16 |
				   length_extra[s - 257];
	if (plain)
		d->litlen_sym[285] = 258u << 16;
	d->litlen_sym[286] = d->litlen_sym[287] = E_INVALID;
	for (unsigned s = 0; s < DIST_SYMS; s++)
		d->dist_sym[s] = (uint32_t)dist_base[s] << 16 | dist_extra[s];
	if (plain)
		d->dist_sym[30] = d->dist_sym[31] = E_INVALID;
}

static int build_litlen_dist(zs_inflate64 *d, unsigned nlit, unsigned ndist)
{
	struct table_build b = {
		.table = d->litlen, .bits = LITLEN_BITS, .enough = LITLEN_ENOUGH,
		.lens = d->lens, .sym_entry = d->litlen_sym,
	};
	if (build_table(&b, nlit, CODE_SINGLE_OK) != 0)
		return -1;
	/* pairs pay for their building only over enough symbols */
	if ((size_t)(d->in_end - d->in_next) >= PAIR_MIN_INPUT)
		pair_literals(&b);
	b = (struct table_build){
		.table = d->dist, .bits = DIST_BITS, .enough = DIST_ENOUGH,
		.lens = d->lens + nlit, .sym_entry = d->dist_sym,
	};
	return build_table(&b, ndist, CODE_EMPTY_OK);
}

static void load_fixed(zs_inflate64 *d)
{
	if (d->tables == TABLES_FIXED)
		return;
	memset(d->lens, 8, 144);
	memset(d->lens + 144, 9, 112);
	memset(d->lens + 256, 7, 24);
	memset(d->lens + 280, 8, 8);
	memset(d->lens + LITLEN_SYMS, 5, DIST_SYMS);
	/* the fixed lengths make complete codes: this cannot fail */
	(void)build_litlen_dist(d, LITLEN_SYMS, DIST_SYMS);
	d->tables = TABLES_FIXED;
}

/* The code lengths of a dynamic block, through the precode (RFC 1951
 * 3.2.7). */
/* A bad dynamic header, unless it is bad because the input ended inside
 * it (then zeros were read as lengths): that is a truncated stream. */
static zs_codec_result bad_lengths(zs_inflate64 *d)
{
	return fail(d, overran(d) ? ZS_WHY_TRUNCATED : ZS_WHY_CODE_LENGTHS);
}

static zs_codec_result read_dynamic(zs_inflate64 *d)
{
	uint32_t pre_sym[PRECODE_SYMS];
	unsigned nlit = take_bits(d, 5) + 257;
	unsigned ndist = take_bits(d, 5) + 1;
	unsigned npre = take_bits(d, 4) + 4;

	if (nlit > MAX_HLIT || (ndist > 30 && (d->flags & ZS_INFLATE64_PLAIN)))
		return bad_lengths(d);
	uint8_t pre_lens[PRECODE_SYMS] = { 0 };
	for (unsigned k = 0; k < npre; k++)
		pre_lens[precode_order[k]] = (uint8_t)take_bits(d, 3);
	for (unsigned s = 0; s < PRECODE_SYMS; s++)
		pre_sym[s] = s << 16;
	d->tables = TABLES_NONE;
	struct table_build b = {
		.table = d->precode, .bits = PRECODE_BITS,
		.enough = 1u << PRECODE_BITS, .lens = pre_lens,
		.sym_entry = pre_sym,
	};
	if (build_table(&b, PRECODE_SYMS, CODE_COMPLETE) != 0)
		return bad_lengths(d);
	for (unsigned k = 0; k < nlit + ndist;) {
		refill_slow(d);
		uint32_t e = d->precode[d->bitbuf & bitmask(PRECODE_BITS)];
		unsigned sym = e >> 16, rep;
		uint8_t val = 0;
		d->bitbuf >>= e & 0xff;
		d->bitsleft -= e & 0xff;
		if (sym < 16) {
			d->lens[k++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (k == 0)
				return bad_lengths(d);
			val = d->lens[k - 1];
			rep = 3 + take_bits(d, 2);
		} else if (sym == 17) {
			rep = 3 + take_bits(d, 3);
		} else {
			rep = 11 + take_bits(d, 7);
		}
		if (rep > nlit + ndist - k)
			return bad_lengths(d);
		memset(d->lens + k, val, rep);
		k += rep;
	}
	if (overran(d))
		return fail(d, ZS_WHY_TRUNCATED);
	if (d->lens[SYM_EOB] == 0 || build_litlen_dist(d, nlit, ndist) != 0)
		return bad_lengths(d);
	d->tables = TABLES_DYNAMIC;
	return ZS_CODEC_END;
}

/* ---- blocks ----------------------------------------------------------- */

/* A stored block: to a byte boundary, then give the whole bytes the bit
 * buffer holds back to the input, which the block is copied from. */
static zs_codec_result start_stored(zs_inflate64 *d)
{
	unsigned pad = d->bitsleft & 7;

	d->bitbuf >>= pad;
	d->bitsleft -= pad;
	if (overran(d))
		return fail(d, ZS_WHY_TRUNCATED);
	d->in_next -= d->bitsleft / 8 - d->overread;
	d->bitbuf = 0;
	d->bitsleft = 0;
	d->overread = 0;
	if (d->in_end - d->in_next < 4)
		return fail(d, ZS_WHY_TRUNCATED);
	unsigned len = zs_le16(d->in_next), nlen = zs_le16(d->in_next + 2);
	d->in_next += 4;
	if (len != (~nlen & 0xffffu))
		return fail(d, ZS_WHY_STORED_LEN);
	d->stored_left = len;
	d->state = ST_STORED;
	return ZS_CODEC_END;
}

static zs_codec_result read_header(zs_inflate64 *d)
{
	unsigned hdr = take_bits(d, 3);

	if (overran(d))
		return fail(d, ZS_WHY_TRUNCATED);
	d->final = hdr & 1;
	switch (hdr >> 1) {
	case 0:
		return start_stored(d);
	case 1:
		load_fixed(d);
		break;
	case 2: {
		zs_codec_result r = read_dynamic(d);
		if (r != ZS_CODEC_END)
			return r;
		break;
	}
	default:
		return fail(d, ZS_WHY_BLOCK_TYPE);
	}
	d->state = ST_HUFFMAN;
	return ZS_CODEC_END;
}

static void block_done(zs_inflate64 *d)
{
	d->state = d->final ? ST_DONE : ST_HEADER;
}

/* As much of the stored block as fits; a short input is an error only
 * after what it has is out, so whole and streamed output agree. */
static zs_codec_result copy_stored(zs_inflate64 *d, uint8_t *out,
				   size_t *pos, size_t cap)
{
	size_t n = d->stored_left, avail = (size_t)(d->in_end - d->in_next);

	if (n > cap - *pos)
		n = cap - *pos;
	if (n > avail)
		n = avail;
	memcpy(out + *pos, d->in_next, n);
	d->in_next += n;
	*pos += n;
	d->stored_left -= (uint32_t)n;
	if (d->stored_left == 0) {
		block_done(d);
		return ZS_CODEC_END;
	}
	if (*pos == cap)
		return ZS_CODEC_FULL;
	return fail(d, ZS_WHY_TRUNCATED);
}

/* The rest of a match that did not fit, exactly, as far as room goes. */
static void copy_pending(zs_inflate64 *d, uint8_t *out, size_t *pos,
			 size_t cap)
{
	size_t n = d->match_len, dist = d->match_dist;

	if (n > cap - *pos)
		n = cap - *pos;
	uint8_t *dst = out + *pos;
	const uint8_t *src = dst - dist;
	d->match_len -= (uint32_t)n;
	*pos += n;
	if (dist == 1) {
		memset(dst, *src, n);
		return;
	}
	/* pieces no longer than the distance do not overlap */
	while (n > 0) {
		size_t k = n < dist ? n : dist;
		memcpy(dst, src, k);
		dst += k;
		src += k;
		n -= k;
	}
}

/* ---- Huffman blocks --------------------------------------------------- */

static inline void store64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Copy a match a word at a time, writing up to COPY_SLACK bytes past its
 * end.  Words read only bytes already final: for dist >= 8 each word's
 * source ends before its destination starts; closer matches are a run of
 * one byte, or steps of `dist` bytes. */
static inline void copy_match(uint8_t *out, uint32_t dist, uint32_t len)
{
	uint8_t *dst = out, *const end = out + len;
	const uint8_t *src = out - dist;

	if (dist >= 8) {
		store64(dst, load64(src));
		store64(dst + 8, load64(src + 8));
		store64(dst + 16, load64(src + 16));
		if (len <= 24)
			return;
		dst += 24;
		src += 24;
		do {
			store64(dst, load64(src));
			store64(dst + 8, load64(src + 8));
			dst += 16;
			src += 16;
		} while (dst < end);
	} else if (dist == 1) {
		uint64_t v = 0x0101010101010101ull * *src;
		do {
			store64(dst, v);
			store64(dst + 8, v);
			dst += 16;
		} while (dst < end);
	} else {
		do {
			store64(dst, load64(src));
			dst += dist;
			src += dist;
		} while (dst < end);
	}
}

/* Literals and matches while IN_MARGIN input and OUT_MARGIN output remain:
 * word refills, no bounds checks but the match's.  The next literal/length
 * entry is looked up before a match is copied, so the lookup's latency
 * hides behind the copy.  Returns 1 at the end of the block, -1 on a code
 * for no symbol, -2 on a distance too far back, 0 when near an end or a
 * match did not fit (left in match_len): the careful step goes on. */
static inline __attribute__((always_inline)) int
fast_loop(zs_inflate64 *d, uint8_t *const out0, size_t *pos, size_t cap)
{
	const uint32_t *const lt = d->litlen, *const dt = d->dist;
	const uint8_t *in_next = d->in_next, *const in_end = d->in_end;
	uint64_t bitbuf = d->bitbuf, saved;
	unsigned bitsleft = d->bitsleft;
	uint8_t *out = out0 + *pos, *const out_end = out0 + cap;
	uint32_t e, len, dist;
	int ret = 0;

	if ((size_t)(in_end - in_next) < IN_MARGIN ||
	    (size_t)(out_end - out) < OUT_MARGIN)
		return 0;
	const uint8_t *const in_stop = in_end - IN_MARGIN;
	uint8_t *const out_stop = out_end - OUT_MARGIN;
	REFILL_FAST();
	e = lt[bitbuf & bitmask(LITLEN_BITS)];
	do {
		/* up to three literal entries (each one or two literals,
		 * 11 bits at most) from one refill */
		if (e & E_LITERAL) {
			PUT_LITERALS(e);
			e = lt[bitbuf & bitmask(LITLEN_BITS)];
			if (e & E_LITERAL) {
				PUT_LITERALS(e);
				e = lt[bitbuf & bitmask(LITLEN_BITS)];
				if (e & E_LITERAL) {
					PUT_LITERALS(e);
					REFILL_FAST();
					e = lt[bitbuf & bitmask(LITLEN_BITS)];
					continue;
				}
			}
		}
		if (e & E_EXCEPTIONAL) {
			if (e & E_SUBTABLE) {
				CONSUME(e & 0xff);
				e = lt[(e >> 16) +
				       (bitbuf & bitmask((e >> 8) & 0xf))];
				if (e & E_LITERAL) {
					CONSUME(e & 0xff);
					*out++ = (uint8_t)(e >> 16);
					REFILL_FAST();
					e = lt[bitbuf & bitmask(LITLEN_BITS)];
					continue;
				}
			}
			if (e & E_EXCEPTIONAL) {
				CONSUME(e & 0xff);
				ret = (e >> 16) == 0 ? 1 : -1;
				break;
			}
		}
		/* a length: at least 23 bits are left, it takes 20 at most
		 * after a subtable, 27 without */
		saved = bitbuf;
		CONSUME(e & 0xff);
		len = entry_value(e, saved);
		if (bitsleft < DIST_MAX_BITS)
			REFILL_FAST();
		e = dt[bitbuf & bitmask(DIST_BITS)];
		if (e & E_EXCEPTIONAL) {
			if (e & E_SUBTABLE) {
				CONSUME(e & 0xff);
				e = dt[(e >> 16) +
				       (bitbuf & bitmask((e >> 8) & 0xf))];
			}
			if (e & E_EXCEPTIONAL) {
				ret = -1;
				break;
			}
		}
		saved = bitbuf;
		CONSUME(e & 0xff);
		dist = entry_value(e, saved);
		if (dist > (size_t)(out - out0)) {
			ret = -2;
			break;
		}
		if (len + COPY_SLACK > (size_t)(out_end - out)) {
			d->match_len = len;
			d->match_dist = dist;
			break;
		}
		REFILL_FAST();
		e = lt[bitbuf & bitmask(LITLEN_BITS)];
		copy_match(out, dist, len);
		out += len;
	} while (in_next < in_stop && out < out_stop);
	d->in_next = in_next;
	d->bitbuf = bitbuf;
	d->bitsleft = bitsleft;
	*pos = (size_t)(out - out0);
	return ret;
}

static int fast_generic(zs_inflate64 *d, uint8_t *out, size_t *pos,
			size_t cap)
{
	return fast_loop(d, out, pos, cap);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same loop with BMI2's variable shifts and bit extraction (bzhi,
 * shrx): the extra bits of a length or distance take three instructions
 * instead of eight.  Chosen at run time, as libdeflate does. */
__attribute__((target("bmi2")))
static int fast_bmi2(zs_inflate64 *d, uint8_t *out, size_t *pos, size_t cap)
{
	return fast_loop(d, out, pos, cap);
}
#endif

typedef int fast_fn(zs_inflate64 *, uint8_t *, size_t *, size_t);

static fast_fn *fast_choose(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("bmi2"))
		return fast_bmi2;
#endif
	return fast_generic;
}

static int huffman_fast(zs_inflate64 *d, uint8_t *out, size_t *pos,
			size_t cap)
{
	int r = d->fast(d, out, pos, cap);

	if (r < 0)
		fail(d, r == -1 ? ZS_WHY_SYMBOL : ZS_WHY_DISTANCE);
	return r;
}

/* The entry for the next codeword, through a subtable if need be; *skip
 * gets the main table's bits a subtable entry comes after. */
static inline uint32_t peek(const uint32_t *t, unsigned bits, uint64_t bitbuf,
			    unsigned *skip)
{
	uint32_t e = t[bitbuf & bitmask(bits)];

	*skip = 0;
	if (e & E_SUBTABLE) {
		*skip = e & 0xff;
		e = t[(e >> 16) + ((bitbuf >> *skip) & bitmask((e >> 8) & 0xf))];
	}
	return e;
}

/* Consume an entry's bits (after `skip`); its base plus extra bits. */
static inline uint32_t consume_entry(zs_inflate64 *d, uint32_t e,
				     unsigned skip)
{
	uint64_t saved = d->bitbuf >> skip;
	unsigned n = skip + (e & 0xff);

	d->bitbuf >>= n;
	d->bitsleft -= n;
	return entry_value(e, saved);
}

/* One symbol with every check, near the end of the input or the output.
 * A match is left in match_len for copy_pending.  Returns 1 at the end of
 * the block, 0 to go on, 2 when out is full, -1 on bad data. */
static int huffman_careful(zs_inflate64 *d, uint8_t *out, size_t *pos,
			   size_t cap)
{
	unsigned skip;

	refill_slow(d);
	uint32_t e = peek(d->litlen, LITLEN_BITS, d->bitbuf, &skip);
	if (e & E_LITERAL) {
		if (*pos == cap)
			return 2;      /* not consumed: it is for next time */
		/* one literal a step, even from a pair: near the end of the
		 * input the pair's second code may be cut off, and the first
		 * must then come out as it does in any chunking */
		e = (e & ~(E_DOUBLE | 0xffu)) | ((e >> 8) & 0xf);
		consume_entry(d, e, skip);
		if (overran(d))
			return fail(d, ZS_WHY_TRUNCATED), -1;
		out[(*pos)++] = (uint8_t)(e >> 16);
		return 0;
	}
	uint32_t len = consume_entry(d, e, skip);
	if (overran(d))
		return fail(d, ZS_WHY_TRUNCATED), -1;
	if (e & E_EXCEPTIONAL)
		return (e >> 16) == 0 ? 1 : (fail(d, ZS_WHY_SYMBOL), -1);
	refill_slow(d);
	e = peek(d->dist, DIST_BITS, d->bitbuf, &skip);
	uint32_t dist = consume_entry(d, e, skip);
	if (overran(d))
		return fail(d, ZS_WHY_TRUNCATED), -1;
	if (e & E_EXCEPTIONAL)
		return fail(d, ZS_WHY_SYMBOL), -1;
	if (dist > *pos)
		return fail(d, ZS_WHY_DISTANCE), -1;
	d->match_len = len;
	d->match_dist = dist;
	return 0;
}

static zs_codec_result huffman_block(zs_inflate64 *d, uint8_t *out,
				     size_t *pos, size_t cap)
{
	int r = huffman_fast(d, out, pos, cap);

	if (r == 0 && d->match_len == 0)
		r = huffman_careful(d, out, pos, cap);
	if (r == 1)
		block_done(d);
	if (r < 0)
		return ZS_CODEC_BAD;
	return r == 2 ? ZS_CODEC_FULL : ZS_CODEC_END;
}

/* ---- the API ---------------------------------------------------------- */

zs_codec_result zs_inflate64_run(zs_inflate64 *d, uint8_t *out, size_t *pos,
				 size_t cap)
{
	for (;;) {
		zs_codec_result r = ZS_CODEC_END;
		if (d->match_len) {
			copy_pending(d, out, pos, cap);
			if (d->match_len)
				return ZS_CODEC_FULL;
		}
		switch (d->state) {
		case ST_HEADER:
			r = read_header(d);
			break;
		case ST_STORED:
			r = copy_stored(d, out, pos, cap);
			break;
		case ST_HUFFMAN:
			r = huffman_block(d, out, pos, cap);
			break;
		case ST_DONE:
			return ZS_CODEC_END;
		default:
			return ZS_CODEC_BAD;
		}
		if (r != ZS_CODEC_END)
			return r;
	}
}

zs_inflate64 *zs_inflate64_new(void)
{
	zs_inflate64 *d = malloc(sizeof(*d));

	if (d) {
		d->fast = fast_choose();
		d->flags = ~0u;
		d->state = ST_FAILED;
		d->why = ZS_WHY_NONE;
		d->match_len = 0;
	}
	return d;
}

void zs_inflate64_free(zs_inflate64 *d)
{
	free(d);
}

void zs_inflate64_start(zs_inflate64 *d, const uint8_t *in, size_t in_len,
			unsigned flags)
{
	if (flags != d->flags) {
		d->flags = flags;
		load_symbols(d);
		d->tables = TABLES_NONE;
	}
	d->in = d->in_next = in;
	d->in_end = in + in_len;
	d->bitbuf = 0;
	d->bitsleft = 0;
	d->overread = 0;
	d->state = ST_HEADER;
	d->final = 0;
	d->why = ZS_WHY_NONE;
	d->match_len = d->match_dist = 0;
	d->stored_left = 0;
}

int zs_inflate64_why(const zs_inflate64 *d)
{
	return d->why;
}

size_t zs_inflate64_in_used(const zs_inflate64 *d)
{
	uint64_t loaded = (uint64_t)(d->in_next - d->in) + d->overread;
	uint64_t bits = loaded * 8 - d->bitsleft;
	return (size_t)((bits + 7) / 8);
}

/* ---- as a codec (codec.h) --------------------------------------------- */

static void *codec_create(void)
{
	return zs_inflate64_new();
}

static void codec_destroy(void *st)
{
	zs_inflate64_free(st);
}

static zs_codec_result codec_start(void *st, const uint8_t *in, size_t in_len,
				   unsigned flags, uint64_t usize,
				   uint64_t memory_limit)
{
	/* ~12 KiB of tables; the window is the output buffer */
	(void)flags, (void)usize, (void)memory_limit;
	zs_inflate64_start(st, in, in_len, 0);
	return ZS_CODEC_END;
}

static zs_codec_result codec_run(void *st, uint8_t *out, size_t *pos,
				 size_t cap)
{
	return zs_inflate64_run(st, out, pos, cap);
}

static int codec_why(void *st, uint64_t *need)
{
	(void)need;
	return zs_inflate64_why(st);
}

static size_t codec_in_used(void *st)
{
	return zs_inflate64_in_used(st);
}

const zs_codec_ops zs_codec_deflate64 = {
	.method = 9,
	.max_ratio = ZS_DEFLATE64_MAX_RATIO,
	.history = ZS_INFLATE64_WINDOW,
	.create = codec_create,
	.destroy = codec_destroy,
	.start = codec_start,
	.run = codec_run,
	.why = codec_why,
	.in_used = codec_in_used,
};
