// SPDX-License-Identifier: GPL-2.0
/*
 * mymem_failnth - make the Nth fault-injection point of one system call
 * fail, and say whether it did (Documentation/fault-injection/
 * fault-injection.rst, "/proc/thread-self/fail-nth").
 *
 *   mymem_failnth N insmod MODULE.ko [PARAMS]   finit_module()
 *   mymem_failnth N write FILE STRING           one write() of STRING
 *
 * fail-nth belongs to the calling thread and is not inherited, so the
 * call under test is made here, right after arming it.  The file is opened
 * before arming, so only the call itself counts.  Prints one line:
 *
 *   rc=<0 or -errno> injected=<0|1>
 *
 * injected=0 means the call passed fewer than N injection points: a sweep
 * N = 1, 2, ... is complete when it sees that.  With
 * CONFIG_FAULT_INJECTION_USERCOPY every copy from or to user memory is an
 * injection point too, this program's own reading and disarming of
 * fail-nth included: when one of those fails (EFAULT), the count ran out
 * there, after the call, and is spent.  Exit status 0 when the
 * call was made (whatever it returned), 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr,
		"usage: mymem_failnth N insmod MODULE.ko [PARAMS]\n"
		"       mymem_failnth N write FILE STRING\n");
	return 2;
}

/* @what failed: say so with errno, a setup error */
static int fail(const char *what)
{
	fprintf(stderr, "mymem_failnth: %s: %s\n", what, strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	char nbuf[32], left[32], *end;
	int fnth, fd, insmod;
	unsigned long n;
	ssize_t got;
	long rc;

	errno = 0;
	n = argc < 4 ? 0 : strtoul(argv[1], &end, 10);
	if (errno || !n || *end || n > 1000000)
		return usage();
	insmod = !strcmp(argv[2], "insmod");
	if (insmod ? argc > 5 : strcmp(argv[2], "write") || argc != 5)
		return usage();
	fnth = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fnth < 0)
		return fail("/proc/thread-self/fail-nth");
	fd = open(argv[3], (insmod ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	if (fd < 0)
		return fail(argv[3]);

	snprintf(nbuf, sizeof(nbuf), "%lu", n);
	if (write(fnth, nbuf, strlen(nbuf)) != (ssize_t)strlen(nbuf))
		return fail("arming fail-nth");
	if (insmod)
		rc = syscall(SYS_finit_module, fd, argc == 5 ? argv[4] : "", 0);
	else
		rc = write(fd, argv[4], strlen(argv[4]));
	if (rc < 0)
		rc = -errno;
	else if (!insmod)
		rc = rc == (long)strlen(argv[4]) ? 0 : -EIO;

	/* what is left of the count: 0 once the fault was injected */
	got = pread(fnth, left, sizeof(left) - 1, 0);
	if (got < 0 && errno == EFAULT) {
		/* the count ran out in this read: not in the call */
		printf("rc=%ld injected=0\n", rc);
		return 0;
	}
	if (got <= 0)
		return fail("reading fail-nth");
	left[got] = '\0';
	/* disarm, in case the call passed fewer than N points */
	if (write(fnth, "0", 1) != 1 && errno != EFAULT)
		return fail("disarming fail-nth");
	printf("rc=%ld injected=%d\n", rc, atoi(left) == 0);
	return 0;
}
