# SPDX-License-Identifier: GPL-2.0
#
# callops: build, boot and test the callops kernels in QEMU.
#
#   make run     [ARCH=arm64|riscv]  build, boot, show the sample, power off
#   make check                       every test on both arches
#   make bench                       the ftrace_ops overhead table
#
# The kernel is Debian's linux-source-6.12 at a pinned version, extracted
# under build/, patched with patches/series and overlaid with this
# repository's new files (see tools/testing/callops/prepare-tree.sh).

ARCH ?= arm64
ARCHES := arm64 riscv
# Builds of an arch with extra debugging, named ARCH-FLAVOUR: their config
# adds kernel/configs/callops-FLAVOUR.config.
FLAVOURS := riscv-lockdep
BUILDS := $(ARCHES) $(FLAVOURS)
LINUX_SOURCE_VERSION := 6.12.117-1~deb12u1
LINUX_SOURCE_TARBALL := /usr/src/linux-source-6.12.tar.xz

REPO := $(CURDIR)
BUILD := $(REPO)/build
SRC := $(BUILD)/linux
TOOLS := $(BUILD)/tools
HARNESS := $(REPO)/tools/testing/callops

# Everything Rust comes from Debian's toolchain: the rustup one on PATH has
# no rust-src, and mixing the two fails with E0514.
KBUILD_TOOLS := LLVM=1 CLIPPY=1 \
	RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
	RUSTFMT=/usr/bin/rustfmt CLIPPY_DRIVER=/usr/bin/clippy-driver \
	BINDGEN=$(TOOLS)/bin/bindgen

JOBS ?= $(shell nproc)
arch_of = $(firstword $(subst -, ,$(1)))
flavour_of = $(word 2,$(subst -, ,$(1)))
kmake = $(MAKE) -j$(JOBS) -C $(SRC) O=$(BUILD)/$(1) ARCH=$(call arch_of,$(1)) $(KBUILD_TOOLS)
cross_compile = $(cross_compile_$(call arch_of,$(1)))
cross_compile_arm64 := aarch64-linux-gnu-
cross_compile_riscv := riscv64-linux-gnu-

RESULTS := $(BUILD)/results.jsonl
KUNIT_PY := $(SRC)/tools/testing/kunit/kunit.py
image = $(BUILD)/$(1)/arch/$(call arch_of,$(1))/boot/Image
initramfs = $(BUILD)/$(1)/callops-initramfs.cpio
boot_guest = $(HARNESS)/boot.py --arch $(call arch_of,$(1)) --kernel $(call image,$(1)) \
	--initrd $(call initramfs,$(1)) --kunit $(KUNIT_PY)
boot = $(call boot_guest,$(1)) --results $(RESULTS)
record = $(HARNESS)/report.py record $(RESULTS)

# Benchmarks run under icount, where a guest nanosecond is an instruction.
# riscv guests hang under icount with two vCPUs, whatever ftrace does (once
# already in OpenSBI), so riscv is measured on one.  Every ftrace_ops unregistered waits 0.1 s of guest time
# (an RCU tasks grace period), which icount skips but the guest counts: the
# benchmark suite takes about 20 guest minutes, and a minute of the host's.
BENCH_SMP_arm64 := 2
BENCH_SMP_riscv := 1
BENCH_RST := $(REPO)/Documentation/trace/callops-bench.rst
BENCH_JSON := $(BUILD)/bench.jsonl
# riscv before its call ops patch (0009), measured by make bench.
BENCH_STOCK := $(HARNESS)/stock-6.12-riscv.jsonl
boot_icount = $(call boot_guest,$(1)) --icount --smp $(BENCH_SMP_$(1)) --no-kunit
bench_boot = $(call boot_icount,$(1)) --suite bench --command-timeout 3600 \
	--timeout 1200 --log $(BUILD)/$(1)/bench.log

.PHONY: all run check bench faults deps tree clean check-harness check-style
.PHONY: $(foreach a,$(BUILDS),kernel-$(a) guest-$(a) initramfs-$(a) check-$(a))

all: initramfs-$(ARCH)

deps:
	@$(HARNESS)/install-deps.sh '$(LINUX_SOURCE_VERSION)' $(TOOLS)

tree: deps
	@$(HARNESS)/prepare-tree.sh $(REPO) $(SRC) $(BUILD)/linux.git \
		$(LINUX_SOURCE_TARBALL)

# tinyconfig plus kernel/configs/callops.config and the arch fragment of the
# same name; redone only when a fragment changes.
# Rust silently drops out of the config when the toolchain is unusable, and
# merge_config.sh only warns about options that did not stick: fail instead.
fragments = kernel/configs/callops.config arch/$(call arch_of,$(1))/configs/callops.config \
	$(if $(call flavour_of,$(1)),kernel/configs/callops-$(call flavour_of,$(1)).config)

.SECONDEXPANSION:
$(BUILD)/%/.config: $$(call fragments,$$*) | tree
	+$(call kmake,$*) -s tinyconfig $(sort $(notdir $^))
	@if grep -h '^CONFIG_' $^ | grep -vxF -f $@; then \
		echo "callops: the options above did not make it into $@" >&2; \
		$(call kmake,$*) rustavailable; rm -f $@; exit 1; \
	fi

$(foreach a,$(BUILDS),kernel-$(a)): kernel-%: tree $(BUILD)/%/.config
	+$(call kmake,$*) -s Image modules

# Guest userspace, static, from the cross gcc: init, insmod and the selftests.
guest_cc = $(call cross_compile,$(1))gcc -static -O2 -Wall -Wextra -Werror

$(foreach a,$(BUILDS),guest-$(a)): guest-%: tree
	@mkdir -p $(BUILD)/$*/guest/bin
	@$(call guest_cc,$*) -o $(BUILD)/$*/guest/init $(HARNESS)/init.c
	@$(call guest_cc,$*) -o $(BUILD)/$*/guest/bin/insmod $(HARNESS)/insmod.c
	+@$(MAKE) -s -C $(SRC)/tools/testing/selftests/callops \
		CROSS_COMPILE=$(call cross_compile,$*) OUTPUT=$(BUILD)/$*/guest/bin

$(foreach a,$(BUILDS),initramfs-$(a)): initramfs-%: kernel-% guest-%
	@$(HARNESS)/gen-initramfs.sh $(BUILD)/$* $(BUILD)/$*/guest/init \
		$(BUILD)/$*/guest/bin $(HARNESS)/suites > $(BUILD)/$*/callops-initramfs.list
	@$(BUILD)/$*/usr/gen_init_cpio $(BUILD)/$*/callops-initramfs.list \
		> $(call initramfs,$*)

run: initramfs-$(ARCH)
	@$(call boot_icount,$(ARCH)) --suite run --verbose --timeout 300 \
		--log $(BUILD)/$(ARCH)/run.log
	@$(HARNESS)/bench.py short $(ARCH)=$(BUILD)/$(ARCH)/run.log

# make check: everything, on every arch.  Each step records its tests in
# $(RESULTS) and keeps going; the summary decides.
check: deps
	@rm -f $(RESULTS)
	-@$(MAKE) --no-print-directory -k $(addprefix check-,$(BUILDS)) \
		check-harness check-style
	@$(HARNESS)/report.py summary $(RESULTS)

# $(call checked_build,BUILD,COMMANDS): record whether BUILD's kernel and
# guest build, and run COMMANDS if they do.
checked_build = if $(MAKE) --no-print-directory initramfs-$(1); then \
		$(record) $(1).build PASS; $(2); \
	else \
		$(record) $(1).build FAIL; \
	fi

$(addprefix check-,$(ARCHES)): check-%:
	@$(call checked_build,$*, \
		$(call boot,$*) --suite check --timeout 2400 --command-timeout 900 \
			--log $(BUILD)/$*/check.log; \
		$(call bench_boot,$*) --results $(RESULTS) && \
		$(HARNESS)/bench.py compare --rst $(BENCH_RST) --results $(RESULTS) \
			--stock $(BENCH_STOCK) $*=$(BUILD)/$*/bench.log)

# The same patching, module loading and callsite stress under lockdep, which
# checks among others that text_mutex is held wherever text is patched.
check-riscv-lockdep:
	@$(call checked_build,riscv-lockdep, \
		$(call boot,riscv-lockdep) --no-kunit --suite lockdep --timeout 2400 \
			--command-timeout 1800 --log $(BUILD)/riscv-lockdep/lockdep.log)

# The harness itself: a guest that panics, oopses, warns or hangs (through
# LKDTM) must fail the run, fast and saying how.
HARNESS_SELFTESTS := panic:panic oops:oops warn:warn hang:time-out

check-harness:
	@if $(MAKE) --no-print-directory initramfs-arm64; then \
		for test in $(HARNESS_SELFTESTS); do \
			$(call boot,arm64) --no-kunit --timeout 30 \
				--suite broken-$${test%%:*} --expect $${test#*:} \
				--log $(BUILD)/arm64/broken-$${test%%:*}.log; \
		done; \
	else \
		$(record) harness.build FAIL; \
	fi

check-style: tree
	@if $(call kmake,arm64) -s rustfmtcheck > $(BUILD)/rustfmtcheck.log 2>&1; then \
		$(record) style.rustfmtcheck PASS; \
	else \
		cat $(BUILD)/rustfmtcheck.log; $(record) style.rustfmtcheck FAIL; \
	fi
	@$(HARNESS)/checkpatch.sh $(REPO) $(SRC) $(RESULTS)

# make faults: fail every allocation of the sample tracer's operations in
# turn, on the riscv-lockdep kernel, and write the table of what happened.
FAULTS_RST := $(REPO)/Documentation/trace/rust-callops-tracer-faults.rst

faults: initramfs-riscv-lockdep
	@$(call boot_guest,riscv-lockdep) --no-kunit --suite faults --timeout 2400 \
		--command-timeout 2300 --log $(BUILD)/riscv-lockdep/faults.log
	@$(HARNESS)/faults.py $(FAULTS_RST) $(BUILD)/riscv-lockdep/faults.log

# make bench: measure the ftrace_ops tables again and write them, with their
# plots, to $(BENCH_RST).  make check measures the same and compares.
bench: $(addprefix initramfs-,$(ARCHES))
	@$(foreach a,$(ARCHES),$(call bench_boot,$(a)) &&) true
	@$(HARNESS)/bench.py rst --json $(BENCH_JSON) --rst $(BENCH_RST) --stock $(BENCH_STOCK) \
		$(foreach a,$(ARCHES),$(a)=$(BUILD)/$(a)/bench.log)

clean:
	rm -rf $(BUILD)
