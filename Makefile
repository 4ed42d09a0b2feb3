# SPDX-License-Identifier: GPL-2.0
#
# memhp top-level Makefile.
#
#   make                  build memhp.ko for KVER (default: running kernel, else 6.1)
#   make KVER=6.12        build for Debian's 6.12 kernel (into build/<release>/)
#   make KDIR=/path       build against any kernel build tree
#   make check            all tests on both guest kernels (the CI entry point)
#   make demo             boot a VM and hot(un)plug a DIMM, explained
#   make vm               interactive VM with the QEMU monitor
#   make lint             checkpatch --strict, W=1 and sparse on both kernels
#   make fuzz             fuzz the command parser (FUZZ_TIME=600 seconds)
#   make stress           concurrent hotplug stress (DURATION=600 seconds)
#   make clean

SHELL := /bin/bash
TOP := $(CURDIR)

ifneq ($(KDIR),)
KREL := $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
else
KREL := $(shell $(TOP)/scripts/kernel-release $(KVER) 2>/dev/null)
KDIR := /lib/modules/$(KREL)/build
endif

OUT := $(TOP)/build/$(KREL)
MODSRC := $(wildcard $(TOP)/module/*.c $(TOP)/module/*.h)
KMAKE = $(MAKE) -C $(KDIR) M=$(OUT)

.PHONY: all module deps modules_install image user selftests check demo vm lint \
	unit fuzz stress clean help

all: module

help:
	@sed -n 's/^#   //p' $(TOP)/Makefile

deps:
	@$(TOP)/scripts/deps

# Kbuild builds in M=; mirror the sources into a per-kernel folder so that
# modules for several kernels can exist side by side.
$(OUT)/.tree: $(TOP)/Kbuild $(MODSRC)
	@test -n "$(KREL)" || { echo "no kernel for KVER='$(KVER)' (run scripts/deps)"; exit 1; }
	@mkdir -p $(OUT)/module
	@ln -sf $(TOP)/Kbuild $(OUT)/Kbuild
	@find $(OUT)/module -maxdepth 1 -type l -delete
	@ln -sf $(MODSRC) $(OUT)/module/
	@touch $@

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
	$(TOP)/scripts/mkimage $(KREL)

check: deps
	$(TOP)/scripts/check

demo: deps
	$(TOP)/scripts/demo

# Console on this terminal; Ctrl-a c toggles the QEMU monitor, Ctrl-a x quits.
vm: deps
	$(TOP)/qemu/vm start vm --kernel $(or $(KVER),6.12) --interactive

lint: deps
	$(TOP)/scripts/lint

# Concurrent stress on both kernels (make check runs 120 s of it).
stress: deps
	STRESS_DURATION=$(or $(DURATION),600) $(TOP)/scripts/check --only '^stress$$'

# Parser unit test and fuzzing on the host (make check runs both briefly).
unit: deps
	+$(MAKE) -C $(TOP)/tests/unit run

fuzz: deps
	+$(MAKE) -C $(TOP)/tests/unit fuzz FUZZ_TIME=$(or $(FUZZ_TIME),600)

clean:
	rm -rf $(TOP)/build
	+$(MAKE) -C $(TOP)/qemu/guest clean
	+$(MAKE) -C $(TOP)/tools clean
	+$(MAKE) -C $(TOP)/tests/unit clean
	+$(MAKE) -C $(TOP)/selftests clean
