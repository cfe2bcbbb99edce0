/* extract_walk.h — walks a format's mapping over element events: records, fields, skipping */
#ifndef MISSWITCH_EXTRACT_WALK_H
#define MISSWITCH_EXTRACT_WALK_H

#include <stdbool.h>

#include "error.h"
#include "extract_format.h"

/*
 * The half of the reader that knows the mapping but not XML: extract_reader.c turns libxml2's
 * stream into start/end/text events, this module turns them into records for the sink. Errors
 * are EXIT_INPUT without a position; extractWalkErrorLine says which line they belong to and the
 * reader adds file:line:column. Memory is bounded: the open elements' names (a fixed stack), the
 * records currently open and the field being read.
 */

/* Our own nesting limit, far inside libxml2's 256: the formats nest a handful of levels, CTF's
 * deepest unread parts (assessments) about eight. */
#define EXTRACT_MAX_DEPTH 32

/* The attributes of the element being started. */
typedef struct ExtractAttributes {
    char *(*get)(void *context, const char *name); /* NULL when absent; give back to release */
    void (*release)(char *value);
    void *context;
} ExtractAttributes;

typedef struct ExtractWalk ExtractWalk;

/* file is what messages name; it must outlive the walk. NULL when out of memory. */
ExtractWalk *extractWalkNew(const ExtractFormat *format, const char *file);

/* The root element: keeps the root attributes the mapping reads and checks the version. */
bool extractWalkRoot(ExtractWalk *walk, const char *name, const ExtractAttributes *attributes,
                     Error *err);

bool extractWalkStart(ExtractWalk *walk, const char *name, long line,
                      const ExtractAttributes *attributes, const ExtractSink *sink, Error *err);
bool extractWalkEnd(ExtractWalk *walk, const ExtractSink *sink, Error *err);
bool extractWalkText(ExtractWalk *walk, const char *text, Error *err);

/* Elements open (the root counts); 0 once the root has closed. */
int extractWalkDepth(const ExtractWalk *walk);

/* The line the last EXIT_INPUT error belongs to; 0: wherever the parser stands. */
long extractWalkErrorLine(const ExtractWalk *walk);

void extractWalkFree(ExtractWalk *walk);

#endif
