/* SPDX-License-Identifier: MIT */
/*
 * deflate_piece.h - one chunk of input compressed into a Deflate piece that
 * can be joined to others: the writer's parallel compression of big files
 * (pieces in a row are one Deflate stream) and SOZip's independently
 * decodable chunks use it.
 */
#ifndef ZS_DEFLATE_PIECE_H
#define ZS_DEFLATE_PIECE_H

#include <stddef.h>
#include <stdint.h>

struct libdeflate_compressor;

/* The most zs_deflate_piece writes for len bytes of input. */
size_t zs_deflate_piece_bound(size_t len);

/*
 * Compress in[0..len) with c (NULL: stored blocks only) into out (cap
 * bytes, at least zs_deflate_piece_bound(len)).  final: a whole Deflate
 * stream, ending in a final block.  Not final: a piece ending on a byte
 * boundary with an empty stored block (what zlib's Z_FULL_FLUSH writes),
 * with no final block and no reference to data before it: any piece may
 * follow it, and it decodes without what came before.  The data is stored
 * when Deflate would not make it smaller.  Returns the bytes written, 0 on
 * error (out of memory).
 */
size_t zs_deflate_piece(struct libdeflate_compressor *c, const void *in,
			size_t len, int final, void *out, size_t cap);

/*
 * Make the whole stream piece[0..n), len bytes of data, non-final as
 * zs_deflate_piece does (piece has room for 5 more bytes): its last
 * block's BFINAL cleared, an empty stored block after it.  zlib_only:
 * find that block with zlib's walk alone (tests compare).  Returns the new
 * length, 0 if the stream could not be walked.
 */
size_t zs_deflate_unfinalize(uint8_t *piece, size_t n, size_t len,
			     int zlib_only);

/* The most zs_deflate_piece_sozip writes for len bytes of input. */
size_t zs_deflate_piece_sozip_bound(size_t len);

/*
 * A non-final piece as the SOZip specification has a chunk end: what
 * zlib's Z_SYNC_FLUSH then Z_FULL_FLUSH write, so that the piece ends in
 * the bytes 00 00 ff ff 00 00 00 ff ff (two empty stored blocks) and the
 * next piece starts on a byte boundary with an empty window.  out has cap
 * bytes, at least zs_deflate_piece_sozip_bound(len).  Returns the bytes
 * written, 0 on error.
 */
size_t zs_deflate_piece_sozip(struct libdeflate_compressor *c, const void *in,
			      size_t len, void *out, size_t cap);

#endif
