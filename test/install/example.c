/* SPDX-License-Identifier: MIT */
/*
 * example.c - a C program written from the installed zipscan.h alone: list
 * an archive's entries, test it, and read one entry two ways (into a buffer
 * and through a callback).  test/check_install.sh builds it with nothing but
 * pkg-config and compares what it prints with what the archive holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zipscan.h>

static int count_bytes(void *ctx, const void *data, size_t len)
{
	(void)data;
	*(size_t *)ctx += len;
	return 0;
}

int main(int argc, char **argv)
{
	zs_options o;
	zs_totals t;
	int status;

	if (argc != 3) {
		fprintf(stderr, "usage: example ARCHIVE ENTRY\n");
		return 10;
	}
	zs_options_init(&o);
	zs_archive *a = zs_open(argv[1], &o, &status);
	if (!a)
		return 4;
	if (!zs_archive_indexed(a)) {
		const zs_finding *f = zs_finding_get(a, 0);
		printf("not indexed: %s\n", f ? f->text : "?");
		zs_close(a);
		return status;
	}
	printf("version %s\n", zs_version());
	printf("entries %zu\n", zs_entry_count(a));
	status = zs_scan_entries(a, &o, &t);
	printf("test status %d ok %llu bad %llu\n", status,
	       (unsigned long long)t.ok, (unsigned long long)t.bad);
	for (size_t i = 0; i < zs_entry_count(a); i++) {
		zs_entry e;
		char name[3 * 65535 + 1];
		zs_entry_get(a, i, &e);
		zs_entry_name_utf8(a, i, name);
		printf("entry %s size %llu crc %08x method %s dir %d "
		       "status %d\n", name,
		       (unsigned long long)e.uncompressed_size, e.crc32,
		       zs_method_name(e.method), e.is_dir, e.status);
		if (strcmp(name, argv[2]) != 0)
			continue;
		char *buf = malloc(e.uncompressed_size + 1);
		size_t len = 0, counted = 0;
		int r = buf ? zs_entry_read(a, i, buf, e.uncompressed_size,
					    &len, &o) : 4;
		if (r == 0) {
			buf[len] = '\0';
			printf("read %s: %s", name, buf);
		}
		r |= zs_entry_read_cb(a, i, count_bytes, &counted, NULL);
		printf("callback %zu bytes, status %d\n", counted, r);
		free(buf);
	}
	zs_close(a);
	return status;
}
