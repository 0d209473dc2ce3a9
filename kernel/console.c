/*
 * console.c: solo5_console_write, straight to the monitor's console.
 */
#include "hypercall.h"
#include "solo5.h"

void solo5_console_write(const char *buf, size_t size)
{
    struct ukvm_hc_puts puts = {.data = (uintptr_t)buf, .len = size};

    hypercall(UKVM_HC_PUTS, &puts);
}
