/* extract_record.c — assembles one record's values: type checks, arrays, required fields */
#include "extract_record.h"

#include <stdlib.h>
#include <string.h>

bool extractTextAppend(ExtractText *text, const char *data, size_t length)
{
    if (text->length + length + 1 > text->capacity) {
        size_t capacity = text->capacity ? text->capacity : 64;
        char *grown;
        while (capacity < text->length + length + 1)
            capacity *= 2;
        if ((grown = realloc(text->data, capacity)) == NULL)
            return false;
        text->data = grown;
        text->capacity = capacity;
    }
    memcpy(text->data + text->length, data, length);
    text->length += length;
    text->data[text->length] = '\0';
    return true;
}

void extractRecordBegin(ExtractRecordBuilder *builder, const ExtractRecordMap *map, int school,
                        long line, int depth)
{
    extractRecordClear(builder);
    builder->map = map;
    builder->school = school;
    builder->line = line;
    builder->depth = depth;
}

static const char *typeName(ExtractColumnType type)
{
    switch (type) {
    case EXTRACT_DATE: return "date";
    case EXTRACT_BOOLEAN: return "boolean";
    case EXTRACT_INTEGER: return "number";
    case EXTRACT_TEXT:
    case EXTRACT_ARRAY: break;
    }
    return "value";
}

/* Appends value (length bytes) as one quoted element of a text[] literal: {"a","b \"c\""}. */
static bool appendArrayElement(ExtractText *text, bool first, const char *value, size_t length)
{
    const char *run = value, *end = value + length;
    bool ok = extractTextAppend(text, first ? "{\"" : ",\"", 2);

    for (const char *c = value; ok && c < end; c++) {
        if (*c != '"' && *c != '\\')
            continue;
        ok = extractTextAppend(text, run, (size_t)(c - run)) && extractTextAppend(text, "\\", 1);
        run = c;
    }
    return ok && extractTextAppend(text, run, (size_t)(end - run)) &&
           extractTextAppend(text, "\"", 1);
}

ExtractStoreResult extractRecordStore(ExtractRecordBuilder *builder, int column, const char *name,
                                      const char *raw, Error *err)
{
    const ExtractColumn *target = &builder->map->kind->columns[column];
    ExtractText *text = &builder->values[column];
    const char *value = raw;
    size_t length = strlen(raw);
    char reason[128];

    /* Trimmed by bounds, not by copying: this runs for every value of the file. */
    while (length > 0 && strchr(" \t\r\n", value[length - 1]) != NULL)
        length--;
    while (length > 0 && strchr(" \t\r\n", value[0]) != NULL) {
        value++;
        length--;
    }
    if (length == 0)
        return EXTRACT_STORED;
    if (length + text->length > EXTRACT_MAX_VALUE_BYTES) {
        errorSet(err, EXIT_INPUT, "<%s> in <%s>: value longer than %d bytes", name,
                 builder->map->element, EXTRACT_MAX_VALUE_BYTES);
        return EXTRACT_STORE_FAILED;
    }
    if (target->type != EXTRACT_TEXT && target->type != EXTRACT_ARRAY) {
        /* Only the typed columns need the value on its own (a bounded copy: dates, booleans and
         * numbers that are longer than this are not valid anyway). */
        char typed[64];
        snprintf(typed, sizeof typed, "%.*s", (int)(length < sizeof typed ? length : sizeof typed - 1),
                 value);
        if (length >= sizeof typed ||
            !extractValueIsValid(target->type, typed, reason, sizeof reason)) {
            if (length >= sizeof typed)
                snprintf(reason, sizeof reason, "too long");
            /* (%.64s: a rejected value may be long; the message names it, not all of it) */
            errorSet(err, EXIT_INPUT, "<%s> \"%.64s\" in <%s> is not a %s: %s", name, typed,
                     builder->map->element, typeName(target->type), reason);
            return EXTRACT_REJECTED;
        }
    }
    if (target->type != EXTRACT_ARRAY && builder->present[column]) {
        errorSet(err, EXIT_INPUT, "<%s> given twice in <%s>", name, builder->map->element);
        return EXTRACT_STORE_FAILED;
    }
    if (!(target->type == EXTRACT_ARRAY
              ? appendArrayElement(text, !builder->present[column], value, length)
              : extractTextAppend(text, value, length))) {
        errorSet(err, EXIT_INTERNAL, "out of memory");
        return EXTRACT_STORE_FAILED;
    }
    builder->present[column] = true;
    return EXTRACT_STORED;
}

const char *extractRecordValue(const ExtractRecordBuilder *builder, const char *column)
{
    int index = builder->map ? extractKindColumn(builder->map->kind, column) : -1;

    if (index < 0 || !builder->present[index] ||
        builder->map->kind->columns[index].type == EXTRACT_ARRAY)
        return NULL;
    return builder->values[index].data;
}

bool extractRecordFinish(ExtractRecordBuilder *builder, const char *file, ExtractRecord *record,
                         Error *err)
{
    const ExtractRecordMap *map = builder->map;

    memset(record, 0, sizeof *record);
    for (int f = 0; f < map->fieldCount; f++) {
        const ExtractField *field = &map->fields[f];
        if (!field->required || builder->present[extractKindColumn(map->kind, field->column)])
            continue;
        if (field->source == EXTRACT_FROM_ELEMENT && strchr(field->name, '@') == NULL)
            return errorSet(err, EXIT_INPUT, "<%s> has no <%s>", map->element, field->name);
        if (field->source == EXTRACT_FROM_ELEMENT)
            return errorSet(err, EXIT_INPUT, "<%s> has no %s", map->element, field->name);
        if (field->source == EXTRACT_FROM_PARENT)
            return errorSet(err, EXIT_INPUT, "<%s> has no %s: it must follow it in the enclosing "
                            "record", map->element, field->name);
        if (field->source == EXTRACT_FROM_ROOT_ATTRIBUTE)
            return errorSet(err, EXIT_INPUT, "the root element has no %s attribute", field->name);
        return errorSet(err, EXIT_INPUT, "<%s> has no %s attribute", map->element, field->name);
    }
    record->kind = map->kind;
    record->school = builder->school;
    record->line = builder->line;
    record->file = file;
    for (int c = 0; c < map->kind->columnCount; c++) {
        if (builder->present[c] && map->kind->columns[c].type == EXTRACT_ARRAY &&
            !extractTextAppend(&builder->values[c], "}", 1))
            return errorSet(err, EXIT_INTERNAL, "out of memory");
        record->values[c] = builder->present[c] ? builder->values[c].data : NULL;
    }
    return true;
}

void extractRecordClear(ExtractRecordBuilder *builder)
{
    /* The value buffers stay for the next record: no allocation per record or per value. */
    for (int i = 0; i < EXTRACT_MAX_COLUMNS; i++) {
        builder->values[i].length = 0;
        if (builder->values[i].data != NULL)
            builder->values[i].data[0] = '\0';
        builder->present[i] = false;
    }
    builder->map = NULL;
    builder->school = 0;
    builder->line = 0;
    builder->depth = 0;
    builder->node = 0;
}

void extractRecordFree(ExtractRecordBuilder *builder)
{
    for (int i = 0; i < EXTRACT_MAX_COLUMNS; i++)
        free(builder->values[i].data);
    memset(builder, 0, sizeof *builder);
}
