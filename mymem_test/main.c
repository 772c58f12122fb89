// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test - in-kernel benchmark and stress test of the mymem API
 *
 * Kernel threads call the API that mymem_core exports (<linux/mymem.h>):
 *   perf    - ns per read/write call per size, against memcpy baselines
 *   race    - W workers x N increments of the counter at offset 0:
 *             unlocked, under a mutex of this module, with mymem_add_u64()
 *   scale   - 1 KiB ops/s with 1..max_threads kthreads
 *   torture - random reads/writes/seeks/adds that detect torn reads,
 *             lost writes and wrong sums
 *
 * This file registers the tests, makes /sys/kernel/debug/mymem_test/ and
 * loads and unloads the module.  A load with autorun=Y starts a run in
 * the background; rmmod stops it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mymem_test.h"

#define MMT_CONTROL_MAX	1024	/* longest control write */
#define MMT_STATUS_LEN	64

/* The tests of tests.h, in its order, and an empty row; set at load. */
static struct mmt_test mmt_tests[BITS_PER_LONG] __ro_after_init;

/* The settings of the module parameters; set at load, read-only after. */
static struct mmt_params mmt_load_params;
static struct dentry *mmt_dir;

/*
 * "status" and, with a private pointer, "wait", which first waits until no
 * run is going.  seq_file shows once per open: one line, even if a run
 * starts meanwhile.
 */
static int mmt_status_show(struct seq_file *m, void *unused)
{
	char line[MMT_STATUS_LEN];
	int ret = mmt_run_status(line, sizeof(line), m->private);

	if (!ret)
		seq_printf(m, "%s\n", line);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(mmt_status);

/* "results" and, with a private pointer, "results.json" */
static int mmt_results_show(struct seq_file *m, void *unused)
{
	mmt_report_show(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mmt_results);

static ssize_t mmt_control_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct mmt_params p = mmt_load_params;
	char *buf, *cmd, *verb;
	int ret;

	if (!count || count > MMT_CONTROL_MAX)
		return mmt_reject("invalid control write of %zu bytes: 1..%u",
				  count, MMT_CONTROL_MAX);
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	cmd = strim(buf);
	verb = strsep(&cmd, " \t\n");
	if (!strcmp(verb, "run")) {
		ret = mmt_params_parse(&p, cmd) ?: mmt_run_start(&p);
	} else if (!strcmp(verb, "stop") && !cmd) {
		mmt_run_stop();
		ret = 0;
	} else {
		mmt_reject("invalid control command '%.32s%s%.32s': run [key=value ...] or stop",
			   verb, cmd ? " " : "", cmd ? cmd : "");
		ret = -EINVAL;
	}
	kfree(buf);
	return ret ? ret : count;
}

static const struct file_operations mmt_control_fops = {
	.owner	= THIS_MODULE,
	.write	= mmt_control_write,
	.llseek	= noop_llseek,
};

/* Module exit, and the unwinding of a failed init. */
static void mmt_exit(void)
{
	mmt_run_exit();
	debugfs_remove_recursive(mmt_dir);
	mmt_report_free();
}

static int __init mmt_init(void)
{
	unsigned int n = 0;
	int ret;

#define MMT_TEST(name)	(mmt_tests[n++] = mmt_##name##_test)
#include "tests.h"
#undef MMT_TEST
	ret = mmt_params_load(&mmt_load_params, mmt_tests);
	if (ret)
		return ret;
	mmt_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("status", 0400, mmt_dir, NULL, &mmt_status_fops);
	debugfs_create_file("wait", 0400, mmt_dir, mmt_dir, &mmt_status_fops);
	debugfs_create_file("results", 0400, mmt_dir, NULL, &mmt_results_fops);
	debugfs_create_file("results.json", 0400, mmt_dir, mmt_dir,
			    &mmt_results_fops);
	debugfs_create_file("control", 0200, mmt_dir, NULL, &mmt_control_fops);
	ret = mmt_load_params.autorun ? mmt_run_start(&mmt_load_params) : 0;
	if (ret)
		mmt_exit();
	return ret;
}

module_init(mmt_init);
module_exit(mmt_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The mymem developers");
MODULE_DESCRIPTION("mymem in-kernel benchmark and stress test (perf, race, scale, torture)");
MODULE_INFO(test, "Y");
