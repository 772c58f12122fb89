# SPDX-License-Identifier: GPL-2.0
#
# mymem - top-level Makefile.  `make help` lists the targets.
#
# KERNEL picks a kernel of tools/harness/configs/kernels/ (one file each);
# its headers directory is found by tools/harness/bin/kernel.sh.  KDIR
# overrides it with any configured kernel tree.  The build machine's own
# kernel (uname -r) is never used.

KERNEL ?= 6.1
KERNELS := $(shell tools/harness/bin/kernel.sh known)
KDIR ?= $(shell tools/harness/bin/kernel.sh kdir $(KERNEL))
# a kernel with Rust support (6.12-rust) also gets the Rust core
RUST = $(shell grep -sqx CONFIG_RUST=y $(KDIR)/include/config/auto.conf && echo y)
KREL = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	 $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
W ?= 1
# the kernel's own make arguments (LLVM=1, RUSTC=... for 6.12-rust)
KMAKE = $(MAKE) -C $(KDIR) $(shell tools/harness/bin/kernel.sh get $(KERNEL) make)

export KERNEL

.PHONY: all modules extmod tools deps run run-host bench results check \
	check-debug check-rust bench-locks teeth soak docs install clean help

all: modules

help:
	@echo 'mymem - targets (KERNEL= one of: $(KERNELS); default 6.1;'
	@echo '                 or KDIR=<tree>):'
	@echo '  make            build mymem_core.ko and mymem_test.ko (W=1) for KERNEL'
	@echo '  make run        build, boot the Debian kernel in QEMU, load both'
	@echo '                  modules, run every test, print the results; results/'
	@echo '                  (RACE_W="1 2 4 ...": the counter race at each W too)'
	@echo '  make bench      build, boot KERNEL in QEMU, run the performance benchmarks'
	@echo '                  (fio against brd and tmpfs among them),'
	@echo '                  print each target PASS or MISS; results/bench-<release>/'
	@echo '  make results    make run (with the race over W) and make bench, then'
	@echo '                  rebuild docs/RESULTS.md and its plots from those records'
	@echo '                  (RESULTS_REUSE=1: from the runs already in results/)'
	@echo '  make bench-locks  make bench once per lock design (striped, and the'
	@echo '                  stripe_shift values and patches in'
	@echo '                  tools/harness/configs/bench/locks/) and a table'
	@echo '                  comparing them; results/'
	@echo '  make check      every test: static checks, builds, tools, kselftests in'
	@echo '                  the VM on each kernel of the check: line of'
	@echo '                  tools/harness/configs/kernels/LIST ($(shell tools/harness/bin/kernel.sh list check);'
	@echo '                  builds $(shell tools/harness/bin/kernel.sh list check-build) too);'
	@echo '                  ends "N passed, N failed"'
	@echo '  make check-debug  the kselftests, KUnit, fault injection, the large cores'
	@echo '                  and the fuzz on the debug kernels of LIST'
	@echo '                  ($(shell tools/harness/bin/kernel.sh list check-debug), built by tools/harness/bin/debug-kernel.sh);'
	@echo '                  same output'
	@echo '  make soak       the long runs on LIST'"'"'s soak kernel: 200 load/run/unload'
	@echo '                  cycles, a 1,000,000-call fuzz; same output'
	@echo '  make check-rust  the Rust core, mymem_core_rs, on LIST'"'"'s check-rust kernel'
	@echo '                  ($(shell tools/harness/bin/kernel.sh list check-rust), Rust-enabled, built by debug-kernel.sh):'
	@echo '                  the device and module selftests, mymem_test, the programs;'
	@echo '                  not part of CI (a cold kernel build); same output'
	@echo '  make teeth      plant each bug of tools/harness/configs/teeth/ in a copy, boot a debug'
	@echo '                  kernel, and show the detector or test that catches it'
	@echo '  make docs       regenerate docs/API.rst from the kernel-doc comments'
	@echo '  make run-host   (root) the same run on this machine'"'"'s own kernel,'
	@echo '                  which needs its headers: real-hardware numbers'
	@echo '  make deps       install the Debian packages needed (apt-get)'
	@echo '  make extmod     build mymem_test alone against Module.symvers.d/'
	@echo '  make tools      build the user-space tools into tools/bin/'
	@echo '  make install    modules_install + depmod for KERNEL (or KDIR); then'
	@echo '                  "modprobe mymem_test" loads mymem_core first'
	@echo '  make clean      remove build products and the runs in results/'

# One Kbuild pass for both modules (see ./Kbuild); then keep the .ko files
# per kernel release in build/ and the core's exported-symbol table in
# Module.symvers.d/, where an out-of-tree consumer finds it.
modules:
	@test -n "$(KREL)" || { echo "no kernel headers in KDIR='$(KDIR)'" >&2; exit 1; }
	@rm -f mymem_core/mymem_kunit.ko	# only kernels with KUnit build it
	$(KMAKE) M=$(CURDIR) W=$(W) modules
	@mkdir -p build/$(KREL) Module.symvers.d/$(KREL)
	rm -f build/$(KREL)/*.ko
	cp mymem_core/mymem_core.ko mymem_test/mymem_test.ko build/$(KREL)/
	if [ -f mymem_core/mymem_kunit.ko ]; then \
		cp mymem_core/mymem_kunit.ko build/$(KREL)/; fi
	grep -w mymem_core Module.symvers > Module.symvers.d/$(KREL)/Module.symvers
ifeq ($(RUST),y)
	$(KMAKE) M=$(CURDIR)/mymem_core_rs W=$(W) modules
	cp mymem_core_rs/mymem_core_rs.ko build/$(KREL)/
endif
	@echo "modules for $(KREL) in build/$(KREL)/"

# The consumer path: mymem_test built on its own, as a module outside this
# tree would be, resolving the core's symbols through KBUILD_EXTRA_SYMBOLS.
extmod: modules
	$(KMAKE) M=$(CURDIR)/mymem_test W=$(W) \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers.d/$(KREL)/Module.symvers \
		modules

tools:
	$(MAKE) -C tools

deps:
	tools/harness/bin/deps.sh $(KERNEL)

# each of these is the script of its name in tools/harness/bin/
run run-host bench results teeth bench-locks check:
	tools/harness/bin/$@.sh

check-debug:
	tools/harness/bin/deps.sh check-debug
	tools/harness/bin/check.sh --debug

soak:
	tools/harness/bin/deps.sh check-debug
	tools/harness/bin/check.sh --soak

check-rust:
	tools/harness/bin/deps.sh check-rust
	tools/harness/bin/check.sh --rust

docs:
	tools/harness/bin/api-doc.sh > docs/API.rst

# The kernel's own rules pick the place and the compression: extra/ on 6.1,
# updates/ and .ko.xz on Debian's 6.12.  INSTALL_MOD_PATH=<root> installs
# into another root (the VM tests do), and depmod runs there.
install: modules
	$(KMAKE) M=$(CURDIR) modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KREL)

clean:
	$(KMAKE) M=$(CURDIR) clean 2>/dev/null || true
	$(KMAKE) M=$(CURDIR)/mymem_core_rs clean 2>/dev/null || true
	$(MAKE) -C tools clean 2>/dev/null || true
	rm -rf build results Module.symvers.d/*/
