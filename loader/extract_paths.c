/* extract_paths.c — a format's element paths per record, compiled once for the walk */
#include "extract_paths.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 32

typedef struct CompiledRecord {
    ExtractPathNode nodes[EXTRACT_PATHS_MAX_NODES];
    int nodeCount;
    int columns[MAX_FIELDS];
} CompiledRecord;

struct ExtractPaths {
    CompiledRecord *records;
    int recordCount;
};

/* The node for path (length bytes of it), created with its parents as needed; -1 when full. */
static int nodeFor(CompiledRecord *record, const char *path, size_t length)
{
    const char *slash;
    int parent = 0;
    ExtractPathNode *node;

    if (length == 0)
        return 0;
    for (int i = 1; i < record->nodeCount; i++)
        if (strlen(record->nodes[i].path) == length &&
            memcmp(record->nodes[i].path, path, length) == 0)
            return i;
    /* the parent is the path up to its last '/' */
    slash = NULL;
    for (size_t i = length; i > 0 && slash == NULL; i--)
        if (path[i - 1] == '/')
            slash = path + i - 1;
    if (slash != NULL && (parent = nodeFor(record, path, (size_t)(slash - path))) < 0)
        return -1;
    if (record->nodeCount == EXTRACT_PATHS_MAX_NODES || length >= sizeof node->path)
        return -1;
    node = &record->nodes[record->nodeCount];
    memcpy(node->path, path, length);
    node->path[length] = '\0';
    node->name = slash ? node->path + (slash - path) + 1 : node->path;
    node->parent = parent;
    return record->nodeCount++;
}

static bool addTarget(int *targets, int *count, int field)
{
    if (*count == EXTRACT_PATHS_MAX_TARGETS)
        return false;
    targets[(*count)++] = field;
    return true;
}

static bool compileRecord(const ExtractRecordMap *map, CompiledRecord *record)
{
    record->nodeCount = 1; /* node 0: the record's element */
    record->nodes[0].parent = -1;
    record->nodes[0].name = record->nodes[0].path;
    if (map->fieldCount > MAX_FIELDS)
        return false;
    for (int f = 0; f < map->fieldCount; f++) {
        const ExtractField *field = &map->fields[f];
        const char *at;
        int node;

        record->columns[f] = extractKindColumn(map->kind, field->column);
        if (field->source != EXTRACT_FROM_ELEMENT)
            continue;
        at = strchr(field->name, '@');
        node = nodeFor(record, field->name, at ? (size_t)(at - field->name) : strlen(field->name));
        if (node <= 0)
            return false;
        if (at != NULL) {
            if (!addTarget(record->nodes[node].attributeFields, &record->nodes[node].attributeCount, f))
                return false;
        } else {
            record->nodes[node].isField = true;
            if (!addTarget(record->nodes[node].fields, &record->nodes[node].fieldCount, f))
                return false;
        }
    }
    return true;
}

ExtractPaths *extractPathsNew(const ExtractFormat *format, Error *err)
{
    ExtractPaths *paths = calloc(1, sizeof *paths);

    if (paths == NULL ||
        (paths->records = calloc((size_t)format->recordCount, sizeof *paths->records)) == NULL) {
        free(paths);
        errorSet(err, EXIT_INTERNAL, "out of memory");
        return NULL;
    }
    paths->recordCount = format->recordCount;
    for (int r = 0; r < format->recordCount; r++) {
        if (!compileRecord(&format->records[r], &paths->records[r])) {
            errorSet(err, EXIT_INTERNAL, "%s mapping: <%s> has more fields or longer paths than "
                     "the walk allows", format->name, format->records[r].element);
            extractPathsFree(paths);
            return NULL;
        }
    }
    return paths;
}

const ExtractPathNode *extractPathsNode(const ExtractPaths *paths, int record, int node)
{
    return &paths->records[record].nodes[node];
}

int extractPathsChild(const ExtractPaths *paths, int record, int node, const char *name)
{
    const CompiledRecord *compiled = &paths->records[record];

    for (int i = 1; i < compiled->nodeCount; i++)
        if (compiled->nodes[i].parent == node && strcmp(compiled->nodes[i].name, name) == 0)
            return i;
    return -1;
}

int extractPathsColumn(const ExtractPaths *paths, int record, int field)
{
    return paths->records[record].columns[field];
}

void extractPathsFree(ExtractPaths *paths)
{
    if (paths == NULL)
        return;
    free(paths->records);
    free(paths);
}
