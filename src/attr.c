/* SPDX-License-Identifier: MIT */
/*
 * attr.c - an entry's metadata: the permission bits extraction restores
 * (from the external attributes), its modification time (from the NTFS or
 * Info-ZIP extended-timestamp extra field, or the DOS date and time), and the whole
 * description the API hands out (zs_entry_get).
 */
#include <sys/stat.h>
#include <time.h>

#include "internal.h"

#define ZS_HOST_UNIX 3
#define ZS_EXTRA_UT 0x5455u      /* extended timestamp, UTC seconds */
#define ZS_EXTRA_NTFS 0x000au    /* NTFS times, UTC 100 ns since 1601 */
#define ZS_DOS_READONLY 0x01u

mode_t zs_entry_mode(const zs_archive *a, size_t i, mode_t umask_bits,
		     int keep_special)
{
	const zs_index *ix = &a->index;
	mode_t mode = (mode_t)(ix->ext_attr[i] >> 16);
	int dir = zs_entry_is_dir(a, i);

	if ((ix->version_made_by[i] >> 8) == ZS_HOST_UNIX && (mode & 07777)) {
		mode &= keep_special ? 07777 : 0777;
	} else {
		/* no Unix mode: what a new file gets, read-only if the DOS
		 * attribute says so (as unzip) */
		mode = dir ? 0777 : 0666;
		if (ix->ext_attr[i] & ZS_DOS_READONLY)
			mode &= ~0222u;
	}
	return mode & ~umask_bits;
}

/* DOS date and time as one number, comparable as unzip compares them. */
#define ZS_DOS_1980 0x00210000u       /* 1980-01-01 00:00, the minimum */
#define ZS_DOS_2038 0x74320000u       /* 2038-01-18 00:00 */
#define ZS_UNIX_1980 315532800        /* 1980-01-01 00:00 UTC */

/*
 * A UT time is 32 bits that writers fill as signed (1901-2038) or unsigned
 * (1970-2106).  As unzip does, the entry's DOS date decides: past 2038, or
 * later than 1980 while the signed reading is before it, the writer meant
 * unsigned (else 2039 comes back as 1904).
 */
static time_t ut_time(const zs_archive *a, size_t i, uint32_t v)
{
	uint32_t dos = (uint32_t)a->index.dos_date[i] << 16 |
		       a->index.dos_time[i];
	int64_t t = (int32_t)v;

	if (dos >= ZS_DOS_2038 || (t < ZS_UNIX_1980 && dos > ZS_DOS_1980))
		t = v;
	return (time_t)t;
}

/* Seconds from 1601-01-01 (Windows FILETIME's epoch) to 1970-01-01. */
#define ZS_FILETIME_1970 11644473600ll

/* The NTFS extra field's modification time: after 4 reserved bytes, tagged
 * attributes; tag 1 (24 bytes) holds mtime, atime and ctime in 100 ns
 * units since 1601, UTC. */
static int ntfs_mtime(const uint8_t *p, uint16_t len, time_t *out)
{
	for (uint32_t k = 4; k + 4 <= len;) {
		uint16_t tag = zs_le16(p + k), size = zs_le16(p + k + 2);
		if (size > len - k - 4)
			return 0;
		if (tag == 1 && size >= 24) {
			*out = (time_t)((int64_t)(zs_le64(p + k + 4) / 10000000) -
					ZS_FILETIME_1970);
			return 1;
		}
		k += 4u + size;
	}
	return 0;
}

/*
 * The modification time in UTC, if the central record carries one: the
 * NTFS extra field's (7-Zip and WinZip write it; 7-Zip prefers it, and it
 * has the finer grain), else the UT extra field's.  Without either, the
 * DOS time is local time and restoring it is off by the writer's zone.
 */
int zs_entry_utc(const zs_archive *a, size_t i, time_t *out)
{
	const uint8_t *rec = a->data + a->index.central_offset[i];
	const uint8_t *p = rec + ZS_CENTRAL_SIZE + zs_le16(rec + 28);
	uint16_t left = zs_le16(rec + 30);
	int found = 0;

	/* the index checked that the record and its extra lie inside the
	 * central directory; sub-field lengths are checked here */
	while (left >= 4) {
		uint16_t id = zs_le16(p), len = zs_le16(p + 2);
		if (len > left - 4)
			break;
		if (id == ZS_EXTRA_NTFS && ntfs_mtime(p + 4, len, out))
			return 1;
		if (id == ZS_EXTRA_UT && len >= 5 && (p[4] & 1) && !found) {
			*out = ut_time(a, i, zs_le32(p + 5));
			found = 1;
		}
		p += 4 + len;
		left = (uint16_t)(left - 4 - len);
	}
	return found;
}

/* The start of a DOS date's local hour, as mktime gives it.  mktime
 * stats /etc/localtime on every call (glibc, TZ unset): 2 us, 200,000
 * system calls for a diff of two 100,000-entry archives.  Within one
 * local hour the offset from UTC is fixed, so each thread keeps the
 * last hour it converted and adds the minutes and seconds. */
static time_t dos_hour(unsigned d, unsigned hour)
{
	static __thread unsigned key = UINT32_MAX;
	static __thread time_t start;
	unsigned k = d << 5 | hour;

	if (k != key) {
		struct tm x = {
			.tm_year = 80 + (int)(d >> 9),
			.tm_mon = (int)((d >> 5) & 15) - 1,
			.tm_mday = (int)(d & 31), .tm_hour = (int)hour,
			.tm_isdst = -1,
		};
		start = mktime(&x);
		key = k;
	}
	return start;
}

time_t zs_entry_time(const zs_archive *a, size_t i)
{
	time_t t;
	if (zs_entry_utc(a, i, &t))
		return t;
	/* DOS time is local time, as unzip reads it */
	unsigned d = a->index.dos_date[i], tm = a->index.dos_time[i];
	return dos_hour(d, tm >> 11) + ((tm >> 5) & 63) * 60 + (tm & 31) * 2;
}

int zs_entry_get(const zs_archive *a, size_t i, zs_entry *e)
{
	const zs_index *ix = &a->index;

	if (!a->indexed || i >= ix->count)
		return -1;
	memset(e, 0, sizeof(*e));
	e->index = i;
	e->name = (const char *)a->data + ix->name_offset[i];
	e->name_len = ix->name_len[i];
	e->compressed_size = ix->comp_size[i];
	e->uncompressed_size = ix->uncomp_size[i];
	e->crc32 = ix->crc32[i];
	e->method = ix->method[i];
	e->flags = ix->flags[i];
	e->version_made_by = ix->version_made_by[i];
	e->external_attr = ix->ext_attr[i];
	if ((ix->version_made_by[i] >> 8) == ZS_HOST_UNIX)
		e->mode = ix->ext_attr[i] >> 16;
	e->dos_date = ix->dos_date[i];
	e->dos_time = ix->dos_time[i];
	e->mtime = (int64_t)zs_entry_time(a, i);
	e->local_offset = ix->local_offset[i];
	e->data_offset = ix->data_offset[i];
	e->central_offset = ix->central_offset[i];
	e->is_dir = zs_entry_is_dir(a, i);
	e->is_symlink = zs_entry_is_symlink(a, i);
	e->is_encrypted = zs_entry_is_encrypted(a, i);
	e->is_zip64 = ix->zip64[i];
	e->status = ix->status[i];
	e->error = ix->error[i];
	return 0;
}
