# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - what tools/run.sh and tools/bench.sh share (sourced; POSIX sh).
# The caller has cd'ed to the top of the tree and set t0=$(date +%s).

# phase TEXT - a progress line with the seconds since t0
phase() {
	echo "== $* ($(($(date +%s) - t0)) s)"
}

# vm_prepare FLAVOUR - install what is missing, build the modules and the
# tools for FLAVOUR; sets krel
vm_prepare() {
	phase "dependencies"
	tools/deps.sh run "$1"
	krel=$(tools/kernel.sh krel "$1")

	phase "build for $krel"
	make --no-print-directory -s KERNEL="$1" modules
	make --no-print-directory -s -C tools
}

# vm_job FLAVOUR OUT GUEST_SCRIPT [vm.sh options...] - boot FLAVOUR with a
# payload of both modules, the tools and GUEST_SCRIPT, run
# "GUEST_SCRIPT KO_DIR BIN_DIR OUT_DIR" there, and leave what it wrote in
# OUT (the VM's own logs in OUT/vm).  Returns vm.sh's exit status.
vm_job() {
	vj_kernel=$1 vj_out=$2 vj_script=$3
	shift 3
	vj_payload=$(dirname "$vj_out")/.payload-$(basename "$vj_out")
	# called as "vm_job ... || rc=$?", where set -e does not apply
	rm -rf "$vj_out" "$vj_payload"
	mkdir -p "$vj_out" "$vj_payload/ko" "$vj_payload/bin" || return 1
	cp "build/$krel/mymem_core.ko" "build/$krel/mymem_test.ko" \
		"$vj_payload/ko/" || return 1
	cp tools/bin/mymem-bench tools/bin/mymem-race tools/bin/mymem-bench-rs \
		tools/bin/mymem-race-rs "$vj_payload/bin/" || return 1
	cp "$vj_script" tools/guest-lib.sh "$vj_payload/" || return 1

	vj_rc=0
	tools/vm/vm.sh --kernel "$vj_kernel" --payload "$vj_payload" \
		--out "$vj_out/vm" "$@" \
		--cmd "sh $(basename "$vj_script") /mymem/ko /mymem/bin /results/job" ||
		vj_rc=$?
	rm -rf "$vj_payload"
	if [ -d "$vj_out/vm/job" ]; then
		mv "$vj_out/vm/job"/* "$vj_out/"
		rmdir "$vj_out/vm/job"
	fi
	return $vj_rc
}
