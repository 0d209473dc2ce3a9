/*
 * sanitizer_defaults.c: LeakSanitizer's defaults for ukvm's sanitizer builds (the ASan and
 * UBSan monitor and the tests linked with it); nothing in other builds.
 *
 * use_tls=0: LeakSanitizer's thread tracer, as GCC 12 ships it, can crash at exit
 * ("Tracer caught signal 11" right after "DTLS ... at 0x...") while it walks glibc's dynamic
 * TLS once libraries were loaded by dlopen (libdw, libelf: ukvm/process/lazy_lib.h).
 * Whether it does depends on the heap's layout, so any change can bring it on or off. ukvm
 * keeps no heap pointer in thread-local storage, so its leaks are found as before; glibc
 * keeps some there, the state behind dlerror() and the dynamic loader's own per-thread
 * blocks, which without the TLS scan look leaked: those allocation sites (the loader's) are
 * suppressed, and nothing else.
 */
#if defined(__SANITIZE_ADDRESS__)
const char *__lsan_default_options(void);

const char *__lsan_default_options(void)
{
    return "use_tls=0";
}

const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
    return "leak:_dlerror_run\n"
           "leak:_dl_map_object_deps\n"
           "leak:_dl_exception_create\n"
           /* The same state where ld.so has no symbols for the report to name. */
           "leak:ld-linux-x86-64.so.2\n";
}
#endif
