/*
 * gdb_regs.h: the stub's register table, one row per enum gdb_regno.
 *
 * The same table answers gdb_reg_size()/gdb_reg_name() (gdb_target.h), lays out the
 * 'g' packet and generates the target description, so register numbers, sizes and names
 * cannot drift apart.
 */
#ifndef UKVM_GDBSTUB_GDB_REGS_H
#define UKVM_GDBSTUB_GDB_REGS_H

#include <stddef.h>

#include "gdb_target.h"

/* The target-description features, in the order target.xml lists them. */
enum gdb_feature {
    GDB_FEATURE_CORE,     /* org.gnu.gdb.i386.core */
    GDB_FEATURE_SSE,      /* org.gnu.gdb.i386.sse */
    GDB_FEATURE_SEGMENTS, /* org.gnu.gdb.i386.segments */
    GDB_FEATURE_SYS,      /* org.ukvm.gdb.x86.sys: control registers and EFER */
    GDB_FEATURE_COUNT
};

struct gdb_reg_info {
    const char *name;
    unsigned bitsize;
    const char *type;  /* a gdb built-in type or one target.xml defines */
    const char *group; /* gdb register group, or NULL for gdb's default */
    enum gdb_feature feature;
};

/* The row for regno, or NULL when regno >= GDB_REG_COUNT. */
const struct gdb_reg_info *gdb_reg_info(unsigned regno);

/* The feature's name as in target.xml, e.g. "org.gnu.gdb.i386.core". */
const char *gdb_feature_name(enum gdb_feature feature);

/* The size of all registers together: the size of a 'g' reply is twice this. */
size_t gdb_regs_total_size(void);

#endif /* UKVM_GDBSTUB_GDB_REGS_H */
