/*
 * descriptors.h: decode x86-64 segment descriptors (GDT/LDT entries), gate descriptors
 * (IDT entries), selectors and the debug registers DR6/DR7, for people.
 *
 * A segment descriptor, 8 bytes (SDM vol. 3, 3.4.5):
 *
 *   63    56 55 54 53 52 51  48 47 46 45 44 43  40 39     32 31          16 15          0
 *  +--------+--+--+--+--+------+--+-----+--+------+---------+--------------+-------------+
 *  |base    |G |DB|L |AVL|limit|P | DPL |S | type |base     | base 15..0   | limit 15..0 |
 *  |31..24  |  |  |  |  |19..16|  |     |  |      |23..16   |              |             |
 *  +--------+--+--+--+--+------+--+-----+--+------+---------+--------------+-------------+
 *
 * In long mode, system descriptors (S=0: LDT, TSS) take 16 bytes: the second 8 hold
 * base bits 63..32. A gate (IDT entry) is 16 bytes: offset 15..0, selector, IST, type,
 * DPL, P, offset 31..16, offset 63..32 (SDM 6.14.1).
 */
#ifndef UKVM_DESCRIPTORS_H
#define UKVM_DESCRIPTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ukvm/vm/vcpu_state.h"

#define DESC_TYPE_SHIFT  40
#define DESC_S_BIT       44
#define DESC_DPL_SHIFT   45
#define DESC_P_BIT       47
#define DESC_AVL_BIT     52
#define DESC_L_BIT       53
#define DESC_DB_BIT      54
#define DESC_G_BIT       55
#define GATE_TYPE_INTR64 0xe /* 64-bit interrupt gate: IF cleared on entry */
#define GATE_TYPE_TRAP64 0xf /* 64-bit trap gate */

/*
 * Decodes the 8-byte descriptor lo (and, for a system descriptor in long mode, the
 * following 8 bytes hi, which may be 0 when unknown) into the same view the CPU keeps
 * in a segment register's cache: base, limit (scaled by G to bytes), type, S, DPL, P,
 * AVL, L, DB, G. selector is copied in. Returns true when the descriptor is a 16-byte
 * system descriptor (so a table walk must skip the next slot).
 */
bool descriptor_decode(uint64_t lo, uint64_t hi, uint16_t selector, struct vcpu_segment *seg);

/*
 * The type as the SDM's tables 3-1 and 3-2 (long mode) name it, into buf, e.g.
 * "code r-x A", "data rw-", "TSS busy", "int gate"; returns buf.
 */
char *descriptor_type_name(bool s, unsigned type, char *buf, size_t len);

/*
 * The descriptor's attributes in one line, e.g.
 * "base 0x0000000000000000  limit 0xffffffff  type 0xb code r-x A  dpl 0 P L G"
 * (" not-present" instead of " P" for a descriptor whose P bit is clear); returns buf.
 */
char *descriptor_describe(const struct vcpu_segment *seg, char *buf, size_t len);

/* A selector's parts, e.g. "index 1, GDT, rpl 0"; returns buf. */
char *selector_describe(uint16_t selector, char *buf, size_t len);

struct x86_gate {
    uint64_t offset;
    uint16_t selector;
    uint8_t ist;  /* 0: the current stack; 1-7: TSS IST slot */
    uint8_t type; /* GATE_TYPE_* in long mode */
    uint8_t dpl;
    bool present;
};

/* Decodes the 16-byte IDT entry at raw. */
void gate_decode(const uint8_t raw[16], struct x86_gate *gate);

/*
 * DR7 as names of the enabled slots with their condition and length, e.g.
 * "L0 exec len1, L1 write len8, GE"; "none" when nothing is enabled. DR6 as the bits
 * that say what hit, e.g. "B0 BS"; "none" when none is set. Return buf.
 */
char *dr7_describe(uint64_t dr7, char *buf, size_t len);
char *dr6_describe(uint64_t dr6, char *buf, size_t len);

#endif /* UKVM_DESCRIPTORS_H */
