// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_test torture: the buffer layout, the threads' part in it, the checks
 *
 * Every 8-byte word a write stores is its stamp (writer id, sequence, first
 * block, block count), so any word read names the write that stored it and
 * the blocks that write covered, and a read of any offset and length is
 * checked exactly:
 *  - torn: the read holds words of two writes X and Y where each of them
 *    also covered a block at which the read saw the other one.  Whichever
 *    came last would have to show at both places, so no single instant
 *    explains the read.  A word whose stamp does not cover its own block
 *    is torn too (corrupt).
 *  - lost: only a slice's owner writes it, and keeps a shadow of the stamps
 *    it wrote; a read of its slice, and the final pass, must match it.
 *  - adds: a result below the thread's own sum of adds to that counter is
 *    an error, and at the end each counter must hold the sum of all adds.
 * Sequence numbers wrap after 2^24 writes of one thread; a wrapped stamp
 * can only hide an error, never report a false one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time64.h>

#include <linux/mymem.h>

#include "torture.h"

#define MMT_TORTURE_MAX_BLOCKS	65535	/* a stamp holds 16-bit block numbers */

/**
 * mmt_torture_threads() - how many threads torture runs
 *
 * Return: 2 x online CPUs, at most MMT_TORTURE_MAX_THREADS.
 */
unsigned int mmt_torture_threads(void)
{
	return min(2 * num_online_cpus(), MMT_TORTURE_MAX_THREADS);
}

/* a hot range of 2 blocks at least, and a slice of 1 per thread */
static size_t mmt_torture_min_size(unsigned int threads)
{
	return MMT_TORTURE_BASE + MMT_TORTURE_TAIL +
	       2 * MMT_TORTURE_BLOCK * (threads + 1);
}

/**
 * mmt_torture_min_core_size() - the smallest core torture runs on now
 *
 * Return: its size in bytes.
 */
size_t mmt_torture_min_core_size(void)
{
	return mmt_torture_min_size(mmt_torture_threads());
}

/**
 * mmt_torture_lay_out() - lay the buffer out for @threads threads
 * @layout:   out: the layout
 * @threads:  number of threads
 * @duration: seconds each thread runs
 *
 * Return: 0, or -ENOSPC when the buffer is too small.
 */
int mmt_torture_lay_out(struct mmt_torture_layout *layout,
			unsigned int threads, unsigned int duration)
{
	size_t size = mymem_size(), blocks;

	if (size < mmt_torture_min_size(threads))
		return -ENOSPC;
	blocks = (size - MMT_TORTURE_BASE - MMT_TORTURE_TAIL) / MMT_TORTURE_BLOCK;
	layout->size = size;
	layout->threads = threads;
	layout->run_ns = (u64)duration * NSEC_PER_SEC;
	layout->blocks = min_t(size_t, blocks, MMT_TORTURE_MAX_BLOCKS);
	layout->hot = min(MMT_TORTURE_HOT_BLOCKS, layout->blocks / 2);
	layout->slice = (layout->blocks - layout->hot) / threads;
	return 0;
}

/**
 * mmt_torture_thread_init() - set up thread @id: its buffers, slice, handle
 * @thread: the thread, zeroed
 * @layout: the layout
 * @id:     0..layout->threads - 1
 *
 * Return: 0 or a negative errno; mmt_torture_thread_free() undoes either.
 */
int mmt_torture_thread_init(struct mmt_torture_thread *thread,
			    const struct mmt_torture_layout *layout,
			    unsigned int id)
{
	unsigned int i, blk;

	thread->layout = layout;
	thread->first = layout->hot + id * layout->slice;
	thread->wbuf = kvmalloc(MMT_TORTURE_LONG_BYTES, GFP_KERNEL);
	thread->rbuf = kvmalloc(MMT_TORTURE_LONG_BYTES, GFP_KERNEL);
	thread->spans = kvmalloc_array(MMT_TORTURE_LONG_BYTES / 8 + 1,
				       sizeof(*thread->spans), GFP_KERNEL);
	thread->shadow = kvmalloc_array(layout->slice, sizeof(u64), GFP_KERNEL);
	if (!thread->wbuf || !thread->rbuf || !thread->spans || !thread->shadow)
		return -ENOMEM;
	for (i = 0; i < layout->slice; i++) {
		blk = thread->first + i;
		thread->shadow[i] = mmt_stamp(MMT_TORTURE_INIT_ID, blk, blk, 1);
	}
	thread->h = mymem_open();
	if (IS_ERR(thread->h)) {
		int ret = PTR_ERR(thread->h);

		thread->h = NULL;
		return ret;
	}
	return 0;
}

/**
 * mmt_torture_thread_free() - free what mmt_torture_thread_init() set up
 * @thread: the thread
 */
void mmt_torture_thread_free(struct mmt_torture_thread *thread)
{
	if (thread->h)
		mymem_close(thread->h);
	kvfree(thread->wbuf);
	kvfree(thread->rbuf);
	kvfree(thread->spans);
	kvfree(thread->shadow);
}

/* Before the run, each block holds a one-block write of MMT_TORTURE_INIT_ID. */
static void mmt_torture_stamp_blocks(u8 *buf, unsigned int first, unsigned int n)
{
	unsigned int i, j;
	u64 stamp;

	for (i = 0; i < n; i++) {
		stamp = mmt_stamp(MMT_TORTURE_INIT_ID, first + i, first + i, 1);
		for (j = 0; j < MMT_TORTURE_WORDS; j++)
			memcpy(buf + (i * MMT_TORTURE_WORDS + j) * 8, &stamp,
			       sizeof(stamp));
	}
}

/**
 * mmt_torture_fill() - write the initial stamps and zero the counters
 * @layout: the layout
 * @buf:    MMT_TORTURE_MAX_READ bytes of scratch
 *
 * Return: 0 or -EIO.
 */
int mmt_torture_fill(const struct mmt_torture_layout *layout, u8 *buf)
{
	unsigned int per = MMT_TORTURE_MAX_READ / MMT_TORTURE_BLOCK, blk, n;
	size_t len;

	memset(buf, 0, MMT_TORTURE_BASE);
	if (mymem_pwrite(buf, MMT_TORTURE_BASE, 0) != MMT_TORTURE_BASE)
		return -EIO;
	for (blk = 0; blk < layout->blocks; blk += n) {
		n = min(per, layout->blocks - blk);
		len = (size_t)n * MMT_TORTURE_BLOCK;
		mmt_torture_stamp_blocks(buf, blk, n);
		if (mymem_pwrite(buf, len, MMT_TORTURE_BASE +
				 (loff_t)blk * MMT_TORTURE_BLOCK) != len)
			return -EIO;
	}
	return 0;
}

/* Whether the write seen in @b covered a block where @a was seen. */
static bool mmt_span_covered_by(const struct mmt_torture_span *a,
				const struct mmt_torture_span *b)
{
	unsigned int first = mmt_stamp_first(b->stamp);

	return a->hi >= first && a->lo < first + mmt_stamp_blocks(b->stamp);
}

/**
 * mmt_torture_check_read() - check the whole words of a read in the blocks
 * @thread: the reader, whose torn and lost counts are updated
 * @data:   what was read
 * @pos:    where from
 * @len:    bytes read
 */
void mmt_torture_check_read(struct mmt_torture_thread *thread, const u8 *data,
			    loff_t pos, size_t len)
{
	const struct mmt_torture_layout *layout = thread->layout;
	loff_t lo = max_t(loff_t, pos, MMT_TORTURE_BASE);
	loff_t hi = min_t(loff_t, pos + len, MMT_TORTURE_BASE +
			  (loff_t)layout->blocks * MMT_TORTURE_BLOCK);
	struct mmt_torture_span *spans = thread->spans;
	unsigned int i, j, n = 0, blk, first;
	bool torn = false, lost = false;
	loff_t x;
	u64 v;

	for (x = ALIGN(lo, 8); x + 8 <= hi; x += 8) {
		memcpy(&v, data + (x - pos), sizeof(v));
		blk = (x - MMT_TORTURE_BASE) / MMT_TORTURE_BLOCK;
		if (blk >= thread->first &&
		    blk < thread->first + layout->slice &&
		    v != thread->shadow[blk - thread->first])
			lost = true;
		if (n && spans[n - 1].stamp == v) {
			spans[n - 1].hi = blk;
			continue;
		}
		spans[n].stamp = v;
		spans[n].lo = blk;
		spans[n].hi = blk;
		n++;
	}

	for (i = 0; i < n && !torn; i++) {
		first = mmt_stamp_first(spans[i].stamp);
		torn = !mmt_stamp_blocks(spans[i].stamp) ||
		       spans[i].lo < first ||
		       spans[i].hi >= first + mmt_stamp_blocks(spans[i].stamp);
	}
	for (i = 0; i < n && !torn; i++)
		for (j = i + 1; j < n && !torn; j++)
			torn = spans[i].stamp != spans[j].stamp &&
			       mmt_span_covered_by(&spans[i], &spans[j]) &&
			       mmt_span_covered_by(&spans[j], &spans[i]);
	if (torn) {
		thread->count[MMT_TORN]++;
		mmt_err("torture: thread %u: torn read at %lld len %zu",
			thread->w.id, pos, len);
	}
	if (lost) {
		thread->count[MMT_LOST]++;
		mmt_err("torture: thread %u: lost write: read of its slice at %lld len %zu differs from what it wrote",
			thread->w.id, pos, len);
	}
}

/* Every counter holds the sum of all successful adds to it. */
static void mmt_check_counters(const struct mmt_torture_layout *layout,
			       const struct mmt_torture_thread *threads,
			       const u8 *buf, u64 *count)
{
	unsigned int i, j;
	__le64 le;
	u64 total;

	for (i = 0; i < MMT_TORTURE_COUNTERS; i++) {
		memcpy(&le, buf + i * 8, sizeof(le));
		for (total = 0, j = 0; j < layout->threads; j++)
			total += threads[j].add_sum[i];
		if (le64_to_cpu(le) != total) {
			count[MMT_ADD_ERRORS]++;
			mmt_err("torture: counter %u is %llu, the adds sum to %llu",
				i, le64_to_cpu(le), total);
		}
	}
}

/* Block @blk, at @data, holds one valid stamp: its owner's last. */
static void mmt_check_block(const struct mmt_torture_layout *layout,
			    const struct mmt_torture_thread *threads,
			    unsigned int blk, const u8 *data, u64 *count)
{
	unsigned int j, owner;
	u64 first, v;
	bool bad;

	memcpy(&first, data, sizeof(first));
	bad = !mmt_stamp_blocks(first) || blk < mmt_stamp_first(first) ||
	      blk >= mmt_stamp_first(first) + mmt_stamp_blocks(first);
	for (j = 1; j < MMT_TORTURE_WORDS; j++) {
		memcpy(&v, data + j * 8, sizeof(v));
		bad |= v != first;
	}
	if (bad) {
		count[MMT_TORN]++;
		mmt_err("torture: block %u holds no single valid write", blk);
	}
	if (blk < layout->hot)
		return;
	owner = (blk - layout->hot) / layout->slice;
	if (owner < layout->threads &&
	    first != threads[owner].shadow[blk - threads[owner].first]) {
		count[MMT_LOST]++;
		mmt_err("torture: block %u lost the last write of thread %u",
			blk, owner);
	}
}

/**
 * mmt_torture_check_final() - check the buffer once every thread has ended
 * @layout:  the layout
 * @threads: the threads
 * @buf:     MMT_TORTURE_MAX_READ bytes of scratch
 * @count:   the totals, by enum mmt_torture_count; updated
 */
void mmt_torture_check_final(const struct mmt_torture_layout *layout,
			     const struct mmt_torture_thread *threads, u8 *buf,
			     u64 *count)
{
	unsigned int per = MMT_TORTURE_MAX_READ / MMT_TORTURE_BLOCK, blk, n, i;
	size_t len;

	if (mymem_pread(buf, MMT_TORTURE_BASE, 0) != MMT_TORTURE_BASE) {
		mmt_err("torture: final check: cannot read the counters");
		count[MMT_ERRORS]++;
		return;
	}
	mmt_check_counters(layout, threads, buf, count);

	for (blk = 0; blk < layout->blocks; blk += n) {
		n = min(per, layout->blocks - blk);
		len = (size_t)n * MMT_TORTURE_BLOCK;
		if (mymem_pread(buf, len, MMT_TORTURE_BASE +
				(loff_t)blk * MMT_TORTURE_BLOCK) != len) {
			mmt_err("torture: final check: cannot read block %u", blk);
			count[MMT_ERRORS]++;
			return;
		}
		for (i = 0; i < n; i++)
			mmt_check_block(layout, threads, blk + i,
					buf + i * MMT_TORTURE_BLOCK, count);
	}
}
