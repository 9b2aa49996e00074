/* SPDX-License-Identifier: MIT */
/*
 * pg_copy.h - rows in PostgreSQL's binary COPY format, built in a buffer
 * that catalog_pg.c sends in pieces (COPY ... FROM STDIN WITH (FORMAT
 * binary)).  Binary spares the server the parsing of every field (text
 * COPY spent a quarter of its time there, timestamps most) and the
 * client the formatting.  Integers go big-endian; a field is its length
 * (int32, -1 for NULL) then its bytes.  The caller writes the fields in
 * the table's column order with each column's exact type.
 */
#ifndef ZS_PG_COPY_H
#define ZS_PG_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct zs_copybuf {
	unsigned char *p;
	size_t n, cap;
	int oom;                   /* a growth failed: the rows are lost */
} zs_copybuf;

/* Room for need more bytes; 0, or -1 (and b->oom) when out of memory. */
int zs_copy_grow(zs_copybuf *b, size_t need);

static inline unsigned char *zs_copy_room(zs_copybuf *b, size_t need)
{
	if (b->cap - b->n < need && zs_copy_grow(b, need) != 0)
		return NULL;
	unsigned char *q = b->p + b->n;
	b->n += need;
	return q;
}

static inline void zs_copy_be(unsigned char *q, uint64_t v, int bytes)
{
	for (int k = bytes - 1; k >= 0; k--, v >>= 8)
		q[k] = (unsigned char)v;
}

/* The stream's signature and header, before the first row. */
void zs_copy_header(zs_copybuf *b);
/* The end-of-data marker, after the last row. */
void zs_copy_trailer(zs_copybuf *b);

/* A row of `fields` fields starts. */
static inline void zs_copy_row(zs_copybuf *b, int fields)
{
	unsigned char *q = zs_copy_room(b, 2);
	if (q)
		zs_copy_be(q, (uint64_t)fields, 2);
}

static inline void zs_copy_null(zs_copybuf *b)
{
	unsigned char *q = zs_copy_room(b, 4);
	if (q)
		zs_copy_be(q, 0xffffffffu, 4);
}

/* A fixed-size field: BIGINT (8), INTEGER (4), BOOLEAN (1). */
static inline void zs_copy_fixed(zs_copybuf *b, uint64_t v, int bytes)
{
	unsigned char *q = zs_copy_room(b, 4 + (size_t)bytes);
	if (q) {
		zs_copy_be(q, (uint64_t)bytes, 4);
		zs_copy_be(q + 4, v, bytes);
	}
}

static inline void zs_copy_int8(zs_copybuf *b, int64_t v)
{
	zs_copy_fixed(b, (uint64_t)v, 8);
}

static inline void zs_copy_int4(zs_copybuf *b, int32_t v)
{
	zs_copy_fixed(b, (uint64_t)(uint32_t)v, 4);
}

static inline void zs_copy_bool(zs_copybuf *b, int v)
{
	zs_copy_fixed(b, v != 0, 1);
}

/* TEXT: UTF-8 without NUL (the caller's rows are sanitized); NULL is
 * SQL NULL. */
void zs_copy_text(zs_copybuf *b, const char *s);

/* TIMESTAMPTZ from Unix seconds: microseconds since 2000-01-01 UTC. */
static inline void zs_copy_time(zs_copybuf *b, int64_t unix_seconds)
{
	zs_copy_int8(b, (unix_seconds - 946684800) * 1000000);
}

#endif
