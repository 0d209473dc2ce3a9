/*
 * test_shell: the program the shell tests (tests/scripts/shell.sh, shell_tmux.sh) inspect.
 * Without the shell it runs its default scenario and exits 0 (test.spec).
 *
 *   (no argument)  call top -> middle -> leaf, print SUCCESS, exit 0
 *   paging         change four pages of its own mappings (ukvm_test_paging.h): one
 *                  not present, one read-only, one executable and user-accessible, one
 *                  left as it was; call paging_ready(), exit 0
 *   spin           print "spinning" and compute forever
 *   fault          write through a null pointer in fault_here(): #PF
 *   watch          write shell_counter, then read shell_words, then exit 0
 *
 * noipa keeps every function a real call that the shell can break on and step over.
 */
#include "solo5.h"

#include "../include/ukvm_test_paging.h"

#define NOIPA __attribute__((noipa))

volatile unsigned long shell_counter;
unsigned long shell_words[2] = {0x1122334455667788UL, 0xcafef00dUL};
char shell_string[] = "hello, shell";
/* Four pages of bss: 4 KiB mappings (the image's first 2 MiB), RW and NX to start with. */
unsigned char shell_pages[4][4096] __attribute__((aligned(4096)));
static int *volatile shell_null;

static void puts_(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    solo5_console_write(s, n);
}

NOIPA int leaf(int x)
{
    shell_counter++;
    return x * 3 + 1;
}

NOIPA int middle(int x)
{
    int y = leaf(x);
    return y + leaf(y);
}

NOIPA int top(int x)
{
    return middle(x) + 1;
}

NOIPA void paging_ready(void)
{
    shell_counter++;
}

NOIPA void spin(void)
{
    for (;;)
        shell_counter++;
}

NOIPA void fault_here(void)
{
    *shell_null = 1;
}

NOIPA unsigned long watched(void)
{
    shell_counter = 42;
    return shell_words[1];
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;
    if (streq(cmd, "paging")) {
        uintptr_t p = (uintptr_t)shell_pages;
        if (test_page_change(p, 0, TEST_PTE_P) || test_page_change(p + 4096, 0, TEST_PTE_RW) ||
            test_page_change(p + 8192, 0, TEST_PTE_NX) || test_page_make_user(p + 8192)) {
            puts_("FAIL: cannot change the mappings\n");
            return 1;
        }
        paging_ready();
        puts_("SUCCESS\n");
        return 0;
    }
    if (streq(cmd, "spin")) {
        puts_("spinning\n");
        spin();
    }
    if (streq(cmd, "fault")) {
        puts_("about to fault\n");
        fault_here();
        return 1;
    }
    if (streq(cmd, "watch")) {
        unsigned long v = watched();
        puts_(v == 0xcafef00dUL ? "SUCCESS\n" : "FAIL\n");
        return 0;
    }
    int r = top(1);
    puts_(r > 0 ? "SUCCESS\n" : "FAIL\n");
    return 0;
}
