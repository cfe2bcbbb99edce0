/* extract_paths.h — a format's element paths per record, compiled once for the walk */
#ifndef MISSWITCH_EXTRACT_PATHS_H
#define MISSWITCH_EXTRACT_PATHS_H

#include <stdbool.h>

#include "extract_format.h"

/*
 * The walk asks, for every element inside a record, "is this a field, a step towards one, or
 * an element whose attributes are fields?", and for every value "which column?". Answering from
 * the mapping's strings each time cost more than libxml2's parse (a string compare per field per
 * element); this module answers both from a tree built once per format: one node per element
 * path below a record (node 0 is the record's own element), each with its children and the
 * fields it fills. Nothing here knows XML.
 */

/* More than any mapping needs (a record's fields and the steps to them). */
#define EXTRACT_PATHS_MAX_NODES 64
#define EXTRACT_PATHS_MAX_TARGETS 4

typedef struct ExtractPathNode {
    char path[128];     /* "address/town"; "" for the record's element */
    const char *name;   /* its last step, inside path: "town" */
    int parent;         /* node index; -1 for node 0 */
    bool isField;       /* its text is a value (a field element) */
    int fields[EXTRACT_PATHS_MAX_TARGETS];          /* fields read from its text */
    int fieldCount;
    int attributeFields[EXTRACT_PATHS_MAX_TARGETS]; /* fields read from its attributes */
    int attributeCount;
} ExtractPathNode;

typedef struct ExtractPaths ExtractPaths;

/* NULL when out of memory or when the mapping is beyond the limits above (a bug of the tool:
 * err says which, EXIT_INTERNAL). The format must have passed extractFormatValidate. */
ExtractPaths *extractPathsNew(const ExtractFormat *format, Error *err);

/* The node of record (its index in format->records). */
const ExtractPathNode *extractPathsNode(const ExtractPaths *paths, int record, int node);

/* The child of node named name, or -1. */
int extractPathsChild(const ExtractPaths *paths, int record, int node, const char *name);

/* The column of record's kind that field (index in the record's fields) fills. */
int extractPathsColumn(const ExtractPaths *paths, int record, int field);

void extractPathsFree(ExtractPaths *paths);

#endif
