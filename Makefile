# ukvm: a GDB-first monitor for x86_64 unikernels.
#
#   make                 monitor (build/ukvm), ASan/UBSan monitor (build/asan/ukvm),
#                        kernel object, every test unikernel (build/test_*.ukvm)
#   make app APP=DIR     build DIR/*.c linked with the kernel into build/$(notdir DIR).ukvm
#   make deps            install the Debian packages ukvm and its tests need (apt-get)
#   make example         build everything and run the built-in example unikernel
#   make test            the whole test suite (tests/run.sh)
#   make bench           benchmarks (tests/bench/run.sh)
#   make install         PREFIX=/usr/local DESTDIR=
#   make format-check    clang-format conformance

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD := build

CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif

# ---------------------------------------------------------------- monitor
MONITOR_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-DUKVM_VERSION='"$(VERSION)"' -Iinclude -I. -MMD -MP
MONITOR_LDLIBS := -lelf -ldl -lpthread
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
# The kernel is freestanding and uses general-purpose registers only: KVM-HERE.md explains
# why (SSE arithmetic is not emulated on every KVM). Frame pointers stay for backtraces.
GCC_INCLUDE := $(shell $(CC) -print-file-name=include)
include kernel/app_flags.mk
# User applications: -O2 -g, frame pointers, baseline x86-64, warnings but not errors.
APP_CFLAGS := $(UKVM_APP_CFLAGS) -isystem $(GCC_INCLUDE) -Ikernel -Iinclude
APP_LDFLAGS := $(UKVM_APP_LDFLAGS) -Wl,-T,kernel/kernel.ld
KERNEL_CFLAGS := $(APP_CFLAGS) -Werror -mgeneral-regs-only
KERNEL_SRCS := $(wildcard kernel/*.c kernel/*.S)
KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/%.o,$(notdir $(KERNEL_SRCS)))
KERNEL_OBJ := $(BUILD)/ukvm_kernel.o

TEST_DIRS := $(sort $(wildcard tests/test_*))
TEST_UNIKERNELS := $(TEST_DIRS:tests/%=$(BUILD)/%.ukvm)
BENCH_DIRS := $(sort $(wildcard tests/bench/bench_*))
BENCH_UNIKERNELS := $(BENCH_DIRS:tests/bench/%=$(BUILD)/%.ukvm)
# Raw-KVM baselines and other host-side benchmark programs: tests/bench/host_*.c
BENCH_HOST_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/host_*.c))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
ASAN_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/asan/unit/%)
# Debug-core tests (tests/core/): like unit tests, but they run unikernels on /dev/kvm.
CORE_TEST_SRCS := $(wildcard tests/core/test_*.c)
CORE_TEST_BINS := $(CORE_TEST_SRCS:tests/core/%.c=$(BUILD)/core/%)
ASAN_CORE_TEST_BINS := $(CORE_TEST_SRCS:tests/core/%.c=$(BUILD)/asan/core/%)

.PHONY: all monitor kernel tests app test bench install clean format format-check fuzz deps \
	example

# Build tools and libraries, plus what the tests drive: gdb, QEMU (for side-by-side
# benchmarks), tmux (interactive shell tests), clang (libFuzzer), clang-format (the style
# test).
DEB_PACKAGES := gcc make binutils libc6-dev libelf-dev libdw-dev libreadline-dev libcapstone-dev gdb \
	qemu-system-x86 tmux clang clang-format iproute2 procps python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
		$(DEB_PACKAGES) >/dev/null
	@echo "deps: installed $(DEB_PACKAGES)"

example: monitor $(BUILD)/test_hello.ukvm
	$(BUILD)/ukvm $(BUILD)/test_hello.ukvm Hello from ukvm
all: monitor $(BUILD)/asan/ukvm kernel tests $(UNIT_BINS) $(ASAN_UNIT_BINS) $(CORE_TEST_BINS) \
	$(ASAN_CORE_TEST_BINS)
monitor: $(BUILD)/ukvm
kernel: $(KERNEL_OBJ)
tests: $(TEST_UNIKERNELS)

$(BUILD)/ukvm: $(MONITOR_OBJS)
	$(CC) -o $@ $^ $(MONITOR_LDLIBS)

$(BUILD)/asan/ukvm: $(ASAN_OBJS)
	$(CC) $(SANITIZE_FLAGS) -o $@ $^ $(MONITOR_LDLIBS)

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
$(KERNEL_OBJ): $(KERNEL_OBJS)
	$(LD) -r -o $@ $^

# A unikernel: the app's objects plus the kernel, linked at 1 MiB (kernel/kernel.ld).
define unikernel_rule
$(BUILD)/$(1).ukvm: $(patsubst %.c,$(BUILD)/app/$(1)/%.o,$(notdir $(wildcard $(2)/*.c))) \
		$(KERNEL_OBJ) kernel/kernel.ld
	$(CC) $(APP_LDFLAGS) -o $$@ $$(filter %.o,$$^) -lgcc

$(BUILD)/app/$(1)/%.o: $(2)/%.c kernel/solo5.h
	@mkdir -p $$(dir $$@)
	$(CC) $(APP_CFLAGS) -I$(2) -c -o $$@ $$<
endef
$(foreach d,$(TEST_DIRS) $(BENCH_DIRS),$(eval $(call unikernel_rule,$(notdir $(d)),$(d))))

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

ifdef APP
APP_DIR := $(patsubst %/,%,$(APP))
APP_NAME := $(notdir $(APP_DIR))
ifeq ($(wildcard $(APP_DIR)/*.c),)
$(error APP=$(APP): no .c files in that folder)
endif
$(eval $(call unikernel_rule,$(APP_NAME),$(APP_DIR)))
app: $(BUILD)/$(APP_NAME).ukvm
else
app:
	@echo "usage: make app APP=DIR   (builds DIR/*.c into $(BUILD)/<basename of DIR>.ukvm)" >&2
	@exit 2
endif

test: all
	tests/run.sh

bench: all $(BENCH_UNIKERNELS) $(BENCH_HOST_BINS) $(QEMU_GUEST)
	tests/bench/run.sh

install: monitor kernel
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/ukvm \
		$(DESTDIR)$(PREFIX)/include/ukvm $(DESTDIR)$(PREFIX)/share/ukvm/gdbinit
	install -m 755 $(BUILD)/ukvm $(DESTDIR)$(PREFIX)/bin/ukvm
	install -m 644 $(KERNEL_OBJ) kernel/kernel.ld kernel/app_flags.mk $(DESTDIR)$(PREFIX)/lib/ukvm/
	install -m 644 kernel/solo5.h include/ukvm_abi.h $(DESTDIR)$(PREFIX)/include/ukvm/
	install -m 644 gdbinit/solo5.gdb $(DESTDIR)$(PREFIX)/share/ukvm/gdbinit/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@GCC_INCLUDE@|$(GCC_INCLUDE)|g' kernel/app.mk.in \
		> $(DESTDIR)$(PREFIX)/lib/ukvm/app.mk

# Fuzzing (clang's libFuzzer): every tests/fuzz/fuzz_*.c, linked with the monitor library
# sources its rule names, each run for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
	-DUKVM_VERSION='"$(VERSION)"' -Iinclude -I.
$(BUILD)/fuzz/fuzz_elf_load: tests/fuzz/fuzz_elf_load.c ukvm/guest/elf_load.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ -lelf
# A 1 KiB PacketSize, so that inputs of fuzzer size reach the over-long-packet paths.
$(BUILD)/fuzz/fuzz_gdbstub: tests/fuzz/fuzz_gdbstub.c $(wildcard gdbstub/*.c gdbstub/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -DRSP_PACKET_SIZE=0x400 -o $@ $(filter %.c,$^) -lpthread
fuzz: $(FUZZ_TARGETS)
	@for f in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$(basename $$f); \
		echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(BUILD)/fuzz/corpus-$$(basename $$f) || exit 1; \
	done

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_SRCS)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
