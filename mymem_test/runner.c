// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test runner: run a group of worker kthreads that start together
 *
 * mmt_group_run() creates the workers, lets them wait behind a start gate
 * until all exist, opens the gate, and waits for an "all done" completion
 * whose counter is biased by one so that it cannot fire while workers are
 * still being created.  The wait is a loop of short timed waits (no
 * hung-task report, and a stop request is seen within MMT_WAIT_SLICE).
 * Every worker waits for kthread_should_stop() before it returns, so the
 * final kthread_stop() never races with a worker that is leaving module
 * text: rmmod at any moment is safe.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <linux/timekeeping.h>

#include "mymem_test.h"

/* How long the controller sleeps between two looks at the stop flag. */
#define MMT_WAIT_SLICE	msecs_to_jiffies(100)

/**
 * struct mmt_group - one set of workers running the same body
 * @gate:    completed (complete_all) once every worker exists
 * @done:    completed when @pending drops to zero
 * @pending: workers still running their body, plus one (the bias) until
 *           the creation loop is over
 * @cancel:  set when the group must end early (creation failure or stop)
 * @body:    what each worker runs
 */
struct mmt_group {
	struct completion gate;
	struct completion done;
	atomic_t pending;
	bool cancel;
	void (*body)(struct mmt_worker *w);
};

/*
 * Only the controller kthread runs groups, one after the other, and every
 * worker of a group has exited before mmt_group_run() returns: one static
 * group is enough and outlives all its users.
 */
static struct mmt_group mmt_group;

static struct mmt_worker *mmt_worker_at(struct mmt_worker *first, size_t stride,
					unsigned int i)
{
	return (struct mmt_worker *)((char *)first + stride * i);
}

/**
 * mmt_worker_should_stop() - whether a worker must leave its loop now
 * @w: the worker
 *
 * True when its group was cancelled, the run is being stopped (debugfs
 * "stop" or rmmod), or the worker itself is being stopped.  Cheap: workers
 * call it every few milliseconds of work.
 */
bool mmt_worker_should_stop(const struct mmt_worker *w)
{
	return READ_ONCE(w->group->cancel) || mmt_stop_requested();
}

/**
 * mmt_wait_for_stop() - sleep until kthread_stop() is called on us
 *
 * The last thing a kthread of this module does: returning before
 * kthread_stop() could let the module be freed under the thread's feet.
 * The sleep is interruptible, so it neither counts as a hung task nor adds
 * to the load average; kthread_stop() wakes it.
 */
void mmt_wait_for_stop(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static int mmt_worker_fn(void *data)
{
	struct mmt_worker *w = data;
	struct mmt_group *g = w->group;

	/*
	 * Lowest priority, as locktorture does: many CPU-bound workers must
	 * not starve the rest of the system, rmmod included.
	 */
	set_user_nice(current, MAX_NICE);
	wait_for_completion(&g->gate);
	if (!mmt_worker_should_stop(w)) {
		w->start_ns = ktime_get_ns();
		g->body(w);
		w->end_ns = ktime_get_ns();
	}
	if (atomic_dec_and_test(&g->pending))
		complete(&g->done);
	mmt_wait_for_stop();
	return 0;
}

/**
 * mmt_group_run() - run @nr workers of @body together and wait for them
 * @first:   the struct mmt_worker of the first worker's private data
 * @stride:  distance in bytes between two workers' private data
 * @nr:      number of workers, at least 1
 * @body:    the work; it must return soon after mmt_worker_should_stop()
 * @name:    short name for the kthreads ("mmt_<name>/<id>") and messages
 * @span_ns: out: first worker start to last worker end, 0 if none ran
 *
 * Context: the controller kthread; sleeps.
 * Return: 0 when every worker ran its body to the end, -EINTR when the run
 * was stopped, or the error of a failed kthread creation.  In every case
 * all created workers have exited when it returns.
 */
int mmt_group_run(struct mmt_worker *first, size_t stride, unsigned int nr,
		  void (*body)(struct mmt_worker *w), const char *name,
		  u64 *span_ns)
{
	struct mmt_group *g = &mmt_group;
	u64 t0 = U64_MAX, t1 = 0;
	unsigned int i;
	int ret = 0;

	init_completion(&g->gate);
	init_completion(&g->done);
	atomic_set(&g->pending, 1);
	WRITE_ONCE(g->cancel, false);
	g->body = body;

	for (i = 0; i < nr; i++) {
		struct mmt_worker *w = mmt_worker_at(first, stride, i);
		struct task_struct *t;

		w->group = g;
		w->id = i;
		w->start_ns = 0;
		w->end_ns = 0;
		w->task = NULL;
		if (ret)
			continue;
		atomic_inc(&g->pending);
		t = kthread_run(mmt_worker_fn, w, "mmt_%s/%u", name, i);
		if (IS_ERR(t)) {
			atomic_dec(&g->pending);
			ret = PTR_ERR(t);
			mmt_err("%s: cannot create worker %u of %u: %d",
				name, i, nr, ret);
			WRITE_ONCE(g->cancel, true);
			continue;
		}
		w->task = t;
	}

	complete_all(&g->gate);
	if (!atomic_dec_and_test(&g->pending)) {
		while (!wait_for_completion_timeout(&g->done, MMT_WAIT_SLICE)) {
			if (mmt_stop_requested()) {
				WRITE_ONCE(g->cancel, true);
				break;
			}
		}
	}
	/* Workers see a stop too, and may all have ended early because of it. */
	if (!ret && mmt_stop_requested())
		ret = -EINTR;

	for (i = 0; i < nr; i++) {
		struct mmt_worker *w = mmt_worker_at(first, stride, i);

		if (!w->task)
			continue;
		kthread_stop(w->task);
		w->task = NULL;
		if (w->start_ns && w->start_ns < t0)
			t0 = w->start_ns;
		if (w->end_ns > t1)
			t1 = w->end_ns;
	}
	*span_ns = t1 > t0 ? t1 - t0 : 0;
	return ret;
}
