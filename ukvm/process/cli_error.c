/*
 * cli_error.c: the refusal of a command line (see cli_error.h).
 */
#include "cli_error.h"

void cli_error(FILE *err, const char *fmt, const char *arg)
{
    fprintf(err, "ukvm: ");
    fprintf(err, fmt, arg);
    fprintf(err, "\nTry 'ukvm --help' for more information.\n");
}
