/*
 * disasm.c: instructions as text with Capstone (see disasm.h).
 *
 * Capstone is loaded with dlopen the first time a disassembler is opened, not linked:
 * its shared object carries some 80,000 relocations, and resolving them at every start
 * of ukvm cost about 1.5 ms here, as much as a whole guest boot, for a library that
 * only the shell's x/i, disas and nexti use. The header still declares every function,
 * so each pointer below is checked against Capstone's own prototype at compile time.
 */
#include "disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ukvm/process/lazy_lib.h"

/* The soname of the Capstone major version this file was compiled against: the structures
 * (cs_insn) change between majors, so no other version may be loaded in its place. */
#define CAPSTONE_SONAME "libcapstone.so." LAZY_LIB_STRING(CS_API_MAJOR)

static struct {
    __typeof__(cs_version) *version;
    __typeof__(cs_open) *open;
    __typeof__(cs_close) *close;
    __typeof__(cs_option) *option;
    __typeof__(cs_errno) *errno_of;
    __typeof__(cs_strerror) *strerror;
    __typeof__(cs_disasm) *disasm;
    __typeof__(cs_free) *free;
    __typeof__(cs_insn_group) *insn_group;
} capstone;

static const struct lazy_symbol capstone_symbols[] = {
    {"cs_version", (void **)&capstone.version},       {"cs_open", (void **)&capstone.open},
    {"cs_close", (void **)&capstone.close},           {"cs_option", (void **)&capstone.option},
    {"cs_errno", (void **)&capstone.errno_of},        {"cs_strerror", (void **)&capstone.strerror},
    {"cs_disasm", (void **)&capstone.disasm},         {"cs_free", (void **)&capstone.free},
    {"cs_insn_group", (void **)&capstone.insn_group},
};

/* The library answers for the major version this file was compiled against. */
static int capstone_check(char *err, size_t errlen)
{
    int major = 0, minor = 0;
    capstone.version(&major, &minor);
    if (major == CS_API_MAJOR)
        return 0;
    snprintf(err, errlen, "%s is Capstone %d.%d, ukvm was built for %d.x", CAPSTONE_SONAME, major,
             minor, CS_API_MAJOR);
    return -1;
}

static struct lazy_lib capstone_lib = {
    .soname = CAPSTONE_SONAME,
    .feature = "the disassembler is not available",
    .package = "libcapstone" LAZY_LIB_STRING(CS_API_MAJOR),
    .symbols = capstone_symbols,
    .count = sizeof(capstone_symbols) / sizeof(capstone_symbols[0]),
    .check = capstone_check,
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

struct disasm {
    csh handle;
};

struct disasm *disasm_open(char *err, size_t errlen)
{
    if (lazy_lib_load(&capstone_lib, err, errlen) != 0)
        return NULL;
    struct disasm *d = calloc(1, sizeof(*d));
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cs_err e = capstone.open(CS_ARCH_X86, CS_MODE_64, &d->handle);
    if (e != CS_ERR_OK) {
        snprintf(err, errlen, "capstone: %s", capstone.strerror(e));
        free(d);
        return NULL;
    }
    /* Details tell calls apart from other instructions (the call group). */
    if (capstone.option(d->handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT) != CS_ERR_OK ||
        capstone.option(d->handle, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK) {
        snprintf(err, errlen, "capstone: %s", capstone.strerror(capstone.errno_of(d->handle)));
        disasm_close(d);
        return NULL;
    }
    return d;
}

void disasm_close(struct disasm *d)
{
    if (!d)
        return;
    capstone.close(&d->handle); /* d exists only if Capstone loaded */
    free(d);
}

int disasm_one(struct disasm *d, const uint8_t *code, size_t len, uint64_t addr,
               struct disasm_insn *insn)
{
    memset(insn, 0, sizeof(*insn));
    if (!d || !code || len == 0)
        return -1;
    cs_insn *ci = NULL;
    size_t n = capstone.disasm(d->handle, code, len < DISASM_INSN_MAX ? len : DISASM_INSN_MAX, addr,
                               1, &ci);
    if (n != 1) {
        if (ci)
            capstone.free(ci, n);
        return -1;
    }
    insn->addr = addr;
    insn->len = ci->size;
    memcpy(insn->bytes, ci->bytes, ci->size <= DISASM_INSN_MAX ? ci->size : DISASM_INSN_MAX);
    snprintf(insn->text, sizeof(insn->text), "%s%s%s", ci->mnemonic, ci->op_str[0] ? " " : "",
             ci->op_str);
    insn->is_call = capstone.insn_group(d->handle, ci, CS_GRP_CALL);
    capstone.free(ci, n);
    return 0;
}
