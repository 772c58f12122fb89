#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - `make run`: install what is missing, build, boot Debian's kernel
# (KERNEL=6.1 by default) in QEMU with the modules and tools, run the whole
# job (tools/run-guest.sh) there, bring the results back to
# results/<release>/ and make the report there (tools/report.sh).
# Exit status 0 exactly when the run passed.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernel=${KERNEL:-6.1}
t0=$(date +%s)

phase() {
	echo "== $* ($(($(date +%s) - t0)) s)"
}

phase "dependencies"
tools/deps.sh run "$kernel"
krel=$(tools/kernel.sh krel "$kernel")

phase "build for $krel"
make --no-print-directory -s KERNEL="$kernel" modules
make --no-print-directory -s -C tools

out=$top/results/$krel
payload=$top/results/.payload-$krel
rm -rf "$out" "$payload"
mkdir -p "$payload/ko" "$payload/bin"
cp "build/$krel/mymem_core.ko" "build/$krel/mymem_test.ko" "$payload/ko/"
cp tools/bin/mymem-bench tools/bin/mymem-race "$payload/bin/"
cp tools/run-guest.sh "$payload/"

phase "boot $krel in QEMU and run"
set +e
tools/vm/vm.sh --kernel "$kernel" --payload "$payload" --out "$out/vm" \
	--timeout "${RUN_TIMEOUT:-1800}" \
	--cmd "sh run-guest.sh /mymem/ko /mymem/bin /results/run"
rc=$?
set -e
rm -rf "$payload"
if [ -d "$out/vm/run" ]; then
	mv "$out/vm/run"/* "$out/"
	rmdir "$out/vm/run"
fi

if [ $rc -eq 0 ]; then
	phase "report"
	tools/report.sh "$out" || rc=1
fi

phase "done"
echo "results in $out/"
if [ $rc -eq 0 ]; then
	echo "make run: PASS ($krel)"
else
	echo "make run: FAIL ($krel, rc=$rc; console log: $out/vm/console.log)"
fi
exit $rc
