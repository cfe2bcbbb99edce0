/* extract_record.h — assembles one record's values: type checks, arrays, required fields */
#ifndef MISSWITCH_EXTRACT_RECORD_H
#define MISSWITCH_EXTRACT_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "extract_format.h"

/*
 * The reader's half that knows nothing of XML: values arrive as strings, get trimmed, checked
 * against their column's type (so a bad date fails with its line, before any SQL) and stored;
 * repeated elements become one text[] literal. Errors carry no position: the reader adds
 * file:line:column, which only it knows.
 */

/* No single value of a school record is anywhere near this. */
#define EXTRACT_MAX_VALUE_BYTES 65536

/* A growing NUL-terminated string. */
typedef struct ExtractText {
    char *data;
    size_t length;
    size_t capacity;
} ExtractText;

bool extractTextAppend(ExtractText *text, const char *data, size_t length);

/* A record being read, from its start tag to its end tag. */
typedef struct ExtractRecordBuilder {
    const ExtractRecordMap *map;
    int school;
    long line;
    int depth;       /* the reader's element depth of the record's element */
    int node;        /* the step being read below it, e.g. <address>: a node of
                      * extract_paths.h; 0: none (the record's own level) */
    ExtractText values[EXTRACT_MAX_COLUMNS];
    bool present[EXTRACT_MAX_COLUMNS];
} ExtractRecordBuilder;

void extractRecordBegin(ExtractRecordBuilder *builder, const ExtractRecordMap *map, int school,
                        long line, int depth);

typedef enum ExtractStoreResult {
    EXTRACT_STORED,       /* stored, or empty and so unknown */
    EXTRACT_REJECTED,     /* not a value of the column's type (a date that is not a date): err
                           * says why; the column stays unknown; the caller decides whether that
                           * is a finding or a failure */
    EXTRACT_STORE_FAILED, /* given twice, too long, out of memory: err says why */
} ExtractStoreResult;

/* Stores value (trimmed; empty means unknown and is skipped) into column, named `name` in
 * messages. A scalar may be given once; an array collects every occurrence. */
ExtractStoreResult extractRecordStore(ExtractRecordBuilder *builder, int column, const char *name,
                                      const char *value, Error *err);

/* A text column's value so far, or NULL (for EXTRACT_FROM_PARENT). */
const char *extractRecordValue(const ExtractRecordBuilder *builder, const char *column);

/* Checks required fields, closes array literals and points record at the values (valid until
 * extractRecordClear). */
bool extractRecordFinish(ExtractRecordBuilder *builder, const char *file, ExtractRecord *record,
                         Error *err);

/* Forgets the values but keeps their buffers; the builder can begin again. */
void extractRecordClear(ExtractRecordBuilder *builder);

/* Frees the buffers (a builder starts zeroed, and is zeroed again). */
void extractRecordFree(ExtractRecordBuilder *builder);

#endif
