/* SPDX-License-Identifier: MIT */
/*
 * entry.c - what one index entry means to a person: its method's name, its
 * name as UTF-8, its time, whether it is a directory, and the text of its
 * error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "codec.h"
#include "internal.h"

const char *zs_method_name(unsigned method)
{
	switch (method) {
	case 0: return "stored";
	case 1: return "shrink";
	case 2: case 3: case 4: case 5: return "reduce";
	case 6: return "implode";
	case 7: return "tokenize";
	case 8: return "deflate";
	case 9: return "deflate64";
	case 10: return "terse-old";
	case 12: return "bzip2";
	case 14: return "lzma";
	case 16: return "cmpsc";
	case 18: return "terse";
	case 19: return "lz77";
	case 20: return "zstd-old";
	case 93: return "zstd";
	case 94: return "mp3";
	case 95: return "xz";
	case 96: return "jpeg";
	case 97: return "wavpack";
	case 98: return "ppmd";
	case 99: return "aes";
	default: return "unknown";
	}
}

/* The words for an enum zs_codec_why. */
static const char *codec_why(unsigned long long why)
{
	static const char *const text[ZS_WHY_COUNT] = {
		[ZS_WHY_NONE] = "invalid",
		[ZS_WHY_TRUNCATED] = "the data ends early",
		[ZS_WHY_INVALID] = "invalid or corrupt data",
		[ZS_WHY_HEADER] = "bad stream header or properties",
		[ZS_WHY_BLOCK_TYPE] = "invalid block type",
		[ZS_WHY_STORED_LEN] = "stored block length fails its check",
		[ZS_WHY_CODE_LENGTHS] = "invalid Huffman code lengths",
		[ZS_WHY_SYMBOL] = "a code that stands for no symbol",
		[ZS_WHY_DISTANCE] = "a match reaches back before the start",
		[ZS_WHY_CHECKSUM] = "the stream's own checksum fails",
		[ZS_WHY_OPTIONS] = "a stream option we do not decode",
	};
	return why < ZS_WHY_COUNT ? text[why] : "invalid";
}

int zs_entry_is_encrypted(const zs_archive *a, size_t i)
{
	return (a->index.flags[i] & ZS_FLAG_ENCRYPTED) ||
	       a->index.method[i] == ZS_METHOD_AES;
}

int zs_entry_is_dir(const zs_archive *a, size_t i)
{
	const zs_index *ix = &a->index;
	uint16_t n = ix->name_len[i];

	/* after the separators are normalised, as extraction sees the name
	 * (zs_path_clean): d\e\ from Windows is a directory, as unzip
	 * makes it, and the audit must say the same */
	if (n > 0 && (a->data[ix->name_offset[i] + n - 1] == '/' ||
		      a->data[ix->name_offset[i] + n - 1] == '\\'))
		return 1;
	/* a Unix host's mode says so even without the slash */
	return (ix->version_made_by[i] >> 8) == 3 &&
	       S_ISDIR((ix->ext_attr[i] >> 16) & 0xffff);
}

int zs_entry_is_symlink(const zs_archive *a, size_t i)
{
	return (a->index.version_made_by[i] >> 8) == 3 &&
	       S_ISLNK((a->index.ext_attr[i] >> 16) & 0xffff);
}

/* Code points of CP437's upper half (0x80-0xff), the encoding APPNOTE
 * prescribes for names without bit 11. */
static const uint16_t cp437_high[128] = {
	0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
	0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
	0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
	0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
	0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
	0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
	0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
	0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
	0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
	0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
	0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
	0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
	0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t len;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int utf8_valid(const uint8_t *s, size_t n)
{
	for (size_t k = 0, len; k < n; k += len)
		if ((len = utf8_seq(s + k, n - k)) == 0)
			return 0;
	return 1;
}

char *zs_name_buf(const zs_archive *const *as, size_t n)
{
	size_t max = 0;
	for (size_t k = 0; k < n; k++)
		if (as[k]->max_name_len > max)
			max = as[k]->max_name_len;
	return malloc(3 * max + 2);   /* + a directory's '/' (zs_select) */
}

size_t zs_utf8_sanitize(const uint8_t *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t k = 0, len; k < n; k += len) {
		if (s[k] < 0x80) {   /* the common case, without a call */
			out[o++] = (char)s[k];
			len = 1;
			continue;
		}
		len = utf8_seq(s + k, n - k);
		if (len == 0) {
			o += put_utf8(out + o, 0xfffd);
			len = 1;
		} else {
			memcpy(out + o, s + k, len);
			o += len;
		}
	}
	out[o] = '\0';
	return o;
}

size_t zs_entry_name_utf8(const zs_archive *a, size_t i, char *out)
{
	const uint8_t *s = a->data + a->index.name_offset[i];
	size_t n = a->index.name_len[i], o = 0;

	size_t ascii = 0;
	while (ascii < n && s[ascii] < 0x80)
		ascii++;
	if (ascii == n) {
		memcpy(out, s, n);
		out[n] = '\0';
		return n;
	}
	if ((a->index.flags[i] & ZS_FLAG_UTF8) || a->index.upath[i] ||
	    utf8_valid(s, n))
		return zs_utf8_sanitize(s, n, out);
	for (size_t k = 0; k < n; k++)
		o += s[k] < 0x80 ? (out[o] = (char)s[k], 1) :
		     put_utf8(out + o, cp437_high[s[k] - 0x80]);
	out[o] = '\0';
	return o;
}

void zs_entry_mtime(const zs_archive *a, size_t i, char out[20])
{
	unsigned d = a->index.dos_date[i], t = a->index.dos_time[i];

	snprintf(out, 20, "%04u-%02u-%02uT%02u:%02u:%02u",
		 1980 + (d >> 9), (d >> 5) & 15, d & 31, t >> 11,
		 (t >> 5) & 63, (t & 31) * 2);
}

/* Append entry i's name, printable ASCII only, to the message in out
 * (len bytes); cut, with "...", only where the caller's buffer ends
 * (zs_entry_error_dup sizes it for the whole name). */
static void put_name(const zs_archive *a, size_t i, char *out, size_t len)
{
	const uint8_t *s = a->data + a->index.name_offset[i];
	size_t n = a->index.name_len[i], o = strlen(out), k;

	for (k = 0; k < n && o + 4 < len; k++)
		out[o++] = s[k] >= 0x20 && s[k] < 0x7f ? (char)s[k] : '?';
	if (k < n && o + 3 < len)
		out[o++] = '.', out[o++] = '.', out[o++] = '.';
	out[o] = '\0';
}

char *zs_entry_error_dup(const zs_archive *a, size_t i)
{
	const zs_index *ix = &a->index;
	size_t len = 512;   /* every text but a name's fits */
	char *out;

	if (ix->error[i] == ZS_E_OVERLAP && ix->err_a[i] < ix->count)
		len += ix->name_len[ix->err_a[i]];
	out = malloc(len);
	if (out)
		zs_entry_error(a, i, out, len);
	return out;
}

void zs_entry_error(const zs_archive *a, size_t i, char *out, size_t len)
{
	const zs_index *ix = &a->index;
	unsigned long long x = ix->err_a[i], y = ix->err_b[i];
	size_t o;

	switch ((enum zs_error)ix->error[i]) {
	case ZS_E_NONE:
		snprintf(out, len, "%s", "");
		break;
	case ZS_E_LOCAL_OFFSET:
		snprintf(out, len, "local header offset %llu is outside the "
			 "archive (%llu bytes)", x, y);
		break;
	case ZS_E_LOCAL_SIG:
		snprintf(out, len, "no local header signature at offset %llu "
			 "(found 0x%08llx)", y, x);
		break;
	case ZS_E_LOCAL_NAME:
		snprintf(out, len, "local header name (%llu bytes at offset "
			 "%llu) differs from the central directory name", y, x);
		break;
	case ZS_E_LOCAL_METHOD:
		snprintf(out, len, "compression method differs: central %llu "
			 "(%s), local %llu (%s)", x, zs_method_name((unsigned)x),
			 y, zs_method_name((unsigned)y));
		break;
	case ZS_E_LOCAL_FLAGS:
		snprintf(out, len, "general purpose flags differ: central "
			 "0x%04llx, local 0x%04llx", x, y);
		break;
	case ZS_E_LOCAL_CRC:
		snprintf(out, len, "CRC-32 differs: central %08llx, local "
			 "%08llx", x, y);
		break;
	case ZS_E_LOCAL_CSIZE:
		snprintf(out, len, "compressed size differs: central %llu, "
			 "local %llu", x, y);
		break;
	case ZS_E_LOCAL_USIZE:
		snprintf(out, len, "uncompressed size differs: central %llu, "
			 "local %llu", x, y);
		break;
	case ZS_E_LOCAL_EXTRA:
		snprintf(out, len, "malformed local extra field at offset %llu",
			 x);
		break;
	case ZS_E_CENTRAL_EXTRA:
		snprintf(out, len, "malformed central extra field at offset "
			 "%llu", x);
		break;
	case ZS_E_DATA_TRUNCATED:
		if (x == UINT64_MAX)
			snprintf(out, len, "compressed size overflows the end "
				 "of the archive (%llu bytes)", y);
		else
			snprintf(out, len, "entry data runs to offset %llu, "
				 "past the end of the archive (%llu bytes)",
				 x, y);
		break;
	case ZS_E_DESC_TRUNCATED:
		snprintf(out, len, "data descriptor at offset %llu runs past "
			 "the end of the archive", x);
		break;
	case ZS_E_DESC_CRC:
		snprintf(out, len, "CRC-32 differs: central %08llx, data "
			 "descriptor %08llx", x, y);
		break;
	case ZS_E_DESC_CSIZE:
		snprintf(out, len, "compressed size differs: central %llu, "
			 "data descriptor %llu", x, y);
		break;
	case ZS_E_DESC_USIZE:
		snprintf(out, len, "uncompressed size differs: central %llu, "
			 "data descriptor %llu", x, y);
		break;
	case ZS_E_STORED_SIZES:
		snprintf(out, len, "stored entry with compressed size %llu but "
			 "uncompressed size %llu", x, y);
		break;
	case ZS_E_RATIO:
		snprintf(out, len, "declared size %llu is impossible for %llu "
			 "bytes of deflate data", x, y);
		break;
	case ZS_E_DEFLATE:
		if (y)
			snprintf(out, len, "deflate data ends early (after "
				 "%llu bytes of output)", x);
		else if (x)
			snprintf(out, len, "invalid deflate data (after %llu "
				 "bytes of output)", x);
		else
			snprintf(out, len, "invalid or truncated deflate data");
		break;
	case ZS_E_SIZE_LONG:
		snprintf(out, len, "data runs past the declared size of %llu "
			 "bytes", x);
		break;
	case ZS_E_SIZE_SHORT:
		snprintf(out, len, "size differs: declared %llu, decoded %llu",
			 x, y);
		break;
	case ZS_E_CRC:
		snprintf(out, len, "bad CRC-32: stored %08llx, computed %08llx",
			 x, y);
		break;
	case ZS_E_OVERLAP:
		if (x == (unsigned long long)SIZE_MAX)
			snprintf(out, len, "overlaps the central directory at "
				 "offset %llu (possible zip bomb)", y);
		else if (len > 0) {
			snprintf(out, len, "overlaps entry %llu \"", x);
			put_name(a, (size_t)x, out, len);
			o = strlen(out);
			snprintf(out + o, len - o, "\" at offset %llu (possible "
				 "zip bomb)", y);
		}
		break;
	case ZS_E_NOMEM:
		snprintf(out, len, "out of memory (%llu bytes)", x);
		break;
	case ZS_E_UNSUPPORTED:
		snprintf(out, len, "unsupported compression method %llu (%s)",
			 x, zs_method_name((unsigned)x));
		break;
	case ZS_E_ENCRYPTED:
		snprintf(out, len, "encrypted, not decoded");
		break;
	case ZS_E_CODEC:
		snprintf(out, len, "%s data: %s (after %llu bytes of output)",
			 zs_method_name(ix->method[i]), codec_why(y), x);
		break;
	case ZS_E_MEMLIMIT:
		snprintf(out, len, "the decoder needs %llu bytes of memory, "
			 "over --memory-limit %llu", x, y);
		break;
	default:
		snprintf(out, len, "error %u", ix->error[i]);
		break;
	}
}

/* Windows device names: not portable as a file name, with any extension. */
static int reserved_device(const uint8_t *c, size_t n)
{
	static const char *const names[] = { "con", "prn", "aux", "nul" };
	size_t base = 0;
	while (base < n && c[base] != '.')
		base++;
	char low[5] = "";
	if (base == 3 || base == 4) {
		for (size_t k = 0; k < base; k++)
			low[k] = (char)(c[k] >= 'A' && c[k] <= 'Z' ? c[k] + 32 :
					c[k]);
		low[base] = '\0';
		for (int k = 0; k < 4; k++)
			if (!strcmp(low, names[k]))
				return 1;
		if (base == 4 && (!memcmp(low, "com", 3) ||
				  !memcmp(low, "lpt", 3)) &&
		    low[3] >= '1' && low[3] <= '9')
			return 1;
	}
	return 0;
}

/* Control bytes and the characters Windows forbids in names. */
static int not_portable_byte(uint8_t c)
{
	return c < 0x20 || c == 0x7f || c == '\\' || c == ':' || c == '*' ||
	       c == '?' || c == '"' || c == '<' || c == '>' || c == '|';
}

/* Would this name be refused or changed by a common file system:
 * absolute, empty or dot-dot components, characters Windows forbids,
 * control bytes, components ending in a space or dot, device names? */
static int name_not_portable(const uint8_t *s, size_t n)
{
	if (n == 0 || s[0] == '/')
		return 1;
	size_t start = 0;
	for (size_t k = 0; k <= n; k++) {
		if (k < n && s[k] != '/') {
			if (not_portable_byte(s[k]))
				return 1;
			continue;
		}
		size_t len = k - start;
		const uint8_t *c = s + start;
		if (k < n && len == 0)
			return 1;            /* "a//b" */
		if ((len == 2 && c[0] == '.' && c[1] == '.') ||
		    (len == 1 && c[0] == '.'))
			return 1;
		if (len && (c[len - 1] == ' ' || c[len - 1] == '.'))
			return 1;
		if (reserved_device(c, len))
			return 1;
		start = k + 1;
	}
	return 0;
}

void zs_name_props(const zs_archive *a, size_t i, uint64_t *utf8_flag,
		   uint64_t *non_ascii, uint64_t *cp437, uint64_t *not_portable)
{
	const uint8_t *s = a->data + a->index.name_offset[i];
	size_t n = a->index.name_len[i], k = 0;
	int flagged = (a->index.flags[i] & ZS_FLAG_UTF8) != 0;

	while (k < n && s[k] < 0x80)
		k++;
	*utf8_flag += flagged;
	if (k < n) {
		(*non_ascii)++;
		*cp437 += !flagged && !utf8_valid(s, n);
	}
	*not_portable += name_not_portable(s, n);
}
