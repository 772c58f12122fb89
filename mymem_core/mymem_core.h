/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mymem_core internals: what main.c, buffer.c, dev.c and debugfs.c share.
 * The public API is include/linux/mymem.h.
 */
#ifndef _MYMEM_CORE_H
#define _MYMEM_CORE_H

#include <linux/percpu.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/uio.h>

#define MYMEM_DEFAULT_SIZE	((unsigned long)SZ_512K)
#define MYMEM_MAX_SIZE		((unsigned long)SZ_1G)

/**
 * struct mymem_stats - per-CPU operation counters
 * @reads:	   successful reads (including 0-byte reads at EOF)
 * @writes:	   successful writes
 * @seeks:	   successful seeks
 * @adds:	   successful atomic adds
 * @bytes_read:	   bytes copied out of the buffer
 * @bytes_written: bytes copied into the buffer
 * @errors:	   calls that returned an error
 * @read_retries:  lockless reads that had to be redone under the lock
 * @fault_retries: /dev/mymem calls that met a missing user page and
 *		   faulted it in with no lock held
 * @opens:	   handles and /dev/mymem files opened
 * @closes:	   handles and /dev/mymem files closed
 *
 * Each CPU increments only its own copy, so the hot path writes no shared
 * cache line; debugfs sums them.
 */
struct mymem_stats {
	u64 reads;
	u64 writes;
	u64 seeks;
	u64 adds;
	u64 bytes_read;
	u64 bytes_written;
	u64 errors;
	u64 read_retries;
	u64 fault_retries;
	u64 opens;
	u64 closes;
};

DECLARE_PER_CPU(struct mymem_stats, mymem_stats);

/* buffer.c */
extern const char mymem_lock_design[];
int mymem_buf_init(size_t size);
void mymem_buf_exit(void);
ssize_t mymem_buf_read_iter(loff_t pos, struct iov_iter *to);
ssize_t mymem_buf_write_iter(loff_t pos, struct iov_iter *from);
int mymem_buf_add_user(loff_t pos, u64 delta, u64 __user *result);
void mymem_account_seek(loff_t offset, int whence, loff_t ret);
void mymem_stats_sum(struct mymem_stats *sum);

/* dev.c */
int mymem_dev_init(umode_t mode);
void mymem_dev_exit(void);

/* debugfs.c */
void mymem_debugfs_init(void);
void mymem_debugfs_exit(void);

#endif /* _MYMEM_CORE_H */
