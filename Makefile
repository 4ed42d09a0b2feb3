# SPDX-License-Identifier: GPL-2.0
#
# memhp top-level Makefile.
#
#   make                  build memhp.ko for KVER (default: running kernel, else 6.1)
#   make KVER=6.12        build for Debian's 6.12 kernel (into build/<release>/)
#   make KVER=7.3         build for memhp's 7.3 kernel (Debian's newest source;
#                         built and cached first); KVER=debug its debug build
#   make KVER=/path/tree  build against a built kernel tree (or O= folder);
#                         KDIR=/path is the same
#   make kernel KVER=L    build lane L's kernel: 7.3, debug, debug-6.12, 7.3+fixes, debug+fixes (cached)
#   make check            all tests on 6.1, 6.12, 7.3, debug and debug+fixes (CI entry; KERNELS=...)
#   make demo             boot a VM and hot(un)plug a DIMM, explained (VIRTIO_MEM=1: and virtio-mem)
#   make demo DAX=1       the dax/kmem path instead: devdax -> System RAM (kmem), online, offline, back
#   make vm               interactive VM with the QEMU monitor
#   make lint             lint-host (shellcheck, pyflakes3), checkpatch --strict, W=1, sparse
#   make fuzz             fuzz the command parser (FUZZ_TIME=600 seconds)
#   make stress           concurrent hotplug soak (DURATION=600 seconds)
#   make soak-boot        boot each kernel's VMs N=100 times, count guest crashes (KERNELS=...)
#   make bench            benchmarks on 6.1 and 6.12 (KERNELS="6.1 6.12 debug"), table + plots in results/
#   make dkms             dkms add/build/install/remove on 6.1 and 6.12 (host)
#   make clean

SHELL := /bin/bash
TOP := $(CURDIR)

# KVER (or KDIR) names the kernel: 6.1, 6.12, a lane (7.3, debug,
# debug-6.12), a release, or the path of a built kernel tree;
# scripts/kernel-release resolves it. The goals that build for it build a
# lane's kernel first (its progress on stderr).
KSPEC := $(or $(KDIR),$(KVER))
BUILDS_FOR_K := $(if $(MAKECMDGOALS),$(filter all module modules_install image kernel,$(MAKECMDGOALS)),all)
KINFO := $(shell $(TOP)/scripts/kernel-release $(if $(BUILDS_FOR_K),--build) --all $(KSPEC) 2>/dev/null)
KREL := $(patsubst release=%,%,$(filter release=%,$(KINFO)))
override KDIR := $(patsubst kdir=%,%,$(filter kdir=%,$(KINFO)))

OUT := $(TOP)/build/$(KREL)
MODSRC := $(wildcard $(TOP)/module/*.c $(TOP)/module/*.h)
KMAKE = $(MAKE) -C $(KDIR) M=$(OUT)

.PHONY: all module deps modules_install image user selftests check demo vm soak-boot lint \
	unit fuzz stress dkms clean help kernel debug-kernel bench

all: module

help:
	@sed -n 's/^#   //p' $(TOP)/Makefile

deps:
	@$(TOP)/scripts/deps

# Kbuild builds in M=; mirror the sources into a per-kernel folder so that
# modules for several kernels can exist side by side. A different tree with
# the same release string starts from a clean folder.
$(OUT)/.tree: FORCE
	@test -n "$(KREL)" || { $(TOP)/scripts/kernel-release $(KSPEC) >/dev/null; exit 1; }
	@[ "$$(cat $@ 2>/dev/null)" = "$(KDIR)" ] || \
		rm -rf $(OUT)/module $(OUT)/*.ko $(OUT)/*.mod* $(OUT)/Module.symvers $(OUT)/modules.order
	@mkdir -p $(OUT)/module
	@ln -sf $(TOP)/Kbuild $(OUT)/Kbuild
	@find $(OUT)/module -maxdepth 1 -type l -delete
	@ln -sf $(MODSRC) $(OUT)/module/
	@echo "$(KDIR)" >$@

FORCE:

module: deps $(OUT)/.tree
	+$(KMAKE) modules

modules_install: module
	+$(KMAKE) modules_install

# User-space parts (guest agent, selftests): independent of the guest kernel.
user: deps
	+$(MAKE) -C $(TOP)/qemu/guest
	+$(MAKE) -C $(TOP)/tools
	+$(MAKE) -C $(TOP)/selftests install

selftests: user

image: module user
	$(TOP)/qemu/mkimage $(KSPEC)

kernel: deps
	@$(TOP)/scripts/build-kernel $(or $(KVER),debug) >/dev/null

debug-kernel: deps
	@$(TOP)/scripts/build-kernel debug >/dev/null

check: deps
	$(TOP)/scripts/check

# DAX=1: scripts/demo --dax; KVER and VIRTIO_MEM reach it from the environment.
demo: deps
	$(TOP)/scripts/demo $(if $(filter 1,$(DAX)),--dax)

# Console on this terminal; Ctrl-a c toggles the QEMU monitor, Ctrl-a x quits.
vm: deps
	$(TOP)/qemu/vm start vm --kernel $(or $(KVER),6.12) --interactive

lint: deps
	$(TOP)/scripts/lint

# A time-boxed soak of the concurrent stress (make check runs a fixed 5
# cycles of it, 2 on the debug kernel); it reports its cycle count.
stress: deps
	STRESS_DURATION=$(or $(DURATION),600) $(TOP)/scripts/check --only '^stress$$'

# Boot soak: each kernel's usual VMs booted N times, their own crashes
# counted per kernel (scripts/soak-boot --help); reports, never fails on them.
soak-boot: deps user
	$(TOP)/scripts/soak-boot --kernels "$(or $(KERNELS),6.1 6.12 $(shell $(TOP)/scripts/kernel-source --name))" --boots $(or $(N),100)

# Benchmarks (they report, never fail on time): a table on stdout, CSV and
# plots under results/<UTC time>/ (scripts/bench --help).
bench: deps user
	$(TOP)/scripts/bench --kernels "$(or $(KERNELS),6.1 6.12)"

# Host unit tests (parser, splat matcher, host.sh, qemu/vm) and parser fuzzing (make
# check runs both, the fuzzer briefly).
unit: deps
	+$(MAKE) -C $(TOP)/tests/unit run

fuzz: deps
	+$(MAKE) -C $(TOP)/tests/unit fuzz FUZZ_TIME=$(or $(FUZZ_TIME),600)

# The DKMS packaging (dkms.conf), in private dkms trees on the host.
dkms: deps
	$(TOP)/scripts/dkms-check

clean:
	rm -rf $(TOP)/build
	+$(MAKE) -C $(TOP)/qemu/guest clean
	+$(MAKE) -C $(TOP)/tools clean
	+$(MAKE) -C $(TOP)/tests/unit clean
	+$(MAKE) -C $(TOP)/selftests clean
