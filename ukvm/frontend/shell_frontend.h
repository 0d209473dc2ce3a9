/*
 * shell_frontend.h: `ukvm --shell`: the inspection shell (shell/shell.h) as a front end
 * on the debug core, as ukvm/frontend/gdb_frontend.c is for gdb.
 */
#ifndef UKVM_SHELL_FRONTEND_H
#define UKVM_SHELL_FRONTEND_H

#include "ukvm/run/run_loop.h"

/*
 * Runs the shell on run, stopped before the first guest instruction; a fatal guest
 * exception stops it in the faulting context (post-mortem) instead of ending it. Reads
 * commands interactively when stdin is a terminal, line by line otherwise. SIGINT while
 * the guest runs stops it; at the prompt it clears the line; it never ends ukvm.
 *
 * Returns ukvm's exit status:
 *   with a terminal     the guest's status when it has ended (its solo5_exit status,
 *                       255 for a crash); otherwise it is killed: 137 (255 when it
 *                       was stopped at a fault: it ends as without the shell)
 *   without a terminal  0 when every command succeeded, 1 when one or more failed,
 *                       whatever became of the guest (reported on stderr)
 *   either way          128+N when signal N (SIGTERM) ended the guest; 250 when the
 *                       debug core cannot be set up
 */
int shell_frontend_run(struct run_context *run);

#endif /* UKVM_SHELL_FRONTEND_H */
