/* strbuf.h — a growing, NUL-terminated byte buffer */
#ifndef MISSWITCH_STRBUF_H
#define MISSWITCH_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct StrBuf {
    char *data;      /* NUL-terminated; NULL until the first append */
    size_t length;
    size_t capacity;
    bool failed;     /* an allocation failed: the contents are incomplete */
} StrBuf;

void strBufAppend(StrBuf *buffer, const char *text);
void strBufAppendLength(StrBuf *buffer, const char *text, size_t length);
void strBufAppendFormat(StrBuf *buffer, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* The contents ("" when empty). */
const char *strBufText(const StrBuf *buffer);
void strBufFree(StrBuf *buffer);

#endif
