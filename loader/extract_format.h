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

/* The kinds of finding the reader records (misswitch_staging.load_finding.kind). */
#define EXTRACT_FINDING_UPN "invalid-upn"
#define EXTRACT_FINDING_VALUE "invalid-value"

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

/* Raw kinds: a format's records as read, which misswitch.extract_rows_prepare_<format> (0003)
 * reshapes into the kinds above inside the load's transaction (a CTF contact becomes a contact
 * and a relationship keyed by pupil UPN and contact order; an IMS person becomes a pupil, a
 * staff member or a contact by its roles). */
extern const ExtractKind EXTRACT_KIND_CTF_HEADER;
extern const ExtractKind EXTRACT_KIND_CTF_CONTACT;
extern const ExtractKind EXTRACT_KIND_IMS_PROPERTIES;
extern const ExtractKind EXTRACT_KIND_IMS_PERSON;
extern const ExtractKind EXTRACT_KIND_IMS_GROUP;
extern const ExtractKind EXTRACT_KIND_IMS_MEMBERSHIP;
extern const ExtractKind EXTRACT_KIND_IMS_MEMBER;

/* Where one column's value comes from, relative to the record's element. */
typedef enum ExtractSource {
    EXTRACT_FROM_ATTRIBUTE,      /* an attribute of the record element: "id" */
    EXTRACT_FROM_ELEMENT,        /* text of a child element path: "upn", "address/town"; or
                                  * with "@", an attribute of one: "role@roletype" */
    EXTRACT_FROM_PARENT,         /* a column of the enclosing record: a contact's "mis_id" */
    EXTRACT_FROM_ROOT_ATTRIBUTE, /* an attribute of the document's root element: "mis" */
} ExtractSource;

typedef struct ExtractField {
    const char *column; /* a column of the record's kind */
    ExtractSource source;
    const char *name;   /* attribute name, element path, or the enclosing record's column */
    bool required;      /* absent, empty or malformed fails the load; otherwise a malformed
                         * value is a finding and the column stays NULL */
} ExtractField;

typedef struct ExtractRecord ExtractRecord;
typedef struct ExtractSink ExtractSink;

/* Checks or completes a record once its element has ended; may report findings through the
 * sink, and may set record->kind to NULL to keep the record out of staging (it only carried
 * values for the records inside it). Returns false with err filled to fail the load. */
typedef bool (*ExtractRecordHook)(ExtractRecord *record, const ExtractSink *sink, Error *err);

typedef struct ExtractRecordMap {
    const ExtractKind *kind;
    const char *element;       /* the record's element name */
    const char *parentElement; /* the element it must sit directly in (EXTRACT_FROM_PARENT
                                * reads the innermost open record, which may be further out) */
    const ExtractField *fields;
    int fieldCount;
    ExtractRecordHook hook;    /* optional */
} ExtractRecordMap;

typedef struct ExtractFormat {
    const char *name;         /* "native", "ctf", "ims": the staging format column */
    const char *title;        /* for messages: "native extract" */
    const char *rootElement;  /* detects the format */
    const char *versionAttribute;       /* optional: root attribute that must be one of versions */
    const char *const *versions;
    const char *const *containers;      /* structural elements allowed outside records */
    bool skipUnknown;   /* true: elements the mapping does not name are skipped with their
                         * content (CTF carries far more than is staged); false: they fail */
    const ExtractRecordMap *records;
    int recordCount;
    const ExtractKind *scopeKind; /* a record of this kind opens a school section (ordinal++) */
    bool scopeEncloses; /* true: every other record must sit inside a scope record's element
                         * (native <school>); false: records after a scope record belong to it
                         * (CTF's <SourceSchool> sits in the header, before the pupils) */
} ExtractFormat;

/* A record as the reader yields it. values[i] belongs to kind->columns[i]; NULL: unknown. */
struct ExtractRecord {
    const ExtractKind *kind;
    int school;  /* 1-based ordinal of the enclosing school section; 0 outside any */
    long line;   /* line of the record's start tag */
    const char *file;
    const char *values[EXTRACT_MAX_COLUMNS];
};

/* Where the reader hands records and findings (data problems that still let the record load:
 * a wrong UPN check letter, a date that is not a date). A finding belongs to a school section
 * and a line; kind is one of EXTRACT_FINDING_*. */
struct ExtractSink {
    bool (*record)(void *context, const ExtractRecord *record, Error *err);
    bool (*finding)(void *context, int school, long line, const char *kind, const char *detail,
                    Error *err);
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

/* The UPN and former UPN checks every format with UPNs runs (extract_checks.c). */
bool extractCheckPupilUpns(ExtractRecord *record, const ExtractSink *sink, Error *err);

extern const ExtractFormat EXTRACT_FORMAT_NATIVE;
extern const ExtractFormat EXTRACT_FORMAT_CTF;
extern const ExtractFormat EXTRACT_FORMAT_IMS;

#endif
