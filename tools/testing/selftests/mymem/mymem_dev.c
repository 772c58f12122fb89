// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_dev - kselftest of what /dev/mymem adds to the mymem API: the file
 * position, user pointers that fault, permissions and access modes, the
 * ioctls, appending writes, threads sharing one open file, vectored calls
 * that must stay atomic (and KCSAN-clean) at any segment count, sources
 * the kernel cannot hold, RWF_NOWAIT, a destination that faults for ever.  The API's
 * own rules (bounds, short transfers, the add) are tested in the kernel by
 * mymem_kunit.c and against a model by tools/mymem-fuzz; the counter race
 * by mymem_test and mymem-race.
 *
 * The whole buffer is read into a model at start.  Every case updates the
 * model with what it expects to have written, and after every case the
 * whole device buffer is compared with the model, so a stray or missing
 * write anywhere fails the case that caused it.
 *
 * If /dev/mymem is missing, the program loads mymem_core itself (through
 * mymem_load.h: from $MYMEM_KO_DIR, its own directory, the build tree, or
 * modprobe) and unloads it again at the end.  It reports through
 * kselftest.h (the kernel's, inside a kernel tree; mymem_ksft.h
 * otherwise): exit 0 when every case passed, 1 when one failed, 4 when
 * everything was skipped.
 *
 * Usage: mymem_dev [-d DEVICE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mymem.h>

#if __has_include("../kselftest.h")
#include "../kselftest.h"
#else
#include "mymem_ksft.h"
#endif
#include "mymem_load.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define CORE_NAME	"mymem_core"
#define NOBODY		65534

static const char *dev_path = "/dev/mymem";

static size_t size;		/* buffer size from MYMEM_IOC_GET_SIZE */
static unsigned char *model;	/* what the buffer must hold */
static unsigned char *scratch;	/* size bytes for whole-buffer reads */
static long page_size;
static int dev_fd = -1;		/* the main descriptor, O_RDWR */

static int case_failed;
static int case_skipped;
static char skip_reason[256];

/* --- expectations ------------------------------------------------------ */

#define diag(fmt, ...)	ksft_print_msg(fmt "\n", ##__VA_ARGS__)

static void fail_at(int line, const char *fmt, ...)
{
	va_list ap;

	case_failed = 1;
	printf("# line %d: ", line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

#define FAIL(...)	fail_at(__LINE__, __VA_ARGS__)
#define EXPECT(cond)	do { if (!(cond)) FAIL("expected %s", #cond); } while (0)

static void skip_case(const char *reason)
{
	case_skipped = 1;
	snprintf(skip_reason, sizeof(skip_reason), "%s", reason);
}

/* A syscall's return value with the errno it left, captured at once. */
struct res {
	long long ret;
	int err;
};

static struct res mkres(long long ret)
{
	struct res r = { ret, ret < 0 ? errno : 0 };

	return r;
}

#define CALL(x)	mkres((long long)(x))

/*
 * want >= 0: the call must return exactly want.
 * want < 0:  the call must fail with errno -want.
 */
static int expect_res(struct res r, long long want, const char *what,
		      int line)
{
	if (want >= 0 && r.ret == want)
		return 1;
	if (want < 0 && r.ret == -1 && r.err == -want)
		return 1;
	if (want >= 0)
		fail_at(line, "%s = %lld (%s), expected %lld", what, r.ret,
			r.ret < 0 ? strerror(r.err) : "ok", want);
	else
		fail_at(line, "%s = %lld (%s), expected error %s", what,
			r.ret, r.ret < 0 ? strerror(r.err) : "no error",
			strerror((int)-want));
	return 0;
}

#define EXPECT_RES(call, want) \
	expect_res(CALL(call), (long long)(want), #call, __LINE__)

static long long pos_of(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

#define EXPECT_POS(fd, want) do {					\
	long long p_ = pos_of(fd), w_ = (long long)(want);		\
	if (p_ != w_)							\
		FAIL("position of fd is %lld, expected %lld", p_, w_);	\
} while (0)

/* --- buffer helpers ---------------------------------------------------- */

static int read_whole(int fd, unsigned char *dst)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = pread(fd, dst + done, size - done, (off_t)done);

		if (n <= 0) {
			diag("pread of the whole buffer at %zu: %zd (%s)",
			     done, n, n < 0 ? strerror(errno) : "EOF");
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Compare the device with the model; on a mismatch, report and resync. */
static void check_model(const char *when)
{
	size_t i, first, last, diffs = 0;

	if (read_whole(dev_fd, scratch)) {
		FAIL("%s: cannot read the buffer back", when);
		return;
	}
	if (!memcmp(scratch, model, size))
		return;
	first = size;
	last = 0;
	for (i = 0; i < size; i++) {
		if (scratch[i] != model[i]) {
			if (first == size)
				first = i;
			last = i;
			diffs++;
		}
	}
	FAIL("%s: buffer differs from the model in %zu bytes (%zu..%zu)",
	     when, diffs, first, last);
	diag("first difference: device 0x%02x, model 0x%02x", scratch[first],
	     model[first]);
	memcpy(model, scratch, size);
}

static void fill_pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 131 + seed * 29 + (i >> 8)) ^ seed);
}

static __u64 get_le64(const unsigned char *p)
{
	__u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void put_le64(unsigned char *p, __u64 v)
{
	int i;

	for (i = 0; i < 8; i++) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

/* Write through the device and the model; the write must not be short. */
static int model_pwrite(const void *src, size_t len, off_t pos)
{
	if (!expect_res(CALL(pwrite(dev_fd, src, len, pos)), (long long)len,
			"model_pwrite", __LINE__))
		return -1;
	memcpy(model + pos, src, len);
	return 0;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* --- cases ------------------------------------------------------------- */

static void t_get_size(void)
{
	__u64 v = 0;
	struct stat st;

	EXPECT_RES(ioctl(dev_fd, MYMEM_IOC_GET_SIZE, &v), 0);
	EXPECT(v == size);
	EXPECT_RES(ioctl(dev_fd, MYMEM_IOC_GET_SIZE, NULL), -EFAULT);
	EXPECT(fstat(dev_fd, &st) == 0 && S_ISCHR(st.st_mode));
	/* read() of the whole buffer and pread() agree, and EOF follows */
	EXPECT_RES(lseek(dev_fd, 0, SEEK_SET), 0);
	memset(scratch, 0, size);
	{
		size_t done = 0;
		ssize_t n = 1;

		while (done < size && n > 0) {
			n = read(dev_fd, scratch + done, size - done);
			if (n > 0)
				done += (size_t)n;
		}
		if (done != size)
			FAIL("read() of the whole buffer stopped at %zu of %zu",
			     done, size);
	}
	EXPECT(!memcmp(scratch, model, size));
	EXPECT_POS(dev_fd, size);
	EXPECT_RES(read(dev_fd, scratch, 1), 0);
	EXPECT_POS(dev_fd, size);
}

static void t_seek_set(void)
{
	const long long good[] = { 0, 1, (long long)size - 1, (long long)size };
	const long long bad[] = { (long long)size + 1, -1, LLONG_MAX,
				  LLONG_MIN, LLONG_MIN + 1, (long long)size * 2 + 7 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (good[i] < 0)
			continue;
		EXPECT_RES(lseek(dev_fd, good[i], SEEK_SET), good[i]);
		EXPECT_POS(dev_fd, good[i]);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		long long start = (long long)(i % 2 ? size / 2 : 0);

		EXPECT_RES(lseek(dev_fd, start, SEEK_SET), start);
		if (!EXPECT_RES(lseek(dev_fd, bad[i], SEEK_SET), -EINVAL))
			diag("... for SEEK_SET offset %lld", bad[i]);
		EXPECT_POS(dev_fd, start);
	}
}

static void t_seek_cur(void)
{
	long long s = (long long)size;

	EXPECT_RES(lseek(dev_fd, 0, SEEK_SET), 0);
	EXPECT_RES(lseek(dev_fd, 1, SEEK_CUR), 1 <= s ? 1 : -EINVAL);
	EXPECT_RES(lseek(dev_fd, s / 2, SEEK_SET), s / 2);
	EXPECT_RES(lseek(dev_fd, s - s / 2, SEEK_CUR), s);
	EXPECT_RES(lseek(dev_fd, 0, SEEK_CUR), s);
	/* one past the end, from the end */
	EXPECT_RES(lseek(dev_fd, 1, SEEK_CUR), -EINVAL);
	EXPECT_POS(dev_fd, s);
	/* back to 0 exactly, then one before 0 */
	EXPECT_RES(lseek(dev_fd, -s, SEEK_CUR), 0);
	EXPECT_RES(lseek(dev_fd, -1, SEEK_CUR), -EINVAL);
	EXPECT_POS(dev_fd, 0);
	/* overflowing arithmetic must be -EINVAL, position unchanged */
	EXPECT_RES(lseek(dev_fd, s, SEEK_SET), s);
	EXPECT_RES(lseek(dev_fd, LLONG_MAX, SEEK_CUR), -EINVAL);
	EXPECT_POS(dev_fd, s);
	EXPECT_RES(lseek(dev_fd, LLONG_MAX - s + 1, SEEK_CUR), -EINVAL);
	EXPECT_POS(dev_fd, s);
	EXPECT_RES(lseek(dev_fd, LLONG_MIN, SEEK_CUR), -EINVAL);
	EXPECT_POS(dev_fd, s);
	EXPECT_RES(lseek(dev_fd, 0, SEEK_SET), 0);
	EXPECT_RES(lseek(dev_fd, LLONG_MIN, SEEK_CUR), -EINVAL);
	EXPECT_RES(lseek(dev_fd, LLONG_MAX, SEEK_CUR), -EINVAL);
	EXPECT_POS(dev_fd, 0);
	if (s >= 2) {
		EXPECT_RES(lseek(dev_fd, 1, SEEK_SET), 1);
		EXPECT_RES(lseek(dev_fd, -1, SEEK_CUR), 0);
		EXPECT_RES(lseek(dev_fd, s - 1, SEEK_CUR), s - 1);
		EXPECT_RES(lseek(dev_fd, 2, SEEK_CUR), -EINVAL);
		EXPECT_POS(dev_fd, s - 1);
	}
}

static void t_seek_end(void)
{
	long long s = (long long)size;

	EXPECT_RES(lseek(dev_fd, 0, SEEK_END), s);
	EXPECT_RES(lseek(dev_fd, -1, SEEK_END), s - 1);
	EXPECT_RES(lseek(dev_fd, -s, SEEK_END), 0);
	EXPECT_RES(lseek(dev_fd, s / 2, SEEK_SET), s / 2);
	EXPECT_RES(lseek(dev_fd, 1, SEEK_END), -EINVAL);
	EXPECT_POS(dev_fd, s / 2);
	EXPECT_RES(lseek(dev_fd, -s - 1, SEEK_END), -EINVAL);
	EXPECT_POS(dev_fd, s / 2);
	EXPECT_RES(lseek(dev_fd, LLONG_MAX, SEEK_END), -EINVAL);
	EXPECT_POS(dev_fd, s / 2);
	EXPECT_RES(lseek(dev_fd, LLONG_MIN, SEEK_END), -EINVAL);
	EXPECT_POS(dev_fd, s / 2);
	EXPECT_RES(lseek(dev_fd, LLONG_MAX - s + 1, SEEK_END), -EINVAL);
	EXPECT_POS(dev_fd, s / 2);
}

static void t_seek_whence(void)
{
	const int bad[] = { 3 /* SEEK_DATA */, 4 /* SEEK_HOLE */, 5, 42, -1 };
	unsigned int i;

	EXPECT_RES(lseek(dev_fd, (off_t)(size / 3), SEEK_SET), (long long)(size / 3));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (!EXPECT_RES(lseek(dev_fd, 0, bad[i]), -EINVAL))
			diag("... for whence %d", bad[i]);
		EXPECT_POS(dev_fd, size / 3);
	}
}

/*
 * The file position at the end of the buffer: a read there returns 0 and a
 * write -ENOSPC, and neither moves it; a transfer across the end moves it
 * to the end; a zero-length call moves it nowhere.  Where the end is and
 * what each call returns are the API's rules (mymem_kunit.c).
 */
static void t_position_at_end(void)
{
	unsigned char buf[64];
	long long s = (long long)size;

	fill_pattern(buf, sizeof(buf), 2);
	EXPECT_RES(lseek(dev_fd, s - 1, SEEK_SET), s - 1);
	if (EXPECT_RES(write(dev_fd, buf, sizeof(buf)), 1))
		model[size - 1] = buf[0];
	EXPECT_POS(dev_fd, s);
	EXPECT_RES(write(dev_fd, buf, sizeof(buf)), -ENOSPC);
	EXPECT_POS(dev_fd, s);
	memset(buf, 0xa5, sizeof(buf));
	EXPECT_RES(lseek(dev_fd, s - 1, SEEK_SET), s - 1);
	EXPECT_RES(read(dev_fd, buf, sizeof(buf)), 1);
	EXPECT(buf[0] == model[size - 1] && buf[1] == 0xa5);
	EXPECT_POS(dev_fd, s);
	EXPECT_RES(read(dev_fd, buf, sizeof(buf)), 0);
	EXPECT_POS(dev_fd, s);
	/* zero-length calls, in the middle and at the end */
	EXPECT_RES(lseek(dev_fd, s / 2, SEEK_SET), s / 2);
	EXPECT_RES(read(dev_fd, buf, 0), 0);
	EXPECT_RES(write(dev_fd, buf, 0), 0);
	EXPECT_POS(dev_fd, s / 2);
	EXPECT_RES(lseek(dev_fd, 0, SEEK_END), s);
	EXPECT_RES(write(dev_fd, buf, 0), 0);
	EXPECT_POS(dev_fd, s);
}

/*
 * An appending write writes at the end of the file, and nothing fits at
 * the end of a fixed-size buffer: O_APPEND (at open or through fcntl) and
 * RWF_APPEND make every write -ENOSPC, whatever the file position or the
 * pwrite() offset, and change neither the buffer nor the position.  Reads
 * are not affected.
 */
static void t_append(void)
{
	unsigned char buf[16];
	struct iovec iov = { buf, sizeof(buf) };
	size_t n = min_sz(sizeof(buf), size);
	int fd = open(dev_path, O_RDWR | O_APPEND);

	if (fd < 0) {
		FAIL("open O_APPEND: %s", strerror(errno));
		return;
	}
	fill_pattern(buf, sizeof(buf), 7);
	EXPECT_RES(write(fd, buf, n), -ENOSPC);
	EXPECT_POS(fd, 0);
	EXPECT_RES(pwrite(fd, buf, n, 0), -ENOSPC);
	EXPECT_RES(writev(fd, &iov, 1), -ENOSPC);
	EXPECT_RES(write(fd, buf, 0), 0);
	EXPECT_POS(fd, 0);
	EXPECT_RES(read(fd, scratch, n), (long long)n);
	EXPECT(!memcmp(scratch, model, n));
	EXPECT_POS(fd, n);
	close(fd);

	/* RWF_APPEND on a plain descriptor, and O_APPEND set by fcntl() */
	EXPECT_RES(lseek(dev_fd, 0, SEEK_SET), 0);
	EXPECT_RES(pwritev2(dev_fd, &iov, 1, 0, RWF_APPEND), -ENOSPC);
	EXPECT_RES(pwritev2(dev_fd, &iov, 1, -1, RWF_APPEND), -ENOSPC);
	EXPECT_RES(fcntl(dev_fd, F_SETFL, O_APPEND), 0);
	EXPECT_RES(write(dev_fd, buf, n), -ENOSPC);
	EXPECT_RES(fcntl(dev_fd, F_SETFL, 0), 0);
	EXPECT_POS(dev_fd, 0);
	/* and without it, the same write lands at the position */
	if (EXPECT_RES(write(dev_fd, buf, n), (long long)n))
		memcpy(model, buf, n);
}

static void t_sequential(void)
{
	unsigned char w[300], r[300];
	size_t chunk = min_sz(100, size / 3);
	size_t i;

	if (!chunk) {
		skip_case("buffer smaller than 3 bytes");
		return;
	}
	fill_pattern(w, sizeof(w), 4);
	EXPECT_RES(lseek(dev_fd, 0, SEEK_SET), 0);
	for (i = 0; i < 3; i++) {
		if (EXPECT_RES(write(dev_fd, w + i * chunk, chunk), (long long)chunk))
			memcpy(model + i * chunk, w + i * chunk, chunk);
		EXPECT_POS(dev_fd, (i + 1) * chunk);
	}
	EXPECT_RES(lseek(dev_fd, 0, SEEK_SET), 0);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 3; i++) {
		EXPECT_RES(read(dev_fd, r + i * chunk, chunk), (long long)chunk);
		EXPECT_POS(dev_fd, (i + 1) * chunk);
	}
	EXPECT(!memcmp(r, w, 3 * chunk));
	/* pread/pwrite do not move the file position */
	EXPECT_RES(lseek(dev_fd, 1, SEEK_SET), 1);
	EXPECT_RES(pread(dev_fd, r, chunk, 0), (long long)chunk);
	EXPECT_POS(dev_fd, 1);
	fill_pattern(w, sizeof(w), 5);
	if (EXPECT_RES(pwrite(dev_fd, w, chunk, (off_t)chunk), (long long)chunk))
		memcpy(model + chunk, w, chunk);
	EXPECT_POS(dev_fd, 1);
}

static void t_whole_buffer(void)
{
	unsigned char *w = malloc(size);

	if (!w) {
		FAIL("out of memory");
		return;
	}
	fill_pattern(w, size, 6);
	EXPECT_RES(lseek(dev_fd, 0, SEEK_SET), 0);
	if (EXPECT_RES(write(dev_fd, w, size), (long long)size))
		memcpy(model, w, size);
	EXPECT_POS(dev_fd, size);
	/* writing more than the buffer from 0 is short */
	fill_pattern(w, size, 7);
	if (size > 1) {
		EXPECT_RES(lseek(dev_fd, 1, SEEK_SET), 1);
		if (EXPECT_RES(write(dev_fd, w, size), (long long)size - 1))
			memcpy(model + 1, w, size - 1);
	}
	free(w);
}

static struct res add_u64(int fd, long long off, __u64 delta,
			  __u64 *result)
{
	struct mymem_add a = { .offset = off, .delta = delta, .result = 0 };
	struct res r = CALL(ioctl(fd, MYMEM_IOC_ADD_U64, &a));

	if (result)
		*result = a.result;
	return r;
}

/* ADD_U64 that must succeed; checks the result field and updates the model */
static void add_ok(long long off, __u64 delta, int line)
{
	__u64 want = get_le64(model + off) + delta;
	__u64 got = 0;
	struct res r = add_u64(dev_fd, off, delta, &got);

	if (!expect_res(r, 0, "ioctl(ADD_U64)", line)) {
		diag("... offset %lld delta %llu", off, (unsigned long long)delta);
		return;
	}
	put_le64(model + off, want);
	if (got != want)
		fail_at(line, "ADD_U64 at %lld: result %#llx, expected %#llx",
			off, (unsigned long long)got, (unsigned long long)want);
}

static void add_bad(long long off, int line)
{
	__u64 got;

	if (!expect_res(add_u64(dev_fd, off, 1, &got), -EINVAL,
			"ioctl(ADD_U64)", line))
		diag("... offset %lld", off);
}

/*
 * MYMEM_IOC_ADD_U64 through the device: the argument is read from user
 * space, the sum comes back in its result field and lands in the buffer as
 * a little-endian u64, and an error of the core comes back as it is.  The
 * add's own rules (bounds, alignment, wrap-around) are mymem_kunit.c's.
 */
static void t_ioctl_add(void)
{
	unsigned char le[8];

	add_bad(-1, __LINE__);
	add_bad((long long)size, __LINE__);
	if (size < 8) {
		skip_case("buffer smaller than 8 bytes");
		return;
	}
	add_ok(0, 1, __LINE__);
	memset(le, 0, sizeof(le));
	if (!model_pwrite(le, 8, 0)) {
		add_ok(0, 0x100, __LINE__);
		EXPECT(pread(dev_fd, le, 8, 0) == 8 && le[0] == 0 &&
		       le[1] == 1 && le[2] == 0);
	}
}

static void t_ioctl_unknown(void)
{
	unsigned long bad[] = {
		_IO(MYMEM_IOC_MAGIC, 0),
		_IOWR(MYMEM_IOC_MAGIC, 3, struct mymem_add),
		_IOWR(MYMEM_IOC_MAGIC, 0xff, struct mymem_add),
		_IOR(MYMEM_IOC_MAGIC, 1, struct mymem_add),	/* nr of ADD, wrong dir */
		_IOWR(MYMEM_IOC_MAGIC, 1, __u64),		/* nr of ADD, wrong size */
		_IOW(MYMEM_IOC_MAGIC, 2, __u64),		/* nr of GET_SIZE, wrong dir */
		_IOWR('x', 1, struct mymem_add),		/* another magic */
		0x12345678,
	};
	struct mymem_add a = { 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		a.offset = 0;
		a.delta = 1;
		if (!EXPECT_RES(ioctl(dev_fd, bad[i], &a), -ENOTTY))
			diag("... for cmd %#lx", bad[i]);
	}
}

static void *map_pages(int n, int prot)
{
	void *p = mmap(NULL, (size_t)page_size * n, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void t_efault(void)
{
	unsigned char *ro, *hole;
	size_t n = min_sz(64, size);
	struct mymem_add *a;
	__u64 v;

	ro = map_pages(1, PROT_READ | PROT_WRITE);
	hole = map_pages(1, PROT_READ | PROT_WRITE);
	if (!ro || !hole) {
		FAIL("mmap: %s", strerror(errno));
		return;
	}
	memset(ro, 0x5a, (size_t)page_size);
	/* a valid mymem_add in the read-only page: only the result is bad */
	a = (struct mymem_add *)ro;
	a->offset = 0;
	a->delta = 1;
	a->result = 0;
	EXPECT(mprotect(ro, (size_t)page_size, PROT_READ) == 0);
	EXPECT(munmap(hole, (size_t)page_size) == 0);

	EXPECT_RES(lseek(dev_fd, 0, SEEK_SET), 0);
	/* read(2) into NULL, an unmapped page, a read-only page */
	EXPECT_RES(read(dev_fd, NULL, n), -EFAULT);
	EXPECT_POS(dev_fd, 0);
	EXPECT_RES(read(dev_fd, hole, n), -EFAULT);
	EXPECT_POS(dev_fd, 0);
	EXPECT_RES(read(dev_fd, ro + 128, n), -EFAULT);
	EXPECT_POS(dev_fd, 0);
	EXPECT_RES(pread(dev_fd, hole, n, 0), -EFAULT);
	EXPECT(ro[128] == 0x5a && ro[page_size - 1] == 0x5a);
	/* write(2) from NULL and an unmapped page: nothing written */
	EXPECT_RES(write(dev_fd, NULL, n), -EFAULT);
	EXPECT_POS(dev_fd, 0);
	EXPECT_RES(write(dev_fd, hole, n), -EFAULT);
	EXPECT_POS(dev_fd, 0);
	EXPECT_RES(pwrite(dev_fd, hole, n, 0), -EFAULT);
	/* ioctl arguments */
	EXPECT_RES(ioctl(dev_fd, MYMEM_IOC_ADD_U64, NULL), -EFAULT);
	EXPECT_RES(ioctl(dev_fd, MYMEM_IOC_ADD_U64, hole), -EFAULT);
	EXPECT_RES(ioctl(dev_fd, MYMEM_IOC_GET_SIZE, hole), -EFAULT);
	EXPECT_RES(ioctl(dev_fd, MYMEM_IOC_GET_SIZE, ro), -EFAULT);
	v = get_le64(ro);
	EXPECT(v == 0);		/* GET_SIZE wrote nothing: offset is still 0 */
	if (size >= 8) {
		/*
		 * The argument is readable but the result cannot be stored:
		 * -EFAULT, and the add must not have happened either.
		 */
		if (!EXPECT_RES(ioctl(dev_fd, MYMEM_IOC_ADD_U64, ro), -EFAULT))
			diag("ADD_U64 with a read-only argument: -EFAULT and no add expected");
	}
	munmap(ro, (size_t)page_size);
}

/* A user buffer whose tail lies in an unmapped page: short transfers. */
static void t_efault_partial(void)
{
	unsigned char *area, *p, *ro;
	size_t valid = 100, len = 200;
	long long s = (long long)size;
	long long pos = s > 1000 ? 500 : 0;

	if (s < (long long)len + pos) {
		skip_case("buffer smaller than 200 bytes");
		return;
	}
	area = map_pages(2, PROT_READ | PROT_WRITE);
	if (!area) {
		FAIL("mmap: %s", strerror(errno));
		return;
	}
	EXPECT(munmap(area + page_size, (size_t)page_size) == 0);
	p = area + page_size - valid;

	/* read into [valid page | hole]: the valid prefix is transferred */
	memset(area, 0xee, (size_t)page_size);
	EXPECT_RES(lseek(dev_fd, pos, SEEK_SET), pos);
	if (EXPECT_RES(read(dev_fd, p, len), (long long)valid)) {
		EXPECT(!memcmp(p, model + pos, valid));
		EXPECT_POS(dev_fd, pos + (long long)valid);
	}
	EXPECT(area[page_size - valid - 1] == 0xee);

	/* write from [valid page | hole]: only the valid prefix lands */
	fill_pattern(p, valid, 8);
	EXPECT_RES(lseek(dev_fd, pos, SEEK_SET), pos);
	if (EXPECT_RES(write(dev_fd, p, len), (long long)valid)) {
		memcpy(model + pos, p, valid);
		EXPECT_POS(dev_fd, pos + (long long)valid);
	} else {
		EXPECT_POS(dev_fd, pos);
	}
	fill_pattern(p, valid, 9);
	if (EXPECT_RES(pwrite(dev_fd, p, len, pos), (long long)valid))
		memcpy(model + pos, p, valid);
	munmap(area, (size_t)page_size);

	/* read into [writable page | read-only page] */
	area = map_pages(2, PROT_READ | PROT_WRITE);
	if (!area) {
		FAIL("mmap: %s", strerror(errno));
		return;
	}
	ro = area + page_size;
	memset(ro, 0x77, (size_t)page_size);
	EXPECT(mprotect(ro, (size_t)page_size, PROT_READ) == 0);
	p = ro - valid;
	if (EXPECT_RES(pread(dev_fd, p, len, pos), (long long)valid))
		EXPECT(!memcmp(p, model + pos, valid));
	EXPECT(ro[0] == 0x77 && ro[len] == 0x77);
	munmap(area, 2 * (size_t)page_size);
}

static void t_several_opens(void)
{
	int a = open(dev_path, O_RDWR), b = open(dev_path, O_RDWR);
	int r = open(dev_path, O_RDONLY), w = open(dev_path, O_WRONLY);
	unsigned char buf[32], x[8];
	long long s = (long long)size;

	if (a < 0 || b < 0 || r < 0 || w < 0) {
		FAIL("open: %s", strerror(errno));
		goto out;
	}
	/* each starts at 0 and has its own position */
	EXPECT_POS(a, 0);
	EXPECT_POS(b, 0);
	EXPECT_RES(lseek(a, s / 2, SEEK_SET), s / 2);
	EXPECT_POS(b, 0);
	EXPECT_RES(lseek(b, s, SEEK_SET), s);
	EXPECT_POS(a, s / 2);
	if (s >= 8) {
		EXPECT_RES(lseek(a, 0, SEEK_SET), 0);
		EXPECT_RES(lseek(b, 4, SEEK_SET), 4);
		EXPECT_RES(read(a, buf, 8), 8);
		EXPECT_POS(a, 8);
		EXPECT_POS(b, 4);
		EXPECT(!memcmp(buf, model, 8));
		/* a write on one descriptor is seen through another */
		fill_pattern(x, sizeof(x), 10);
		if (EXPECT_RES(write(b, x, 4), 4))
			memcpy(model + 4, x, 4);
		EXPECT_POS(b, 8);
		EXPECT_POS(a, 8);
		EXPECT_RES(pread(a, buf, 8, 0), 8);
		EXPECT(!memcmp(buf, model, 8));
	}
	/* access modes are enforced */
	EXPECT_RES(write(r, buf, 1), -EBADF);
	EXPECT_RES(read(w, buf, 1), -EBADF);
	EXPECT_RES(read(r, buf, 1), 1);
	EXPECT_POS(r, 1);
	EXPECT_POS(w, 0);
	/* the add reads and writes: neither mode alone will do */
	expect_res(add_u64(r, 0, 1, NULL), -EBADF, "ADD_U64 on an O_RDONLY fd",
		   __LINE__);
	expect_res(add_u64(w, 0, 0, NULL), -EBADF, "ADD_U64 on an O_WRONLY fd",
		   __LINE__);
	EXPECT_RES(ioctl(w, MYMEM_IOC_GET_SIZE, x), 0);
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (r >= 0)
		close(r);
	if (w >= 0)
		close(w);
}

/* --- threads ----------------------------------------------------------- */

static void set_stop(int *stop)
{
	__atomic_store_n(stop, 1, __ATOMIC_RELEASE);
}

static int stopped(int *stop)
{
	return __atomic_load_n(stop, __ATOMIC_ACQUIRE);
}

#define REC		64		/* a record of one 8-byte value x 8 */
#define REC_WORDS	(REC / 8)

struct shared_ctx {
	int fd;
	unsigned int id;
	unsigned int n;
	long long limit;		/* bytes of records in the region */
	int *stop;
	unsigned long errors;
	unsigned long torn;
	__u64 first_bad;
};

/* A record holds one 64-bit value eight times; anything else is torn. */
static int rec_uniform(const unsigned char *r, __u64 *val)
{
	__u64 v = get_le64(r);
	int i;

	for (i = 1; i < REC_WORDS; i++)
		if (get_le64(r + 8 * i) != v)
			return 0;
	*val = v;
	return 1;
}

static void *shared_writer(void *arg)
{
	struct shared_ctx *c = arg;
	unsigned char rec[REC];
	unsigned int i;
	int k;

	for (i = 0; i < c->n; i++) {
		__u64 v = ((__u64)(c->id + 1) << 32) | (i + 1);
		ssize_t n;

		for (k = 0; k < REC_WORDS; k++)
			put_le64(rec + 8 * k, v);
		n = write(c->fd, rec, REC);
		if (n != REC)
			c->errors++;
	}
	return NULL;
}

static void *shared_reader(void *arg)
{
	struct shared_ctx *c = arg;
	unsigned char rec[REC];
	unsigned long i = 0;
	__u64 v;

	while (!stopped(c->stop)) {
		off_t off = (off_t)((i++ * 7919) % (unsigned long)(c->limit / REC)) * REC;

		if (pread(c->fd, rec, REC, off) != REC) {
			c->errors++;
			continue;
		}
		if (!rec_uniform(rec, &v)) {
			if (!c->torn)
				c->first_bad = (__u64)off;
			c->torn++;
		}
	}
	return NULL;
}

/* One round of t_shared_fd_threads(); returns -1 after a failure. */
static int shared_round(unsigned int round)
{
	enum { T = 8, R = 2 };
	struct shared_ctx wc[T], rc[R];
	pthread_t wt[T], rt[R];
	int stop = 0;
	unsigned int per = 1000, i;
	long long limit, pos, off;
	unsigned long errors = 0, torn = 0, missing = 0, twice = 0;
	unsigned char *seen;
	__u64 v;

	while ((long long)T * per * REC > (long long)size)
		per /= 2;
	limit = (long long)T * per * REC;
	/* the region starts as uniform records (zeros) */
	memset(scratch, 0, (size_t)limit);
	if (model_pwrite(scratch, (size_t)limit, 0))
		return -1;
	EXPECT_RES(lseek(dev_fd, 0, SEEK_SET), 0);
	for (i = 0; i < T; i++)
		wc[i] = (struct shared_ctx){ .fd = dev_fd, .id = i, .n = per,
					     .limit = limit, .stop = &stop };
	for (i = 0; i < R; i++) {
		rc[i] = wc[i];
		pthread_create(&rt[i], NULL, shared_reader, &rc[i]);
	}
	for (i = 0; i < T; i++)
		pthread_create(&wt[i], NULL, shared_writer, &wc[i]);
	for (i = 0; i < T; i++) {
		pthread_join(wt[i], NULL);
		errors += wc[i].errors;
	}
	set_stop(&stop);
	for (i = 0; i < R; i++) {
		pthread_join(rt[i], NULL);
		errors += rc[i].errors;
		if (rc[i].torn && !torn)
			diag("torn record read at offset %llu",
			     (unsigned long long)rc[i].first_bad);
		torn += rc[i].torn;
	}
	if (errors)
		FAIL("round %u: %lu calls through the shared fd failed or were short",
		     round, errors);
	if (torn)
		FAIL("round %u: %lu torn records read", round, torn);
	pos = pos_of(dev_fd);
	if (pos != limit)
		FAIL("round %u: position %lld after %u x %u writes of %d bytes, not %lld",
		     round, pos, T, per, REC, limit);
	if (pread(dev_fd, scratch, (size_t)limit, 0) != limit) {
		FAIL("pread of the region");
		return -1;
	}
	/* the content is the writers' to choose: take it into the model */
	memcpy(model, scratch, (size_t)limit);
	seen = calloc((size_t)T * per, 1);
	if (!seen) {
		FAIL("out of memory");
		return -1;
	}
	for (off = 0; off < limit; off += REC) {
		if (!rec_uniform(scratch + off, &v)) {
			FAIL("round %u: record at %lld is torn", round, off);
			break;
		}
		if (!v) {
			missing++;
			continue;
		}
		if ((v >> 32) < 1 || (v >> 32) > T || !(__u32)v ||
		    (__u32)v > per) {
			FAIL("round %u: record at %lld has a foreign value %#llx",
			     round, off, (unsigned long long)v);
			break;
		}
		if (seen[((v >> 32) - 1) * per + (__u32)v - 1]++)
			twice++;
	}
	free(seen);
	if (missing || twice)
		FAIL("round %u: %lu records lost, %lu written twice: non-atomic positions",
		     round, missing, twice);
	if (case_failed)
		return -1;
	return 0;
}

/*
 * Eight writers write() 64-byte records through one shared descriptor
 * while two readers pread() records through it.  Every record read or
 * left behind must be one writer's whole record.  /dev/mymem updates the
 * file position atomically (FMODE_ATOMIC_POS, as POSIX wants for threads
 * sharing an open file description), so no write may land on another:
 * the final position is exactly the bytes written and every record of
 * every writer is found exactly once.  Races are rare under emulation,
 * hence the rounds.
 */
static void t_shared_fd_threads(void)
{
	unsigned int round;

	if (size < 8 * REC * 4) {
		skip_case("buffer smaller than 2 KiB");
		return;
	}
	for (round = 0; round < 10; round++)
		if (shared_round(round))
			return;
}

struct torn_ctx {
	off_t off;
	size_t len;
	unsigned int segs;	/* iovec segments per call; 0: pread/pwrite */
	unsigned int id;
	unsigned long iters;
	int *stop;
	unsigned long reads;
	unsigned long bad;
	unsigned long errors;
};

/* One pread/pwrite, or a preadv/pwritev of c->segs equal segments. */
static ssize_t torn_xfer(struct torn_ctx *c, unsigned char *buf,
			 struct iovec *iov, int write)
{
	size_t seg = c->segs ? c->len / c->segs : 0;
	unsigned int i;

	if (!c->segs)
		return write ? pwrite(dev_fd, buf, c->len, c->off) :
			       pread(dev_fd, buf, c->len, c->off);
	for (i = 0; i < c->segs; i++)
		iov[i] = (struct iovec){ buf + i * seg, seg };
	return write ? pwritev(dev_fd, iov, c->segs, c->off) :
		       preadv(dev_fd, iov, c->segs, c->off);
}

static void *torn_writer(void *arg)
{
	struct torn_ctx *c = arg;
	unsigned char *buf = malloc(c->len);
	struct iovec *iov = calloc(c->segs + 1, sizeof(*iov));
	unsigned long i;

	for (i = 0; buf && iov && i < c->iters; i++) {
		memset(buf, (int)(c->id * 64 + i % 64), c->len);
		if (torn_xfer(c, buf, iov, 1) != (ssize_t)c->len)
			c->errors++;
	}
	if (!buf || !iov)
		c->errors++;
	free(iov);
	free(buf);
	return NULL;
}

static void *torn_reader(void *arg)
{
	struct torn_ctx *c = arg;
	unsigned char *buf = malloc(c->len);
	struct iovec *iov = calloc(c->segs + 1, sizeof(*iov));
	size_t k;

	if (!buf || !iov) {
		c->errors++;
		set_stop(c->stop);
	}
	while (!stopped(c->stop)) {
		if (torn_xfer(c, buf, iov, 0) != (ssize_t)c->len) {
			c->errors++;
			continue;
		}
		c->reads++;
		for (k = 1; k < c->len; k++) {
			if (buf[k] != buf[0]) {
				c->bad++;
				break;
			}
		}
	}
	free(iov);
	free(buf);
	return NULL;
}

/*
 * Two writers rewrite a block whole while two readers read it whole, with
 * @segs iovec segments per call (0: pread/pwrite): every read must be one
 * write's bytes, and the block must end as one write left it.
 */
static void torn_block(size_t len, unsigned int segs, unsigned long iters)
{
	enum { W = 2, R = 2 };
	struct torn_ctx wc[W], rc[R];
	pthread_t wt[W], rt[R];
	int stop = 0;
	unsigned long bad = 0, errors = 0, reads = 0;
	unsigned int i;

	memset(scratch, 0, len);
	if (model_pwrite(scratch, len, 0))
		return;
	for (i = 0; i < R; i++) {
		rc[i] = (struct torn_ctx){ .off = 0, .len = len, .segs = segs,
					   .id = i, .stop = &stop };
		pthread_create(&rt[i], NULL, torn_reader, &rc[i]);
	}
	for (i = 0; i < W; i++) {
		wc[i] = (struct torn_ctx){ .off = 0, .len = len, .segs = segs,
					   .id = i + 1, .iters = iters,
					   .stop = &stop };
		pthread_create(&wt[i], NULL, torn_writer, &wc[i]);
	}
	for (i = 0; i < W; i++) {
		pthread_join(wt[i], NULL);
		errors += wc[i].errors;
	}
	set_stop(&stop);
	for (i = 0; i < R; i++) {
		pthread_join(rt[i], NULL);
		errors += rc[i].errors;
		bad += rc[i].bad;
		reads += rc[i].reads;
	}
	diag("%zu-byte block, %u segments: %lu writes, %lu reads checked",
	     len, segs, W * iters, reads);
	if (errors)
		FAIL("%lu short or failed calls", errors);
	if (bad)
		FAIL("%lu torn reads of a %zu-byte block in %u segments", bad,
		     len, segs);
	if (pread(dev_fd, scratch, len, 0) != (ssize_t)len) {
		FAIL("pread of the block");
		return;
	}
	for (i = 1; i < len; i++) {
		if (scratch[i] != scratch[0]) {
			FAIL("block left torn at byte %u", i);
			break;
		}
	}
	memcpy(model, scratch, len);
}

/*
 * The same with readv/writev: 1, 16 and IOV_MAX segments, and single
 * 512 KiB transfers.  A vectored call is one atomic transfer however many
 * segments it has, and the lockless reader's copy must stay a marked race
 * for KCSAN over the whole iovec walk, not only its first accesses.
 */
static void t_vectored_no_torn_reads(void)
{
	static const struct { size_t len; unsigned int segs; } runs[] = {
		{ 4096, 1 }, { 16 * 256, 16 }, { IOV_MAX * 64, IOV_MAX },
		{ 512 * 1024, 1 },
	};
	unsigned int i;

	if (size < 4096) {
		skip_case("buffer smaller than 4 KiB");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(runs) && !case_failed; i++) {
		size_t len = min_sz(runs[i].len, size);

		len -= len % runs[i].segs;
		torn_block(len, runs[i].segs,
			   len > 65536 ? 100 : 1000);
	}
}

/* The core's mode parameter (decimal in sysfs), or -1 if unknown. */
static long core_mode_param(void)
{
	FILE *f = fopen("/sys/module/" CORE_NAME "/parameters/mode", "r");
	long mode = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%li", &mode) != 1)
		mode = -1;
	fclose(f);
	return mode;
}

/*
 * Run @fn in a child as uid and gid nobody.  @fn returns 0, or a code in
 * 11..15 that @why explains; anything else, or no child, fails the case.
 */
static void as_nobody(int (*fn)(void), const char *const why[16])
{
	int status, code;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY) || geteuid() != NOBODY)
			_exit(10);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		FAIL("fork or waitpid: %s", strerror(errno));
		return;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return;
	code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	FAIL("child as uid %d: %s (status %#x)", NOBODY,
	     code == 10 ? "could not drop privileges" :
	     code > 10 && code < 16 && why[code] ? why[code] : "died", status);
}

static int nobody_cannot_open(void)
{
	if (open(dev_path, O_RDWR) >= 0)
		return 12;
	if (errno != EACCES)
		return 13;
	if (open(dev_path, O_RDONLY) >= 0)
		return 14;
	return errno != EACCES ? 15 : 0;
}

/* The default mode 0600 keeps everyone but root out. */
static void t_nonroot_denied(void)
{
	static const char * const why[16] = {
		[12] = "open O_RDWR succeeded as uid 65534",
		[13] = "open O_RDWR failed, but not with EACCES",
		[14] = "open O_RDONLY succeeded as uid 65534",
		[15] = "open O_RDONLY failed, but not with EACCES",
	};
	long mode = core_mode_param();
	struct stat st;

	if (stat(dev_path, &st)) {
		FAIL("stat %s: %s", dev_path, strerror(errno));
		return;
	}
	diag("%s: mode %04o uid %u gid %u", dev_path,
	     (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid,
	     (unsigned int)st.st_gid);
	if (mode >= 0 && mode != 0600) {
		diag("mymem_core mode parameter: %04lo", mode);
		skip_case("mymem_core was loaded with a mode other than 0600");
		return;
	}
	EXPECT((st.st_mode & 0777) == 0600);
	EXPECT(st.st_uid == 0);
	as_nobody(nobody_cannot_open, why);
}

static int nobody_adds_write_only(void)
{
	struct mymem_add a = { .offset = 0, .delta = 0, .result = 0 };
	int fd;

	if (open(dev_path, O_RDONLY) >= 0 || errno != EACCES)
		return 11;
	fd = open(dev_path, O_WRONLY);
	if (fd < 0)
		return 12;
	if (read(fd, &a, 1) != -1 || errno != EBADF)
		return 13;
	if (ioctl(fd, MYMEM_IOC_ADD_U64, &a) != -1 || errno != EBADF)
		return 14;
	return a.result ? 15 : 0;
}

/*
 * A caller who may open the device only for writing cannot read it through
 * the add either: with mode 0622, uid nobody's ADD_U64 of 0 on an O_WRONLY
 * descriptor is -EBADF and returns nothing of what root wrote.
 */
static void t_writeonly_add(void)
{
	static const char * const why[16] = {
		[11] = "open O_RDONLY did not fail with EACCES",
		[12] = "open O_WRONLY failed",
		[13] = "read on O_WRONLY was not EBADF",
		[14] = "ADD_U64 on O_WRONLY was not EBADF",
		[15] = "ADD_U64 returned the buffer's bytes",
	};
	static const char secret[8] = "SECRET!!";
	struct stat st;

	if (size < sizeof(secret)) {
		skip_case("needs an 8-byte buffer");
		return;
	}
	if (stat(dev_path, &st)) {
		FAIL("stat %s: %s", dev_path, strerror(errno));
		return;
	}
	if (EXPECT_RES(pwrite(dev_fd, secret, 8, 0), 8))
		memcpy(model, secret, 8);
	if (chmod(dev_path, 0622)) {
		FAIL("chmod 0622 %s: %s", dev_path, strerror(errno));
		return;
	}
	as_nobody(nobody_adds_write_only, why);
	if (chmod(dev_path, st.st_mode & 07777))
		FAIL("chmod back %s: %s", dev_path, strerror(errno));
}

/*
 * Memory the kernel cannot hold by reference (VM_PFNMAP, as the vDSO's
 * [vvar] page is) but can read is a source like any other: a 64-byte
 * write (copied in first) and a 65-byte one (whose source is otherwise
 * held) give the same result.
 */
static void t_unholdable_source(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo = 0;
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[vvar]") && sscanf(line, "%lx-", &lo) == 1)
			break;
	if (f)
		fclose(f);
	if (!lo || size < 65) {
		skip_case(lo ? "needs a 65-byte buffer" : "no [vvar] mapping");
		return;
	}
	EXPECT_RES(pwrite(dev_fd, (void *)lo, 64, 0), 64);
	EXPECT_RES(pwrite(dev_fd, (void *)lo, 65, 0), 65);
	/* the page changes with the clock: the model takes what was written */
	EXPECT_RES(pread(dev_fd, model, 65, 0), 65);
}

/*
 * RWF_NOWAIT neither waits for a fault nor takes one: memory that is not
 * there yet is -EAGAIN, and nothing changes; once there, the calls work.
 */
static void t_nowait(void)
{
	size_t len = size < 2 * (size_t)page_size ? size : 2 * (size_t)page_size;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec v = { .iov_base = p, .iov_len = len };

	if (p == MAP_FAILED) {
		FAIL("mmap: %s", strerror(errno));
		return;
	}
	EXPECT_RES(preadv2(dev_fd, &v, 1, 0, RWF_NOWAIT), -EAGAIN);
	EXPECT_RES(pwritev2(dev_fd, &v, 1, 0, RWF_NOWAIT), -EAGAIN);
	memset(p, 0x3c, len);
	if (EXPECT_RES(pwritev2(dev_fd, &v, 1, 0, RWF_NOWAIT), (long long)len))
		memcpy(model, p, len);
	memset(p, 0, len);
	if (EXPECT_RES(preadv2(dev_fd, &v, 1, 0, RWF_NOWAIT), (long long)len))
		EXPECT(!memcmp(p, model, len));
	munmap(p, len);
}

#define FAIL_USERCOPY	"/sys/kernel/debug/fail_usercopy/"

static int fu_set(const char *attr, const char *val)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), FAIL_USERCOPY "%s", attr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * A destination whose every copy fails after its page was faulted in
 * (fail_usercopy at probability 100 for one process; the KCSAN debug
 * kernel has CONFIG_FAULT_INJECTION_USERCOPY): the read must end, with
 * -EFAULT, within a hang bound.  The child prints nothing once armed: its
 * own copies fail too.  A read that never returns is left behind until
 * the injection is switched off at the end.
 */
static void t_read_faulting_forever(void)
{
	static const char *const arm[][2] = {
		{ "task-filter", "Y" }, { "verbose", "0" }, { "space", "0" },
		{ "times", "-1" }, { "interval", "1" }, { "probability", "100" },
	};
	size_t lens[] = { 1, 4096, 65536 }, len;
	int status, waited;
	unsigned int i;
	pid_t pid;

	if (access(FAIL_USERCOPY "probability", W_OK)) {
		skip_case("no fail_usercopy (CONFIG_FAULT_INJECTION_USERCOPY)");
		return;
	}
	/* the filter first: until it is set, every task's copies would fail */
	for (i = 0; i < ARRAY_SIZE(arm); i++)
		if (fu_set(arm[i][0], arm[i][1])) {
			FAIL("fail_usercopy/%s: %s", arm[i][0], strerror(errno));
			goto out;
		}
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		len = lens[i] < size ? lens[i] : size;
		pid = fork();
		if (pid == 0) {
			char *buf = calloc(1, len);
			int mif = open("/proc/thread-self/make-it-fail", O_WRONLY);

			if (!buf || mif < 0 || write(mif, "1", 1) != 1)
				_exit(2);
			_exit(pread(dev_fd, buf, len, 0) >= 0 ? 0 : errno);
		}
		if (pid < 0) {
			FAIL("fork: %s", strerror(errno));
			break;
		}
		/* a hang bound, not a timing: 1200 x 100 ms */
		for (waited = 0; waited < 1200; waited++) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			usleep(100000);
		}
		if (waited == 1200) {
			FAIL("a %zu-byte read, every copy failing, has not returned after 120 s",
			     len);
			break;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != EFAULT)
			FAIL("a %zu-byte read, every copy failing: status %#x, not exit %d (EFAULT)",
			     len, status, EFAULT);
		else
			diag("a %zu-byte read, every copy failing: EFAULT", len);
	}
out:
	fu_set("probability", "0");
}

/* --- main -------------------------------------------------------------------- */

struct test_case {
	const char *name;
	void (*fn)(void);
};

static const struct test_case cases[] = {
	{ "get_size_and_read_all", t_get_size },
	{ "seek_set_bounds", t_seek_set },
	{ "seek_cur_arithmetic", t_seek_cur },
	{ "seek_end_arithmetic", t_seek_end },
	{ "seek_bad_whence", t_seek_whence },
	{ "position_at_end", t_position_at_end },
	{ "append_is_enospc", t_append },
	{ "sequential_and_positional", t_sequential },
	{ "whole_buffer", t_whole_buffer },
	{ "ioctl_add_u64", t_ioctl_add },
	{ "ioctl_unknown_enotty", t_ioctl_unknown },
	{ "bad_user_pointers_efault", t_efault },
	{ "partly_valid_buffer_short", t_efault_partial },
	{ "several_opens", t_several_opens },
	{ "shared_fd_threads", t_shared_fd_threads },
	{ "vectored_no_torn_reads", t_vectored_no_torn_reads },
	{ "nonroot_denied", t_nonroot_denied },
	{ "writeonly_add_ebadf", t_writeonly_add },
	{ "unholdable_source_any_size", t_unholdable_source },
	{ "nowait_eagain", t_nowait },
	{ "read_faulting_forever", t_read_faulting_forever },
};

#define NCASES	ARRAY_SIZE(cases)

static void report(unsigned int i, int failed, int skipped, const char *why)
{
	if (failed)
		ksft_test_result_fail("%s\n", cases[i].name);
	else if (skipped)
		ksft_test_result_skip("%s: %s\n", cases[i].name, why);
	else
		ksft_test_result_pass("%s\n", cases[i].name);
}

static int all_cases(int failed, const char *why)
{
	unsigned int i;

	for (i = 0; i < NCASES; i++)
		report(i, failed, !failed, why);
	return mymem_ksft_finish();
}

static void cleanup(void)
{
	if (dev_fd >= 0)
		close(dev_fd);
	mymem_unload_all();
	free(model);
	free(scratch);
}

int main(int argc, char **argv)
{
	unsigned int i;
	__u64 sz = 0;
	int opt;

	while ((opt = getopt(argc, argv, "d:h")) != -1) {
		switch (opt) {
		case 'd':
			dev_path = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-d DEVICE]\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);

	ksft_print_header();
	ksft_set_plan(NCASES);
	if (geteuid() != 0)
		return all_cases(0, "must be run as root");
	if (access(dev_path, F_OK))
		mymem_load(CORE_NAME, "");	/* says why if it fails */
	dev_fd = open(dev_path, O_RDWR);
	if (dev_fd < 0) {
		diag("open %s: %s; is mymem_core loaded?", dev_path,
		     strerror(errno));
		diag("needs CONFIG_MODULES=y and mymem_core.ko (MYMEM_KO_DIR)");
		cleanup();
		return all_cases(0, "/dev/mymem not available");
	}
	if (ioctl(dev_fd, MYMEM_IOC_GET_SIZE, &sz) || !sz || sz > (1ULL << 30)) {
		diag("MYMEM_IOC_GET_SIZE: %s, size %llu", strerror(errno),
		     (unsigned long long)sz);
		cleanup();
		return all_cases(1, NULL);
	}
	size = (size_t)sz;
	model = malloc(size);
	scratch = malloc(size);
	if (!model || !scratch || read_whole(dev_fd, model)) {
		diag("cannot read the %zu-byte buffer into the model", size);
		cleanup();
		return all_cases(1, NULL);
	}
	diag("%s: %zu bytes", dev_path, size);

	for (i = 0; i < NCASES; i++) {
		case_failed = 0;
		case_skipped = 0;
		cases[i].fn();
		check_model(cases[i].name);
		report(i, case_failed, case_skipped, skip_reason);
	}
	cleanup();
	return mymem_ksft_finish();
}
