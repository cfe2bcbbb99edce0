/* child_process.h — run a program (pg_dump, pg_restore) with one end piped, no shell */
#ifndef MISSWITCH_CHILD_PROCESS_H
#define MISSWITCH_CHILD_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/*
 * fork/exec of an argv (found on PATH), never through a shell. The child's stdin or stdout is a
 * pipe to us; its stderr (and, when we feed its stdin, its stdout) goes to an unlinked temporary
 * file, so a chatty child never blocks on a full pipe and its last lines can be shown in DETAIL.
 * Callers must never put secrets on argv or in the environment: both are visible to other users
 * through /proc. Starting a child whose stdin we write ignores SIGPIPE in this process, so a
 * child that dies early is a write error, not a silent death.
 */
typedef enum ChildPipe {
    CHILD_PIPE_STDOUT, /* we read the child's stdout; its stdin is /dev/null */
    CHILD_PIPE_STDIN,  /* we write the child's stdin */
} ChildPipe;

typedef struct Child {
    pid_t pid;      /* 0 when not running */
    int fd;         /* our end of the pipe; -1 once closed */
    int outputFd;   /* the temporary file holding the child's stderr */
    char name[64];  /* argv[0], for messages */
} Child;

/* Starts argv[0] with argv. On failure nothing is left running or open. */
bool childStart(Child *child, char *const argv[], ChildPipe pipeMode, Error *err);

/* Closes our end of the pipe (the child sees end of input); safe to repeat. */
void childClosePipe(Child *child);

/* Asks the child to stop (SIGTERM) without waiting: used when its input must not be trusted, so
 * it dies before reading end of input. */
void childKill(Child *child);

/*
 * Closes the pipe, waits for the child and frees what childStart made. True only when it exited
 * with status 0; otherwise err says "NAME failed (exit N)" or "NAME was killed by signal N" with
 * the last lines of its stderr in DETAIL (code EXIT_QUERY). tail (optional) receives those lines
 * either way.
 */
bool childFinish(Child *child, char *tail, size_t tailSize, Error *err);

#endif
