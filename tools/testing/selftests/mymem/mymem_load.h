/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What mymem_dev and mymem_uffd share: the end of a run, and the one
 * module loader.  Each program loads the module it needs when it is not
 * there, so that it runs under run_kselftest.sh alone, and at its end
 * unloads only what it loaded, the last loaded first (mymem_test before
 * the mymem_core it uses).
 *
 * A module NAME is looked for as NAME.ko in $MYMEM_KO_DIR, in the
 * program's own directory, in the build tree the program sits in
 * (NAME/NAME.ko four levels up), then through modprobe.  The first one
 * found is the one loaded: a failure to load it is reported, not hidden
 * behind another copy.  Include after kselftest.h (or mymem_ksft.h), in a
 * file built with _GNU_SOURCE (program_invocation_name).
 */
#ifndef MYMEM_LOAD_H
#define MYMEM_LOAD_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * ksft_finished(), except that a run where every case was skipped is a
 * skip (exit 4), as run_kselftest.sh reports it.
 */
static inline int mymem_ksft_finish(void)
{
	if (!ksft_get_fail_cnt() && !ksft_get_pass_cnt()) {
		ksft_print_cnts();
		return KSFT_SKIP;
	}
	ksft_finished();
	return KSFT_FAIL;
}

#define MYMEM_LOAD_MAX	2	/* mymem_core, mymem_test */

/* What mymem_load() loaded and is still loaded, in load order. */
static const char *mymem_loaded[MYMEM_LOAD_MAX];
static unsigned int mymem_nr_loaded;

/* finit_module() of @path: 0, -ENOENT when it cannot be opened, or -errno. */
static inline int mymem_finit(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -ENOENT;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

/**
 * mymem_load() - load module @name with @params, if it is not loaded
 * @name:	module name, also the base name of its .ko
 * @params:	its parameters, "" for none
 *
 * Return: 0 when loaded (and recorded for mymem_unload_all()), -EEXIST when
 * it was loaded already, -ENOENT when no NAME.ko was found nor modprobe knows
 * it, or the error of loading the one found (printed here).
 */
static inline int mymem_load(const char *name, const char *params)
{
	char self[PATH_MAX], tree[PATH_MAX + 64], path[2 * PATH_MAX];
	const char *dirs[3] = { getenv("MYMEM_KO_DIR") };
	unsigned int i;
	char *slash;
	ssize_t n;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (!access(path, F_OK))
		return -EEXIST;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0)
		self[n] = '\0';
	else	/* no /proc: trust argv[0] */
		snprintf(self, sizeof(self), "%s", program_invocation_name);
	slash = strrchr(self, '/');
	if (slash) {
		*slash = '\0';
		snprintf(tree, sizeof(tree), "%s/../../../../%s", self, name);
		dirs[1] = self;
		dirs[2] = tree;
	}

	for (i = 0; i < 3 && ret == -ENOENT; i++) {
		if (!dirs[i] || !*dirs[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s.ko", dirs[i], name);
		ret = mymem_finit(path, params);
	}
	if (ret == -ENOENT) {
		/* a dry run first, so that "unknown" and "failed" differ */
		snprintf(path, sizeof(path), "modprobe -q -n %s 2>/dev/null", name);
		if (system(path))
			return -ENOENT;
		snprintf(path, sizeof(path), "modprobe %s %s", name, params);
		if (system(path)) {
			ksft_print_msg("%s failed\n", path);
			return -EIO;
		}
	} else if (ret) {
		ksft_print_msg("finit_module(%s): %s\n", path, strerror(-ret));
		return ret;
	}
	ksft_print_msg("loaded %s\n", path);
	if (mymem_nr_loaded < MYMEM_LOAD_MAX)
		mymem_loaded[mymem_nr_loaded++] = name;
	return 0;
}

/**
 * mymem_unload() - unload module @name, without waiting for its users
 * @name:	module name
 *
 * Return: 0, or the -errno of delete_module().
 */
static inline int mymem_unload(const char *name)
{
	unsigned int i;

	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		return -errno;
	for (i = 0; i < mymem_nr_loaded; i++) {
		if (!strcmp(mymem_loaded[i], name)) {
			memmove(&mymem_loaded[i], &mymem_loaded[i + 1],
				(mymem_nr_loaded - i - 1) * sizeof(*mymem_loaded));
			mymem_nr_loaded--;
			break;
		}
	}
	return 0;
}

/* Unload what mymem_load() loaded and is still there, the last loaded first. */
static inline void mymem_unload_all(void)
{
	const char *name;
	int err;

	while (mymem_nr_loaded) {
		name = mymem_loaded[mymem_nr_loaded - 1];
		err = mymem_unload(name);
		if (err) {
			ksft_print_msg("delete_module(%s): %s\n", name,
				       strerror(-err));
			mymem_nr_loaded--;
		} else {
			ksft_print_msg("unloaded %s\n", name);
		}
	}
}

#endif /* MYMEM_LOAD_H */
