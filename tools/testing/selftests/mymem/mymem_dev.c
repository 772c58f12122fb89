// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_dev - kselftest of what /dev/mymem adds to the mymem API (the API's
 * own rules are mymem_kunit.c's and mymem-fuzz's).  Each case checks the
 * whole buffer against a model at its end.  Loads mymem_core if needed.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <grp.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/mymem.h>

#include "mymem_selftest.h"

#define NOBODY		65534

static long long size;		/* buffer size from MYMEM_IOC_GET_SIZE */
static unsigned char *model;	/* what the buffer must hold */
static unsigned char *scratch;	/* size bytes for whole-buffer reads */
static long long page;
static int dev_fd = -1;		/* the main descriptor, O_RDWR */
static const char *skip_all;	/* why every case is skipped */

/* 6.1's harness goes on into the case after a skip in FIXTURE_SETUP */
#ifdef FIXTURE_TEARDOWN_PARENT
#define SETUP_SKIP(...)	SKIP(return, __VA_ARGS__)
#else
#define SETUP_SKIP(...)	SKIP(do { fflush(NULL); _exit(255); } while (0), __VA_ARGS__)
#endif
#define SKIP_CASE(why)	SKIP(return, "%s: %s", _metadata->name, why)
#define TEST_DEV(name)	TEST_F_TIMEOUT(dev, name, 600)

/* a call's result, or -errno */
static long long rc(long long ret)
{
	return ret < 0 ? -errno : ret;
}

static long long pos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static int read_whole(int fd, unsigned char *dst)
{
	long long done = 0, n = 1;

	while (done < size && n > 0) {
		n = pread(fd, dst + done, size - done, done);
		done += n > 0 ? n : 0;
	}
	return done == size ? 0 : -1;
}

static void fill_pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 131 + seed * 29 + (i >> 8)) ^ seed);
}

static __u64 get_le64(const unsigned char *p)
{
	__u64 v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static void put_le64(unsigned char *p, __u64 v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static long long min_ll(long long a, long long b)
{
	return a < b ? a : b;
}

static int model_pwrite(const void *src, long long len, long long off)
{
	if (pwrite(dev_fd, src, len, off) != len)
		return -1;
	memcpy(model + off, src, len);
	return 0;
}

static long long add_u64(int fd, long long off, __u64 delta, __u64 *result)
{
	struct mymem_add a = { .offset = off, .delta = delta };
	long long r = rc(ioctl(fd, MYMEM_IOC_ADD_U64, &a));

	if (result)
		*result = a.result;
	return r;
}

static void *map_pages(int n, int prot)
{
	void *p = mmap(NULL, page * n, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE(dev) {
	char unused;
};

FIXTURE_SETUP(dev)
{
	if (skip_all)
		SETUP_SKIP("%s", skip_all);
	ASSERT_LT(0, size) TH_LOG("MYMEM_IOC_GET_SIZE failed");
	model = malloc(size);
	scratch = malloc(size);
	ASSERT_TRUE(model && scratch);
	ASSERT_EQ(0, read_whole(dev_fd, model));
}

FIXTURE_TEARDOWN(dev)
{
	long long i, first = -1, diffs = 0;

	ASSERT_EQ(0, read_whole(dev_fd, scratch));
	for (i = 0; i < size; i++) {
		if (scratch[i] != model[i]) {
			first = first < 0 ? i : first;
			diffs++;
		}
	}
	EXPECT_EQ(0, diffs)
		TH_LOG("the buffer differs from the model, first at %lld: 0x%02x, not 0x%02x",
		       first, scratch[first], model[first]);
}

TEST_DEV(get_size_and_read_all)
{
	long long done = 0, n = 1;
	__u64 v = 0;

	EXPECT_EQ(0, rc(ioctl(dev_fd, MYMEM_IOC_GET_SIZE, &v)));
	EXPECT_EQ(size, (long long)v);
	EXPECT_EQ(-EFAULT, rc(ioctl(dev_fd, MYMEM_IOC_GET_SIZE, NULL)));
	/* read() of the whole buffer agrees with pread(), and EOF follows */
	ASSERT_EQ(0, lseek(dev_fd, 0, SEEK_SET));
	memset(scratch, 0, size);
	while (done < size && n > 0) {
		n = read(dev_fd, scratch + done, size - done);
		done += n > 0 ? n : 0;
	}
	EXPECT_EQ(size, done);
	EXPECT_EQ(0, memcmp(scratch, model, size));
	EXPECT_EQ(size, pos(dev_fd));
	EXPECT_EQ(0, read(dev_fd, scratch, 1));
	EXPECT_EQ(size, pos(dev_fd));
}

/* lseek() in [0, size]; outside it -EINVAL, the position unchanged */
TEST_DEV(seek)
{
	const long long s = size, h = size / 2;
	const struct {
		int whence;
		long long from, off, want;
	} t[] = {
		{ SEEK_SET, h, 0, 0 },		{ SEEK_SET, 0, s, s },
		{ SEEK_SET, 0, s - 1, s - 1 },	{ SEEK_SET, h, s + 1, -EINVAL },
		{ SEEK_SET, h, -1, -EINVAL },	{ SEEK_CUR, h, s - h, s },
		{ SEEK_CUR, s, -s, 0 },		{ SEEK_CUR, s, 1, -EINVAL },
		{ SEEK_CUR, 0, -1, -EINVAL },	{ SEEK_CUR, 1, s, -EINVAL },
		{ SEEK_END, h, 0, s },		{ SEEK_END, h, -1, s - 1 },
		{ SEEK_END, h, -s, 0 },		{ SEEK_END, h, 1, -EINVAL },
		{ SEEK_END, h, -s - 1, -EINVAL }, { SEEK_DATA, h, 0, -EINVAL },
		{ SEEK_HOLE, h, 0, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ASSERT_EQ(t[i].from, lseek(dev_fd, t[i].from, SEEK_SET));
		EXPECT_EQ(t[i].want, rc(lseek(dev_fd, t[i].off, t[i].whence)))
			TH_LOG("row %u: whence %d, from %lld, offset %lld", i,
			       t[i].whence, t[i].from, t[i].off);
		EXPECT_EQ(t[i].want < 0 ? t[i].from : t[i].want, pos(dev_fd))
			TH_LOG("row %u: the position", i);
	}
}

/*
 * The file position, one call a row: its result and the position after it.
 * A read returns the model's bytes and nothing past them; writes go into
 * the model.  Appending writes (O_APPEND, RWF_APPEND) are at the end.
 */
TEST_DEV(file_position)
{
	enum { D, A };	/* dev_fd, an O_APPEND descriptor */
	const long long s = size, h = size / 2, c = min_ll(100, size / 3);
	const long long n = min_ll(16, size), ap = O_APPEND;
	/* s lseek(SET), r/w read/write, R/W pread/pwrite, f fcntl(F_SETFL) */
	/* v/V pwritev2 without/with RWF_APPEND */
	const struct {
		int fd;
		char op;
		long long len, off, want, pos;
	} t[] = {
		{ D, 's', 0, s - 1, s - 1, s - 1 },	{ D, 'w', 64, 0, 1, s },
		{ D, 'w', 64, 0, -ENOSPC, s },		{ D, 's', 0, s - 1, s - 1, s - 1 },
		{ D, 'r', 64, 0, 1, s },		{ D, 'r', 64, 0, 0, s },
		{ D, 's', 0, h, h, h },			{ D, 'r', 0, 0, 0, h },
		{ D, 'w', 0, 0, 0, h },			{ D, 's', 0, s, s, s },
		{ D, 'w', 0, 0, 0, s },			{ A, 'w', n, 0, -ENOSPC, 0 },
		{ A, 'W', n, 0, -ENOSPC, 0 },		{ A, 'v', n, -1, -ENOSPC, 0 },
		{ A, 'w', 0, 0, 0, 0 },			{ A, 'r', n, 0, n, n },
		{ D, 's', 0, 0, 0, 0 },			{ D, 'V', n, 0, -ENOSPC, 0 },
		{ D, 'V', n, -1, -ENOSPC, 0 },		{ D, 'f', 0, ap, 0, 0 },
		{ D, 'w', n, 0, -ENOSPC, 0 },		{ D, 'f', 0, 0, 0, 0 },
		{ D, 'w', n, 0, n, n },			{ D, 's', 0, 0, 0, 0 },
		{ D, 'w', c, 0, c, c },			{ D, 'w', c, 0, c, 2 * c },
		{ D, 'w', c, 0, c, 3 * c },		{ D, 's', 0, 0, 0, 0 },
		{ D, 'r', c, 0, c, c },			{ D, 'r', c, 0, c, 2 * c },
		{ D, 'r', c, 0, c, 3 * c },		{ D, 's', 0, 1, 1, 1 },
		{ D, 'R', c, 0, c, 1 },			{ D, 'W', c, c, c, 1 },
	};
	int fds[2] = { dev_fd, open(DEV_PATH, O_RDWR | O_APPEND) }, fd;
	unsigned char buf[128];
	struct iovec iov = { buf, 0 };
	long long at, got;
	unsigned int i;
	char op;

	if (size < 3)
		SKIP_CASE("buffer smaller than 3 bytes");
	ASSERT_LE(0, fds[A]);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		fd = fds[t[i].fd];
		op = t[i].op;
		at = op == 'r' || op == 'w' ? pos(fd) : t[i].off;
		iov.iov_len = t[i].len;
		fill_pattern(buf, sizeof(buf), i);
		if (op == 'r' || op == 'R')
			memset(buf, 0xa5, sizeof(buf));
		got = rc(op == 's' ? lseek(fd, t[i].off, SEEK_SET) :
			 op == 'r' ? read(fd, buf, t[i].len) :
			 op == 'w' ? write(fd, buf, t[i].len) :
			 op == 'R' ? pread(fd, buf, t[i].len, t[i].off) :
			 op == 'W' ? pwrite(fd, buf, t[i].len, t[i].off) :
			 op == 'v' ? pwritev2(fd, &iov, 1, t[i].off, 0) :
			 op == 'V' ? pwritev2(fd, &iov, 1, t[i].off, RWF_APPEND) :
			 fcntl(fd, F_SETFL, (int)t[i].off));
		EXPECT_EQ(t[i].want, got) TH_LOG("row %u: %c of %lld at %lld", i, op, t[i].len, at);
		EXPECT_EQ(t[i].pos, pos(fd)) TH_LOG("row %u: the position", i);
		if (got <= 0 || op == 's' || op == 'f')
			continue;
		if (op == 'w' || op == 'W' || op == 'v' || op == 'V')
			memcpy(model + at, buf, got);
		else
			EXPECT_TRUE(!memcmp(buf, model + at, got) && buf[got] == 0xa5)
				TH_LOG("row %u: not the model's %lld bytes", i, got);
	}
	close(fds[A]);
}

TEST_DEV(ioctl_add_u64)
{
	unsigned char le[8] = { 0 };
	__u64 got = 0, want;

	EXPECT_EQ(-EINVAL, add_u64(dev_fd, -1, 1, NULL));
	EXPECT_EQ(-EINVAL, add_u64(dev_fd, size, 1, NULL));
	if (size < 8)
		SKIP_CASE("buffer smaller than 8 bytes");
	want = get_le64(model) + 1;
	ASSERT_EQ(0, add_u64(dev_fd, 0, 1, &got));
	put_le64(model, want);
	EXPECT_EQ(want, got);
	ASSERT_EQ(0, model_pwrite(le, 8, 0));
	ASSERT_EQ(0, add_u64(dev_fd, 0, 0x100, &got));
	put_le64(model, 0x100);
	EXPECT_EQ(0x100ULL, got);
	EXPECT_EQ(8, pread(dev_fd, le, 8, 0));
	EXPECT_TRUE(le[0] == 0 && le[1] == 1 && le[2] == 0);
}

TEST_DEV(ioctl_unknown_enotty)
{
	const unsigned long bad[] = {
		_IO(MYMEM_IOC_MAGIC, 0),
		_IOWR(MYMEM_IOC_MAGIC, 3, struct mymem_add),
		_IOWR(MYMEM_IOC_MAGIC, 0xff, struct mymem_add),
		_IOR(MYMEM_IOC_MAGIC, 1, struct mymem_add),	/* nr of ADD, wrong dir */
		_IOWR(MYMEM_IOC_MAGIC, 1, __u64),		/* nr of ADD, wrong size */
		_IOW(MYMEM_IOC_MAGIC, 2, __u64),		/* nr of GET_SIZE, wrong dir */
		_IOWR('x', 1, struct mymem_add),		/* another magic */
		0x12345678,
	};
	struct mymem_add a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		a = (struct mymem_add){ .offset = 0, .delta = 1 };
		EXPECT_EQ(-ENOTTY, rc(ioctl(dev_fd, bad[i], &a)))
			TH_LOG("cmd %#lx", bad[i]);
	}
}

TEST_DEV(bad_user_pointers_efault)
{
	unsigned char *ro = map_pages(1, PROT_READ | PROT_WRITE);
	unsigned char *hole = map_pages(1, PROT_READ | PROT_WRITE);
	long long n = min_ll(64, size);
	struct mymem_add *a = (struct mymem_add *)ro;

	ASSERT_TRUE(ro && hole);
	memset(ro, 0x5a, page);
	*a = (struct mymem_add){ .offset = 0, .delta = 1 };
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	ASSERT_EQ(0, munmap(hole, page));

	ASSERT_EQ(0, lseek(dev_fd, 0, SEEK_SET));
	EXPECT_EQ(-EFAULT, rc(read(dev_fd, NULL, n)));
	EXPECT_EQ(-EFAULT, rc(read(dev_fd, hole, n)));
	EXPECT_EQ(-EFAULT, rc(read(dev_fd, ro + 128, n)));
	EXPECT_EQ(-EFAULT, rc(pread(dev_fd, hole, n, 0)));
	EXPECT_EQ(0, pos(dev_fd));
	EXPECT_TRUE(ro[128] == 0x5a && ro[page - 1] == 0x5a);
	EXPECT_EQ(-EFAULT, rc(write(dev_fd, NULL, n)));
	EXPECT_EQ(-EFAULT, rc(write(dev_fd, hole, n)));
	EXPECT_EQ(-EFAULT, rc(pwrite(dev_fd, hole, n, 0)));
	EXPECT_EQ(0, pos(dev_fd));
	EXPECT_EQ(-EFAULT, rc(ioctl(dev_fd, MYMEM_IOC_ADD_U64, NULL)));
	EXPECT_EQ(-EFAULT, rc(ioctl(dev_fd, MYMEM_IOC_ADD_U64, hole)));
	EXPECT_EQ(-EFAULT, rc(ioctl(dev_fd, MYMEM_IOC_GET_SIZE, hole)));
	EXPECT_EQ(-EFAULT, rc(ioctl(dev_fd, MYMEM_IOC_GET_SIZE, ro)));
	EXPECT_EQ(0ULL, get_le64(ro));	/* GET_SIZE wrote nothing */
	/* a readable argument, an unwritable result: no add (the model) */
	if (size >= 8)
		EXPECT_EQ(-EFAULT, rc(ioctl(dev_fd, MYMEM_IOC_ADD_U64, ro)));
	munmap(ro, page);
}

TEST_DEV(partly_valid_buffer_short)
{
	const long long valid = 100, len = 200, at = size > 1000 ? 500 : 0;
	unsigned char *area, *p, *ro;

	if (size < len + at)
		SKIP_CASE("buffer smaller than 200 bytes");
	area = map_pages(2, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, area);
	ASSERT_EQ(0, munmap(area + page, page));
	p = area + page - valid;

	/* read into [valid page | hole]: the valid prefix is transferred */
	memset(area, 0xee, page);
	ASSERT_EQ(at, lseek(dev_fd, at, SEEK_SET));
	EXPECT_EQ(valid, read(dev_fd, p, len));
	EXPECT_EQ(0, memcmp(p, model + at, valid));
	EXPECT_EQ(at + valid, pos(dev_fd));
	EXPECT_EQ(0xee, area[page - valid - 1]);

	/* write from [valid page | hole]: only the valid prefix lands */
	fill_pattern(p, valid, 8);
	ASSERT_EQ(at, lseek(dev_fd, at, SEEK_SET));
	if (write(dev_fd, p, len) == valid)
		memcpy(model + at, p, valid);
	EXPECT_EQ(at + valid, pos(dev_fd));
	fill_pattern(p, valid, 9);
	if (pwrite(dev_fd, p, len, at) == valid)
		memcpy(model + at, p, valid);
	munmap(area, page);

	/* read into [writable page | read-only page] */
	area = map_pages(2, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, area);
	ro = area + page;
	memset(ro, 0x77, page);
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));
	p = ro - valid;
	EXPECT_EQ(valid, pread(dev_fd, p, len, at));
	EXPECT_EQ(0, memcmp(p, model + at, valid));
	EXPECT_TRUE(ro[0] == 0x77 && ro[len] == 0x77);
	munmap(area, 2 * page);
}

TEST_DEV(several_opens)
{
	int a = open(DEV_PATH, O_RDWR), b = open(DEV_PATH, O_RDWR);
	int r = open(DEV_PATH, O_RDONLY), w = open(DEV_PATH, O_WRONLY);
	unsigned char buf[8], x[8];

	ASSERT_TRUE(a >= 0 && b >= 0 && r >= 0 && w >= 0);
	if (size >= 8) {
		ASSERT_EQ(4, lseek(b, 4, SEEK_SET));
		fill_pattern(x, sizeof(x), 10);
		ASSERT_EQ(4, write(b, x, 4));
		memcpy(model + 4, x, 4);
		EXPECT_EQ(8, read(a, buf, 8));
		EXPECT_EQ(0, memcmp(buf, model, 8));
		EXPECT_EQ(8, pos(a));
	}
	EXPECT_EQ(-EBADF, add_u64(r, 0, 1, NULL));
	EXPECT_EQ(-EBADF, add_u64(w, 0, 0, NULL));
	EXPECT_EQ(0, rc(ioctl(w, MYMEM_IOC_GET_SIZE, x)));
	close(a);
	close(b);
	close(r);
	close(w);
}

/* --- threads ----------------------------------------------------------- */

#define REC		64		/* a record of one 8-byte value x 8 */

struct worker {
	unsigned int id, n, segs;	/* segs: iovec segments, 0: pread/pwrite */
	long long len;			/* bytes of the block or region */
	int *stop;
	unsigned long errors, bad, reads;
};

#define stopped(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)

/* threads: the writers (n > 0) to their end, the readers until then */
static struct worker run_workers(void *(*fn)(void *), struct worker *c,
				 unsigned int nr)
{
	struct worker sum = { 0 };
	unsigned int i, pass;
	pthread_t t[16];
	int stop = 0;

	for (i = 0; i < nr; i++) {
		c[i].stop = &stop;
		pthread_create(&t[i], NULL, fn, &c[i]);
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nr; i++) {
			if (!c[i].n != !!pass)
				continue;
			pthread_join(t[i], NULL);
			sum.errors += c[i].errors;
			sum.bad += c[i].bad;
			sum.reads += c[i].reads;
		}
		__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	}
	return sum;
}

/* @len bytes of one u64 value; anything else is torn */
static int uniform(const unsigned char *r, long long len, __u64 *val)
{
	long long i;

	*val = get_le64(r);
	for (i = 8; i < len; i += 8)
		if (get_le64(r + i) != *val)
			return 0;
	return 1;
}

/*
 * A writer of c->n blocks of one u64 value, or a reader until stopped.
 * segs 0: REC-byte records, write() at the position, pread() anywhere in
 * c->len; else c->len bytes at 0, pwritev()/preadv() in segs segments.
 */
static void *worker(void *arg)
{
	struct worker *c = arg;
	long long blk = c->segs ? c->len : REC, got;
	unsigned int nseg = c->segs ? c->segs : 1;
	unsigned char *buf = malloc(blk);
	struct iovec *iov = calloc(nseg, sizeof(*iov));
	unsigned long i;
	__u64 v;

	for (i = 0; buf && iov && i < nseg; i++)
		iov[i] = (struct iovec){ buf + i * (blk / nseg), blk / nseg };
	for (i = 0; buf && iov && i < c->n; i++) {
		for (got = 0; got < blk; got += 8)
			put_le64(buf + got, ((__u64)(c->id + 1) << 32) | (i + 1));
		got = c->segs ? pwritev(dev_fd, iov, nseg, 0) : write(dev_fd, buf, blk);
		c->errors += got != blk;
	}
	for (i = 0; buf && iov && !c->n && !stopped(c->stop); i++) {
		got = c->segs ? preadv(dev_fd, iov, nseg, 0) :
		      pread(dev_fd, buf, blk, (i * 7919) % (c->len / REC) * REC);
		c->reads += got == blk;
		c->errors += got != blk;
		c->bad += got == blk && !uniform(buf, blk, &v);
	}
	c->errors += !buf || !iov;
	free(iov);
	free(buf);
	return NULL;
}

/* FMODE_ATOMIC_POS: 8 writers on one fd lose, repeat and tear no record */
TEST_DEV(shared_fd_threads)
{
	enum { T = 8, R = 2 };
	unsigned int per = 1000, i, round;
	unsigned long missing, twice;
	struct worker c[R + T], sum;
	long long limit, off;
	unsigned char *seen;
	__u64 v;

	if (size < 8 * REC * 4)
		SKIP_CASE("buffer smaller than 2 KiB");
	while ((long long)T * per * REC > size)
		per /= 2;
	limit = (long long)T * per * REC;
	seen = malloc(T * per);
	ASSERT_NE(NULL, seen);
	for (round = 0; round < 10 && _metadata->passed; round++) {
		missing = 0;
		twice = 0;
		memset(scratch, 0, limit);	/* uniform records: zeros */
		ASSERT_EQ(0, model_pwrite(scratch, limit, 0));
		ASSERT_EQ(0, lseek(dev_fd, 0, SEEK_SET));
		for (i = 0; i < R + T; i++)
			c[i] = (struct worker){ .id = i - R, .len = limit,
						.n = i < R ? 0 : per };
		sum = run_workers(worker, c, R + T);
		EXPECT_EQ(0UL, sum.errors) TH_LOG("round %u: failed or short calls", round);
		EXPECT_EQ(0UL, sum.bad) TH_LOG("round %u: torn records read", round);
		EXPECT_EQ(limit, pos(dev_fd)) TH_LOG("round %u: the position after %u x %u writes",
						     round, T, per);
		ASSERT_EQ(0, read_whole(dev_fd, scratch));
		/* the content is the writers' to choose: take it into the model */
		memcpy(model, scratch, limit);
		memset(seen, 0, T * per);
		for (off = 0; off < limit; off += REC) {
			ASSERT_TRUE(uniform(scratch + off, REC, &v))
				TH_LOG("round %u: record at %lld is torn", round, off);
			if (!v) {
				missing++;
				continue;
			}
			ASSERT_TRUE((v >> 32) >= 1 && (v >> 32) <= T && (__u32)v &&
				    (__u32)v <= per)
				TH_LOG("round %u: record at %lld: foreign value %#llx",
				       round, off, (unsigned long long)v);
			twice += seen[((v >> 32) - 1) * per + (__u32)v - 1]++ != 0;
		}
		EXPECT_EQ(0UL, missing + twice)
			TH_LOG("round %u: %lu records lost, %lu twice: non-atomic positions",
			       round, missing, twice);
	}
	free(seen);
}

/* a vectored call is atomic (and KCSAN-marked) at any segment count */
TEST_DEV(vectored_no_torn_reads)
{
	static const struct { long long len; unsigned int segs; } runs[] = {
		{ 4096, 1 }, { 16 * 256, 16 }, { IOV_MAX * 64, IOV_MAX },
		{ 512 * 1024, 1 },
	};
	struct worker c[4], sum;
	unsigned int r, i;
	long long len;
	__u64 v;

	if (size < 4096)
		SKIP_CASE("buffer smaller than 4 KiB");
	for (r = 0; r < ARRAY_SIZE(runs) && _metadata->passed; r++) {
		len = min_ll(runs[r].len, size);
		len -= len % runs[r].segs;
		memset(scratch, 0, len);
		ASSERT_EQ(0, model_pwrite(scratch, len, 0));
		/* c[0], c[1] read; c[2], c[3] write */
		for (i = 0; i < 4; i++)
			c[i] = (struct worker){ .id = i, .len = len, .segs = runs[r].segs,
						.n = i < 2 ? 0 : len > 65536 ? 100 : 1000 };
		sum = run_workers(worker, c, 4);
		ksft_print_msg("%lld-byte block, %u segments: %u writes, %lu reads checked\n",
			       len, runs[r].segs, c[2].n * 2, sum.reads);
		EXPECT_EQ(0UL, sum.errors) TH_LOG("short or failed calls");
		EXPECT_EQ(0UL, sum.bad) TH_LOG("torn reads of a %lld-byte block in %u segments",
					       len, runs[r].segs);
		ASSERT_EQ(len, pread(dev_fd, scratch, len, 0));
		EXPECT_TRUE(uniform(scratch, len, &v)) TH_LOG("block left torn");
		memcpy(model, scratch, len);
	}
}

/* @fn as uid nobody: 0, or the step it failed at (10: setresuid) */
static int as_nobody(int (*fn)(void))
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY) || geteuid() != NOBODY)
			_exit(10);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int nobody_cannot_open(void)
{
	if (open(DEV_PATH, O_RDWR) >= 0 || errno != EACCES)
		return 1;
	return open(DEV_PATH, O_RDONLY) >= 0 || errno != EACCES ? 2 : 0;
}

TEST_DEV(nonroot_denied)
{
	FILE *f = fopen("/sys/module/" CORE_NAME "/parameters/mode", "r");
	long mode = 0600;
	struct stat st;

	if (f && (fscanf(f, "%li", &mode) != 1 || fclose(f)))
		mode = 0600;
	if (mode != 0600)
		SKIP_CASE("mymem_core was loaded with a mode other than 0600");
	ASSERT_EQ(0, stat(DEV_PATH, &st));
	EXPECT_EQ(0600, (int)(st.st_mode & 0777));
	EXPECT_EQ(0, (int)st.st_uid);
	EXPECT_EQ(0, as_nobody(nobody_cannot_open));
}

static int nobody_adds_write_only(void)
{
	struct mymem_add a = { .offset = 0, .delta = 0 };
	int fd;

	if (open(DEV_PATH, O_RDONLY) >= 0 || errno != EACCES)
		return 1;
	fd = open(DEV_PATH, O_WRONLY);
	if (fd < 0)
		return 2;
	if (read(fd, &a, 1) != -1 || errno != EBADF)
		return 3;
	if (ioctl(fd, MYMEM_IOC_ADD_U64, &a) != -1 || errno != EBADF)
		return 4;
	return a.result ? 5 : 0;
}

TEST_DEV(writeonly_add_ebadf)
{
	struct stat st;
	int step;

	if (size < 8)
		SKIP_CASE("needs an 8-byte buffer");
	ASSERT_EQ(0, stat(DEV_PATH, &st));
	ASSERT_EQ(0, model_pwrite("SECRET!!", 8, 0));
	ASSERT_EQ(0, chmod(DEV_PATH, 0622));
	step = as_nobody(nobody_adds_write_only);
	EXPECT_EQ(0, chmod(DEV_PATH, st.st_mode & 07777));
	EXPECT_EQ(0, step);	/* the step of nobody_adds_write_only() */
}

/* [vvar] (VM_PFNMAP) as a source, copied in (64) or not (65 bytes) */
TEST_DEV(unholdable_source_any_size)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo = 0;
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[vvar]") && sscanf(line, "%lx-", &lo) == 1)
			break;
	if (f)
		fclose(f);
	if (!lo || size < 65)
		SKIP_CASE(lo ? "needs a 65-byte buffer" : "no [vvar] mapping");
	EXPECT_EQ(64, rc(pwrite(dev_fd, (void *)lo, 64, 0)));
	EXPECT_EQ(65, rc(pwrite(dev_fd, (void *)lo, 65, 0)));
	EXPECT_EQ(65, pread(dev_fd, model, 65, 0));
}

TEST_DEV(nowait_eagain)
{
	long long len = min_ll(size, 2 * page);
	unsigned char *p = map_pages(2, PROT_READ | PROT_WRITE);
	struct iovec v = { .iov_base = p, .iov_len = len };

	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EAGAIN, rc(preadv2(dev_fd, &v, 1, 0, RWF_NOWAIT)));
	EXPECT_EQ(-EAGAIN, rc(pwritev2(dev_fd, &v, 1, 0, RWF_NOWAIT)));
	memset(p, 0x3c, len);
	if (pwritev2(dev_fd, &v, 1, 0, RWF_NOWAIT) == len)
		memcpy(model, p, len);
	memset(p, 0, len);
	EXPECT_EQ(len, rc(preadv2(dev_fd, &v, 1, 0, RWF_NOWAIT)));
	EXPECT_EQ(0, memcmp(p, model, len));
	munmap(p, 2 * page);
}

#define FAIL_USERCOPY(attr)	"/sys/kernel/debug/fail_usercopy/" attr

/*
 * Every copy to the child's memory fails (fail_usercopy): its read must
 * end with -EFAULT.  The child prints nothing once armed.
 */
TEST_DEV(read_faulting_forever)
{
	static const char *const arm[][2] = {
		{ FAIL_USERCOPY("task-filter"), "Y" }, { FAIL_USERCOPY("verbose"), "0" },
		{ FAIL_USERCOPY("space"), "0" }, { FAIL_USERCOPY("times"), "-1" },
		{ FAIL_USERCOPY("interval"), "1" }, { FAIL_USERCOPY("probability"), "100" },
	};
	const long long lens[] = { 1, 4096, 65536 };
	int status = 0, waited;
	unsigned int i;
	long long len;
	pid_t pid;

	if (access(FAIL_USERCOPY("probability"), W_OK))
		SKIP_CASE("no fail_usercopy (CONFIG_FAULT_INJECTION_USERCOPY)");
	/* the filter first, or every task's copies fail */
	for (i = 0; i < ARRAY_SIZE(arm) && _metadata->passed; i++)
		EXPECT_EQ(0, write_file(arm[i][0], arm[i][1])) TH_LOG("%s", arm[i][0]);
	for (i = 0; i < ARRAY_SIZE(lens) && _metadata->passed; i++) {
		len = min_ll(lens[i], size);
		pid = fork();
		if (pid == 0) {
			char *buf = calloc(1, len);
			int mif = open("/proc/thread-self/make-it-fail", O_WRONLY);

			if (!buf || mif < 0 || write(mif, "1", 1) != 1)
				_exit(2);
			_exit(pread(dev_fd, buf, len, 0) >= 0 ? 0 : errno);
		}
		ASSERT_LT(0, pid);
		/* a hang bound, not a timing: 1200 x 100 ms */
		for (waited = 0; waited < 1200; waited++) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			usleep(100000);
		}
		EXPECT_GT(1200, waited)
			TH_LOG("a %lld-byte read, every copy failing, has not returned after 120 s",
			       len);
		EXPECT_EQ(EFAULT, WIFEXITED(status) ? WEXITSTATUS(status) : -1)
			TH_LOG("a %lld-byte read, every copy failing: status %#x",
			       len, status);
	}
	write_file(FAIL_USERCOPY("probability"), "0");
}

static void finish(void)
{
	if (dev_fd >= 0)
		close(dev_fd);
	if (core_loaded && mymem_unload(CORE_NAME))
		ksft_print_msg("delete_module(" CORE_NAME "): %s\n", strerror(errno));
	mymem_skip_if_none_ran();
}

int main(int argc, char **argv)
{
	__u64 sz = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	atexit(finish);
	dev_fd = mymem_open(&skip_all);
	if (dev_fd >= 0 && !ioctl(dev_fd, MYMEM_IOC_GET_SIZE, &sz) && sz && sz <= 1ULL << 30)
		size = (long long)sz;
	return test_harness_run(argc, argv);
}
