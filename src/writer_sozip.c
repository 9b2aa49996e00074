// SPDX-License-Identifier: MIT
/*
 * writer_sozip.c - the writer's seek-optimized entries (SOZip 0.5, the
 * GDAL project's specification; the reading side is sozip.c).
 *
 * A SOZip entry is cut into units of exactly sozip_chunk_size bytes of
 * input; each but the last becomes a Deflate piece ending as zlib's
 * Z_SYNC_FLUSH then Z_FULL_FLUSH leave it (deflate_piece.c), so that it
 * decodes without what came before.  writer_pipeline.c notes where each
 * chunk after the first starts in the entry's data; right after the data
 * comes the hidden ".NAME.sozip.idx" record: a local header (stored, not
 * in the central directory), a 32-byte header and the chunk starts as
 * 8-byte offsets.  The sizes come from our own stat and our own output,
 * never from a file being read.
 */
#include <libdeflate.h>
#include <stdlib.h>

#include "writer.h"

#define INDEX_HEADER 32u
#define INDEX_VERSION 1u
#define OFFSET_SIZE 8u
#define FLAG_UTF8 0x0800

static void put32(uint8_t *p, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

int zs_w_sozip_on(const zs_writer *w, const witem *it)
{
	int data = it->kind == W_FILE || it->kind == W_BYTES ||
		   it->kind == W_FILL;
	/* the index's name, ".NAME.sozip.idx", must fit in 16 bits too */
	return w->o.sozip && w->o.level > 0 && !it->store && data &&
	       it->size >= w->o.sozip_min_size &&
	       it->size > w->o.sozip_chunk_size &&
	       strlen(it->name) <= 65535 - (sizeof(".sozip.idx") - 1) - 1;
}

size_t zs_w_unit_size(const zs_writer *w, const witem *it)
{
	return zs_w_sozip_on(w, it) ? w->o.sozip_chunk_size : w->o.chunk_size;
}

void zs_w_sozip_begin(zs_writer *w, const witem *it, wrecord *r)
{
	if (!zs_w_sozip_on(w, it))
		return;
	w->sozip.n = 0;
	/* the most the data can grow: a stored chunk's block headers and
	 * two empty blocks per chunk */
	uint64_t chunks = it->size / w->o.sozip_chunk_size + 1;
	uint64_t most = it->size + 5 * (it->size / 65535 + chunks) +
			10 * chunks + 64;
	if (most >= 0xffffffffu || it->size >= 0xffffffffu)
		r->local64 = 1;
}

int zs_w_sozip_chunk(zs_writer *w, uint64_t at)
{
	wsozip *z = &w->sozip;

	if (zs_w_grow(&z->start, &z->cap, z->n, sizeof(*z->start)) != 0)
		return -2;
	z->start[z->n++] = at;
	return 0;
}

/* "DIR/.BASE.sozip.idx" for "DIR/BASE"; NULL if out of memory. */
static char *index_name(const char *name)
{
	const char *slash = strrchr(name, '/');
	size_t dir = slash ? (size_t)(slash - name) + 1 : 0;
	size_t len = strlen(name) + sizeof(".sozip.idx") + 1;
	char *s = malloc(len);

	if (s)
		snprintf(s, len, "%.*s.%s.sozip.idx", (int)dir, name,
			 name + dir);
	return s;
}

/* The index's bytes: header and offsets; NULL if out of memory. */
static uint8_t *index_body(const zs_writer *w, const wrecord *r, size_t *len)
{
	const wsozip *z = &w->sozip;
	uint8_t *b;

	*len = INDEX_HEADER + OFFSET_SIZE * z->n;
	if (!(b = malloc(*len)))
		return NULL;
	put32(b, INDEX_VERSION);
	put32(b + 4, 0);                          /* skip_bytes */
	put32(b + 8, (uint32_t)w->o.sozip_chunk_size);
	put32(b + 12, OFFSET_SIZE);
	put64(b + 16, r->usize);
	put64(b + 24, r->csize);
	for (size_t k = 0; k < z->n; k++)
		put64(b + INDEX_HEADER + OFFSET_SIZE * k, z->start[k]);
	return b;
}

int zs_w_sozip_index(zs_writer *w, const witem *it, const wrecord *r)
{
	size_t chunk = w->o.sozip_chunk_size, len;
	uint64_t want = r->usize ? (r->usize - 1) / chunk : 0;

	/* a file that shrank while read may end in an empty chunk or in a
	 * single one: its data is good Deflate, but it gets no index */
	if (!zs_w_sozip_on(w, it) || r->usize <= chunk || w->sozip.n != want)
		return 0;
	wrecord idx;
	memset(&idx, 0, sizeof(idx));
	idx.name = index_name(r->name);
	uint8_t *body = idx.name ? index_body(w, r, &len) : NULL;
	if (!body) {
		free(idx.name);
		zs_w_warn(w, "%s: out of memory for its SOZip index; written "
			  "without one", r->name);
		return 0;
	}
	idx.offset = w->offset;
	idx.usize = idx.csize = len;
	idx.crc = (uint32_t)libdeflate_crc32(0, body, len);
	idx.mode = r->mode;
	idx.mtime = r->mtime;
	idx.flags = r->flags & FLAG_UTF8;
	idx.local64 = (uint8_t)zs_w_local64(len);
	int rc = zs_w_local_header(w, &idx);
	if (rc == 0)
		rc = zs_w_put(w, body, len);
	if (rc == 0)
		w->t.sozip++;
	free(body);
	free(idx.name);
	return rc;
}

void zs_w_sozip_free(zs_writer *w)
{
	free(w->sozip.start);
	w->sozip.start = NULL;
	w->sozip.n = w->sozip.cap = 0;
}
