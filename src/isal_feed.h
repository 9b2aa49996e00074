/* SPDX-License-Identifier: MIT */
/*
 * isal_feed.h - hand ISA-L's inflate the next piece of a long input: its
 * avail_in is 32 bits, entries and SOZip chunk ranges are not.
 */
#ifndef ZS_ISAL_FEED_H
#define ZS_ISAL_FEED_H

#include <isa-l/igzip_lib.h>
#include <stdint.h>

/* When st has used its input, give it up to 1 GiB more from *in. */
static inline void zs_isal_feed(struct inflate_state *st, const uint8_t **in,
				uint64_t *in_left)
{
	if (st->avail_in == 0 && *in_left > 0) {
		uint32_t take = *in_left > (1u << 30) ? 1u << 30 :
				(uint32_t)*in_left;
		st->next_in = (uint8_t *)*in;
		st->avail_in = take;
		*in += take;
		*in_left -= take;
	}
}

#endif
