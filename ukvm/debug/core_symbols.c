/*
 * core_symbols.c: the unikernel's symbols for the debug core (see core_symbols.h).
 */
#include "core_symbols.h"

struct symbolizer *debug_core_symbols(struct debug_core *core)
{
    if (!core->symbols_tried) {
        char err[256];
        core->symbols_tried = true;
        core->symbols = symbolizer_open(core->run->kernel_path, err, sizeof(err));
    }
    return core->symbols;
}
