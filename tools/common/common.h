/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.h - helpers shared by the mymem user-space tools
 *
 * Device opening with the messages a user needs (module not loaded, no
 * permission), the buffer size, number parsing, the latency statistics of
 * mymem-bench and the JSON envelope every tool writes with -j.
 */
#ifndef MYMEM_TOOLS_COMMON_H
#define MYMEM_TOOLS_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MM_DEFAULT_DEV	"/dev/mymem"

/* Latency statistics of n samples, in the unit of the samples (ns). */
struct mm_stats {
	uint64_t n;
	uint64_t avg;
	uint64_t min;
	uint64_t p50;
	uint64_t p99;
	uint64_t max;
};

uint64_t mm_now_ns(void);

/*
 * Parse a decimal unsigned integer in [min, max].  Returns 0, or -1 when s
 * is empty, not a number, has trailing characters or is out of range.
 */
int mm_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Open the mymem device.  On failure print one line naming the likely
 * cause (module not loaded, no permission) and return -1.
 */
int mm_open_dev(const char *prog, const char *path, int flags);

/*
 * Size of the buffer behind fd: MYMEM_IOC_GET_SIZE, or st_size for a
 * regular file (lets the tools' host tests run without the module).
 * Prints one line and returns -1 on failure.
 */
int mm_dev_size(const char *prog, const char *path, int fd, uint64_t *size);

/*
 * Sort samples[0..n) in place and fill st.  Percentiles use the nearest
 * rank: pP is the smallest sample with at least P% of the samples at or
 * below it.  avg is the mean rounded to the nearest integer.  n must be > 0.
 */
void mm_stats_compute(uint64_t *samples, size_t n, struct mm_stats *st);

/* Nearest-rank index (0-based) of percentile pct (1..100) among n > 0. */
size_t mm_rank_index(size_t n, unsigned int pct);

/*
 * JSON envelope: {"schema":1,"tool":T,"kernel":K,"cpus":N,"device":D,
 * "core_size":S,"records":[ ... ]}.  mm_json_record_sep() writes the comma
 * between records.
 */
void mm_json_begin(FILE *f, const char *tool, const char *dev, uint64_t size);
void mm_json_record_sep(FILE *f, int *first);
void mm_json_end(FILE *f);
void mm_json_string(FILE *f, const char *s);

#endif /* MYMEM_TOOLS_COMMON_H */
