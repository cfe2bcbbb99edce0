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

#include "extract_walk.h"

#define DOCTYPE_REFUSED "a DOCTYPE is not allowed in an extract (no DTDs, no entities)"

struct ExtractReader {
    xmlTextReaderPtr xml;
    int fd;
    char *path;
    const ExtractFormat *format;
    xmlExternalEntityLoader previousLoader;
    Error xmlError; /* the first error libxml2 reported */
    bool hasXmlError;
    ExtractWalk *walk;
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
        if (reader->walk == NULL || extractWalkDepth(reader->walk) == 0)
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
    const char *reason = DOCTYPE_REFUSED;

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

/* <?xml-stylesheet href="http://..."?> and the like ask the consumer to fetch something: libxml2
 * never does, but an extract has no business carrying them, so they are refused by name. */
static bool failProcessingInstruction(ExtractReader *reader, Error *err)
{
    return failAt(reader, nodeLine(reader), err,
                  "processing instruction <?%.64s?> is not allowed in an extract",
                  (const char *)xmlTextReaderConstName(reader->xml));
}

/* Re-issues a position-less error of the walk at the line it names. */
static bool failWalk(ExtractReader *reader, Error *err)
{
    char reason[sizeof err->message];

    if (err->code != EXIT_INPUT)
        return false;
    memcpy(reason, err->message, sizeof reason);
    return failAt(reader, extractWalkErrorLine(reader->walk), err, "%s", reason);
}

static char *getAttribute(void *context, const char *name)
{
    return (char *)xmlTextReaderGetAttribute(context, BAD_CAST name);
}

static void releaseAttribute(char *value)
{
    xmlFree(value);
}

static bool startElement(ExtractReader *reader, const ExtractSink *sink, Error *err)
{
    const ExtractAttributes attributes = {getAttribute, releaseAttribute, reader->xml};

    return extractWalkStart(reader->walk, (const char *)xmlTextReaderConstName(reader->xml),
                            nodeLine(reader), &attributes, sink, err) ||
           failWalk(reader, err);
}

static bool endElement(ExtractReader *reader, const ExtractSink *sink, Error *err)
{
    return extractWalkEnd(reader->walk, sink, err) || failWalk(reader, err);
}

static bool readText(ExtractReader *reader, Error *err)
{
    const char *value = (const char *)xmlTextReaderConstValue(reader->xml);

    return value == NULL || extractWalkText(reader->walk, value, err) || failWalk(reader, err);
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
    case XML_READER_TYPE_PROCESSING_INSTRUCTION:
        return failProcessingInstruction(reader, err);
    case XML_READER_TYPE_ELEMENT:
        ok = startElement(reader, sink, err);
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
        ok = readText(reader, err);
        break;
    default: /* comments, processing instructions, the XML declaration */
        break;
    }
    return ok;
}

/* Reads up to the root element: rejects a DOCTYPE, checks the root against the format. */
static bool readRoot(ExtractReader *reader, const ExtractFormat *wanted, Error *err)
{
    ExtractAttributes attributes = {getAttribute, releaseAttribute, NULL};
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
        if (xmlTextReaderNodeType(reader->xml) == XML_READER_TYPE_PROCESSING_INSTRUCTION)
            return failProcessingInstruction(reader, err);
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
    reader->format = found;
    if (!extractFormatValidate(found, err))
        return false;
    if ((reader->walk = extractWalkNew(found, reader->path)) == NULL)
        return errorSet(err, EXIT_INTERNAL, "out of memory");
    attributes.context = reader->xml;
    return extractWalkRoot(reader->walk, name, &attributes, err) || failWalk(reader, err);
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
    /* A DOCTYPE is refused before libxml2 sees it: its internal subset (entity definitions, a
     * billion laughs) is never parsed. ("<!DOCTYPE" can appear literally only in markup, so a
     * hit inside a comment is the only false alarm, and a harmless one.) */
    if (S_ISREG(status.st_mode)) {
        long line;
        int column;
        if (locateInPrefix(reader, "<!DOCTYPE", &line, &column)) {
            errorSet(err, EXIT_INPUT, "%s:%ld:%d: %s", path, line, column, DOCTYPE_REFUSED);
            goto fail;
        }
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
    extractWalkFree(reader->walk);
    if (reader->xml != NULL)
        xmlFreeTextReader(reader->xml);
    if (reader->previousLoader != NULL)
        xmlSetExternalEntityLoader(reader->previousLoader);
    if (reader->fd >= 0)
        close(reader->fd);
    free(reader->path);
    free(reader);
}
