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

const char *extractTextTrim(ExtractText *text)
{
    size_t start = 0;

    if (text->data == NULL || text->length == 0)
        return "";
    while (text->length > 0 && strchr(" \t\r\n", text->data[text->length - 1]))
        text->data[--text->length] = '\0';
    while (start < text->length && strchr(" \t\r\n", text->data[start]))
        start++;
    return text->data + start;
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

/* Appends value as one quoted element of a text[] literal: {"a","b \"c\""}. */
static bool appendArrayElement(ExtractText *text, bool first, const char *value)
{
    bool ok = extractTextAppend(text, first ? "{\"" : ",\"", 2);

    for (const char *c = value; ok && *c; c++) {
        if (*c == '"' || *c == '\\')
            ok = extractTextAppend(text, "\\", 1);
        ok = ok && extractTextAppend(text, c, 1);
    }
    return ok && extractTextAppend(text, "\"", 1);
}

ExtractStoreResult extractRecordStore(ExtractRecordBuilder *builder, int column, const char *name,
                                      const char *raw, Error *err)
{
    const ExtractColumn *target = &builder->map->kind->columns[column];
    ExtractText *text = &builder->values[column];
    ExtractText trimmed = {0};
    const char *value;
    char reason[128];
    ExtractStoreResult result = EXTRACT_STORED;

    if (!extractTextAppend(&trimmed, raw, strlen(raw))) {
        errorSet(err, EXIT_INTERNAL, "out of memory");
        return EXTRACT_STORE_FAILED;
    }
    value = extractTextTrim(&trimmed);
    if (value[0] == '\0') {
        result = EXTRACT_STORED;
    } else if (strlen(value) + text->length > EXTRACT_MAX_VALUE_BYTES) {
        errorSet(err, EXIT_INPUT, "<%s> in <%s>: value longer than %d bytes", name,
                 builder->map->element, EXTRACT_MAX_VALUE_BYTES);
        result = EXTRACT_STORE_FAILED;
    } else if (!extractValueIsValid(target->type, value, reason, sizeof reason)) {
        /* (%.64s: a rejected value may be long; the message names it, not all of it) */
        errorSet(err, EXIT_INPUT, "<%s> \"%.64s\" in <%s> is not a %s: %s", name, value,
                 builder->map->element, typeName(target->type), reason);
        result = EXTRACT_REJECTED;
    } else if (target->type != EXTRACT_ARRAY && builder->present[column]) {
        errorSet(err, EXIT_INPUT, "<%s> given twice in <%s>", name, builder->map->element);
        result = EXTRACT_STORE_FAILED;
    } else {
        bool ok = target->type == EXTRACT_ARRAY
                      ? appendArrayElement(text, !builder->present[column], value)
                      : extractTextAppend(text, value, strlen(value));
        if (!ok) {
            errorSet(err, EXIT_INTERNAL, "out of memory");
            result = EXTRACT_STORE_FAILED;
        }
        builder->present[column] = ok;
    }
    free(trimmed.data);
    return result;
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
    for (int i = 0; i < EXTRACT_MAX_COLUMNS; i++)
        free(builder->values[i].data);
    memset(builder, 0, sizeof *builder);
}
