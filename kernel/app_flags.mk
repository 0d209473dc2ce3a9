# app_flags.mk: compiler and linker flags for unikernels, shared by ukvm's own Makefile
# (the kernel and the test apps) and by the installed app.mk, so the two cannot drift.
#
# Every flag matters: freestanding code with no red zone (the kernel's trap entry does not
# skip one), non-PIE at a fixed address (kernel.ld links at 1 MiB), frame pointers and
# asynchronous unwind tables for crash backtraces, the stack protector with a global guard
# that the kernel sets from the boot info, and baseline x86-64 code (no -march=native).
UKVM_APP_CFLAGS := -std=gnu11 -O2 -g -march=x86-64 -mtune=generic -Wall -Wextra \
	-ffreestanding -fno-pie -fno-pic -mno-red-zone -mcmodel=small \
	-fno-omit-frame-pointer -fstack-protector-strong -mstack-protector-guard=global \
	-fasynchronous-unwind-tables -nostdinc -MMD -MP
UKVM_APP_LDFLAGS := -nostdlib -static -no-pie -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack \
	-Wl,--build-id=none

# Debug builds (`make app APP=DIR DEBUG=1`, app.mk's UKVM_DEBUG=1), appended to
# UKVM_APP_CFLAGS so that they win over its -O2 -g: no optimization, so that gdb finds one
# location for `break f`, `step` enters every function the source calls (-O2 inlines
# small ones into their callers) and locals are never <optimized out>; -g3 adds the
# macros (`print SLOTS`, `macro expand`). Only the application's own files: the kernel
# object and the string library stay as installed, -O2 -g.
UKVM_APP_DEBUG_CFLAGS := -O0 -g3
