/* SPDX-License-Identifier: MIT */
/*
 * pg_load.c - loads libpq.so.5 with dlopen and looks up the functions the
 * catalog calls (pg_load.h).  Once per process; the library stays loaded.
 * ZS_TEST_LIBPQ_NAME, for the tests, names another file to load (one
 * that does not exist shows what a machine without libpq5 says).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_load.h"

zs_libpq zs_pq;
static atomic_int loaded;
static char why[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* dlsym's void * into a function pointer (ISO C has no such cast). */
static int look_up(void *lib, const char *name, void *slot, size_t size)
{
	void *sym = dlsym(lib, name);
	if (!sym)
		return -1;
	memcpy(slot, &sym, size);
	return 0;
}

static void load(void)
{
	const char *name = getenv("ZS_TEST_LIBPQ_NAME");
	if (!name || !*name)
		name = ZS_LIBPQ_NAME;
	void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *e = dlerror();
		snprintf(why, sizeof(why), "cannot load %s, needed for a "
			 "PostgreSQL catalog (Debian package %s): %s", name,
			 ZS_LIBPQ_PACKAGE, e ? e : "unknown error");
		return;
	}
#define ZS_LIBPQ_LOOK_UP(f) \
	if (look_up(lib, "PQ" #f, &zs_pq.f, sizeof(zs_pq.f)) != 0) { \
		snprintf(why, sizeof(why), "%s has no PQ" #f, name); \
		return; \
	}
	ZS_LIBPQ_FUNCTIONS(ZS_LIBPQ_LOOK_UP)
#undef ZS_LIBPQ_LOOK_UP
	loaded = 1;
}

int zs_libpq_load(char *err, size_t cap)
{
	pthread_once(&once, load);
	if (loaded)
		return 0;
	snprintf(err, cap, "%s", why);
	return -1;
}

int zs_libpq_version_if_loaded(void)
{
	return atomic_load(&loaded) ? zs_pq.libVersion() : 0;
}
