/* SPDX-License-Identifier: MIT */
/*
 * table.c - the open-addressing hash table (linear probing, 64-bit hashes
 * kept beside the slots) that finds equal names: the extraction plan's
 * paths and directories, and the audit's colliding names.  A slot holds an
 * index + 1 (0 is empty); what "equal" means is the caller's, in
 * ZS_TABLE_FIND (internal.h), so the full comparison only runs when the
 * hashes agree.
 *
 * The hash is keyed, because the names come from the archive: with a hash
 * anyone can compute, names can be chosen to share a slot region, and
 * linear probing then walks one cluster per insert, quadratic in the
 * entries (88 s for `check` on a 48 MB archive, 0.4 s with random names).
 * It is XXH3-64 with a secret of 192 random bytes from getrandom(), drawn
 * once per process.  Not XXH3 with a 64-bit seed: the seed only perturbs
 * a fixed, public secret, and XXH3 is not designed as a PRF under it (64
 * bits of key, mixed in the same way for every input); a whole random
 * secret is what xxhash documents for making chosen collisions hard.  Not SipHash:
 * it would be a second hash to carry, while xxhash is already linked, and
 * flooding needs an attacker who cannot predict slots, not a MAC.  Random
 * bytes need no XXH3_generateSecret (whose signature changed between
 * xxhash versions): they are already the "random-looking" secret it makes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "huge.h"
#include "internal.h"

#define ZS_SECRET_SIZE 192          /* XXH3's default secret size */

static uint8_t secret[ZS_SECRET_SIZE];
static pthread_once_t secret_once = PTHREAD_ONCE_INIT;

/* Fill buf from fd until full; the bytes read. */
static size_t fill_from(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

static void secret_init(void)
{
	size_t got = 0;

	while (got < sizeof(secret)) {
		ssize_t k = getrandom(secret + got, sizeof(secret) - got, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got < sizeof(secret)) {     /* a seccomp filter or old kernel */
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			got += fill_from(fd, secret + got, sizeof(secret) - got);
			close(fd);
		}
	}
	if (got < sizeof(secret)) {
		/* last resort, still unknown to the archive's author: the
		 * clock, the process and where ASLR put things, spread over
		 * the rest of the secret */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t seed[4] = { (uint64_t)ts.tv_nsec, (uint64_t)ts.tv_sec,
				     (uint64_t)getpid(),
				     (uint64_t)(uintptr_t)&ts };
		for (size_t k = got; k < sizeof(secret); k += 8) {
			uint64_t v = XXH3_64bits_withSeed(seed, sizeof(seed), k);
			memcpy(secret + k, &v, sizeof(secret) - k < 8 ?
			       sizeof(secret) - k : 8);
		}
	}
}

uint64_t zs_hash(const void *s, size_t n)
{
	pthread_once(&secret_once, secret_init);
	return XXH3_64bits_withSecret(s, n, secret, sizeof(secret));
}

uint64_t zs_hash_chain(uint64_t h, const void *s, size_t n)
{
	uint64_t pair[2] = { h, zs_hash(s, n) };
	return zs_hash(pair, sizeof(pair));
}

/* Folded a piece at a time into a buffer on the stack: one piece (almost
 * every name) is hashed as it is, longer names chain their pieces. */
#define ZS_FOLD_PIECE 256

uint64_t zs_hash_fold(const void *s, size_t n)
{
	const uint8_t *p = s;
	uint8_t piece[ZS_FOLD_PIECE];
	uint64_t h = 0;
	size_t done = 0;

	do {
		size_t take = n - done < ZS_FOLD_PIECE ? n - done :
			      ZS_FOLD_PIECE;
		for (size_t k = 0; k < take; k++) {
			uint8_t c = p[done + k];
			piece[k] = c >= 'A' && c <= 'Z' ? c | 0x20 : c;
		}
		h = done == 0 ? zs_hash(piece, take) :
		    zs_hash_chain(h, piece, take);
		done += take;
	} while (done < n);
	return h;
}

int zs_table_init(zs_table *t, size_t n)
{
	t->hash = NULL;
	t->slot = NULL;
	if (n > ZS_TABLE_MAX)
		return -1;
	t->cap = 16;
	while (t->cap < 2 * n + 2)
		t->cap *= 2;
	/* big ones (a name table of 1,000,000 entries: 16 MB) on huge
	 * pages: far fewer page faults */
	t->hash = zs_big_alloc(t->cap * sizeof(*t->hash));
	t->slot = zs_big_zalloc(t->cap * sizeof(*t->slot));
	t->used = 0;
	return t->hash && t->slot ? 0 : -1;
}

void zs_table_free(zs_table *t)
{
	zs_big_free(t->hash, t->cap * sizeof(*t->hash));
	zs_big_free(t->slot, t->cap * sizeof(*t->slot));
}

int zs_table_grow(zs_table *t)
{
	if (2 * (t->used + 1) <= t->cap)
		return 0;
	zs_table bigger;
	if (zs_table_init(&bigger, t->cap) != 0) {
		zs_table_free(&bigger);
		return -1;
	}
	for (size_t k = 0; k < t->cap; k++) {
		if (!t->slot[k])
			continue;
		size_t j = (size_t)t->hash[k] & (bigger.cap - 1);
		while (bigger.slot[j])
			j = (j + 1) & (bigger.cap - 1);
		bigger.slot[j] = t->slot[k];
		bigger.hash[j] = t->hash[k];
	}
	bigger.used = t->used;
	zs_table_free(t);
	*t = bigger;
	return 0;
}
