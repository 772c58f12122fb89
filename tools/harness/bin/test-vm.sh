#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test-vm.sh - self-test of the QEMU harness (vm.sh), KTAP output.
#
#   test-vm.sh [FLAVOUR...]        default: 6.1 6.12
#
# Per kernel: results and the exit status come back, a failing command's
# status propagates, a kernel panic, a kernel BUG line in dmesg and the hard
# timeout each fail the run with their reason, and a module installed with
# modules_install INSTALL_MOD_PATH=PAYLOAD loads with modprobe in the guest.
# Exit status 0 when every test passed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
vm=$here/vm.sh
kernels=${*:-6.1 6.12}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mymem-test-vm.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

n=0
failed=0
ntests=0
for _ in $kernels; do
	ntests=$((ntests + 6))
done
echo "TAP version 13"
echo "1..$ntests"

result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	elif [ "$1" = skip ]; then
		echo "ok $n - $2 # SKIP $3"
	else
		echo "not ok $n - $2"
		echo "# $3"
		failed=$((failed + 1))
	fi
}

# run vm.sh quietly; $1 = test name, rest = vm.sh options; sets vrc and vlog
run_vm() {
	name=$1
	shift
	vlog=$tmp/$name.log
	VM_QUIET=1 "$vm" --out "$tmp/$name" "$@" >"$vlog" 2>&1
	vrc=$?
	grep -a '^\[vm\] \(times\|FAIL\)' "$vlog" | sed 's/^/# /'
}

# the reason line of the last run contains $1
said() {
	grep -a -q "^\\[vm\\] FAIL: .*$1" "$vlog"
}

# a throwaway module, installed into payload $2 for kernel flavour $1
make_module() {
	kdir=$("$top/tools/harness/bin/kernel.sh" kdir "$1") || return 1
	[ -d "$kdir" ] || return 1
	src=$tmp/mod-$1
	mkdir -p "$src"
	cat >"$src/vmtest_hello.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>

static int __init vmtest_hello_init(void)
{
	pr_warn("vmtest_hello: loaded\n");
	return 0;
}
module_init(vmtest_hello_init);

static void __exit vmtest_hello_exit(void)
{
}
module_exit(vmtest_hello_exit);

MODULE_DESCRIPTION("vm.sh self-test module");
MODULE_LICENSE("GPL");
EOF
	echo 'obj-m := vmtest_hello.o' >"$src/Kbuild"
	make -s -C "$kdir" M="$src" modules >"$src/build.log" 2>&1 &&
		make -s -C "$kdir" M="$src" INSTALL_MOD_PATH="$2" \
			modules_install >>"$src/build.log" 2>&1
}

for k in $kernels; do
	echo "# kernel $k"
	p=$tmp/payload-$k
	mkdir -p "$p"
	cat >"$p/basic.sh" <<'EOF'
set -e
[ "$(grep -c ^processor /proc/cpuinfo)" -ge 1 ]
[ -d /sys/kernel/debug/block ] || ls /sys/kernel/debug >/dev/null
echo hi >/results/x
mkdir -p /results/sub && echo deep >/results/sub/y
touch /tmp/w
[ "$(su nobody -c 'id -u')" = 65534 ]
modprobe --version | grep -q kmod
jq -n '1+1' | grep -q 2
echo basic-done
EOF

	run_vm "basic-$k" --kernel "$k" --payload "$p" --cmd 'sh basic.sh'
	o=$tmp/basic-$k
	if [ "$vrc" -eq 0 ] && [ "$(cat "$o/x" 2>/dev/null)" = hi ] &&
	   [ "$(cat "$o/sub/y" 2>/dev/null)" = deep ] &&
	   grep -q basic-done "$o/guest.log" && [ -s "$o/dmesg.txt" ] &&
	   [ "$(cat "$o/rc")" = 0 ]; then
		result ok "$k: command runs, /results come back, exit 0"
	else
		result fail "$k: command runs, /results come back, exit 0" "rc=$vrc, see $vlog"
	fi

	run_vm "exit3-$k" --kernel "$k" --payload "$p" --cmd 'exit 3'
	if [ "$vrc" -eq 3 ]; then
		result ok "$k: the command's exit status 3 propagates"
	else
		result fail "$k: the command's exit status 3 propagates" "rc=$vrc"
	fi

	run_vm "panic-$k" --kernel "$k" --payload "$p" \
		--cmd 'echo c >/proc/sysrq-trigger; exit 0'
	if [ "$vrc" -ne 0 ] && said 'Kernel panic'; then
		result ok "$k: a kernel panic fails the run (rc $vrc)"
	else
		result fail "$k: a kernel panic fails the run" "rc=$vrc"
	fi

	run_vm "bug-$k" --kernel "$k" --payload "$p" \
		--cmd 'echo "<6>vmtest: BUG: planted" >/dev/kmsg; exit 0'
	if [ "$vrc" -ne 0 ] && said 'BUG: planted'; then
		result ok "$k: a BUG line seen only in dmesg fails the run (rc $vrc)"
	else
		result fail "$k: a BUG line seen only in dmesg fails the run" "rc=$vrc"
	fi

	run_vm "timeout-$k" --kernel "$k" --payload "$p" --cmd 'sleep 1000' \
		--timeout 30
	if [ "$vrc" -eq 124 ] && said 'hard timeout'; then
		result ok "$k: the hard timeout kills the guest (rc 124)"
	else
		result fail "$k: the hard timeout kills the guest" "rc=$vrc"
	fi

	pm=$tmp/payload-mod-$k
	if make_module "$k" "$pm"; then
		run_vm "modprobe-$k" --kernel "$k" --payload "$pm" \
			--cmd 'modprobe vmtest_hello && lsmod | grep -q "^vmtest_hello " &&
			       modprobe -r vmtest_hello && ! lsmod | grep -q "^vmtest_hello "'
		if [ "$vrc" -eq 0 ] && grep -q 'vmtest_hello: loaded' "$tmp/modprobe-$k/dmesg.txt"; then
			result ok "$k: modprobe/rmmod of a modules_install'ed module"
		else
			result fail "$k: modprobe/rmmod of a modules_install'ed module" "rc=$vrc"
		fi
	else
		result fail "$k: modprobe/rmmod of a modules_install'ed module" \
			"could not build the test module (headers for $k installed?)"
	fi
done

echo "# $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
