// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_uffd - a /dev/mymem caller stalled in a page fault delays only itself
 *
 * userfaultfd holds a page fault for as long as this program likes.  Five
 * calls are made to stall in one each: pwrite() and pwritev() from a
 * missing source page, pread() and preadv() into a missing destination
 * page, and MYMEM_IOC_ADD_U64 storing its result to a write-protected
 * page.  While they stall (at least 20 s), other threads must read, write
 * and add to completion, the test module must run to its end and be
 * removed in the middle of a second run, and the hung-task detector (set
 * to 5 s) must report nothing.  Then the faults are resolved and every
 * stalled call must complete exactly.  Nothing is timed: each wait has a
 * bound (300 s) after which the step counts as stalled.
 *
 * The calls stall in this one process while the steps run, so main() runs
 * them first, recording each case's verdict; the cases of the kernel's
 * kselftest_harness.h then report them.
 *
 * Needs root and userfaultfd, or every case is skipped.  It loads
 * mymem_core itself when /dev/mymem is missing, and mymem_test for its two
 * runs (from $MYMEM_KO_DIR, its own directory, or modprobe), and at its
 * end unloads what it loaded: exit 1 when a case failed, 4 when every
 * case was skipped, 0 otherwise.
 *
 * Usage: mymem_uffd [harness options]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/mymem.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"

#define CORE_NAME	"mymem_core"
#define TEST_NAME	"mymem_test"
#define TDIR		"/sys/kernel/debug/" TEST_NAME
#define HUNG_TIMEOUT	"/proc/sys/kernel/hung_task_timeout_secs"
#define XFER		64	/* bytes per stalled call */
#define WORKERS		4	/* threads that must progress meanwhile */
#define WORKER_OPS	300	/* write + read + add rounds each */
#define WORKER_LEN	256

/* Where the add and the workers work in the buffer. */
enum { POS_ADD = 512, POS_WORKERS = 4096 };

/* The registered area: a page per stalled call, and a plain one. */
enum { PG_PWRITE, PG_WRITEV, PG_PREAD, PG_READV, PG_PLAIN, PG_ADD, NR_PAGES };
#define NR_STALLED	5

static const char *const dev_path = "/dev/mymem";
static const unsigned int hold_s = 20, bound_s = 300;
static long page;
static int dev_fd = -1, uffd = -1;
static unsigned char *area;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static unsigned int faulted;	/* bit per page of area that faulted */
static unsigned int workers_done;
static int stop_monitor;

/* --- verdicts ----------------------------------------------------------- */

/* The cases, in the order they run. */
enum {
	CASE_FAULTS, CASE_OTHERS, CASE_RUN, CASE_RMMOD, CASE_COMPLETE,
	CASE_HUNG, NR_CASES
};

static unsigned int cur;		/* the case being run */
static char why[NR_CASES][1024];	/* what failed in each case */
static const char *skipped[NR_CASES];	/* why each case was skipped */

#define diag(fmt, ...)	ksft_print_msg(fmt "\n", ##__VA_ARGS__)

/* The case being run fails, for the reason printed. */
static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	size_t n = strlen(why[cur]);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why[cur] + n, sizeof(why[cur]) - n, fmt, ap);
	va_end(ap);
	n = strlen(why[cur]);
	snprintf(why[cur] + n, sizeof(why[cur]) - n, "; ");
}

/* Case @c is over: skipped because of @skip, or as fail() left it. */
static void result(unsigned int c, const char *skip)
{
	skipped[c] = skip;
	cur = c + 1;
}

/* Give up: every case not over yet is skipped because of @skip, or fails. */
static void all_cases(const char *skip)
{
	for (; cur < NR_CASES; cur++) {
		if (!skip)
			fail("not run: the setup failed");
		skipped[cur] = skip;
	}
}

/* --- modules ------------------------------------------------------------ */

static int core_loaded, test_loaded;	/* what this program loaded */

/*
 * finit_module() of @name.ko with @params, from $MYMEM_KO_DIR or this
 * program's own directory, else modprobe.  Return: 0, -EEXIST when it is
 * loaded already, -ENOENT when found nowhere, or the error of loading it.
 */
static int load(const char *name, const char *params)
{
	char dir[PATH_MAX] = ".", path[PATH_MAX + 128];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	const char *env = getenv("MYMEM_KO_DIR");
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (!access(path, F_OK))
		return -EEXIST;
	if (n > 0) {
		dir[n] = '\0';
		*strrchr(dir, '/') = '\0';
	}
	snprintf(path, sizeof(path), "%s/%s.ko", env ? env : dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* a dry run first, so that "unknown" and "failed" differ */
		snprintf(path, sizeof(path), "modprobe -q -n %s", name);
		if (system(path))
			return -ENOENT;
		snprintf(path, sizeof(path), "modprobe %s %s", name, params);
		ret = system(path) ? -EIO : 0;
	} else {
		ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
		close(fd);
	}
	diag("%s: %s", path, ret ? strerror(-ret) : "loaded");
	return ret;
}

static int unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* --- waiting with a bound ---------------------------------------------- */

/* Wait until @cond_fn() holds; false if the bound passed first. */
static int wait_for(int (*cond_fn)(void), unsigned int s)
{
	struct timespec until;
	int ok, err = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += s;
	pthread_mutex_lock(&lock);
	while (!(ok = cond_fn()) && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&cond, &lock, &until);
	pthread_mutex_unlock(&lock);
	return ok;
}

/* every page but the plain one */
#define STALLED_PAGES	(((1u << NR_PAGES) - 1) & ~(1u << PG_PLAIN))

static int all_stalled(void)
{
	return (faulted & STALLED_PAGES) == STALLED_PAGES;
}

static int all_workers_done(void)
{
	return workers_done == WORKERS;
}

/* --- userfaultfd ------------------------------------------------------- */

static int uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int uffd_register(unsigned char *start, size_t len, __u64 mode)
{
	struct uffdio_register reg = {
		.range = { (unsigned long)start, len },
		.mode = mode,
	};

	return ioctl(uffd, UFFDIO_REGISTER, &reg);
}

/* Write-protect (@wp) or release the page of ADD_U64's result. */
static int uffd_protect(int wp)
{
	struct uffdio_writeprotect prot = {
		.range = { (unsigned long)(area + PG_ADD * page), page },
		.mode = wp ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	return ioctl(uffd, UFFDIO_WRITEPROTECT, &prot);
}

/* Record which pages fault; resolving them is main()'s decision. */
static void *monitor(void *unused)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;
	unsigned long pg;

	(void)unused;
	while (!__atomic_load_n(&stop_monitor, __ATOMIC_ACQUIRE)) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		pg = (msg.arg.pagefault.address - (unsigned long)area) / page;
		pthread_mutex_lock(&lock);
		if (pg < NR_PAGES)
			faulted |= 1u << pg;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

/*
 * Map page @pg with @fill in every byte, or lift the write protection of
 * the result page: either wakes the caller stalled on it.
 */
static int uffd_resolve(unsigned int pg, int fill)
{
	unsigned char *src;
	struct uffdio_copy copy = {
		.dst = (unsigned long)(area + pg * page),
		.len = page,
	};
	int ret;

	if (pg == PG_ADD)
		return uffd_protect(0);
	src = malloc(page);
	if (!src)
		return -1;
	memset(src, fill, page);
	copy.src = (unsigned long)src;
	ret = ioctl(uffd, UFFDIO_COPY, &copy);
	free(src);
	return ret;
}

/* --- the stalled calls ------------------------------------------------- */

/*
 * Each starts its call on a missing page of the area, whose content is
 * PG + 1 in every byte once main() resolves it; a transfer works at
 * POS_XFER(PG) in the buffer, the vectored ones on half a page and half
 * of @plain, outside the area.
 */
struct stalled {
	const char *name;
	unsigned int pg;
	pthread_t thread;
	long long ret;
	int err;
	unsigned char plain[XFER / 2];
};

#define POS_XFER(pg)	((pg) * 128)

/*
 * The argument must be readable, as the driver reads it whole first: its
 * result field starts the write-protected page, the rest ends a plain one.
 */
static struct mymem_add *add_arg(void)
{
	return (struct mymem_add *)(area + PG_ADD * page -
				    offsetof(struct mymem_add, result));
}

static void *stalled_call(void *arg)
{
	struct stalled *c = arg;
	unsigned char *p = area + c->pg * page;
	struct iovec iov[2] = { { c->plain, XFER / 2 }, { p, XFER / 2 } };
	off_t pos = POS_XFER(c->pg);

	memset(c->plain, 0x77, sizeof(c->plain));
	if (c->pg == PG_PWRITE)
		c->ret = pwrite(dev_fd, p, XFER, pos);
	else if (c->pg == PG_WRITEV)
		c->ret = pwritev(dev_fd, iov, 2, pos);
	else if (c->pg == PG_PREAD)
		c->ret = pread(dev_fd, p, XFER, pos);
	else if (c->pg == PG_READV)
		c->ret = preadv(dev_fd, iov, 2, pos);
	else
		c->ret = ioctl(dev_fd, MYMEM_IOC_ADD_U64, add_arg());
	c->err = errno;
	return NULL;
}

static struct stalled calls[NR_STALLED] = {
	{ .name = "pwrite", .pg = PG_PWRITE },
	{ .name = "pwritev", .pg = PG_WRITEV },
	{ .name = "pread", .pg = PG_PREAD },
	{ .name = "preadv", .pg = PG_READV },
	{ .name = "ADD_U64", .pg = PG_ADD },
};

/* --- the callers that must not be delayed ------------------------------ */

static void *worker_thread(void *arg)
{
	unsigned int id = (unsigned int)(long)arg, i;
	off_t pos = POS_WORKERS + (off_t)id * WORKER_LEN * 2;
	unsigned char out[WORKER_LEN], in[WORKER_LEN];
	struct mymem_add add = { .offset = pos + WORKER_LEN, .delta = 1 };
	long bad = 0;

	for (i = 0; i < WORKER_OPS; i++) {
		memset(out, (int)(id * 16 + i), sizeof(out));
		if (pwrite(dev_fd, out, sizeof(out), pos) != sizeof(out) ||
		    pread(dev_fd, in, sizeof(in), pos) != sizeof(in) ||
		    memcmp(in, out, sizeof(in)) ||
		    ioctl(dev_fd, MYMEM_IOC_ADD_U64, &add))
			bad++;
	}
	if (bad)
		diag("worker %u: %ld of %u rounds went wrong", id, bad,
		     WORKER_OPS);
	pthread_mutex_lock(&lock);
	workers_done += !bad;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* --- the test module --------------------------------------------------- */

/*
 * rmmod in a thread of its own, so that a stall is seen, not suffered.
 * Return: 0, a negative errno, or -ETIMEDOUT when it did not return within
 * the bound (the thread is then left behind: it returns once the faults are
 * resolved).
 */
static int rmmod_done = 1, rmmod_err;	/* under lock */

static void *rmmod_thread(void *unused)
{
	int err;

	(void)unused;
	err = unload(TEST_NAME);
	pthread_mutex_lock(&lock);
	test_loaded &= !!err;
	rmmod_err = err;
	rmmod_done = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static int rmmod_returned(void)
{
	return rmmod_done;
}

static int rmmod_test_module(void)
{
	pthread_t t;

	rmmod_done = 0;
	pthread_create(&t, NULL, rmmod_thread, NULL);
	if (!wait_for(rmmod_returned, bound_s)) {
		pthread_detach(t);
		return -ETIMEDOUT;
	}
	pthread_join(t, NULL);
	return rmmod_err;
}

/* Poll the run's status until it is no longer running, within the bound. */
static int wait_run_end(char *status, size_t len)
{
	unsigned int polls;
	ssize_t n;
	int fd;

	for (polls = 0; polls < bound_s * 10; polls++) {
		fd = open(TDIR "/status", O_RDONLY);
		n = fd < 0 ? -1 : read(fd, status, len - 1);
		if (fd >= 0)
			close(fd);
		if (n < 0)
			return -1;
		status[n] = '\0';
		status[strcspn(status, "\n")] = '\0';
		if (strncmp(status, "running", 7))
			return 0;
		usleep(100 * 1000);
	}
	return -1;
}

/* mymem_test's two runs: one to its end, one to be stopped in the middle */
static const char quick_run[] =
	"tests=perf,race,torture sizes=1,4096 iterations=20 workers=4 increments=2000 duration=2";
static const char long_run[] = "tests=torture duration=3600";

/*
 * The module must run to its end while the calls stall, then load again
 * and be removed in the middle of a long torture run.
 */
static void test_module_steps(void)
{
	char status[128] = "";
	const char *skip;
	int err;

	err = load(TEST_NAME, quick_run);
	test_loaded = !err;
	if (err == -ENOENT || err == -EEXIST) {
		skip = err == -EEXIST ? "mymem_test is loaded already" :
		       "no mymem_test.ko ($MYMEM_KO_DIR) nor modprobe";
		result(CASE_RUN, skip);
		result(CASE_RMMOD, skip);
		return;
	}
	if (err) {
		fail("mymem_test did not load");
		result(CASE_RUN, NULL);
		fail("not tried: mymem_test did not load");
		result(CASE_RMMOD, NULL);
		return;
	}
	if (wait_run_end(status, sizeof(status)))
		fail("the run did not end within %u s: status '%s'", bound_s,
		     status);
	else if (strcmp(status, "SUCCESS"))
		fail("the run ended '%s'", status);
	err = rmmod_test_module();
	if (err)
		fail("rmmod mymem_test after the run: %s", strerror(-err));
	result(CASE_RUN, NULL);
	if (err == -ETIMEDOUT) {
		fail("not tried: the first rmmod is still waiting");
		result(CASE_RMMOD, NULL);
		return;
	}

	err = load(TEST_NAME, long_run);
	test_loaded = !err;
	if (err) {
		fail("second load of mymem_test: %s", strerror(-err));
		result(CASE_RMMOD, NULL);
		return;
	}
	usleep(500 * 1000);	/* into the run; the stop is what is tested */
	err = rmmod_test_module();
	if (err)
		fail("rmmod mymem_test mid-run: %s", strerror(-err));
	result(CASE_RMMOD, NULL);
}

/* --- checks ------------------------------------------------------------ */

static int set_hung_timeout(const char *val, char *old, size_t len)
{
	int fd = open(HUNG_TIMEOUT, O_RDWR);
	ssize_t n;

	if (fd < 0)
		return -1;
	if (old) {
		n = read(fd, old, len - 1);
		old[n > 0 ? n : 0] = '\0';
	}
	n = pwrite(fd, val, strlen(val), 0);
	close(fd);
	return n < 0 ? -1 : 0;
}

/* Kernel log lines since @kmsg was opened that report a blocked task. */
static int hung_reports(int kmsg)
{
	char rec[8192];
	int found = 0;
	ssize_t n;

	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, "blocked for more than")) {
			diag("kernel: %s", strchr(rec, ';') ?
			     strchr(rec, ';') + 1 : rec);
			found++;
		}
	}
	return found;
}

/*
 * Each stalled call, resolved, must have done exactly its transfer: the
 * buffer holds the bytes of the user memory it read or wrote.
 */
static void check_stalled(void)
{
	unsigned char dev[XFER], user[XFER];
	unsigned int i, half;

	for (i = 0; i < NR_STALLED; i++) {
		struct stalled *c = &calls[i];

		if (c->ret != (c->pg == PG_ADD ? 0 : XFER))
			fail("%s returned %lld (%s)", c->name, c->ret,
			     c->ret < 0 ? strerror(c->err) : "ok");
		if (c->pg == PG_ADD)
			continue;
		half = c->pg == PG_WRITEV || c->pg == PG_READV ? XFER / 2 : 0;
		memcpy(user, c->plain, half);
		memcpy(user + half, area + c->pg * page, XFER - half);
		if (pread(dev_fd, dev, XFER, POS_XFER(c->pg)) != XFER ||
		    memcmp(dev, user, XFER))
			fail("%s: the buffer does not hold the user's bytes", c->name);
	}
}

/* Return: why the test must be skipped, or NULL. */
static const char *setup(void)
{
	__u64 sz;

	if (geteuid())
		return "needs root";
	if (access(dev_path, F_OK))
		core_loaded = !load(CORE_NAME, "");
	dev_fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		return "no /dev/mymem: mymem_core not loaded, and not loadable";
	if (ioctl(dev_fd, MYMEM_IOC_GET_SIZE, &sz) || sz < 8192)
		return "a buffer of 8 KiB or more is needed";
	uffd = uffd_open();
	if (uffd < 0)
		return "userfaultfd is not available";
	return NULL;
}

/* Unload what was loaded once nothing holds it: the device closed. */
static void cleanup(void)
{
	if (dev_fd >= 0)
		close(dev_fd);
	if (uffd >= 0)
		close(uffd);
	if (!wait_for(rmmod_returned, bound_s))
		diag("rmmod %s is still waiting: nothing more unloaded", TEST_NAME);
	else if ((test_loaded && unload(TEST_NAME)) ||
		 (core_loaded && unload(CORE_NAME)))
		diag("delete_module: %s", strerror(errno));
}

/* The steps, in the order of the cases; each records its case's verdict. */
static void run(void)
{
	pthread_t mon, wt[WORKERS];
	struct timespec stalled_at, now;
	pthread_condattr_t ca;
	unsigned char fill[512];
	char old_hung[32] = "";
	__u64 counter, stored;
	unsigned int i;
	int kmsg;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &ca);
	/*
	 * The transfer pages are missing; the result page is present and
	 * write-protected, so that only the store of the result stalls.
	 */
	area = mmap(NULL, NR_PAGES * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED ||
	    uffd_register(area, PG_PLAIN * page,
			  UFFDIO_REGISTER_MODE_MISSING) ||
	    uffd_register(area + PG_ADD * page, page,
			  UFFDIO_REGISTER_MODE_WP)) {
		fail("mmap or UFFDIO_REGISTER: %s", strerror(errno));
		return all_cases(NULL);
	}
	memset(area + PG_PLAIN * page, 0, 2 * page);
	if (uffd_protect(1)) {
		fail("UFFDIO_WRITEPROTECT: %s", strerror(errno));
		return all_cases(NULL);
	}
	/* known bytes where the reads stall, a known counter */
	memset(fill, 0x3c, sizeof(fill));
	if (pwrite(dev_fd, fill, sizeof(fill), 0) != sizeof(fill)) {
		fail("cannot initialise the buffer: %s", strerror(errno));
		return all_cases(NULL);
	}

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	if (set_hung_timeout("5", old_hung, sizeof(old_hung)))
		diag("no %s: the kernel has no hung-task detector", HUNG_TIMEOUT);

	pthread_create(&mon, NULL, monitor, NULL);
	add_arg()->offset = POS_ADD;
	add_arg()->delta = 5;
	for (i = 0; i < NR_STALLED; i++)
		pthread_create(&calls[i].thread, NULL, stalled_call, &calls[i]);
	if (!wait_for(all_stalled, bound_s))
		fail("after %u s only these pages faulted: 0x%x of 0x%x: %s",
		     bound_s, faulted, STALLED_PAGES, "a call waits behind another's fault");
	result(CASE_FAULTS, NULL);
	clock_gettime(CLOCK_MONOTONIC, &stalled_at);
	diag("5 calls stalled in page faults; holding them for %u s", hold_s);

	for (i = 0; i < WORKERS; i++)
		pthread_create(&wt[i], NULL, worker_thread, (void *)(long)i);
	if (!wait_for(all_workers_done, bound_s))
		fail("%u of %u workers finished within %u s", workers_done,
		     WORKERS, bound_s);
	result(CASE_OTHERS, NULL);

	test_module_steps();

	/* Hold the faults long enough for the hung-task detector to look. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < stalled_at.tv_sec + hold_s)
		sleep(stalled_at.tv_sec + hold_s - now.tv_sec);
	if (pread(dev_fd, &counter, sizeof(counter), POS_ADD) != sizeof(counter))
		fail("cannot read the counter");
	for (i = 0; i < NR_PAGES; i++)
		if (i != PG_PLAIN && uffd_resolve(i, i + 1))
			fail("UFFDIO_COPY of page %u: %s", i, strerror(errno));
	for (i = 0; i < NR_STALLED; i++)
		pthread_join(calls[i].thread, NULL);
	check_stalled();
	if (pread(dev_fd, &stored, sizeof(stored), POS_ADD) != sizeof(stored) ||
	    stored != counter + 5 || add_arg()->result != stored)
		fail("ADD_U64: counter %llu, then %llu, result %llu; expected +5",
		     (unsigned long long)counter, (unsigned long long)stored,
		     (unsigned long long)add_arg()->result);
	result(CASE_COMPLETE, NULL);

	for (i = 0; i < WORKERS; i++)
		pthread_join(wt[i], NULL);
	if (kmsg < 0)
		diag("no /dev/kmsg: the kernel log was not checked");
	else if (hung_reports(kmsg))
		fail("the kernel reported blocked tasks");
	result(CASE_HUNG, kmsg < 0 ? "no /dev/kmsg" : NULL);
	if (old_hung[0])
		set_hung_timeout(old_hung, NULL, 0);

	__atomic_store_n(&stop_monitor, 1, __ATOMIC_RELEASE);
	pthread_join(mon, NULL);
}

/* --- the cases: each reports what run() recorded ------------------------ */

FIXTURE(uffd) {
	char unused;
};

FIXTURE_SETUP(uffd)
{
}

FIXTURE_TEARDOWN(uffd)
{
}

static void verdict(struct __test_metadata *_metadata, unsigned int c)
{
	if (skipped[c])
		SKIP(return, "%s: %s", _metadata->name, skipped[c]);
	EXPECT_STREQ("", why[c]);
}

TEST_F(uffd, every_stalled_call_reaches_its_fault)
{
	verdict(_metadata, CASE_FAULTS);
}

TEST_F(uffd, others_read_write_and_add_meanwhile)
{
	verdict(_metadata, CASE_OTHERS);
}

TEST_F(uffd, test_module_run_completes)
{
	verdict(_metadata, CASE_RUN);
}

TEST_F(uffd, test_module_rmmod_mid_run)
{
	verdict(_metadata, CASE_RMMOD);
}

TEST_F(uffd, stalled_calls_complete_exactly)
{
	verdict(_metadata, CASE_COMPLETE);
}

TEST_F(uffd, no_hung_task_report)
{
	verdict(_metadata, CASE_HUNG);
}

/* Every case skipped is a skip. */
static void finish(void)
{
	if (!ksft_get_pass_cnt() && !ksft_get_fail_cnt()) {
		fflush(NULL);
		_exit(KSFT_SKIP);
	}
}

int main(int argc, char **argv)
{
	const char *skip;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	skip = setup();
	if (skip)
		all_cases(skip);
	else
		run();
	cleanup();
	atexit(finish);
	return test_harness_run(argc, argv);
}
