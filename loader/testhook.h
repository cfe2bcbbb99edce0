/* testhook.h — test-only: stop the process at a named step so a test can kill it exactly there */
#ifndef MISSWITCH_TESTHOOK_H
#define MISSWITCH_TESTHOOK_H

/*
 * When MISSWITCH_TEST_PAUSE_AT equals step, says so on stderr ("COMMAND: paused before step
 * STEP") and stops the process with SIGSTOP; tests then kill it (or SIGCONT it). Documented in
 * docs/cli.md; no effect otherwise.
 */
void testPauseAt(const char *command, const char *step);

#endif
