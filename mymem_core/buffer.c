// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_core: the buffer, its stripes and their locks, and the positional
 * API: pread, pwrite, add_u64.
 *
 * The buffer is cut into stripes of 2^stripe_shift bytes, each with a mutex
 * and a sequence count (docs/DESIGN.md argues the design and measures it):
 *
 *  - A writer locks every stripe its bytes cover, in ascending order, and
 *    holds their counts odd while it changes the bytes.  Writers of
 *    disjoint stripes run in parallel.  A call that needs more than one
 *    stripe takes span_lock first, which serialises such calls among
 *    themselves and lets lockdep follow any number of stripe locks.
 *
 *  - A reader takes no lock.  It sums the counts of its stripes, copies,
 *    and sums them again: if a count was odd or the sums differ, a writer
 *    met the copy, and the reader copies again holding the stripe locks.
 *    A reader never spins on a writer and makes at most two passes.
 *
 *  - No lock and no read section is ever held across a user page fault
 *    (dev.c), so a caller whose memory faults slowly delays only itself.
 *
 * The counts are plain seqcount_t driven with the raw_ primitives: a writer
 * holds a mutex, not a spinlock, and may be preempted in its write section.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kcsan-checks.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mymem.h>
#include <linux/slab.h>

#include <mymem_compat.h>
#include "mymem_core.h"

#define CREATE_TRACE_POINTS
#include "mymem_trace.h"

/*
 * Stripes of 4 KiB by default (the stripe_shift parameter sets another
 * size), but never more than 1024 of them: a 1 GiB buffer gets 1 MiB
 * stripes.  A call that spans stripes holds every one of them, and
 * lockdep counts the stripe locks nested under span_lock in one held-lock
 * entry whose reference count is 11 bits wide (struct held_lock in
 * include/linux/lockdep.h, on 6.1 and 6.12): 2048 stripes in one call
 * overflow it and turn lockdep off.  docs/DESIGN.md has the measurements.
 */
#define MYMEM_STRIPE_SHIFT_MIN	12U
#define MYMEM_STRIPES_MAX	1024U
#define MYMEM_LOCKDEP_REFS_MAX	((1U << 11) - 1)

struct mymem_buffer mymem;

DEFINE_PER_CPU(struct mymem_stats, mymem_stats);

const char *const mymem_stat_names[MYMEM_NR_STATS] = {
	[MYMEM_STAT_READS]		= "reads",
	[MYMEM_STAT_WRITES]		= "writes",
	[MYMEM_STAT_SEEKS]		= "seeks",
	[MYMEM_STAT_ADDS]		= "adds",
	[MYMEM_STAT_BYTES_READ]		= "bytes_read",
	[MYMEM_STAT_BYTES_WRITTEN]	= "bytes_written",
	[MYMEM_STAT_ERRORS]		= "errors",
	[MYMEM_STAT_READ_RETRIES]	= "read_retries",
	[MYMEM_STAT_FAULT_RETRIES]	= "fault_retries",
	[MYMEM_STAT_OPENS]		= "opens",
	[MYMEM_STAT_CLOSES]		= "closes",
};

/**
 * mymem_span() - clamp a transfer of @len bytes at @pos to the buffer
 * @pos:   byte offset
 * @len:   bytes asked for
 * @write: whether the transfer writes
 *
 * Return: the bytes to copy (> 0); 0 when there is nothing to do (@len 0,
 * or a read at or past the end); -EINVAL for a negative @pos; -ENOSPC for
 * a write at or past the end.
 */
ssize_t mymem_span(loff_t pos, size_t len, bool write)
{
	if (pos < 0)
		return -EINVAL;
	if (!len)
		return 0;
	if ((u64)pos >= mymem.size)
		return write ? -ENOSPC : 0;
	return min_t(size_t, len, mymem.size - pos);
}

/**
 * mymem_u64_in_bounds() - whether the 8-byte integer at @pos is inside
 * @pos: byte offset
 *
 * Return: true when 0 <= @pos and @pos + 8 <= size.
 */
bool mymem_u64_in_bounds(loff_t pos)
{
	/* the size is checked first, so the subtraction cannot wrap */
	return pos >= 0 && mymem.size >= sizeof(u64) &&
	       (u64)pos <= mymem.size - sizeof(u64);
}

/**
 * mymem_read_begin() - start a lockless read of a range
 * @r:    the range
 * @snap: receives the sum of the stripes' counts
 *
 * Every count only grows, so the sum is unchanged at the end of the read
 * exactly when no count changed (short of 2^32 writes to one stripe during
 * one read, the limit of any seqcount).  Between the two sums the read's
 * bytes held one state: a consistent snapshot, however many stripes.
 *
 * The copy that follows races with writers by design; it is marked as an
 * atomic region for KCSAN until mymem_read_valid(), whatever its length.
 *
 * Return: false if a writer is active on one of the stripes: the reader
 * should go straight to the locks (and need not call mymem_read_valid()).
 */
bool mymem_read_begin(struct mymem_range r, u64 *snap)
{
	unsigned int i, odd = 0, seq;
	u64 sum = 0;

	for (i = r.first; i <= r.last; i++) {
		seq = raw_read_seqcount(&mymem.stripes[i].seq);
		odd |= seq;
		sum += seq;
	}
	/*
	 * raw_read_seqcount() has KCSAN ignore the next accesses, as a
	 * seqlock reader's; close that window, as read_seqcount_retry()
	 * does, so what follows is checked.
	 */
	kcsan_atomic_next(0);
	*snap = sum;
	if (odd & 1)
		return false;
	kcsan_nestable_atomic_begin();
	return true;
}

/**
 * mymem_read_valid() - end a lockless read
 * @r:    the range
 * @snap: what mymem_read_begin() gave
 *
 * Return: true when no writer met the copy.
 */
bool mymem_read_valid(struct mymem_range r, u64 snap)
{
	unsigned int i;
	u64 sum = 0;

	kcsan_nestable_atomic_end();
	smp_rmb();	/* the copy, then the counts: read_seqcount_retry() */
	for (i = r.first; i <= r.last; i++)
		sum += raw_read_seqcount(&mymem.stripes[i].seq);
	kcsan_atomic_next(0);
	return sum == snap;
}

/* The kernel API's copy step: plain memory, which cannot fault. */
static __always_inline size_t mymem_memcpy_out(void *to, u8 *buf, size_t n)
{
	memcpy(to, buf, n);
	return n;
}

static __always_inline size_t mymem_memcpy_in(void *from, u8 *buf, size_t n)
{
	memcpy(buf, from, n);
	return n;
}

static void mymem_memcpy_revert(void *ctx, size_t n)
{
}

static const struct mymem_copy mymem_copy_out = {
	.copy = mymem_memcpy_out, .revert = mymem_memcpy_revert,
};

static const struct mymem_copy mymem_copy_in = { .copy = mymem_memcpy_in };

/**
 * mymem_pread() - read from the buffer at a position
 * @buf: kernel destination, @len bytes
 * @len: bytes wanted
 * @pos: byte offset in the buffer
 *
 * Copies min(@len, size - @pos) bytes, atomically with respect to every
 * other mymem call.
 *
 * Context: Process context; may sleep (only if a writer is active).
 * Return: bytes read (short across the end, 0 at or past the end or for
 * @len 0), -EINVAL for a negative @pos, or -EINTR when a fatal signal
 * came while it waited for a writer.
 */
ssize_t mymem_pread(void *buf, size_t len, loff_t pos)
{
	ssize_t n = mymem_span(pos, len, false);

	/* writers say so in mutex_lock(); a reader sleeps only behind one */
	might_sleep();
	if (n > 0)
		n = mymem_read_span(pos, n, false, &mymem_copy_out, buf);
	return mymem_account_read(pos, len, n);
}
EXPORT_SYMBOL_GPL(mymem_pread);

/**
 * mymem_pwrite() - write to the buffer at a position
 * @buf: kernel source, @len bytes
 * @len: bytes to write
 * @pos: byte offset in the buffer
 *
 * Copies min(@len, size - @pos) bytes, atomically with respect to every
 * other mymem call.
 *
 * Context: Process context; sleeps on the locks of the stripes written.
 * Return: bytes written (short across the end, 0 for @len 0), -EINVAL for
 * a negative @pos, -ENOSPC when @pos is at or past the end, -EINTR when a
 * fatal signal came while it waited for the locks (nothing written).
 */
ssize_t mymem_pwrite(const void *buf, size_t len, loff_t pos)
{
	ssize_t n = mymem_span(pos, len, true);

	if (n > 0)
		n = mymem_write_span(pos, n, false, &mymem_copy_in, (void *)buf);
	return mymem_account_write(pos, len, n);
}
EXPORT_SYMBOL_GPL(mymem_pwrite);

/**
 * mymem_add_u64() - atomically add to a 64-bit integer in the buffer
 * @pos:    byte offset of a little-endian u64, any alignment
 * @delta:  value to add, modulo 2^64
 * @result: if not NULL, receives the new value
 *
 * The read, the addition and the store form one write section, so no
 * concurrent read or write, in the kernel or from user space, can see or
 * lose a partial update.  This is how the driver itself keeps a shared
 * counter exact however many threads increment it.
 *
 * Context: Process context; sleeps on the locks of the stripes written.
 * Return: 0, -EINVAL unless 0 <= @pos and @pos + 8 <= size, or -EINTR
 * when a fatal signal came while it waited for the locks (nothing added).
 */
int mymem_add_u64(loff_t pos, u64 delta, u64 *result)
{
	struct mymem_range r;
	u64 val;

	if (!mymem_u64_in_bounds(pos))
		return mymem_account_add(pos, delta, -EINVAL);

	r = mymem_range(pos, sizeof(u64));
	if (mymem_lock_range(r, false))
		return mymem_account_add(pos, delta, -EINTR);
	mymem_write_begin(r);
	/* the stripe lock excludes every other writer */
	kcsan_check_access(mymem.data + pos, sizeof(u64), KCSAN_ACCESS_ASSERT);
	val = get_unaligned_le64(mymem.data + pos) + delta;
	put_unaligned_le64(val, mymem.data + pos);
	mymem_write_end(r);
	mymem_unlock_range(r);

	if (result)
		*result = val;
	return mymem_account_add(pos, delta, 0);
}
EXPORT_SYMBOL_GPL(mymem_add_u64);

/**
 * mymem_size() - the buffer size
 *
 * Context: Any context.
 * Return: the size of the buffer in bytes, fixed while mymem_core is loaded.
 */
size_t mymem_size(void)
{
	return mymem.size;
}
EXPORT_SYMBOL_GPL(mymem_size);

/**
 * mymem_account_read() - trace and count a read
 * @pos: the position asked for
 * @len: the length asked for
 * @ret: what the read returns
 *
 * Return: @ret.
 */
ssize_t mymem_account_read(loff_t pos, size_t len, ssize_t ret)
{
	trace_mymem_read(pos, len, ret);
	if (ret < 0) {
		mymem_count(MYMEM_STAT_ERRORS, 1);
	} else {
		mymem_count(MYMEM_STAT_READS, 1);
		mymem_count(MYMEM_STAT_BYTES_READ, ret);
	}
	return ret;
}

/**
 * mymem_account_write() - trace and count a write
 * @pos: the position asked for
 * @len: the length asked for
 * @ret: what the write returns
 *
 * Return: @ret.
 */
ssize_t mymem_account_write(loff_t pos, size_t len, ssize_t ret)
{
	trace_mymem_write(pos, len, ret);
	if (ret < 0) {
		mymem_count(MYMEM_STAT_ERRORS, 1);
	} else {
		mymem_count(MYMEM_STAT_WRITES, 1);
		mymem_count(MYMEM_STAT_BYTES_WRITTEN, ret);
	}
	return ret;
}

/**
 * mymem_account_add() - trace and count an add
 * @pos:   the position asked for
 * @delta: the value to add
 * @ret:   what the add returns
 *
 * Return: @ret.
 */
int mymem_account_add(loff_t pos, u64 delta, int ret)
{
	trace_mymem_add(pos, delta, ret);
	if (ret)
		mymem_count(MYMEM_STAT_ERRORS, 1);
	else
		mymem_count(MYMEM_STAT_ADDS, 1);
	return ret;
}

/**
 * mymem_account_seek() - trace and count a seek
 * @offset: the requested offset
 * @whence: SEEK_SET, SEEK_CUR or SEEK_END
 * @ret:    the new position, or a negative errno
 */
void mymem_account_seek(loff_t offset, int whence, loff_t ret)
{
	trace_mymem_seek(offset, whence, ret);
	if (ret < 0)
		mymem_count(MYMEM_STAT_ERRORS, 1);
	else
		mymem_count(MYMEM_STAT_SEEKS, 1);
}

/**
 * mymem_stats_sum() - add up the per-CPU counters
 * @sum: receives the totals
 *
 * Each CPU's counters change under our feet: the marked loads give a
 * snapshot that may miss an increment in flight, which is all a statistic
 * needs, and keep KCSAN informed that the race is intended.
 */
void mymem_stats_sum(struct mymem_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct mymem_stats *s = per_cpu_ptr(&mymem_stats, cpu);

		for (i = 0; i < MYMEM_NR_STATS; i++)
			sum->count[i] += READ_ONCE(s->count[i]);
	}
}

/**
 * mymem_buf_init() - allocate the zeroed buffer and its stripes
 * @size:  bytes, already validated by the caller
 * @shift: stripes of 2^@shift bytes; 0 for 4 KiB, or the smallest stripe
 *         that keeps the count within MYMEM_STRIPES_MAX
 *
 * Return: 0, -EINVAL for a @shift outside 6..30 or one that gives more
 * than MYMEM_STRIPES_MAX stripes, or -ENOMEM.
 */
int mymem_buf_init(size_t size, unsigned int shift)
{
	unsigned int min = order_base_2(DIV_ROUND_UP(size, MYMEM_STRIPES_MAX));
	unsigned int i, nr;

	/* one call may hold every stripe: see MYMEM_STRIPES_MAX */
	BUILD_BUG_ON(MYMEM_STRIPES_MAX > MYMEM_LOCKDEP_REFS_MAX);
	if (!shift)
		shift = max(MYMEM_STRIPE_SHIFT_MIN, min);
	if (shift < 6 || shift > 30 || shift < min) {
		pr_err("invalid stripe_shift=%u: allowed %u..30 for size=%zu (at most %u stripes)\n",
		       shift, max(6U, min), size, MYMEM_STRIPES_MAX);
		return -EINVAL;
	}
	nr = DIV_ROUND_UP(size, 1UL << shift);
	mutex_init(&mymem.span_lock);
	mymem.stripes = kvcalloc(nr, sizeof(*mymem.stripes), GFP_KERNEL);
	mymem.data = kvzalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (!mymem.stripes || !mymem.data) {
		pr_err("cannot allocate a buffer of %zu bytes\n", size);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		mutex_init(&mymem.stripes[i].lock);
		seqcount_init(&mymem.stripes[i].seq);
	}
	mymem.stripe_shift = shift;
	mymem.nr_stripes = nr;
	mymem.size = size;
	return 0;
}

/**
 * mymem_buf_exit() - free the buffer; safe after a failed or no init
 */
void mymem_buf_exit(void)
{
	kvfree(mymem.data);
	kvfree(mymem.stripes);
	memset(&mymem, 0, sizeof(mymem));
}
