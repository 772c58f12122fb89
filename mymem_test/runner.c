// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test runner: the run, its controller kthread and its workers
 *
 * A controller kthread runs the selected tests, so insmod and "run" return
 * at once.  A test's workers start together behind a gate.  A stop is one
 * flag that every thread polls (mmt_must_stop()): creation ends at it and
 * all workers see it at once.  Workers exit through
 * kthread_complete_and_exit(), so a group ends only when none can still be
 * in module text: rmmod is safe at any moment, its cost one wake-up per
 * worker, all in parallel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>
#include <linux/wait.h>

#include <linux/mymem.h>

#include "mymem_test.h"

/* Long waits are slices of this, so that no wait is a hung task. */
#define MMT_WAIT_SLICE		msecs_to_jiffies(100)
#define MMT_SETTINGS_LEN	512

enum mmt_state {
	MMT_IDLE,
	MMT_RUNNING,
	MMT_ENDED,
};

/* The workers of the test running. */
struct mmt_group {
	struct completion gate;		/* opened once creation is over */
	struct completion exited;	/* completed by each worker, last */
	bool cancel;			/* a worker could not be created */
	void (*body)(struct mmt_worker *w);
};

/**
 * struct mmt_run - the run; there is one at a time
 * @lock:       serialises start, end and exit; guards @state, @verdict,
 *              @controller and @params
 * @state:      no run yet, a run going, or the last run ended
 * @verdict:    the last run's, once it ended
 * @controller: the run's kthread; after the run it waits to be stopped
 * @params:     the run's settings
 * @ended:      woken when a run ends
 * @stop:       the run must end now (read without the lock, as the rest)
 * @test:       the test running
 * @done:       its progress, @done units of @total
 * @total:      see @done
 * @group:      the workers of @test
 */
static struct mmt_run {
	struct mutex lock;	/* see above */
	enum mmt_state state;
	const char *verdict;
	struct task_struct *controller;
	struct mmt_params params;
	wait_queue_head_t ended;
	bool stop;
	const struct mmt_test *test;
	unsigned int done;
	unsigned int total;
	struct mmt_group group;
} run = {
	.lock = __MUTEX_INITIALIZER(run.lock),
	.ended = __WAIT_QUEUE_HEAD_INITIALIZER(run.ended),
};

/**
 * mmt_must_stop() - whether the thread of the run calling must end now
 *
 * Return: true after debugfs "stop" or rmmod, or when creating a worker of
 * the group failed.
 */
bool mmt_must_stop(void)
{
	return READ_ONCE(run.stop) || READ_ONCE(run.group.cancel);
}

/**
 * mmt_progress() - how far the test running is, for the status line
 * @done:  units done (sizes, modes, points, seconds)
 * @total: units in all
 */
void mmt_progress(unsigned int done, unsigned int total)
{
	WRITE_ONCE(run.done, done);
	WRITE_ONCE(run.total, total);
}

static int mmt_worker_fn(void *data)
{
	struct mmt_worker *w = data;
	struct mmt_group *g = &run.group;

	/* as locktorture's: the rest of the system, rmmod included, goes on */
	set_user_nice(current, MAX_NICE);
	wait_for_completion(&g->gate);
	if (!mmt_must_stop()) {
		w->start_ns = ktime_get_ns();
		g->body(w);
		w->end_ns = ktime_get_ns();
	}
	kthread_complete_and_exit(&g->exited, 0);
}

/**
 * mmt_group_run() - run @nr workers of @body together and wait for them
 * @first:   the struct mmt_worker in the first worker's data
 * @stride:  bytes from one worker's data to the next
 * @nr:      number of workers, at least 1
 * @body:    the work; it returns soon after mmt_must_stop() turns true
 * @span_ns: out: from the first worker's start to the last one's end
 *
 * Context: the controller kthread.
 * Return: 0, -EINTR when the run was stopped, or why a worker could not be
 * created.  Every worker has exited.
 */
int mmt_group_run(struct mmt_worker *first, size_t stride, unsigned int nr,
		  void (*body)(struct mmt_worker *w), u64 *span_ns)
{
	struct mmt_group *g = &run.group;
	unsigned int created, exited;
	u64 t0 = U64_MAX, t1 = 0;
	struct task_struct *task;
	struct mmt_worker *w;
	int ret = 0;

	init_completion(&g->gate);
	init_completion(&g->exited);
	g->body = body;
	for (created = 0; created < nr && !mmt_must_stop(); created++) {
		w = (void *)first + stride * created;
		*w = (struct mmt_worker){ .id = created };
		task = kthread_run(mmt_worker_fn, w, "mmt_%s/%u",
				   run.test->name, created);
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
			mmt_err("%s: cannot create worker %u of %u: %d",
				run.test->name, created, nr, ret);
			WRITE_ONCE(g->cancel, true);
			break;
		}
	}
	if (!ret && created < nr)
		mmt_info("%s: stopped after creating %u of %u workers",
			 run.test->name, created, nr);
	complete_all(&g->gate);

	for (exited = 0; exited < created; )
		if (wait_for_completion_timeout(&g->exited, MMT_WAIT_SLICE))
			exited++;
	WRITE_ONCE(g->cancel, false);
	if (!ret && READ_ONCE(run.stop))
		ret = -EINTR;

	while (created--) {
		w = (void *)first + stride * created;
		if (w->start_ns && w->start_ns < t0)
			t0 = w->start_ns;
		t1 = max(t1, w->end_ns);
	}
	*span_ns = t1 > t0 ? t1 - t0 : 0;
	return ret;
}

static int mmt_controller_fn(void *unused)
{
	const struct mmt_params *p = &run.params;
	unsigned int failures = 0, test_failures;
	char settings[MMT_SETTINGS_LEN];
	const struct mmt_test *t;
	const char *verdict;
	bool stopped;

	mmt_params_print(p, settings, sizeof(settings), false);
	mmt_info("Start of test: %s", settings);
	mmt_info("kernel %s, %u online CPUs, core size %zu bytes",
		 init_utsname()->release, num_online_cpus(), mymem_size());

	for (t = p->table; t->name && !mmt_must_stop(); t++) {
		if (!(p->tests & BIT(t - p->table)))
			continue;
		WRITE_ONCE(run.test, t);
		mmt_progress(0, 0);
		test_failures = t->run(p);
		failures += test_failures;
		mmt_info("%s: %s (%u failed checks)", t->name,
			 mmt_verdict(test_failures, mmt_must_stop()),
			 test_failures);
	}

	stopped = mmt_must_stop();
	verdict = mmt_verdict(failures, stopped);
	if (!failures && !stopped)
		mmt_info("End of test: %s %s", verdict, settings);
	else
		mmt_info("End of test: %s (%u failed checks) %s", verdict,
			 failures, settings);
	mmt_report_end(p, verdict);

	mutex_lock(&run.lock);
	run.verdict = verdict;
	/* pairs with the acquire of the status line: @verdict first */
	smp_store_release(&run.state, MMT_ENDED);
	mutex_unlock(&run.lock);
	wake_up_all(&run.ended);

	/* the last thing the controller does: returning first could free its text */
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/**
 * mmt_run_start() - start a run in a new controller kthread
 * @p: the settings
 *
 * Return: 0, -EBUSY while a run is going, or an errno after one line.
 */
int mmt_run_start(const struct mmt_params *p)
{
	struct task_struct *task;
	int ret;

	mutex_lock(&run.lock);
	if (run.state == MMT_RUNNING) {
		ret = -EBUSY;
		goto out;
	}
	if (run.controller) {
		kthread_stop(run.controller);
		run.controller = NULL;
	}
	ret = mmt_report_begin(p);
	if (ret)
		goto out;
	run.params = *p;
	WRITE_ONCE(run.stop, false);
	task = kthread_create(mmt_controller_fn, NULL, "mymem_test");
	if (IS_ERR(task)) {
		ret = PTR_ERR(task);
		goto out;
	}
	run.controller = task;
	WRITE_ONCE(run.test, &p->table[__ffs(p->tests)]);
	mmt_progress(0, 0);
	/* pairs with the acquire of the status line: @test first */
	smp_store_release(&run.state, MMT_RUNNING);
	wake_up_process(task);
out:
	mutex_unlock(&run.lock);
	if (ret && ret != -EBUSY)
		mmt_reject("cannot start a run: %d", ret);
	return ret;
}

/**
 * mmt_run_stop() - make the run going, if any, end now (debugfs "stop")
 */
void mmt_run_stop(void)
{
	WRITE_ONCE(run.stop, true);
}

/**
 * mmt_run_exit() - stop the run and its controller (module exit)
 *
 * A run going logs how long it took to stop, for the benchmarks.
 */
void mmt_run_exit(void)
{
	struct task_struct *task;
	bool running;
	u64 t0;

	mutex_lock(&run.lock);
	WRITE_ONCE(run.stop, true);
	task = run.controller;
	run.controller = NULL;
	running = run.state == MMT_RUNNING;
	mutex_unlock(&run.lock);

	t0 = ktime_get_ns();
	if (task)
		kthread_stop(task);
	if (running)
		pr_info("unload: the run stopped in %llu ms\n",
			div64_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
}

/**
 * mmt_run_status() - "idle", "running <test> <done>/<total>" or a verdict
 * @buf:  output
 * @len:  size of @buf
 * @wait: first wait until no run is going
 *
 * Return: 0, or -ERESTARTSYS for a signal during the wait.
 */
int mmt_run_status(char *buf, size_t len, bool wait)
{
	enum mmt_state state;

	if (wait && wait_event_interruptible(run.ended,
					     READ_ONCE(run.state) != MMT_RUNNING))
		return -ERESTARTSYS;
	/* pairs with the releases in mmt_run_start() and the controller */
	state = smp_load_acquire(&run.state);
	if (state == MMT_RUNNING)
		scnprintf(buf, len, "running %s %u/%u", READ_ONCE(run.test)->name,
			  READ_ONCE(run.done), READ_ONCE(run.total));
	else
		strscpy(buf, state == MMT_ENDED ? READ_ONCE(run.verdict) : "idle",
			len);
	return 0;
}
