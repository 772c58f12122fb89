/* SPDX-License-Identifier: GPL-2.0 */
/* mymem_test torture: what torture.c and torture_check.c share */
#ifndef _MMT_TORTURE_H
#define _MMT_TORTURE_H

#include <linux/types.h>

#include "mymem_test.h"

#define MMT_TORTURE_COUNTERS	8	/* u64s for mymem_add_u64() at 0 */
#define MMT_TORTURE_BASE	64	/* offset of block 0 */
#define MMT_TORTURE_BLOCK	64
#define MMT_TORTURE_WORDS	(MMT_TORTURE_BLOCK / 8)
#define MMT_TORTURE_TAIL	64
#define MMT_TORTURE_MAX_READ	4096	/* bytes per read */
#define MMT_TORTURE_WRITE_BLOCKS	32	/* blocks per write */
/*
 * The hot range is 64 KiB, and one call in eight there reads or writes
 * up to all of it: calls that span many stripes of mymem_core's lock, run
 * against the short ones that fit in one.
 */
#define MMT_TORTURE_HOT_BLOCKS	1024
#define MMT_TORTURE_LONG_BYTES	(MMT_TORTURE_HOT_BLOCKS * MMT_TORTURE_BLOCK)
#define MMT_TORTURE_MAX_THREADS	254	/* writer ids; 255 is the initial fill */
#define MMT_TORTURE_INIT_ID	255

/* A stamp: writer id 8 bits, sequence 24, first block 16, block count 16. */
static inline u64 mmt_stamp(unsigned int id, u32 seq, unsigned int first,
			    unsigned int blocks)
{
	return (u64)id << 56 | (u64)(seq & 0xffffff) << 32 |
	       (u64)first << 16 | blocks;
}

static inline unsigned int mmt_stamp_first(u64 stamp)
{
	return (stamp >> 16) & 0xffff;
}

static inline unsigned int mmt_stamp_blocks(u64 stamp)
{
	return stamp & 0xffff;
}

/* The buffer as every torture thread sees it (torture.c). */
struct mmt_torture_layout {
	size_t size;
	unsigned int blocks;	/* in the block area */
	unsigned int hot;	/* blocks of the shared range, from block 0 */
	unsigned int slice;	/* thread i owns [hot + i * slice, + slice) */
	unsigned int threads;
	u64 run_ns;
};

/* A run of equal words in a read: one stamp seen at blocks [lo, hi]. */
struct mmt_torture_span {
	u64 stamp;
	unsigned int lo;
	unsigned int hi;
};

/* What a torture thread counts; the last four are failed checks. */
enum mmt_torture_count {
	MMT_READS,
	MMT_WRITES,
	MMT_SEEKS,
	MMT_ADDS,
	MMT_TORN,
	MMT_LOST,
	MMT_ADD_ERRORS,
	MMT_ERRORS,
	MMT_NR_COUNTS,
};

#define MMT_FIRST_FAILURE_COUNT	MMT_TORN

/**
 * struct mmt_torture_thread - one torture thread
 * @w:       runner data
 * @layout:  the shared layout
 * @h:       its handle
 * @pos:     the handle's position as the thread knows it
 * @wbuf:    write data
 * @rbuf:    read data
 * @spans:   scratch for the torn-read check
 * @shadow:  the stamp of each block of its slice
 * @first:   first block of its slice
 * @seq:     its last write sequence number
 * @add_sum: per counter, the sum of its successful adds
 * @count:   its calls and failed checks, by enum mmt_torture_count
 */
struct mmt_torture_thread {
	struct mmt_worker w;
	const struct mmt_torture_layout *layout;
	struct mymem_handle *h;
	loff_t pos;
	u8 *wbuf;
	u8 *rbuf;
	struct mmt_torture_span *spans;
	u64 *shadow;
	unsigned int first;
	u32 seq;
	u64 add_sum[MMT_TORTURE_COUNTERS];
	u64 count[MMT_NR_COUNTS];
};

unsigned int mmt_torture_threads(void);
size_t mmt_torture_min_core_size(void);
int mmt_torture_lay_out(struct mmt_torture_layout *layout,
			unsigned int threads, unsigned int duration);
int mmt_torture_thread_init(struct mmt_torture_thread *thread,
			    const struct mmt_torture_layout *layout,
			    unsigned int id);
void mmt_torture_thread_free(struct mmt_torture_thread *thread);
int mmt_torture_fill(const struct mmt_torture_layout *layout, u8 *buf);
void mmt_torture_check_read(struct mmt_torture_thread *thread, const u8 *data,
			    loff_t pos, size_t len);
void mmt_torture_check_final(const struct mmt_torture_layout *layout,
			     const struct mmt_torture_thread *threads, u8 *buf,
			     u64 *count);

#endif /* _MMT_TORTURE_H */
