// SPDX-License-Identifier: GPL-2.0
/*
 * mymem-fuzz - random system calls on /dev/mymem, checked against a model
 *
 * Several processes each make a seeded random sequence of open, close,
 * read, write, pread, pwrite, readv, writev, lseek and ioctl calls, with
 * random positions and lengths (negative, huge, at and around the end),
 * bad pointers (NULL, an unmapped page, a read-only page, a kernel
 * address, a buffer running into an unmapped page) and unaligned ones.
 * Every result (return value, errno, file position) is compared with what
 * the documented semantics predict (docs/DESIGN.md, include/linux/mymem.h
 * and the VFS checks that run before the driver).
 *
 * The buffer contents are modelled too.  Each process owns a disjoint
 * region of the buffer: its successful writes and adds land only there
 * (the process owning the last region also writes across the end), while
 * its reads, failing writes and failing adds may aim anywhere.  A process
 * checks its region after each call that could change it (the bytes the
 * call touched or should have left alone) and all of it periodically and
 * at the end, so a write that lands outside its range is caught by the
 * process that owns the bytes it hit.
 *
 * Reproducible: the seed is printed; with the same -s, -p, -n and buffer
 * size every process makes the same calls again.  -o I replays process I
 * alone, -v logs every call.  Any divergence prints the seed, the process,
 * the call number, the call, what was expected and what happened, and
 * makes the exit status 1.  The last line is "calls=N divergences=D".
 *
 * The model of a call, in the order the kernel checks (fs/read_write.c):
 *   pread/pwrite/preadv/pwritev: pos < 0 -> EINVAL;
 *   bad fd -> EBADF;  (readv/writev: the iovec array is imported first)
 *   fd not open for reading/writing -> EBADF;
 *   access_ok(buf, len) fails -> EFAULT;  pos + len overflows -> EINVAL;
 *   len = min(len, MAX_RW_COUNT);
 *   driver: len 0 -> 0; read at/past the end -> 0; write at/past the end
 *   -> ENOSPC; n = min(len, size - pos); a fault on the first byte ->
 *   EFAULT and nothing changes; after k bytes -> k (short transfer).
 *   lseek: SEEK_SET/CUR/END to a result in [0, size], else EINVAL with
 *   the position unchanged.  ioctl: ADD_U64 needs an O_RDWR fd (EBADF),
 *   a readable argument (EFAULT), 0 <= offset <= size - 8 (EINVAL) and a
 *   writable result field (EFAULT, buffer unchanged); GET_SIZE needs a
 *   writable __u64; anything else -> ENOTTY.
 *
 * access_ok() accepts a range ending at or below TASK_SIZE_MAX, which is
 * 2^47 - 4096 or, with 5-level paging, 2^56 - 4096.  The fuzzer's buffers
 * sit at a fixed address near 2^45 and its lengths are either below 2^41
 * or above 2^57, so access_ok() has one answer whatever the paging mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mymem.h>

#include "../common/common.h"

#define PROG		"mymem-fuzz"
#define PAGE		4096ul
#define NR_SLOTS	4		/* file descriptors a process juggles */
#define MAX_IOV		4
#define MAX_PROCS	64
#define MAX_REGION	(1ul << 20)	/* cap of a process's region */
#define FULL_CHECK	1024		/* full region check every N calls */
#define HISTORY		8		/* calls shown with a divergence */

#define AREA_BASE	(1ul << 45)	/* fixed home of the test buffers */
#define SAFE_END	((1ul << 47) - PAGE)	/* access_ok() always true up to */
#define SURE_BAD	(1ul << 57)	/* access_ok() always false beyond */
#define KERNEL_PTR	0xffff888000000000ul
#define MAX_RW		((size_t)(INT_MAX & ~(PAGE - 1)))	/* MAX_RW_COUNT */



enum call {
	C_OPEN, C_CLOSE, C_READ, C_WRITE, C_PREAD, C_PWRITE, C_READV,
	C_WRITEV, C_PREADV, C_PWRITEV, C_LSEEK, C_ADD, C_GET_SIZE,
	C_BAD_IOCTL, C_NR
};

static const char *const call_name[C_NR] = {
	"open", "close", "read", "write", "pread", "pwrite", "readv",
	"writev", "preadv", "pwritev", "lseek", "ioctl(ADD_U64)",
	"ioctl(GET_SIZE)", "ioctl(bad)",
};

/* relative weights of the calls */
static const unsigned int call_weight[C_NR] = {
	[C_OPEN] = 3, [C_CLOSE] = 2, [C_READ] = 10, [C_WRITE] = 10,
	[C_PREAD] = 14, [C_PWRITE] = 14, [C_READV] = 4, [C_WRITEV] = 4,
	[C_PREADV] = 4, [C_PWRITEV] = 4, [C_LSEEK] = 12, [C_ADD] = 10,
	[C_GET_SIZE] = 2, [C_BAD_IOCTL] = 3,
};

/* outcome classes counted for the summary */
enum outcome {
	OUT_OK, OUT_SHORT, OUT_ZERO, OUT_EBADF, OUT_EINVAL, OUT_EFAULT, OUT_ENOSPC,
	OUT_ENOTTY, OUT_OTHER, OUT_NR
};

static const char *const outcome_name[OUT_NR] = {
	"ok", "short", "zero", "EBADF", "EINVAL", "EFAULT", "ENOSPC",
	"ENOTTY", "other",
};

/* per-process counters, in memory shared with the parent */
struct counters {
	uint64_t calls;
	uint64_t divergences;
	uint64_t by_call[C_NR];
	uint64_t by_outcome[OUT_NR];
	uint64_t checked_bytes;
	int done;
};

/* a user pointer as the fuzzer chose it */
enum ptr_kind {
	P_DATA, P_UNALIGNED, P_TAIL, P_NULL, P_UNMAPPED, P_RDONLY, P_KERNEL,
	P_NR
};

static const char *const ptr_name[P_NR] = {
	"data", "data+unaligned", "data-tail", "NULL", "unmapped", "rdonly",
	"kernel",
};

struct slot {
	int fd;			/* -1: closed */
	int flags;		/* open flags */
	int64_t pos;		/* modelled file position */
};

/* one call, its parameters, and the predicted and actual results */
struct callrec {
	uint64_t nr;
	enum call call;
	int slot;
	int fd;
	int flags;
	int64_t pos;		/* position before the call */
	int64_t off;		/* pread/pwrite/lseek offset, add offset */
	int whence;
	uint64_t len;
	enum ptr_kind pk;
	uintptr_t ptr;
	unsigned int nr_iov;
	unsigned long cmd;
	int64_t exp;		/* expected return value, or -errno */
	int64_t got;
};

struct fuzzer {
	unsigned int idx;	/* process number */
	unsigned int procs;
	uint64_t seed;
	uint64_t rng;
	uint64_t calls;		/* calls to make */
	bool verbose;
	const char *dev;
	uint64_t size;		/* buffer size */
	uint64_t rbase, rlen;	/* own region */
	uint8_t *model;		/* expected contents of the region */
	uint8_t *scratch;	/* for region checks */
	int vfd;		/* verification fd, outside the fuzzing */
	struct slot slot[NR_SLOTS];
	/* test buffers: data (area_len) | unmapped | rdonly | unmapped */
	uint8_t *data;
	size_t area_len;
	uint8_t *unmapped;
	uint8_t *rdonly;
	struct callrec hist[HISTORY];
	struct counters *cnt;
};

/* ------------------------------------------------------------------ */
/* random numbers: splitmix64, one stream per process                  */

static uint64_t rnd(struct fuzzer *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [0, n), n > 0 */
static uint64_t below(struct fuzzer *f, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rnd(f) * n) >> 64);
}

/* uniform in [lo, hi] */
static uint64_t between(struct fuzzer *f, uint64_t lo, uint64_t hi)
{
	return lo + below(f, hi - lo + 1);
}

static bool chance(struct fuzzer *f, unsigned int percent)
{
	return below(f, 100) < percent;
}

/*
 * The slot a call uses: usually an open one, sometimes any (a closed slot
 * has fd -1: EBADF).
 */
static int pick_slot(struct fuzzer *f)
{
	int open[NR_SLOTS], n = 0, i;

	for (i = 0; i < NR_SLOTS; i++)
		if (f->slot[i].fd >= 0)
			open[n++] = i;
	if (n && !chance(f, 5))
		return open[below(f, n)];
	return (int)below(f, NR_SLOTS);
}

static void fill_random(struct fuzzer *f, uint8_t *p, size_t len)
{
	uint64_t v;

	while (len >= 8) {
		v = rnd(f);
		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	if (len) {
		v = rnd(f);
		memcpy(p, &v, len);
	}
}

/* ------------------------------------------------------------------ */
/* reporting                                                           */

static const char *errname(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EBADF, "EBADF" }, { EINVAL, "EINVAL" }, { EFAULT, "EFAULT" },
		{ ENOSPC, "ENOSPC" }, { ENOTTY, "ENOTTY" }, { EINTR, "EINTR" },
		{ ENOMEM, "ENOMEM" }, { ENXIO, "ENXIO" },
		{ EOVERFLOW, "EOVERFLOW" }, { ESPIPE, "ESPIPE" },
		{ EACCES, "EACCES" }, { ENOENT, "ENOENT" }, { EMFILE, "EMFILE" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	return "E?";
}

static void fmt_result(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "-1 %s (%d)", errname((int)-v), (int)-v);
	else
		snprintf(buf, len, "%" PRId64, v);
}

static const char *accmode(int flags)
{
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return "RDONLY";
	case O_WRONLY:
		return "WRONLY";
	case O_RDWR:
		return "RDWR";
	default:
		return "ACCMODE(3)";
	}
}

static void fmt_ptr(const struct fuzzer *f, char *buf, size_t len,
		    enum ptr_kind pk, uintptr_t p)
{
	if (p >= (uintptr_t)f->data && p < (uintptr_t)f->data + f->area_len)
		snprintf(buf, len, "%s:data+%#lx", ptr_name[pk],
			 (unsigned long)(p - (uintptr_t)f->data));
	else if (p >= (uintptr_t)f->rdonly && p < (uintptr_t)f->rdonly + PAGE)
		snprintf(buf, len, "%s:rdonly+%#lx", ptr_name[pk],
			 (unsigned long)(p - (uintptr_t)f->rdonly));
	else
		snprintf(buf, len, "%s:%#lx", ptr_name[pk], (unsigned long)p);
}

static void fmt_call(const struct fuzzer *f, const struct callrec *c,
		     char *buf, size_t len)
{
	char fd[64], ptr[64];

	snprintf(fd, sizeof(fd), "slot%d=fd%d[%s pos=%" PRId64 "]", c->slot,
		 c->fd, c->fd < 0 ? "closed" : accmode(c->flags), c->pos);
	fmt_ptr(f, ptr, sizeof(ptr), c->pk, c->ptr);
	switch (c->call) {
	case C_OPEN:
		snprintf(buf, len, "open(%s, %s%s) into slot%d", f->dev,
			 accmode(c->flags),
			 c->flags & O_NONBLOCK ? "|O_NONBLOCK" : "", c->slot);
		break;
	case C_CLOSE:
		snprintf(buf, len, "close(%s)", fd);
		break;
	case C_READ:
	case C_WRITE:
		snprintf(buf, len, "%s(%s, %s, len=%" PRIu64 ")",
			 call_name[c->call], fd, ptr, c->len);
		break;
	case C_PREAD:
	case C_PWRITE:
		snprintf(buf, len, "%s(%s, %s, len=%" PRIu64 ", off=%" PRId64 ")",
			 call_name[c->call], fd, ptr, c->len, c->off);
		break;
	case C_READV:
	case C_WRITEV:
		snprintf(buf, len, "%s(%s, %u iovecs, total=%" PRIu64 ", first %s)",
			 call_name[c->call], fd, c->nr_iov, c->len, ptr);
		break;
	case C_PREADV:
	case C_PWRITEV:
		snprintf(buf, len, "%s(%s, %u iovecs, total=%" PRIu64 ", first %s, off=%" PRId64 ")",
			 call_name[c->call], fd, c->nr_iov, c->len, ptr, c->off);
		break;
	case C_LSEEK:
		snprintf(buf, len, "lseek(%s, %" PRId64 ", whence=%d)", fd,
			 c->off, c->whence);
		break;
	case C_ADD:
		snprintf(buf, len, "ioctl(%s, ADD_U64, %s {offset=%" PRId64 "})",
			 fd, ptr, c->off);
		break;
	case C_GET_SIZE:
		snprintf(buf, len, "ioctl(%s, GET_SIZE, %s)", fd, ptr);
		break;
	case C_BAD_IOCTL:
		snprintf(buf, len, "ioctl(%s, %#lx, %s)", fd, c->cmd, ptr);
		break;
	default:
		snprintf(buf, len, "?");
	}
}

static void print_history(const struct fuzzer *f, uint64_t upto)
{
	char call[512], exp[64], got[64];
	uint64_t i, from = upto >= HISTORY ? upto - HISTORY + 1 : 1;

	fprintf(stderr, PROG ": proc %u: the last calls:\n", f->idx);
	for (i = from; i <= upto; i++) {
		const struct callrec *c = &f->hist[i % HISTORY];

		if (c->nr != i)
			continue;
		fmt_call(f, c, call, sizeof(call));
		fmt_result(exp, sizeof(exp), c->exp);
		fmt_result(got, sizeof(got), c->got);
		fprintf(stderr, "  #%" PRIu64 " %s = %s (expected %s)\n", c->nr,
			call, got, exp);
	}
}

/*
 * Report a divergence and stop this process: nothing after a divergence
 * can be trusted, and the seed replays it.
 */
#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

static void __noreturn __printf(3, 4)
diverge(struct fuzzer *f, const struct callrec *c, const char *fmt, ...)
{
	char call[512], what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c)
		fmt_call(f, c, call, sizeof(call));
	else
		snprintf(call, sizeof(call), "(setup)");
	fprintf(stderr, PROG ": DIVERGENCE seed=%" PRIu64 " proc=%u call=%" PRIu64
		": %s: %s\n", f->seed, f->idx, c ? c->nr : 0, call, what);
	if (c)
		print_history(f, c->nr);
	fprintf(stderr, PROG ": replay: " PROG " -d %s -s %" PRIu64 " -p %u -n %" PRIu64
		" -o %u -v\n", f->dev, f->seed, f->procs, f->calls * f->procs, f->idx);
	f->cnt->divergences++;
	f->cnt->done = 1;
	exit(1);
}

/* ------------------------------------------------------------------ */
/* the address-space model                                            */

/* bytes from p on that the kernel can store to (copy_to_user) */
static uint64_t writable_from(const struct fuzzer *f, uintptr_t p)
{
	uintptr_t d = (uintptr_t)f->data;

	if (p >= d && p < d + f->area_len)
		return d + f->area_len - p;
	return 0;
}

/* bytes from p on that the kernel can load from (copy_from_user) */
static uint64_t readable_from(const struct fuzzer *f, uintptr_t p)
{
	uintptr_t r = (uintptr_t)f->rdonly;

	if (p >= r && p < r + PAGE)
		return r + PAGE - p;
	return writable_from(f, p);
}

/*
 * access_ok(p, len): 1 yes, 0 no, -1 depends on the paging mode (the
 * generator avoids those).
 */
static int access_ok_model(uintptr_t p, uint64_t len)
{
	uintptr_t end = p + len;

	if (end < p || end > SURE_BAD)
		return 0;
	if (end <= SAFE_END)
		return 1;
	return -1;
}

/* ------------------------------------------------------------------ */
/* the buffer model                                                    */

static bool in_region(const struct fuzzer *f, int64_t pos, uint64_t len)
{
	return pos >= 0 && (uint64_t)pos >= f->rbase &&
	       (uint64_t)pos + len <= f->rbase + f->rlen;
}

/* compare [pos, pos+len) of the device, clipped to the region, with the model */
static void check_range(struct fuzzer *f, const struct callrec *c,
			int64_t pos, uint64_t len, const char *why)
{
	uint64_t lo, hi, i;
	ssize_t n;

	if (pos < 0)
		pos = 0;
	lo = (uint64_t)pos > f->rbase ? (uint64_t)pos : f->rbase;
	hi = (uint64_t)pos + len;
	if (hi < (uint64_t)pos || hi > f->rbase + f->rlen)
		hi = f->rbase + f->rlen;
	if (lo >= hi)
		return;
	n = pread(f->vfd, f->scratch, hi - lo, (off_t)lo);
	if (n != (ssize_t)(hi - lo))
		diverge(f, c, "%s: pread of %" PRIu64 " bytes at %" PRIu64 " for the check returned %zd (%s)",
			why, hi - lo, lo, n, n < 0 ? strerror(errno) : "short");
	f->cnt->checked_bytes += hi - lo;
	if (!memcmp(f->scratch, f->model + (lo - f->rbase), hi - lo))
		return;
	for (i = 0; i < hi - lo; i++)
		if (f->scratch[i] != f->model[lo - f->rbase + i])
			break;
	diverge(f, c, "%s: buffer byte %" PRIu64 " is %#x, the model says %#x",
		why, lo + i, f->scratch[i], f->model[lo - f->rbase + i]);
}

static void check_region(struct fuzzer *f, const struct callrec *c)
{
	check_range(f, c, (int64_t)f->rbase, f->rlen, "region check");
}

/* ------------------------------------------------------------------ */
/* generators                                                          */

static uint64_t gen_len(struct fuzzer *f)
{
	static const uint64_t huge[] = {
		1ul << 31, MAX_RW, MAX_RW + 1, 1ul << 32, 1ul << 40,
		1ul << 62, (uint64_t)LLONG_MAX, (uint64_t)LLONG_MAX + 1,
		UINT64_MAX, UINT64_MAX - 7,
	};
	uint64_t r = below(f, 100);

	if (r < 20)
		return below(f, 17);
	if (r < 45)
		return between(f, 1, 256);
	if (r < 65)
		return between(f, 1, 4096);
	if (r < 75)
		return between(f, 1, f->rlen);
	if (r < 80)
		return PAGE * between(f, 1, 4) + between(f, 0, 2) - 1;
	if (r < 90) {
		uint64_t s[] = { f->size - 1, f->size, f->size + 1,
				 f->area_len, f->area_len + 1, f->rlen,
				 f->rlen + 1 };

		return s[below(f, ARRAY_SIZE(s))];
	}
	return huge[below(f, ARRAY_SIZE(huge))];
}

static int64_t gen_pos(struct fuzzer *f)
{
	uint64_t r = below(f, 100);
	int64_t sz = (int64_t)f->size;

	if (r < 45)
		return (int64_t)(f->rbase + below(f, f->rlen));
	if (r < 55) {
		int64_t e[] = { (int64_t)f->rbase,
				(int64_t)(f->rbase + f->rlen) - 1,
				(int64_t)(f->rbase + f->rlen) - 8,
				(int64_t)(f->rbase + f->rlen) -
					(int64_t)between(f, 1, 64) };

		return e[below(f, 4)];
	}
	if (r < 70)
		return (int64_t)below(f, f->size);
	{
		int64_t s[] = { sz - 1, sz, sz + 1, sz - 8, sz - 7,
				sz + (int64_t)below(f, 1ul << 32), -1,
				LLONG_MIN, LLONG_MAX, LLONG_MAX - 7,
				-(int64_t)between(f, 1, 1ul << 40), -sz, 0,
				1ll << 40, (int64_t)(1ull << 62) };

		return s[below(f, ARRAY_SIZE(s))];
	}
}

/*
 * A user pointer for a transfer of len bytes.  Data pointers are placed
 * so that the transfer usually fits the data area; tail pointers make it
 * run into the unmapped page after it.
 */
static uintptr_t gen_ptr(struct fuzzer *f, uint64_t len, enum ptr_kind *pk)
{
	uint64_t r = below(f, 100), fit, o;
	uintptr_t d = (uintptr_t)f->data;

	fit = len < f->area_len ? f->area_len - len : 0;
	if (r < 60) {
		*pk = P_DATA;
		return d + (below(f, fit + 1) & ~7ul);
	}
	if (r < 72) {
		*pk = P_UNALIGNED;
		o = (below(f, fit + 1) & ~7ul) + between(f, 1, 7);
		return d + (o < f->area_len ? o : f->area_len - 1);
	}
	if (r < 82) {
		*pk = P_TAIL;
		o = between(f, 1, len && len < f->area_len ? len : 64);
		return d + f->area_len - o;
	}
	if (r < 86) {
		*pk = P_NULL;
		return 0;
	}
	if (r < 90) {
		*pk = P_UNMAPPED;
		return (uintptr_t)f->unmapped + below(f, PAGE);
	}
	if (r < 96) {
		*pk = P_RDONLY;
		return (uintptr_t)f->rdonly + below(f, PAGE);
	}
	*pk = P_KERNEL;
	return KERNEL_PTR + below(f, 1ul << 20);
}

static int gen_open_flags(struct fuzzer *f)
{
	static const int flags[] = {
		O_RDWR, O_RDWR, O_RDWR, O_RDWR, O_RDWR, O_RDWR, O_RDWR,
		O_RDWR | O_CLOEXEC, O_RDWR | O_NONBLOCK, O_RDONLY, O_WRONLY,
		O_ACCMODE,
	};

	return flags[below(f, ARRAY_SIZE(flags))];
}

/* ------------------------------------------------------------------ */
/* model of one transfer                                               */

struct xfer {
	bool read;		/* device -> user */
	bool positional;	/* pread/pwrite: pos given, f_pos unchanged */
	int64_t pos;
	uint64_t len;
	uintptr_t ptr;
};

/*
 * Expected result of a single-buffer read/write/pread/pwrite, or -2 when
 * access_ok() depends on the paging mode (the caller draws again).
 */
static int64_t model_xfer(const struct fuzzer *f, const struct slot *s,
			  const struct xfer *x)
{
	uint64_t count, n, v;
	int ok;

	if (x->positional && x->pos < 0)
		return -EINVAL;
	if (s->fd < 0)
		return -EBADF;
	if ((s->flags & O_ACCMODE) == O_ACCMODE ||
	    (x->read && (s->flags & O_ACCMODE) == O_WRONLY) ||
	    (!x->read && (s->flags & O_ACCMODE) == O_RDONLY))
		return -EBADF;
	ok = access_ok_model(x->ptr, x->len);
	if (ok < 0)
		return -2;
	if (!ok)
		return -EFAULT;
	if ((int64_t)x->len < 0 ||
	    (int64_t)((uint64_t)x->pos + x->len) < 0)
		return -EINVAL;
	count = x->len < MAX_RW ? x->len : MAX_RW;
	if (!count)
		return 0;
	if ((uint64_t)x->pos >= f->size)
		return x->read ? 0 : -ENOSPC;
	n = f->size - (uint64_t)x->pos;
	if (count < n)
		n = count;
	v = x->read ? writable_from(f, x->ptr) : readable_from(f, x->ptr);
	if (!v)
		return -EFAULT;
	return (int64_t)(n < v ? n : v);
}

static enum outcome classify(int64_t v, uint64_t asked)
{
	if (v >= 0)
		return v == 0 && asked ? OUT_ZERO :
		       (uint64_t)v < asked ? OUT_SHORT : OUT_OK;
	switch (-v) {
	case EBADF:
		return OUT_EBADF;
	case EINVAL:
		return OUT_EINVAL;
	case EFAULT:
		return OUT_EFAULT;
	case ENOSPC:
		return OUT_ENOSPC;
	case ENOTTY:
		return OUT_ENOTTY;
	default:
		return OUT_OTHER;
	}
}

static int64_t sys_result(int64_t ret)
{
	return ret < 0 ? -(int64_t)errno : ret;
}

/* ------------------------------------------------------------------ */
/* the calls                                                           */

static struct callrec *new_call(struct fuzzer *f, uint64_t nr, enum call call,
				int slot)
{
	struct callrec *c = &f->hist[nr % HISTORY];

	memset(c, 0, sizeof(*c));
	c->nr = nr;
	c->call = call;
	c->slot = slot;
	if (slot >= 0) {
		c->fd = f->slot[slot].fd;
		c->flags = f->slot[slot].flags;
		c->pos = f->slot[slot].pos;
	}
	return c;
}

static void expect(struct fuzzer *f, struct callrec *c)
{
	char exp[64], got[64];

	f->cnt->by_call[c->call]++;
	f->cnt->by_outcome[classify(c->got, c->call >= C_LSEEK ? 0 : c->len)]++;
	if (f->verbose) {
		char call[512];

		fmt_call(f, c, call, sizeof(call));
		fmt_result(got, sizeof(got), c->got);
		printf("[%u] #%" PRIu64 " %s = %s\n", f->idx, c->nr, call, got);
	}
	if (c->got == c->exp)
		return;
	fmt_result(exp, sizeof(exp), c->exp);
	fmt_result(got, sizeof(got), c->got);
	diverge(f, c, "expected %s, got %s", exp, got);
}

static void do_open(struct fuzzer *f, uint64_t nr)
{
	int i, flags = gen_open_flags(f);
	struct slot *s;
	struct callrec *c;
	int fd;

	for (i = 0; i < NR_SLOTS && f->slot[i].fd >= 0; i++)
		;
	if (i == NR_SLOTS)
		i = (int)below(f, NR_SLOTS);
	s = &f->slot[i];
	if (s->fd >= 0) {	/* all open: close one, as this call */
		c = new_call(f, nr, C_CLOSE, i);
		c->got = sys_result(close(s->fd));
		c->exp = 0;
		s->fd = -1;
		expect(f, c);
		return;
	}
	c = new_call(f, nr, C_OPEN, i);
	c->flags = flags;
	fd = open(f->dev, flags);
	c->got = fd < 0 ? -(int64_t)errno : 0;
	c->exp = 0;
	if (fd >= 0) {
		s->fd = fd;
		s->flags = flags;
		s->pos = 0;
		c->fd = fd;
	}
	expect(f, c);
}

static void do_close(struct fuzzer *f, uint64_t nr)
{
	int i = pick_slot(f);
	struct slot *s = &f->slot[i];
	struct callrec *c = new_call(f, nr, C_CLOSE, i);

	c->got = sys_result(close(s->fd));
	c->exp = s->fd < 0 ? -EBADF : 0;
	s->fd = -1;
	expect(f, c);
}

/*
 * Predict a transfer and arrange the memory around it: the source bytes
 * of a write are randomised, the destination of a read is filled with a
 * marker so that both the bytes a read must deliver and the bytes it must
 * not touch can be checked.  For a write, the predicted change must fall
 * in the process's own region; otherwise return false and draw again.
 */
static bool plan_xfer(struct fuzzer *f, const struct slot *s, struct xfer *x,
		      int64_t *exp, uint8_t *marker)
{
	int64_t e = model_xfer(f, s, x);

	if (e == -2)
		return false;
	if (!x->read && e > 0 && !in_region(f, x->pos, (uint64_t)e))
		return false;
	*exp = e;
	if (!x->read) {
		if (e > 0 && writable_from(f, x->ptr))
			fill_random(f, (uint8_t *)x->ptr, (size_t)e);
		return true;
	}
	/* read: mark what the read must write (own part) and 64 bytes after */
	*marker = (uint8_t)rnd(f);
	if (writable_from(f, x->ptr)) {
		uint64_t w = writable_from(f, x->ptr);
		uint64_t done = e > 0 ? (uint64_t)e : 0;
		uint64_t after = w - done < 64 ? w - done : 64;

		memset((uint8_t *)x->ptr + done, *marker, after);
		if (done) {
			uint64_t lo = (uint64_t)x->pos > f->rbase ?
				      (uint64_t)x->pos : f->rbase;
			uint64_t hi = (uint64_t)x->pos + done;

			if (hi > f->rbase + f->rlen)
				hi = f->rbase + f->rlen;
			if (lo < hi)
				memset((uint8_t *)x->ptr + (lo - (uint64_t)x->pos),
				       *marker, hi - lo);
		}
	}
	return true;
}

/* after a read that returned got: check the delivered and untouched bytes */
static void check_read(struct fuzzer *f, const struct callrec *c,
		       const struct xfer *x, uint8_t marker)
{
	uint64_t w = writable_from(f, x->ptr), done, after, lo, hi, i;
	const uint8_t *p = (const uint8_t *)x->ptr;

	if (!w)
		return;
	done = c->got > 0 ? (uint64_t)c->got : 0;
	after = w - done < 64 ? w - done : 64;
	for (i = 0; i < after; i++)
		if (p[done + i] != marker)
			diverge(f, c, "the read changed user byte %" PRIu64
				" past the %" PRIu64 " it returned", done + i, done);
	if (!done)
		return;
	lo = (uint64_t)x->pos > f->rbase ? (uint64_t)x->pos : f->rbase;
	hi = (uint64_t)x->pos + done;
	if (hi > f->rbase + f->rlen)
		hi = f->rbase + f->rlen;
	if (lo >= hi)
		return;
	f->cnt->checked_bytes += hi - lo;
	if (!memcmp(p + (lo - (uint64_t)x->pos), f->model + (lo - f->rbase), hi - lo))
		return;
	for (i = lo; i < hi; i++)
		if (p[i - (uint64_t)x->pos] != f->model[i - f->rbase])
			break;
	diverge(f, c, "read delivered %#x for buffer byte %" PRIu64 ", the model says %#x",
		p[i - (uint64_t)x->pos], i, f->model[i - f->rbase]);
}

/* after a write: update the model, check what changed and around it */
static void after_write(struct fuzzer *f, const struct callrec *c,
			const struct xfer *x)
{
	uint64_t span;

	if (c->got > 0) {
		memcpy(f->model + ((uint64_t)x->pos - f->rbase),
		       (const void *)x->ptr, (size_t)c->got);
		check_range(f, c, x->pos - 16, (uint64_t)c->got + 32,
			    "after the write");
		return;
	}
	/* a failed or empty write must leave its target alone */
	span = x->len < 4096 ? x->len : 4096;
	check_range(f, c, x->pos - 16, span + 32, "after the failed write");
}

/* the file position must be where the model says (pread/pwrite included) */
static void check_pos(struct fuzzer *f, const struct callrec *c,
		      const struct slot *s)
{
	int64_t pos;

	if (s->fd < 0)
		return;
	pos = lseek(s->fd, 0, SEEK_CUR);
	if (pos != s->pos)
		diverge(f, c, "file position is %" PRId64 ", the model says %" PRId64,
			pos, s->pos);
}

/*
 * The call instead of a write(2) whose position lies in another process's
 * region: move the position into the own region.
 */
static void seek_into_region(struct fuzzer *f, uint64_t nr, int i)
{
	struct slot *s = &f->slot[i];
	struct callrec *c = new_call(f, nr, C_LSEEK, i);
	int64_t to = (int64_t)(f->rbase + below(f, f->rlen));

	c->off = to;
	c->whence = SEEK_SET;
	c->exp = s->fd < 0 ? -EBADF : to;
	c->got = sys_result(lseek(s->fd, to, SEEK_SET));
	if (c->got >= 0 && s->fd >= 0)
		s->pos = c->got;
	expect(f, c);
}

static void do_rw(struct fuzzer *f, uint64_t nr, enum call call)
{
	bool positional = call == C_PREAD || call == C_PWRITE;
	bool is_read = call == C_READ || call == C_PREAD;
	int i = pick_slot(f);
	struct slot *s = &f->slot[i];
	struct callrec *c;
	struct xfer x;
	uint8_t marker = 0;
	int64_t exp = 0;
	int tries;

	for (tries = 0; ; tries++) {
		x.read = is_read;
		x.positional = positional;
		x.pos = positional ? gen_pos(f) : s->pos;
		x.len = gen_len(f);
		if (!is_read && tries > 4 && chance(f, 50))
			x.len = below(f, 64);
		{
			enum ptr_kind pk;

			x.ptr = gen_ptr(f, x.len, &pk);
			c = new_call(f, nr, call, i);
			c->pk = pk;
		}
		if (plan_xfer(f, s, &x, &exp, &marker))
			break;
		if (tries == 16) {
			/* write(2) at a position outside the region: seek */
			seek_into_region(f, nr, i);
			return;
		}
	}
	c->ptr = x.ptr;
	c->len = x.len;
	c->off = x.pos;
	c->exp = exp;
	switch (call) {
	case C_READ:
		c->got = sys_result(read(s->fd, (void *)x.ptr, x.len));
		break;
	case C_WRITE:
		c->got = sys_result(write(s->fd, (const void *)x.ptr, x.len));
		break;
	case C_PREAD:
		c->got = sys_result(pread(s->fd, (void *)x.ptr, x.len, x.pos));
		break;
	default:
		c->got = sys_result(pwrite(s->fd, (const void *)x.ptr, x.len, x.pos));
		break;
	}
	if (!positional && c->got > 0 && s->fd >= 0)
		s->pos += c->got;
	expect(f, c);
	check_pos(f, c, s);
	if (is_read)
		check_read(f, c, &x, marker);
	else if (x.pos >= 0)
		after_write(f, c, &x);
}

/*
 * Segment k of n of a vector call: a piece of the k-th quarter of the
 * data area (so segments never overlap), or now and then a bad pointer;
 * the last segment may run into the unmapped page after the data area.
 */
/*
 * The driver's part of a vector transfer: min(total, size - pos) bytes,
 * segment by segment, stopping at the first byte that faults; EFAULT if
 * that is the first byte of all.
 */
static int64_t model_vec_xfer(const struct fuzzer *f, const struct iovec *iov,
			      unsigned int n, int64_t pos, uint64_t total,
			      bool is_read)
{
	uint64_t cnt = f->size - (uint64_t)pos, used = 0, len, avail;
	unsigned int k;

	if (total < cnt)
		cnt = total;
	for (k = 0; k < n && used < cnt; k++) {
		uintptr_t p = (uintptr_t)iov[k].iov_base;

		len = iov[k].iov_len;
		if (len > cnt - used)
			len = cnt - used;
		avail = is_read ? writable_from(f, p) : readable_from(f, p);
		if (avail < len) {
			used += avail;
			break;
		}
		used += len;
	}
	return used ? (int64_t)used : -EFAULT;
}

static enum ptr_kind gen_segment(struct fuzzer *f, struct iovec *iov,
				 unsigned int k, unsigned int n, uint64_t room)
{
	uintptr_t base = (uintptr_t)f->data + k * room;
	uint64_t len = chance(f, 20) ? 0 : between(f, 1, room > 512 ? 512 : room);
	enum ptr_kind pk = P_DATA;
	uintptr_t p = base + below(f, room - len + 1);

	if (chance(f, 10)) {
		p = gen_ptr(f, len, &pk);
		if (pk == P_TAIL && k == n - 1 && len) {
			p = (uintptr_t)f->data + f->area_len - between(f, 1, len);
		} else if (pk == P_DATA || pk == P_UNALIGNED || pk == P_TAIL) {
			pk = P_DATA;
			p = base + below(f, room - len + 1);
		}
	}
	iov->iov_base = (void *)p;
	iov->iov_len = len;
	return pk;
}

/*
 * readv/writev family: up to MAX_IOV segments, mostly good, sometimes one
 * of them bad.  Model (fs/read_write.c, lib/iov_iter.c): the iovec array
 * is imported first (a segment failing access_ok -> EFAULT), then the fd
 * checks, then the transfer, which stops at the first byte that faults:
 * the result is the bytes before it, or EFAULT if there are none.
 */
static void do_rwv(struct fuzzer *f, uint64_t nr, enum call call)
{
	bool positional = call == C_PREADV || call == C_PWRITEV;
	bool is_read = call == C_READV || call == C_PREADV;
	int i = pick_slot(f);
	struct slot *s = &f->slot[i];
	struct iovec iov[MAX_IOV];
	struct callrec *c;
	unsigned int n, k;
	uint64_t total, room, used;
	int64_t pos, exp;
	bool fault;
	int tries;

	for (tries = 0; ; tries++) {
		enum ptr_kind pk0 = P_DATA;
		bool wrong_mode;

		if (tries == 32) {
			/* writev at a position outside the region: seek */
			seek_into_region(f, nr, i);
			return;
		}
		c = new_call(f, nr, call, i);
		n = (unsigned int)between(f, 1, MAX_IOV);
		pos = positional ? gen_pos(f) : s->pos;
		if (tries > 8 && !is_read && positional)
			pos = (int64_t)(f->rbase + below(f, f->rlen));
		/* segments: disjoint pieces of the data area, or a bad pointer */
		room = f->area_len / MAX_IOV;
		total = 0;
		for (k = 0; k < n; k++) {
			enum ptr_kind pk = gen_segment(f, &iov[k], k, n, room);

			if (!k)
				pk0 = pk;
			total += iov[k].iov_len;
		}
		c->nr_iov = n;
		c->len = total;
		c->off = pos;
		c->ptr = (uintptr_t)iov[0].iov_base;
		c->pk = pk0;

		/* import: every segment must pass access_ok */
		exp = 0;
		fault = false;
		for (k = 0; k < n; k++) {
			int ok = access_ok_model((uintptr_t)iov[k].iov_base, iov[k].iov_len);

			if (ok < 0)
				break;
			if (!ok)
				fault = true;
		}
		if (k < n)
			continue;	/* paging-mode dependent: draw again */
		wrong_mode = (s->flags & O_ACCMODE) == O_ACCMODE ||
			     (is_read && (s->flags & O_ACCMODE) == O_WRONLY) ||
			     (!is_read && (s->flags & O_ACCMODE) == O_RDONLY);
		/*
		 * 6.1 imports the iovecs before checking the file mode,
		 * later kernels check the mode first: avoid the case where
		 * the order shows.
		 */
		if (s->fd >= 0 && wrong_mode && fault)
			continue;
		if (positional && pos < 0)
			exp = -EINVAL;
		else if (s->fd < 0)
			exp = -EBADF;
		else if (fault)
			exp = -EFAULT;
		else if (wrong_mode)
			exp = -EBADF;
		else if (!total)
			exp = 0;
		else if ((int64_t)((uint64_t)pos + total) < 0)
			exp = -EINVAL;
		else if ((uint64_t)pos >= f->size)
			exp = is_read ? 0 : -ENOSPC;
		else
			exp = model_vec_xfer(f, iov, n, pos, total, is_read);
		if (!is_read && exp > 0 && !in_region(f, pos, (uint64_t)exp))
			continue;
		break;
	}
	c->exp = exp;
	/* sources random; destinations marked */
	for (k = 0; k < n; k++) {
		uintptr_t b = (uintptr_t)iov[k].iov_base;
		uint64_t w = writable_from(f, b);

		if (w >= iov[k].iov_len && iov[k].iov_len) {
			if (is_read)
				memset((void *)b, 0xa5, iov[k].iov_len);
			else
				fill_random(f, (uint8_t *)b, iov[k].iov_len);
		}
	}
	switch (call) {
	case C_READV:
		c->got = sys_result(readv(s->fd, iov, (int)n));
		break;
	case C_WRITEV:
		c->got = sys_result(writev(s->fd, iov, (int)n));
		break;
	case C_PREADV:
		c->got = sys_result(preadv(s->fd, iov, (int)n, pos));
		break;
	default:
		c->got = sys_result(pwritev(s->fd, iov, (int)n, pos));
		break;
	}
	if (!positional && c->got > 0 && s->fd >= 0)
		s->pos += c->got;
	expect(f, c);
	check_pos(f, c, s);

	/* walk the delivered bytes: reads compare, writes update the model */
	used = c->got > 0 ? (uint64_t)c->got : 0;
	for (k = 0; k < n && used; k++) {
		uint64_t take = iov[k].iov_len < used ? iov[k].iov_len : used;
		uint64_t p0 = (uint64_t)pos + ((uint64_t)c->got - used), j;
		const uint8_t *b = iov[k].iov_base;

		for (j = 0; j < take; j++) {
			uint64_t at = p0 + j;

			if (at < f->rbase || at >= f->rbase + f->rlen)
				continue;
			if (is_read) {
				if (b[j] != f->model[at - f->rbase])
					diverge(f, c, "read delivered %#x for buffer byte %" PRIu64
						" (segment %u), the model says %#x",
						b[j], at, k, f->model[at - f->rbase]);
			} else {
				f->model[at - f->rbase] = b[j];
			}
		}
		used -= take;
	}
	if (!is_read && pos >= 0)
		check_range(f, c, pos - 16, (c->got > 0 ? (uint64_t)c->got : total) + 32,
			    "after the vector write");
}

static void do_lseek(struct fuzzer *f, uint64_t nr)
{
	static const int whences[] = {
		SEEK_SET, SEEK_SET, SEEK_SET, SEEK_CUR, SEEK_CUR, SEEK_END,
		SEEK_END, SEEK_DATA, SEEK_HOLE, 5, -1, 1000,
	};
	int i = pick_slot(f);
	struct slot *s = &f->slot[i];
	struct callrec *c = new_call(f, nr, C_LSEEK, i);
	__int128 base, to;
	int64_t off;

	c->whence = whences[below(f, ARRAY_SIZE(whences))];
	switch (below(f, 4)) {
	case 0:
		off = gen_pos(f);
		break;
	case 1:
		off = (int64_t)below(f, f->size + 1) - (c->whence == SEEK_END ?
			(int64_t)f->size : c->whence == SEEK_CUR ? s->pos : 0);
		break;
	case 2:
		off = (int64_t)between(f, 0, 16) - 8;
		break;
	default:
		off = gen_pos(f);
		off = off == LLONG_MIN ? LLONG_MIN : -off;
		break;
	}
	c->off = off;
	if (s->fd < 0) {
		c->exp = -EBADF;
	} else {
		switch (c->whence) {
		case SEEK_SET:
			base = 0;
			break;
		case SEEK_CUR:
			base = s->pos;
			break;
		case SEEK_END:
			base = f->size;
			break;
		default:	/* SEEK_DATA, SEEK_HOLE, junk */
			base = -1;
			break;
		}
		to = base + off;
		if (base < 0 || to < 0 || to > (__int128)f->size)
			c->exp = -EINVAL;
		else
			c->exp = (int64_t)to;
	}
	c->got = sys_result(lseek(s->fd, off, c->whence));
	if (c->got >= 0 && s->fd >= 0)
		s->pos = c->got;
	expect(f, c);
	check_pos(f, c, s);
}

static int64_t gen_add_offset(struct fuzzer *f)
{
	int64_t sz = (int64_t)f->size;
	uint64_t r = below(f, 100);

	if (r < 70)
		return (int64_t)(f->rbase + below(f, f->rlen - 7));
	if (r < 80) {
		int64_t e[] = { (int64_t)f->rbase,
				(int64_t)(f->rbase + f->rlen - 8) };

		return e[below(f, 2)];
	}
	{
		int64_t s[] = { sz - 7, sz - 1, sz, sz + 1, -1, -8, LLONG_MIN,
				LLONG_MAX, LLONG_MAX - 7, LLONG_MAX - 6,
				-(int64_t)between(f, 1, 1ul << 40),
				sz + (int64_t)below(f, 1ul << 40) };

		return s[below(f, ARRAY_SIZE(s))];
	}
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static void do_add(struct fuzzer *f, uint64_t nr)
{
	int i = pick_slot(f);
	struct slot *s = &f->slot[i];
	struct callrec *c = new_call(f, nr, C_ADD, i);
	struct mymem_add arg, *ua;
	uint64_t delta, newval = 0;
	int64_t off = gen_add_offset(f);
	bool own = in_region(f, off, 8);
	enum ptr_kind pk;

	delta = chance(f, 50) ? between(f, 0, 3) : rnd(f);
	if (chance(f, 10))
		delta = -between(f, 1, 3);
	ua = (struct mymem_add *)gen_ptr(f, sizeof(arg), &pk);
	if (pk == P_RDONLY) {
		/* readable argument (prepared in setup), unwritable result */
		ua = (struct mymem_add *)f->rdonly + below(f, PAGE / sizeof(arg));
		off = ua->offset;
		own = true;
	}
	c->pk = pk;
	c->ptr = (uintptr_t)ua;
	c->off = off;
	c->len = sizeof(arg);

	arg.offset = off;
	arg.delta = delta;
	arg.result = rnd(f);
	if (writable_from(f, (uintptr_t)ua) >= sizeof(arg))
		memcpy(ua, &arg, sizeof(arg));
	else if (writable_from(f, (uintptr_t)ua))	/* straddles the hole */
		memcpy(ua, &arg, writable_from(f, (uintptr_t)ua));

	if (s->fd < 0 || (s->flags & O_ACCMODE) != O_RDWR)
		c->exp = -EBADF;	/* the add reads and writes */
	else if (readable_from(f, (uintptr_t)ua) < sizeof(arg))
		c->exp = -EFAULT;
	else if (pk == P_RDONLY)
		/* a valid offset in the region: the add must not happen */
		c->exp = -EFAULT;
	else if (off < 0 || (uint64_t)off > f->size - 8)
		c->exp = -EINVAL;
	else if (!own)
		c->exp = -2;	/* a valid offset outside the region: not allowed */
	else
		c->exp = 0;

	if (c->exp == -2) {
		/* retarget to the region: the call must not touch others' bytes */
		off = (int64_t)(f->rbase + below(f, f->rlen - 7));
		c->off = off;
		arg.offset = off;
		memcpy(ua, &arg, sizeof(arg));
		c->exp = 0;
		own = true;
	}
	if (c->exp == 0)
		newval = get_le64(f->model + (off - (int64_t)f->rbase)) + delta;
	c->got = sys_result(ioctl(s->fd, MYMEM_IOC_ADD_U64, ua));
	expect(f, c);
	if (c->got == 0) {
		struct mymem_add out;

		memcpy(&out, ua, sizeof(out));	/* ua may be unaligned */
		if (out.result != newval)
			diverge(f, c, "result is %#" PRIx64 ", the model says %#" PRIx64,
				(uint64_t)out.result, newval);
		if (out.offset != off || out.delta != delta)
			diverge(f, c, "the call changed its argument's offset or delta");
		put_le64(f->model + (off - (int64_t)f->rbase), newval);
	}
	if (own)
		check_range(f, c, off - 8, 24, "after the add");
}

static void do_get_size(struct fuzzer *f, uint64_t nr)
{
	int i = pick_slot(f);
	struct slot *s = &f->slot[i];
	struct callrec *c = new_call(f, nr, C_GET_SIZE, i);
	enum ptr_kind pk;
	uint8_t *p = (uint8_t *)gen_ptr(f, 8, &pk);	/* any alignment */

	c->pk = pk;
	c->ptr = (uintptr_t)p;
	c->len = 8;
	if (s->fd < 0)
		c->exp = -EBADF;
	else if (writable_from(f, (uintptr_t)p) < 8)
		c->exp = -EFAULT;
	else
		c->exp = 0;
	if (writable_from(f, (uintptr_t)p) >= 8)
		memset(p, 0xee, 8);
	c->got = sys_result(ioctl(s->fd, MYMEM_IOC_GET_SIZE, p));
	expect(f, c);
	if (!c->got) {
		uint64_t v;

		memcpy(&v, p, 8);
		if (v != f->size)
			diverge(f, c, "GET_SIZE gave %" PRIu64 ", the size is %" PRIu64,
				v, f->size);
	}
}

static void do_bad_ioctl(struct fuzzer *f, uint64_t nr)
{
	int i = pick_slot(f);
	struct slot *s = &f->slot[i];
	struct callrec *c = new_call(f, nr, C_BAD_IOCTL, i);
	enum ptr_kind pk;
	unsigned long cmd;
	uintptr_t p = gen_ptr(f, 64, &pk);

	/*
	 * Only commands of mymem's own type: other types include ioctls the
	 * VFS answers itself for every file (FIOCLEX, FIFREEZE, ...).
	 */
	do {
		if (chance(f, 10))
			cmd = 0;
		else
			cmd = _IOC(below(f, 4), MYMEM_IOC_MAGIC, below(f, 256),
				   below(f, 1u << 14));
	} while (cmd == MYMEM_IOC_ADD_U64 || cmd == MYMEM_IOC_GET_SIZE);
	c->cmd = cmd;
	c->pk = pk;
	c->ptr = p;
	c->exp = s->fd < 0 ? -EBADF : -ENOTTY;
	c->got = sys_result(ioctl(s->fd, cmd, p));
	expect(f, c);
}

/* ------------------------------------------------------------------ */
/* one process                                                         */

static void setup_memory(struct fuzzer *f)
{
	size_t total = f->area_len + 3 * PAGE;
	uint8_t *base;

	base = mmap((void *)AREA_BASE, total, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (base == MAP_FAILED || base != (uint8_t *)AREA_BASE) {
		fprintf(stderr, PROG ": cannot map the test buffers at %#lx: %s\n",
			AREA_BASE, strerror(errno));
		exit(1);
	}
	f->data = base;
	f->unmapped = base + f->area_len;
	f->rdonly = f->unmapped + PAGE;
	/*
	 * The read-only page holds add arguments aimed at the own region
	 * with a non-zero delta: an ADD_U64 that changes the buffer before
	 * finding that it cannot store the result shows in the region.
	 */
	for (struct mymem_add *a = (struct mymem_add *)f->rdonly;
	     (uint8_t *)(a + 1) <= f->rdonly + PAGE; a++) {
		a->offset = (int64_t)(f->rbase + below(f, f->rlen - 7));
		a->delta = between(f, 1, 1000);
		a->result = 0;
	}
	/* data | unmapped | rdonly (zeros) | unmapped */
	if (munmap(f->unmapped, PAGE) ||
	    mprotect(f->rdonly, PAGE, PROT_READ) ||
	    munmap(f->rdonly + PAGE, PAGE)) {
		fprintf(stderr, PROG ": setting up the test buffers: %s\n",
			strerror(errno));
		exit(1);
	}
}

static void run_process(struct fuzzer *f)
{
	uint64_t nr, total_weight = 0, w;
	unsigned int k;
	ssize_t n;

	setup_memory(f);
	f->model = malloc(f->rlen);
	f->scratch = malloc(f->rlen);
	if (!f->model || !f->scratch) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(1);
	}
	f->vfd = open(f->dev, O_RDWR);
	if (f->vfd < 0) {
		fprintf(stderr, PROG ": proc %u: cannot open %s: %s\n", f->idx,
			f->dev, strerror(errno));
		exit(1);
	}
	for (k = 0; k < NR_SLOTS; k++)
		f->slot[k].fd = -1;

	/* a known start: the region filled with random bytes */
	fill_random(f, f->model, f->rlen);
	n = pwrite(f->vfd, f->model, f->rlen, (off_t)f->rbase);
	if (n != (ssize_t)f->rlen)
		diverge(f, NULL, "filling the region [%" PRIu64 ", +%" PRIu64 ") returned %zd (%s)",
			f->rbase, f->rlen, n, n < 0 ? strerror(errno) : "short");
	check_region(f, NULL);

	for (k = 0; k < C_NR; k++)
		total_weight += call_weight[k];
	for (nr = 1; nr <= f->calls; nr++) {
		w = below(f, total_weight);
		for (k = 0; w >= call_weight[k]; k++)
			w -= call_weight[k];
		switch ((enum call)k) {
		case C_OPEN:
			do_open(f, nr);
			break;
		case C_CLOSE:
			do_close(f, nr);
			break;
		case C_READ:
		case C_WRITE:
		case C_PREAD:
		case C_PWRITE:
			do_rw(f, nr, k);
			break;
		case C_READV:
		case C_WRITEV:
		case C_PREADV:
		case C_PWRITEV:
			do_rwv(f, nr, k);
			break;
		case C_LSEEK:
			do_lseek(f, nr);
			break;
		case C_ADD:
			do_add(f, nr);
			break;
		case C_GET_SIZE:
			do_get_size(f, nr);
			break;
		default:
			do_bad_ioctl(f, nr);
			break;
		}
		f->cnt->calls = nr;
		if (nr % FULL_CHECK == 0)
			check_region(f, &f->hist[nr % HISTORY]);
	}
	if (f->calls)
		check_region(f, &f->hist[f->calls % HISTORY]);
	for (k = 0; k < NR_SLOTS; k++)
		if (f->slot[k].fd >= 0)
			close(f->slot[k].fd);
	close(f->vfd);
	f->cnt->done = 1;
}

/* ------------------------------------------------------------------ */

static void usage(FILE *out)
{
	fprintf(out,
"usage: " PROG " [-d DEV] [-p PROCS] [-n CALLS] [-s SEED] [-o PROC] [-v]\n"
"\n"
"Random open/close/read/write/pread/pwrite/readv/writev/lseek/ioctl calls\n"
"on the mymem device from several processes, every result and the buffer\n"
"contents checked against a model of the documented semantics.\n"
"\n"
"  -d DEV    device (default " MM_DEFAULT_DEV ")\n"
"  -p PROCS  processes, 1..%d (default 4); each owns 1/PROCS of the buffer\n"
"            (at most %lu bytes) for its writes\n"
"  -n CALLS  total calls over all processes (default 1000000)\n"
"  -s SEED   random seed (default: from the clock); printed at the start\n"
"  -o PROC   replay only process PROC (0..PROCS-1) of a run with the same\n"
"            -s, -p and -n, in the foreground\n"
"  -v        log every call\n"
"  -h, --help  this help\n"
"\n"
"Exit status: 0 no divergence, 1 a divergence or an error, 2 usage.\n",
		MAX_PROCS, MAX_REGION);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = MM_DEFAULT_DEV;
	uint64_t procs = 4, calls = 1000000, seed, only = UINT64_MAX, size, rlen;
	uint64_t sum_calls = 0, sum_div = 0, sum_checked = 0;
	uint64_t by_call[C_NR] = { 0 }, by_outcome[OUT_NR] = { 0 };
	struct counters *cnt;
	bool verbose = false, have_seed = false, failed = false;
	unsigned int i, first, last;
	int c, fd;

	while ((c = getopt_long(argc, argv, "d:p:n:s:o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'p':
			if (mm_parse_u64(optarg, 1, MAX_PROCS, &procs)) {
				fprintf(stderr, PROG ": invalid -p %s: 1..%d\n", optarg, MAX_PROCS);
				return 2;
			}
			break;
		case 'n':
			if (mm_parse_u64(optarg, 0, UINT64_MAX / 2, &calls)) {
				fprintf(stderr, PROG ": invalid -n %s: a number of calls\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			if (mm_parse_u64(optarg, 0, UINT64_MAX, &seed)) {
				fprintf(stderr, PROG ": invalid -s %s: an unsigned 64-bit number\n",
					optarg);
				return 2;
			}
			have_seed = true;
			break;
		case 'o':
			if (mm_parse_u64(optarg, 0, MAX_PROCS - 1, &only)) {
				fprintf(stderr, PROG ": invalid -o %s\n", optarg);
				return 2;
			}
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (only != UINT64_MAX && only >= procs) {
		fprintf(stderr, PROG ": invalid -o %" PRIu64 ": 0..%" PRIu64 "\n",
			only, procs - 1);
		return 2;
	}
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		seed ^= (uint64_t)getpid() << 32;
	}

	fd = mm_open_dev(PROG, dev, O_RDWR);
	if (fd < 0)
		return 1;
	if (mm_dev_size(PROG, dev, fd, &size))
		return 1;
	close(fd);
	rlen = size / procs;
	if (rlen > MAX_REGION)
		rlen = MAX_REGION;
	if (rlen < 64) {
		fprintf(stderr, PROG ": the %" PRIu64 "-byte buffer is too small for %" PRIu64
			" processes (64 bytes each at least)\n", size, procs);
		return 2;
	}

	printf(PROG ": seed=%" PRIu64 " procs=%" PRIu64 " calls=%" PRIu64
	       " device=%s size=%" PRIu64 " region=%" PRIu64 "%s\n",
	       seed, procs, calls, dev, size, rlen,
	       only != UINT64_MAX ? " (replaying one process)" : "");
	fflush(stdout);

	cnt = mmap(NULL, sizeof(*cnt) * procs, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cnt == MAP_FAILED) {
		perror(PROG ": mmap");
		return 1;
	}
	first = only != UINT64_MAX ? (unsigned int)only : 0;
	last = only != UINT64_MAX ? (unsigned int)only : (unsigned int)procs - 1;
	for (i = first; i <= last; i++) {
		struct fuzzer *f = calloc(1, sizeof(*f));
		pid_t pid;

		if (!f) {
			perror(PROG);
			return 1;
		}
		f->idx = i;
		f->procs = (unsigned int)procs;
		f->seed = seed;
		f->rng = seed ^ (0x9e3779b97f4a7c15ull * (i + 1));
		f->calls = calls / procs + (i < calls % procs);
		f->verbose = verbose;
		f->dev = dev;
		f->size = size;
		f->rlen = rlen;
		f->rbase = i == procs - 1 ? size - rlen : i * rlen;
		f->area_len = (size < MAX_REGION ? size : MAX_REGION);
		f->area_len = (f->area_len + PAGE - 1) / PAGE * PAGE + PAGE;
		f->cnt = &cnt[i];
		if (only != UINT64_MAX) {
			run_process(f);
			break;
		}
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			perror(PROG ": fork");
			return 1;
		}
		if (!pid) {
			run_process(f);
			exit(0);
		}
		free(f);
	}
	if (only == UINT64_MAX) {
		int status;
		pid_t pid;

		while ((pid = wait(&status)) > 0) {
			if (WIFSIGNALED(status)) {
				fprintf(stderr, PROG ": a fuzzing process died of signal %d (seed=%"
					PRIu64 ")\n", WTERMSIG(status), seed);
				failed = true;
			} else if (WEXITSTATUS(status)) {
				failed = true;
			}
		}
	}
	for (i = first; i <= last; i++) {
		unsigned int k;

		sum_calls += cnt[i].calls;
		sum_div += cnt[i].divergences;
		sum_checked += cnt[i].checked_bytes;
		for (k = 0; k < C_NR; k++)
			by_call[k] += cnt[i].by_call[k];
		for (k = 0; k < OUT_NR; k++)
			by_outcome[k] += cnt[i].by_outcome[k];
		if (!cnt[i].done)
			failed = true;
	}
	printf(PROG ": per call:");
	for (i = 0; i < C_NR; i++)
		printf(" %s=%" PRIu64, call_name[i], by_call[i]);
	printf("\n" PROG ": outcomes:");
	for (i = 0; i < OUT_NR; i++)
		printf(" %s=%" PRIu64, outcome_name[i], by_outcome[i]);
	printf("\n" PROG ": region bytes checked: %" PRIu64 "\n", sum_checked);
	printf(PROG ": seed=%" PRIu64 " calls=%" PRIu64 " divergences=%" PRIu64 "%s\n",
	       seed, sum_calls, sum_div, failed && !sum_div ? " (a process failed)" : "");
	return failed || sum_div ? 1 : 0;
}
