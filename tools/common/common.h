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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MM_DEFAULT_DEV	"/dev/mymem"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MM_STR_OF_(x)	#x
#define MM_STR_OF(x)	MM_STR_OF_(x)

/* Latency statistics of n samples, in the unit of the samples (ns). */
struct mm_stats {
	uint64_t n, avg, min, p50, p99, max;
};

uint64_t mm_now_ns(void);

/* Decimal digits only, in [min, max]: 0, else -1. */
int mm_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Comma list: item() on each in turn, 0 if all return 0, else (or at an empty item) -1. */
int mm_parse_list(const char *arg, int (*item)(const char *tok, void *ctx), void *ctx);

/*
 * One command-line option -c: a number checked against [min, max] (num),
 * a string (str) or a flag (flag, no argument).  The usage text comes from
 * the table: "-c ARG  help", a number's range and the default (the value
 * before parsing; none when seen is set: the tool decides when absent).
 * seen, if set, is made true when the option is given.
 */
#define MM_MAX_OPTS	16

struct mm_opt {
	char c;
	const char *arg, *help;
	uint64_t *num;
	uint64_t min, max;
	const char **str;
	bool *flag, *seen;
};

#define MM_NUM(c, arg, help, p, lo, hi) \
	{ c, arg, help, .num = p, .min = lo, .max = hi }
#define MM_STR(c, arg, help, p)	{ c, arg, help, .str = p }
#define MM_FLAG(c, help, p)	{ c, NULL, help, .flag = p }

/*
 * Parse argv with the n (<= MM_MAX_OPTS) options of opts (and -h, --help).  --help prints
 * "usage: PROG [-c ARG]...", about, the options and footer to stdout and
 * exits 0; a bad option or value ("PROG: invalid -c ARG: MIN..MAX") or a
 * stray argument prints the usage to stderr and exits 2.
 */
void mm_parse_opts(int argc, char **argv, const char *prog, const char *about,
		   const char *footer, const struct mm_opt *opts, size_t n);

/* Open the device, or print the likely cause and return -1. */
int mm_open_dev(const char *prog, const char *path, int flags);

/* MYMEM_IOC_GET_SIZE, or st_size of a regular file (the host tests). */
int mm_dev_size(const char *prog, const char *path, int fd, uint64_t *size);

/* Sort samples[0..n), n > 0; nearest-rank percentiles, the mean rounded. */
void mm_stats_compute(uint64_t *samples, size_t n, struct mm_stats *st);

/* Nearest-rank index (0-based) of percentile pct (1..100) among n > 0. */
size_t mm_rank_index(size_t n, unsigned int pct);

/*
 * JSON envelope in file: {"schema":1,"tool":T,"kernel":K,"cpus":N,
 * "device":D,"core_size":S,"records":[ ... ]}, records separated by
 * mm_json_record_sep().  begin returns NULL, end (which closes) -1, with
 * the message printed.
 */
FILE *mm_json_begin(const char *prog, const char *file, const char *tool,
		    const char *dev, uint64_t size);
void mm_json_record_sep(FILE *f, int *first);
int mm_json_end(const char *prog, const char *file, FILE *f);

#endif /* MYMEM_TOOLS_COMMON_H */
