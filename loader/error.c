/* error.c — errors as values */
#include "error.h"

#include <stdarg.h>
#include <string.h>

void errorClear(Error *err)
{
    err->code = EXIT_OK;
    err->message[0] = '\0';
    err->detail[0] = '\0';
    err->hint[0] = '\0';
}

bool errorSet(Error *err, ExitCode code, const char *format, ...)
{
    va_list args;

    errorClear(err);
    err->code = code;
    va_start(args, format);
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
    return false;
}

void errorDetail(Error *err, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(err->detail, sizeof err->detail, format, args);
    va_end(args);
}

void errorHint(Error *err, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(err->hint, sizeof err->hint, format, args);
    va_end(args);
}

void errorPrefix(Error *err, const char *format, ...)
{
    char combined[sizeof err->message + 256];
    size_t length;
    va_list args;

    va_start(args, format);
    length = (size_t)vsnprintf(combined, 256, format, args);
    va_end(args);
    if (length > 255)
        length = 255;
    memcpy(combined + length, err->message, strlen(err->message) + 1);
    length = strlen(combined);
    if (length >= sizeof err->message)
        length = sizeof err->message - 1;
    memcpy(err->message, combined, length);
    err->message[length] = '\0';
}

/* Prints each line of text with a label, so multi-line details stay readable. */
static void printLabelled(FILE *stream, const char *label, const char *text)
{
    fprintf(stream, "%s: %s", label, text);
    if (text[0] != '\0' && text[strlen(text) - 1] != '\n')
        fputc('\n', stream);
}

void errorPrint(const Error *err, FILE *stream)
{
    fprintf(stream, "misswitch: %s\n", err->message[0] ? err->message : "unknown error");
    if (err->detail[0])
        printLabelled(stream, "DETAIL", err->detail);
    if (err->hint[0])
        printLabelled(stream, "HINT", err->hint);
}
