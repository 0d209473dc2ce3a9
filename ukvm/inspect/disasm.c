/*
 * disasm.c: instructions as text with Capstone (see disasm.h).
 */
#include "disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct disasm {
    csh handle;
};

struct disasm *disasm_open(char *err, size_t errlen)
{
    struct disasm *d = calloc(1, sizeof(*d));
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cs_err e = cs_open(CS_ARCH_X86, CS_MODE_64, &d->handle);
    if (e != CS_ERR_OK) {
        snprintf(err, errlen, "capstone: %s", cs_strerror(e));
        free(d);
        return NULL;
    }
    /* Details tell calls apart from other instructions (the call group). */
    if (cs_option(d->handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT) != CS_ERR_OK ||
        cs_option(d->handle, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK) {
        snprintf(err, errlen, "capstone: %s", cs_strerror(cs_errno(d->handle)));
        disasm_close(d);
        return NULL;
    }
    return d;
}

void disasm_close(struct disasm *d)
{
    if (!d)
        return;
    cs_close(&d->handle);
    free(d);
}

int disasm_one(struct disasm *d, const uint8_t *code, size_t len, uint64_t addr,
               struct disasm_insn *insn)
{
    memset(insn, 0, sizeof(*insn));
    if (!d || !code || len == 0)
        return -1;
    cs_insn *ci = NULL;
    size_t n =
        cs_disasm(d->handle, code, len < DISASM_INSN_MAX ? len : DISASM_INSN_MAX, addr, 1, &ci);
    if (n != 1) {
        cs_free(ci, n);
        return -1;
    }
    insn->addr = addr;
    insn->len = ci->size;
    memcpy(insn->bytes, ci->bytes, ci->size <= DISASM_INSN_MAX ? ci->size : DISASM_INSN_MAX);
    snprintf(insn->text, sizeof(insn->text), "%s%s%s", ci->mnemonic, ci->op_str[0] ? " " : "",
             ci->op_str);
    insn->is_call = cs_insn_group(d->handle, ci, CS_GRP_CALL);
    cs_free(ci, n);
    return 0;
}
