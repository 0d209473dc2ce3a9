/*
 * libdw_api.h: elfutils' libdw (libdwfl), loaded when the first symbolizer opens.
 *
 * Symbols, source lines and backtraces are needed only when something goes wrong or a
 * debugger asks, while linking libdw (and the compression libraries it pulls in) would
 * add its loading to every run of ukvm (see ../lazy_lib.h). symbolize.c and backtrace.c
 * call libdw through this table: `libdw.dwfl_begin(...)` for `dwfl_begin(...)`, each
 * pointer typed with libdw's own prototype.
 */
#ifndef UKVM_LIBDW_API_H
#define UKVM_LIBDW_API_H

#include <elfutils/libdwfl.h>
#include <stddef.h>

#define LIBDW_FUNCTION(name) __typeof__(name) *name;
#define LIBDW_FUNCTIONS(X)           \
    X(dwarf_attr)                    \
    X(dwarf_attr_integrate)          \
    X(dwarf_filesrc)                 \
    X(dwarf_formstring)              \
    X(dwarf_formudata)               \
    X(dwarf_getscopes)               \
    X(dwarf_getscopes_die)           \
    X(dwarf_getsrcfiles)             \
    X(dwarf_tag)                     \
    X(dwfl_addrmodule)               \
    X(dwfl_attach_state)             \
    X(dwfl_begin)                    \
    X(dwfl_end)                      \
    X(dwfl_errmsg)                   \
    X(dwfl_frame_pc)                 \
    X(dwfl_frame_reg)                \
    X(dwfl_getthread_frames)         \
    X(dwfl_lineinfo)                 \
    X(dwfl_module_addrdie)           \
    X(dwfl_module_addrinfo)          \
    X(dwfl_module_getelf)            \
    X(dwfl_module_getsrc)            \
    X(dwfl_module_getsym_info)       \
    X(dwfl_module_getsymtab)         \
    X(dwfl_offline_section_address)  \
    X(dwfl_report_begin)             \
    X(dwfl_report_end)               \
    X(dwfl_report_offline)           \
    X(dwfl_thread_state_register_pc) \
    X(dwfl_thread_state_registers)

/* The libdw functions ukvm uses; valid (non-NULL) once libdw_api_load returned 0. */
struct libdw_api {
    LIBDW_FUNCTIONS(LIBDW_FUNCTION)
};
extern struct libdw_api libdw;

/*
 * Loads libdw.so.1 the first time (thread-safe; later calls return the first result).
 * Returns 0, or -1 with a reason in err (the library is missing or lacks a function).
 */
int libdw_api_load(char *err, size_t errlen);

#endif /* UKVM_LIBDW_API_H */
