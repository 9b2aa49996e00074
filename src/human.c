/* SPDX-License-Identifier: MIT */
/*
 * human.c - sizes in binary units for people ("1.5 MiB", "312 KiB",
 * "512 B") and the labels of the log2 size histogram, shared by the text
 * and HTML reports and the progress line so that all three read alike.
 * Machine formats (JSON, NDJSON, CSV) keep exact byte counts.
 */
#include "internal.h"

static const char *const zs_units[] = { "B", "KiB", "MiB", "GiB", "TiB",
					"PiB", "EiB" };

void zs_human_size(uint64_t v, char out[ZS_HUMAN_SIZE])
{
	if (v < 1024) {
		snprintf(out, ZS_HUMAN_SIZE, "%u B", (unsigned)v);
		return;
	}
	double x = (double)v / 1024;
	int u = 1;
	/* 1023.7 KiB would print as "1024 KiB": say "1.0 MiB" instead */
	while (x >= 1023.5 && u < 6) {
		x /= 1024;
		u++;
	}
	/* one decimal below 100 ("99.9"), none above ("312") */
	snprintf(out, ZS_HUMAN_SIZE, x < 99.95 ? "%.1f %s" : "%.0f %s", x,
		 zs_units[u]);
}

void zs_size_bucket_label(int b, char out[ZS_HUMAN_SIZE])
{
	if (b <= 0) {
		snprintf(out, ZS_HUMAN_SIZE, "empty");
		return;
	}
	int lo = b - 1;   /* bucket b holds [2^(b-1), 2^b) */
	snprintf(out, ZS_HUMAN_SIZE, "%u %s+", 1u << (lo % 10),
		 zs_units[lo / 10]);
}
