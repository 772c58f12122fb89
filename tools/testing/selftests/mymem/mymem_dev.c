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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "mymem_selftest.h"

#define NOBODY		65534

static long long size;		/* buffer size from MYMEM_IOC_GET_SIZE */
static unsigned char *model;	/* what the buffer must hold */
static unsigned char *scratch;	/* size + 1 bytes for whole-buffer reads */
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

#define pos(fd)		lseek(fd, 0, SEEK_CUR)

/* @len bytes of 0xa5 (what reads go into), or a pattern of @seed (writes) */
static void fill(unsigned char *p, size_t len, int a5, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = a5 ? 0xa5 : (unsigned char)((i * 131 + seed * 29 + (i >> 8)) ^ seed);
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

FIXTURE(dev) {};

FIXTURE_SETUP(dev)
{
	if (skip_all)
		SETUP_SKIP("%s", skip_all);
	ASSERT_LT(0, size) TH_LOG("MYMEM_IOC_GET_SIZE failed");
	model = malloc(size);
	scratch = malloc(size + 1);
	ASSERT_TRUE(model && scratch);
	ASSERT_EQ(size, pread(dev_fd, model, size, 0));
}

FIXTURE_TEARDOWN(dev)
{
	long long i = 0;

	ASSERT_EQ(size, pread(dev_fd, scratch, size, 0));
	while (i < size && scratch[i] == model[i])
		i++;
	EXPECT_EQ(size, i)
		TH_LOG("the buffer differs from the model, first at %lld: 0x%02x, not 0x%02x",
		       i, scratch[i], model[i]);
}

/* fds[]: the main O_RDWR one, O_APPEND, another O_RDWR, O_RDONLY, O_WRONLY */
enum { D, A, B, R, W, NR_FDS };
/* the memory of a call: see TEST_DEV(calls) */
enum { BUF, BIG, NUL, HOLE, PV, PR, RO, COLD };

/* the call of @op, a row of TEST_DEV(calls): its result, or -errno */
static long long call(int fd, char op, void *p, long long len, long long off)
{
	struct iovec iov = { p, len };

	switch (op) {
	case 's': return rc(lseek(fd, off, SEEK_SET));
	case 'c': return rc(lseek(fd, off, SEEK_CUR));
	case 'e': return rc(lseek(fd, off, SEEK_END));
	case 'd': return rc(lseek(fd, off, SEEK_DATA));
	case 'h': return rc(lseek(fd, off, SEEK_HOLE));
	case 'f': return rc(fcntl(fd, F_SETFL, (int)off));
	case 'r': return rc(read(fd, p, len));
	case 'w': return rc(write(fd, p, len));
	case 'R': return rc(pread(fd, p, len, off));
	case 'W': return rc(pwrite(fd, p, len, off));
	case 'v': return rc(pwritev2(fd, &iov, 1, off, 0));
	case 'V': return rc(pwritev2(fd, &iov, 1, off, RWF_APPEND));
	case 'n': return rc(preadv2(fd, &iov, 1, off, RWF_NOWAIT));
	case 'N': return rc(pwritev2(fd, &iov, 1, off, RWF_NOWAIT));
	case 'a': return rc(ioctl(fd, MYMEM_IOC_ADD_U64, p));
	case 'g': return rc(ioctl(fd, MYMEM_IOC_GET_SIZE, p));
	}
	return rc(ioctl(fd, (unsigned long)off, p));	/* 'i': with an add of 1 at 0 */
}

/* @n > 0 bytes of @c at @p: the first, and each equal to the next */
static int same(const unsigned char *p, long long n, unsigned char c)
{
	return p[0] == c && !memcmp(p, p + 1, n - 1);
}

/*
 * One call() a row: its result and the position after it.  A read returns
 * the model's bytes and writes nothing else; a write goes into the model;
 * an add (of len at off) returns the model's sum, which goes into it.  The
 * memory is in pages [0 read-write | 1 unmapped | 2 read-write | 3
 * read-only | 4-5 never touched]: BUF in page 0, BIG size bytes, NUL, HOLE
 * page 1, PV and PR 100 bytes before pages 1 and 3, RO page 3 (an add of 1
 * at 0, then 0x5a), COLD page 4.
 */
TEST_DEV(calls)
{
	const long long s = size, h = size / 2, n = 16, c = 100, ap = O_APPEND;
	const long long o = 500, v = 100, l = 200, p2 = 2 * page;
	const struct mymem_add ro_add = { .offset = 0, .delta = 1 };
	const struct {
		int fd;
		char op;
		int mem;
		long long len, off, want, pos;
	} t[] = {
		/* lseek() in [0, size]; outside it -EINVAL, the position unchanged */
		{ D, 's', BUF, 0, h, h, h },		{ D, 's', BUF, 0, s + 1, -EINVAL, h },
		{ D, 's', BUF, 0, -1, -EINVAL, h },	{ D, 'e', BUF, 0, 1, -EINVAL, h },
		{ D, 'e', BUF, 0, -s - 1, -EINVAL, h },	{ D, 'd', BUF, 0, 0, -EINVAL, h },
		{ D, 'h', BUF, 0, 0, -EINVAL, h },	{ D, 'c', BUF, 0, s - h, s, s },
		{ D, 'c', BUF, 0, 1, -EINVAL, s },	{ D, 's', BUF, 0, 0, 0, 0 },
		{ D, 'c', BUF, 0, -1, -EINVAL, 0 },	{ D, 's', BUF, 0, s, s, s },
		{ D, 'c', BUF, 0, -s, 0, 0 },		{ D, 's', BUF, 0, 1, 1, 1 },
		{ D, 'c', BUF, 0, s, -EINVAL, 1 },	{ D, 's', BUF, 0, s - 1, s - 1, s - 1 },
		{ D, 'e', BUF, 0, 0, s, s },		{ D, 'e', BUF, 0, -1, s - 1, s - 1 },
		{ D, 'e', BUF, 0, -s, 0, 0 },
		/* the size; the whole buffer in one read, then EOF */
		{ D, 'g', BUF, 0, 0, 0, 0 },		{ D, 'g', NUL, 0, 0, -EFAULT, 0 },
		{ D, 'r', BIG, s, 0, s, s },		{ D, 'r', BUF, 1, 0, 0, s },
		/* at the end, across it, zero lengths */
		{ D, 'w', BUF, 64, 0, -ENOSPC, s },	{ D, 'w', BUF, 0, 0, 0, s },
		{ D, 's', BUF, 0, s - 1, s - 1, s - 1 },	{ D, 'w', BUF, 64, 0, 1, s },
		{ D, 's', BUF, 0, s - 1, s - 1, s - 1 },	{ D, 'r', BUF, 64, 0, 1, s },
		{ D, 'r', BUF, 64, 0, 0, s },		{ D, 's', BUF, 0, h, h, h },
		{ D, 'r', BUF, 0, 0, 0, h },		{ D, 'w', BUF, 0, 0, 0, h },
		/* appending writes are -ENOSPC; reads unaffected */
		{ A, 'w', BUF, n, 0, -ENOSPC, 0 },	{ A, 'W', BUF, n, 0, -ENOSPC, 0 },
		{ A, 'v', BUF, n, -1, -ENOSPC, 0 },	{ A, 'w', BUF, 0, 0, 0, 0 },
		{ A, 'r', BUF, n, 0, n, n },		{ D, 's', BUF, 0, 0, 0, 0 },
		{ D, 'V', BUF, n, 0, -ENOSPC, 0 },	{ D, 'V', BUF, n, -1, -ENOSPC, 0 },
		{ D, 'f', BUF, 0, ap, 0, 0 },		{ D, 'w', BUF, n, 0, -ENOSPC, 0 },
		{ D, 'f', BUF, 0, 0, 0, 0 },		{ D, 'w', BUF, n, 0, n, n },
		/* read/write advance the position, pread/pwrite do not */
		{ D, 'w', BUF, c, 0, c, n + c },	{ D, 'w', BUF, c, 0, c, n + 2 * c },
		{ D, 'w', BUF, c, 0, c, n + 3 * c },	{ D, 's', BUF, 0, 0, 0, 0 },
		{ D, 'r', BUF, c, 0, c, c },		{ D, 'r', BUF, c, 0, c, 2 * c },
		{ D, 'r', BUF, c, 0, c, 3 * c },	{ D, 's', BUF, 0, 1, 1, 1 },
		{ D, 'R', BUF, c, 0, c, 1 },		{ D, 'W', BUF, c, c, c, 1 },
		/* the add in bounds only; other ioctls -ENOTTY */
		{ D, 'a', BUF, 1, -1, -EINVAL, 1 },	{ D, 'a', BUF, 1, s, -EINVAL, 1 },
		{ D, 'a', BUF, 1, 0, 0, 1 },		{ D, 'a', BUF, 0x100, 3, 0, 1 },
		{ D, 'i', BUF, 0, _IO(MYMEM_IOC_MAGIC, 0), -ENOTTY, 1 },
		{ D, 'i', BUF, 0, _IOWR(MYMEM_IOC_MAGIC, 3, struct mymem_add), -ENOTTY, 1 },
		{ D, 'i', BUF, 0, _IOWR(MYMEM_IOC_MAGIC, 0xff, struct mymem_add), -ENOTTY, 1 },
		/* the nr of ADD, a wrong direction or size; of GET_SIZE, a wrong direction */
		{ D, 'i', BUF, 0, _IOR(MYMEM_IOC_MAGIC, 1, struct mymem_add), -ENOTTY, 1 },
		{ D, 'i', BUF, 0, _IOWR(MYMEM_IOC_MAGIC, 1, __u64), -ENOTTY, 1 },
		{ D, 'i', BUF, 0, _IOW(MYMEM_IOC_MAGIC, 2, __u64), -ENOTTY, 1 },
		{ D, 'i', BUF, 0, _IOWR('x', 1, struct mymem_add), -ENOTTY, 1 },
		{ D, 'i', BUF, 0, 0x12345678, -ENOTTY, 1 },
		/* bad user memory: -EFAULT, nothing changed */
		{ D, 'r', NUL, 64, 0, -EFAULT, 1 },	{ D, 'r', HOLE, 64, 0, -EFAULT, 1 },
		{ D, 'r', RO, 64, 0, -EFAULT, 1 },	{ D, 'R', HOLE, 64, 0, -EFAULT, 1 },
		{ D, 'w', NUL, 64, 0, -EFAULT, 1 },	{ D, 'w', HOLE, 64, 0, -EFAULT, 1 },
		{ D, 'W', HOLE, 64, 0, -EFAULT, 1 },	{ D, 'a', NUL, 0, 0, -EFAULT, 1 },
		{ D, 'a', HOLE, 0, 0, -EFAULT, 1 },	{ D, 'g', HOLE, 0, 0, -EFAULT, 1 },
		{ D, 'g', RO, 0, 0, -EFAULT, 1 },	{ D, 'a', RO, 0, 0, -EFAULT, 1 },
		/* memory running into a bad page: its valid prefix moved */
		{ D, 's', BUF, 0, o, o, o },		{ D, 'r', PV, l, 0, v, o + v },
		{ D, 's', BUF, 0, o, o, o },		{ D, 'w', PV, l, 0, v, o + v },
		{ D, 'W', PV, l, o, v, o + v },		{ D, 'R', PR, l, o, v, o + v },
		/* one buffer behind every open file; the add needs O_RDWR */
		{ B, 's', BUF, 0, 4, 4, 4 },		{ B, 'w', BUF, 4, 0, 4, 8 },
		{ D, 's', BUF, 0, 0, 0, 0 },		{ D, 'r', BUF, 8, 0, 8, 8 },
		{ R, 'a', BUF, 1, 0, -EBADF, 0 },	{ W, 'a', BUF, 0, 0, -EBADF, 0 },
		{ W, 'g', BUF, 0, 0, 0, 0 },
		/*
		 * RWF_NOWAIT: -EAGAIN on memory not faulted in, else all of it;
		 * -EOPNOTSUPP from the Rust core, which cannot try its mutex
		 */
		{ D, 'n', COLD, p2, 0, -EAGAIN, 8 },	{ D, 'N', COLD, p2, 0, -EAGAIN, 8 },
		{ D, 'N', BIG, p2, 0, p2, 8 },		{ D, 'n', BIG, p2, 0, p2, 8 },
	};
	int fds[NR_FDS] = { dev_fd, open(DEV_PATH, O_RDWR | O_APPEND), open(DEV_PATH, O_RDWR),
			    open(DEV_PATH, O_RDONLY), open(DEV_PATH, O_WRONLY) };
	unsigned char *area = mmap(NULL, 6 * page, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *mem[] = { area + 128, scratch, NULL, area + page, area + page - v,
				 area + 3 * page - v, area + 3 * page, area + 4 * page };
	struct mymem_add *add = (struct mymem_add *)mem[BUF];
	long long at, got, k, want;
	unsigned char *p;
	unsigned int i;
	int fd, rd;
	char op;

	if (size < 2 * page)
		SKIP_CASE("buffer smaller than 2 pages");
	ASSERT_TRUE(fds[A] >= 0 && fds[B] >= 0 && fds[R] >= 0 && fds[W] >= 0);
	ASSERT_NE(MAP_FAILED, area);
	memset(mem[RO], 0x5a, page);
	memcpy(mem[RO], &ro_add, sizeof(ro_add));
	ASSERT_EQ(0, mprotect(mem[RO], page, PROT_READ));
	ASSERT_EQ(0, munmap(mem[HOLE], page));
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		fd = fds[t[i].fd];
		op = t[i].op;
		p = mem[t[i].mem];
		at = op == 'r' || op == 'w' ? pos(fd) : t[i].off;
		rd = !!strchr("rRng", op);
		for (k = 0; k <= 2 * page; k += 2 * page)
			fill(area + k, page, rd, i);
		if (p == scratch)
			fill(p, t[i].len + 1, rd, i);
		if (op == 'a' || op == 'i')
			*add = op == 'i' ? ro_add :
			       (struct mymem_add){ .offset = t[i].off, .delta = t[i].len };
		got = call(fd, op, p, t[i].len, t[i].off);
		want = t[i].want;
		if (strchr("nN", op) && !strcmp(core_name, "mymem_core_rs"))
			want = -EOPNOTSUPP;
		EXPECT_EQ(want, got)
			TH_LOG("row %u: '%c', len %lld, off %lld, fd %d, memory %d", i, op,
			       t[i].len, t[i].off, t[i].fd, t[i].mem);
		EXPECT_EQ(t[i].pos, pos(fd)) TH_LOG("row %u: the position", i);
		EXPECT_TRUE(!memcmp(mem[RO], &ro_add, sizeof(ro_add)) &&
			    same(mem[RO] + sizeof(ro_add), page - sizeof(ro_add), 0x5a))
			TH_LOG("row %u: the read-only page changed", i);
		if (op == 'g' && !got) {
			EXPECT_EQ((__u64)size, *(__u64 *)p) TH_LOG("row %u: the size", i);
			memset(p, 0xa5, 8);
		} else if (op == 'a' && !got) {
			put_le64(model + at, get_le64(model + at) + t[i].len);
			EXPECT_EQ(get_le64(model + at), add->result) TH_LOG("row %u: the sum", i);
		} else if (got > 0 && rd) {
			EXPECT_EQ(0, memcmp(p, model + at, got))
				TH_LOG("row %u: not the model's %lld bytes", i, got);
			memset(p, 0xa5, got);
		} else if (got > 0 && strchr("wWvVN", op)) {
			memcpy(model + at, p, got);
		}
		if (rd)
			EXPECT_TRUE(same(area, page, 0xa5) && same(area + 2 * page, page, 0xa5) &&
				    (p != scratch || same(p, t[i].len + 1, 0xa5)))
				TH_LOG("row %u: a read wrote more than its bytes", i);
	}
	munmap(area, 6 * page);
	for (i = A; i < NR_FDS; i++)
		close(fds[i]);
}

/* --- threads ----------------------------------------------------------- */

#define REC		64		/* a record of one 8-byte value x 8 */

struct worker {
	unsigned int id, n, segs;	/* segs: iovec segments, 0: pread/pwrite */
	long long len;			/* bytes of the block or region */
	int *stop;
	unsigned long errors, bad, reads;
};

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
	for (i = 0; buf && iov && !c->n && !__atomic_load_n(c->stop, __ATOMIC_ACQUIRE); i++) {
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

/* threads: the writers (n > 0) to their end, the readers until then */
static struct worker run_workers(struct worker *c, unsigned int nr)
{
	struct worker sum = { 0 };
	unsigned int i, pass;
	pthread_t t[16];
	int stop = 0;

	for (i = 0; i < nr; i++) {
		c[i].stop = &stop;
		pthread_create(&t[i], NULL, worker, &c[i]);
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

/* FMODE_ATOMIC_POS: 8 writers on one fd lose, repeat and tear no record */
TEST_DEV(shared_fd_threads)
{
	enum { T = 8, R = 2 };
	unsigned int per = 1000, i, round;
	struct worker c[R + T], sum;
	unsigned long bad;
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
		memset(model, 0, limit);	/* uniform records: zeros */
		ASSERT_EQ(limit, pwrite(dev_fd, model, limit, 0));
		ASSERT_EQ(0, lseek(dev_fd, 0, SEEK_SET));
		for (i = 0; i < R + T; i++)
			c[i] = (struct worker){ .id = i - R, .len = limit,
						.n = i < R ? 0 : per };
		sum = run_workers(c, R + T);
		EXPECT_EQ(0UL, sum.errors) TH_LOG("round %u: failed or short calls", round);
		EXPECT_EQ(0UL, sum.bad) TH_LOG("round %u: torn records read", round);
		EXPECT_EQ(limit, pos(dev_fd)) TH_LOG("round %u: the position after %u x %u writes",
						     round, T, per);
		ASSERT_EQ(limit, pread(dev_fd, scratch, limit, 0));
		/* the content is the writers' to choose: take it into the model */
		memcpy(model, scratch, limit);
		memset(seen, 0, T * per);
		/* records torn, 0 (one lost), not a writer's or a writer's twice */
		for (off = 0, bad = 0; off < limit; off += REC)
			bad += !uniform(scratch + off, REC, &v) || !(v >> 32) || (v >> 32) > T ||
			       !(__u32)v || (__u32)v > per ||
			       seen[((v >> 32) - 1) * per + (__u32)v - 1]++;
		EXPECT_EQ(0UL, bad)
			TH_LOG("round %u: %lu records torn, lost, foreign or twice", round, bad);
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
		len = runs[r].len < size ? runs[r].len : size;
		len -= len % runs[r].segs;
		memset(model, 0, len);
		ASSERT_EQ(len, pwrite(dev_fd, model, len, 0));
		/* c[0], c[1] read; c[2], c[3] write */
		for (i = 0; i < 4; i++)
			c[i] = (struct worker){ .id = i, .len = len, .segs = runs[r].segs,
						.n = i < 2 ? 0 : len > 65536 ? 100 : 1000 };
		sum = run_workers(c, 4);
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

/* @fn(@arg) in a child, as uid nobody if @nobody (10: not): its exit status,
 * -1 if it did not exit, -2 not within 1200 x 100 ms (a hang bound, not a timing)
 */
static int in_child(int (*fn)(long long), long long arg, int nobody)
{
	int status = 0, waited;
	pid_t pid = fork();

	if (pid == 0) {
		if (nobody && (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
			       setresuid(NOBODY, NOBODY, NOBODY) || geteuid() != NOBODY))
			_exit(10);
		_exit(fn(arg));
	}
	for (waited = 0; pid > 0 && waited < 1200; waited++, usleep(100000))
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return pid > 0 ? -2 : -1;
}

/* as nobody, the node at 0622, an add of @delta: 0, or the step that failed */
static int nobody_writes_only(long long delta)
{
	struct mymem_add a = { .offset = 0, .delta = delta };
	int fd;

	if (open(DEV_PATH, O_RDWR) >= 0 || errno != EACCES)
		return 1;
	if (open(DEV_PATH, O_RDONLY) >= 0 || errno != EACCES)
		return 2;
	fd = open(DEV_PATH, O_WRONLY);
	if (fd < 0)
		return 3;
	if (read(fd, &a, 1) != -1 || errno != EBADF)
		return 4;
	if (ioctl(fd, MYMEM_IOC_ADD_U64, &a) != -1 || errno != EBADF)
		return 5;
	return a.result ? 6 : 0;
}

/* the node is root's, at mode=; nobody with write access only cannot add */
TEST_DEV(writeonly_add_ebadf)
{
	char mode[16] = "0600", path[PATH_MAX];
	struct stat st;
	int step;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/mode", core_name);
	read_line(path, mode, sizeof(mode));
	if (size < 8)
		SKIP_CASE("needs an 8-byte buffer");
	ASSERT_EQ(0, stat(DEV_PATH, &st));
	EXPECT_EQ(strtol(mode, NULL, 0), (long)(st.st_mode & 0777));
	EXPECT_EQ(0, (int)st.st_uid);
	memcpy(model, "SECRET!!", 8);
	ASSERT_EQ(8, pwrite(dev_fd, model, 8, 0));
	ASSERT_EQ(0, chmod(DEV_PATH, 0622));
	step = in_child(nobody_writes_only, 0, 1);
	EXPECT_EQ(0, chmod(DEV_PATH, st.st_mode & 07777));
	EXPECT_EQ(0, step);	/* the step of nobody_writes_only() */
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

#define FAIL_USERCOPY(attr)	"/sys/kernel/debug/fail_usercopy/" attr

/* a @len-byte read, every copy to this process's memory failing: its errno */
static int read_failing(long long len)
{
	char *buf = calloc(1, len);
	int mif = open("/proc/thread-self/make-it-fail", O_WRONLY);

	if (!buf || mif < 0 || write(mif, "1", 1) != 1)
		return 2;
	return pread(dev_fd, buf, len, 0) >= 0 ? 0 : errno;
}

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
	unsigned int i;
	long long len;
	int st;

	if (access(FAIL_USERCOPY("probability"), W_OK))
		SKIP_CASE("no fail_usercopy (CONFIG_FAULT_INJECTION_USERCOPY)");
	/* the filter first, or every task's copies fail */
	for (i = 0; i < ARRAY_SIZE(arm) && _metadata->passed; i++)
		EXPECT_EQ(0, write_file(arm[i][0], arm[i][1])) TH_LOG("%s", arm[i][0]);
	for (i = 0; i < ARRAY_SIZE(lens) && _metadata->passed; i++) {
		len = lens[i] < size ? lens[i] : size;
		st = in_child(read_failing, len, 0);
		EXPECT_EQ(EFAULT, st)
			TH_LOG("a %lld-byte read, every copy failing: exit status %d%s", len, st,
			       st == -2 ? ", not returned after 120 s" : "");
	}
	write_file(FAIL_USERCOPY("probability"), "0");
}

int main(int argc, char **argv)
{
	atexit(mymem_end);
	size = mymem_open(&skip_all);
	if (size > 1LL << 30)
		size = 0;
	return test_harness_run(argc, argv);
}
