/* extract_format.h — extract formats as declarative mappings onto the staging tables */
#ifndef MISSWITCH_EXTRACT_FORMAT_H
#define MISSWITCH_EXTRACT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * A format is data, not code: which XML element is a record of which staging kind, and which
 * attribute or child element fills which column. The reader (extract_reader.c) walks any format;
 * the load (extract_load.c) copies the records it yields into one wide temp table that an SQL
 * function splits into misswitch_staging.extract_*. Adding a format is adding a mapping, plus a
 * small hook where its data need more than moving values (CTF's keys, for instance).
 *
 * Nothing here knows XML or SQL.
 */

/* Most columns of any kind (extract_staff); the wide temp table has c1..c18. */
#define EXTRACT_MAX_COLUMNS 18

/* How a value is checked in C (so a bad one fails with its line) and cast by the SQL split. */
typedef enum ExtractColumnType {
    EXTRACT_TEXT,
    EXTRACT_DATE,    /* YYYY-MM-DD, a real calendar date */
    EXTRACT_BOOLEAN, /* true, false, 1, 0 */
    EXTRACT_INTEGER, /* 0..999999999 */
    EXTRACT_ARRAY,   /* repeated element: sent as a text[] literal */
} ExtractColumnType;

typedef struct ExtractColumn {
    const char *name; /* the staging column, e.g. "dob" */
    ExtractColumnType type;
} ExtractColumn;

/* A kind of staged record: one staging table, its columns in the order of the wide table's
 * c1..cN (the SQL function 0003 relies on this order). */
typedef struct ExtractKind {
    const char *name; /* "school", "pupil", ...: the wide table's kind column */
    const ExtractColumn *columns;
    int columnCount;
} ExtractKind;

extern const ExtractKind EXTRACT_KIND_SCHOOL;
extern const ExtractKind EXTRACT_KIND_PUPIL;
extern const ExtractKind EXTRACT_KIND_STAFF;
extern const ExtractKind EXTRACT_KIND_CONTACT;
extern const ExtractKind EXTRACT_KIND_RELATIONSHIP;
extern const ExtractKind EXTRACT_KIND_GROUP;
extern const ExtractKind EXTRACT_KIND_MEMBERSHIP;

/* Where one column's value comes from, relative to the record's element. */
typedef enum ExtractSource {
    EXTRACT_FROM_ATTRIBUTE,      /* an attribute of the record element: "id" */
    EXTRACT_FROM_ELEMENT,        /* text of a child element path: "upn", "address/town" */
    EXTRACT_FROM_PARENT,         /* a column of the enclosing record: a contact's "mis_id" */
    EXTRACT_FROM_ROOT_ATTRIBUTE, /* an attribute of the document's root element: "mis" */
} ExtractSource;

typedef struct ExtractField {
    const char *column; /* a column of the record's kind */
    ExtractSource source;
    const char *name;   /* attribute name, element path, or the parent's column */
    bool required;      /* absent or empty fails the load */
} ExtractField;

typedef struct ExtractRecord ExtractRecord;
typedef struct ExtractSink ExtractSink;

/* Checks or completes a record once its element has ended; may warn through the sink.
 * Returns false with err filled to fail the load. */
typedef bool (*ExtractRecordHook)(ExtractRecord *record, const ExtractSink *sink, Error *err);

typedef struct ExtractRecordMap {
    const ExtractKind *kind;
    const char *element;       /* the record's element name */
    const char *parentElement; /* the element it must sit directly in */
    const ExtractField *fields;
    int fieldCount;
    ExtractRecordHook hook;    /* optional */
} ExtractRecordMap;

typedef struct ExtractFormat {
    const char *name;         /* "native", "ctf", "ims": the staging format column */
    const char *title;        /* for messages: "native extract" */
    const char *rootElement;  /* detects the format */
    bool supported;           /* false: known, detected, refused with "not supported yet" */
    const char *versionAttribute;       /* optional: root attribute that must be one of versions */
    const char *const *versions;
    const char *const *containers;      /* structural elements allowed outside records */
    const ExtractRecordMap *records;
    int recordCount;
    const ExtractKind *scopeKind; /* a record of this kind opens a school section (ordinal++) */
} ExtractFormat;

/* A record as the reader yields it. values[i] belongs to kind->columns[i]; NULL: unknown. */
struct ExtractRecord {
    const ExtractKind *kind;
    int school;  /* 1-based ordinal of the enclosing school section; 0 outside any */
    long line;   /* line of the record's start tag */
    const char *file;
    const char *values[EXTRACT_MAX_COLUMNS];
};

/* Where the reader hands records and data warnings. */
struct ExtractSink {
    bool (*record)(void *context, const ExtractRecord *record, Error *err);
    void (*warning)(void *context, const char *file, long line, const char *message);
    void *context;
};

/* The known formats, for --format and detection. */
const ExtractFormat *extractFormatByName(const char *name);
const ExtractFormat *extractFormatByRoot(const char *rootElement);

/* Index of column in kind, or -1. */
int extractKindColumn(const ExtractKind *kind, const char *column);

/* Checks value against type; on failure fills reason (for "... is not a date: reason"). */
bool extractValueIsValid(ExtractColumnType type, const char *value, char *reason,
                         size_t reasonSize);

/* Checks a format's mapping against its kinds (every column named exists, parents resolve).
 * A mistake here is a bug of the tool: EXIT_INTERNAL. */
bool extractFormatValidate(const ExtractFormat *format, Error *err);

extern const ExtractFormat EXTRACT_FORMAT_NATIVE;

#endif
