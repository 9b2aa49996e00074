/* SPDX-License-Identifier: MIT */
/*
 * catalog_queue.c - the catalog's writer thread: zs_catalog_submit puts a
 * scanned archive in a queue of 8 and returns; one thread records each in
 * the order submitted, then closes it: in its own transaction, or (SQLite)
 * in one shared with the archives queued right behind it.  The scan
 * waits only when the queue is full.  After a database error the thread
 * records nothing more: it closes what is queued, and every later submit
 * fails at once with the error.
 */
#include <stdio.h>
#include <stdlib.h>

#include "catalog.h"

void zs_cat_queue_init(zs_catalog *c)
{
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->db_lock, NULL);
	pthread_cond_init(&c->cond, NULL);
}

int zs_cat_record_now(zs_catalog *c, zs_archive *a, const char *path,
		      int64_t mtime_ns, const char *command)
{
	zs_cat_archive r;
	int rc = 0;

	zs_cat_archive_row(a, path, mtime_ns, command, &r);
	pthread_mutex_lock(&c->db_lock);
	if (c->failed || c->be->record(c, &r, a) != 0)
		rc = ZS_EXIT_WRITE;
	pthread_mutex_unlock(&c->db_lock);
	pthread_mutex_lock(&c->lock);
	if (rc)
		c->failed = 1;
	else
		c->recorded++;
	pthread_mutex_unlock(&c->lock);
	zs_close(a);
	free((char *)path);
	return rc;
}

static void *writer(void *arg)
{
	zs_catalog *c = arg;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->count && !c->closing)
			pthread_cond_wait(&c->cond, &c->lock);
		if (!c->count)
			break;
		zs_cat_item it = c->queue[c->head];
		c->head = (c->head + 1) % ZS_CAT_QUEUE;
		c->count--;
		pthread_cond_broadcast(&c->cond);   /* room for the scan */
		int failed = c->failed;
		c->group_more = c->count > 0;
		pthread_mutex_unlock(&c->lock);
		if (failed) {
			zs_close(it.a);
			free(it.path);
		} else {
			zs_cat_record_now(c, it.a, it.path, it.mtime_ns,
					  it.command);
		}
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int zs_catalog_submit(zs_catalog *c, zs_archive *a, const char *command)
{
	zs_cat_item it = { .a = a };

	pthread_mutex_lock(&c->lock);
	int failed = c->failed;
	pthread_mutex_unlock(&c->lock);
	if (failed) {
		zs_close(a);
		return ZS_EXIT_WRITE;
	}
	it.mtime_ns = -1;
	snprintf(it.command, sizeof(it.command), "%s", command);
	/* the file's state right after its scan, and its absolute path,
	 * taken here on the caller's thread */
	int rc = zs_cat_prepare(c, a, &it.path, &it.mtime_ns);
	if (rc) {
		zs_close(a);
		return rc;
	}
	pthread_mutex_lock(&c->lock);
	if (!c->thread_started &&
	    pthread_create(&c->thread, NULL, writer, c) == 0)
		c->thread_started = 1;
	if (!c->thread_started) {
		pthread_mutex_unlock(&c->lock);
		return zs_cat_record_now(c, a, it.path, it.mtime_ns, command);
	}
	while (c->count == ZS_CAT_QUEUE)
		pthread_cond_wait(&c->cond, &c->lock);
	c->queue[(c->head + c->count) % ZS_CAT_QUEUE] = it;
	c->count++;
	failed = c->failed;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return failed ? ZS_EXIT_WRITE : 0;
}

void zs_cat_queue_stop(zs_catalog *c)
{
	pthread_mutex_lock(&c->lock);
	c->closing = 1;
	pthread_cond_broadcast(&c->cond);
	int started = c->thread_started;
	pthread_mutex_unlock(&c->lock);
	if (started)
		pthread_join(c->thread, NULL);
	c->thread_started = 0;
}
