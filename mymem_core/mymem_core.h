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
struct mymem_range mymem_range(loff_t pos, size_t n);
void mymem_lock_range(struct mymem_range r);
void mymem_unlock_range(struct mymem_range r);
void mymem_write_begin(struct mymem_range r);
void mymem_write_end(struct mymem_range r);
bool mymem_read_begin(struct mymem_range r, u64 *snap);
bool mymem_read_valid(struct mymem_range r, u64 snap);

int mymem_buf_init(size_t size);
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
