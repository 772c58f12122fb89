// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_uffd - a /dev/mymem caller stalled in a page fault delays only itself
 *
 * userfaultfd stalls five calls (pwrite/pwritev from a missing page,
 * pread/preadv into one, ADD_U64's store to a write-protected page) for
 * 20 s or more, while others read, write and add, mymem_test runs and is
 * removed mid run, and the hung-task detector (5 s) must stay quiet; then
 * each must complete exactly.  Each wait is bounded (300 s).  main() runs
 * the steps (they stall in this process), the harness's cases report them.
 * Needs root and userfaultfd, else all skip (exit 4).  Loads mymem_core (if
 * /dev/mymem is missing) and mymem_test (mymem_load()), unloads what it loaded.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>

#include <linux/userfaultfd.h>

#include "mymem_selftest.h"

#define TEST_NAME	"mymem_test"
#define TDIR		"/sys/kernel/debug/" TEST_NAME
#define HUNG_TIMEOUT	"/proc/sys/kernel/hung_task_timeout_secs"
#define XFER		64	/* bytes per stalled call */
#define WORKERS		4	/* threads that must progress meanwhile */
#define WORKER_OPS	300	/* write + read + add rounds each */
#define WORKER_LEN	256

enum { POS_ADD = 512, POS_WORKERS = 4096 };	/* buffer offsets */
/* a page per stalled call, and a plain one */
enum { PG_PWRITE, PG_WRITEV, PG_PREAD, PG_READV, PG_PLAIN, PG_ADD, NR_PAGES };

static const unsigned int hold_s = 20, bound_s = 300;
static int uffd = -1;
static unsigned char *area;

/* bitmasks, set with post(): workers done, rmmod returned */
static unsigned int workers_done, rmmod_done = 1;

/* the cases, in the order they run */
enum { CASE_FAULTS, CASE_OTHERS, CASE_RUN, CASE_RMMOD, CASE_COMPLETE, CASE_HUNG, NR_CASES };

static unsigned int cur;		/* the case being run */
static char why[NR_CASES][1024];	/* what failed in each case */
static const char *skipped[NR_CASES];	/* why each case was skipped */

#define diag(fmt, ...)	ksft_print_msg(fmt "\n", ##__VA_ARGS__)

/* what failed in the case being run, appended to why[cur] */
#define fail(fmt, ...)	snprintf(why[cur] + strlen(why[cur]), \
				 sizeof(why[cur]) - strlen(why[cur]), fmt "; ", ##__VA_ARGS__)

/* Case @c is over: skipped because of @skip, or as fail() left it. */
static void result(unsigned int c, const char *skip)
{
	skipped[c] = skip;
	cur = c + 1;
}

/* Cases up to @end are skipped because of @skip, or fail as not run. */
static void all_cases_to(unsigned int end, const char *skip)
{
	for (; cur < end; cur++) {
		if (!skip && !why[cur][0])
			fail("not run");
		skipped[cur] = skip;
	}
}

static int test_loaded;		/* this program loaded mymem_test */

#define MASK(n)		((1u << (n)) - 1)
#define STALLED_PAGES	(MASK(NR_PAGES) & ~(1u << PG_PLAIN))

#define post(bits, set)	__atomic_fetch_or(bits, set, __ATOMIC_RELEASE)

/* Wait until *@bits has all of @mask; false if the bound passed first. */
static int wait_for(const unsigned int *bits, unsigned int mask)
{
	unsigned int polls;

	for (polls = 0; polls < bound_s * 10; polls++, usleep(100 * 1000))
		if ((__atomic_load_n(bits, __ATOMIC_ACQUIRE) & mask) == mask)
			return 1;
	return 0;
}

/* UFFDIO_REGISTER or _WRITEPROTECT (a prefix of the struct) of @n pages */
static int uffd_range(unsigned long req, unsigned int pg, unsigned int n, __u64 mode)
{
	struct uffdio_register r = { { (unsigned long)(area + pg * page), n * page }, mode, 0 };

	return ioctl(uffd, req, &r);
}

/* The pages that faulted, read until all of @mask did or the bound passed */
static unsigned int wait_faults(unsigned int mask)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	time_t end = time(NULL) + bound_s;
	unsigned int faulted = 0;
	struct uffd_msg msg;
	unsigned long pg;

	while ((faulted & mask) != mask && time(NULL) < end) {
		if (poll(&pfd, 1, 100) <= 0 || read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		pg = (msg.arg.pagefault.address - (unsigned long)area) / page;
		faulted |= pg < NR_PAGES ? 1u << pg : 0;
	}
	return faulted;
}

/* A call on its missing page (PG + 1 in each byte once resolved), at
 * POS_XFER(PG) in the buffer; a vectored one on half of it, half of @plain.
 */
struct stalled {
	const char *name;
	pthread_t thread;
	long long ret;
	int err;
	unsigned char plain[XFER / 2];
};

#define POS_XFER(pg)	((pg) * 128)

/* ADD_U64's argument, read whole first: result starts the WP page */
static struct mymem_add *add_arg;

static struct stalled calls[NR_PAGES] = {
	{ .name = "pwrite" }, { .name = "pwritev" }, { .name = "pread" },
	{ .name = "preadv" }, { .name = NULL }, { .name = "ADD_U64" },
};

static void *stalled_call(void *arg)
{
	struct stalled *c = arg;
	unsigned int pg = c - calls;
	unsigned char *p = area + pg * page;
	struct iovec iov[2] = { { c->plain, XFER / 2 }, { p, XFER / 2 } };
	off_t pos = POS_XFER(pg);

	memset(c->plain, 0x77, sizeof(c->plain));
	c->ret = pg == PG_PWRITE ? pwrite(dev_fd, p, XFER, pos) :
		 pg == PG_WRITEV ? pwritev(dev_fd, iov, 2, pos) :
		 pg == PG_PREAD ? pread(dev_fd, p, XFER, pos) :
		 pg == PG_READV ? preadv(dev_fd, iov, 2, pos) :
		 ioctl(dev_fd, MYMEM_IOC_ADD_U64, add_arg);
	c->err = errno;
	return NULL;
}

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
		diag("worker %u: %ld of %u rounds wrong", id, bad, WORKER_OPS);
	post(&workers_done, bad ? 0 : 1u << id);
	return NULL;
}

static int rmmod_err;

static void *rmmod_thread(void *unused)
{
	rmmod_err = mymem_unload(TEST_NAME);
	test_loaded &= !!rmmod_err;
	post(&rmmod_done, 1);
	return unused;
}

/* rmmod in a thread, so a stall is seen, not suffered (on -ETIMEDOUT the
 * thread is left behind, to return once the faults are resolved)
 */
static int rmmod_test_module(void)
{
	pthread_t t;

	rmmod_done = 0;
	pthread_create(&t, NULL, rmmod_thread, NULL);
	if (!wait_for(&rmmod_done, 1)) {
		pthread_detach(t);
		return -ETIMEDOUT;
	}
	pthread_join(t, NULL);
	return rmmod_err;
}

static const char quick_run[] =
	"tests=perf,race,torture sizes=1,4096 iterations=20 workers=4 increments=2000 duration=2";

/* mymem_test runs to its end, then is removed mid torture run */
static void test_module_steps(void)
{
	char status[128] = "";
	unsigned int polls;
	int err;

	err = mymem_load(TEST_NAME, quick_run);
	test_loaded = !err;
	if (err == -ENOENT || err == -EEXIST)
		return all_cases_to(CASE_COMPLETE, err == -EEXIST ?
				    "mymem_test is loaded already" :
				    "no mymem_test.ko ($MYMEM_KO_DIR) nor modprobe");
	if (err) {
		fail("mymem_test did not load");
		return all_cases_to(CASE_COMPLETE, NULL);
	}
	/* the status polled until the run is over, within the bound */
	for (polls = 0; polls < bound_s * 10; polls++, usleep(100 * 1000))
		if (read_line(TDIR "/status", status, sizeof(status)) ||
		    strncmp(status, "running", 7))
			break;
	if (strcmp(status, "SUCCESS"))
		fail("the run ended '%s', or not within %u s", status, bound_s);
	err = rmmod_test_module();
	if (err)
		fail("rmmod mymem_test after the run: %s", strerror(-err));
	result(CASE_RUN, NULL);
	if (err == -ETIMEDOUT)
		return all_cases_to(CASE_COMPLETE, NULL);
	err = mymem_load(TEST_NAME, "tests=torture duration=3600");
	test_loaded = !err;
	if (err) {
		fail("second load of mymem_test: %s", strerror(-err));
		return result(CASE_RMMOD, NULL);
	}
	usleep(500 * 1000);	/* into the run; the stop is what is tested */
	err = rmmod_test_module();
	if (err)
		fail("rmmod mymem_test mid-run: %s", strerror(-err));
	result(CASE_RMMOD, NULL);
}

/* Kernel log lines since @kmsg was opened that report a blocked task. */
static int hung_reports(int kmsg)
{
	char rec[8192];
	int found = 0;
	ssize_t n;

	/* EPIPE: records overwritten */
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		rec[n > 0 ? n : 0] = '\0';
		if (strstr(rec, "blocked for more than")) {
			diag("kernel: %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
			found++;
		}
	}
	return found;
}

/* The resolved call on @pg did exactly its transfer: the user's bytes. */
static void check_call(unsigned int pg)
{
	unsigned int half = pg == PG_WRITEV || pg == PG_READV ? XFER / 2 : 0;
	unsigned char dev[XFER], user[XFER];
	struct stalled *c = &calls[pg];

	if (c->ret != (pg == PG_ADD ? 0 : XFER))
		fail("%s returned %lld (%s)", c->name, c->ret,
		     c->ret < 0 ? strerror(c->err) : "ok");
	if (pg == PG_ADD)
		return;
	memcpy(user, c->plain, half);
	memcpy(user + half, area + pg * page, XFER - half);
	if (pread(dev_fd, dev, XFER, POS_XFER(pg)) != XFER ||
	    memcmp(dev, user, XFER))
		fail("%s: the buffer does not hold the user's bytes", c->name);
}

/* The steps, in the order of the cases, each recording its verdict. */
static void run(void)
{
	struct uffdio_copy copy = { .len = page };
	unsigned int i, faulted;
	pthread_t wt[WORKERS];
	time_t stalled_at;
	unsigned char *fill;
	char old_hung[32] = "";
	__u64 counter, stored;
	int kmsg;

	/* transfer pages missing, result page WP; known bytes in the buffer */
	area = mmap(NULL, NR_PAGES * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	add_arg = (struct mymem_add *)(area + PG_ADD * page - offsetof(struct mymem_add, result));
	fill = malloc(page);
	copy.src = (unsigned long)fill;
	if (area == MAP_FAILED || !fill ||
	    uffd_range(UFFDIO_REGISTER, 0, PG_PLAIN, UFFDIO_REGISTER_MODE_MISSING) ||
	    uffd_range(UFFDIO_REGISTER, PG_ADD, 1, UFFDIO_REGISTER_MODE_WP) ||
	    !memset(area + PG_PLAIN * page, 0, 2 * page) ||
	    uffd_range(UFFDIO_WRITEPROTECT, PG_ADD, 1, UFFDIO_WRITEPROTECT_MODE_WP) ||
	    !memset(fill, 0x3c, 512) || pwrite(dev_fd, fill, 512, 0) != 512) {
		fail("setting up the area or the buffer: %s", strerror(errno));
		return all_cases_to(NR_CASES, NULL);
	}
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	if (read_line(HUNG_TIMEOUT, old_hung, sizeof(old_hung)) ||
	    write_file(HUNG_TIMEOUT, "5"))
		diag("no %s: the kernel has no hung-task detector", HUNG_TIMEOUT);
	add_arg->offset = POS_ADD;
	add_arg->delta = 5;
	for (i = 0; i < NR_PAGES; i++)
		if (i != PG_PLAIN)
			pthread_create(&calls[i].thread, NULL, stalled_call, &calls[i]);
	faulted = wait_faults(STALLED_PAGES);
	if (faulted != STALLED_PAGES)
		fail("after %u s only these pages faulted: 0x%x of 0x%x: %s",
		     bound_s, faulted, STALLED_PAGES, "a call waits behind another's fault");
	result(CASE_FAULTS, NULL);
	stalled_at = time(NULL);
	diag("5 calls stalled in page faults; holding them for %u s", hold_s);

	for (i = 0; i < WORKERS; i++)
		pthread_create(&wt[i], NULL, worker_thread, (void *)(long)i);
	if (!wait_for(&workers_done, MASK(WORKERS)))
		fail("workers 0x%x of 0x%x finished within %u s",
		     workers_done, MASK(WORKERS), bound_s);
	result(CASE_OTHERS, NULL);
	test_module_steps();
	/* Hold the faults long enough for the hung-task detector to look. */
	while (time(NULL) < stalled_at + hold_s)
		sleep(1);
	if (pread(dev_fd, &counter, sizeof(counter), POS_ADD) != sizeof(counter))
		fail("cannot read the counter");
	for (i = 0; i < NR_PAGES; i++) {
		if (i == PG_PLAIN)
			continue;
		/* map the page filled with i + 1, or unprotect PG_ADD: wakes its call */
		memset(fill, i + 1, page);
		copy.dst = (unsigned long)(area + i * page);
		if (i == PG_ADD ? uffd_range(UFFDIO_WRITEPROTECT, PG_ADD, 1, 0) :
		    ioctl(uffd, UFFDIO_COPY, &copy))
			fail("resolving the fault on page %u: %s", i, strerror(errno));
		pthread_join(calls[i].thread, NULL);
		check_call(i);
	}
	if (pread(dev_fd, &stored, sizeof(stored), POS_ADD) != sizeof(stored) ||
	    stored != counter + 5 || add_arg->result != stored)
		fail("ADD_U64: counter %llu, then %llu, result %llu; expected +5",
		     (unsigned long long)counter, (unsigned long long)stored,
		     (unsigned long long)add_arg->result);
	result(CASE_COMPLETE, NULL);

	for (i = 0; i < WORKERS; i++)
		pthread_join(wt[i], NULL);
	if (kmsg >= 0 && hung_reports(kmsg))
		fail("the kernel reported blocked tasks");
	result(CASE_HUNG, kmsg < 0 ? "no /dev/kmsg" : NULL);
	if (old_hung[0])
		write_file(HUNG_TIMEOUT, old_hung);
	free(fill);
}

/* The cases: each reports what run() recorded. */
FIXTURE(uffd) {};
FIXTURE_SETUP(uffd) {}
FIXTURE_TEARDOWN(uffd) {}

static void verdict(struct __test_metadata *_metadata, unsigned int c)
{
	if (skipped[c])
		SKIP(return, "%s: %s", _metadata->name, skipped[c]);
	EXPECT_STREQ("", why[c]);
}

TEST_F(uffd, every_stalled_call_reaches_its_fault) { verdict(_metadata, CASE_FAULTS); }
TEST_F(uffd, others_read_write_and_add_meanwhile) { verdict(_metadata, CASE_OTHERS); }
TEST_F(uffd, test_module_run_completes) { verdict(_metadata, CASE_RUN); }
TEST_F(uffd, test_module_rmmod_mid_run) { verdict(_metadata, CASE_RMMOD); }
TEST_F(uffd, stalled_calls_complete_exactly) { verdict(_metadata, CASE_COMPLETE); }
TEST_F(uffd, no_hung_task_report) { verdict(_metadata, CASE_HUNG); }

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	const char *skip = NULL;

	if (mymem_open(&skip) < 8192 && !skip)
		skip = "a buffer of 8 KiB or more is needed";
	if (!skip)
		uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (!skip && (uffd < 0 || ioctl(uffd, UFFDIO_API, &api)))
		skip = "userfaultfd is not available";
	if (skip)
		all_cases_to(NR_CASES, skip);
	else
		run();
	if (uffd >= 0)
		close(uffd);
	/* mymem_test unloaded if it was loaded here; mymem_end() does mymem_core */
	if (!wait_for(&rmmod_done, 1)) {
		diag("rmmod %s is still waiting: nothing more unloaded", TEST_NAME);
		core_loaded = 0;
	} else if (test_loaded && mymem_unload(TEST_NAME)) {
		diag("delete_module(%s): %s", TEST_NAME, strerror(errno));
	}
	atexit(mymem_end);
	return test_harness_run(argc, argv);
}
