/* SPDX-License-Identifier: MIT */
/*
 * pg_copy.c - the parts of the binary COPY format (pg_copy.h) that are
 * not inline: the buffer's growth, the header, the trailer and TEXT.
 */
#include <stdlib.h>

#include "pg_copy.h"

int zs_copy_grow(zs_copybuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 64u << 10;
	while (!b->oom && cap - b->n < need) {
		if (cap > SIZE_MAX / 2)
			b->oom = 1;
		cap *= 2;
	}
	unsigned char *m = b->oom ? NULL : realloc(b->p, cap);
	if (!m) {
		b->oom = 1;
		return -1;
	}
	b->p = m;
	b->cap = cap;
	return 0;
}

void zs_copy_header(zs_copybuf *b)
{
	/* signature, flags (none), header extension length (none) */
	static const unsigned char head[19] = "PGCOPY\n\377\r\n";
	unsigned char *q = zs_copy_room(b, sizeof(head));
	if (q)
		memcpy(q, head, sizeof(head));
}

void zs_copy_trailer(zs_copybuf *b)
{
	unsigned char *q = zs_copy_room(b, 2);
	if (q)
		zs_copy_be(q, 0xffff, 2);
}

void zs_copy_text(zs_copybuf *b, const char *s)
{
	if (!s) {
		zs_copy_null(b);
		return;
	}
	size_t len = strlen(s);
	if (len > INT32_MAX) {
		b->oom = 1;   /* no field is that long: never sent */
		return;
	}
	unsigned char *q = zs_copy_room(b, 4 + len);
	if (q) {
		zs_copy_be(q, len, 4);
		memcpy(q + 4, s, len);
	}
}
