# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # local (dash, busybox ash)
#
# functions.sh - the host side of the harness, sourced by tools/harness/bin/
# scripts after they cd to $top; run_check and suite write to $logs.

harness=tools/harness
MYMEM_CACHE=${MYMEM_CACHE:-/var/cache/mymem}
t0=$(date +%s)
npass=0 nfail=0 nskip=0 phase_name='' phase_t0='' phase_times=''

# usage [STATUS]: the script's comment from its line 4 on, then exit STATUS:
# 0 (--help) on stdout, else (default 2) on stderr; die TEXT: "SCRIPT: TEXT"
usage() {
	set -- "${1:-2}" "$0"
	# a script called by a relative path that has cd'ed to $top since
	[ -f "$2" ] || set -- "$1" "$harness/bin/${0##*/}"
	[ "$1" = 0 ] || exec >&2
	awk 'NR >= 4 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 4 { exit }' "$2"
	exit "$1"
}

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# kfact ARGS...: tools/harness/bin/kernel.sh ARGS (a kernel's facts)
kfact() {
	$harness/bin/kernel.sh "$@"
}

# phase TEXT: a progress line; summary lists each phase's seconds
phase() {
	local now
	now=$(date +%s)
	[ -z "$phase_name" ] ||
		phase_times="$phase_times$phase_name: $((now - phase_t0)) s
"
	phase_name=$* phase_t0=$now
	echo "== $* ($((now - t0)) s)"
}

# record STATUS NAME [DETAIL]: one result, STATUS PASS, FAIL or SKIP.
record() {
	case "$1" in
	PASS) npass=$((npass + 1)) ;;
	FAIL) nfail=$((nfail + 1)) ;;
	SKIP) nskip=$((nskip + 1)) ;;
	esac
	echo "$1 $2${3:+ ($3)}"
}

# record_ktap FILE DEPTH NAME: one result per line parse-ktap.sh prints.
record_ktap() {
	local status rest
	while read -r status rest; do
		[ -z "$status" ] || record "$status" "$rest"
	done <<EOF
$($harness/bin/parse-ktap.sh "$@")
EOF
}

# run_check NAME COMMAND...: PASS when it exits 0; log in $logs
run_check() {
	local name=$1 log
	shift
	log=${logs:?}/$(echo "$name" | tr ' /' '__').log
	if "$@" >"$log" 2>&1; then
		record PASS "$name"
	else
		record FAIL "$name" "see $log"
		tail -n 20 "$log" | sed 's/^/    /'
	fi
}

# summary: the time of each phase, then "N passed, N failed[, N skipped]";
# returns 1 when anything failed.
summary() {
	phase "done"
	echo "phase times:"
	printf '%s' "$phase_times" | sed 's/^/    /'
	echo "$npass passed, $nfail failed$([ $nskip -eq 0 ] || echo ", $nskip skipped")"
	[ $nfail -eq 0 ]
}

# linux_source [PACKAGE]: Debian's linux-source-X.Y, extracted once into
# $MYMEM_CACHE/src; default: the first check-debug kernel's
# shellcheck disable=SC2120 # most callers take the default
linux_source() {
	local pkg=${1:-} src tar
	if [ -z "$pkg" ]; then
		pkg=$(kfact list check-debug) &&
			pkg=$(kfact get "${pkg%% *}" source) || return 1
	fi
	src=$MYMEM_CACHE/src/$pkg
	set -- /usr/src/"$pkg".tar.*
	tar=$1
	if [ ! -f "$tar" ]; then
		echo "no /usr/src/$pkg.tar.*: apt-get install $pkg" >&2
		return 1
	fi
	mkdir -p "$MYMEM_CACHE/src" || return 1
	# one extraction at a time: parallel jobs share the cache
	(
		flock 9
		[ -f "$src/.mymem-extracted" ] && [ ! "$tar" -nt "$src/.mymem-extracted" ] &&
			exit 0
		echo "extracting $tar into $MYMEM_CACHE/src" >&2
		rm -rf "$src"
		tar -xf "$tar" -C "$MYMEM_CACHE/src" && [ -f "$src/Makefile" ] &&
			touch "$src/.mymem-extracted"
	) 9>"$MYMEM_CACHE/src/.lock" || return 1
	echo "$src"
}

# installed_where FLAVOUR DIR: `make install INSTALL_MOD_PATH=DIR` put the
# modules where the kernel's file says (install=: extra/ and .ko on 6.1,
# updates/ and .ko.xz on 6.12), and depmod recorded mymem_test's dependency.
installed_where() {
	local krel core test f rc=0
	krel=$(kfact krel "$1") || return 1
	# shellcheck disable=SC2046 # "DIR SUFFIX"
	set -- "$2/lib/modules/$krel" $(kfact get "$1" install)
	core=$2/mymem_core/mymem_core$3 test=$2/mymem_test/mymem_test$3
	for f in "$core" "$test"; do
		if [ -f "$1/$f" ]; then
			echo "installed: $f"
		else
			echo "missing: lib/modules/$krel/$f"
			rc=1
		fi
	done
	grep -x "$test: $core" "$1/modules.dep" ||
		{ echo "modules.dep lacks '$test: $core'"; rc=1; }
	return $rc
}

# ksft_install DIR: `make TARGETS=mymem install` into DIR in a copy of the
# kernel's kselftest framework
ksft_install() {
	local src tree=$1.tree ksft=$1.tree/tools/testing/selftests
	src=$(linux_source) || return 1
	rm -rf "$1" "$tree"
	mkdir -p "$ksft" "$tree/scripts" "$tree/include/uapi/linux" &&
		cp "$src/scripts/subarch.include" "$tree/scripts/" &&
		(cd "$src/tools/testing/selftests" && cp -a Makefile lib.mk \
			run_kselftest.sh kselftest kselftest.h kselftest_harness.h \
			"$ksft/") &&
		cp -a tools/testing/selftests/mymem "$ksft/" &&
		cp include/uapi/linux/mymem.h "$tree/include/uapi/linux/" || return 1
	# the framework's own build must make the programs
	make -s -C "$ksft/mymem" clean >/dev/null
	make -C "$ksft" TARGETS=mymem install \
		INSTALL_PATH="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")" ||
		return 1
	rm -rf "$tree"
}

# payload DIR FLAVOUR [TREE [KSELFTEST]]: what a guest job needs, in DIR:
# the modules of TREE (default .) for FLAVOUR in ko/ and installed in
# lib/modules/, the kselftests in kselftest/ (unless KSELFTEST is 0), the
# programs in bin/, the guest scripts and the KTAP writer at their paths.
payload() {
	local dir=$1 k=$2 tree=${3:-.} krel brd
	krel=$(kfact krel "$k") || return 1
	rm -rf "$dir"
	mkdir -p "$dir/ko" "$dir/bin" "$dir/$harness" \
		"$dir/tools/testing/selftests/mymem" &&
		make --no-print-directory -C "$tree" KERNEL="$k" modules &&
		cp "$tree/build/$krel/"*.ko "$dir/ko/" &&
		make --no-print-directory -C "$tree" KERNEL="$k" \
			INSTALL_MOD_PATH="$(cd "$dir" && pwd)" install || return 1
	# the kernel's own RAM disk, brd, for make bench's fio (guest/fio.sh)
	brd=$(find "$(kfact moddir "$k")" -name 'brd.ko*' 2>/dev/null | head -n 1)
	[ -z "$brd" ] || cp "$brd" "$dir/ko/" || return 1
	if [ "${4:-1}" = 1 ]; then
		ksft_install "$dir/kselftest" || return 1
	fi
	make --no-print-directory -C tools &&
		cp tools/bin/mymem-bench tools/bin/mymem-race tools/bin/mymem-fuzz \
			tools/bin/mymem-bench-rs tools/bin/mymem-race-rs "$dir/bin/" &&
		cp -R $harness/guest "$dir/$harness/" &&
		cp tools/testing/selftests/mymem/ktap_helpers.sh \
			"$dir/tools/testing/selftests/mymem/"
}

# vm_prepare FLAVOUR: install what is missing, build the modules and the
# programs for FLAVOUR; sets krel.
vm_prepare() {
	phase "dependencies"
	$harness/bin/deps.sh run "$1"
	krel=$(kfact krel "$1")
	phase "build for $krel"
	make --no-print-directory -s KERNEL="$1" modules
	make --no-print-directory -s -C tools
}

# vm_job FLAVOUR OUT GUEST_SCRIPT [vm.sh options...]: boot FLAVOUR with the
# payload, run "GUEST_SCRIPT KO_DIR BIN_DIR OUT_DIR" there (MYMEM_CORE_PARAMS,
# RACE_W, RACE_N passed on); results in OUT, vm.sh's in OUT/vm; vm.sh's rc.
vm_job() {
	local k=$1 out=$2 script=$3 pl rc=0
	shift 3
	pl=$(dirname "$out")/.payload-$(basename "$out")
	rm -rf "$out"
	mkdir -p "$out" || return 1
	if ! payload "$pl" "$k" . 0 >"$out/payload.log" 2>&1; then
		echo "payload failed: see $out/payload.log"
		return 1
	fi
	$harness/bin/vm.sh --kernel "$k" --payload "$pl" --out "$out/vm" "$@" \
		--cmd "MYMEM_CORE_PARAMS='${MYMEM_CORE_PARAMS:-}' RACE_W='${RACE_W:-}' RACE_N='${RACE_N:-}' sh $script /mymem/ko /mymem/bin /results/job" ||
		rc=$?
	rm -rf "$pl"
	if [ -d "$out/vm/job" ]; then
		mv "$out/vm/job"/* "$out/"
		rmdir "$out/vm/job"
	fi
	return $rc
}

# detectors_check FLAVOUR FILE: each detector of the kernel's file on, with
# 2 CPUs, before and after the suite (lockdep stops at its first report)
detectors_check() {
	local list bad when key val got w detail
	[ -f "$2" ] || { record FAIL "$1: detectors active" "no $2"; return; }
	list=$(kfact get "$1" detectors)
	w=$(sed -n 's/^after kcsan_watchpoints //p' "$2")
	bad=$(for when in before after; do
		for key in cpus $list; do
			case $key in cpus) val=2 ;; *) val=1 ;; esac
			got=$(sed -n "s/^$when $key //p" "$2")
			[ "$got" = "$val" ] ||
				echo "$when: $key is '${got:-missing}', not $val"
		done
	done
	case " $list " in
	*" kcsan "*) [ "${w:-0}" -gt 0 ] || echo "KCSAN set up no watchpoint" ;;
	esac)
	if [ -n "$bad" ]; then
		record FAIL "$1: detectors active" "$(echo "$bad" | tr '\n' ';')"
		return
	fi
	detail="$list, 2 CPUs${w:+, $w KCSAN watchpoints set up}"
	record PASS "$1: detectors active before and after" "$detail"
}

# suite KERNEL [SCENARIO]: boot KERNEL, run guest/suite.sh with the parts of
# configs/suite/SCENARIO (default: the kernel's), record their KTAP
suite() {
	local k=$1 scen name=$1 out pl rc=0 part size
	local parts='kselftest tools' guest_env='' boot='' vm_opts=''
	local kunit_sizes='' timeout=1500
	scen=${2:-$(kfact get "$k" suite)}
	[ $# -lt 2 ] || name=$k-$scen
	# shellcheck source=/dev/null # a scenario: the variables above
	. "$harness/configs/suite/$scen"
	out=$logs/vm-$name pl=$logs/payload-$name
	if ! payload "$pl" "$k" >"$pl.log" 2>&1; then
		record FAIL "$name: payload" "see $pl.log"
		return
	fi
	run_check "make install $k: place, compression, depmod" \
		installed_where "$k" "$pl"
	# shellcheck disable=SC2086 # $vm_opts is a list of options
	VM_QUIET=1 $harness/bin/vm.sh --kernel "$k" --payload "$pl" \
		--cmd "$guest_env KUNIT_SIZES='$kunit_sizes' sh $harness/guest/suite.sh $parts" \
		--out "$out" --timeout "$timeout" --bin timeout \
		${boot:+--append "$boot"} $vm_opts >"$out.log" 2>&1 || rc=$?
	grep '^\[vm\]' "$out.log" | sed 's/^/    /'
	for part in $parts; do
		case "$part" in
		kselftest) record_ktap "$out/kselftest.tap" 1 "$name" ;;
		kunit)	for size in $kunit_sizes; do
				record_ktap "$out/kunit-$size.tap" 1 "$name kunit size=$size"
			done ;;
		*)	record_ktap "$out/$part.tap" 0 "$name $part" ;;
		esac
	done
	[ -z "$(kfact get "$k" detectors)" ] ||
		detectors_check "$k" "$out/detectors.txt"
	if [ $rc -eq 0 ]; then
		record PASS "vm $name: clean boot, run and shutdown"
	else
		record FAIL "vm $name: clean boot, run and shutdown" \
			"vm.sh rc=$rc, console in $out/console.log"
	fi
}
