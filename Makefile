# SPDX-License-Identifier: GPL-2.0
#
# callops: build, boot and test the callops kernels in QEMU.
#
#   make run     [ARCH=arm64|riscv]  build, boot, show the sample, power off
#   make check                       every test on both arches
#   make bench                       the ftrace_ops overhead table
#   make ftracetest                  upstream's ftrace selftests, stock
#                                    6.12 beside callops
#
# The kernel is Debian's linux-source-6.12 at a pinned version, extracted
# under build/, patched with patches/series and overlaid with this
# repository's new files (see tools/testing/callops/prepare-tree.sh).

ARCH ?= arm64
ARCHES := arm64 riscv
# Builds of an arch with extra debugging, named ARCH-FLAVOUR: their config
# adds kernel/configs/callops-FLAVOUR.config.
FLAVOURS := arm64-debug riscv-debug riscv-uncompressed
BUILDS := $(ARCHES) $(FLAVOURS)
# What make check builds and boots, in this order (the debug guests, the
# longest to run, boot while the others build).  riscv-debug is left out:
# ftrace's startup test of the function graph tracer does not finish there
# (see debug_boot_args_riscv-debug; make check-riscv-debug runs its suites
# without them), nor the second case of upstream's ftrace selftests, and a
# cold make check must stay within an hour on two CPUs.  arm64-debug is
# also arm64 hardened (BTI, pointer authentication, shadow call stack);
# riscv-uncompressed is riscv for cores without compressed instructions.
CHECK_BUILDS := arm64-debug arm64 riscv riscv-uncompressed
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
# The arch's directory under arch/.
srcarch_of = $(patsubst x86_64,x86,$(call arch_of,$(1)))
flavour_of = $(word 2,$(subst -, ,$(1)))
kmake = $(MAKE) -j$(JOBS) -C $(SRC) O=$(BUILD)/$(1) ARCH=$(call arch_of,$(1)) $(KBUILD_TOOLS)
cross_compile = $(cross_compile_$(call arch_of,$(1)))
cross_compile_arm64 := aarch64-linux-gnu-
cross_compile_riscv := riscv64-linux-gnu-

RESULTS := $(BUILD)/results.jsonl
# Upstream's ftrace selftests (ftracetest) run in arm64-debug and, as
# riscv-debug cannot (see CHECK_BUILDS), in riscv-uncompressed, which has
# kmemleak, with a static busybox built from Debian's source as their shell
# and tools (build-busybox.sh), and are held to what they do on stock 6.12
# built with the same configuration (make ftracetest-stock, ftracetest.py).
FTRACETEST_BUILDS := arm64-debug riscv-uncompressed
BUSYBOX_SOURCE_VERSION := 1:1.35.0-4+deb12u1
busybox = $(TOOLS)/busybox-$(call arch_of,$(1))/busybox
ftracetest_stock = $(HARNESS)/ftracetest-stock-6.12-$(1).txt
FTRACETEST_RST := $(REPO)/Documentation/trace/callops-ftracetest.rst
KUNIT_PY := $(SRC)/tools/testing/kunit/kunit.py
image = $(BUILD)/$(1)/arch/$(call arch_of,$(1))/boot/Image
initramfs = $(BUILD)/$(1)/callops-initramfs.cpio
boot_guest = $(HARNESS)/boot.py --arch $(call arch_of,$(1)) --kernel $(call image,$(1)) \
	--initrd $(call initramfs,$(1)) --kunit $(KUNIT_PY) --name $(1)
boot = $(call boot_guest,$(1)) --results $(RESULTS)
record = $(HARNESS)/report.py record $(RESULTS)
# $(record_run) NAME COMMAND...: records whether COMMAND exits with 0.
record_run = $(HARNESS)/report.py run $(RESULTS)
# Every result a complete make check has (see report.py).
EXPECTED_RESULTS := $(HARNESS)/expected-results

# Benchmarks run under icount, where a guest nanosecond is an instruction.
# riscv guests hang under icount with two vCPUs, whatever ftrace does (once
# already in OpenSBI), so riscv is measured on one.  Every ftrace_ops unregistered waits 0.1 s of guest time
# (an RCU tasks grace period), which icount skips but the guest counts: the
# benchmark suite takes about 20 guest minutes, and a minute of the host's.
BENCH_SMP_arm64 := 2
BENCH_SMP_riscv := 1
BENCH_RST := $(REPO)/Documentation/trace/callops-bench.rst
BENCH_JSON := $(BUILD)/bench.jsonl
# Stock 6.12 of each arch, with no patches, as make stock measured it.
stock_file = $(HARNESS)/stock-6.12-$(1).jsonl
BENCH_STOCK := $(foreach a,$(ARCHES),$(call stock_file,$(a)))
boot_icount = $(call boot_guest,$(1)) --icount --smp $(BENCH_SMP_$(1)) --no-kunit
bench_boot = $(call boot_icount,$(1)) --suite bench --command-timeout 3600 \
	--timeout 1200 --log $(BUILD)/$(1)/bench.log

.PHONY: all run check bench faults mutations deps tree clean check-style check-compile-fail
.PHONY: check-harness check-x86_64 expected-results
.PHONY: $(foreach a,$(BUILDS),kernel-$(a) guest-$(a) initramfs-$(a) check-$(a))
.PHONY: $(foreach a,$(BUILDS),build-check-$(a) boot-check-$(a))
.PHONY: $(addprefix busybox-,$(ARCHES)) ftracetest ftracetest-stock
.PHONY: $(addprefix ftracetest-stock-,$(FTRACETEST_BUILDS))

all: initramfs-$(ARCH)

deps:
	@$(HARNESS)/install-deps.sh '$(LINUX_SOURCE_VERSION)' $(TOOLS)

tree: deps
	@$(HARNESS)/prepare-tree.sh $(REPO) $(SRC) $(BUILD)/linux.git \
		$(LINUX_SOURCE_TARBALL)

# tinyconfig plus kernel/configs/callops.config and the arch fragment of the
# same name (kbuild merges both for "callops.config"), then a flavour's
# fragment; redone only when a fragment changes.  Each fragment is merged
# and resolved on its own, so a flavour's options may depend on callops'.
# Rust silently drops out of the config when the toolchain is unusable, and
# merge_config.sh only warns about options that did not stick (set, or
# unset): fail instead.
fragments = kernel/configs/callops.config \
	$(wildcard arch/$(call srcarch_of,$(1))/configs/callops.config) \
	$(if $(call flavour_of,$(1)),$(wildcard kernel/configs/callops-$(call flavour_of,$(1)).config \
		arch/$(call arch_of,$(1))/configs/callops-$(call flavour_of,$(1)).config))

.SECONDEXPANSION:
$(BUILD)/%/.config: $$(call fragments,$$*) | tree
	+$(call kmake,$*) -s tinyconfig callops.config \
		$(if $(call flavour_of,$*),callops-$(call flavour_of,$*).config)
	@if grep -h '^CONFIG_' $^ | grep -vxF -f $@ || \
	    sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$$/^\1=/p' $^ | grep -f - $@; then \
		echo "callops: the options above did not make it into $@" >&2; \
		$(call kmake,$*) rustavailable; rm -f $@; exit 1; \
	fi

$(foreach a,$(BUILDS),kernel-$(a)): kernel-%: tree $(BUILD)/%/.config
	+$(call kmake,$*) -s Image modules

# Guest userspace, static, from the cross gcc: init, insmod, rmmod and the
# selftests.
guest_cc = $(call cross_compile,$(1))gcc -static -O2 -Wall -Wextra -Werror

$(foreach a,$(BUILDS),guest-$(a)): guest-%: tree
	@mkdir -p $(BUILD)/$*/guest/bin
	@$(call guest_cc,$*) -o $(BUILD)/$*/guest/init $(HARNESS)/init.c
	@$(call guest_cc,$*) -o $(BUILD)/$*/guest/bin/insmod $(HARNESS)/insmod.c
	@$(call guest_cc,$*) -o $(BUILD)/$*/guest/bin/rmmod $(HARNESS)/rmmod.c
	+@$(MAKE) -s -C $(SRC)/tools/testing/selftests/callops \
		CROSS_COMPILE=$(call cross_compile,$*) OUTPUT=$(BUILD)/$*/guest/bin

$(addprefix busybox-,$(ARCHES)): busybox-%: deps
	@JOBS=$(JOBS) $(HARNESS)/build-busybox.sh '$(BUSYBOX_SOURCE_VERSION)' \
		$(call cross_compile,$*) $(dir $(call busybox,$*)) $(TOOLS)/busybox-source

$(foreach a,$(BUILDS),initramfs-$(a)): initramfs-%: kernel-% guest-% \
		$$(if $$(filter $$*,$(FTRACETEST_BUILDS)),busybox-$$(call arch_of,$$*))
	@$(HARNESS)/gen-initramfs.sh $(BUILD)/$* $(BUILD)/$*/guest/init \
		$(BUILD)/$*/guest/bin $(HARNESS)/suites \
		$(if $(filter $*,$(FTRACETEST_BUILDS)),$(call busybox,$*) $(SRC)) \
		> $(BUILD)/$*/callops-initramfs.list
	@$(BUILD)/$*/usr/gen_init_cpio $(BUILD)/$*/callops-initramfs.list \
		> $(call initramfs,$*)

run: initramfs-$(ARCH)
	@$(call boot_icount,$(ARCH)) --suite run --verbose --timeout 300 \
		--log $(BUILD)/$(ARCH)/run.log
	@$(HARNESS)/bench.py short $(ARCH)=$(BUILD)/$(ARCH)/run.log

# make check: everything, on every arch.  Each step records its tests in
# $(RESULTS) and keeps going; the summary decides.  The kernels build one
# after the other, each with every CPU, and the guests of each kernel boot
# as soon as it is built, beside the next build and the guests of the
# kernels before it.  A guest spends much of its time waiting (grace
# periods, module removal, its own sleeps), so builds and boots share the
# machine well; the tests' time limits allow for a busy host.
check: deps
	@rm -f $(RESULTS) $(BUILD)/check.fifo
	@mkfifo $(BUILD)/check.fifo
	-@(for build in $(CHECK_BUILDS); do \
		$(MAKE) --no-print-directory build-check-$$build; echo $$build >&3; \
	done; exec 3>&-; $(MAKE) --no-print-directory check-x86_64 check-style check-harness) \
		3> $(BUILD)/check.fifo & \
	while read build; do \
		$(MAKE) --no-print-directory boot-check-$$build & \
	done < $(BUILD)/check.fifo; \
	wait
	@rm -f $(BUILD)/check.fifo
	@$(HARNESS)/report.py summary $(RESULTS) $(HARNESS)/allowed-skips $(EXPECTED_RESULTS)

# Write the results make check expects from the last make check, which must
# have passed: run it after adding, renaming or removing a test.
expected-results:
	@$(HARNESS)/report.py expect $(RESULTS) $(EXPECTED_RESULTS)

# One build's part of make check, on its own.
$(addprefix check-,$(BUILDS)): check-%: deps
	@$(MAKE) --no-print-directory build-check-$*
	@$(MAKE) --no-print-directory boot-check-$*

# Record whether a build's kernel and guest build, whether its Rust
# functions start the way ftrace expects, and on riscv whether the ABI
# test's tracees take arguments in t2-t6 as the test needs; its guests boot
# only if they built, in this make check (the stamp).
$(addprefix build-check-,$(BUILDS)): build-check-%:
	@rm -f $(BUILD)/$*/.check-built
	@if $(MAKE) --no-print-directory initramfs-$*; then \
		$(record) $*.build PASS; touch $(BUILD)/$*/.check-built; \
		$(record_run) $*.entry-layout $(HARNESS)/entry-layout.py $(BUILD)/$*; \
		$(if $(filter riscv,$(call arch_of,$*)),$(record_run) $*.fastcc-args \
			$(HARNESS)/fastcc-args.py $(BUILD)/$*;) \
	else \
		$(record) $*.build FAIL; \
	fi

$(addprefix boot-check-,$(BUILDS)): boot-check-%:
	@if [ -e $(BUILD)/$*/.check-built ]; then $(boot_check_$*); fi

# FtraceOps::unregister() racing handlers on every CPU, and the callsite
# stress test, in a guest of their own with one TCG thread (see
# suites/race).  $(call boot_race,BUILD,SECONDS)
boot_race = $(call boot,$(1)) --suite race --no-kunit --no-ftrace-startup-test --one-tcg-thread \
	--timeout $(2) --command-timeout $(2) --log $(BUILD)/$(1)/race.log

# Each arch: every in-guest test, then the benchmark under icount (which
# counts instructions, whatever else runs), compared with the published
# tables, beside the unregister race on riscv.  Each of the two uses one
# host thread.  The race's 1000 rounds run once per arch: arm64's on the
# debug build, where KASAN watches them (riscv-debug is not in make check).
boot_check_arch = $(call boot,$(1)) --suite check --timeout 2400 --command-timeout 900 \
		--log $(BUILD)/$(1)/check.log; \
	$(if $(filter riscv,$(1)),$(call boot_race,$(1),1800) &) \
	$(call bench_boot,$(1)) --results $(RESULTS) && \
	$(HARNESS)/bench.py compare --rst $(BENCH_RST) --results $(RESULTS) \
		$(addprefix --stock ,$(BENCH_STOCK)) $(1)=$(BUILD)/$(1)/bench.log; \
	wait

# The harness itself: a guest that panics, oopses, warns or hangs (through
# LKDTM, from the suite, which boot.py checks) must fail the run, fast and
# saying how, on both arches; so must a debug guest whose checkers report.
# $(call boot_harness_selftests,BUILD,SECONDS,SUITE:KIND...)
HARNESS_SELFTESTS := panic:panic oops:oops bug:bug warn:warn hang:time-out
HARNESS_DEBUG_SELFTESTS := debug:lockdep,kasan,ubsan
boot_harness_selftests = for test in $(3); do \
		$(call boot,$(1)) --no-kunit --no-ftrace-startup-test --timeout $(2) \
			--suite broken-$${test%%:*} --expect $${test\#*:} \
			--log $(BUILD)/$(1)/broken-$${test%%:*}.log; \
	done

boot_check_arm64 = $(call boot_check_arch,arm64); \
	$(call boot_harness_selftests,arm64,60,$(HARNESS_SELFTESTS))
boot_check_riscv = $(call boot_check_arch,riscv); \
	$(call boot_harness_selftests,riscv,90,$(HARNESS_SELFTESTS))
# Without compressed instructions, what depends on how functions are
# compiled: the KUnit tests (Rust functions traced like C among them), the
# callsite tests and the sample tracer's (suites/uncompressed), with one TCG
# thread for the stress test; and riscv's run of the allocation-failure
# tests, whose table must agree with the published page as arm64-debug's
# does.  Booted last, beside riscv's guest of upstream's ftrace selftests
# (see FTRACETEST_BUILDS), it is the end of make check: the hostile-use
# tests, which do not depend on it, and the benchmark are left to riscv.  It
# takes about 4.5 minutes alone: 20 minutes is a hang.
boot_check_riscv-uncompressed = $(call boot,riscv-uncompressed) --suite uncompressed \
	--one-tcg-thread --timeout 1200 --command-timeout 900 \
	--log $(BUILD)/riscv-uncompressed/check.log & \
	$(call check_ftracetest,riscv-uncompressed); \
	wait; \
	$(record_run) riscv-uncompressed.faults-table $(HARNESS)/faults.py --check $(FAULTS_RST) \
		$(BUILD)/riscv-uncompressed/check.log
# The debug builds: the KUnit tests, the ftrace_ops samples and the sample
# tracer's tests again under KASAN, lockdep, UBSAN and kmemleak, with fault
# injection, beside ftrace's startup tests, the graph tracer and kprobes;
# then the unregister race and most callsite tests (suites/debug-race)
# beside the harness's self-tests of those checkers.  In the debug suite's table of allocation
# failures, as on the page make faults wrote, every failure must leave the
# tracer as it was.  (The race started with the debug suite, beside the
# builds and on -cpu max, once left the debug guest stalled in ftrace's
# startup tests.)
boot_check_debug = $(call boot,$(1)) --suite debug $(debug_boot_args_$(1)) --timeout 3000 \
		--command-timeout 2400 --log $(BUILD)/$(1)/debug.log; \
	$(record_run) $(1).faults-table $(HARNESS)/faults.py --check $(FAULTS_RST) \
		$(BUILD)/$(1)/debug.log; \
	$(boot_race_$(1)) & \
	$(if $(filter $(1),$(FTRACETEST_BUILDS)),($(call check_ftracetest,$(1))) &) \
	$(call boot_harness_selftests,$(1),300,$(HARNESS_DEBUG_SELFTESTS)); \
	wait
# The race and the callsite tests, with one TCG thread (suites/debug-race).
# arm64-debug is built with BTI, pointer authentication and the shadow call
# stack (arch/arm64/configs/callops-debug.config) and boots on cortex-a57,
# which has neither of the first two; these boot on a CPU that enforces both.
boot_debug_race = $(call boot,$(1)) --suite debug-race --no-kunit --no-ftrace-startup-test \
	--one-tcg-thread --timeout 2400 --command-timeout 2400 \
	--log $(BUILD)/$(1)/debug-race.log
boot_race_arm64-debug = $(call boot_debug_race,arm64-debug) --enforce-bti-pac
boot_race_riscv-debug = $(call boot_debug_race,riscv-debug)
# riscv-debug boots without ftrace's startup tests.  Their test of the
# graph tracer, which traces every function for 100 ms, was still running
# there after 10 minutes without icount and 9 with it: sampled from QEMU's
# monitor, both CPUs are in the timer interrupt and the graph tracer
# (riscv_clock_next_event, trace_graph_entry, return_to_handler), with
# "sched: DL replenish lagged too much".  Stock 6.12, configured the same
# way, ended it once after 4 minutes of RCU stall reports, which fail a
# guest here too.  Upstream's ftrace selftests fare no better there: booted
# as make check boots them, stock's guest and callops's alike were still in
# their second case (every tracer in turn, the graph tracer among them)
# when stopped, after 15 and 13 minutes.
debug_boot_args_riscv-debug := --no-ftrace-startup-test
boot_check_arm64-debug = $(call boot_check_debug,arm64-debug)
boot_check_riscv-debug = $(call boot_check_debug,riscv-debug)

# Upstream's ftrace selftests in a debug guest of their own, beside the
# debug-race guest, without the startup tests (the debug suite's boot ran
# them) or KUnit; then every case stock 6.12 passes must pass.  Under
# icount, as the benchmark: the guest's clock then runs with its own
# instructions, not with the host's, so the timer interrupts of a guest
# that traces every function under KASAN come no faster when the host is
# busy with builds, and stock and callops are timed alike.  The same boot,
# on stock, makes the baseline.
ftracetest_boot_args = --suite ftracetest --no-kunit --no-ftrace-startup-test \
	--icount --smp $(BENCH_SMP_$(call arch_of,$(1))) --timeout 3000 --command-timeout 2900
boot_ftracetest = $(call boot_guest,$(1)) $(call ftracetest_boot_args,$(1)) \
	--log $(BUILD)/$(1)/ftracetest.log
check_ftracetest = $(boot_ftracetest) --results $(RESULTS); \
	$(HARNESS)/ftracetest.py check --stock $(call ftracetest_stock,$(1)) \
		--results $(RESULTS) --name $(1) $(BUILD)/$(1)/ftracetest.log

# make ftracetest: run them on the callops debug kernels and write the page
# of both columns.
ftracetest: $(addprefix initramfs-,$(FTRACETEST_BUILDS))
	@$(foreach b,$(FTRACETEST_BUILDS),$(call boot_ftracetest,$(b)) &) wait
	@$(HARNESS)/ftracetest.py rst --rst $(FTRACETEST_RST) --command 'make ftracetest' \
		$(foreach b,$(FTRACETEST_BUILDS),$(b)=$(call ftracetest_stock,$(b)),$(BUILD)/$(b)/ftracetest.log)

# make ftracetest-stock: the same on stock 6.12 built with each debug
# build's configuration (stock-ftracetest.sh); make ftracetest-stock-BUILD
# for one of them.
stock_ftracetest = JOBS=$(JOBS) $(HARNESS)/stock-ftracetest.sh $(1) '$(LINUX_SOURCE_VERSION)' \
	$(BUILD) $(call busybox,$(1)) $(call ftracetest_stock,$(1)) \
	$(call ftracetest_boot_args,$(1)) -- $(KBUILD_TOOLS)

ftracetest-stock: $(addprefix ftracetest-stock-,$(FTRACETEST_BUILDS))

$(addprefix ftracetest-stock-,$(FTRACETEST_BUILDS)): ftracetest-stock-%: deps guest-% \
		busybox-$$(call arch_of,$$*)
	+@$(call stock_ftracetest,$*)

# x86_64, where most Rust-for-Linux users are and which has neither call ops
# nor ftrace_regs_get_return_address(): the kernel crate, its doctests and
# the Rust samples must compile (the same config; not booted).
check-x86_64: tree
	@if $(MAKE) --no-print-directory $(BUILD)/x86_64/.config; then \
		$(record_run) x86_64.rust-builds $(call kmake,x86_64) -s rust/ samples/rust/; \
	else \
		$(record) x86_64.rust-builds FAIL; \
	fi

# The summary's own tests: it must fail each kind of incomplete run.
check-harness:
	@$(HARNESS)/report-selftest.py $(RESULTS) $(KUNIT_PY) || true

check-style: tree
	@$(record_run) style.rustfmtcheck $(call kmake,arm64) -s rustfmtcheck
	@$(HARNESS)/checkpatch.sh $(REPO) $(SRC) $(RESULTS)
	@$(MAKE) --no-print-directory check-compile-fail

# Modules the compiler must refuse (lifetimes the abstractions require),
# beside one it must build; against the arm64 kernel make check built.
check-compile-fail:
	@if [ -e $(BUILD)/arm64/.check-built ]; then \
		$(HARNESS)/compile-fail.sh $(SRC) $(BUILD)/arm64 arm64 $(RESULTS) $(KBUILD_TOOLS); \
	else \
		$(record) compile-fail.build FAIL; \
	fi

# make faults: fail every allocation of the sample tracer's operations in
# turn, on the arm64-debug kernel, and write the table of what happened.
FAULTS_RST := $(REPO)/Documentation/trace/rust-callops-tracer-faults.rst

faults: initramfs-arm64-debug
	@$(call boot_guest,arm64-debug) --no-kunit --suite faults --timeout 2400 \
		--command-timeout 2300 --log $(BUILD)/arm64-debug/faults.log
	@$(HARNESS)/faults.py $(FAULTS_RST) $(BUILD)/arm64-debug/faults.log

# make mutations: break the code, the suite or the kernel command line on
# purpose, one thing at a time (tools/testing/callops/mutations.py), and
# write the table of how the harness failed each run.  Run once for the
# table, not by make check: it rebuilds arm64 and riscv-uncompressed a few
# times, about 15 minutes beside other work on two CPUs.
MUTATIONS_RST := $(REPO)/Documentation/trace/callops-mutations.rst

mutations: deps
	@$(HARNESS)/mutations.py $(MUTATIONS_RST)

# make bench: measure the ftrace_ops tables again and write them, with their
# plots, to $(BENCH_RST).  make check measures the same and compares.
bench: $(addprefix initramfs-,$(ARCHES))
	@$(foreach a,$(ARCHES),$(call bench_boot,$(a)) &&) true
	@$(HARNESS)/bench.py rst --json $(BENCH_JSON) --rst $(BENCH_RST) \
		$(addprefix --stock ,$(BENCH_STOCK)) $(foreach a,$(ARCHES),$(a)=$(BUILD)/$(a)/bench.log)

# make stock: measure stock 6.12 again, the baseline the page shows and
# make check compares with, and write $(BENCH_STOCK).  Stock is Debian's
# source as extracted (tag "base" of build/linux.git, no patch at all),
# configured from the same fragments without Rust, built by the same
# toolchain into build/stock-ARCH and booted under icount as make bench
# boots, with the C sample's matrix of suites/bench and its direct-call
# rows (stock-suites/).  Each
# file starts with where its numbers came from (tools/testing/callops/
# stock.sh).  One arch after the other, each build with every CPU: about
# 10 minutes each on two.
.PHONY: stock $(addprefix stock-,$(ARCHES))
stock_run = JOBS=$(JOBS) $(HARNESS)/stock.sh $(1) $(BENCH_SMP_$(1)) '$(LINUX_SOURCE_VERSION)' \
	$(BUILD) $(call stock_file,$(1)) $(KBUILD_TOOLS)

stock: deps $(addprefix guest-,$(ARCHES))
	+@$(foreach a,$(ARCHES),$(call stock_run,$(a)) &&) true

$(addprefix stock-,$(ARCHES)): stock-%: deps guest-%
	+@$(call stock_run,$*)

clean:
	rm -rf $(BUILD)
