// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_core: /sys/kernel/debug/mymem/, root-only.
 *
 *   size     the buffer size in bytes
 *   stripes  "stripes N" and "stripe_size BYTES": how the buffer is locked
 *   stats    "name value" lines: the per-CPU operation counters, summed
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

static int stripes_show(struct seq_file *m, void *v)
{
	seq_printf(m, "stripes %u\nstripe_size %lu\n", mymem.nr_stripes,
		   1UL << mymem.stripe_shift);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stripes);

static int stats_show(struct seq_file *m, void *v)
{
	struct mymem_stats s;
	int i;

	mymem_stats_sum(&s);
	for (i = 0; i < MYMEM_NR_STATS; i++)
		seq_printf(m, "%s %llu\n", mymem_stat_names[i], s.count[i]);
	seq_printf(m, "open_now %lld\n",
		   (s64)(s.count[MYMEM_STAT_OPENS] - s.count[MYMEM_STAT_CLOSES]));
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
	debugfs_create_file("stripes", 0400, mymem_debugfs_dir, NULL,
			    &stripes_fops);
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
