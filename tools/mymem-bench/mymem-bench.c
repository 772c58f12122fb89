// SPDX-License-Identifier: GPL-2.0
/*
 * mymem-bench - time read(2) and write(2) on /dev/mymem from user space
 *
 * Per transfer size and op, -i calls on mymem (untimed lseek + timed
 * read/write, -P pread/pwrite) alternating with the baseline: pread/pwrite
 * on a tmpfs file as large as the buffer (at most 256 MiB), or with -N the
 * device through preadv2/pwritev2(RWF_NOWAIT) (the unpinned write path).
 * Each call timed alone; every read checked against the last write.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../common/common.h"

#define PROG		"mymem-bench"
#define MAX_SIZES	16
#define MAX_ITER	10000000u
#define TMPFS_MAGIC_NR	0x01021994
#define DEFAULT_SIZES	"1,64,1024,65536,524288"
#define MAX_FILE	(256ull << 20)	/* largest baseline file */

enum target { T_MYMEM, T_TMPFS, T_NR };
enum op { OP_WRITE, OP_READ, OP_NR };

/* how a target is called: pread/pwrite, untimed lseek + timed read/write, RWF_NOWAIT */
enum call { C_PRW, C_SEEK, C_NOWAIT, C_NR };

static const char *const op_name[OP_NR] = { "write", "read" };
static const char *const method_name[C_NR][OP_NR] = {
	{ "pwrite", "pread" }, { "lseek+write", "lseek+read" },
	{ "pwritev2-nowait", "preadv2-nowait" },
};

struct target_ctx {
	const char *name;	/* "mymem", "tmpfs" (or "file" off tmpfs) */
	int fd;
	enum call call;
};

struct bench {
	uint64_t sizes[MAX_SIZES];
	unsigned int nr_sizes;
	uint64_t iterations, warmup;
	uint64_t buf_size;	/* mymem buffer size */
	uint64_t max_len;	/* largest transfer */
	unsigned char *wbuf, *rbuf;
	uint64_t *samples[T_NR];
	struct target_ctx t[T_NR];
	struct mm_stats res[MAX_SIZES][OP_NR][T_NR];
};

static const char about[] =
"Time read(2) and write(2) on the mymem device for each transfer size,\n"
"against pread(2)/pwrite(2) on a tmpfs file of the same size.";

static const char footer[] =
"Exit status: 0 success, 1 an I/O error or a read-back mismatch, 2 usage.\n";

/* One timed memset(0) over @bytes, populated (MAP_POPULATE) untimed. */
static int zero_pass(uint64_t bytes)
{
	uint64_t t0;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, PROG ": mmap of %" PRIu64 " bytes: %s\n", bytes, strerror(errno));
		return 1;
	}
	t0 = mm_now_ns();
	memset(p, 0, bytes);
	printf("%.3f\n", (mm_now_ns() - t0) / 1e9);
	return 0;
}

static int add_size(const char *tok, void *ctx)
{
	struct bench *b = ctx;

	return b->nr_sizes == MAX_SIZES ||
	       mm_parse_u64(tok, 1, UINT32_MAX, &b->sizes[b->nr_sizes++]) ? -1 : 0;
}

static bool is_tmpfs(const char *dir)
{
	struct statfs sfs;

	return statfs(dir, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC_NR;
}

/* An unlinked file of @size bytes, @fill repeated; its fd or -1. */
static int open_baseline(const char *dir, uint64_t size,
			 const unsigned char *fill, uint64_t fill_len)
{
	char path[4096];
	uint64_t done = 0;
	int fd;

	if (snprintf(path, sizeof(path), "%s/mymem-bench.XXXXXX", dir) >= (int)sizeof(path)) {
		fprintf(stderr, PROG ": %s: path too long\n", dir);
		return -1;
	}
	fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, PROG ": cannot create a file in %s: %s\n", dir, strerror(errno));
		return -1;
	}
	unlink(path);
	/* write real data: a sparse file would read the zero page */
	while (done < size) {
		uint64_t chunk = size - done < fill_len ? size - done : fill_len;
		ssize_t n = pwrite(fd, fill, chunk, (off_t)done);

		if (n <= 0) {
			fprintf(stderr, PROG ": filling the baseline file: %s\n",
				n < 0 ? strerror(errno) : "short write");
			return -1;	/* the fd goes with the process */
		}
		done += (uint64_t)n;
	}
	return fd;
}

/* One timed call: its result, its duration in *ns. */
static ssize_t do_call(const struct target_ctx *t, enum op op, void *buf, size_t len, uint64_t *ns)
{
	struct iovec v = { .iov_base = buf, .iov_len = len };
	uint64_t t0;
	ssize_t n;

	if (t->call == C_SEEK && lseek(t->fd, 0, SEEK_SET) != 0)
		return -1;
	t0 = mm_now_ns();
	if (t->call == C_NOWAIT)
		n = op == OP_READ ? preadv2(t->fd, &v, 1, 0, RWF_NOWAIT) :
				    pwritev2(t->fd, &v, 1, 0, RWF_NOWAIT);
	else if (t->call == C_SEEK)
		n = op == OP_READ ? read(t->fd, buf, len) : write(t->fd, buf, len);
	else
		n = op == OP_READ ? pread(t->fd, buf, len, 0) : pwrite(t->fd, buf, len, 0);
	*ns = mm_now_ns() - t0;
	return n;
}

/*
 * One (size, op) cell, the targets alternating call by call so a slow
 * spell hits both.  Writes are stamped and read back after the loop; a
 * read's first and last byte are spoiled first, so copying nothing fails.
 */
static int run_cell(struct bench *b, unsigned int si, enum op op)
{
	size_t len = b->sizes[si];
	uint64_t i, total = b->warmup + b->iterations, ns = 0;
	ssize_t n;
	int ti;

	for (i = 0; i < total; i++) {
		if (op == OP_WRITE) {
			b->wbuf[0] = (unsigned char)i;
			b->wbuf[len - 1] = (unsigned char)~i;
		}
		for (ti = 0; ti < T_NR; ti++) {
			const struct target_ctx *t = &b->t[ti];

			if (op == OP_READ) {
				b->rbuf[0] = (unsigned char)~b->wbuf[0];
				b->rbuf[len - 1] = (unsigned char)~b->wbuf[len - 1];
			}
			n = do_call(t, op, op == OP_READ ? b->rbuf : b->wbuf, len, &ns);
			if (n != (ssize_t)len) {
				fprintf(stderr, PROG ": %s %s of %zu bytes returned %zd%s%s\n",
					t->name, op_name[op], len, n,
					n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
				return -1;
			}
			if (op == OP_READ && memcmp(b->rbuf, b->wbuf, len)) {
				fprintf(stderr, PROG ": %s read of %zu bytes: data differs from what was written\n",
					t->name, len);
				return -1;
			}
			if (i >= b->warmup)
				b->samples[ti][i - b->warmup] = ns;
		}
	}
	for (ti = 0; ti < T_NR; ti++) {
		const struct target_ctx *t = &b->t[ti];

		if (op == OP_WRITE) {
			memset(b->rbuf, 0, len);
			if (pread(t->fd, b->rbuf, len, 0) != (ssize_t)len ||
			    memcmp(b->rbuf, b->wbuf, len)) {
				fprintf(stderr, PROG ": %s write of %zu bytes: read-back differs\n",
					t->name, len);
				return -1;
			}
		}
		mm_stats_compute(b->samples[ti], b->iterations, &b->res[si][op][ti]);
	}
	return 0;
}

static uint64_t timer_overhead(void)
{
	uint64_t best = UINT64_MAX, t0, t1;
	int i;

	for (i = 0; i < 1000; i++) {
		t0 = mm_now_ns();
		t1 = mm_now_ns();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

/* the two tables to stdout and, with a JSON file, one record per cell there */
static int report(const struct bench *b, const char *json, const char *dev)
{
	FILE *f = json ? mm_json_begin(PROG, json, PROG, dev, b->buf_size) : NULL;
	unsigned int si;
	int op, ti, first = 1;

	printf("%-6s %-5s %8s %6s %10s %10s %10s %10s %10s %10s\n",
	       "target", "op", "size", "iters", "avg_ns", "min_ns", "p50_ns",
	       "p99_ns", "max_ns", "MB/s");
	for (si = 0; si < b->nr_sizes; si++)
		for (op = 0; op < OP_NR; op++)
			for (ti = 0; ti < T_NR; ti++) {
				const struct mm_stats *s = &b->res[si][op][ti];
				const struct target_ctx *t = &b->t[ti];

				printf("%-6s %-5s %8" PRIu64 " %6" PRIu64 " %10" PRIu64 " %10"
				       PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10.1f\n",
				       t->name, op_name[op], b->sizes[si], s->n, s->avg,
				       s->min, s->p50, s->p99, s->max,
				       ratio(b->sizes[si] * 1000, s->avg));
				if (!f)
					continue;
				mm_json_record_sep(f, &first);
				fprintf(f, "{\"test\":\"ubench\",\"target\":\"%s\",\"op\":\"%s\","
					"\"method\":\"%s\",\"size\":%" PRIu64 ",\"iterations\":%"
					PRIu64 ",\"avg_ns\":%" PRIu64 ",\"min_ns\":%" PRIu64
					",\"p50_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64
					",\"max_ns\":%" PRIu64 "}",
					t->name, op_name[op], method_name[t->call][op],
					b->sizes[si], s->n, s->avg, s->min, s->p50, s->p99, s->max);
			}
	printf("\nratio mymem/%s (<= 1.00: mymem is no slower)\n", b->t[T_TMPFS].name);
	printf("%-5s %8s %10s %10s %9s %9s\n", "op", "size", "mymem_avg",
	       "base_avg", "ratio_avg", "ratio_p50");
	for (si = 0; si < b->nr_sizes; si++)
		for (op = 0; op < OP_NR; op++) {
			const struct mm_stats *m = &b->res[si][op][T_MYMEM];
			const struct mm_stats *t = &b->res[si][op][T_TMPFS];

			printf("%-5s %8" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9.2f %9.2f\n",
			       op_name[op], b->sizes[si], m->avg, t->avg,
			       ratio(m->avg, t->avg), ratio(m->p50, t->p50));
		}
	return !json ? 0 : f ? mm_json_end(PROG, json, f) : -1;
}

int main(int argc, char **argv)
{
	const char *dev = MM_DEFAULT_DEV, *dir = NULL, *json = NULL;
	const char *sizes = DEFAULT_SIZES;
	static struct bench bench;	/* large: not on the stack */
	struct bench *b = &bench;
	bool pread_mymem = false, nowait = false, zero = false;
	uint64_t zero_bytes = 0, file_size;
	const struct mm_opt opts[] = {
		MM_STR('d', "DEV", "device", &dev),
		MM_STR('s', "SIZES", "comma-separated transfer sizes in bytes, each 1..buffer size,\n"
		       "at most " MM_STR_OF(MAX_SIZES), &sizes),
		MM_NUM('i', "N", "timed calls per size, op and target", &b->iterations,
		       1, MAX_ITER),
		MM_STR('t', "DIR", "directory of the baseline file (default /dev/shm if it is\n"
		       "tmpfs, else /tmp); it should be a tmpfs", &dir),
		MM_STR('j', "FILE", "also write the results as JSON to FILE", &json),
		MM_FLAG('P', "time pread/pwrite on mymem too (default: untimed lseek, then\n"
			"a timed read/write, as in the lab)", &pread_mymem),
		MM_FLAG('N', "the baseline is DEV itself through preadv2/pwritev2 with\n"
			"RWF_NOWAIT (the driver's unpinned write path), against\n"
			"pread/pwrite on DEV, instead of a tmpfs file", &nowait),
		{ 'z', "BYTES", "only time one pass of memset(0) over BYTES of memory (mapped\n"
		  "and populated first, untimed) and print its seconds: the\n"
		  "yardstick of make bench for loading a buffer that big",
		  .num = &zero_bytes, .min = 1, .max = SIZE_MAX, .seen = &zero },
	};
	unsigned int si;
	int op, ti;

	b->iterations = 1000;
	mm_parse_opts(argc, argv, PROG, about, footer, opts, ARRAY_SIZE(opts));
	if (zero)
		return zero_pass(zero_bytes);
	if (mm_parse_list(sizes, add_size, b)) {
		fprintf(stderr, PROG ": invalid -s %s: 1 to %d sizes, comma-separated, each >= 1\n",
			sizes, MAX_SIZES);
		return 2;
	}

	b->t[T_MYMEM].name = "mymem";
	b->t[T_MYMEM].call = pread_mymem || nowait ? C_PRW : C_SEEK;
	b->t[T_MYMEM].fd = mm_open_dev(PROG, dev, O_RDWR);
	if (b->t[T_MYMEM].fd < 0 || mm_dev_size(PROG, dev, b->t[T_MYMEM].fd, &b->buf_size))
		return 1;
	for (si = 0; si < b->nr_sizes; si++) {
		if (b->sizes[si] > b->buf_size) {
			fprintf(stderr, PROG ": invalid -s: size %" PRIu64 " is larger than the %"
				PRIu64 "-byte buffer of %s\n", b->sizes[si], b->buf_size, dev);
			return 2;
		}
		if (b->sizes[si] > b->max_len)
			b->max_len = b->sizes[si];
	}
	/* as large as the buffer, unless that would not fit in a small VM */
	file_size = b->buf_size <= MAX_FILE ? b->buf_size : b->max_len;

	if (!dir)
		dir = is_tmpfs("/dev/shm") ? "/dev/shm" : "/tmp";
	if (nowait) {
		b->t[T_TMPFS].name = "nowait";
		b->t[T_TMPFS].call = C_NOWAIT;
		printf(PROG ": baseline: preadv2/pwritev2(RWF_NOWAIT) on %s\n", dev);
	} else if (is_tmpfs(dir)) {
		b->t[T_TMPFS].name = "tmpfs";
		printf(PROG ": baseline: pread/pwrite on a %" PRIu64 "-byte file in %s (tmpfs)\n",
		       file_size, dir);
	} else {
		b->t[T_TMPFS].name = "file";
		printf(PROG ": warning: %s is not a tmpfs; the baseline is a %" PRIu64
		       "-byte file there, labelled \"file\"\n", dir, file_size);
	}

	b->warmup = b->iterations / 10 < 100 ? b->iterations / 10 + 1 : 100;
	for (ti = 0; ti < T_NR; ti++)
		b->samples[ti] = calloc(b->iterations, sizeof(uint64_t));
	if (posix_memalign((void **)&b->wbuf, 4096, b->max_len) ||
	    posix_memalign((void **)&b->rbuf, 4096, b->max_len) ||
	    !b->samples[T_MYMEM] || !b->samples[T_TMPFS]) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	for (uint64_t i = 0; i < b->max_len; i++)
		b->wbuf[i] = (unsigned char)(i * 31 + 7);

	b->t[T_TMPFS].fd = nowait ? mm_open_dev(PROG, dev, O_RDWR) :
		open_baseline(dir, file_size, b->wbuf, b->max_len);
	if (b->t[T_TMPFS].fd < 0)
		return 1;

	printf(PROG ": %s (%" PRIu64 " bytes), %" PRIu64 " timed calls per cell after %" PRIu64
	       " warm-up calls; mymem: %s; timer overhead %" PRIu64 " ns\n",
	       dev, b->buf_size, b->iterations, b->warmup,
	       b->t[T_MYMEM].call == C_SEEK ? "untimed lseek + timed read/write" :
					      "pread/pwrite", timer_overhead());

	/* the fds and the memory go with the process */
	for (si = 0; si < b->nr_sizes; si++)
		for (op = 0; op < OP_NR; op++)
			if (run_cell(b, si, op))
				return 1;
	return report(b, json, dev) ? 1 : 0;
}
