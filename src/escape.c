/* SPDX-License-Identifier: MIT */
/*
 * escape.c - writing untrusted bytes safely: text with control characters
 * shown as ^X, JSON strings, and paths as valid UTF-8 for JSON.  Every
 * report writer calls these; they call nothing but entry.c's UTF-8 check.
 */
#include <stdlib.h>

#include "internal.h"

/* Text output: control characters become ^X (as unzip shows them), C1
 * controls '?', so a hostile name cannot drive the terminal. */
void zs_put_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	for (;; p++) {
		int control = *p < 0x20 || *p == 0x7f;
		int c1 = *p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0;
		if (!*p || control || c1) {
			fwrite(run, 1, (size_t)(p - run), f);  /* safe run */
			if (!*p)
				return;
			if (c1) {
				putc('?', f);
				p++;
			} else {
				putc('^', f);
				putc(*p == 0x7f ? '?' : *p + '@', f);
			}
			run = p + 1;
		}
	}
}

/* Has the word x a byte below 0x20, 0x7f or 0xc2 (the bytes
 * zs_text_escape changes)?  May say yes for a word without one (a borrow
 * past a real one), never no for a word with one. */
static int word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
	uint64_t lt20 = (x - ones * 0x20) & ~x & high;
	uint64_t y = x ^ (ones * 0x7f), z = x ^ (ones * 0xc2);
	return (lt20 | ((y - ones) & ~y & high) | ((z - ones) & ~z & high))
	       != 0;
}

char *zs_text_escape(char *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = 0, plain = 0;   /* input [plain, k) is copied as it is */
	uint64_t x;

	for (;;) {
		/* eight plain bytes at a time */
		while (k + 8 <= n && (memcpy(&x, p + k, 8),
				      !word_needs_escape(x))) {
			memcpy(out, &x, 8);
			out += 8;
			k += 8;
		}
		if (k >= n)
			return out;
		/* the last, partial word: if the eight bytes that end the
		 * input are plain and those before k among them were copied
		 * as they are, the word is copied over them */
		if (k + 8 > n && n >= 8 && n - 8 >= plain &&
		    (memcpy(&x, p + n - 8, 8), !word_needs_escape(x))) {
			memcpy(out - (k - (n - 8)), &x, 8);
			return out + (n - k);
		}
		/* a word that may hold a byte to change: byte by byte */
		size_t stop = k + 8 < n ? k + 8 : n;
		for (; k < stop; k++) {
			unsigned char c = p[k];
			if (!c)
				return out;   /* as zs_put_text: the end */
			if (c == 0xc2 && k + 1 < n && p[k + 1] >= 0x80 &&
			    p[k + 1] < 0xa0) {
				*out++ = '?';
				plain = ++k + 1;
			} else if (c < 0x20 || c == 0x7f) {
				*out++ = '^';
				*out++ = c == 0x7f ? '?' : (char)(c + '@');
				plain = k + 1;
			} else {
				*out++ = (char)c;
			}
		}
	}
}

void zs_put_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	putc('"', f);
	for (;; p++) {
		if (*p && *p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		fwrite(run, 1, (size_t)(p - run), f);
		if (!*p)
			break;
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else
			fprintf(f, "\\u%04x", *p);
		run = p + 1;
	}
	putc('"', f);
}

/* The archive path as valid UTF-8 for JSON (paths are bytes on Unix). */
void zs_put_json_path(FILE *f, const char *path)
{
	size_t n = strlen(path);
	char *buf = malloc(3 * n + 1);

	if (!buf) {
		zs_put_json_str(f, "?");
		return;
	}
	zs_utf8_sanitize((const uint8_t *)path, n, buf);
	zs_put_json_str(f, buf);
	free(buf);
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line
 * break, or always with `always` (so that importers read it as text);
 * a quote inside is doubled. */
void zs_put_csv(FILE *f, const char *s, int always)
{
	if (!always && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}
