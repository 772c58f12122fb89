/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What mymem_dev and mymem_uffd share: /dev/mymem, the modules they load
 * and unload, reading and writing a file, their exit status.
 */
#ifndef MYMEM_SELFTEST_H
#define MYMEM_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mymem.h>

#include "kselftest_harness.h"

/* the core's module: mymem_core, or $MYMEM_CORE (mymem_core_rs) */
static const char *core_name = "mymem_core";
#define DEV_PATH	"/dev/mymem"

static int core_loaded;		/* mymem_open() loaded mymem_core */
static int dev_fd = -1;		/* /dev/mymem, O_RDWR */
static long page;

/*
 * Load @name.ko from $MYMEM_KO_DIR, else this program's directory, else
 * by modprobe: 0, -EEXIST (loaded already), -ENOENT (none found) or -errno.
 */
static int mymem_load(const char *name, const char *params)
{
	char dir[PATH_MAX], path[PATH_MAX + 128];
	const char *env = getenv("MYMEM_KO_DIR");
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (!access(path, F_OK))
		return -EEXIST;
	if (realpath("/proc/self/exe", dir))
		*strrchr(dir, '/') = '\0';
	else
		strcpy(dir, ".");
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
	ksft_print_msg("%s: %s\n", path, ret ? strerror(-ret) : "loaded");
	return ret;
}

#define mymem_unload(name)	(syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0)

/*
 * /dev/mymem opened read-write into dev_fd, mymem_core loaded if it is
 * missing (root only): the buffer's size, 0 if unknown, or -1 and *@why.
 */
static long long mymem_open(const char **why)
{
	__u64 size = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	if (geteuid()) {
		*why = "must be run as root";
		return -1;
	}
	if (getenv("MYMEM_CORE"))
		core_name = getenv("MYMEM_CORE");
	if (access(DEV_PATH, F_OK))
		core_loaded = !mymem_load(core_name, "");
	dev_fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		*why = DEV_PATH " not available: mymem_core not loaded, and not loadable";
		return -1;
	}
	return ioctl(dev_fd, MYMEM_IOC_GET_SIZE, &size) ? 0 : (long long)size;
}

/* The first line of @path into @buf, else @buf unchanged: 0, or -1. */
static int read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Write @val to @path: 0, or -1. */
static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, val, strlen(val));

	if (fd >= 0)
		close(fd);
	return n < 0 ? -1 : 0;
}

/* atexit(): dev_fd closed, mymem_core unloaded if loaded here; all skipped: a skip */
static void mymem_end(void)
{
	if (dev_fd >= 0)
		close(dev_fd);
	if (core_loaded && mymem_unload(core_name))
		ksft_print_msg("delete_module(%s): %s\n", core_name, strerror(errno));
	if (!ksft_get_pass_cnt() && !ksft_get_fail_cnt()) {
		fflush(NULL);
		_exit(KSFT_SKIP);
	}
}

#endif /* MYMEM_SELFTEST_H */
