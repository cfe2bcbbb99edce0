/* copybuf.h — rows in COPY text format, buffered into ~64 KiB writes */
#ifndef MISSWITCH_COPYBUF_H
#define MISSWITCH_COPYBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * Encodes fields the way COPY ... FROM STDIN (text format) reads them: tab between fields,
 * newline after a row, NULL as \N, and backslash, tab, newline and carriage return escaped. Full
 * buffers go to a flush callback (dbCopyInPut in the load; a plain buffer in tests), so this
 * module needs no database and never holds more than one buffer. A buffer may end inside a row:
 * the COPY protocol's data messages need not align with rows (psql's do not either), and so a
 * row larger than the buffer still goes through.
 */
#define COPYBUF_SIZE 65536

/* Receives the next bytes of the COPY stream; returns false with err filled to stop it. */
typedef bool (*CopyBufFlush)(void *context, const char *data, size_t length, Error *err);

typedef struct CopyBuf {
    CopyBufFlush flush;
    void *context;
    char data[COPYBUF_SIZE];
    size_t length;    /* bytes buffered */
    bool rowHasField; /* a separator goes before the next field */
    long rows;        /* rows ended so far */
} CopyBuf;

void copyBufInit(CopyBuf *buffer, CopyBufFlush flush, void *context);

/* Appends one field to the current row; NULL is SQL NULL. */
bool copyBufField(CopyBuf *buffer, const char *value, Error *err);

/* Appends an integer field. */
bool copyBufInteger(CopyBuf *buffer, long value, Error *err);

/* Ends the current row. */
bool copyBufEndRow(CopyBuf *buffer, Error *err);

/* Hands whatever is buffered to flush (call it once the last row has ended). */
bool copyBufFlush(CopyBuf *buffer, Error *err);

#endif
