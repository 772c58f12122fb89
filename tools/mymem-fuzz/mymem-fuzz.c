// SPDX-License-Identifier: GPL-2.0
/*
 * mymem-fuzz - seeded random calls on /dev/mymem from several processes,
 * each result, file position and the buffer contents checked against a
 * model of mymem's semantics (docs/DESIGN.md, mymem_core/dev.c).  Each
 * process owns a disjoint region for its writes and adds and shadows it.
 * Same -s/-p/-n/size: same calls; -o I replays process I, -v logs calls.
 * Last line "seed=S calls=N divergences=D"; exit 1 on a divergence.
 */
#include <endian.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
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
#define MAX_RW		((1ul << 31) - PAGE)	/* MAX_RW_COUNT: lengths stay below */

#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

struct fuzzer;

struct slot {
	int fd, flags;		/* the open flags */
	int64_t pos;		/* modelled file position */
};

/* what a transfer does */
#define X_WRITE		1	/* user -> buffer */
#define X_POS		2	/* at a given position, f_pos unchanged */
#define X_VEC		4	/* up to MAX_IOV segments */

/* one kind of call: its name, its relative weight, its generator and model */
struct kind {
	const char *name;
	unsigned int weight;
	void (*run)(struct fuzzer *f, const struct kind *k, struct slot *s);
	unsigned int x;		/* X_*, or the ioctl command */
};

static void run_open(struct fuzzer *f, const struct kind *k, struct slot *s);
static void run_xfer(struct fuzzer *f, const struct kind *k, struct slot *s);
static void run_lseek(struct fuzzer *f, const struct kind *k, struct slot *s);
static void run_add(struct fuzzer *f, const struct kind *k, struct slot *s);
static void run_ioctl(struct fuzzer *f, const struct kind *k, struct slot *s);

static const struct kind kinds[] = {
	{ "open", 3, run_open, 0 },
	{ "read", 10, run_xfer, 0 },
	{ "write", 10, run_xfer, X_WRITE },
	{ "pread", 14, run_xfer, X_POS },
	{ "pwrite", 14, run_xfer, X_POS | X_WRITE },
	{ "readv", 4, run_xfer, X_VEC },
	{ "writev", 4, run_xfer, X_VEC | X_WRITE },
	{ "preadv", 4, run_xfer, X_VEC | X_POS },
	{ "pwritev", 4, run_xfer, X_VEC | X_POS | X_WRITE },
	{ "lseek", 12, run_lseek, 0 },
	{ "ioctl(ADD_U64)", 10, run_add, 0 },
	{ "ioctl(GET_SIZE)", 2, run_ioctl, MYMEM_IOC_GET_SIZE },
	{ "ioctl(bad)", 3, run_ioctl, 0 },
};

/* outcome classes counted for the summary: the errors by their errno names */
static const char *const outcomes[] = {
	"ok", "short", "zero", "EBADF", "EINVAL", "EFAULT", "ENOSPC", "ENOTTY", "other",
};

#define OUT_SHORT	1
#define OUT_ZERO	2
#define OUT_OTHER	(ARRAY_SIZE(outcomes) - 1)

/* per-process counters, in memory shared with the parent: all uint64_t */
struct counters {
	uint64_t calls, divergences, checked_bytes;
	uint64_t by_kind[ARRAY_SIZE(kinds)];
	uint64_t by_outcome[ARRAY_SIZE(outcomes)];
};

/* the open flags of a slot's reopening, but for O_RDWR (70%: ADD_U64 needs it) */
static const int open_flags[] = {
	O_RDONLY, O_WRONLY, O_RDWR | O_APPEND, O_WRONLY | O_APPEND, O_ACCMODE,
};

struct fuzzer {
	unsigned int idx;		/* process number */
	uint64_t procs, seed, rng;	/* -p, -s */
	uint64_t calls, all_calls;	/* calls to make, -n */
	bool verbose;
	const char *dev;
	uint64_t size;			/* buffer size */
	uint64_t rbase, rlen;		/* own region */
	uint8_t *model;			/* expected contents of the region */
	uint8_t *scratch;		/* for region checks */
	int vfd;			/* for the checks, shared, never fuzzed */
	struct slot slot[NR_SLOTS];
	/* test memory: data (area_len) | no access | rdonly | no access */
	uint8_t *data, *unmapped, *rdonly;
	size_t area_len;
	struct counters *cnt;
	/* the call being made (0 during the setup) and its expected result */
	uint64_t nr;
	char text[320];
	int64_t exp, got;		/* return value, or -errno */
};

/* --- random numbers: splitmix64, one stream per process --- */

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

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void fill_random(struct fuzzer *f, uint8_t *p, size_t len)
{
	uint64_t v;

	for (; len; p += 8, len -= min_u64(len, 8)) {
		v = rnd(f);
		memcpy(p, &v, min_u64(len, 8));
	}
}

/* --- reporting --- */

/* the outcome class of result v of a call that asked for `asked` bytes */
static size_t outcome(int64_t v, uint64_t asked)
{
	size_t o = OUT_ZERO + 1;

	if (v >= 0)
		return asked && !v ? OUT_ZERO : (uint64_t)v < asked ? OUT_SHORT : 0;
	while (o < OUT_OTHER && strcmp(outcomes[o], strerrorname_np((int)-v) ?: ""))
		o++;
	return o;
}

/* v as the log shows it: "N", or "-1 ENAME (errno)" */
static const char *fmt_result(char *buf, int64_t v)
{
	if (v >= 0)
		sprintf(buf, "%" PRId64, v);
	else
		sprintf(buf, "-1 %s (%d)", strerrorname_np((int)-v) ?: "E?", (int)-v);
	return buf;
}

/* a user pointer, relative to the test memory so that runs compare */
static const char *ptr_str(const struct fuzzer *f, uintptr_t p, char *buf)
{
	if (!p)
		return "NULL";
	sprintf(buf, "data+%#lx", (unsigned long)(p - (uintptr_t)f->data));
	return buf;
}

/* report a divergence and stop this process: the seed replays it */
static void __noreturn __printf(2, 3) diverge(struct fuzzer *f, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG ": DIVERGENCE seed=%" PRIu64 " proc=%u call=%" PRIu64
		": %s: %s\n", f->seed, f->idx, f->nr, f->nr ? f->text : "(setup)", what);
	fprintf(stderr, PROG ": replay: " PROG " -d %s -s %" PRIu64 " -p %" PRIu64 " -n %" PRIu64
		" -o %u -v\n", f->dev, f->seed, f->procs, f->all_calls, f->idx);
	f->cnt->divergences++;
	exit(1);
}

/* Start the record of call f->nr: "NAME(slotI=fdN[MODE pos=P], ...)". */
static void __printf(4, 5) new_call(struct fuzzer *f, const struct kind *k,
				    const struct slot *s, const char *fmt, ...)
{
	static const char *const mode[] = { "RDONLY", "WRONLY", "RDWR", "ACCMODE" };
	va_list ap;
	int n;

	f->exp = 0;
	f->got = 0;
	n = snprintf(f->text, sizeof(f->text), "%s(slot%d=fd%d[%s%s pos=%" PRId64 "], ",
		     k->name, (int)(s - f->slot), s->fd, mode[s->flags & O_ACCMODE],
		     s->flags & O_APPEND ? "|APPEND" : "", s->pos);
	va_start(ap, fmt);
	vsnprintf(f->text + n, sizeof(f->text) - n, fmt, ap);
	va_end(ap);
	strncat(f->text, ")", sizeof(f->text) - strlen(f->text) - 1);
}

/* count the call of kind k, which asked for `asked` bytes, and check its result */
static void expect(struct fuzzer *f, const struct kind *k, uint64_t asked)
{
	char exp[64], got[64];

	f->cnt->by_kind[k - kinds]++;
	f->cnt->by_outcome[outcome(f->got, asked)]++;
	if (f->verbose)
		printf("[%u] #%" PRIu64 " %s = %s\n", f->idx, f->nr, f->text,
		       fmt_result(got, f->got));
	if (f->got != f->exp)
		diverge(f, "expected %s, got %s", fmt_result(exp, f->exp), fmt_result(got, f->got));
}

static int64_t sys_result(int64_t ret)
{
	return ret < 0 ? -(int64_t)errno : ret;
}

/* --- the models of user memory and of the buffer --- */

/* bytes from p on that the kernel can store to (copy_to_user) */
static uint64_t writable_from(const struct fuzzer *f, uintptr_t p)
{
	uintptr_t d = (uintptr_t)f->data;

	return p >= d && p < d + f->area_len ? d + f->area_len - p : 0;
}

/* bytes from p on that the kernel can load from (copy_from_user) */
static uint64_t readable_from(const struct fuzzer *f, uintptr_t p)
{
	uintptr_t r = (uintptr_t)f->rdonly;

	return p >= r && p < r + PAGE ? r + PAGE - p : writable_from(f, p);
}

static bool in_region(const struct fuzzer *f, int64_t pos, uint64_t len)
{
	return pos >= 0 && (uint64_t)pos >= f->rbase && (uint64_t)pos + len <= f->rbase + f->rlen;
}

/* [*lo, *hi): [pos, pos+len) clipped to the region; false if empty */
static bool clip(const struct fuzzer *f, int64_t pos, uint64_t len, uint64_t *lo, uint64_t *hi)
{
	*lo = pos > (int64_t)f->rbase ? (uint64_t)pos : f->rbase;
	*hi = pos + (int64_t)len > (int64_t)f->rbase ? (uint64_t)pos + len : 0;
	*hi = min_u64(*hi, f->rbase + f->rlen);
	return *lo < *hi;
}

/* compare got, bytes [pos, pos+len) of the buffer, with the model in the region */
static void compare(struct fuzzer *f, const uint8_t *got, uint64_t pos,
		    uint64_t len, const char *why)
{
	uint64_t lo, hi, i;

	if (!clip(f, (int64_t)pos, len, &lo, &hi))
		return;
	f->cnt->checked_bytes += hi - lo;
	got += lo - (uint64_t)pos;
	for (i = 0; i < hi - lo; i++)
		if (got[i] != f->model[lo - f->rbase + i])
			diverge(f, "%s: buffer byte %" PRIu64 " is %#x, the model says %#x",
				why, lo + i, got[i], f->model[lo - f->rbase + i]);
}

/* compare [pos, pos+len) of the device, clipped to the region, with the model */
static void check_range(struct fuzzer *f, int64_t pos, uint64_t len, const char *why)
{
	uint64_t lo, hi;
	ssize_t n;

	if (!clip(f, pos, len, &lo, &hi))
		return;
	n = pread(f->vfd, f->scratch, hi - lo, (off_t)lo);
	if (n != (ssize_t)(hi - lo))
		diverge(f, "%s: pread of %" PRIu64 " bytes at %" PRIu64 " returned %zd (%s)",
			why, hi - lo, lo, n, n < 0 ? strerror(errno) : "short");
	compare(f, f->scratch, lo, hi - lo, why);
}

/* the file position must be where the model says (pread/pwrite included) */
static void check_pos(struct fuzzer *f, const struct slot *s)
{
	int64_t pos = lseek(s->fd, 0, SEEK_CUR);

	if (pos != s->pos)
		diverge(f, "file position is %" PRId64 ", the model says %" PRId64, pos, s->pos);
}

/* --- generators --- */

/* a value from one of n ranges, each chosen with its percentage */
struct choice {
	unsigned int pct;
	int64_t lo, hi;
};

static int64_t pick(struct fuzzer *f, const struct choice *c, size_t n)
{
	uint64_t r = below(f, 100);

	for (; n > 1 && r >= c->pct; n--, c++)
		r -= c->pct;
	return c->lo + (int64_t)below(f, (uint64_t)c->hi - (uint64_t)c->lo + 1);
}

/* a length: mostly small, else around a page, the region, the buffer */
static uint64_t gen_len(struct fuzzer *f)
{
	int64_t sz = (int64_t)f->size, rl = (int64_t)f->rlen, al = (int64_t)f->area_len;
	const struct choice c[] = {
		{ 20, 0, 16 }, { 25, 1, 256 }, { 20, 1, PAGE }, { 10, 1, rl },
		{ 5, PAGE - 1, PAGE + 1 }, { 5, 4 * PAGE - 1, 4 * PAGE + 1 },
		{ 4, sz - 1, sz + 1 }, { 4, al - 1, al + 1 }, { 4, rl - 1, rl + 1 },
		{ 3, MAX_RW, MAX_RW },
	};

	return (uint64_t)pick(f, c, ARRAY_SIZE(c));
}

/* a position: mostly in the own region, else anywhere, at or past the end */
static int64_t gen_pos(struct fuzzer *f)
{
	int64_t sz = (int64_t)f->size, rb = (int64_t)f->rbase, end = rb + (int64_t)f->rlen;
	const struct choice c[] = {
		{ 45, rb, end - 1 }, { 8, end - 64, end - 1 }, { 2, rb, rb },
		{ 15, 0, sz - 1 }, { 15, sz - 8, sz + 1 }, { 10, sz, sz + (1ll << 32) },
		{ 3, 1ll << 40, 1ll << 40 }, { 2, 0, 0 },
	};

	return pick(f, c, ARRAY_SIZE(c));
}

/* a user pointer for len bytes: fitting, unaligned, running off, NULL, no access, rdonly */
static uintptr_t gen_ptr(struct fuzzer *f, uint64_t len)
{
	uint64_t r = below(f, 100), fit, o;
	uintptr_t d = (uintptr_t)f->data;

	fit = len < f->area_len ? f->area_len - len : 0;
	if (r < 60)
		return d + (below(f, fit + 1) & ~7ul);
	if (r < 72) {
		o = (below(f, fit + 1) & ~7ul) + between(f, 1, 7);
		return d + min_u64(o, f->area_len - 1);
	}
	if (r < 82)
		return d + f->area_len - between(f, 1, len && len < f->area_len ? len : 64);
	if (r < 86)
		return 0;
	if (r < 90)
		return (uintptr_t)f->unmapped + below(f, PAGE);
	return (uintptr_t)f->rdonly + below(f, PAGE);
}

/* one segment, or up to MAX_IOV disjoint ones; small: short ones */
static uint64_t gen_iov(struct fuzzer *f, struct iovec *iov, unsigned int n, bool small)
{
	uint64_t room = f->area_len / MAX_IOV, total = 0, len;
	uintptr_t p;
	unsigned int j;

	for (j = 0; j < n; j++) {
		if (n == 1) {
			len = small ? below(f, 64) : gen_len(f);
			p = gen_ptr(f, len);
		} else {
			len = chance(f, 20) ? 0 : between(f, 1, small ? 64 : 512);
			p = (uintptr_t)f->data + j * room + below(f, room - len + 1);
			if (chance(f, 10)) {
				uintptr_t bad[] = {
					0, (uintptr_t)f->unmapped + below(f, PAGE),
					(uintptr_t)f->rdonly + below(f, PAGE),
					j == n - 1 && len ? (uintptr_t)f->data +
						f->area_len - between(f, 1, len) : p,
				};

				p = bad[below(f, ARRAY_SIZE(bad))];
			}
		}
		iov[j].iov_base = (void *)p;
		iov[j].iov_len = len;
		total += len;
	}
	return total;
}

/* --- the calls --- */

static void run_open(struct fuzzer *f, const struct kind *k, struct slot *s)
{
	int flags = chance(f, 70) ? O_RDWR : open_flags[below(f, ARRAY_SIZE(open_flags))];

	new_call(f, k, s, "reopened with flags %#x", flags);
	close(s->fd);
	*s = (struct slot){ .fd = open(f->dev, flags), .flags = flags };
	f->got = s->fd < 0 ? -(int64_t)errno : 0;
	expect(f, k, 0);
}

/* what mymem returns for n segments at pos (an O_APPEND write: pos = size) */
static int64_t model_xfer(const struct fuzzer *f, const struct slot *s, bool wr, int64_t pos,
			  const struct iovec *iov, unsigned int n)
{
	int acc = s->flags & O_ACCMODE;
	uint64_t total = 0, cnt, used = 0, len, avail;
	unsigned int j;

	if (acc == O_ACCMODE || acc == (wr ? O_RDONLY : O_WRONLY))
		return -EBADF;
	for (j = 0; j < n; j++)
		total += iov[j].iov_len;
	if (!total)
		return 0;
	if ((uint64_t)pos >= f->size)
		return wr ? -ENOSPC : 0;
	cnt = min_u64(total, f->size - (uint64_t)pos);
	for (j = 0; j < n && used < cnt; j++) {
		uintptr_t p = (uintptr_t)iov[j].iov_base;

		len = min_u64(iov[j].iov_len, cnt - used);
		avail = wr ? readable_from(f, p) : writable_from(f, p);
		if (avail < len)
			return used + avail ? (int64_t)(used + avail) : -EFAULT;
		used += len;
	}
	return (int64_t)used;
}

static void do_lseek(struct fuzzer *f, struct slot *s, int64_t off, int whence)
{
	const struct kind *lk;
	__int128 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? s->pos :
			whence == SEEK_END ? (int64_t)f->size : -1;
	__int128 to = base + off;

	for (lk = kinds; lk->run != run_lseek; lk++)
		;
	new_call(f, lk, s, "%" PRId64 ", whence=%d", off, whence);
	f->exp = base < 0 || to < 0 || to > (__int128)f->size ? -EINVAL : (int64_t)to;
	f->got = sys_result(lseek(s->fd, off, whence));
	if (f->got >= 0)
		s->pos = f->got;
	expect(f, lk, 0);
	check_pos(f, s);
}

static void run_lseek(struct fuzzer *f, const struct kind *k, struct slot *s)
{
	static const int whences[] = {
		SEEK_SET, SEEK_SET, SEEK_CUR, SEEK_CUR, SEEK_END, SEEK_DATA,
	};
	int whence = whences[below(f, ARRAY_SIZE(whences))];
	int64_t sz = (int64_t)f->size, off;
	int64_t base = whence == SEEK_CUR ? s->pos : whence == SEEK_END ? sz : 0;
	const struct choice c[] = {
		{ 10, -8, 8 }, { 10, -base - 8, -base - 1 }, { 5, LLONG_MIN, LLONG_MIN },
		{ 5, LLONG_MAX, LLONG_MAX }, { 5, -sz - 8, -sz - 1 }, { 5, sz + 1, sz + 8 },
	};

	(void)k;
	off = chance(f, 60) ? gen_pos(f) - base : pick(f, c, ARRAY_SIZE(c));
	do_lseek(f, s, off, whence);
}

/* transfers; a write must land in the own region: redraw, after 16 tries seek there */
static void run_xfer(struct fuzzer *f, const struct kind *k, struct slot *s)
{
	bool wr = k->x & X_WRITE, vec = k->x & X_VEC;
	struct iovec iov[MAX_IOV];
	uint64_t total, done, left, part[MAX_IOV], mark[MAX_IOV], w, j, before;
	int64_t pos, at, exp;
	unsigned int n, tries;
	char ptr[32];
	uint8_t marker, *b;

	for (tries = 0;; tries++) {
		if (tries == 16) {
			do_lseek(f, s, (int64_t)(f->rbase + below(f, f->rlen)), SEEK_SET);
			return;
		}
		pos = k->x & X_POS ? gen_pos(f) : s->pos;
		if (k->x & X_POS && wr && tries > 8)
			pos = (int64_t)(f->rbase + below(f, f->rlen));
		n = vec ? (unsigned int)between(f, 1, MAX_IOV) : 1;
		total = gen_iov(f, iov, n, wr && tries > 4);
		at = wr && s->flags & O_APPEND ? (int64_t)f->size : pos;
		exp = model_xfer(f, s, wr, at, iov, n);
		if (!wr || exp <= 0 || in_region(f, at, (uint64_t)exp))
			break;
	}
	new_call(f, k, s, "%u segment(s), %" PRIu64 " bytes, first %s, off=%" PRId64, n, total,
		 ptr_str(f, (uintptr_t)iov[0].iov_base, ptr), pos);
	f->exp = exp;
	done = exp > 0 ? (uint64_t)exp : 0;
	marker = (uint8_t)rnd(f);
	/* part: segment j's share of done; mark: a read's part + 64, writable, in j */
	for (j = 0, left = done; j < n; left -= part[j++]) {
		b = iov[j].iov_base;
		w = writable_from(f, (uintptr_t)b);
		part[j] = min_u64(left, iov[j].iov_len);
		mark[j] = min_u64(w, part[j] + 64);
		if (n > 1)
			mark[j] = min_u64(mark[j], iov[j].iov_len);
		if (wr && w >= part[j])
			fill_random(f, b, part[j]);
		else if (!wr)
			memset(b, marker, mark[j]);
	}
	/* preadv2/pwritev2 at -1 are readv/writev: the same kernel path */
	if (vec)
		f->got = wr ? pwritev2(s->fd, iov, (int)n, k->x & X_POS ? pos : -1, 0) :
			      preadv2(s->fd, iov, (int)n, k->x & X_POS ? pos : -1, 0);
	else if (k->x & X_POS)
		f->got = wr ? pwrite(s->fd, iov[0].iov_base, total, pos) :
			      pread(s->fd, iov[0].iov_base, total, pos);
	else
		f->got = wr ? write(s->fd, iov[0].iov_base, total) :
			      read(s->fd, iov[0].iov_base, total);
	f->got = sys_result(f->got);
	if (!(k->x & X_POS) && f->got > 0)
		s->pos += f->got;
	expect(f, k, total);
	check_pos(f, s);

	/* walk the delivered bytes: reads compare, writes update the model */
	for (j = 0, before = 0; j < n; before += iov[j++].iov_len) {
		b = iov[j].iov_base;
		if (wr && part[j])
			memcpy(f->model + (at + before - f->rbase), b, part[j]);
		if (wr)
			continue;
		compare(f, b, (uint64_t)at + before, part[j], "the read delivered");
		for (w = part[j]; w < mark[j]; w++)
			if (b[w] != marker)
				diverge(f, "the read changed byte %" PRIu64 " of segment %" PRIu64
					" past the %" PRIu64 " it returned", w, j, done);
	}
	if (wr && done)
		check_range(f, at - 16, done + 32, "after the write");
	else if (wr)	/* a failed or empty write must leave its target alone */
		check_range(f, pos - 16, min_u64(total, 4096) + 32, "after the failed write");
}

/* ADD_U64 mostly in the own region; a read-only argument holds a valid offset */
static void run_add(struct fuzzer *f, const struct kind *k, struct slot *s)
{
	struct mymem_add arg, out, *ua;
	int64_t sz = (int64_t)f->size, off;
	uint64_t newval = 0, w;
	bool rdonly;
	char ptr[32];
	const struct choice c[] = {	/* in the own region, or invalid */
		{ 80, (int64_t)f->rbase, (int64_t)(f->rbase + f->rlen) - 8 },
		{ 5, sz - 7, sz + 1 }, { 5, sz, sz + (1ll << 40) }, { 5, -(1ll << 40), -1 },
		{ 3, LLONG_MAX - 7, LLONG_MAX }, { 2, LLONG_MIN, LLONG_MIN },
	};

	off = pick(f, c, ARRAY_SIZE(c));
	arg.delta = chance(f, 50) ? between(f, 0, 3) : rnd(f);
	arg.result = rnd(f);
	ua = (struct mymem_add *)gen_ptr(f, sizeof(arg));
	rdonly = readable_from(f, (uintptr_t)ua) && !writable_from(f, (uintptr_t)ua);
	if (rdonly) {
		ua = (struct mymem_add *)f->rdonly + below(f, PAGE / sizeof(arg));
		off = ua->offset;
	}
	arg.offset = off;
	w = writable_from(f, (uintptr_t)ua);
	if (w)	/* the argument may straddle the hole */
		memcpy(ua, &arg, min_u64(w, sizeof(arg)));
	new_call(f, k, s, "%s {offset=%" PRId64 "}", ptr_str(f, (uintptr_t)ua, ptr), off);

	if ((s->flags & O_ACCMODE) != O_RDWR)
		f->exp = -EBADF;	/* the add reads and writes */
	else if (readable_from(f, (uintptr_t)ua) < sizeof(arg) || rdonly)
		f->exp = -EFAULT;
	else if (off < 0 || off > sz - 8)
		f->exp = -EINVAL;
	if (!f->exp) {
		memcpy(&newval, f->model + (off - (int64_t)f->rbase), 8);
		newval = le64toh(newval) + arg.delta;
	}
	f->got = sys_result(ioctl(s->fd, MYMEM_IOC_ADD_U64, ua));
	expect(f, k, 0);
	if (!f->got) {
		memcpy(&out, ua, sizeof(out));	/* ua may be unaligned */
		if (out.result != newval)
			diverge(f, "result is %#" PRIx64 ", the model says %#" PRIx64,
				(uint64_t)out.result, newval);
		if (out.offset != off || out.delta != arg.delta)
			diverge(f, "the call changed its argument's offset or delta");
		newval = htole64(newval);
		memcpy(f->model + (off - (int64_t)f->rbase), &newval, 8);
	}
	if (in_region(f, off, 8))
		check_range(f, off - 8, 24, "after the add");
}

/* GET_SIZE, or any other command of mymem's type: ENOTTY */
static void run_ioctl(struct fuzzer *f, const struct kind *k, struct slot *s)
{
	uint8_t *p = (uint8_t *)gen_ptr(f, 8);	/* any alignment */
	bool ok = writable_from(f, (uintptr_t)p) >= 8;
	unsigned long cmd = k->x;
	uint64_t v;
	char ptr[32];

	while (!k->x) {
		cmd = chance(f, 10) ? 0 : _IOC(below(f, 4), MYMEM_IOC_MAGIC,
					       below(f, 256), below(f, 1u << 14));
		if (cmd != MYMEM_IOC_ADD_U64 && cmd != MYMEM_IOC_GET_SIZE)
			break;
	}
	new_call(f, k, s, "%#lx, %s", cmd, ptr_str(f, (uintptr_t)p, ptr));
	f->exp = !k->x ? -ENOTTY : ok ? 0 : -EFAULT;
	if (ok)
		memset(p, 0xee, 8);
	f->got = sys_result(ioctl(s->fd, cmd, p));
	expect(f, k, 0);
	if (!k->x || !ok)
		return;
	memcpy(&v, p, 8);
	if (v != f->size)
		diverge(f, "GET_SIZE gave %" PRIu64 ", the size is %" PRIu64, v, f->size);
}

/* --- one process --- */

static void setup_memory(struct fuzzer *f)
{
	struct mymem_add *a;

	f->data = mmap(NULL, f->area_len + 3 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->data == MAP_FAILED)
		err(1, "cannot map the test memory");
	f->unmapped = f->data + f->area_len;
	f->rdonly = f->unmapped + PAGE;
	/* rdonly: add arguments into the region, delta != 0: a change before EFAULT shows */
	for (a = (struct mymem_add *)f->rdonly; (uint8_t *)(a + 1) <= f->rdonly + PAGE; a++) {
		a->offset = (int64_t)(f->rbase + below(f, f->rlen - 7));
		a->delta = between(f, 1, 1000);
	}
	/* data | no access | rdonly | no access: nothing can be mapped there */
	if (mprotect(f->unmapped, PAGE, PROT_NONE) || mprotect(f->rdonly, PAGE, PROT_READ) ||
	    mprotect(f->rdonly + PAGE, PAGE, PROT_NONE))
		err(1, "setting up the test memory");
}

static void run_process(struct fuzzer *f)
{
	uint64_t total_weight = 0, w;
	const struct kind *k;
	unsigned int i;
	ssize_t n;

	setup_memory(f);
	f->model = malloc(f->rlen);
	f->scratch = malloc(f->rlen);
	if (!f->model || !f->scratch)
		err(1, "out of memory");
	for (i = 0; i < NR_SLOTS; i++) {
		f->slot[i] = (struct slot){ .fd = open(f->dev, O_RDWR), .flags = O_RDWR };
		if (f->slot[i].fd < 0)
			err(1, "proc %u: cannot open %s", f->idx, f->dev);
	}

	/* a known start: the region filled with random bytes */
	fill_random(f, f->model, f->rlen);
	n = pwrite(f->vfd, f->model, f->rlen, (off_t)f->rbase);
	if (n != (ssize_t)f->rlen)
		diverge(f, "filling the region [%" PRIu64 ", +%" PRIu64 ") returned %zd (%s)",
			f->rbase, f->rlen, n, n < 0 ? strerror(errno) : "short");
	check_range(f, (int64_t)f->rbase, f->rlen, "region check");

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		total_weight += kinds[i].weight;
	for (f->nr = 1; f->nr <= f->calls; f->nr++) {
		w = below(f, total_weight);
		for (k = kinds; w >= k->weight; k++)
			w -= k->weight;
		k->run(f, k, &f->slot[below(f, NR_SLOTS)]);
		f->cnt->calls = f->nr;
		if (f->nr % FULL_CHECK == 0 || f->nr == f->calls)
			check_range(f, (int64_t)f->rbase, f->rlen, "region check");
	}
}

static const char about[] =
"Random open/read/write/pread/pwrite/readv/writev/preadv/pwritev/lseek/ioctl\n"
"calls on the mymem device from several processes, every result and the\n"
"buffer contents checked against a model of mymem's semantics.";

static const char footer[] =
"Exit status: 0 no divergence, 1 a divergence or an error, 2 usage.\n";

int main(int argc, char **argv)
{
	struct fuzzer f = { .dev = MM_DEFAULT_DEV, .procs = 4, .all_calls = 1000000 };
	uint64_t only = 0, *from, *to;
	bool have_seed = false, replay = false, failed = false;
	const struct mm_opt opts[] = {	/* straight into the fuzzer's fields */
		MM_STR('d', "DEV", "device", &f.dev),
		MM_NUM('p', "PROCS", "processes; each owns 1/PROCS of the buffer\n"
		       "(at most 1 MiB) for its writes", &f.procs, 1, MAX_PROCS),
		MM_NUM('n', "CALLS", "total calls over all processes", &f.all_calls,
		       0, UINT64_MAX / 2),
		{ 's', "SEED", "random seed (default: from the clock); printed at the start",
		  .num = &f.seed, .min = 0, .max = UINT64_MAX, .seen = &have_seed },
		{ 'o', "PROC", "replay only process PROC of a run with the same\n"
		  "-s, -p and -n, in the foreground",
		  .num = &only, .min = 0, .max = MAX_PROCS - 1, .seen = &replay },
		MM_FLAG('v', "log every call", &f.verbose),
	};
	struct counters *cnt, sum = { 0 };
	unsigned int i, k, first, last;
	int status;
	pid_t pid;

	mm_parse_opts(argc, argv, PROG, about, footer, opts, ARRAY_SIZE(opts));
	if (replay && only >= f.procs) {
		fprintf(stderr, PROG ": invalid -o %" PRIu64 ": 0..%" PRIu64 "\n",
			only, f.procs - 1);
		return 2;
	}
	if (!have_seed)
		f.seed = mm_now_ns() ^ (uint64_t)getpid() << 32;
	f.vfd = mm_open_dev(PROG, f.dev, O_RDWR);
	if (f.vfd < 0 || mm_dev_size(PROG, f.dev, f.vfd, &f.size))
		return 1;
	f.rlen = min_u64(f.size / f.procs, MAX_REGION);
	if (f.rlen < 64) {
		fprintf(stderr, PROG ": the %" PRIu64 "-byte buffer is too small for %" PRIu64
			" processes (64 bytes each at least)\n", f.size, f.procs);
		return 2;
	}
	printf(PROG ": seed=%" PRIu64 " procs=%" PRIu64 " calls=%" PRIu64
	       " device=%s size=%" PRIu64 " region=%" PRIu64 "%s\n", f.seed, f.procs,
	       f.all_calls, f.dev, f.size, f.rlen, replay ? " (replaying one process)" : "");
	fflush(stdout);

	cnt = mmap(NULL, sizeof(*cnt) * f.procs, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cnt == MAP_FAILED)
		err(1, "mmap");
	f.area_len = (min_u64(f.size, MAX_REGION) + PAGE - 1) / PAGE * PAGE + PAGE;
	first = replay ? (unsigned int)only : 0;
	last = replay ? (unsigned int)only : (unsigned int)f.procs - 1;
	for (i = first; i <= last; i++) {
		f.idx = i;
		f.rng = f.seed ^ (0x9e3779b97f4a7c15ull * (i + 1));
		f.calls = f.all_calls / f.procs + (i < f.all_calls % f.procs);
		f.rbase = i == f.procs - 1 ? f.size - f.rlen : i * f.rlen;
		f.cnt = &cnt[i];
		pid = replay ? 0 : fork();
		if (pid < 0)
			err(1, "fork");
		if (!pid) {
			run_process(&f);
			if (!replay)
				exit(0);
		}
	}
	while (!replay && (pid = wait(&status)) > 0) {
		if (WIFSIGNALED(status))
			fprintf(stderr, PROG ": a fuzzing process died of signal %d (seed=%"
				PRIu64 ")\n", WTERMSIG(status), f.seed);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = true;
	}
	for (i = first; i <= last; i++)
		for (from = (uint64_t *)&cnt[i], to = (uint64_t *)&sum;
		     to < (uint64_t *)(&sum + 1); from++, to++)
			*to += *from;
	printf(PROG ": per call:");
	for (k = 0; k < ARRAY_SIZE(kinds); k++)
		printf(" %s=%" PRIu64, kinds[k].name, sum.by_kind[k]);
	printf("\n" PROG ": outcomes:");
	for (k = 0; k < ARRAY_SIZE(outcomes); k++)
		printf(" %s=%" PRIu64, outcomes[k], sum.by_outcome[k]);
	printf("\n" PROG ": region bytes checked: %" PRIu64 "\n", sum.checked_bytes);
	printf(PROG ": seed=%" PRIu64 " calls=%" PRIu64 " divergences=%" PRIu64 "%s\n",
	       f.seed, sum.calls, sum.divergences,
	       failed && !sum.divergences ? " (a process failed)" : "");
	return failed || sum.divergences ? 1 : 0;
}
