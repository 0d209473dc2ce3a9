/*
 * inline_chain.c: the inlined functions at an address, as gdb shows them (see
 * symbolizer_inline_chain in symbolize.h).
 *
 * An inlined call leaves no frame on the stack, only debug info: the out-of-line
 * function's DW_TAG_subprogram holds a DW_TAG_inlined_subroutine for each inlined call
 * (nested for inlining within inlined code, possibly inside lexical blocks), whose
 * DW_AT_call_file and DW_AT_call_line say where the call was written. The chain is read
 * as elfutils' own `eu-addr2line -i` reads it: dwarf_getscopes finds the innermost scope
 * holding the address, and dwarf_getscopes_die walks up from it through the DIE tree.
 * (dwarf_getscopes alone would continue from an inlined scope into its abstract
 * origin's parents, which is lexical scoping, not the call chain.)
 */
#include <dwarf.h>
#include <stdlib.h>

#include "symbolize_priv.h"

/* The name of a subprogram or inlined subroutine, through DW_AT_abstract_origin. */
static const char *scope_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    return libdw.dwarf_formstring(libdw.dwarf_attr_integrate(die, DW_AT_name, &attr));
}

/* Where an inlined subroutine was called from: DW_AT_call_file and DW_AT_call_line. */
static void call_site(Dwarf_Die *inlined, Dwarf_Files *files, struct inline_frame *out)
{
    Dwarf_Attribute attr;
    Dwarf_Word val;
    out->file = NULL;
    out->line = 0;
    if (files &&
        libdw.dwarf_formudata(libdw.dwarf_attr(inlined, DW_AT_call_file, &attr), &val) == 0)
        out->file = libdw.dwarf_filesrc(files, val, NULL, NULL);
    if (libdw.dwarf_formudata(libdw.dwarf_attr(inlined, DW_AT_call_line, &attr), &val) == 0 &&
        val <= INT32_MAX)
        out->line = (int)val;
}

/* The line table's file:line at addr into out. */
static void line_at(struct symbolizer *sym, uint64_t addr, struct inline_frame *out)
{
    out->file = NULL;
    out->line = 0;
    Dwfl_Line *line = libdw.dwfl_module_getsrc(sym->mod, addr);
    int lineno = 0;
    const char *file = line ? libdw.dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
    if (file) {
        out->file = file;
        out->line = lineno;
    }
}

int symbolizer_inline_chain(struct symbolizer *sym, uint64_t addr, struct inline_frame *out,
                            int max)
{
    if (!sym || max < 2)
        return 0;
    Dwarf_Addr bias;
    Dwarf_Die *cu = libdw.dwfl_module_addrdie(sym->mod, addr, &bias);
    if (!cu)
        return 0;
    Dwarf_Die *scopes = NULL;
    int nscopes = libdw.dwarf_getscopes(cu, addr - bias, &scopes);
    if (nscopes <= 0) {
        free(scopes);
        return 0;
    }
    Dwarf_Die innermost = scopes[0];
    free(scopes);
    scopes = NULL;
    nscopes = libdw.dwarf_getscopes_die(&innermost, &scopes);
    Dwarf_Files *files = NULL;
    if (libdw.dwarf_getsrcfiles(cu, &files, NULL) != 0)
        files = NULL;

    /*
     * scopes[0] is the innermost DIE, then its parents up to the compile unit. Each
     * function scope gets the location the previous (inner) one gives it: the first, the
     * line table's line at addr; the others, the inner inlined call's site.
     */
    int n = 0;
    Dwarf_Die *inner = NULL;
    bool concrete = false;
    for (int i = 0; i < nscopes && !concrete; i++) {
        if (n == max)
            break;
        int tag = libdw.dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
            continue;
        out[n].function = scope_name(&scopes[i]);
        if (inner)
            call_site(inner, files, &out[n]);
        else
            line_at(sym, addr, &out[n]);
        n++;
        inner = &scopes[i];
        concrete = tag == DW_TAG_subprogram;
    }
    free(scopes);
    /*
     * Only an inlined function in front of the out-of-line one makes a chain, and only a
     * whole chain is one: cut, its last entry would pass for the out-of-line function.
     */
    return concrete && n >= 2 ? n : 0;
}
