/* extract_walk.c — walks a format's mapping over element events: records, fields, skipping */
#include "extract_walk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract_paths.h"
#include "extract_record.h"

#define MAX_OPEN_RECORDS 4
#define MAX_ROOT_ATTRIBUTES 8
#define MAX_NAME 64

/* The field element being read: its text accumulates until the element ends. */
typedef struct OpenField {
    const ExtractPathNode *node; /* its path and the fields it fills */
    int depth;
    long line;
    ExtractText text;
} OpenField;

struct ExtractWalk {
    const ExtractFormat *format;
    ExtractPaths *paths;
    const char *file;
    const char *rootNames[MAX_ROOT_ATTRIBUTES];
    char *rootValues[MAX_ROOT_ATTRIBUTES];
    int rootCount;
    char names[EXTRACT_MAX_DEPTH][MAX_NAME]; /* the open elements (truncated names never match) */
    int depth;
    int skipFrom; /* depth of the unknown element being skipped; 0: none */
    ExtractRecordBuilder records[MAX_OPEN_RECORDS];
    int recordCount;
    OpenField field;
    bool inField;
    int school;
    long errorLine;
};

static bool failAt(ExtractWalk *walk, long line, Error *err, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static bool failAt(ExtractWalk *walk, long line, Error *err, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
    err->code = EXIT_INPUT;
    err->detail[0] = err->hint[0] = '\0';
    walk->errorLine = line;
    return false;
}

ExtractWalk *extractWalkNew(const ExtractFormat *format, const char *file)
{
    ExtractWalk *walk = calloc(1, sizeof *walk);
    Error err;

    if (walk == NULL)
        return NULL;
    walk->format = format;
    walk->file = file;
    /* (validated formats always compile: a failure here is memory) */
    if ((walk->paths = extractPathsNew(format, &err)) == NULL) {
        free(walk);
        return NULL;
    }
    return walk;
}

/* The index of a builder's mapping in the format, for extract_paths.h. */
static int recordIndex(const ExtractWalk *walk, const ExtractRecordBuilder *record)
{
    return (int)(record->map - walk->format->records);
}

static const char *rootAttribute(const ExtractWalk *walk, const char *name)
{
    for (int i = 0; i < walk->rootCount; i++)
        if (strcmp(walk->rootNames[i], name) == 0)
            return walk->rootValues[i];
    return NULL;
}

static void push(ExtractWalk *walk, const char *name)
{
    size_t length = strnlen(name, MAX_NAME - 1);

    memcpy(walk->names[walk->depth], name, length);
    walk->names[walk->depth++][length] = '\0';
}

bool extractWalkRoot(ExtractWalk *walk, const char *name, const ExtractAttributes *attributes,
                     Error *err)
{
    const ExtractFormat *format = walk->format;
    char *version;
    bool known = false;

    push(walk, name);
    for (int r = 0; r < format->recordCount; r++) {
        for (int f = 0; f < format->records[r].fieldCount; f++) {
            const ExtractField *field = &format->records[r].fields[f];
            char *value;
            if (field->source != EXTRACT_FROM_ROOT_ATTRIBUTE ||
                rootAttribute(walk, field->name) != NULL || walk->rootCount == MAX_ROOT_ATTRIBUTES)
                continue;
            value = attributes->get(attributes->context, field->name);
            walk->rootNames[walk->rootCount] = field->name;
            walk->rootValues[walk->rootCount++] = value ? strdup(value) : NULL;
            if (value)
                attributes->release(value);
        }
    }
    if (format->versionAttribute == NULL)
        return true;
    version = attributes->get(attributes->context, format->versionAttribute);
    for (const char *const *v = format->versions; version && *v && !known; v++)
        known = strcmp(*v, version) == 0;
    if (!known)
        failAt(walk, 0, err, "%s version %s%.32s%s is not supported (this misswitch reads version 1)",
               format->title, version ? "\"" : "", version ? version : "(none)", version ? "\"" : "");
    if (version)
        attributes->release(version);
    return known;
}

/* Stores one value; a malformed value of an optional field is a finding, not a failure. */
static bool store(ExtractWalk *walk, ExtractRecordBuilder *record, int fieldIndex,
                  const char *value, long line, const ExtractSink *sink, Error *err)
{
    const ExtractField *field = &record->map->fields[fieldIndex];
    int column = extractPathsColumn(walk->paths, recordIndex(walk, record), fieldIndex);
    char message[sizeof err->message];

    switch (extractRecordStore(record, column, field->name, value, err)) {
    case EXTRACT_STORED:
        return true;
    case EXTRACT_REJECTED:
        if (field->required)
            break;
        memcpy(message, err->message, sizeof message);
        return sink->finding(sink->context, record->school, line, EXTRACT_FINDING_VALUE, message,
                             err);
    case EXTRACT_STORE_FAILED:
        break;
    }
    walk->errorLine = line;
    return false;
}

/* The fields of record named "<path>@attribute" take that attribute of the element at path. */
static bool takeAttributes(ExtractWalk *walk, ExtractRecordBuilder *record,
                           const ExtractPathNode *node, long line,
                           const ExtractAttributes *attributes, const ExtractSink *sink, Error *err)
{
    for (int i = 0; i < node->attributeCount; i++) {
        const ExtractField *field = &record->map->fields[node->attributeFields[i]];
        const char *name = strchr(field->name, '@') + 1;
        char *value;
        bool ok;
        if ((value = attributes->get(attributes->context, name)) == NULL)
            continue;
        ok = store(walk, record, node->attributeFields[i], value, line, sink, err);
        attributes->release(value);
        if (!ok)
            return false;
    }
    return true;
}

/* Whether a scope record (a school) is open around the current element. */
static bool insideScope(const ExtractWalk *walk)
{
    for (int i = 0; i < walk->recordCount; i++)
        if (walk->records[i].map->kind == walk->format->scopeKind)
            return true;
    return false;
}

static bool openRecord(ExtractWalk *walk, const ExtractRecordMap *map, long line,
                       const ExtractAttributes *attributes, const ExtractSink *sink, Error *err)
{
    ExtractRecordBuilder *parent =
        walk->recordCount > 0 ? &walk->records[walk->recordCount - 1] : NULL;
    ExtractRecordBuilder *record;

    if (walk->recordCount == MAX_OPEN_RECORDS)
        return failAt(walk, line, err, "records nested too deeply at <%s>", map->element);
    if (map->kind == walk->format->scopeKind)
        walk->school++;
    else if (walk->format->scopeEncloses && !insideScope(walk))
        return failAt(walk, line, err, "<%s> outside any school section", map->element);
    record = &walk->records[walk->recordCount++];
    extractRecordBegin(record, map, walk->school, line, walk->depth);
    for (int f = 0; f < map->fieldCount; f++) {
        const ExtractField *field = &map->fields[f];
        char *attribute = NULL;
        const char *value = NULL;
        bool ok;

        if (field->source == EXTRACT_FROM_ATTRIBUTE)
            value = attribute = attributes->get(attributes->context, field->name);
        else if (field->source == EXTRACT_FROM_ROOT_ATTRIBUTE)
            value = rootAttribute(walk, field->name);
        else if (field->source == EXTRACT_FROM_PARENT && parent != NULL)
            value = extractRecordValue(parent, field->name);
        if (value == NULL)
            continue;
        ok = store(walk, record, f, value, line, sink, err);
        if (attribute)
            attributes->release(attribute);
        if (!ok)
            return false;
    }
    return true;
}

static bool closeRecord(ExtractWalk *walk, const ExtractSink *sink, Error *err)
{
    ExtractRecordBuilder *builder = &walk->records[walk->recordCount - 1];
    const ExtractRecordMap *map = builder->map;
    ExtractRecord record;
    bool ok;

    walk->errorLine = builder->line;
    if (!extractRecordFinish(builder, walk->file, &record, err))
        return false;
    ok = map->hook == NULL || map->hook(&record, sink, err);
    if (ok && record.kind != NULL)
        ok = sink->record(sink->context, &record, err);
    extractRecordClear(builder);
    walk->recordCount--;
    return ok;
}

/* The mapping for element name directly inside parentName, if it is a record. */
static const ExtractRecordMap *findRecord(const ExtractFormat *format, const char *name,
                                          const char *parentName)
{
    for (int r = 0; r < format->recordCount; r++)
        if (strcmp(format->records[r].element, name) == 0 &&
            strcmp(format->records[r].parentElement, parentName) == 0)
            return &format->records[r];
    return NULL;
}

/* An element inside an open record: a field, or a step towards one ("address"), or an element
 * whose attributes are fields. False: none of these, so the caller looks further. */
static bool startInsideRecord(ExtractWalk *walk, ExtractRecordBuilder *record, const char *name,
                              long line, const ExtractAttributes *attributes,
                              const ExtractSink *sink, bool *ok, Error *err)
{
    int index = recordIndex(walk, record);
    int child = extractPathsChild(walk->paths, index, record->node, name);
    const ExtractPathNode *node;

    if (child < 0)
        return false;
    node = extractPathsNode(walk->paths, index, child);
    *ok = takeAttributes(walk, record, node, line, attributes, sink, err);
    if (node->isField) {
        walk->inField = true;
        walk->field.node = node;
        walk->field.depth = walk->depth;
        walk->field.line = line;
        walk->field.text.length = 0;
        if (walk->field.text.data != NULL)
            walk->field.text.data[0] = '\0';
    } else {
        record->node = child;
    }
    return true;
}

bool extractWalkStart(ExtractWalk *walk, const char *name, long line,
                      const ExtractAttributes *attributes, const ExtractSink *sink, Error *err)
{
    ExtractRecordBuilder *record =
        walk->recordCount ? &walk->records[walk->recordCount - 1] : NULL;
    const ExtractRecordMap *map;
    const char *parentName = walk->names[walk->depth - 1];
    bool ok = true;

    if (walk->depth == EXTRACT_MAX_DEPTH)
        return failAt(walk, line, err, "elements nested more than %d deep at <%.64s>",
                      EXTRACT_MAX_DEPTH, name);
    if (walk->skipFrom) {
        walk->depth++; /* (inside a skipped element: only the depth matters) */
        return true;
    }
    if (walk->inField)
        return failAt(walk, line, err, "unexpected element <%.64s> in <%s>", name, parentName);
    push(walk, name);
    if ((map = findRecord(walk->format, name, parentName)) != NULL)
        return openRecord(walk, map, line, attributes, sink, err);
    if (record != NULL && startInsideRecord(walk, record, name, line, attributes, sink, &ok, err))
        return ok;
    for (const char *const *c = walk->format->containers; c && *c; c++)
        if (strcmp(*c, name) == 0)
            return true;
    if (walk->format->skipUnknown) {
        walk->skipFrom = walk->depth;
        return true;
    }
    return failAt(walk, line, err, "unexpected element <%.64s> in <%s>", name, parentName);
}

/* Stores the field's text into every field of the record read from that path (CTF's <UPN> is
 * both the pupil's key and its UPN). */
static bool endField(ExtractWalk *walk, ExtractRecordBuilder *record, const ExtractSink *sink,
                     Error *err)
{
    const char *text = walk->field.text.data ? walk->field.text.data : "";
    const ExtractPathNode *node = walk->field.node;

    walk->inField = false;
    for (int i = 0; i < node->fieldCount; i++)
        if (!store(walk, record, node->fields[i], text, walk->field.line, sink, err))
            return false;
    return true;
}

bool extractWalkEnd(ExtractWalk *walk, const ExtractSink *sink, Error *err)
{
    ExtractRecordBuilder *record =
        walk->recordCount ? &walk->records[walk->recordCount - 1] : NULL;
    int depth = walk->depth--; /* the closing element's, as counted when it started */

    if (walk->skipFrom) {
        if (depth == walk->skipFrom)
            walk->skipFrom = 0;
        return true;
    }
    if (walk->inField && depth == walk->field.depth)
        return endField(walk, record, sink, err);
    if (record != NULL && depth == record->depth)
        return closeRecord(walk, sink, err);
    if (record != NULL && record->node != 0 && depth > record->depth)
        record->node = extractPathsNode(walk->paths, recordIndex(walk, record), record->node)->parent;
    return true;
}

bool extractWalkText(ExtractWalk *walk, const char *text, Error *err)
{
    size_t length = strlen(text);

    if (walk->skipFrom)
        return true;
    if (walk->inField) {
        if (walk->field.text.length + length > EXTRACT_MAX_VALUE_BYTES)
            return failAt(walk, walk->field.line, err, "<%s>: value longer than %d bytes",
                          walk->field.node->path, EXTRACT_MAX_VALUE_BYTES);
        if (!extractTextAppend(&walk->field.text, text, length))
            return errorSet(err, EXIT_INTERNAL, "out of memory");
        return true;
    }
    if (text[strspn(text, " \t\r\n")] != '\0')
        return failAt(walk, 0, err, "unexpected text in <%s>", walk->names[walk->depth - 1]);
    return true;
}

int extractWalkDepth(const ExtractWalk *walk)
{
    return walk->depth;
}

long extractWalkErrorLine(const ExtractWalk *walk)
{
    return walk->errorLine;
}

void extractWalkFree(ExtractWalk *walk)
{
    if (walk == NULL)
        return;
    for (int i = 0; i < MAX_OPEN_RECORDS; i++)
        extractRecordFree(&walk->records[i]);
    free(walk->field.text.data);
    extractPathsFree(walk->paths);
    for (int i = 0; i < walk->rootCount; i++)
        free(walk->rootValues[i]);
    free(walk);
}
