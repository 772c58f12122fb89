// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_core: /sys/kernel/debug/mymem/, root-only.
 *
 *   size   the buffer size in bytes
 *   stats  "name value" lines: the per-CPU operation counters, summed
 *
 * debugfs is optional: if it cannot be created, the module works without it.
 */

#include <linux/debugfs.h>
#include <linux/mymem.h>
#include <linux/seq_file.h>

#include "mymem_core.h"

static struct dentry *mymem_debugfs_dir;

static int size_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%zu\n", mymem_size());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(size);

static int stats_show(struct seq_file *m, void *v)
{
	struct mymem_stats s;

	mymem_stats_sum(&s);
	seq_printf(m, "reads %llu\n", s.reads);
	seq_printf(m, "writes %llu\n", s.writes);
	seq_printf(m, "seeks %llu\n", s.seeks);
	seq_printf(m, "adds %llu\n", s.adds);
	seq_printf(m, "bytes_read %llu\n", s.bytes_read);
	seq_printf(m, "bytes_written %llu\n", s.bytes_written);
	seq_printf(m, "errors %llu\n", s.errors);
	seq_printf(m, "read_retries %llu\n", s.read_retries);
	seq_printf(m, "fault_retries %llu\n", s.fault_retries);
	seq_printf(m, "opens %llu\n", s.opens);
	seq_printf(m, "closes %llu\n", s.closes);
	seq_printf(m, "open_now %lld\n", (s64)(s.opens - s.closes));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/**
 * mymem_debugfs_init() - create /sys/kernel/debug/mymem/
 */
void mymem_debugfs_init(void)
{
	mymem_debugfs_dir = debugfs_create_dir("mymem", NULL);
	debugfs_create_file("size", 0400, mymem_debugfs_dir, NULL,
			    &size_fops);
	debugfs_create_file("stats", 0400, mymem_debugfs_dir, NULL,
			    &stats_fops);
}

/**
 * mymem_debugfs_exit() - remove it; safe if it was never created
 */
void mymem_debugfs_exit(void)
{
	debugfs_remove(mymem_debugfs_dir);
	mymem_debugfs_dir = NULL;
}
