/* strbuf.c — a growing, NUL-terminated byte buffer */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(StrBuf *buffer, size_t extra)
{
    size_t needed = buffer->length + extra + 1;
    size_t capacity = buffer->capacity ? buffer->capacity : 256;
    char *grown;

    if (buffer->failed)
        return false;
    if (needed <= buffer->capacity)
        return true;
    while (capacity < needed)
        capacity *= 2;
    grown = realloc(buffer->data, capacity);
    if (grown == NULL) {
        buffer->failed = true;
        return false;
    }
    buffer->data = grown;
    buffer->capacity = capacity;
    return true;
}

void strBufAppendLength(StrBuf *buffer, const char *text, size_t length)
{
    if (!reserve(buffer, length))
        return;
    memcpy(buffer->data + buffer->length, text, length);
    buffer->length += length;
    buffer->data[buffer->length] = '\0';
}

void strBufAppend(StrBuf *buffer, const char *text)
{
    strBufAppendLength(buffer, text, strlen(text));
}

void strBufAppendFormat(StrBuf *buffer, const char *format, ...)
{
    va_list args;
    int needed;

    va_start(args, format);
    needed = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (needed < 0 || !reserve(buffer, (size_t)needed))
        return;
    va_start(args, format);
    vsnprintf(buffer->data + buffer->length, (size_t)needed + 1, format, args);
    va_end(args);
    buffer->length += (size_t)needed;
}

const char *strBufText(const StrBuf *buffer)
{
    return buffer->data ? buffer->data : "";
}

void strBufFree(StrBuf *buffer)
{
    free(buffer->data);
    buffer->data = NULL;
    buffer->length = 0;
    buffer->capacity = 0;
    buffer->failed = false;
}
