/* gen_out.c — a generated output file: buffered writes, escaping, and a checked close */
#include "gen_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFFER_SIZE (1 << 20)

bool genOutOpen(GenOut *out, const char *dir, const char *name, Error *err)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    snprintf(out->path, sizeof out->path, "%s/%s", dir, name);
    /* A big buffer of our own: a million pupils are hundreds of megabytes of output. */
    out->buffer = malloc(BUFFER_SIZE);
    if (out->buffer == NULL)
        return errorSet(err, EXIT_INTERNAL, "gen: out of memory for %s", out->path);
    out->fd = open(out->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out->fd < 0) {
        free(out->buffer);
        out->buffer = NULL;
        errorSet(err, EXIT_INPUT, "gen: cannot create %s: %s", out->path, strerror(errno));
        errorHint(err, "check that --out names a writable directory");
        return false;
    }
    return true;
}

/* Writes the buffer out; remembers the first failure. */
static void flushBuffer(GenOut *out)
{
    size_t done = 0;

    while (done < out->used && out->failedErrno == 0) {
        ssize_t written = write(out->fd, out->buffer + done, out->used - done);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            out->failedErrno = written < 0 ? errno : EIO;
        else
            done += (size_t)written;
    }
    out->flushed += (long)out->used;
    out->used = 0;
}

void genOutBytes(GenOut *out, const char *bytes, size_t length)
{
    if (out->failedErrno != 0 || length == 0)
        return;
    if (out->used + length > BUFFER_SIZE) {
        flushBuffer(out);
        if (length > BUFFER_SIZE) {
            out->used = length; /* too big to buffer: write it straight through */
            char *saved = out->buffer;
            out->buffer = (char *)bytes;
            flushBuffer(out);
            out->buffer = saved;
            return;
        }
    }
    memcpy(out->buffer + out->used, bytes, length);
    out->used += length;
}

void genOutText(GenOut *out, const char *text)
{
    genOutBytes(out, text, strlen(text));
}

void genOutPrintf(GenOut *out, const char *format, ...)
{
    char line[4096];
    va_list args;
    int length;

    if (out->failedErrno != 0)
        return;
    va_start(args, format);
    length = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (length < 0 || (size_t)length >= sizeof line) {
        out->failedErrno = EOVERFLOW; /* a bug: no generated line is this long */
        return;
    }
    genOutBytes(out, line, (size_t)length);
}
void genOutXml(GenOut *out, const char *text)
{
    const char *run = text;

    for (const char *p = text; *p != '\0'; p++) {
        const char *entity;
        switch (*p) {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = "&quot;"; break;
        case '\'': entity = "&apos;"; break;
        default: continue;
        }
        genOutBytes(out, run, (size_t)(p - run));
        genOutText(out, entity);
        run = p + 1;
    }
    genOutText(out, run);
}

void genOutElement(GenOut *out, const char *indent, const char *name, const char *text)
{
    if (text == NULL || text[0] == '\0')
        return;
    /* Plain writes, not printf: this is most of a large extract's bytes. */
    if (indent != NULL)
        genOutText(out, indent);
    genOutBytes(out, "<", 1);
    genOutText(out, name);
    genOutBytes(out, ">", 1);
    genOutXml(out, text);
    genOutBytes(out, "</", 2);
    genOutText(out, name);
    genOutText(out, indent != NULL ? ">\n" : ">");
}

void genOutSqlLiteral(GenOut *out, const char *text)
{
    const char *run;

    if (text == NULL || text[0] == '\0') {
        genOutText(out, "NULL");
        return;
    }
    genOutBytes(out, "'", 1);
    run = text;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '\'') {
            genOutBytes(out, run, (size_t)(p - run) + 1); /* through the quote, then again */
            run = p;
        }
    }
    genOutText(out, run);
    genOutBytes(out, "'", 1);
}

long genOutOffset(GenOut *out)
{
    return out->fd >= 0 ? out->flushed + (long)out->used : -1;
}

bool genOutClose(GenOut *out, Error *err)
{
    int failed;

    if (out->fd < 0)
        return true;
    flushBuffer(out);
    failed = out->failedErrno;
    if (close(out->fd) != 0 && failed == 0)
        failed = errno ? errno : EIO;
    out->fd = -1;
    free(out->buffer);
    out->buffer = NULL;
    if (failed != 0) {
        errorSet(err, EXIT_INPUT, "gen: cannot write %s: %s", out->path, strerror(failed));
        errorHint(err, "check the free space and permissions of the --out directory");
        return false;
    }
    return true;
}
