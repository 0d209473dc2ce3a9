/*
 * sanitizer_defaults.c: LeakSanitizer's defaults for ukvm's sanitizer builds (the ASan and
 * UBSan monitor and the tests linked with it); nothing in other builds.
 *
 * use_tls=0: LeakSanitizer's thread tracer, as GCC 12 ships it, can crash at exit
 * ("Tracer caught signal 11" right after "DTLS ... at 0x...") while it walks glibc's dynamic
 * TLS once libraries with TLS were loaded by dlopen (libdw, libelf: ukvm/process/lazy_lib.h).
 * Whether it does depends on the heap's layout, so any change can bring it on or off. ukvm
 * keeps no heap pointer in thread-local storage, so TLS holds no roots that matter and
 * leaks are found as before.
 */
#if defined(__SANITIZE_ADDRESS__)
const char *__lsan_default_options(void);

const char *__lsan_default_options(void)
{
    return "use_tls=0";
}
#endif
