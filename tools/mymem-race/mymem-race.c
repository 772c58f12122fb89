// SPDX-License-Identifier: GPL-2.0
/*
 * mymem-race - the lab's Part 3 counter test over /dev/mymem
 *
 * W threads, each on its own fd, add 1 N times to the u64 at offset 0:
 * unlocked (lseek+read, +1, lseek+write: loses updates), locked (the same
 * under a mutex) or atomic (MYMEM_IOC_ADD_U64).  The counter is reset and
 * read back before each mode.  Exit status: see footer[].
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mymem.h>

#include "../common/common.h"

#define PROG		"mymem-race"
#define MAX_WORKERS	4096u
#define MAX_INCREMENTS	1000000000u

enum mode { M_UNLOCKED, M_LOCKED, M_ATOMIC, M_NR };

static const char *const mode_name[M_NR] = { "unlocked", "locked", "atomic" };

struct run {
	enum mode mode;
	uint64_t increments;
	pthread_barrier_t start;
	pthread_mutex_t lock;
};

struct worker {
	pthread_t thread;
	struct run *run;
	int fd;
	int err;		/* errno of the first failure, 0 if none */
	const char *what;	/* the call that failed */
};

struct outcome {
	uint64_t expected, final, elapsed_ns;
	int64_t lost;
	double ops_per_sec;
	bool exact;
};

static const char about[] =
"W threads each increment a 64-bit counter at offset 0 of DEV N times;\n"
"the final value must be W x N.";

static const char footer[] =
"Exit status: 0 if every locked and atomic run is exact, 1 if not or on\n"
"an error, 2 usage.  Lost updates in unlocked mode are reported, not an error.\n";

static int add_mode(const char *tok, void *ctx)
{
	bool *want = ctx, all = !strcmp(tok, "all"), hit = all;
	int m;

	for (m = 0; m < M_NR; m++)
		if (all || !strcmp(tok, mode_name[m]))
			want[m] = hit = true;
	return hit ? 0 : -1;
}

static int read_counter(int fd, uint64_t *v)
{
	ssize_t n = pread(fd, v, sizeof(*v), 0);

	if (n == (ssize_t)sizeof(*v))
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

static bool fail(struct worker *w, const char *what)
{
	w->err = errno ? errno : EIO;
	w->what = what;
	return false;
}

/* One read-modify-write through the file position, as the lab does it. */
static bool rmw(struct worker *w)
{
	uint64_t v;
	ssize_t n;

	if (lseek(w->fd, 0, SEEK_SET) != 0)
		return fail(w, "lseek");
	n = read(w->fd, &v, sizeof(v));
	if (n != (ssize_t)sizeof(v))
		return fail(w, n < 0 ? "read" : "read (short)");
	v++;
	if (lseek(w->fd, 0, SEEK_SET) != 0)
		return fail(w, "lseek");
	n = write(w->fd, &v, sizeof(v));
	if (n != (ssize_t)sizeof(v))
		return fail(w, n < 0 ? "write" : "write (short)");
	return true;
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	struct mymem_add add = { .offset = 0, .delta = 1 };
	uint64_t i;
	bool ok = true;

	pthread_barrier_wait(&r->start);
	errno = 0;
	for (i = 0; i < r->increments && ok; i++) {
		if (r->mode == M_ATOMIC) {
			ok = !ioctl(w->fd, MYMEM_IOC_ADD_U64, &add) ||
			     fail(w, "ioctl(MYMEM_IOC_ADD_U64)");
		} else if (r->mode == M_LOCKED) {
			pthread_mutex_lock(&r->lock);
			ok = rmw(w);
			pthread_mutex_unlock(&r->lock);
		} else {
			ok = rmw(w);
		}
	}
	return NULL;
}

static int run_mode(const char *dev, int ctl_fd, enum mode mode, unsigned int workers,
		    uint64_t increments, struct outcome *out)
{
	struct run r = { .mode = mode, .increments = increments,
			 .lock = PTHREAD_MUTEX_INITIALIZER };
	static struct worker w[MAX_WORKERS];
	uint64_t zero = 0, v = 1, t0, t1;
	unsigned int i, opened;
	int ret = -1, err;

	/* reset the counter and make sure the reset took */
	if (pwrite(ctl_fd, &zero, sizeof(zero), 0) != (ssize_t)sizeof(zero) ||
	    read_counter(ctl_fd, &v)) {
		fprintf(stderr, PROG ": %s: resetting the counter: %s\n", dev, strerror(errno));
		return -1;
	}
	if (v != 0) {
		fprintf(stderr, PROG ": %s: counter reads %" PRIu64 " after the reset to 0\n",
			dev, v);
		return -1;
	}

	for (opened = 0; opened < workers; opened++) {
		w[opened] = (struct worker){ .run = &r, .fd = mm_open_dev(PROG, dev, O_RDWR) };
		if (w[opened].fd < 0)
			goto close_fds;
	}
	pthread_barrier_init(&r.start, NULL, workers + 1);
	for (i = 0; i < workers; i++) {
		err = pthread_create(&w[i].thread, NULL, worker_fn, &w[i]);
		if (err) {
			fprintf(stderr, PROG ": pthread_create: %s\n", strerror(err));
			/* the started workers wait at the barrier forever */
			exit(1);
		}
	}
	pthread_barrier_wait(&r.start);
	t0 = mm_now_ns();
	for (i = 0; i < workers; i++)
		pthread_join(w[i].thread, NULL);
	t1 = mm_now_ns();
	pthread_barrier_destroy(&r.start);

	for (i = 0; i < workers; i++) {
		if (w[i].err) {
			fprintf(stderr, PROG ": %s: %s worker %u: %s: %s\n", dev,
				mode_name[mode], i, w[i].what, strerror(w[i].err));
			if (w[i].err == ENOTTY)
				fprintf(stderr, PROG ": %s does not support MYMEM_IOC_ADD_U64: not a mymem device?\n",
					dev);
			goto close_fds;
		}
	}
	if (read_counter(ctl_fd, &v)) {
		fprintf(stderr, PROG ": %s: reading the counter: %s\n", dev, strerror(errno));
		goto close_fds;
	}
	out->expected = (uint64_t)workers * increments;
	out->final = v;
	out->lost = (int64_t)(out->expected - out->final);
	out->elapsed_ns = t1 - t0;
	out->ops_per_sec = out->elapsed_ns ?
		(double)out->expected * 1e9 / (double)out->elapsed_ns : 0.0;
	out->exact = out->final == out->expected;
	ret = 0;
close_fds:
	while (opened--)
		close(w[opened].fd);
	return ret;
}

int main(int argc, char **argv)
{
	const char *dev = MM_DEFAULT_DEV, *json = NULL, *modes = "all";
	bool want[M_NR] = { false }, ran[M_NR] = { false }, bad = false;
	struct outcome res[M_NR];
	uint64_t workers = 50, increments = 150000, size;
	const struct mm_opt opts[] = {
		MM_STR('d', "DEV", "device", &dev),
		MM_NUM('w', "W", "worker threads", &workers, 1, MAX_WORKERS),
		MM_NUM('n', "N", "increments per worker", &increments, 1, MAX_INCREMENTS),
		MM_STR('m', "MODES", "comma-separated: unlocked, locked, atomic, or all\n"
		       "  unlocked  lseek+read, +1, lseek+write (loses updates)\n"
		       "  locked    the same under a pthread mutex\n"
		       "  atomic    ioctl MYMEM_IOC_ADD_U64", &modes),
		MM_STR('j', "FILE", "also write the results as JSON to FILE", &json),
	};
	FILE *jf = NULL;
	int m, fd, first = 1;

	mm_parse_opts(argc, argv, PROG, about, footer, opts, ARRAY_SIZE(opts));
	if (mm_parse_list(modes, add_mode, want)) {
		fprintf(stderr, PROG ": invalid -m %s: unlocked, locked, atomic or all, comma-separated\n",
			modes);
		return 2;
	}

	fd = mm_open_dev(PROG, dev, O_RDWR);
	if (fd < 0 || mm_dev_size(PROG, dev, fd, &size))
		return 1;
	if (size < sizeof(uint64_t)) {
		fprintf(stderr, PROG ": %s: the buffer (%" PRIu64
			" bytes) cannot hold the 8-byte counter\n", dev, size);
		return 1;
	}
	if (json && !(jf = mm_json_begin(PROG, json, PROG, dev, size)))
		return 1;

	printf(PROG ": %s, %" PRIu64 " workers x %" PRIu64 " increments (expected %" PRIu64 ")\n",
	       dev, workers, increments, workers * increments);
	printf("%-9s %12s %12s %12s %7s %12s %12s  %s\n", "mode", "expected",
	       "final", "lost", "lost%", "elapsed_ms", "ops/s", "result");
	for (m = 0; m < M_NR; m++) {
		struct outcome *o = &res[m];

		if (!want[m])
			continue;
		if (run_mode(dev, fd, m, (unsigned int)workers, increments, o)) {
			bad = true;
			break;
		}
		ran[m] = true;
		printf("%-9s %12" PRIu64 " %12" PRIu64 " %12" PRId64 " %6.1f%% %12.1f %12.0f  %s\n",
		       mode_name[m], o->expected, o->final, o->lost,
		       100.0 * (double)o->lost / (double)o->expected,
		       (double)o->elapsed_ns / 1e6, o->ops_per_sec,
		       o->exact ? "exact" :
		       m == M_UNLOCKED ? "lost updates (expected without a lock)" :
		       "WRONG");
		fflush(stdout);
		if (!o->exact && m != M_UNLOCKED)
			bad = true;
		if (jf) {
			mm_json_record_sep(jf, &first);
			fprintf(jf, "{\"test\":\"urace\",\"mode\":\"%s\",\"workers\":%" PRIu64
				",\"increments\":%" PRIu64 ",\"expected\":%" PRIu64 ",\"final\":%"
				PRIu64 ",\"lost\":%" PRId64 ",\"elapsed_ns\":%" PRIu64
				",\"ops_per_sec\":%.0f,\"exact\":%s}",
				mode_name[m], workers, increments, o->expected, o->final,
				o->lost, o->elapsed_ns, o->ops_per_sec,
				o->exact ? "true" : "false");
		}
	}
	if (ran[M_LOCKED] && ran[M_ATOMIC])
		printf(PROG ": atomic is %.2fx the speed of locked\n",
		       res[M_ATOMIC].ops_per_sec / res[M_LOCKED].ops_per_sec);
	if (jf && mm_json_end(PROG, json, jf))
		bad = true;
	printf(PROG ": %s\n", bad ? "FAIL" : "PASS");
	return bad ? 1 : 0;
}
