#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh - boot a Debian kernel in QEMU with a busybox initramfs, run one
# command in it and bring the results back.
#
#   vm.sh --kernel KERNEL --payload DIR --cmd 'COMMAND' --out OUTDIR
#         [--timeout SEC] [--smp N] [--mem MB] [--append ARGS]
#         [--bin PROGRAM]...
#
#   --kernel   a kernel of tools/harness/configs/kernels/ (kernel.sh)
#   --payload  copied to /mymem; its lib/modules/KREL/ is depmod'ed in
#   --cmd      run with sh -c in /mymem; output to console and guest.log
#   --out      gets console.log, rc, accel.txt and the guest's /results;
#              a previous run's files (OUTDIR/.vm-files) are removed first
#   --timeout  hard limit for the whole boot in seconds (default 600)
#   --smp, --mem  vCPUs (default 2) and memory in MiB (default 1024)
#   --append   more kernel parameters (may be repeated)
#   --expect-alloc-failures 1
#              the stack dump after "vmalloc error" or "page allocation
#              failure" is not a problem (any other report still is)
#   --bin      add a host program (and its libraries) to the guest's /bin
#
# The guest and its kernel command line: tools/harness/README.md.
# Exit status: the command's, when the results came back and the kernel
# logged no problem; else 124 (hard timeout), 125 (no results, e.g. a
# panic), or the command's status (1 if 0) for a kernel problem line or
# taint flag B, D, W or L.
# Environment: VM_ACCEL=kvm|tcg (default tcg), VM_QUIET=1 hides the live
# console, VM_PVH=0 boots a bzImage as it is, not its vmlinux through PVH.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
kernel_sh=$here/kernel.sh
. "$here/functions.sh"

say() {
	echo "[vm] $*"
}

die() {
	echo "[vm] error: $*" >&2
	exit 2
}

now() {
	date +%s.%N
}

# elapsed seconds between two now() values
secs() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

flavour='' expect_alloc=0 payload=''
cmd='' cmd_set='' out='' append='' bins='' timeout=600 smp=2 mem=1024
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage 0 ;;
	esac
	[ $# -ge 2 ] || usage
	case "$1" in
	--kernel)	flavour=$2 ;;
	--payload)	payload=$2 ;;
	--cmd)		cmd=$2 cmd_set=1 ;;
	--out)		out=$2 ;;
	--timeout)	timeout=$2 ;;
	--smp)		smp=$2 ;;
	--mem)		mem=$2 ;;
	--append)	append="$append $2" ;;
	--bin)		bins="$bins --bin $2" ;;
	--expect-alloc-failures) expect_alloc=$2 ;;
	*)		echo "vm.sh: unknown option $1" >&2
			usage ;;
	esac
	shift 2
done

[ -n "$flavour" ] || die "--kernel KERNEL is required"
[ -n "$payload" ] || die "--payload DIR is required"
[ -n "$cmd_set" ] || die "--cmd COMMAND is required"
[ -n "$out" ] || die "--out OUTDIR is required"
[ -d "$payload" ] || die "payload $payload is not a directory"
for v in "$timeout" "$smp" "$mem"; do
	case "$v" in
	''|*[!0-9]*) die "--timeout/--smp/--mem take a positive number, not '$v'" ;;
	esac
	[ "$v" -gt 0 ] || die "--timeout/--smp/--mem must be > 0"
done

krel=$("$kernel_sh" krel "$flavour") || exit 2
image=$("$kernel_sh" image "$flavour")
moddir=$("$kernel_sh" moddir "$flavour")
qemu_extra=$("$kernel_sh" get "$flavour" qemu)
[ -r "$image" ] || die "kernel image $image not readable (install linux-image-$krel, or run as root)"
[ -d "$moddir" ] || die "modules directory $moddir missing"
command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found: apt-get install qemu-system-x86"

mkdir -p "$out"
out=$(cd "$out" && pwd)
con=$out/console.log ser=$out/serial1.log
exec 9>"$out/.vm-lock"
if command -v flock >/dev/null && ! flock -n 9; then
	die "another vm.sh is running with --out $out"
fi
# forget only what vm.sh itself put in OUTDIR (.vm-files)
if [ -f "$out/.vm-files" ]; then
	while IFS= read -r f; do
		case "$f" in
		''|.|..|*/*) ;;
		*) rm -rf "${out:?}/$f" ;;
		esac
	done <"$out/.vm-files"
fi
rm -f "$con" "$out/rc" "$ser" "$out/accel.txt" "$out/.vm-files"
work=$(mktemp -d "$out/.vm.XXXXXX")
qpid='' wpid='' tpid=''
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	for p in $qpid $wpid $tpid; do
		kill "$p" 2>/dev/null || true
	done
	rm -rf "$work" "$out/.vm-lock"
	[ -s "$ser" ] || rm -f "$ser"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM HUP

t0=$(now)

# 1. initramfs
say "building initramfs for $krel (payload $payload)"
printf '%s\n' "$cmd" >"$work/cmd"
# shellcheck disable=SC2086 # $bins is a list of options
"$here/mkinitramfs.sh" --krel "$krel" --modules "$moddir" --payload "$payload" \
	--cmd-file "$work/cmd" --out "$work/initramfs.cpio.gz" $bins ||
	die "initramfs build failed"
t1=$(now)
say "initramfs: $(du -k "$work/initramfs.cpio.gz" | cut -f 1) KiB in $(secs "$t0" "$t1")s"

# 2. the image: a bzImage's vmlinux, decompressed here, boots through its
# PVH entry point (seconds faster under TCG)
pvh_vmlinux() {
	command -v readelf >/dev/null || return 1
	for fmt in "xz \3757zXZ" "zstd \050\265\057\375"; do
		command -v "${fmt%% *}" >/dev/null || continue
		# shellcheck disable=SC2059 # the magic is printf's escapes
		off=$(LC_ALL=C grep -a -b -o -F -e "$(printf "${fmt#* }")" "$1" 2>/dev/null |
			head -n 1 | cut -d : -f 1)
		[ -n "$off" ] || continue
		# trailing data makes xz complain: check the ELF instead
		tail -c +$((off + 1)) "$1" | "${fmt%% *}" -dc >"$2" 2>/dev/null
		[ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = 177ELF ] || continue
		[ -z "$(readelf -h -S "$2" 2>&1 >/dev/null)" ] || continue
		# XEN_ELFNOTE_PHYS32_ENTRY (18): the PVH entry point
		readelf -n "$2" 2>/dev/null | grep -q 'Xen.*(0x00000012)' && return 0
	done
	rm -f "$2"
	return 1
}
boot_image=$image
if [ "${VM_PVH:-1}" != 0 ] &&
   [ "$(dd if="$image" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] &&
   pvh_vmlinux "$image" "$work/vmlinux"; then
	boot_image=$work/vmlinux
	say "booting the vmlinux from $image through PVH ($(secs "$t1" "$(now)")s to extract)"
fi

# 3. accelerator: TCG unless VM_ACCEL=kvm (kvm-pvm hung guests early;
# the reports compare figures of one accelerator)
kvm="-accel kvm -cpu host" tcg="-accel tcg,thread=multi -cpu max"
case "${VM_ACCEL:-tcg}" in
kvm)	accel=$kvm ;;
tcg)	accel=$tcg ;;
*)	die "VM_ACCEL=$VM_ACCEL: kvm or tcg" ;;
esac

echo "${accel#-accel } smp $smp" | sed 's/,thread=multi//; s/ -cpu [a-z]*//' >"$out/accel.txt"

# 4. boot
cmdline="console=ttyS0 loglevel=5 panic=-1 panic_on_warn=1 oops=panic softlockup_panic=1 log_buf_len=8M$append"
say "booting $image ($accel, smp $smp, ${mem}M, timeout ${timeout}s)"
say "cmdline: $cmdline"
# the live console: our stdout, inherited to stay in order
if [ "${VM_QUIET:-0}" = 1 ]; then
	exec 3>/dev/null
else
	exec 3>&1
fi
# qemu (from t2) under the hard timeout, with a heartbeat
run_qemu() {
	t2=$(now)
	rm -f "$ser" "$work/timeout" "$work/t_init"
	: >"$con"
	# shellcheck disable=SC2086 # lists of options
	timeout -k 5 "$timeout" qemu-system-x86_64 $accel $qemu_extra \
		-smp "$smp" -m "$mem" -nodefaults -display none -no-reboot \
		-kernel "$boot_image" -initrd "$work/initramfs.cpio.gz" -append "$cmdline" \
		-chardev "stdio,id=con,signal=off,logfile=$con" -serial chardev:con \
		-serial "file:$ser" </dev/null >&3 2>"$work/qemu.err" &
	qpid=$!
	# the host time at which the guest's /init starts (event driven)
	(
		tail -n +1 -s 0.2 -F --pid="$qpid" "$con" 2>/dev/null |
			grep -a -q -m 1 '^vm-init: kernel ' && now >"$work/t_init"
	) &
	tpid=$!
	(
		n=0
		while sleep 1; do
			n=$((n + 1))
			[ $((n % 60)) -ne 0 ] || say "still running: ${n}s of ${timeout}s"
		done
	) &
	wpid=$!
	qrc=0
	wait "$qpid" || qrc=$?
	qpid=
	# 124: timed out; 137: and killed
	case $qrc in 124|137) : >"$work/timeout" ;; esac
	kill "$wpid" 2>/dev/null || true
	# ends by itself (tail --pid) once qemu is gone
	wait "$tpid" 2>/dev/null || true
	wpid='' tpid=''
}

# a run that died before the guest's /init (and not of the timeout)
died_early() {
	[ ! -f "$work/timeout" ] && ! grep -q -a '^vm-init: ' "$con"
}

run_qemu
# KVM that fails before the guest's /init ran: fall back to TCG once
if [ "$accel" = "$kvm" ] && died_early; then
	say "KVM run failed early (qemu exit $qrc), retrying with TCG"
	accel=$tcg
	run_qemu
fi
if [ "$boot_image" != "$image" ] && died_early; then
	say "PVH boot failed early (qemu exit $qrc), retrying with the bzImage"
	boot_image=$image
	run_qemu
fi
t3=$(now)
# plain text: drop the serial line's carriage returns
tr -d '\r' <"$con" >"$work/console.log" && cat "$work/console.log" >"$con"

# 5. results from the second serial port
reason='' rc=''
{ tr -d '\r' <"$ser"; } >"$work/ser" 2>/dev/null || :
begin=$(grep -a -m 1 '^MYMEM-VM-RESULTS-BEGIN rc=' "$work/ser") || begin=
endl=$(grep -a -m 1 '^MYMEM-VM-RESULTS-END rc=' "$work/ser") || endl=
if [ -n "$begin" ] && [ -n "$endl" ]; then
	sed -n '/^MYMEM-VM-RESULTS-BEGIN /,/^MYMEM-VM-RESULTS-END /p' "$work/ser" |
		sed '1d;$d' | base64 -d >"$work/results.tgz" 2>/dev/null || true
	want=${endl##*md5=}
	got=$(md5sum "$work/results.tgz" | cut -d ' ' -f 1)
	if [ "$want" != "$got" ]; then
		reason="results corrupted in transfer (md5 $got, expected $want)"
	elif ! mkdir "$work/res" || ! tar -xzf "$work/results.tgz" -C "$work/res"; then
		reason="results archive could not be unpacked"
	else
		rc=${begin##*rc=}
		rm -f "$ser"
		# the /results files go straight into OUTDIR
		for f in "$work/res"/* "$work/res"/.[!.]*; do
			[ -e "$f" ] || [ -L "$f" ] || continue
			n=${f##*/}
			case "$n" in
			console.log|rc|serial1.log|.vm-files|.vm.*)
				say "warning: /results/$n saved as guest-$n"
				n=guest-$n ;;
			esac
			rm -rf "${out:?}/$n"
			mv "$f" "$out/$n"
			echo "$n" >>"$out/.vm-files"
		done
	fi
elif [ -n "$begin" ]; then
	reason="results transfer cut short (no end marker)"
fi

# 6. kernel problems: kernel lines (printk timestamp) of the console, then
# of the guest's dmesg, matching the selftests' kernel_problems patterns;
# with --expect-alloc-failures, minus allocation failure dumps to </TASK>
pat=$(paste -s -d '|' "$here/../../testing/selftests/mymem/kernel_problems")
scan() {
	[ -f "$1" ] || return 0
	tr -d '\r' <"$1" | awk -v skip_dumps="$expect_alloc" '
		skip_dumps == 1 && /(vmalloc error|page allocation failure): / { skip = 1 }
		!skip { print }
		skip && /<\/TASK>/ { skip = 0 }' |
		grep -a -E "^(<[0-9]+>)?\[ *[0-9]+\.[0-9]+\] .*($pat)" | head -n 1
}
problem_in=$con
problem=$(scan "$con")
if [ -z "$problem" ]; then
	problem_in=$out/dmesg.txt
	problem=$(scan "$problem_in")
fi

# taint flags B (bad page), D (oops/BUG), W (warning), L (soft lockup)
taint=$(sed -n 's/^tainted \([0-9]*\)$/\1/p' "$out/vm-info.txt" 2>/dev/null) || taint=
if [ -z "$problem" ] && [ -n "$taint" ] && [ $((taint & 17056)) -ne 0 ]; then
	problem="kernel tainted $taint (B/D/W/L flags: a bad page, oops, warning or soft lockup)"
fi

status=
if [ -f "$work/timeout" ]; then
	reason="hard timeout of ${timeout}s hit, qemu killed"
	if ! [ -f "$work/t_init" ]; then
		reason="$reason (the guest never reached /init)"
	elif ! grep -q -a '^vm-init: command exited' "$con"; then
		reason="$reason (the command did not finish)"
	fi
	[ -z "$problem" ] || reason="$reason; kernel said: $problem"
	status=124
elif [ -n "$problem" ]; then
	reason="guest kernel problem: $problem"
elif [ -z "$rc" ] && [ -z "$reason" ]; then
	reason="results did not come back (qemu exit $qrc)"
	grep -q -a '^vm-init: ' "$con" ||
		reason="$reason; the guest never reached /init"
	[ ! -s "$work/qemu.err" ] ||
		reason="$reason; qemu: $(head -n 3 "$work/qemu.err" | tr '\n' ' ')"
fi

# 7. timings: host clock, and the guest's clock for what runs inside it
t4=$(now)
boot="?"
[ ! -f "$work/t_init" ] || boot="$(secs "$t2" "$(cat "$work/t_init")")s"
# guest_time PATTERN: the \(seconds\) of the first vm-init: PATTERN line
guest_time() {
	sed -n "s/^vm-init: $1.*/\1/p" "$con" | head -n 1
}
g_init=$(guest_time 'kernel .* init at \([0-9.]*\)s')
g_cmd=$(guest_time 'running at \([0-9.]*\)s: ')
g_end=$(guest_time 'command exited with [0-9]* at \([0-9.]*\)s')
run="not started"
[ -z "$g_cmd" ] || run="unfinished"
[ -z "$g_cmd" ] || [ -z "$g_end" ] || run="$(secs "$g_cmd" "$g_end")s"
say "times: initramfs $(secs "$t0" "$t1")s, boot-to-init $boot (guest kernel" \
    "uptime ${g_init:-?}s), command $run, qemu $(secs "$t2" "$t3")s," \
    "total $(secs "$t0" "$t4")s"

if [ -z "$reason" ]; then
	echo "$rc" >"$out/rc"
	say "command exit status $rc; results in $out"
	exit "$rc"
fi
say "FAIL: $reason"
if [ "${VM_QUIET:-0}" = 1 ] && [ "${problem#[}" != "$problem" ]; then
	say "kernel log from the first problem line:"
	tr -d '\r' <"$problem_in" | grep -a -F -A 25 -e "$problem" | head -n 26
fi
say "console log: $con"
[ -n "$status" ] || status=${rc:-125}
[ "$status" != 0 ] || status=1
echo "$status" >"$out/rc"
exit "$status"
