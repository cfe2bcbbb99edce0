/* child_process.c — run a program (pg_dump, pg_restore) with one end piped, no shell */
#include "child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* DETAIL shows at most this much of the child's stderr: its last lines are the ones that say why. */
#define TAIL_BYTES 2048

static void closeQuietly(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static bool setCloseOnExec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    return flags >= 0 && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0;
}

/* A temporary file for the child's stderr, already unlinked. */
static int openCaptureFile(void)
{
    const char *directory = getenv("TMPDIR");
    char path[4096];
    int fd;

    snprintf(path, sizeof path, "%s/misswitch-child-XXXXXX",
             directory != NULL && directory[0] != '\0' ? directory : "/tmp");
    fd = mkstemp(path);
    if (fd < 0)
        return -1;
    unlink(path);
    if (!setCloseOnExec(fd)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* In the forked child: only async-signal-safe calls until exec. */
static void runChild(char *const argv[], int stdinFd, int stdoutFd, int stderrFd)
{
    struct sigaction defaultAction;

    memset(&defaultAction, 0, sizeof defaultAction);
    defaultAction.sa_handler = SIG_DFL;
    /* An ignored SIGPIPE survives exec; the child should die of a closed pipe as usual. */
    sigaction(SIGPIPE, &defaultAction, NULL);
    if (dup2(stdinFd, STDIN_FILENO) < 0 || dup2(stdoutFd, STDOUT_FILENO) < 0 ||
        dup2(stderrFd, STDERR_FILENO) < 0)
        _exit(127);
    execvp(argv[0], argv);
    {
        const char *reason = strerror(errno);
        const char *prefix = "cannot run ";
        if (write(STDERR_FILENO, prefix, strlen(prefix)) < 0 ||
            write(STDERR_FILENO, argv[0], strlen(argv[0])) < 0 || write(STDERR_FILENO, ": ", 2) < 0 ||
            write(STDERR_FILENO, reason, strlen(reason)) < 0 || write(STDERR_FILENO, "\n", 1) < 0)
            _exit(127);
    }
    _exit(127);
}

bool childStart(Child *child, char *const argv[], ChildPipe pipeMode, Error *err)
{
    int ends[2] = {-1, -1};
    int nullFd = -1;
    bool ok = false;

    memset(child, 0, sizeof *child);
    child->fd = -1;
    snprintf(child->name, sizeof child->name, "%s", argv[0]);
    child->outputFd = openCaptureFile();
    nullFd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (child->outputFd < 0 || nullFd < 0 || pipe(ends) != 0 || !setCloseOnExec(ends[0]) ||
        !setCloseOnExec(ends[1])) {
        errorSet(err, EXIT_INTERNAL, "cannot prepare to run %s: %s", child->name, strerror(errno));
        goto cleanup;
    }
    if (pipeMode == CHILD_PIPE_STDIN) {
        struct sigaction ignore;
        memset(&ignore, 0, sizeof ignore);
        ignore.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &ignore, NULL);
    }
    fflush(NULL); /* nothing buffered is written twice by the fork */
    child->pid = fork();
    if (child->pid < 0) {
        child->pid = 0;
        errorSet(err, EXIT_INTERNAL, "cannot start %s: %s", child->name, strerror(errno));
        goto cleanup;
    }
    if (child->pid == 0) {
        if (pipeMode == CHILD_PIPE_STDOUT)
            runChild(argv, nullFd, ends[1], child->outputFd);
        else
            runChild(argv, ends[0], child->outputFd, child->outputFd);
    }
    if (pipeMode == CHILD_PIPE_STDOUT) {
        child->fd = ends[0];
        ends[0] = -1;
    } else {
        child->fd = ends[1];
        ends[1] = -1;
    }
    ok = true;

cleanup:
    closeQuietly(&ends[0]);
    closeQuietly(&ends[1]);
    closeQuietly(&nullFd);
    if (!ok)
        closeQuietly(&child->outputFd);
    return ok;
}

void childClosePipe(Child *child)
{
    closeQuietly(&child->fd);
}

void childKill(Child *child)
{
    if (child->pid > 0)
        kill(child->pid, SIGTERM);
}

/* The last TAIL_BYTES of the capture file, starting at a line, without the final newline. */
static void readTail(int fd, char *tail, size_t size)
{
    char buffer[TAIL_BYTES + 1];
    struct stat st;
    off_t start = 0;
    ssize_t got;
    char *text = buffer;

    tail[0] = '\0';
    if (fd < 0 || fstat(fd, &st) != 0)
        return;
    if (st.st_size > TAIL_BYTES)
        start = st.st_size - TAIL_BYTES;
    got = pread(fd, buffer, TAIL_BYTES, start);
    if (got <= 0)
        return;
    buffer[got] = '\0';
    if (start > 0 && strchr(buffer, '\n') != NULL)
        text = strchr(buffer, '\n') + 1;
    while (got > 0 && (buffer[got - 1] == '\n' || buffer[got - 1] == '\r'))
        buffer[--got] = '\0';
    snprintf(tail, size, "%s", text);
}

bool childFinish(Child *child, char *tail, size_t tailSize, Error *err)
{
    char lines[TAIL_BYTES + 1];
    int status = 0;
    pid_t waited = 0;
    bool ok = false;

    childClosePipe(child);
    if (child->pid > 0) {
        do
            waited = waitpid(child->pid, &status, 0);
        while (waited < 0 && errno == EINTR);
    }
    readTail(child->outputFd, lines, sizeof lines);
    if (tail != NULL)
        snprintf(tail, tailSize, "%s", lines);
    if (child->pid <= 0 || waited < 0)
        errorSet(err, EXIT_INTERNAL, "cannot wait for %s: %s", child->name,
                 child->pid <= 0 ? "not running" : strerror(errno));
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        ok = true;
    else if (WIFEXITED(status))
        errorSet(err, EXIT_QUERY, "%s failed (exit %d)", child->name, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        errorSet(err, EXIT_QUERY, "%s was killed by signal %d", child->name, WTERMSIG(status));
    else
        errorSet(err, EXIT_QUERY, "%s ended abnormally (status %d)", child->name, status);
    if (!ok && lines[0] != '\0')
        errorDetail(err, "%s", lines);
    child->pid = 0;
    closeQuietly(&child->outputFd);
    return ok;
}
