# SPDX-License-Identifier: GPL-2.0
#
# functions.sh - the harness's shell functions, sourced by the host scripts
# in tools/harness/bin/ and by the guest scripts in tools/harness/guest/
# (POSIX sh: dash and busybox ash run it in the guest).  The sourcing script
# sets top, the tree (in the guest: the payload, /mymem), and cd's there;
# run_check and suite write to $logs, a directory the caller makes.

harness=tools/harness
MYMEM_CACHE=${MYMEM_CACHE:-/var/cache/mymem}
t0=$(date +%s)

# --- progress and results ------------------------------------------------------

npass=0 nfail=0 nskip=0
phase_name='' phase_t0='' phase_times=''

# phase TEXT
# A progress line with the seconds since t0; the phase before it ends here,
# and summary lists how long each took.
phase() {
	ph_now=$(date +%s)
	[ -z "$phase_name" ] ||
		phase_times="$phase_times$phase_name: $((ph_now - phase_t0)) s
"
	phase_name=$* phase_t0=$ph_now
	echo "== $* ($((ph_now - t0)) s)"
}

# record STATUS NAME [DETAIL]
# One result: STATUS is PASS, FAIL or SKIP.
record() {
	case "$1" in
	PASS) npass=$((npass + 1)) ;;
	FAIL) nfail=$((nfail + 1)) ;;
	SKIP) nskip=$((nskip + 1)) ;;
	esac
	echo "$1 $2${3:+ ($3)}"
}

# record_lines TEXT
# One result per "STATUS NAME" line of TEXT (what parse-ktap.sh prints).
record_lines() {
	while read -r rl_status rl_rest; do
		[ -n "$rl_status" ] && record "$rl_status" "$rl_rest"
	done <<EOF
$1
EOF
}

# run_check NAME COMMAND...
# PASS when the command exits 0; its output goes to a log in $logs, whose
# tail is shown on a failure.
run_check() {
	rc_name=$1
	shift
	rc_log=$logs/$(echo "$rc_name" | tr ' /' '__').log
	if "$@" >"$rc_log" 2>&1; then
		record PASS "$rc_name"
	else
		record FAIL "$rc_name" "see $rc_log"
		tail -n 20 "$rc_log" | sed 's/^/    /'
	fi
}

# summary
# The time of each phase, then the last line: "N passed, N failed[, N
# skipped]".  Returns 1 when anything failed.
summary() {
	phase "done"
	echo "phase times:"
	printf '%s' "$phase_times" | sed 's/^/    /'
	if [ $nskip -gt 0 ]; then
		echo "$npass passed, $nfail failed, $nskip skipped"
	else
		echo "$npass passed, $nfail failed"
	fi
	[ $nfail -eq 0 ]
}

# --- kernels and sources -------------------------------------------------------

# linux_source_pkg
# The Debian source package the first check-debug kernel is built from:
# checkpatch and the kselftest framework come from it too.
linux_source_pkg() {
	lsp_k=$($harness/bin/kernel.sh list check-debug) || return 1
	$harness/bin/kernel.sh get "${lsp_k%% *}" source
}

# linux_source [PACKAGE]
# Print the directory of Debian's linux-source-X.Y package PACKAGE
# (default: linux_source_pkg), extracted once into $MYMEM_CACHE/src.
# shellcheck disable=SC2120 # most callers take the default
linux_source() {
	ls_pkg=${1:-$(linux_source_pkg)}
	ls_src=$MYMEM_CACHE/src/$ls_pkg
	ls_tar=$(ls /usr/src/"$ls_pkg".tar.* 2>/dev/null | head -n 1)
	if [ -z "$ls_tar" ]; then
		echo "no /usr/src/$ls_pkg.tar.*: apt-get install $ls_pkg" >&2
		return 1
	fi
	if [ ! -f "$ls_src/.mymem-extracted" ] ||
	   [ "$ls_tar" -nt "$ls_src/.mymem-extracted" ]; then
		echo "extracting $ls_tar into $MYMEM_CACHE/src" >&2
		rm -rf "$ls_src"
		mkdir -p "$MYMEM_CACHE/src"
		tar -xf "$ls_tar" -C "$MYMEM_CACHE/src" || return 1
		[ -f "$ls_src/Makefile" ] || return 1
		touch "$ls_src/.mymem-extracted"
	fi
	echo "$ls_src"
}

# build_clean FLAVOUR
# Build both modules W=1 for FLAVOUR: no warning, no error.
build_clean() {
	bc_out=$(make --no-print-directory KERNEL="$1" modules 2>&1)
	bc_rc=$?
	echo "$bc_out"
	[ $bc_rc -eq 0 ] || return 1
	! echo "$bc_out" | grep -E 'warning:|error:'
}

# kunit_built FLAVOUR
# Record whether mymem_kunit.ko was built as it should be: a kernel with
# CONFIG_KUNIT must give it; one without (Debian's stock kernels) is a SKIP.
kunit_built() {
	kb_krel=$($harness/bin/kernel.sh krel "$1") || return
	kb_conf=$($harness/bin/kernel.sh kdir "$1")/include/config/auto.conf
	if grep -q '^CONFIG_KUNIT=[ym]' "$kb_conf" 2>/dev/null; then
		if [ -f "build/$kb_krel/mymem_kunit.ko" ]; then
			record PASS "KUnit $1: mymem_kunit.ko built"
		else
			record FAIL "KUnit $1: mymem_kunit.ko built" "CONFIG_KUNIT is set, no module"
		fi
	else
		record SKIP "KUnit $1: mymem_kunit.ko" "CONFIG_KUNIT is not set in $kb_krel; make check-debug runs the suite"
	fi
}

# installed_where FLAVOUR DIR
# `make install INSTALL_MOD_PATH=DIR` put the modules (in their Kbuild
# subdirectories) where the kernel's file says (install=: extra/ and .ko
# on 6.1, updates/ and .ko.xz on Debian's 6.12), and depmod recorded
# mymem_test's dependency.
installed_where() {
	iw_krel=$($harness/bin/kernel.sh krel "$1") || return 1
	# shellcheck disable=SC2046 # "DIR SUFFIX"
	set -- "$1" "$2" $($harness/bin/kernel.sh get "$1" install)
	iw_dir=$3 iw_ext=$4
	iw_core=$iw_dir/mymem_core/mymem_core$iw_ext
	iw_test=$iw_dir/mymem_test/mymem_test$iw_ext
	iw_rc=0
	for f in $iw_core $iw_test; do
		if [ -f "$2/lib/modules/$iw_krel/$f" ]; then
			echo "installed: $f"
		else
			echo "missing: lib/modules/$iw_krel/$f"
			iw_rc=1
		fi
	done
	if ! grep -x "$iw_test: $iw_core" "$2/lib/modules/$iw_krel/modules.dep"; then
		echo "modules.dep lacks '$iw_test: $iw_core'"
		iw_rc=1
	fi
	return $iw_rc
}

# --- the payload -----------------------------------------------------------------

# ksft_install DIR
# Install the kselftests into DIR the way a kernel tree does: this tree's
# tools/testing/selftests/mymem and its UAPI header, copied into a tree
# made of the kernel's own kselftest framework (linux-source-6.1), then
# `make TARGETS=mymem install`.  DIR gets run_kselftest.sh and mymem/.
ksft_install() {
	ki_src=$(linux_source) || return 1
	ki_tree=$1.tree
	rm -rf "$1" "$ki_tree"
	mkdir -p "$ki_tree/tools/testing/selftests" "$ki_tree/scripts" \
		"$ki_tree/include/uapi/linux" || return 1
	cp "$ki_src/scripts/subarch.include" "$ki_tree/scripts/" || return 1
	(cd "$ki_src/tools/testing/selftests" &&
	 cp -a Makefile lib.mk run_kselftest.sh kselftest kselftest.h \
		kselftest_harness.h "$ki_tree/tools/testing/selftests/") ||
		return 1
	cp -a tools/testing/selftests/mymem "$ki_tree/tools/testing/selftests/" ||
		return 1
	cp include/uapi/linux/mymem.h "$ki_tree/include/uapi/linux/" || return 1
	# a standalone build may have left programs there: the framework's
	# own build must make them
	make -s -C "$ki_tree/tools/testing/selftests/mymem" clean >/dev/null
	make -C "$ki_tree/tools/testing/selftests" TARGETS=mymem \
		INSTALL_PATH="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")" \
		install || return 1
	rm -rf "$ki_tree"
}

# payload DIR FLAVOUR [TREE [KSELFTEST]]
# Everything a guest job needs, in DIR: the modules of TREE (default: this
# one) built for FLAVOUR in ko/ and installed in lib/modules/ (modprobe),
# the kselftests installed in kselftest/ (unless KSELFTEST is 0), the
# programs in bin/, and the harness's guest scripts and this file where the
# tree has them, so that the same relative paths work on the host and in
# the guest.
payload() {
	pl_dir=$1 pl_k=$2 pl_tree=${3:-.} pl_ksft=${4:-1}
	pl_krel=$($harness/bin/kernel.sh krel "$pl_k") || return 1
	rm -rf "$pl_dir"
	mkdir -p "$pl_dir/ko" "$pl_dir/bin" "$pl_dir/$harness/bin" \
		"$pl_dir/tools/testing/selftests/mymem" || return 1
	make --no-print-directory -C "$pl_tree" KERNEL="$pl_k" modules ||
		return 1
	cp "$pl_tree/build/$pl_krel/"*.ko "$pl_dir/ko/" || return 1
	# the kernel's own RAM disk, brd, for make bench's fio (guest/fio.sh)
	pl_brd=$(find "$($harness/bin/kernel.sh moddir "$pl_k")" \
		-name 'brd.ko*' 2>/dev/null | head -n 1)
	[ -z "$pl_brd" ] || cp "$pl_brd" "$pl_dir/ko/" || return 1
	make --no-print-directory -C "$pl_tree" KERNEL="$pl_k" \
		INSTALL_MOD_PATH="$(cd "$pl_dir" && pwd)" install || return 1
	if [ "$pl_ksft" = 1 ]; then
		ksft_install "$pl_dir/kselftest" || return 1
	fi
	make --no-print-directory -C tools || return 1
	cp tools/bin/mymem-bench tools/bin/mymem-race tools/bin/mymem-fuzz \
		tools/bin/mymem-bench-rs tools/bin/mymem-race-rs \
		"$pl_dir/bin/" || return 1
	cp -R $harness/guest "$pl_dir/$harness/" || return 1
	cp $harness/bin/functions.sh "$pl_dir/$harness/bin/" || return 1
	cp tools/testing/selftests/mymem/ktap_helpers.sh \
		"$pl_dir/tools/testing/selftests/mymem/" || return 1
}

# --- jobs in the VM ----------------------------------------------------------------

# vm_prepare FLAVOUR
# Install what is missing, build the modules and the programs for FLAVOUR;
# sets krel.
vm_prepare() {
	phase "dependencies"
	$harness/bin/deps.sh run "$1"
	krel=$($harness/bin/kernel.sh krel "$1")

	phase "build for $krel"
	make --no-print-directory -s KERNEL="$1" modules
	make --no-print-directory -s -C tools
}

# vm_job FLAVOUR OUT GUEST_SCRIPT [vm.sh options...]
# Boot FLAVOUR with the payload, run "GUEST_SCRIPT KO_DIR BIN_DIR OUT_DIR"
# there (GUEST_SCRIPT: a path in the tree; MYMEM_CORE_PARAMS, RACE_W and
# RACE_N passed on),
# and leave what it wrote in OUT (the VM's own logs in OUT/vm).  Returns
# vm.sh's exit status.
vm_job() {
	vj_kernel=$1 vj_out=$2 vj_script=$3
	shift 3
	vj_payload=$(dirname "$vj_out")/.payload-$(basename "$vj_out")
	# called as "vm_job ... || rc=$?", where set -e does not apply
	rm -rf "$vj_out"
	mkdir -p "$vj_out" || return 1
	payload "$vj_payload" "$vj_kernel" . 0 >"$vj_out/payload.log" 2>&1 || {
		echo "payload failed: see $vj_out/payload.log"
		return 1
	}
	vj_rc=0
	$harness/bin/vm.sh --kernel "$vj_kernel" --payload "$vj_payload" \
		--out "$vj_out/vm" "$@" \
		--cmd "MYMEM_CORE_PARAMS='${MYMEM_CORE_PARAMS:-}' RACE_W='${RACE_W:-}' RACE_N='${RACE_N:-}' sh $vj_script /mymem/ko /mymem/bin /results/job" ||
		vj_rc=$?
	rm -rf "$vj_payload"
	if [ -d "$vj_out/vm/job" ]; then
		mv "$vj_out/vm/job"/* "$vj_out/"
		rmdir "$vj_out/vm/job"
	fi
	return $vj_rc
}

# detectors_check FLAVOUR FILE
# Record whether each bug detector the kernel's file lists (detectors=)
# was on before the suite and still on after it (lockdep turns itself off
# after its first report; KCSAN must have set up watchpoints), with 2 CPUs.
detectors_check() {
	dc_list=$($harness/bin/kernel.sh get "$1" detectors)
	dc_want=$(echo cpus 2; for d in $dc_list; do echo "$d 1"; done)
	dc_bad=$(for when in before after; do
		echo "$dc_want" | while read -r key val; do
			got=$(sed -n "s/^$when $key //p" "$2")
			[ "$got" = "$val" ] ||
				echo "$when: $key is '${got:-missing}', not $val"
		done
	done)
	if [ -n "$dc_bad" ]; then
		record FAIL "$1: detectors active" "$(echo "$dc_bad" | tr '\n' ';')"
		return
	fi
	dc_detail="$dc_list, 2 CPUs"
	case " $dc_list " in
	*" kcsan "*)
		dc_w=$(sed -n 's/^after kcsan_watchpoints //p' "$2")
		if [ "${dc_w:-0}" -le 0 ]; then
			record FAIL "$1: detectors active" "KCSAN set up no watchpoint"
			return
		fi
		dc_detail="$dc_detail, $dc_w KCSAN watchpoints set up" ;;
	esac
	record PASS "$1: detectors active before and after" "$dc_detail"
}

# suite KERNEL [SCENARIO]
# The suite runner of make check, check-debug and soak: boot KERNEL with the
# payload, run the parts of tools/harness/configs/suite/SCENARIO (default:
# the one the kernel's file names) there (guest/suite.sh) and record every
# result of their KTAP.
suite() {
	kernel=$1
	s_scen=${2:-$($harness/bin/kernel.sh get "$kernel" suite)}
	s_name=$kernel
	[ $# -lt 2 ] || s_name=$kernel-$s_scen
	parts='kselftest tools' guest_env='' boot='' vm_opts=''
	kunit_sizes='' timeout=1500
	. "$harness/configs/suite/$s_scen"
	s_out=$logs/vm-$s_name
	s_payload=$logs/payload-$s_name
	if ! payload "$s_payload" "$kernel" >"$s_payload.log" 2>&1; then
		record FAIL "$s_name: payload" "see $s_payload.log"
		return
	fi
	run_check "make install $kernel: place, compression, depmod" \
		installed_where "$kernel" "$s_payload"
	# shellcheck disable=SC2086 # $vm_opts is a list of options
	VM_QUIET=1 $harness/bin/vm.sh --kernel "$kernel" --payload "$s_payload" \
		--cmd "$guest_env KUNIT_SIZES='$kunit_sizes' sh $harness/guest/suite.sh $parts" \
		--out "$s_out" --timeout "$timeout" --bin timeout \
		${boot:+--append "$boot"} $vm_opts >"$s_out.log" 2>&1
	s_rc=$?
	grep '^\[vm\]' "$s_out.log" | sed 's/^/    /'
	for s_part in $parts; do
		case "$s_part" in
		kselftest)
			record_lines "$($harness/bin/parse-ktap.sh \
				"$s_out/kselftest.tap" 1 "$s_name")" ;;
		kunit)
			for s_size in $kunit_sizes; do
				record_lines "$($harness/bin/parse-ktap.sh \
					"$s_out/kunit-$s_size.tap" 1 \
					"$s_name kunit size=$s_size")"
			done ;;
		*)
			record_lines "$($harness/bin/parse-ktap.sh \
				"$s_out/$s_part.tap" 0 "$s_name $s_part")" ;;
		esac
	done
	if [ -n "$($harness/bin/kernel.sh get "$kernel" detectors)" ]; then
		if [ -f "$s_out/detectors.txt" ]; then
			detectors_check "$kernel" "$s_out/detectors.txt"
		else
			record FAIL "$kernel: detectors active" "no $s_out/detectors.txt"
		fi
	fi
	if [ $s_rc -eq 0 ]; then
		record PASS "vm $s_name: clean boot, run and shutdown"
	else
		record FAIL "vm $s_name: clean boot, run and shutdown" \
			"vm.sh rc=$s_rc, console in $s_out/console.log"
	fi
}

# --- in the guest ----------------------------------------------------------------

job=job
rc=0

# say TEXT / fail TEXT
# A job's progress line, "[JOB] TEXT"; a failure also sets rc=1.
say() {
	echo "[$job] $*"
}

fail() {
	echo "[$job] FAIL: $*"
	rc=1
}

# job_start NAME OUT
# The start of a guest job: its lines say NAME, OUT exists, debugfs is
# mounted (run-host runs the job on a machine that may not have it).
job_start() {
	job=$1
	mkdir -p "$2"
	mountpoint -q /sys/kernel/debug 2>/dev/null ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
}

# await_run DBG STATUS_FILE
# Wait for the mymem_test run to end through the blocking read of DBG/wait,
# keeping its final status line in STATUS_FILE; say the status every 10 s
# meanwhile, and the time taken.
await_run() {
	ar_dbg=$1 ar_status=$2
	ar_t0=$(cut -d ' ' -f 1 /proc/uptime)
	cat "$ar_dbg/wait" >"$ar_status" &
	ar_waiter=$!
	while kill -0 $ar_waiter 2>/dev/null; do
		sleep 10
		kill -0 $ar_waiter 2>/dev/null && say "  $(cat "$ar_dbg/status")"
	done
	wait $ar_waiter
	ar_t1=$(cut -d ' ' -f 1 /proc/uptime)
	say "in-kernel run ended after $(awk -v a="$ar_t0" -v b="$ar_t1" \
		'BEGIN { printf "%.1f", b - a }') s: $(cat "$ar_status")"
}

# timed_insmod KO LOAD KEY ARGS...
# insmod KO/mymem_core.ko with ARGS and append "KEY_s SECONDS" to the file
# LOAD; fails like insmod.
timed_insmod() {
	ti_ko=$1 ti_load=$2 ti_key=$3
	shift 3
	ti_t0=$(cut -d ' ' -f 1 /proc/uptime)
	insmod "$ti_ko/mymem_core.ko" "$@"
	ti_st=$?
	ti_t1=$(cut -d ' ' -f 1 /proc/uptime)
	ti_s=$(awk -v a="$ti_t0" -v b="$ti_t1" 'BEGIN { printf "%.2f", b - a }')
	if [ $ti_st -ne 0 ]; then
		echo "${ti_key}_error insmod-exit-$ti_st" >>"$ti_load"
		return $ti_st
	fi
	echo "${ti_key}_s $ti_s" >>"$ti_load"
	say "insmod mymem_core${*:+ $*}: $ti_s s"
}

# load_times KO LOAD BIN
# The load time of mymem_core at the default size and with a 1 GiB buffer,
# and for scale one zeroing pass over 1 GiB (BIN/mymem-bench -z), into the
# file LOAD; the core must not be loaded.  Needs a guest with
# 2 GiB of memory.
load_times() {
	: >"$2"
	if timed_insmod "$1" "$2" default; then
		rmmod mymem_core || fail "rmmod mymem_core"
	else
		fail "insmod mymem_core (default size)"
	fi
	if lt_zero=$("$3/mymem-bench" -z 1073741824); then
		echo "zero_1g_s $lt_zero" >>"$2"
	else
		fail "mymem-bench -z 1073741824"
	fi
	if timed_insmod "$1" "$2" load_1g size=1073741824; then
		lt_got=$(cat /sys/kernel/debug/mymem/size 2>/dev/null)
		echo "load_1g_size ${lt_got:-unknown}" >>"$2"
		[ "$lt_got" = 1073741824 ] ||
			fail "debugfs mymem/size is '${lt_got:-unreadable}', not 1073741824"
		rmmod mymem_core || fail "rmmod mymem_core (1 GiB)"
	else
		fail "insmod mymem_core size=1073741824"
	fi
}
