/*
 * hvt_hello: the smallest hvt guest. Prints a greeting and its command line, checks the
 * boot info and the entry state the hvt ABI promises (include/solo5_hvt_abi.h), and exits.
 *
 * Command-line words it acts on (all others are only echoed):
 *   mem=N    mem_size must be N MiB (the monitor's --mem=N)
 *   exit=N   exit with status N instead of 0 (status propagation)
 *
 * Checks: the boot info is at HVT_BOOT_INFO_GPA (%rdi), %rsp was mem_size - 8 at entry,
 * kernel_end covers the whole image (>= _end) and lies inside memory, cpu_cycle_freq is
 * set, the command line and the manifest lie in the boot-info area below 1 MiB, and the
 * monitor's copy of the manifest is the one declared below: version 1, 1 entry, entry 0
 * reserved with an empty name, not attached. A failed check prints "FAIL: ..." and exits 99.
 */
#include "hvt_rt.h"

HVT_MANIFEST(1, HVT_MFT_RESERVED);

static void check_manifest(void)
{
    const struct hvt_mft *m = hvt_manifest(), *own = hvt_own_manifest();

    HVT_CHECK(hvt_boot->mft != 0);
    /*
     * Solo5 before 0.10 (v0.9.3) writes only the boot info's first five fields and puts the
     * manifest right after them: the fields from host_features on came later, with the
     * same ABI version 2.
     */
    HVT_CHECK(hvt_boot->mft >=
                  HVT_BOOT_INFO_GPA + __builtin_offsetof(struct hvt_boot_info, host_features) &&
              hvt_boot->mft < HVT_GUEST_MIN_BASE);
    HVT_CHECK(hvt_boot->mft % 8 == 0);
    HVT_CHECK(own->version == HVT_MFT_VERSION && own->entries == 1);
    if (m->version != HVT_MFT_VERSION || m->entries != own->entries)
        hvt_fail("manifest version %u entries %u, expected %u and %u", m->version, m->entries,
                 HVT_MFT_VERSION, own->entries);
    HVT_CHECK(m->e[0].type == HVT_MFT_RESERVED_FIRST);
    HVT_CHECK(m->e[0].name[0] == '\0');
    HVT_CHECK(m->e[0].attached == 0);
    hvt_printf("manifest: version %u, %u entry\n", m->version, m->entries);
}

int hvt_main(const struct hvt_boot_info *bi)
{
    const char *cmdline = (const char *)(uintptr_t)bi->cmdline;

    hvt_puts("Hello from an hvt guest\n");
    HVT_CHECK(bi->cmdline != 0);
    HVT_CHECK(bi->cmdline > HVT_BOOT_INFO_GPA && bi->cmdline < HVT_GUEST_MIN_BASE);
    hvt_printf("cmdline: %s\n", cmdline);

    if ((uintptr_t)bi != HVT_BOOT_INFO_GPA)
        hvt_fail("boot info at %p, expected 0x%lx", (const void *)bi, (uint64_t)HVT_BOOT_INFO_GPA);
    if (hvt_arg("mem")) {
        uint64_t want = hvt_arg_u64("mem", 0) << 20;
        if (bi->mem_size != want)
            hvt_fail("mem_size 0x%lx, expected 0x%lx", bi->mem_size, want);
    }
    HVT_CHECK(bi->mem_size % HVT_MEM_ALIGN == 0 && bi->mem_size <= HVT_MEM_MAX);
    if (hvt_entry_rsp != bi->mem_size - 8)
        hvt_fail("entry rsp 0x%lx, expected mem_size - 8 = 0x%lx", hvt_entry_rsp, bi->mem_size - 8);
    if (bi->kernel_end < (uintptr_t)_end || bi->kernel_end > bi->mem_size)
        hvt_fail("kernel_end 0x%lx, image ends at %p, mem_size 0x%lx", bi->kernel_end, (void *)_end,
                 bi->mem_size);
    HVT_CHECK(bi->cpu_cycle_freq != 0);
    hvt_printf("mem_size %lu MiB, kernel_end 0x%lx, cpu_cycle_freq %lu Hz\n", bi->mem_size >> 20,
               bi->kernel_end, bi->cpu_cycle_freq);
    check_manifest();

    int status = (int)hvt_arg_u64("exit", 0);
    if (status == 0)
        hvt_puts("SUCCESS\n");
    else
        hvt_printf("exiting with status %d\n", status);
    return status;
}
