// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test - in-kernel benchmark and stress test of the mymem API
 *
 * Kernel threads call the API exported by mymem_core (<linux/mymem.h>):
 *   perf    - ns per read/write call per size, against memcpy baselines
 *   race    - W workers x N increments of the counter at offset 0:
 *             unlocked, under a mutex of this module, with mymem_add_u64()
 *   scale   - 1 KiB ops/s with 1..max_threads kthreads
 *   torture - random reads/writes/seeks/adds that detect torn reads,
 *             lost writes and wrong sums
 *
 * This file holds the parameters and their validation, the debugfs interface
 * (/sys/kernel/debug/mymem_test/) and the run lifecycle: a run is driven by
 * one controller kthread, so insmod returns at once; rmmod stops a run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>
#include <linux/wait.h>

#include <linux/mymem.h>

#include "mymem_test.h"

static char *tests = "perf,race,scale,torture";
module_param(tests, charp, 0444);
MODULE_PARM_DESC(tests, "tests to run: comma list of perf|race|scale|torture, or all");

static char *sizes = "1,64,1024,65536,524288";
module_param(sizes, charp, 0444);
MODULE_PARM_DESC(sizes, "perf transfer sizes: comma list of 1..16 sizes, each 1..core size");

static unsigned int iterations = 1000;
module_param(iterations, uint, 0444);
MODULE_PARM_DESC(iterations, "perf calls per size and op (1..100000)");

static unsigned int workers = 50;
module_param(workers, uint, 0444);
MODULE_PARM_DESC(workers, "race worker kthreads (1..1024)");

static unsigned int increments = 150000;
module_param(increments, uint, 0444);
MODULE_PARM_DESC(increments, "race increments per worker (1..10000000)");

static unsigned int max_threads;
module_param(max_threads, uint, 0444);
MODULE_PARM_DESC(max_threads, "scale: up to this many kthreads (1..256; 0 = 2 x online CPUs)");

static unsigned int duration = 10;
module_param(duration, uint, 0444);
MODULE_PARM_DESC(duration, "torture duration in seconds (1..3600)");

static bool autorun = true;
module_param(autorun, bool, 0444);
MODULE_PARM_DESC(autorun, "start a run at load (N: idle until started through debugfs)");

#define MMT_MAX_ITERATIONS	100000
#define MMT_MAX_WORKERS		1024
#define MMT_MAX_INCREMENTS	10000000
#define MMT_MAX_THREADS		256
#define MMT_MAX_DURATION		3600
#define MMT_CONTROL_MAX		1024	/* longest control write */

const char *const mmt_test_names[MMT_NR_TESTS] = {
	[MMT_PERF]	= "perf",
	[MMT_RACE]	= "race",
	[MMT_SCALE]	= "scale",
	[MMT_TORTURE]	= "torture",
};

static unsigned int (*const mmt_test_fns[MMT_NR_TESTS])(const struct mmt_params *p) = {
	[MMT_PERF]	= mmt_perf_run,
	[MMT_RACE]	= mmt_race_run,
	[MMT_SCALE]	= mmt_scale_run,
	[MMT_TORTURE]	= mmt_torture_run,
};

enum mmt_state {
	MMT_IDLE,
	MMT_RUNNING,
	MMT_DONE_PASS,
	MMT_DONE_FAIL,
	MMT_ABORTED,
};

/*
 * mmt_run_lock serialises run start, run end and module exit; it protects
 * mmt_state, mmt_controller and mmt_run_params (written only while no run is
 * going).  mmt_abort and the progress fields are read locklessly.
 */
static DEFINE_MUTEX(mmt_run_lock);
static enum mmt_state mmt_state;
static struct task_struct *mmt_controller;
static struct mmt_params mmt_load_params;
static struct mmt_params mmt_run_params;
static bool mmt_abort;
static int mmt_cur_test;
static unsigned int mmt_cur_done, mmt_cur_total;
static DECLARE_WAIT_QUEUE_HEAD(mmt_run_wq);
static struct dentry *mmt_dir;

/* ---- parameters ---- */

static int mmt_parse_uint(const char *name, const char *val, unsigned int min,
			  unsigned int max, const char *allowed,
			  unsigned int *out)
{
	unsigned int v;

	if (kstrtouint(val, 10, &v) || v < min || v > max) {
		pr_err("invalid %s=%.64s: %s\n", name, val, allowed);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int mmt_parse_tests(const char *val, struct mmt_params *p)
{
	char buf[64], *s = buf, *tok;
	unsigned int mask = 0;
	int t;

	if (strscpy(buf, val, sizeof(buf)) < 0 || !buf[0])
		goto bad;
	while ((tok = strsep(&s, ","))) {
		if (!strcmp(tok, "all")) {
			mask |= BIT(MMT_NR_TESTS) - 1;
			continue;
		}
		for (t = 0; t < MMT_NR_TESTS; t++)
			if (!strcmp(tok, mmt_test_names[t]))
				break;
		if (t == MMT_NR_TESTS)
			goto bad;
		mask |= BIT(t);
	}
	p->tests = mask;
	return 0;
bad:
	pr_err("invalid tests=%.64s: comma list of perf, race, scale, torture, or all\n",
	       val);
	return -EINVAL;
}

static int mmt_parse_sizes(const char *val, struct mmt_params *p)
{
	char buf[MMT_MAX_SIZES * 12], *s = buf, *tok;
	size_t max = mymem_size();
	unsigned int n = 0;
	unsigned long v;

	if (strscpy(buf, val, sizeof(buf)) < 0 || !buf[0])
		goto bad;
	while ((tok = strsep(&s, ","))) {
		if (n == MMT_MAX_SIZES || kstrtoul(tok, 10, &v) || !v || v > max)
			goto bad;
		p->sizes[n++] = v;
	}
	p->nr_sizes = n;
	return 0;
bad:
	pr_err("invalid sizes=%.64s: comma list of 1 to %u sizes, each 1..%zu\n",
	       val, MMT_MAX_SIZES, max);
	return -EINVAL;
}

static unsigned int mmt_default_threads(void)
{
	return min_t(unsigned int, 2 * num_online_cpus(), MMT_MAX_THREADS);
}

/**
 * mmt_set_param() - validate one key=value and store it in @p
 * @p:   the settings being built
 * @key: a parameter name
 * @val: its value as text
 *
 * Prints exactly one line for a bad key or value.
 * Return: 0 or -EINVAL.
 */
static int mmt_set_param(struct mmt_params *p, const char *key, const char *val)
{
	unsigned int v;
	bool b;

	if (!strcmp(key, "tests"))
		return mmt_parse_tests(val, p);
	if (!strcmp(key, "sizes"))
		return mmt_parse_sizes(val, p);
	if (!strcmp(key, "iterations"))
		return mmt_parse_uint(key, val, 1, MMT_MAX_ITERATIONS,
				      "1..100000", &p->iterations);
	if (!strcmp(key, "workers"))
		return mmt_parse_uint(key, val, 1, MMT_MAX_WORKERS, "1..1024",
				      &p->workers);
	if (!strcmp(key, "increments"))
		return mmt_parse_uint(key, val, 1, MMT_MAX_INCREMENTS,
				      "1..10000000", &p->increments);
	if (!strcmp(key, "duration"))
		return mmt_parse_uint(key, val, 1, MMT_MAX_DURATION, "1..3600",
				      &p->duration);
	if (!strcmp(key, "max_threads")) {
		if (mmt_parse_uint(key, val, 0, MMT_MAX_THREADS,
				   "0 (2 x online CPUs) or 1..256", &v))
			return -EINVAL;
		p->max_threads = v ? v : mmt_default_threads();
		return 0;
	}
	if (!strcmp(key, "autorun")) {
		if (kstrtobool(val, &b)) {
			pr_err("invalid autorun=%.64s: Y or N\n", val);
			return -EINVAL;
		}
		p->autorun = b;
		return 0;
	}
	pr_err("invalid parameter %.32s=%.64s: one of tests, sizes, iterations, workers, increments, max_threads, duration, autorun\n",
	       key, val);
	return -EINVAL;
}

/* The load-time parameters, validated in the order of their declaration. */
static int mmt_params_from_module(struct mmt_params *p)
{
	const struct {
		const char *key;
		unsigned int val;
	} nums[] = {
		{ "iterations", iterations },
		{ "workers", workers },
		{ "increments", increments },
		{ "max_threads", max_threads },
		{ "duration", duration },
	};
	char val[16];
	unsigned int i;

	if (mmt_set_param(p, "tests", tests ? tests : ""))
		return -EINVAL;
	if (mmt_set_param(p, "sizes", sizes ? sizes : ""))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		snprintf(val, sizeof(val), "%u", nums[i].val);
		if (mmt_set_param(p, nums[i].key, val))
			return -EINVAL;
	}
	p->autorun = autorun;
	return 0;
}

/**
 * mmt_list_format() - one of the settings' lists, comma-separated
 * @buf:   output
 * @len:   size of @buf
 * @p:     the settings
 * @sizes: the perf sizes if true, else the names of the selected tests
 *
 * Return: the number of characters written (scnprintf semantics).
 */
size_t mmt_list_format(char *buf, size_t len, const struct mmt_params *p,
		       bool sizes)
{
	size_t n = 0;
	unsigned int i;

	if (sizes) {
		for (i = 0; i < p->nr_sizes; i++)
			n += scnprintf(buf + n, len - n, "%s%zu", i ? "," : "",
				       p->sizes[i]);
		return n;
	}
	for (i = 0; i < MMT_NR_TESTS; i++)
		if (p->tests & BIT(i))
			n += scnprintf(buf + n, len - n, "%s%s", n ? "," : "",
				       mmt_test_names[i]);
	return n;
}

/**
 * mmt_params_format() - the settings as "key=value ..." for the log
 * @p:   the settings
 * @buf: output
 * @len: size of @buf
 */
void mmt_params_format(const struct mmt_params *p, char *buf, size_t len)
{
	size_t n;

	n = scnprintf(buf, len, "tests=");
	n += mmt_list_format(buf + n, len - n, p, false);
	n += scnprintf(buf + n, len - n, " sizes=");
	n += mmt_list_format(buf + n, len - n, p, true);
	scnprintf(buf + n, len - n,
		  " iterations=%u workers=%u increments=%u max_threads=%u duration=%u autorun=%c",
		  p->iterations, p->workers, p->increments, p->max_threads,
		  p->duration, p->autorun ? 'Y' : 'N');
}

/* ---- run lifecycle ---- */

/**
 * mmt_stop_requested() - whether the current run must end now
 *
 * True after debugfs "stop" or at rmmod, or when the calling kthread is
 * being stopped.
 */
bool mmt_stop_requested(void)
{
	return READ_ONCE(mmt_abort) || kthread_should_stop();
}

/**
 * mmt_progress() - publish which test runs and how far it is
 * @test:  the test
 * @done:  units done (test-specific: sizes, modes, points, seconds)
 * @total: units in all
 */
void mmt_progress(enum mmt_test test, unsigned int done, unsigned int total)
{
	WRITE_ONCE(mmt_cur_test, test);
	WRITE_ONCE(mmt_cur_done, done);
	WRITE_ONCE(mmt_cur_total, total);
}

static int mmt_controller_fn(void *unused)
{
	const struct mmt_params *p = &mmt_run_params;
	char params[MMT_PARAMS_LEN];
	unsigned int failures = 0;
	enum mmt_state end;
	const char *verdict;
	int t;

	mmt_params_format(p, params, sizeof(params));
	mmt_info("Start of test: %s", params);
	mmt_info("kernel %s, %u online CPUs, core size %zu bytes",
		 init_utsname()->release, num_online_cpus(), mymem_size());

	for (t = 0; t < MMT_NR_TESTS && !READ_ONCE(mmt_abort); t++) {
		if (!(p->tests & BIT(t)))
			continue;
		mmt_progress(t, 0, 0);
		failures += mmt_test_fns[t](p);
	}

	if (READ_ONCE(mmt_abort)) {
		end = MMT_ABORTED;
		verdict = "ABORTED";
		mmt_info("End of test: FAILURE (aborted: %u failed checks before the stop) %s",
			 failures, params);
	} else if (failures) {
		end = MMT_DONE_FAIL;
		verdict = "FAIL";
		mmt_info("End of test: FAILURE (%u failed checks) %s", failures,
			 params);
	} else {
		end = MMT_DONE_PASS;
		verdict = "PASS";
		mmt_info("End of test: SUCCESS %s", params);
	}
	mmt_report_end(p, verdict);

	mutex_lock(&mmt_run_lock);
	WRITE_ONCE(mmt_state, end);
	mutex_unlock(&mmt_run_lock);
	wake_up_all(&mmt_run_wq);

	mmt_wait_for_stop();
	return 0;
}

/**
 * mmt_start_run() - start a run with @p in a new controller kthread
 * @p: validated settings
 *
 * Context: process context.
 * Return: 0, -EBUSY while a run is going, or -ENOMEM and friends.
 */
static int mmt_start_run(const struct mmt_params *p)
{
	struct task_struct *t;
	int ret;

	mutex_lock(&mmt_run_lock);
	if (mmt_state == MMT_RUNNING) {
		ret = -EBUSY;
		goto out;
	}
	/* The previous controller has ended its run and waits to be reaped. */
	if (mmt_controller) {
		kthread_stop(mmt_controller);
		mmt_controller = NULL;
	}
	ret = mmt_report_begin(p);
	if (ret)
		goto out;
	mmt_run_params = *p;
	WRITE_ONCE(mmt_abort, false);
	t = kthread_create(mmt_controller_fn, NULL, "mymem_test");
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		goto out;
	}
	mmt_controller = t;
	mmt_progress(__ffs(p->tests), 0, 0);
	WRITE_ONCE(mmt_state, MMT_RUNNING);
	wake_up_process(t);
out:
	mutex_unlock(&mmt_run_lock);
	/* one line for every failure but the expected -EBUSY */
	if (ret && ret != -EBUSY)
		pr_err("cannot start a run: %d\n", ret);
	return ret;
}

/* ---- debugfs ---- */

static void mmt_status_line(char *buf, size_t len)
{
	switch (READ_ONCE(mmt_state)) {
	case MMT_RUNNING:
		scnprintf(buf, len, "running %s %u/%u\n",
			  mmt_test_names[READ_ONCE(mmt_cur_test)],
			  READ_ONCE(mmt_cur_done), READ_ONCE(mmt_cur_total));
		break;
	case MMT_DONE_PASS:
		strscpy(buf, "done PASS\n", len);
		break;
	case MMT_DONE_FAIL:
		strscpy(buf, "done FAIL\n", len);
		break;
	case MMT_ABORTED:
		strscpy(buf, "aborted\n", len);
		break;
	default:
		strscpy(buf, "idle\n", len);
		break;
	}
}

static int mmt_status_show(struct seq_file *m, void *unused)
{
	char line[64];

	mmt_status_line(line, sizeof(line));
	seq_puts(m, line);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mmt_status);

static ssize_t mmt_wait_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char line[64];

	if (!*ppos &&
	    wait_event_interruptible(mmt_run_wq,
				     READ_ONCE(mmt_state) != MMT_RUNNING))
		return -ERESTARTSYS;
	mmt_status_line(line, sizeof(line));
	return simple_read_from_buffer(ubuf, count, ppos, line, strlen(line));
}

static const struct file_operations mmt_wait_fops = {
	.owner	= THIS_MODULE,
	.read	= mmt_wait_read,
	.llseek	= default_llseek,
};

/* A private copy of a report, taken when the file is opened. */
struct mmt_snapshot {
	ssize_t len;
	char *data;
};

static int mmt_snapshot_open(struct inode *inode, struct file *file)
{
	bool json = inode->i_private;
	struct mmt_snapshot *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->len = mmt_report_snapshot(json, &s->data);
	if (s->len < 0) {
		kfree(s);
		return -ENOMEM;
	}
	file->private_data = s;
	return 0;
}

static ssize_t mmt_snapshot_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct mmt_snapshot *s = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, s->data, s->len);
}

static int mmt_snapshot_release(struct inode *inode, struct file *file)
{
	struct mmt_snapshot *s = file->private_data;

	kvfree(s->data);
	kfree(s);
	return 0;
}

static const struct file_operations mmt_snapshot_fops = {
	.owner		= THIS_MODULE,
	.open		= mmt_snapshot_open,
	.read		= mmt_snapshot_read,
	.release	= mmt_snapshot_release,
	.llseek		= default_llseek,
};

/**
 * mmt_control_run() - handle "run [key=value ...]"
 * @args: the text after "run", modified in place
 *
 * Return: 0 when a run was started, -EINVAL (one dmesg line) for a bad
 * setting, -EBUSY while a run is going.
 */
static int mmt_control_run(char *args)
{
	struct mmt_params p;
	char *tok, *val;

	mutex_lock(&mmt_run_lock);
	p = mmt_load_params;
	mutex_unlock(&mmt_run_lock);

	while ((tok = strsep(&args, " \t\n"))) {
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (!val) {
			pr_err("invalid control argument '%.64s': key=value expected\n",
			       tok);
			return -EINVAL;
		}
		*val++ = '\0';
		if (mmt_set_param(&p, tok, val))
			return -EINVAL;
	}
	return mmt_start_run(&p);
}

static ssize_t mmt_control_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char *buf, *cmd, *verb;
	int ret;

	if (!count || count > MMT_CONTROL_MAX) {
		pr_err("invalid control write of %zu bytes: 1..%u\n", count,
		       MMT_CONTROL_MAX);
		return -EINVAL;
	}
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	cmd = strim(buf);
	verb = strsep(&cmd, " \t\n");
	if (!strcmp(verb, "run")) {
		ret = mmt_control_run(cmd);
	} else if (!strcmp(verb, "stop") && !cmd) {
		WRITE_ONCE(mmt_abort, true);
		ret = 0;
	} else {
		pr_err("invalid control command '%.32s%s%.32s': run [key=value ...] or stop\n",
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

static void mmt_debugfs_init(void)
{
	mmt_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("status", 0400, mmt_dir, NULL, &mmt_status_fops);
	debugfs_create_file("results", 0400, mmt_dir, NULL, &mmt_snapshot_fops);
	/* A non-NULL i_private selects results.json. */
	debugfs_create_file("results.json", 0400, mmt_dir, (void *)1,
			    &mmt_snapshot_fops);
	debugfs_create_file("control", 0200, mmt_dir, NULL, &mmt_control_fops);
	debugfs_create_file("wait", 0400, mmt_dir, NULL, &mmt_wait_fops);
}

/* ---- module ---- */

/* Everything init set up; also the unwinding of a failed init. */
static void mmt_cleanup(void)
{
	struct task_struct *t;
	bool running;
	u64 t0;

	mutex_lock(&mmt_run_lock);
	WRITE_ONCE(mmt_abort, true);
	t = mmt_controller;
	mmt_controller = NULL;
	running = mmt_state == MMT_RUNNING;
	mutex_unlock(&mmt_run_lock);

	/* The controller stops its workers, reports, then waits for us. */
	t0 = ktime_get_ns();
	if (t)
		kthread_stop(t);
	if (running)
		pr_info("unload: the run stopped in %llu ms\n",
			div64_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	debugfs_remove_recursive(mmt_dir);
	mmt_report_free();
}

static int __init mmt_init(void)
{
	int ret;

	ret = mmt_params_from_module(&mmt_load_params);
	if (ret)
		return ret;

	mmt_debugfs_init();
	if (mmt_load_params.autorun) {
		ret = mmt_start_run(&mmt_load_params);
		if (ret) {
			mmt_cleanup();
			return ret;
		}
	}
	return 0;
}

static void __exit mmt_exit(void)
{
	mmt_cleanup();
}

module_init(mmt_init);
module_exit(mmt_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The mymem developers");
MODULE_DESCRIPTION("mymem in-kernel benchmark and stress test (perf, race, scale, torture)");
MODULE_INFO(test, "Y");
