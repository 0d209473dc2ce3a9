# tests/hvt/hvt.mk: ukvm's hvt test guests (docs/hvt-tests.md), included by the top
# Makefile. Builds build/hvt_NAME.hvt from tests/hvt/hvt_NAME/*.c and the runtime in
# tests/hvt/rt/, linked with tests/hvt/rt/hvt.ld; tests/hvt/hvt_badnote/hvt_badnote.c
# is built once per bad-note case into build/hvt_badnote_CASE.hvt. All of them are
# prerequisites of `tests` (so of `all`). The hvt benchmark guests, tests/bench/bench_hvt_NAME
# (tests/bench/hvt_bench.sh), are built the same way into build/bench_hvt_NAME.hvt, as
# prerequisites of `bench` (HVT_BENCH_GUESTS).
#
# Uses CC, BUILD and GCC_INCLUDE from the top Makefile.

HVT_RT := tests/hvt/rt
HVT_LD := $(HVT_RT)/hvt.ld
# Freestanding, general-purpose registers only (a software CPU emulator runs these guests
# on some CI hosts), no red zone (exceptions run on the interrupted stack), fixed address,
# frame pointers and unwind tables for the monitor's crash reports and gdb. No stack
# protector: nothing sets a guard. No loop-to-memset rewriting: rt.c is memset.
HVT_CFLAGS := -std=gnu11 -O2 -g -march=x86-64 -mtune=generic -Wall -Wextra -Werror \
	-ffreestanding -nostdinc -isystem $(GCC_INCLUDE) -fno-pie -fno-pic -mcmodel=small \
	-mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer -fno-stack-protector \
	-fasynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-Iinclude -I$(HVT_RT) -MMD -MP
HVT_LDFLAGS := -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack \
	-Wl,--build-id=none -Wl,-T,$(HVT_LD)

HVT_RT_OBJS := $(BUILD)/hvt/rt/start.o $(BUILD)/hvt/rt/rt.o
HVT_ABI_NOTE := $(BUILD)/hvt/rt/abi_note.o

# Every tests/hvt/hvt_NAME folder but hvt_badnote is one guest.
HVT_DIRS := $(filter-out tests/hvt/hvt_badnote,$(sort $(wildcard tests/hvt/hvt_*)))
HVT_GUESTS := $(HVT_DIRS:tests/hvt/%=$(BUILD)/%.hvt)
# The benchmark guests (the top Makefile leaves tests/bench/bench_hvt_* out of BENCH_DIRS).
HVT_BENCH_DIRS := $(sort $(wildcard tests/bench/bench_hvt_*))
HVT_BENCH_GUESTS := $(HVT_BENCH_DIRS:tests/bench/%=$(BUILD)/%.hvt)

# hvt_badnote cases: files solo5-hvt refuses before running anything. CASE is the
# variant's name; abi_* cases link another ABI1 note (or another owner's note).
HVT_BADNOTE_CASES := abi_missing abi_target abi_version mft_missing mft_version mft_entries \
	mft_size mft_reserved mft_name mft_attached
HVT_BADNOTES := $(HVT_BADNOTE_CASES:%=$(BUILD)/hvt_badnote_%.hvt)

tests: $(HVT_GUESTS) $(HVT_BADNOTES)

$(BUILD)/hvt/rt/%.o: $(HVT_RT)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HVT_CFLAGS) -c -o $@ $<

$(BUILD)/hvt/rt/%.o: $(HVT_RT)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(HVT_CFLAGS) -c -o $@ $<

# The ABI1 note of another target (2: spt) or another version (3), or none.
$(BUILD)/hvt/rt/abi_note_spt.o: $(HVT_RT)/abi_note.S
	@mkdir -p $(dir $@)
	$(CC) $(HVT_CFLAGS) -DHVT_RT_ABI_TARGET=2 -c -o $@ $<
$(BUILD)/hvt/rt/abi_note_v3.o: $(HVT_RT)/abi_note.S
	@mkdir -p $(dir $@)
	$(CC) $(HVT_CFLAGS) -DHVT_RT_ABI_VERSION=3 -c -o $@ $<
$(BUILD)/hvt/rt/abi_note_none.o: $(HVT_RT)/abi_note.S
	@mkdir -p $(dir $@)
	$(CC) $(HVT_CFLAGS) -DHVT_RT_ABI_NOTE_NONE -c -o $@ $<

# $(1) = name (build/NAME.hvt), $(2) = its source folder.
define hvt_guest_rule
$(BUILD)/$(1).hvt: $(patsubst %.c,$(BUILD)/hvt/$(1)/%.o,$(notdir $(wildcard $(2)/*.c))) \
		$(HVT_RT_OBJS) $(HVT_ABI_NOTE) $(HVT_LD)
	$(CC) $(HVT_LDFLAGS) -o $$@ $$(filter %.o,$$^) -lgcc

$(BUILD)/hvt/$(1)/%.o: $(2)/%.c
	@mkdir -p $$(dir $$@)
	$(CC) $(HVT_CFLAGS) -c -o $$@ $$<
endef
$(foreach d,$(HVT_DIRS) $(HVT_BENCH_DIRS),$(eval $(call hvt_guest_rule,$(notdir $(d)),$(d))))

# hvt_badnote: hvt_badnote.c compiled with -DBADNOTE_<case>, linked with the right note.
hvt_badnote_note = $(if $(filter abi_missing,$(1)),$(BUILD)/hvt/rt/abi_note_none.o,\
	$(if $(filter abi_target,$(1)),\
	$(BUILD)/hvt/rt/abi_note_spt.o,$(if $(filter abi_version,$(1)),\
	$(BUILD)/hvt/rt/abi_note_v3.o,$(HVT_ABI_NOTE))))
define hvt_badnote_rule
$(BUILD)/hvt_badnote_$(1).hvt: $(BUILD)/hvt/hvt_badnote/$(1).o $(HVT_RT_OBJS) \
		$(call hvt_badnote_note,$(1)) $(HVT_LD)
	$(CC) $(HVT_LDFLAGS) -o $$@ $$(filter %.o,$$^) -lgcc

$(BUILD)/hvt/hvt_badnote/$(1).o: tests/hvt/hvt_badnote/hvt_badnote.c
	@mkdir -p $$(dir $$@)
	$(CC) $(HVT_CFLAGS) -DBADNOTE_$(1) -c -o $$@ $$<
endef
$(foreach c,$(HVT_BADNOTE_CASES),$(eval $(call hvt_badnote_rule,$(c))))
