/* extract_reader.c — streams an XML extract through a format's mapping, record by record */
#include "extract_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract_record.h"

/* Our own limits, well inside libxml2's defaults: the formats nest a handful of levels (values
 * are capped by EXTRACT_MAX_VALUE_BYTES in extract_record.h). */
#define MAX_DEPTH 32
#define MAX_OPEN_RECORDS 4
#define MAX_ROOT_ATTRIBUTES 8

/* The field element being read: its text accumulates until the element ends. */
typedef struct OpenField {
    const ExtractField *field;
    int column;
    int depth;
    long line;
    ExtractText text;
} OpenField;

struct ExtractReader {
    xmlTextReaderPtr xml;
    int fd;
    char *path;
    const ExtractFormat *format;
    xmlExternalEntityLoader previousLoader;
    Error xmlError;   /* the first error libxml2 reported */
    bool hasXmlError;
    const char *rootNames[MAX_ROOT_ATTRIBUTES];
    char *rootValues[MAX_ROOT_ATTRIBUTES];
    int rootCount;
    const xmlChar *elements[MAX_DEPTH]; /* names of the open elements (the parser's dictionary) */
    int depth;
    ExtractRecordBuilder records[MAX_OPEN_RECORDS];
    int recordCount;
    OpenField field;
    bool inField;
    int school;
};

/* External entities are never loaded, whatever the parser options say. */
static xmlParserInputPtr refuseExternalEntity(const char *url, const char *id,
                                              xmlParserCtxtPtr context)
{
    (void)url;
    (void)id;
    (void)context;
    return NULL;
}

static bool failAt(ExtractReader *reader, long line, Error *err, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

/* libxml2's messages, routed into our Error with the position it knows. */
static void onXmlError(void *userData, xmlErrorPtr error)
{
    ExtractReader *reader = userData;
    char message[512];

    if (reader->hasXmlError || error == NULL || error->level < XML_ERR_ERROR)
        return;
    snprintf(message, sizeof message, "%s", error->message ? error->message : "malformed XML");
    message[strcspn(message, "\n")] = '\0';
    /* At the end of input libxml2 2.9's reader says "Extra content at the end of the document"
     * even when the document never began or stopped half-way: say what actually happened. */
    if (error->code == XML_ERR_DOCUMENT_END || error->code == XML_ERR_DOCUMENT_EMPTY) {
        if (reader->depth == 0)
            snprintf(message, sizeof message, "no XML element found: not an extract");
        else /* (our element stack lags the parser's read-ahead, so name no element) */
            snprintf(message, sizeof message,
                     "the file ends before its root element does: the extract is truncated");
    }
    errorSet(&reader->xmlError, EXIT_INPUT, "%s:%d:%d: %s", reader->path, error->line,
             error->int2 > 0 ? error->int2 : 1, message);
    reader->hasXmlError = true;
}

/* Where text first occurs in the file's first 64 KiB, as line and column; for a DOCTYPE, which
 * has no line of its own in libxml2's tree and which the parser has read past by the time the
 * reader shows it. pread leaves the parser's file offset alone. */
static bool locateInPrefix(const ExtractReader *reader, const char *text, long *line, int *column)
{
    char prefix[65536];
    ssize_t length = pread(reader->fd, prefix, sizeof prefix - 1, 0);
    const char *found;

    if (length <= 0)
        return false;
    prefix[length] = '\0';
    if ((found = strstr(prefix, text)) == NULL)
        return false;
    *line = 1;
    *column = 1;
    for (const char *c = prefix; c < found; c++) {
        if (*c == '\n') {
            ++*line;
            *column = 1;
        } else if (((unsigned char)*c & 0xC0) != 0x80) {
            ++*column; /* count characters, not UTF-8 continuation bytes */
        }
    }
    return true;
}

static bool failDoctype(ExtractReader *reader, Error *err)
{
    long line;
    int column;
    const char *reason = "a DOCTYPE is not allowed in an extract (no DTDs, no entities)";

    if (locateInPrefix(reader, "<!DOCTYPE", &line, &column))
        return errorSet(err, EXIT_INPUT, "%s:%ld:%d: %s", reader->path, line, column, reason);
    return failAt(reader, -1, err, "%s", reason);
}

/* Our own input errors: the element's line, and the column where the parser still stands on it
 * (libxml2 2.9 keeps no columns on nodes; the parser reads ahead, so elsewhere it would lie). */
static bool failAt(ExtractReader *reader, long line, Error *err, const char *format, ...)
{
    char message[768];
    va_list args;
    int column = 1;

    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    if (line <= 0)
        line = xmlTextReaderGetParserLineNumber(reader->xml);
    if (xmlTextReaderGetParserLineNumber(reader->xml) == line)
        column = xmlTextReaderGetParserColumnNumber(reader->xml);
    return errorSet(err, EXIT_INPUT, "%s:%ld:%d: %s", reader->path, line, column > 0 ? column : 1,
                    message);
}

static long nodeLine(ExtractReader *reader)
{
    xmlNodePtr node = xmlTextReaderCurrentNode(reader->xml);
    long line = node ? xmlGetLineNo(node) : -1;
    return line > 0 ? line : xmlTextReaderGetParserLineNumber(reader->xml);
}

/* Re-issues a position-less error from extract_record.c at line. */
static bool failRecordAt(ExtractReader *reader, long line, Error *err)
{
    char reason[sizeof err->message];

    if (err->code != EXIT_INPUT)
        return false;
    memcpy(reason, err->message, sizeof reason);
    return failAt(reader, line, err, "%s", reason);
}

static const char *rootAttribute(const ExtractReader *reader, const char *name)
{
    for (int i = 0; i < reader->rootCount; i++)
        if (strcmp(reader->rootNames[i], name) == 0)
            return reader->rootValues[i];
    return NULL;
}

static bool openRecord(ExtractReader *reader, const ExtractRecordMap *map, Error *err)
{
    ExtractRecordBuilder *parent =
        reader->recordCount > 0 ? &reader->records[reader->recordCount - 1] : NULL;
    ExtractRecordBuilder *record;
    long line = nodeLine(reader);

    if (reader->recordCount == MAX_OPEN_RECORDS)
        return failAt(reader, line, err, "records nested too deeply at <%s>", map->element);
    if (map->kind == reader->format->scopeKind)
        reader->school++;
    record = &reader->records[reader->recordCount++];
    extractRecordBegin(record, map, reader->school, line, reader->depth);
    for (int f = 0; f < map->fieldCount; f++) {
        const ExtractField *field = &map->fields[f];
        xmlChar *attribute = NULL;
        const char *value = NULL;
        bool ok;

        if (field->source == EXTRACT_FROM_ATTRIBUTE)
            value = (const char *)(attribute =
                                       xmlTextReaderGetAttribute(reader->xml, BAD_CAST field->name));
        else if (field->source == EXTRACT_FROM_ROOT_ATTRIBUTE)
            value = rootAttribute(reader, field->name);
        else if (field->source == EXTRACT_FROM_PARENT && parent != NULL)
            value = extractRecordValue(parent, field->name);
        if (value == NULL)
            continue;
        ok = extractRecordStore(record, extractKindColumn(map->kind, field->column), field->name,
                                value, err);
        xmlFree(attribute);
        if (!ok)
            return failRecordAt(reader, line, err);
    }
    return true;
}

static bool closeRecord(ExtractReader *reader, const ExtractSink *sink, Error *err)
{
    ExtractRecordBuilder *builder = &reader->records[reader->recordCount - 1];
    const ExtractRecordMap *map = builder->map;
    ExtractRecord record;
    bool ok;

    if (!extractRecordFinish(builder, reader->path, &record, err))
        return failRecordAt(reader, builder->line, err);
    ok = (map->hook == NULL || map->hook(&record, sink, err)) &&
         sink->record(sink->context, &record, err);
    extractRecordClear(builder);
    reader->recordCount--;
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

/* An element inside an open record: a field, or a step towards one ("address"). False: neither,
 * so the caller looks further. */
static bool startInsideRecord(ExtractReader *reader, ExtractRecordBuilder *record,
                              const char *name)
{
    char path[sizeof record->path];
    size_t length;
    bool prefix = false;

    if (strlen(record->path) + strlen(name) + 2 > sizeof path)
        return false;
    memcpy(path, record->path, strlen(record->path) + 1);
    if (path[0] != '\0')
        strcat(path, "/");
    strcat(path, name);
    length = strlen(path);
    for (int f = 0; f < record->map->fieldCount; f++) {
        const ExtractField *field = &record->map->fields[f];
        if (field->source != EXTRACT_FROM_ELEMENT)
            continue;
        if (strcmp(field->name, path) == 0) {
            reader->inField = true;
            reader->field.field = field;
            reader->field.column = extractKindColumn(record->map->kind, field->column);
            reader->field.depth = reader->depth;
            reader->field.line = nodeLine(reader);
            reader->field.text.length = 0;
            if (reader->field.text.data != NULL)
                reader->field.text.data[0] = '\0';
            return true;
        }
        if (strncmp(field->name, path, length) == 0 && field->name[length] == '/')
            prefix = true;
    }
    if (!prefix)
        return false;
    snprintf(record->path, sizeof record->path, "%s", path);
    return true;
}

static bool startElement(ExtractReader *reader, Error *err)
{
    const char *name = (const char *)xmlTextReaderConstName(reader->xml);
    const char *parentName = (const char *)reader->elements[reader->depth - 1];
    ExtractRecordBuilder *record =
        reader->recordCount ? &reader->records[reader->recordCount - 1] : NULL;
    const ExtractRecordMap *map;

    if (reader->depth == MAX_DEPTH)
        return failAt(reader, nodeLine(reader), err, "elements nested too deeply at <%s>", name);
    if (reader->inField)
        return failAt(reader, nodeLine(reader), err, "unexpected element <%s> in <%s>", name,
                      parentName);
    reader->elements[reader->depth++] = xmlTextReaderConstName(reader->xml);
    if ((map = findRecord(reader->format, name, parentName)) != NULL)
        return openRecord(reader, map, err);
    if (record != NULL && startInsideRecord(reader, record, name))
        return true;
    for (const char *const *c = reader->format->containers; c && *c; c++)
        if (strcmp(*c, name) == 0)
            return true;
    return failAt(reader, nodeLine(reader), err, "unexpected element <%s> in <%s>", name,
                  parentName);
}

static bool endElement(ExtractReader *reader, const ExtractSink *sink, Error *err)
{
    ExtractRecordBuilder *record =
        reader->recordCount ? &reader->records[reader->recordCount - 1] : NULL;
    int depth = reader->depth--; /* the closing element's, as recorded when it started */
    bool ok = true;

    if (reader->inField && depth == reader->field.depth) {
        reader->inField = false;
        if (!extractRecordStore(record, reader->field.column, reader->field.field->name,
                                reader->field.text.data ? reader->field.text.data : "", err))
            ok = failRecordAt(reader, reader->field.line, err);
    } else if (record != NULL && depth == record->depth) {
        ok = closeRecord(reader, sink, err);
    } else if (record != NULL && record->path[0] != '\0') {
        char *slash = strrchr(record->path, '/');
        if (slash)
            *slash = '\0';
        else
            record->path[0] = '\0';
    }
    return ok;
}

static bool readText(ExtractReader *reader, int type, Error *err)
{
    const char *value = (const char *)xmlTextReaderConstValue(reader->xml);

    if (value == NULL)
        return true;
    if (reader->inField) {
        if (reader->field.text.length + strlen(value) > EXTRACT_MAX_VALUE_BYTES)
            return failAt(reader, reader->field.line, err, "<%s>: value longer than %d bytes",
                          reader->field.field->name, EXTRACT_MAX_VALUE_BYTES);
        if (!extractTextAppend(&reader->field.text, value, strlen(value)))
            return errorSet(err, EXIT_INTERNAL, "out of memory");
        return true;
    }
    if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
        if (value[strspn(value, " \t\r\n")] != '\0')
            return failAt(reader, nodeLine(reader), err, "unexpected text in <%s>",
                          (const char *)reader->elements[reader->depth - 1]);
    }
    return true;
}

/* One step of the document; false on any error (libxml2's error wins: it came first). */
static bool step(ExtractReader *reader, const ExtractSink *sink, bool *done, Error *err)
{
    int result = xmlTextReaderRead(reader->xml);
    int type;
    bool ok = true;

    if (result != 1) {
        if (result < 0 || reader->hasXmlError) {
            if (reader->hasXmlError)
                *err = reader->xmlError;
            else
                failAt(reader, -1, err, "malformed XML");
            return false;
        }
        *done = true;
        return true;
    }
    type = xmlTextReaderNodeType(reader->xml);
    switch (type) {
    case XML_READER_TYPE_DOCUMENT_TYPE:
        return failDoctype(reader, err);
    case XML_READER_TYPE_ENTITY_REFERENCE:
    case XML_READER_TYPE_ENTITY:
        return failAt(reader, -1, err, "entity references are not allowed in an extract");
    case XML_READER_TYPE_ELEMENT:
        ok = startElement(reader, err);
        if (ok && xmlTextReaderIsEmptyElement(reader->xml))
            ok = endElement(reader, sink, err);
        break;
    case XML_READER_TYPE_END_ELEMENT:
        ok = endElement(reader, sink, err);
        break;
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_WHITESPACE:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        ok = readText(reader, type, err);
        break;
    default: /* comments, processing instructions, the XML declaration */
        break;
    }
    return ok;
}

/* Reads up to the root element: rejects a DOCTYPE, checks the root against the format. */
static bool readRoot(ExtractReader *reader, const ExtractFormat *wanted, Error *err)
{
    const ExtractFormat *found;
    const char *name;

    for (;;) {
        int result = xmlTextReaderRead(reader->xml);
        if (result != 1) {
            if (reader->hasXmlError) {
                *err = reader->xmlError;
                return false;
            }
            return failAt(reader, -1, err, "no root element: not an XML extract");
        }
        if (xmlTextReaderNodeType(reader->xml) == XML_READER_TYPE_DOCUMENT_TYPE)
            return failDoctype(reader, err);
        if (xmlTextReaderNodeType(reader->xml) == XML_READER_TYPE_ELEMENT)
            break;
    }
    name = (const char *)xmlTextReaderConstName(reader->xml);
    found = extractFormatByRoot(name);
    if (wanted != NULL && found != wanted)
        return failAt(reader, nodeLine(reader), err, "root element <%s> is not a %s (<%s>)", name,
                      wanted->title, wanted->rootElement);
    if (found == NULL)
        return failAt(reader, nodeLine(reader), err,
                      "root element <%s> is not an extract misswitch knows "
                      "(<misswitch-extract>, <CTfile> or <enterprise>)",
                      name);
    if (!found->supported)
        return failAt(reader, nodeLine(reader), err, "%s files are not supported yet", found->title);
    reader->format = found;
    if (!extractFormatValidate(found, err))
        return false;
    reader->elements[reader->depth++] = xmlTextReaderConstName(reader->xml);
    /* Keep the root attributes the mapping uses, and check the version. */
    for (int r = 0; r < found->recordCount; r++) {
        for (int f = 0; f < found->records[r].fieldCount; f++) {
            const ExtractField *field = &found->records[r].fields[f];
            if (field->source != EXTRACT_FROM_ROOT_ATTRIBUTE ||
                rootAttribute(reader, field->name) != NULL || reader->rootCount == MAX_ROOT_ATTRIBUTES)
                continue;
            reader->rootNames[reader->rootCount] = field->name;
            reader->rootValues[reader->rootCount++] =
                (char *)xmlTextReaderGetAttribute(reader->xml, BAD_CAST field->name);
        }
    }
    if (found->versionAttribute != NULL) {
        xmlChar *version = xmlTextReaderGetAttribute(reader->xml, BAD_CAST found->versionAttribute);
        bool known = false;
        for (const char *const *v = found->versions; version && *v && !known; v++)
            known = strcmp(*v, (const char *)version) == 0;
        if (!known) {
            failAt(reader, nodeLine(reader), err, "%s version %s%s%s is not supported (this misswitch reads version 1)",
                   found->title, version ? "\"" : "", version ? (const char *)version : "(none)",
                   version ? "\"" : "");
            xmlFree(version);
            return false;
        }
        xmlFree(version);
    }
    return true;
}

ExtractReader *extractReaderOpen(const char *path, const ExtractFormat *format, Error *err)
{
    ExtractReader *reader = calloc(1, sizeof *reader);
    struct stat status;
    int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;

#if LIBXML_VERSION >= 21300
    /* An enum constant, not a macro, so #ifdef XML_PARSE_NO_XXE would never see it. */
    options |= XML_PARSE_NO_XXE;
#endif
    if (reader == NULL || (reader->path = strdup(path)) == NULL) {
        free(reader);
        errorSet(err, EXIT_INTERNAL, "out of memory");
        return NULL;
    }
    reader->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (reader->fd < 0) {
        errorSet(err, EXIT_INPUT, "%s: cannot open extract: %s", path, strerror(errno));
        goto fail;
    }
    if (fstat(reader->fd, &status) != 0) {
        errorSet(err, EXIT_INPUT, "%s: cannot read extract: %s", path, strerror(errno));
        goto fail;
    }
    if (S_ISDIR(status.st_mode)) {
        errorSet(err, EXIT_INPUT, "%s: is a directory, not an extract file", path);
        goto fail;
    }
    if (S_ISREG(status.st_mode) && status.st_size == 0) {
        errorSet(err, EXIT_INPUT, "%s:1:1: the file is empty, not an XML extract", path);
        goto fail;
    }
    reader->previousLoader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(refuseExternalEntity);
    /* XML_PARSE_NOENT would substitute entities and XML_PARSE_HUGE would lift the size limits:
     * neither, ever. The reader interns element names in its dictionary (bounded: unknown names
     * fail at once) and, like all of libxml2 2.9, text of three bytes or fewer. */
    reader->xml = xmlReaderForFd(reader->fd, path, NULL, options);
    if (reader->xml == NULL) {
        errorSet(err, EXIT_INPUT, "%s: cannot read extract", path);
        goto fail;
    }
    xmlTextReaderSetStructuredErrorHandler(reader->xml, onXmlError, reader);
    if (!readRoot(reader, format, err))
        goto fail;
    return reader;

fail:
    extractReaderFree(reader);
    return NULL;
}

const ExtractFormat *extractReaderFormat(const ExtractReader *reader)
{
    return reader->format;
}

const char *extractReaderPath(const ExtractReader *reader)
{
    return reader->path;
}

bool extractReaderRun(ExtractReader *reader, const ExtractSink *sink, Error *err)
{
    bool done = false;

    while (!done)
        if (!step(reader, sink, &done, err))
            return false;
    if (reader->hasXmlError) {
        *err = reader->xmlError;
        return false;
    }
    return true;
}

void extractReaderFree(ExtractReader *reader)
{
    if (reader == NULL)
        return;
    for (int i = 0; i < MAX_OPEN_RECORDS; i++)
        extractRecordClear(&reader->records[i]);
    free(reader->field.text.data);
    for (int i = 0; i < reader->rootCount; i++)
        xmlFree(reader->rootValues[i]);
    if (reader->xml != NULL)
        xmlFreeTextReader(reader->xml);
    if (reader->previousLoader != NULL)
        xmlSetExternalEntityLoader(reader->previousLoader);
    if (reader->fd >= 0)
        close(reader->fd);
    free(reader->path);
    free(reader);
}
