/*
 * abi_note.S: the ABI1 note of ukvm's hvt test guests: owner "Solo5", type "ABI1", a
 * 16-byte descriptor {abi_target, abi_version, 0, 0} (struct hvt_abi1_info in
 * include/solo5_hvt_abi.h). hvt.ld puts section .note.solo5.abi in its own PT_NOTE: a
 * monitor reads only the first note of each PT_NOTE segment, as solo5-hvt does.
 *
 * HVT_RT_ABI_TARGET and HVT_RT_ABI_VERSION default to hvt (1) and version 2; the
 * tests/hvt/hvt_badnote variants build this file with other values, or with
 * HVT_RT_ABI_NOTE_NONE (hvt.mk).
 */
#ifndef HVT_RT_ABI_TARGET
#define HVT_RT_ABI_TARGET 1 /* HVT_TARGET_HVT */
#endif
#ifndef HVT_RT_ABI_VERSION
#define HVT_RT_ABI_VERSION 2 /* HVT_ABI_VERSION */
#endif

    .section .note.solo5.abi, "a", @note
    .balign 4
#ifndef HVT_RT_ABI_NOTE_NONE
    .long 2f - 1f                       /* n_namesz: 6, "Solo5" and its NUL */
    .long 4f - 3f                       /* n_descsz: 16 */
    .long 0x31494241                    /* n_type: "ABI1" */
1:  .asciz "Solo5"
2:  .balign 4
3:  .long HVT_RT_ABI_TARGET
    .long HVT_RT_ABI_VERSION
    .long 0, 0                          /* reserved */
4:
#else
    /*
     * No ABI1 note (the abi_missing case): the PT_NOTE holds another owner's note, an
     * OpenBSD NT_VERSION note like the one Solo5 adds to its own binaries, rather than
     * nothing (an empty PT_NOTE is a malformed file, refused for that instead).
     */
    .long 8, 4, 1                       /* n_namesz, n_descsz, n_type NT_VERSION */
    .asciz "OpenBSD"
    .long 0
#endif

    .section .note.GNU-stack, "", @progbits
