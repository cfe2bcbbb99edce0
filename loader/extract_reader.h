/* extract_reader.h — streams an XML extract through a format's mapping, record by record */
#ifndef MISSWITCH_EXTRACT_READER_H
#define MISSWITCH_EXTRACT_READER_H

#include "error.h"
#include "extract_format.h"

/*
 * The only module that sees libxml2. The file is untrusted: no network, no DTD (a DOCTYPE fails
 * the read), no external entities, libxml2's default size and depth limits. Every failure is an
 * EXIT_INPUT error naming file:line:column (libxml2's own position for syntax errors; the
 * element's line, and the column when the parser still stands on that line, for ours).
 *
 * It never buffers more than the records currently open (a contact and its relationship, say),
 * so memory stays flat however large the file.
 */
typedef struct ExtractReader ExtractReader;

/* Opens path and reads up to its root element. format NULL: detect from the root; otherwise the
 * root must be that format's.
 * Empty files, directories, unreadable paths and wrong roots fail here, before any database
 * work. */
ExtractReader *extractReaderOpen(const char *path, const ExtractFormat *format, Error *err);

/* The format the root element showed (or the one asked for). */
const ExtractFormat *extractReaderFormat(const ExtractReader *reader);

/* The path as given, which messages name. */
const char *extractReaderPath(const ExtractReader *reader);

/* Reads the rest of the file, handing each record to sink->record as its element ends. Stops at
 * the first error (the sink's or the file's). */
bool extractReaderRun(ExtractReader *reader, const ExtractSink *sink, Error *err);

void extractReaderFree(ExtractReader *reader);

#endif
