// SPDX-License-Identifier: MIT
/*
 * test_arena.c - the compressing threads' arenas (suite arena,
 * writer_arena.c): a region is filled again only once every unit in it is
 * written, a region with a unit alive never is, and between batches every
 * region may be.
 */
#include <string.h>

#include "helpers.h"
#include "writer.h"

#define MIB (1u << 20)

/* A unit of n bytes filled with `byte`; its count, for zs_w_arena_written. */
static _Atomic size_t *put(warena *a, size_t n, int byte, uint8_t **at)
{
	uint8_t *p = zs_w_arena_room(a, n);
	cr_assert_not_null(p);
	memset(p, byte, n);
	*at = p;
	return zs_w_arena_take(a, n);
}

static int holds(const uint8_t *p, size_t n, int byte)
{
	for (size_t k = 0; k < n; k++)
		if (p[k] != byte)
			return 0;
	return 1;
}

Test(arena, a_written_region_is_filled_again)
{
	warena a;
	uint8_t *p0, *p1, *p2;
	zs_w_arena_init(&a, MIB);
	cr_assert_geq(a.region_size, ZS_WARENA_REGION);
	size_t unit = a.region_size / 2 + 1;   /* one a region */
	_Atomic size_t *l0 = put(&a, unit, 1, &p0);
	_Atomic size_t *l1 = put(&a, unit, 2, &p1);
	cr_assert_neq(l0, l1, "a second region for the second unit");
	zs_w_arena_written(l0);
	put(&a, unit, 3, &p2);
	cr_assert_eq(p2, p0, "the first region, its unit written, is "
		     "filled again");
	cr_assert_eq(a.n, 2, "no third region");
	cr_assert(holds(p1, unit, 2), "the unit alive is untouched");
	zs_w_arena_free(&a);
}

Test(arena, a_region_with_a_unit_alive_is_never_filled_again)
{
	warena a;
	uint8_t *p[8];
	zs_w_arena_init(&a, MIB);
	size_t unit = a.region_size / 4;   /* three a region, with the head */
	_Atomic size_t *first = put(&a, unit, 100, &p[0]);
	for (int k = 1; k < 8; k++)
		zs_w_arena_written(put(&a, unit, 100 + k, &p[k]));
	cr_assert(holds(p[0], unit, 100), "the unit not written is kept");
	cr_assert_geq(a.n, 2, "units past the first region go on elsewhere");
	for (int k = 1; k < 8; k++)
		cr_assert(p[k] + unit <= p[0] || p[k] >= p[0] + unit,
			  "unit %d over the unit alive", k);
	zs_w_arena_written(first);
	zs_w_arena_free(&a);
}

Test(arena, after_a_reset_every_region_is_filled_again)
{
	warena a;
	uint8_t *p0, *p1, *q;
	zs_w_arena_init(&a, MIB);
	size_t unit = a.region_size / 2 + 1;
	put(&a, unit, 1, &p0);   /* left alive: a batch that failed */
	put(&a, unit, 2, &p1);
	zs_w_arena_reset(&a);
	put(&a, unit, 3, &q);
	cr_assert_eq(q, p0, "the batch after starts again at the first "
		     "region");
	cr_assert_eq(a.n, 2);
	zs_w_arena_free(&a);
}
