#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - the guest half of `make check`, run by tools/harness/bin/check.sh
# in the VM from /mymem.  Each suite's KTAP goes to /results/<suite>.tap
# (and to the console); the host counts the results.  The exit status is
# 0 unless the suites could not be run at all: test failures are counted
# from the KTAP, not from here.

cd /mymem || exit 1
MYMEM_KO_DIR=/mymem/ko
export MYMEM_KO_DIR

# suite NAME COMMAND...
suite() {
	name=$1
	shift
	echo "[guest] $name: $*"
	"$@" 2>&1 | tee "/results/$name.tap"
	echo "[guest] $name done"
}

suite mymem_modules sh selftests/mymem_modules.sh

insmod ko/mymem_core.ko || exit 1
suite mymem_dev ./selftests/mymem_dev
suite tools sh guest/tools.sh /mymem/bin
rmmod mymem_core || exit 1
exit 0
