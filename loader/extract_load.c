/* extract_load.c — loads an extract into staging: the native path is extract_stream.c; CTF and
 * IMS go through one wide temp table in one transaction */
#include "extract_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "command.h"
#include "copybuf.h"
#include "extract_stream.h"

/* Raised by misswitch.extract_input_error (0003) for a problem with the file's data. */
#define SQLSTATE_INPUT "MSINP"

typedef struct LoadContext {
    Db *db;
    CopyBuf copy;
    ExtractWarn warn;
    void *warnContext;
    const char *file; /* as the user gave it, for findings on stderr */
    ExtractLoadResult *result;
} LoadContext;

static bool flushToDb(void *context, const char *data, size_t length, Error *err)
{
    return dbCopyInPut(context, data, length, err);
}

/* One wide-table row: kind, school ordinal, line, then c1..cN (NULL past the kind's columns). */
static bool copyRecord(void *context, const ExtractRecord *record, Error *err)
{
    LoadContext *load = context;
    bool ok = copyBufField(&load->copy, record->kind->name, err) &&
              copyBufInteger(&load->copy, record->school, err) &&
              copyBufInteger(&load->copy, record->line, err);

    for (int c = 0; ok && c < EXTRACT_MAX_COLUMNS; c++)
        ok = copyBufField(&load->copy, c < record->kind->columnCount ? record->values[c] : NULL,
                          err);
    if (ok)
        load->result->records++;
    return ok && copyBufEndRow(&load->copy, err);
}

/* A finding travels with the records, as a wide-table row of kind 'finding' (c1 its kind, c2
 * the detail), and lands in misswitch_staging.load_finding with its school's load. */
static bool copyFinding(void *context, int school, long line, const char *kind,
                        const char *detail, Error *err)
{
    LoadContext *load = context;
    bool ok = copyBufField(&load->copy, "finding", err) &&
              copyBufInteger(&load->copy, school, err) && copyBufInteger(&load->copy, line, err) &&
              copyBufField(&load->copy, kind, err) && copyBufField(&load->copy, detail, err);

    for (int c = 2; ok && c < EXTRACT_MAX_COLUMNS; c++)
        ok = copyBufField(&load->copy, NULL, err);
    if (!ok || !copyBufEndRow(&load->copy, err))
        return false;
    load->result->findings++;
    if (load->warn)
        load->warn(load->warnContext, load->file, line, detail);
    return true;
}

/* A data problem found by the SQL side is the file's fault: EXIT_INPUT, without the "query
 * failed: ..." wrapping meant for the tool's own statements, and naming the file as the user
 * gave it (the SQL only knows the stored, resolved path). */
void extractLoadInputError(Db *db, const char *what, const char *sourceFile,
                           const char *givenPath, Error *err)
{
    char message[sizeof err->message];
    const char *rest = err->message;
    size_t length;

    if (strcmp(dbLastSqlstate(db), SQLSTATE_INPUT) != 0)
        return;
    length = (size_t)snprintf(message, sizeof message, "query failed: %s: ", what);
    if (strncmp(rest, message, length) == 0)
        rest += length;
    length = strlen(sourceFile);
    if (strncmp(rest, sourceFile, length) == 0)
        snprintf(message, sizeof message, "%s%s", givenPath, rest + length);
    else
        snprintf(message, sizeof message, "%s", rest);
    err->code = EXIT_INPUT;
    memcpy(err->message, message, sizeof message);
}

static long numberAt(const DbResult *rows, int row, int column)
{
    const char *value = dbResultValue(rows, row, column);
    return value ? atol(value) : 0;
}

bool extractLoadCounts(const DbResult *rows, ExtractLoadResult *result, Error *err)
{
    int count = dbResultRows(rows);

    result->schools = calloc((size_t)(count > 0 ? count : 1), sizeof *result->schools);
    if (result->schools == NULL)
        return errorSet(err, EXIT_INTERNAL, "out of memory");
    for (int i = 0; i < count; i++) {
        ExtractSchoolCount *school = &result->schools[i];
        const char *name = dbResultValue(rows, i, 2);
        snprintf(school->schoolKey, sizeof school->schoolKey, "%s", dbResultValue(rows, i, 1));
        snprintf(school->schoolName, sizeof school->schoolName, "%s", name ? name : "");
        school->loadId = numberAt(rows, i, 3);
        school->pupils = numberAt(rows, i, 4);
        school->staff = numberAt(rows, i, 5);
        school->contacts = numberAt(rows, i, 6);
        school->relationships = numberAt(rows, i, 7);
        school->groups = numberAt(rows, i, 8);
        school->memberships = numberAt(rows, i, 9);
        school->findings = numberAt(rows, i, 10);
    }
    result->schoolCount = count;
    return true;
}

/* CTF and IMS: one COPY into a wide temp table, reshaped and split server-side. */
static bool loadThroughWideTable(Db *db, ExtractReader *reader, const char *role,
                                 const char *sourceFile, ExtractWarn warn, void *warnContext,
                                 ExtractLoadResult *result, Error *err)
{
    LoadContext *load = calloc(1, sizeof *load); /* holds a 64 KiB buffer: not on the stack */
    const ExtractSink sink = {copyRecord, copyFinding, load};
    const char *params[3] = {role, extractReaderFormat(reader)->name, sourceFile};
    DbResult *rows = NULL;
    struct timespec phase;
    bool inCopy = false;
    bool ok = false;

    memset(result, 0, sizeof *result);
    clock_gettime(CLOCK_MONOTONIC, &phase);
    if (load == NULL)
        return errorSet(err, EXIT_INTERNAL, "out of memory");
    load->db = db;
    load->warn = warn;
    load->warnContext = warnContext;
    load->file = extractReaderPath(reader);
    load->result = result;
    copyBufInit(&load->copy, flushToDb, db);

    if (!dbExec(db, "begin load", "BEGIN; SELECT misswitch.extract_rows_begin()", err))
        goto cleanup;
    if (!dbCopyInBegin(db, "copy extract rows", "COPY pg_temp.misswitch_extract_row FROM STDIN",
                       err))
        goto cleanup;
    inCopy = true;
    if (!extractReaderRun(reader, &sink, err) || !copyBufFlush(&load->copy, err))
        goto cleanup;
    inCopy = false;
    if (!dbCopyInEnd(db, NULL, err))
        goto cleanup;
    result->readSeconds = commandSecondsSince(&phase);
    clock_gettime(CLOCK_MONOTONIC, &phase);
    rows = dbQuery(db, "stage extract",
                   "SELECT * FROM misswitch.extract_rows_finish($1, $2, $3)", 3, params, err);
    if (rows == NULL) {
        extractLoadInputError(db, "stage extract", sourceFile, extractReaderPath(reader), err);
        goto cleanup;
    }
    if (!extractLoadCounts(rows, result, err) || !dbExec(db, "commit load", "COMMIT", err))
        goto cleanup;
    result->publishSeconds = commandSecondsSince(&phase);
    ok = true;

cleanup:
    dbResultFree(rows);
    if (!ok) {
        Error ignored;
        /* The reader's error is the one to report: end the COPY with it, then roll back. */
        if (inCopy)
            dbCopyInEnd(db, err->message[0] ? err->message : "load failed", &ignored);
        dbExec(db, "rollback load", "ROLLBACK", &ignored);
        extractLoadResultFree(result);
    }
    free(load);
    return ok;
}

bool extractLoad(Db *db, const char *conninfo, ExtractReader *reader, const char *role,
                 const char *sourceFile, ExtractWarn warn, void *warnContext,
                 ExtractLoadResult *result, Error *err)
{
    if (extractReaderFormat(reader) == &EXTRACT_FORMAT_NATIVE)
        return extractStreamLoad(db, conninfo, reader, role, sourceFile, warn, warnContext,
                                 result, err);
    return loadThroughWideTable(db, reader, role, sourceFile, warn, warnContext, result, err);
}

void extractLoadResultFree(ExtractLoadResult *result)
{
    free(result->schools);
    result->schools = NULL;
    result->schoolCount = 0;
}
