/*
 * cli_error.h: how ukvm refuses a command line: one line naming the bad argument, then
 * where to read more.
 */
#ifndef UKVM_CLI_ERROR_H
#define UKVM_CLI_ERROR_H

#include <stdio.h>

/* Prints "ukvm: " + fmt (arg fills its one %s) and "Try 'ukvm --help' ..." to err. */
void cli_error(FILE *err, const char *fmt, const char *arg);

#endif /* UKVM_CLI_ERROR_H */
