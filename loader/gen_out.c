/* gen_out.c — a generated output file: buffered writes, escaping, and a checked close */
#include "gen_out.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_SIZE (1 << 20)

bool genOutOpen(GenOut *out, const char *dir, const char *name, Error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s/%s", dir, name);
    out->file = fopen(out->path, "w");
    if (out->file == NULL) {
        errorSet(err, EXIT_INPUT, "gen: cannot create %s: %s", out->path, strerror(errno));
        errorHint(err, "check that --out names a writable directory");
        return false;
    }
    /* A big buffer: a million pupils are hundreds of megabytes of output. */
    out->buffer = malloc(BUFFER_SIZE);
    if (out->buffer != NULL)
        setvbuf(out->file, out->buffer, _IOFBF, BUFFER_SIZE);
    return true;
}

void genOutBytes(GenOut *out, const char *bytes, size_t length)
{
    if (out->failedErrno != 0 || length == 0)
        return;
    if (fwrite(bytes, 1, length, out->file) != length)
        out->failedErrno = errno ? errno : EIO;
}

void genOutText(GenOut *out, const char *text)
{
    genOutBytes(out, text, strlen(text));
}

void genOutPrintf(GenOut *out, const char *format, ...)
{
    va_list args;

    if (out->failedErrno != 0)
        return;
    va_start(args, format);
    if (vfprintf(out->file, format, args) < 0)
        out->failedErrno = errno ? errno : EIO;
    va_end(args);
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
    return out->file ? ftell(out->file) : -1;
}

bool genOutClose(GenOut *out, Error *err)
{
    int failed = out->failedErrno;

    if (out->file == NULL)
        return true;
    if (fflush(out->file) != 0 && failed == 0)
        failed = errno ? errno : EIO;
    if (fclose(out->file) != 0 && failed == 0)
        failed = errno ? errno : EIO;
    out->file = NULL;
    free(out->buffer);
    out->buffer = NULL;
    if (failed != 0) {
        errorSet(err, EXIT_INPUT, "gen: cannot write %s: %s", out->path, strerror(failed));
        errorHint(err, "check the free space and permissions of the --out directory");
        return false;
    }
    return true;
}
