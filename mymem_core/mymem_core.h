/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mymem_core internals: what its files share.  The public API is
 * include/linux/mymem.h.
 *
 *   buffer.c   the buffer, its stripes and their locks, the positional API
 *   handle.c   handles: a position over the positional API
 *   dev.c      /dev/mymem, and the copies from and to user memory
 *   debugfs.c  /sys/kernel/debug/mymem/
 *   main.c     parameters, init and exit
 */
#ifndef _MYMEM_CORE_H
#define _MYMEM_CORE_H

#include <linux/kcsan-checks.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/seqlock.h>
#include <linux/sizes.h>
#include <linux/types.h>

#define MYMEM_DEFAULT_SIZE	((unsigned long)SZ_512K)
#define MYMEM_MAX_SIZE		((unsigned long)SZ_1G)

/**
 * struct mymem_stripe - the lock of one stripe of the buffer
 * @lock: serialises the writers of the stripe; readers take it only when
 *        a lockless pass met a writer
 * @seq:  odd while a writer changes the stripe's bytes; written under @lock
 */
struct mymem_stripe {
	struct mutex lock;	/* the stripe's writers */
	seqcount_t seq;
} ____cacheline_aligned_in_smp;

/**
 * struct mymem_buffer - the one buffer of mymem_core
 * @data:         @size zeroed bytes
 * @size:         buffer size in bytes, fixed after init
 * @stripe_shift: a stripe covers 2^@stripe_shift bytes
 * @nr_stripes:   stripes in @stripes, the last one possibly partial
 * @stripes:      their locks
 * @span_lock:    taken before the stripe locks by a call that needs more
 *                than one: such calls are serialised among themselves
 */
struct mymem_buffer {
	u8 *data;
	size_t size;
	unsigned int stripe_shift;
	unsigned int nr_stripes;
	struct mymem_stripe *stripes;
	struct mutex span_lock;	/* calls that lock several stripes */
};

extern struct mymem_buffer mymem;

/**
 * struct mymem_range - the stripes a transfer covers, @first to @last
 * @first: first stripe
 * @last:  last stripe, inclusive
 */
struct mymem_range {
	unsigned int first;
	unsigned int last;
};

/* buffer.c: transfers are clamped, then run on a range of stripes */
ssize_t mymem_span(loff_t pos, size_t len, bool write);
bool mymem_u64_in_bounds(loff_t pos);

/**
 * mymem_range() - the stripes that bytes [@pos, @pos + @n) cover
 * @pos: byte offset, inside the buffer
 * @n:   bytes, at least 1, not past the end
 *
 * Return: the range of stripes.
 */
static inline struct mymem_range mymem_range(loff_t pos, size_t n)
{
	return (struct mymem_range){
		.first = pos >> mymem.stripe_shift,
		.last = (pos + n - 1) >> mymem.stripe_shift,
	};
}

/**
 * mymem_lock_range() - lock the stripes of a range, in ascending order
 * @r:      the range
 * @nowait: fail with -EAGAIN instead of waiting (IOCB_NOWAIT)
 *
 * Every caller locks stripes in ascending order, so calls whose ranges
 * overlap cannot deadlock.  The one long wait, behind a call that holds
 * span_lock or the stripe for a whole large copy, is killable.  Behind
 * span_lock a stripe can be held only by a one-stripe call, whose copy is
 * at most a stripe long, so those waits are plain: lockdep follows them as
 * one nested entry, which MYMEM_STRIPES_MAX keeps from overflowing.
 *
 * Context: Process context; sleeps unless @nowait.
 * Return: 0 with the range locked; -EINTR on a fatal signal, or -EAGAIN
 * when @nowait and the first lock is taken, with nothing locked.
 */
static inline int mymem_lock_range(struct mymem_range r, bool nowait)
{
	struct mutex *first = r.first == r.last ?
			      &mymem.stripes[r.first].lock : &mymem.span_lock;
	unsigned int i;

	if (nowait && !mutex_trylock(first))
		return -EAGAIN;
	if (!nowait && mutex_lock_killable(first))
		return -EINTR;
	if (r.first == r.last)
		return 0;
	for (i = r.first; i <= r.last; i++)
		mutex_lock_nest_lock(&mymem.stripes[i].lock, &mymem.span_lock);
	return 0;
}

/**
 * mymem_unlock_range() - unlock what mymem_lock_range() locked
 * @r: the range
 */
static inline void mymem_unlock_range(struct mymem_range r)
{
	unsigned int i;

	for (i = r.first; i <= r.last; i++)
		mutex_unlock(&mymem.stripes[i].lock);
	if (r.first != r.last)
		mutex_unlock(&mymem.span_lock);
}

/**
 * mymem_write_begin() - open the write sections of a locked range
 * @r: the range, locked by the caller
 *
 * lockdep_assert_held() is exact for one stripe only: lockdep merges the
 * stripes taken under span_lock into one entry that matches any stripe,
 * so each stripe is also checked to be locked at all.
 */
static inline void mymem_write_begin(struct mymem_range r)
{
	unsigned int i;

	if (r.first != r.last)
		lockdep_assert_held(&mymem.span_lock);
	for (i = r.first; i <= r.last; i++) {
		lockdep_assert_held(&mymem.stripes[i].lock);
		lockdep_assert(mutex_is_locked(&mymem.stripes[i].lock));
		raw_write_seqcount_begin(&mymem.stripes[i].seq);
	}
}

/**
 * mymem_write_end() - close them
 * @r: the range
 */
static inline void mymem_write_end(struct mymem_range r)
{
	unsigned int i;

	for (i = r.first; i <= r.last; i++)
		raw_write_seqcount_end(&mymem.stripes[i].seq);
}

bool mymem_read_begin(struct mymem_range r, u64 *snap);
bool mymem_read_valid(struct mymem_range r, u64 snap);

/*
 * GCC instruments neither memcpy() nor lib/iov_iter.c's kvec and bvec
 * copies for KCSAN, so a copy to or from the buffer is shown to it here, a
 * page at a time (KCSAN matches an access against the watchpoints near its
 * first byte).  Inside a write section or a lockless read, where KCSAN
 * sets no watchpoint, this still meets the watchpoint of an access that
 * should have been excluded.  Nothing without CONFIG_KCSAN.
 */
static inline void mymem_kcsan_check(loff_t pos, size_t n, int type)
{
	const u8 *p = mymem.data + pos;
	size_t step;

	if (!IS_ENABLED(CONFIG_KCSAN))
		return;
	for (; n; p += step, n -= step) {
		step = min_t(size_t, n, PAGE_SIZE - offset_in_page(p));
		kcsan_check_access(p, step, type);
	}
}

int mymem_buf_init(size_t size, unsigned int shift);
void mymem_buf_exit(void);

/*
 * Per-CPU operation counters, summed only when debugfs reads them, so the
 * hot path writes no shared cache line.  mymem_stat_names[] names them.
 */
enum mymem_stat {
	MYMEM_STAT_READS,		/* successful reads (a read at EOF counts) */
	MYMEM_STAT_WRITES,		/* successful writes */
	MYMEM_STAT_SEEKS,		/* successful seeks */
	MYMEM_STAT_ADDS,		/* successful atomic adds */
	MYMEM_STAT_BYTES_READ,		/* bytes copied out of the buffer */
	MYMEM_STAT_BYTES_WRITTEN,	/* bytes copied into the buffer */
	MYMEM_STAT_ERRORS,		/* calls that returned an error */
	MYMEM_STAT_READ_RETRIES,	/* lockless reads redone under the locks */
	MYMEM_STAT_FAULT_RETRIES,	/* /dev/mymem calls that faulted */
	MYMEM_STAT_OPENS,		/* handles and /dev/mymem files opened */
	MYMEM_STAT_CLOSES,		/* and closed */
	MYMEM_NR_STATS
};

struct mymem_stats {
	u64 count[MYMEM_NR_STATS];
};

DECLARE_PER_CPU(struct mymem_stats, mymem_stats);
extern const char *const mymem_stat_names[MYMEM_NR_STATS];

static inline void mymem_count(enum mymem_stat stat, u64 n)
{
	this_cpu_add(mymem_stats.count[stat], n);
}

/**
 * struct mymem_copy - how one caller moves bytes in or out of the buffer
 * @copy:   copy @n bytes between the buffer at @buf and the caller's
 *          memory (@ctx); returns the bytes copied, short only where the
 *          caller's memory faults (page faults are off while it runs)
 * @revert: give back @n bytes that @copy consumed of @ctx, for a read pass
 *          that met a writer and is redone
 *
 * The protocol (range, locks, sequence counts) is buffer.c's and the same
 * for every caller; only this step differs: memcpy() for the kernel API,
 * an iov_iter for /dev/mymem.  mymem_read_span() and mymem_write_span()
 * are inline so that the step, known at each call, is inlined too.
 */
struct mymem_copy {
	size_t (*copy)(void *ctx, u8 *buf, size_t n);
	void (*revert)(void *ctx, size_t n);
};

/**
 * mymem_read_span() - one snapshot of [@pos, @pos + @n) into @ctx
 * @pos:    byte offset, inside the buffer
 * @n:      bytes, at least 1, not past the end
 * @nowait: do not wait for a writer's locks (IOCB_NOWAIT)
 * @c:      the copy step
 * @ctx:    its destination
 *
 * A lockless pass, and when a writer met it, one pass under the locks.
 *
 * Return: the bytes copied, or the error of mymem_lock_range().
 */
static __always_inline ssize_t mymem_read_span(loff_t pos, size_t n, bool nowait,
					       const struct mymem_copy *c, void *ctx)
{
	struct mymem_range r = mymem_range(pos, n);
	size_t done;
	int ret;
	u64 snap;

	if (mymem_read_begin(r, &snap)) {
		mymem_kcsan_check(pos, n, 0);
		done = c->copy(ctx, mymem.data + pos, n);
		if (mymem_read_valid(r, snap))
			return done;
		c->revert(ctx, done);
	}
	mymem_count(MYMEM_STAT_READ_RETRIES, 1);
	ret = mymem_lock_range(r, nowait);
	if (ret)
		return ret;
	mymem_kcsan_check(pos, n, 0);
	done = c->copy(ctx, mymem.data + pos, n);
	mymem_unlock_range(r);
	return done;
}

/**
 * mymem_write_span() - copy @ctx into [@pos, @pos + @n) in one write section
 * @pos:    byte offset, inside the buffer
 * @n:      bytes, at least 1, not past the end
 * @nowait: do not wait for another call's locks (IOCB_NOWAIT)
 * @c:      the copy step
 * @ctx:    its source
 *
 * Return: the bytes copied (0 when the source faulted at once), or the
 * error of mymem_lock_range().
 */
static __always_inline ssize_t mymem_write_span(loff_t pos, size_t n, bool nowait,
						const struct mymem_copy *c, void *ctx)
{
	struct mymem_range r = mymem_range(pos, n);
	ssize_t ret = mymem_lock_range(r, nowait);

	if (ret)
		return ret;
	mymem_write_begin(r);
	mymem_kcsan_check(pos, n, KCSAN_ACCESS_WRITE);
	ret = c->copy(ctx, mymem.data + pos, n);
	mymem_write_end(r);
	mymem_unlock_range(r);
	return ret;
}

void mymem_stats_sum(struct mymem_stats *sum);
ssize_t mymem_account_read(loff_t pos, size_t len, ssize_t ret);
ssize_t mymem_account_write(loff_t pos, size_t len, ssize_t ret);
int mymem_account_add(loff_t pos, u64 delta, int ret);
void mymem_account_seek(loff_t offset, int whence, loff_t ret);

/* dev.c */
int mymem_dev_init(umode_t mode);
void mymem_dev_exit(void);

/* debugfs.c */
void mymem_debugfs_init(void);
void mymem_debugfs_exit(void);

#endif /* _MYMEM_CORE_H */
