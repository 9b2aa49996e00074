/* SPDX-License-Identifier: MIT */
/*
 * catalog_schema.c - schema/catalog.sql in the library: the Makefile turns
 * the file into a C string (build/gen/catalog_schema.h), so the SQL file
 * stays the one copy of the schema.
 */
#include "catalog.h"

const char zs_catalog_schema[] =
#include "../build/gen/catalog_schema.h"
	;
