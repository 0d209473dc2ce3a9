/*
 * hvt_badnote: ELF files whose Solo5 notes a monitor must refuse before running any guest
 * code. hvt.mk builds this file once per case, with -DBADNOTE_<case>, into
 * build/hvt_badnote_<case>.hvt; the abi_* cases link another ABI1 note (hvt.mk):
 *
 *   abi_missing   no ABI1 note: another owner's note in its place
 *   abi_target    ABI1 note for another target: 2 (spt)
 *   abi_version   ABI1 note for hvt ABI version 3
 *   mft_missing   no MFT1 note: another owner's note in its place
 *   mft_version   manifest version 2
 *   mft_entries   65 entries (more than HVT_MFT_MAX_ENTRIES), the note sized for them
 *   mft_size      entries says 3, the note holds 2 (the sizes disagree)
 *   mft_reserved  entry 0 is a block device, not the reserved entry
 *   mft_name      entry 1's name fills all 68 bytes: no terminating NUL
 *   mft_attached  entry 1 already marked attached in the file
 *
 * The abi_* cases carry a good manifest with no devices. Every case that declares a
 * device declares block device "storage", which the specs attach, so that a monitor that
 * failed to validate could run the guest; it then prints "FAIL: ..." and exits 99.
 */
#include "hvt_rt.h"

#if defined(BADNOTE_mft_missing)
/*
 * No MFT1 note: the manifest's PT_NOTE holds an OpenBSD NT_VERSION note instead (an empty
 * PT_NOTE would be a malformed file, refused for that instead).
 */
__attribute__((section(".note.solo5.manifest"), aligned(4), used)) const struct {
    uint32_t n_namesz, n_descsz, n_type;
    char n_name[8];
    uint32_t desc;
} hvt_rt_manifest_note = {8, 4, 1, "OpenBSD", 0};
#elif defined(BADNOTE_mft_version)
HVT_MANIFEST_RAW(2, 2, 2, HVT_MFT_RESERVED, HVT_MFT_BLOCK("storage"));
#elif defined(BADNOTE_mft_entries)
HVT_MANIFEST_RAW(HVT_MFT_VERSION, 65, 65, HVT_MFT_RESERVED, HVT_MFT_BLOCK("storage"),
                 [2 ... 64] = {.name = "", .type = HVT_MFT_RESERVED_FIRST});
#elif defined(BADNOTE_mft_size)
HVT_MANIFEST_RAW(HVT_MFT_VERSION, 3, 2, HVT_MFT_RESERVED, HVT_MFT_BLOCK("storage"));
#elif defined(BADNOTE_mft_reserved)
HVT_MANIFEST(2, HVT_MFT_BLOCK("storage"), HVT_MFT_BLOCK("scratch"));
#elif defined(BADNOTE_mft_name)
/* 68 characters: the initializer fills the array and leaves out the NUL. */
HVT_MANIFEST(2, HVT_MFT_RESERVED,
             HVT_MFT_BLOCK("storage0123456789012345678901234567890123456789012345678901234567890"));
#elif defined(BADNOTE_mft_attached)
HVT_MANIFEST(2, HVT_MFT_RESERVED, {.name = "storage", .type = HVT_MFT_BLOCK_BASIC, .attached = 1});
#elif defined(BADNOTE_abi_missing) || defined(BADNOTE_abi_target) || defined(BADNOTE_abi_version)
HVT_MANIFEST(1, HVT_MFT_RESERVED);
#else
#error "build with -DBADNOTE_<case> (tests/hvt/hvt.mk)"
#endif

int hvt_main(const struct hvt_boot_info *bi)
{
    (void)bi;
    hvt_fail("the monitor ran a guest with a bad Solo5 note");
}
