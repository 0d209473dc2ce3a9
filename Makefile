# ukvm: a GDB-first monitor for x86_64 unikernels.
#
#   make                 the same as `make all`: monitor (build/ukvm), ASan/UBSan monitor
#                        (build/asan/ukvm), kernel object (build/ukvm_kernel.o) and string
#                        library (build/libukvm_string.a), every test unikernel
#                        (build/test_*.ukvm), unit tests. It never installs packages.
#   make app APP=DIR     build DIR/*.c linked with the kernel into build/$(notdir DIR).ukvm;
#                        objects go to a folder of their own for each DIR (by its absolute
#                        path). A DIR named like one of this tree's test unikernels
#                        (tests/test_*, tests/bench/bench_*), other than that test's own
#                        folder, is refused, since its .ukvm would replace the test's:
#                        rename the folder.
#   make app APP=DIR DEBUG=1
#                        the same, a debug build: DIR's files at -O0 -g3 (for gdb: one
#                        location per `break`, nothing inlined, every local readable)
#   make deps            install the Debian packages ukvm and its tests need (apt-get)
#   make example         build everything and run the built-in example unikernel
#   make test            the whole test suite (tests/run.sh)
#   make test-nested     the suite inside a nested KVM with hardware semantics: kvm_amd in
#                        a Debian kernel under QEMU's TCG (tests/nested/README.md);
#                        downloads Debian packages into build/nested once
#   make bench-nested    there: watchpoint cost with debug registers vs page traps
#   make bench           benchmarks (tests/bench/run.sh)
#   make bench SOLO5=DIR the same, with the hvt section: ukvm next to Solo5's solo5-hvt,
#                        built from the Solo5 source tree DIR (tests/bench/hvt_bench.sh),
#                        and solo5-hvt in the net section too (tests/bench/net_bench.sh)
#   make ocaml-check OCAML_HVT=FILE
#                        run and debug (gdb) an OCaml unikernel the user built for
#                        Solo5's hvt target (docs/ocaml.md)
#   make solo5-suite SOLO5=DIR
#                        Solo5's own tests (DIR: a Solo5 source tree) built with the
#                        installed app.mk and run with build/ukvm (docs/solo5.md)
#   make install         PREFIX=/usr/local DESTDIR=
#   make format-check    clang-format conformance
#   make fuzz-smoke      each libFuzzer target briefly; make fuzz, make fuzz-merge: campaigns
#                        and their corpora (docs/fuzzing.md)

# A plain `make` builds; installing packages (deps) is never the default.
.DEFAULT_GOAL := all

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD := build
OBJCOPY ?= objcopy

CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif

# ---------------------------------------------------------------- monitor
MONITOR_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-DUKVM_VERSION='"$(VERSION)"' -Iinclude -I. -I$(BUILD)/gen -MMD -MP
MONITOR_LDLIBS := -lelf -ldl -lpthread -lseccomp
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer

# Every monitor source but main.c goes into a library that unit tests link against.
MONITOR_SRCS := $(wildcard ukvm/*.c ukvm/*/*.c ukvm/*/*/*.c gdbstub/*.c shell/*.c)
MONITOR_LIB_SRCS := $(filter-out ukvm/main.c,$(MONITOR_SRCS))
MONITOR_OBJS := $(MONITOR_SRCS:%.c=$(BUILD)/obj/%.o)
MONITOR_LIB_OBJS := $(MONITOR_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
ASAN_OBJS := $(MONITOR_SRCS:%.c=$(BUILD)/asan/obj/%.o)
ASAN_LIB_OBJS := $(MONITOR_LIB_SRCS:%.c=$(BUILD)/asan/obj/%.o)

# ---------------------------------------------------------------- kernel
# The kernel is freestanding and uses general-purpose registers only, because a KVM that
# emulates guest code in software cannot run SSE arithmetic. Frame pointers stay for backtraces.
GCC_INCLUDE := $(shell $(CC) -print-file-name=include)
include kernel/app_flags.mk
# User applications: -O2 -g, frame pointers, baseline x86-64, warnings but not errors.
APP_CFLAGS := $(UKVM_APP_CFLAGS) -isystem $(GCC_INCLUDE) -Ikernel -Iinclude
APP_LDFLAGS := $(UKVM_APP_LDFLAGS) -Wl,-T,kernel/kernel.ld
KERNEL_CFLAGS := $(APP_CFLAGS) -Werror -mgeneral-regs-only
# memcpy, memmove, memset, memcmp, strlen: one file each (kernel/string/word.h says why).
STRING_SRCS := $(wildcard kernel/string/*.c)
STRING_OBJS := $(patsubst kernel/%,$(BUILD)/kernel/%.o,$(STRING_SRCS))
KERNEL_SRCS := $(wildcard kernel/*.c kernel/*.S)
KERNEL_OBJS := $(patsubst kernel/%,$(BUILD)/kernel/%.o,$(KERNEL_SRCS)) $(STRING_OBJS)
KERNEL_OBJ := $(BUILD)/ukvm_kernel.o
STRING_LIB := $(BUILD)/libukvm_string.a
# What ukvm_kernel.o exports: the Solo5 API, the entry point and the stack protector's
# guard and failure function. Everything else (kernel_main, memcpy, ...) is made local.
KERNEL_EXPORTS := -G 'solo5_*' -G '_start*' -G __stack_chk_guard -G __stack_chk_fail

TEST_DIRS := $(sort $(wildcard tests/test_*))
TEST_UNIKERNELS := $(TEST_DIRS:tests/%=$(BUILD)/%.ukvm)
# tests/bench/bench_hvt_* are hvt-ABI guests, built by tests/hvt/hvt.mk (HVT_BENCH_GUESTS).
BENCH_DIRS := $(filter-out tests/bench/bench_hvt_%,$(sort $(wildcard tests/bench/bench_*)))
BENCH_UNIKERNELS := $(BENCH_DIRS:tests/bench/%=$(BUILD)/%.ukvm)
# Raw-KVM baselines and other host-side benchmark programs: tests/bench/host_*.c
BENCH_HOST_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/host_*.c))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
ASAN_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/asan/unit/%)
# The gdb stub's unit tests once more, with the stub built for a 1 KiB PacketSize under
# ASan (gdbstub/rsp_packet.h): every limit the stub derives from it is then small enough
# for the tests to reach, and a buffer sized by another constant would overflow.
SMALLPKT_FLAGS := -DRSP_PACKET_SIZE=0x400
SMALLPKT_GDBSTUB_OBJS := $(patsubst %.c,$(BUILD)/asan-smallpkt/obj/%.o,$(wildcard gdbstub/*.c))
# (test_gdbstub_rate measures 64 KiB reads and is left out.)
SMALLPKT_UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/asan-smallpkt/unit/%,\
	$(filter-out %_rate.c,$(wildcard tests/unit/test_gdbstub*.c)))
# Named here, so that make keeps them (objects only a pattern rule names are intermediate).
.SECONDARY: $(SMALLPKT_GDBSTUB_OBJS)
# Debug-core tests (tests/core/): like unit tests, but they run unikernels on /dev/kvm.
CORE_TEST_SRCS := $(wildcard tests/core/test_*.c)
CORE_TEST_BINS := $(CORE_TEST_SRCS:tests/core/%.c=$(BUILD)/core/%)
ASAN_CORE_TEST_BINS := $(CORE_TEST_SRCS:tests/core/%.c=$(BUILD)/asan/core/%)

.PHONY: all monitor kernel tests app test test-nested bench-nested bench install clean format format-check fuzz fuzz-merge fuzz-smoke deps ping-demo \
	example solo5-suite ocaml-check

# Build tools and libraries, plus what the tests drive: gdb, QEMU (for side-by-side
# benchmarks), tmux (interactive shell tests), clang (libFuzzer), clang-format (the style
# test), libseccomp-dev (Solo5's tenders, built from source by `make bench SOLO5=DIR`),
# tcpdump (reads the pcap files ukvm writes, tests/scripts/pcap_tcpdump.sh), iputils-ping and
# arping (Thomas Habets' arping; the network tests, tests/scripts/net.sh), cpio and bc
# (make test-nested builds its initramfs with cpio and times its console with bc).
DEB_PACKAGES := gcc make binutils libc6-dev libelf-dev libdw-dev libreadline-dev libcapstone-dev gdb \
	qemu-system-x86 tmux clang clang-format iproute2 procps python3 libseccomp-dev tcpdump \
	iputils-ping arping cpio bc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
		$(DEB_PACKAGES) >/dev/null
	@echo "deps: installed $(DEB_PACKAGES)"

example: monitor $(BUILD)/test_hello.ukvm
	$(BUILD)/ukvm $(BUILD)/test_hello.ukvm Hello from ukvm

# The network quick start: the ping server over a tap, in a namespace of its own (root).
ping-demo: monitor $(BUILD)/test_ping.ukvm
	BUILD=$(BUILD) tests/net/ping_demo.sh
all: monitor $(BUILD)/asan/ukvm kernel tests $(UNIT_BINS) $(ASAN_UNIT_BINS) $(CORE_TEST_BINS) \
	$(ASAN_CORE_TEST_BINS) $(SMALLPKT_UNIT_BINS)
monitor: $(BUILD)/ukvm
kernel: $(KERNEL_OBJ) $(STRING_LIB)
tests: $(TEST_UNIKERNELS)
include tests/hvt/hvt.mk

$(BUILD)/ukvm: $(MONITOR_OBJS)
	$(CC) -o $@ $^ $(MONITOR_LDLIBS)

$(BUILD)/asan/ukvm: $(ASAN_OBJS)
	$(CC) $(SANITIZE_FLAGS) -o $@ $^ $(MONITOR_LDLIBS)

# The sandbox's SIGSYS handler names a forbidden call from this table, made from the kernel
# headers' __NR_ constants (a signal handler cannot ask libseccomp, which allocates).
SYSCALL_NAMES := $(BUILD)/gen/syscall_names.h
$(SYSCALL_NAMES):
	@mkdir -p $(dir $@)
	echo '#include <asm/unistd_64.h>' | $(CC) -E -dM - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/[\2] = "\1",/p' | sort -t'[' -k2 -n >$@.tmp
	mv $@.tmp $@
$(BUILD)/obj/ukvm/process/sandbox.o $(BUILD)/asan/obj/ukvm/process/sandbox.o \
	$(BUILD)/fuzz/obj/ukvm/process/sandbox.o: $(SYSCALL_NAMES)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(MONITOR_CFLAGS) -c -o $@ $<

$(BUILD)/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(MONITOR_CFLAGS) $(SANITIZE_FLAGS) -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(MONITOR_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(MONITOR_CFLAGS) -o $@ $< $(MONITOR_LIB_OBJS) $(MONITOR_LDLIBS)

$(BUILD)/asan/unit/%: tests/unit/%.c $(ASAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(MONITOR_CFLAGS) $(SANITIZE_FLAGS) -o $@ $< $(ASAN_LIB_OBJS) $(MONITOR_LDLIBS)

$(BUILD)/asan-smallpkt/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(MONITOR_CFLAGS) $(SANITIZE_FLAGS) $(SMALLPKT_FLAGS) -c -o $@ $<

$(BUILD)/asan-smallpkt/unit/%: tests/unit/%.c $(SMALLPKT_GDBSTUB_OBJS) $(ASAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(MONITOR_CFLAGS) $(SANITIZE_FLAGS) $(SMALLPKT_FLAGS) -o $@ $< $(SMALLPKT_GDBSTUB_OBJS) \
		$(filter-out $(BUILD)/asan/obj/gdbstub/%,$(ASAN_LIB_OBJS)) $(MONITOR_LDLIBS)

$(BUILD)/core/%: tests/core/%.c $(MONITOR_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(MONITOR_CFLAGS) -o $@ $< $(MONITOR_LIB_OBJS) $(MONITOR_LDLIBS)

$(BUILD)/asan/core/%: tests/core/%.c $(ASAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(MONITOR_CFLAGS) $(SANITIZE_FLAGS) -o $@ $< $(ASAN_LIB_OBJS) $(MONITOR_LDLIBS)

$(BUILD)/kernel/%.c.o: kernel/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(BUILD)/kernel/%.S.o: kernel/%.S
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLY__ -c -o $@ $<

# One relocatable object, so that every kernel part (entry, ABI note) is always linked.
# Then only KERNEL_EXPORTS stay global: the kernel's helpers, its own string functions
# included, become local, so an application may define any name of its own (Solo5's
# bindings define memcpy, memmove, strcmp and more) without a duplicate definition.
# solo5_app_main stays an undefined reference, which the application satisfies.
$(KERNEL_OBJ): $(KERNEL_OBJS)
	$(LD) -r -o $@.r $^
	$(OBJCOPY) -w $(KERNEL_EXPORTS) $@.r $@
	rm -f $@.r

# The same string functions for applications, one member each, linked after the app's
# objects: an app that brings no C library still links the memcpy and memset calls GCC
# emits on its own, and an app that defines some of them keeps its own.
$(STRING_LIB): $(STRING_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# A unikernel: the app's objects, the kernel, then the string library, linked at 1 MiB
# (kernel/kernel.ld). $(1) = name (build/NAME.ukvm), $(2) = source folder, $(3) = object
# folder, $(4) = any further prerequisite of the link, $(5) = flags appended to the app's
# (a debug build's).
define unikernel_rule
$(BUILD)/$(1).ukvm: $(patsubst %.c,$(3)/%.o,$(notdir $(wildcard $(2)/*.c))) \
		$(KERNEL_OBJ) $(STRING_LIB) kernel/kernel.ld $(4)
	$(CC) $(APP_LDFLAGS) -o $$@ $$(filter-out $(KERNEL_OBJ),$$(filter %.o,$$^)) \
		$(KERNEL_OBJ) $(STRING_LIB) -lgcc

$(3)/%.o: $(2)/%.c kernel/solo5.h
	@mkdir -p $$(dir $$@)
	$(CC) $(APP_CFLAGS) $(5) -I$(2) -c -o $$@ $$<
endef
$(foreach d,$(TEST_DIRS) $(BENCH_DIRS),\
	$(eval $(call unikernel_rule,$(notdir $(d)),$(d),$(BUILD)/app/$(notdir $(d)))))

$(BUILD)/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(MONITOR_CFLAGS) -o $@ $<

# The QEMU side of the gdb benchmark (tests/bench/run.sh): a 32-bit multiboot ELF for
# qemu-system-x86_64 -kernel, running the same loop as bench_loop. No libc, no libgcc,
# so no 32-bit multilib packages are needed.
QEMU_GUEST := $(BUILD)/bench/qemu_guest.elf
QEMU_GUEST_SRCS := $(wildcard tests/bench/qemu_guest/*.c tests/bench/qemu_guest/*.S)
$(QEMU_GUEST): $(QEMU_GUEST_SRCS) tests/bench/qemu_guest/guest.ld
	@mkdir -p $(dir $@)
	$(CC) -m32 -std=gnu11 -O2 -g -ffreestanding -nostdlib -static -no-pie -fno-pie -fno-pic \
		-mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
		-Wall -Wextra -Werror -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		-Wl,-T,tests/bench/qemu_guest/guest.ld \
		-o $@ $(QEMU_GUEST_SRCS)

# make app APP=DIR: the folder is named by its absolute path, and its objects go to
# $(BUILD)/app-dirs/<that path> ($(BUILD)/app-dirs-debug/... for DEBUG=1, so that switching
# modes never mixes objects of both), so two folders with one name never share objects (or
# dependency files naming the other's sources). The output is still $(BUILD)/NAME.ukvm, so
# $(BUILD)/app-from/NAME records the folder (and mode) it was last linked from: building
# another folder of the same name, or in the other mode, rewrites it, and the newer record
# forces a relink.
ifdef APP
ifneq ($(filter-out 0 1,$(DEBUG)),)
$(error DEBUG=$(DEBUG): use DEBUG=1 for a debug build (-O0 -g3), or leave it out)
endif
APP_DIR := $(abspath $(APP))
APP_NAME := $(notdir $(APP_DIR))
ifeq ($(wildcard $(APP_DIR)/*.c),)
$(error APP=$(APP): no .c files in that folder)
endif
APP_CLASH := $(filter %/$(APP_NAME),$(TEST_DIRS) $(BENCH_DIRS))
ifneq ($(APP_CLASH),)
ifneq ($(abspath $(APP_CLASH)),$(APP_DIR))
$(error APP=$(APP): the folder name '$(APP_NAME)' is that of this tree's test unikernel \
	$(APP_CLASH), and $(BUILD)/$(APP_NAME).ukvm is that test's; rename the folder)
endif
# DIR is that test's own folder: build the test, which is always built as the suite expects.
ifeq ($(DEBUG),1)
$(error APP=$(APP): DEBUG=1 cannot rebuild this tree's test unikernel $(BUILD)/$(APP_NAME).ukvm \
	(the tests expect it optimized); copy the folder under another name)
endif
else
APP_MODE := $(if $(filter 1,$(DEBUG)),debug)
APP_FROM := $(BUILD)/app-from/$(APP_NAME)
ifneq ($(file <$(APP_FROM)),$(APP_DIR)$(if $(APP_MODE), (debug)))
$(shell mkdir -p $(dir $(APP_FROM)))
$(file >$(APP_FROM),$(APP_DIR)$(if $(APP_MODE), (debug)))
endif
$(eval $(call unikernel_rule,$(APP_NAME),$(APP_DIR),$(BUILD)/app-dirs$(if $(APP_MODE),-debug)$(APP_DIR),$(APP_FROM),$(if $(APP_MODE),$(UKVM_APP_DEBUG_CFLAGS))))
endif
app: $(BUILD)/$(APP_NAME).ukvm
else
app:
	@echo "usage: make app APP=DIR [DEBUG=1]   (builds DIR/*.c into $(BUILD)/<basename of DIR>.ukvm;" \
		"DEBUG=1: at -O0 -g3 for debugging)" >&2
	@exit 2
endif

# tests/scripts/console.sh floods a pipe from an hvt guest too: the hvt PUTS benchmark's.
# tests/scripts/bench_reverse.sh runs the reverse benchmark tiny: its guests and timer.
REVERSE_BENCH_DEPS := $(BUILD)/bench_reverse.ukvm $(BUILD)/bench_puts.ukvm \
	$(BUILD)/bench_compute.ukvm $(BUILD)/bench/host_timeit
test: all $(BUILD)/bench_hvt_puts.hvt $(REVERSE_BENCH_DEPS)
	tests/run.sh

# The suite on a KVM with hardware semantics: kvm_amd in a Debian kernel under QEMU 10's
# TCG with -cpu max (tests/nested/README.md). Downloads its packages into build/nested/
# once, with apt-get options that leave the machine's apt configuration alone.
# NESTED_FILTER=SUBSTRING: tests/run.sh's filter inside.
test-nested: all $(BUILD)/bench_hvt_puts.hvt
	tests/nested/run_nested.sh '$(NESTED_FILTER)'

# On the same nested KVM: what a watchpoint costs unwatched accesses with debug registers
# (the probe's choice there) and with page traps (tests/bench/watch_bench.sh, twice).
bench-nested: all $(BUILD)/bench_watch.ukvm
	NESTED_MODE=bench tests/nested/run_nested.sh

# SOLO5=DIR (a Solo5 source tree) adds the hvt section and solo5-hvt's side of the net
# section; without it the first is skipped and the second measures ukvm alone.
bench: all $(BENCH_UNIKERNELS) $(HVT_BENCH_GUESTS) $(BENCH_HOST_BINS) $(QEMU_GUEST)
	SOLO5='$(SOLO5)' tests/bench/run.sh

# Solo5's test suite against ukvm: tests/solo5/suite.sh installs ukvm into a temporary
# DESTDIR, builds every DIR/tests/test_*/test_*.c with the installed app.mk and runs the
# hvt cases of DIR/tests/tests.bats; with --hvt it runs the same cases on the .hvt
# binaries Solo5 builds from DIR (tests/solo5/build_solo5.sh). Without SOLO5 it prints one SKIP line. $(MAKE) in the
# recipe passes the jobserver on to the script's own make runs.
SOLO5 ?=
# Both ways by default: programs built against ukvm's kernel (source), and the .hvt
# binaries Solo5's own toolchain builds (hvt); each runs even when the other failed, and
# the target fails if either did. SOLO5_SUITE_MODES=source runs only the first.
SOLO5_SUITE_MODES ?= source hvt
solo5-suite: monitor kernel
	@status=0; for mode in $(SOLO5_SUITE_MODES); do \
		flag=; [ $$mode = hvt ] && flag=--hvt; \
		[ -n '$(SOLO5)' ] || [ $$mode = source ] || continue; \
		MAKE='$(MAKE)' BUILD='$(BUILD)' tests/solo5/suite.sh $$flag '$(SOLO5)'; \
		rc=$$?; [ $$rc -le $$status ] || status=$$rc; \
	done; exit $$status

# An OCaml unikernel for Solo5's hvt target, built by the user's own toolchain, run and
# debugged under build/ukvm (tests/solo5/ocaml_check.sh). Without OCAML_HVT: one SKIP line.
OCAML_HVT ?=
ocaml-check: monitor
	@BUILD='$(BUILD)' tests/solo5/ocaml_check.sh '$(OCAML_HVT)'

install: monitor kernel
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/ukvm \
		$(DESTDIR)$(PREFIX)/include/ukvm $(DESTDIR)$(PREFIX)/share/ukvm/gdbinit
	install -m 755 $(BUILD)/ukvm $(DESTDIR)$(PREFIX)/bin/ukvm
	install -m 644 $(KERNEL_OBJ) $(STRING_LIB) kernel/kernel.ld kernel/app_flags.mk \
		$(DESTDIR)$(PREFIX)/lib/ukvm/
	install -m 644 kernel/solo5.h include/ukvm_abi.h $(DESTDIR)$(PREFIX)/include/ukvm/
	install -m 644 gdbinit/solo5.gdb $(DESTDIR)$(PREFIX)/share/ukvm/gdbinit/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@GCC_INCLUDE@|$(GCC_INCLUDE)|g' kernel/app.mk.in \
		> $(DESTDIR)$(PREFIX)/lib/ukvm/app.mk

# Fuzzing (clang's libFuzzer, docs/fuzzing.md): every tests/fuzz/fuzz_*.c. The monitor's
# library sources are built once more with clang's fuzzer instrumentation into an archive,
# so that each target links just the objects it uses; the gdb stub's target builds the stub
# itself with a 1 KiB PacketSize (gdbstub/rsp_packet.h), so that inputs of fuzzer size
# reach every limit derived from it. Corpora live in tests/fuzz/corpus/TARGET/.
#
#   make fuzz             each target for FUZZ_SECONDS, on a copy of its corpus in
#                         $(BUILD)/fuzz/corpus-TARGET (the tree's corpus is only read)
#   make fuzz-merge       merges what those runs found back into tests/fuzz/corpus/, keeping
#                         only inputs that reach new edges (libFuzzer's -merge=1, with hit
#                         counts ignored so that the tree's corpora stay small)
#   make fuzz-smoke       each target over its corpus, then FUZZ_SMOKE_RUNS fresh inputs;
#                         one PASS/FAIL line per target (the test suite runs it)
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_RUNS ?= 20000
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
# Undefined behaviour aborts (no recovery), so that libFuzzer counts it as a finding rather
# than printing it and going on.
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -DUKVM_VERSION='"$(VERSION)"' -Iinclude -I. -I$(BUILD)/gen
FUZZ_LIB := $(BUILD)/fuzz/libukvm_fuzz.a
FUZZ_LIB_OBJS := $(MONITOR_LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(MONITOR_LDLIBS)
$(BUILD)/fuzz/fuzz_gdbstub: tests/fuzz/fuzz_gdbstub.c $(wildcard gdbstub/*.c gdbstub/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -DRSP_PACKET_SIZE=0x400 -o $@ $(filter %.c,$^) -lpthread
fuzz: $(FUZZ_TARGETS)
	@for t in $(FUZZ_NAMES); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		cp -n tests/fuzz/corpus/$$t/* $(BUILD)/fuzz/corpus-$$t/ 2>/dev/null; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$$([ -f tests/fuzz/$$t.dict ] && echo -dict=tests/fuzz/$$t.dict) \
			-artifact_prefix=$(BUILD)/fuzz/$$t- $(BUILD)/fuzz/corpus-$$t || exit 1; \
	done
fuzz-merge: $(FUZZ_TARGETS)
	@for t in $(FUZZ_NAMES); do \
		[ -d $(BUILD)/fuzz/corpus-$$t ] || continue; \
		mkdir -p tests/fuzz/corpus/$$t; \
		$(BUILD)/fuzz/$$t -merge=1 -use_counters=0 tests/fuzz/corpus/$$t $(BUILD)/fuzz/corpus-$$t \
			2>&1 | grep -E '^MERGE-OUTER: [0-9]+ new files' || exit 1; \
	done
fuzz-smoke: $(FUZZ_TARGETS)
	@BUILD=$(BUILD) FUZZ_SMOKE_RUNS=$(FUZZ_SMOKE_RUNS) tests/fuzz/smoke.sh $(FUZZ_NAMES)

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

clean:
	rm -rf $(BUILD)

# Dependency files (-MMD); build/nested holds unpacked Debian packages (tests/nested/), whose
# folders named *.d are not make's.
-include $(shell find $(BUILD) -path $(BUILD)/nested -prune -o -name '*.d' -type f -print 2>/dev/null)
