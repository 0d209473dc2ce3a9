/*
 * session.c: the state of one gdb connection (see session.h).
 *
 * The serve loop (gdbstub.c) calls the packet handlers, and the handlers end the session
 * through session_finish(): it lives here, beside the state it changes, so that the calls
 * go one way, from gdbstub.c to the handlers to this file.
 */
#include "session.h"

void session_finish(struct gdb_session *s, enum gdb_session_end how)
{
    if (!s->ending) {
        s->ending = true;
        s->end_how = how;
    }
}
