/*
 * interp.S: the ELF interpreter path of every ukvm unikernel, a path that cannot exist.
 *
 * A .ukvm file is an executable x86-64 ELF, so a user may start it on the host by
 * mistake (./build/myapp.ukvm). Without an interpreter Linux would jump to _start in
 * user mode, where the first privileged step crashes (SIGSEGV, status 139). With one,
 * execve first looks for the interpreter, fails with ENOENT, and the shell reports
 * "No such file or directory" (status 127) without running a single guest instruction.
 * The path says what to do instead. The monitor ignores PT_INTERP.
 *
 * kernel.ld places .interp in the read-only segment and gives it a PT_INTERP header.
 */
    .section .interp, "a", @progbits
    .asciz "/nonexistent/ukvm/run-with-ukvm"

    .section .note.GNU-stack, "", @progbits
