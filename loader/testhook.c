/* testhook.c — test-only: stop the process at a named step so a test can kill it exactly there */
#include "testhook.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void testPauseAt(const char *command, const char *step)
{
    const char *pauseAt = getenv("MISSWITCH_TEST_PAUSE_AT");

    if (pauseAt == NULL || strcmp(pauseAt, step) != 0)
        return;
    fprintf(stderr, "%s: paused before step %s (MISSWITCH_TEST_PAUSE_AT)\n", command, step);
    fflush(stderr);
    raise(SIGSTOP);
}
