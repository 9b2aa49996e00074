/* SPDX-License-Identifier: MIT */
/*
 * blockfind.h - find where a Deflate block starts, from a bit offset in
 * the middle of a stream (blockfind.c).
 */
#ifndef ZS_BLOCKFIND_H
#define ZS_BLOCKFIND_H

#include "inflate_mark.h"

#define ZS_BLOCK_NONE UINT64_MAX

/* The first bit offset in [from, to) where a non-final dynamic or stored
 * block starts whose header reads, whose body decodes (markers for the
 * unknown window) and after which another header reads; ZS_BLOCK_NONE if
 * none.  d is scratch (its output is overwritten). */
uint64_t zs_block_find(zs_mark_dec *d, const uint8_t *in, size_t in_len,
		       uint64_t from, uint64_t to);

#endif
