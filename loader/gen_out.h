/* gen_out.h — a generated output file: buffered writes, escaping, and a checked close */
#ifndef MISSWITCH_GEN_OUT_H
#define MISSWITCH_GEN_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

/*
 * Writers call the put functions freely; the first failure (a full disk, a lost device) is
 * remembered and reported by genOutClose, which also checks fflush and fclose. A writer never
 * has to check each call, and a file that failed is never reported as written.
 */
typedef struct GenOut {
    int fd;          /* -1 when not open */
    char path[4096];
    int failedErrno; /* 0 while every write succeeded */
    char *buffer;    /* our own buffer: stdio's per-call locking was a fifth of gen's time */
    size_t used;
    long flushed;    /* bytes already written to the file */
} GenOut;

/* Creates (truncates) DIR/NAME. */
bool genOutOpen(GenOut *out, const char *dir, const char *name, Error *err);

void genOutText(GenOut *out, const char *text);
void genOutBytes(GenOut *out, const char *bytes, size_t length);
void genOutPrintf(GenOut *out, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Text for XML content or a double-quoted attribute: & < > " ' escaped. */
void genOutXml(GenOut *out, const char *text);

/* <name>text</name> (text escaped), skipped when text is NULL or empty: on a line of its own
 * after indent, or inline when indent is NULL. */
void genOutElement(GenOut *out, const char *indent, const char *name, const char *text);

/* An SQL string literal with quotes doubled (standard_conforming_strings = on), or NULL for a
 * NULL or empty text. */
void genOutSqlLiteral(GenOut *out, const char *text);

/* Bytes written so far. */
long genOutOffset(GenOut *out);

/* Flushes and closes; fails (EXIT_INPUT, naming the file) if any write, the flush or the close
 * failed. Safe to call on an output that never opened. */
bool genOutClose(GenOut *out, Error *err);

#endif
