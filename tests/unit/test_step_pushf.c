/*
 * test_step_pushf.c: clearing the trap flag a single-stepped pushf pushed
 * (ukvm/run/step_pushf.h), on synthetic guest memory with real page tables: no /dev/kvm.
 * On hardware KVM a stepped pushf pushes the stepping TF; the nested-KVM run
 * (make test-nested) shows it end to end with gdb's test_stepflags.
 *
 * Memory (4 MiB): code at 0x100000 (one page, then an unmapped page), a user
 * page for the user-mode case, the stack in the top page.
 */
#include "ukvm/guest/boot_setup.h"
#include "ukvm/guest/page_tables.h"
#include "ukvm/run/step_pushf.h"
#include "unit.h"

#define MEM      0x400000ULL
#define CODE     0x100000ULL
#define HOLE     0x101000ULL /* not mapped: code that runs into it is cut short */
#define USER     0x200000ULL /* a user page (user-mode stacks) */
#define STACK    0x3ff000ULL /* supervisor stack page */
#define TF       0x100
#define FLAGS_IF 0x202

static struct guest_mem mem;
static struct vcpu_sregs sregs;

static int setup(void)
{
    char err[256];
    if (guest_mem_alloc(&mem, MEM, err, sizeof(err)) < 0)
        return -1;
    struct page_region regions[] = {
        {.start = CODE, .end = CODE + 0x1000, .writable = true, .executable = true},
        {.start = USER, .end = USER + 0x1000, .writable = true, .user = true},
        {.start = STACK, .end = MEM, .writable = true},
    };
    struct boot_layout layout = {.mem_size = MEM, .stack_top = MEM};
    struct vcpu_regs regs;
    if (page_tables_build(&mem, regions, 3, 0x20000, CODE, &layout.cr3, err, sizeof(err)) < 0) {
        printf("FAIL setup: %s\n", err);
        return -1;
    }
    boot_initial_regs(CODE, &layout, &regs, &sregs);
    return 0;
}

/* Puts code at rip and a 64-bit flags word at rsp; steps "ran" code; returns the word. */
static uint64_t after(uint64_t rip, const uint8_t *code, size_t n, uint64_t rsp, uint64_t pushed,
                      bool as_user)
{
    memcpy(mem.host + rip, code, n);
    memcpy(mem.host + rsp, &pushed, sizeof(pushed));
    step_unpush_trap_flag(&mem, &sregs, rip, rsp, as_user);
    uint64_t word;
    memcpy(&word, mem.host + rsp, sizeof(word));
    return word;
}

UNIT_TEST(pushf_and_its_prefixed_forms)
{
    static const uint8_t pushf[] = {0x9c}, o16[] = {0x66, 0x9c}, rex[] = {0x48, 0x9c},
                         both[] = {0x66, 0x41, 0x9c};
    CHECK_EQ_U64(after(CODE, pushf, sizeof(pushf), STACK + 0x800, FLAGS_IF | TF, false), FLAGS_IF);
    CHECK_EQ_U64(after(CODE, o16, sizeof(o16), STACK + 0x800, FLAGS_IF | TF, false), FLAGS_IF);
    CHECK_EQ_U64(after(CODE, rex, sizeof(rex), STACK + 0x800, FLAGS_IF | TF, false), FLAGS_IF);
    CHECK_EQ_U64(after(CODE, both, sizeof(both), STACK + 0x800, FLAGS_IF | TF, false), FLAGS_IF);
    /* The bits around TF stay: only bit 8 goes. */
    CHECK_EQ_U64(after(CODE, pushf, sizeof(pushf), STACK + 0x800, 0xfff, false), 0xeff);
}

UNIT_TEST(other_instructions_are_left_alone)
{
    static const uint8_t push_rax[] = {0x50}, popf[] = {0x9d}, nop_pushf[] = {0x90, 0x9c},
                         five_prefixes[] = {0x66, 0x66, 0x66, 0x66, 0x66, 0x9c};
    CHECK_EQ_U64(after(CODE, push_rax, sizeof(push_rax), STACK + 0x800, FLAGS_IF | TF, false),
                 FLAGS_IF | TF);
    CHECK_EQ_U64(after(CODE, popf, sizeof(popf), STACK + 0x800, FLAGS_IF | TF, false),
                 FLAGS_IF | TF);
    CHECK_EQ_U64(after(CODE, nop_pushf, sizeof(nop_pushf), STACK + 0x800, FLAGS_IF | TF, false),
                 FLAGS_IF | TF);
    /* More than four prefixes: not decoded (no compiler emits them before pushf). */
    CHECK_EQ_U64(
        after(CODE, five_prefixes, sizeof(five_prefixes), STACK + 0x800, FLAGS_IF | TF, false),
        FLAGS_IF | TF);
}

UNIT_TEST(code_cut_short_by_an_unmapped_page)
{
    /* A lone prefix at the end of the code page: the next byte cannot be read. */
    static const uint8_t o16[] = {0x66};
    CHECK_EQ_U64(after(HOLE - 1, o16, sizeof(o16), STACK + 0x800, FLAGS_IF | TF, false),
                 FLAGS_IF | TF);
    /* A pushf as the page's last byte is whole. */
    static const uint8_t pushf[] = {0x9c};
    CHECK_EQ_U64(after(HOLE - 1, pushf, sizeof(pushf), STACK + 0x800, FLAGS_IF | TF, false),
                 FLAGS_IF);
}

UNIT_TEST(stack_unmapped_or_supervisor_for_user_writes)
{
    static const uint8_t pushf[] = {0x9c};
    memcpy(mem.host + CODE, pushf, sizeof(pushf));
    /* An unmapped stack: nothing to do, nothing written anywhere. */
    step_unpush_trap_flag(&mem, &sregs, CODE, HOLE + 0x10, false);
    /* User mode writes as CPL 3 could: a user stack yes, a supervisor page no. */
    CHECK_EQ_U64(after(CODE, pushf, sizeof(pushf), USER + 0x800, FLAGS_IF | TF, true), FLAGS_IF);
    CHECK_EQ_U64(after(CODE, pushf, sizeof(pushf), STACK + 0x800, FLAGS_IF | TF, true),
                 FLAGS_IF | TF);
}

int main(void)
{
    if (setup() < 0)
        return 1;
    UNIT_RUN(pushf_and_its_prefixed_forms);
    UNIT_RUN(other_instructions_are_left_alone);
    UNIT_RUN(code_cut_short_by_an_unmapped_page);
    UNIT_RUN(stack_unmapped_or_supervisor_for_user_writes);
    guest_mem_free(&mem);
    return UNIT_EXIT_STATUS();
}
