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
