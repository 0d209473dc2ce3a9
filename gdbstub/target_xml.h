/*
 * target_xml.h: the target description gdb reads with qXfer:features:read:target.xml.
 */
#ifndef UKVM_GDBSTUB_TARGET_XML_H
#define UKVM_GDBSTUB_TARGET_XML_H

#include <stddef.h>

/*
 * Builds target.xml from the register table (gdb_regs.h): architecture i386:x86-64 and
 * the core, sse, segments and system features, every register with an explicit regnum
 * equal to its enum gdb_regno. Returns a malloc'd NUL-terminated document and its length
 * in *len, or NULL when out of memory.
 */
char *target_xml_build(size_t *len);

#endif /* UKVM_GDBSTUB_TARGET_XML_H */
