/* extract_stream.c — a native extract streamed over one connection per staging table */
#include "extract_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "command.h"
#include "copybuf.h"
#include "strbuf.h"
#include "testhook.h"

/* SQLSTATE of a unique violation: a duplicate key in the file (extract_pending_finish). */
#define SQLSTATE_UNIQUE_VIOLATION "23505"

/* The staging tables a native file fills, each over its own connection, and the meta table
 * (school sections and findings). 0015's extract_pending_tables() names the same seven. */
static const ExtractKind *const STREAM_KINDS[] = {
    &EXTRACT_KIND_PUPIL, &EXTRACT_KIND_STAFF, &EXTRACT_KIND_CONTACT, &EXTRACT_KIND_RELATIONSHIP,
    &EXTRACT_KIND_GROUP, &EXTRACT_KIND_MEMBERSHIP,
};
#define KIND_TABLES ((int)(sizeof STREAM_KINDS / sizeof STREAM_KINDS[0]))
#define META KIND_TABLES
#define TABLES (KIND_TABLES + 1)

typedef struct StreamTable {
    char name[32];          /* "extract_pupil", ..., "extract_meta" */
    const ExtractKind *kind; /* NULL for the meta table */
    Db *db;
    bool inCopy;
    CopyBuf copy;
} StreamTable;

typedef struct Stream {
    Db *control;
    int token; /* 0: none taken */
    StreamTable tables[TABLES];
    long *loadIds; /* by school ordinal - 1, handed out as the sections appear */
    int schools;
    int capacity;
    ExtractWarn warn;
    void *warnContext;
    const char *file; /* as the user gave it */
    ExtractLoadResult *result;
} Stream;

static bool flushToDb(void *context, const char *data, size_t length, Error *err)
{
    return dbCopyInPut(context, data, length, err);
}

/* The load_id of school section `school` (1-based), taken from extract_load's sequence the first
 * time one of its rows arrives: the rows carry their final load_id, so nothing rewrites them. */
static bool loadIdFor(Stream *stream, int school, long line, const char *what, long *loadId,
                      Error *err)
{
    /* (the walk refuses a native record outside a <school>, so every row has a section) */
    if (school < 1)
        return errorSet(err, EXIT_INTERNAL, "%s:%ld: %s of no school section reached the load",
                        stream->file, line, what);
    while (stream->schools < school) {
        char value[32];

        if (stream->schools == stream->capacity) {
            int capacity = stream->capacity ? stream->capacity * 2 : 16;
            long *grown = realloc(stream->loadIds, (size_t)capacity * sizeof *grown);
            if (grown == NULL)
                return errorSet(err, EXIT_INTERNAL, "out of memory");
            stream->loadIds = grown;
            stream->capacity = capacity;
        }
        if (!dbQueryValue(stream->control, "allocate load id",
                          "SELECT pg_catalog.nextval(pg_catalog.pg_get_serial_sequence("
                          "'misswitch_staging.extract_load', 'load_id'))",
                          0, NULL, value, sizeof value, NULL, err))
            return false;
        stream->loadIds[stream->schools++] = atol(value);
    }
    *loadId = stream->loadIds[school - 1];
    return true;
}

static StreamTable *tableFor(Stream *stream, const ExtractKind *kind)
{
    for (int t = 0; t < KIND_TABLES; t++)
        if (stream->tables[t].kind == kind)
            return &stream->tables[t];
    return kind == &EXTRACT_KIND_SCHOOL ? &stream->tables[META] : NULL;
}

/* A row of a staging table: load_id, source_line, then the kind's columns in table order (an
 * absent array is the column's default, '{}'). A school section is a row of the meta table. */
static bool streamRecord(void *context, const ExtractRecord *record, Error *err)
{
    Stream *stream = context;
    StreamTable *table = tableFor(stream, record->kind);
    CopyBuf *copy;
    long loadId;
    bool ok;

    if (table == NULL)
        return errorSet(err, EXIT_INTERNAL, "no staging table for records of kind %s",
                        record->kind->name);
    if (!loadIdFor(stream, record->school, record->line, record->kind->name, &loadId, err))
        return false;
    copy = &table->copy;
    ok = (table->kind == NULL ? copyBufField(copy, record->kind->name, err) : true) &&
         copyBufInteger(copy, loadId, err) && copyBufInteger(copy, record->line, err);
    for (int c = 0; ok && c < record->kind->columnCount; c++) {
        const char *value = record->values[c];
        if (value == NULL && record->kind->columns[c].type == EXTRACT_ARRAY)
            value = "{}";
        ok = copyBufField(copy, value, err);
    }
    if (!ok || !copyBufEndRow(copy, err))
        return false;
    stream->result->records++;
    return true;
}

/* A finding is a meta row: kind 'finding', c1 its kind, c2 the detail. */
static bool streamFinding(void *context, int school, long line, const char *kind,
                          const char *detail, Error *err)
{
    Stream *stream = context;
    CopyBuf *copy = &stream->tables[META].copy;
    long loadId;

    if (!loadIdFor(stream, school, line, "finding", &loadId, err))
        return false;
    if (!copyBufField(copy, "finding", err) || !copyBufInteger(copy, loadId, err) ||
        !copyBufInteger(copy, line, err) || !copyBufField(copy, kind, err) ||
        !copyBufField(copy, detail, err) || !copyBufField(copy, NULL, err) ||
        !copyBufField(copy, NULL, err) || !copyBufField(copy, NULL, err) ||
        !copyBufEndRow(copy, err))
        return false;
    stream->result->findings++;
    if (stream->warn)
        stream->warn(stream->warnContext, stream->file, line, detail);
    return true;
}

/* COPY into the table's pending table, naming the columns the rows carry. */
static bool beginCopy(Stream *stream, StreamTable *table, Error *err)
{
    StrBuf sql = {0};
    bool ok;

    strBufAppendFormat(&sql,
                       "BEGIN; SELECT misswitch.extract_pending_create(%d, '%s')",
                       stream->token, table->name);
    ok = !sql.failed && dbExec(table->db, "create pending table", strBufText(&sql), err);
    sql.length = 0;
    strBufAppendFormat(&sql, "COPY misswitch_staging.%s_pending_%d (", table->name,
                       stream->token);
    if (table->kind == NULL) {
        strBufAppend(&sql, "kind, load_id, source_line, c1, c2, c3, c4, c5");
    } else {
        strBufAppend(&sql, "load_id, source_line");
        for (int c = 0; c < table->kind->columnCount; c++)
            strBufAppendFormat(&sql, ", %s", table->kind->columns[c].name);
    }
    /* (FREEZE: the table is new in this transaction, so its rows can be written frozen, and
     * the index builds, checks and every later reader need not set hint bits on each page) */
    strBufAppend(&sql, ") FROM STDIN WITH (FREEZE)");
    if (sql.failed)
        ok = errorSet(err, EXIT_INTERNAL, "out of memory");
    ok = ok && dbCopyInBegin(table->db, "copy extract rows", strBufText(&sql), err);
    table->inCopy = ok;
    strBufFree(&sql);
    return ok;
}

static bool openTables(Stream *stream, const char *conninfo, Error *err)
{
    for (int t = 0; t < TABLES; t++) {
        StreamTable *table = &stream->tables[t];

        table->kind = t < KIND_TABLES ? STREAM_KINDS[t] : NULL;
        snprintf(table->name, sizeof table->name, "extract_%s",
                 table->kind ? table->kind->name : "meta");
        if ((table->db = dbOpen(conninfo, err)) == NULL)
            return false;
        copyBufInit(&table->copy, flushToDb, table->db);
        if (!beginCopy(stream, table, err))
            return false;
    }
    return true;
}

/* The file was read to its end: every table ends its COPY and commits (the pending tables now
 * exist for the control connection), then all of them build their indexes at the same time. */
static bool finishTables(Stream *stream, const char *sourceFile, Error *err)
{
    StrBuf sql = {0};
    const char *failedTable = NULL;
    bool ok = true;
    int sent;

    for (int t = 0; t < TABLES; t++) {
        StreamTable *table = &stream->tables[t];
        /* (a failure leaves inCopy set: the caller ends the COPY with the error) */
        if (!copyBufFlush(&table->copy, err))
            return false;
        table->inCopy = false;
        if (!dbCopyInEnd(table->db, NULL, err))
            return false;
    }
    for (sent = 0; sent < TABLES; sent++) {
        sql.length = 0;
        strBufAppendFormat(&sql, "COMMIT; SELECT misswitch.extract_pending_finish(%d, '%s', '{",
                           stream->token, stream->tables[sent].name);
        for (int s = 0; s < stream->schools; s++)
            strBufAppendFormat(&sql, "%s%ld", s ? "," : "", stream->loadIds[s]);
        strBufAppend(&sql, "}')");
        if (sql.failed) {
            ok = errorSet(err, EXIT_INTERNAL, "out of memory");
            break;
        }
        if (!dbSend(stream->tables[sent].db, "finish pending table", strBufText(&sql), err)) {
            ok = false;
            break;
        }
    }
    strBufFree(&sql);
    /* Wait for every one sent (each must be drained), keeping the first failure. */
    for (int t = 0; t < sent; t++) {
        Error tableErr;
        if (!dbWait(stream->tables[t].db, "finish pending table", &tableErr) && ok) {
            *err = tableErr;
            ok = false;
            if (strcmp(dbLastSqlstate(stream->tables[t].db), SQLSTATE_UNIQUE_VIOLATION) == 0)
                failedTable = stream->tables[t].name;
        }
    }
    if (failedTable != NULL) {
        /* Name the duplicate with its lines: this raises the input error when it finds one. */
        const char *params[3] = {NULL, failedTable, sourceFile};
        char token[16];
        DbResult *rows;

        snprintf(token, sizeof token, "%d", stream->token);
        params[0] = token;
        rows = dbQuery(stream->control, "name duplicate",
                       "SELECT misswitch.extract_pending_duplicates($1, $2, $3)", 3, params, err);
        if (rows == NULL)
            extractLoadInputError(stream->control, "name duplicate", sourceFile, stream->file,
                                  err);
        dbResultFree(rows);
    }
    return ok;
}

static bool publish(Stream *stream, const char *role, const char *sourceFile, Error *err)
{
    char token[16];
    const char *params[4] = {token, role, "native", sourceFile};
    DbResult *rows;
    Error ignored;
    bool ok;

    snprintf(token, sizeof token, "%d", stream->token);
    if (!dbExec(stream->control, "begin publish", "BEGIN", err))
        return false;
    rows = dbQuery(stream->control, "publish extract",
                   "SELECT * FROM misswitch.extract_pending_publish($1, $2, $3, $4)", 4, params,
                   err);
    if (rows == NULL)
        extractLoadInputError(stream->control, "publish extract", sourceFile, stream->file, err);
    ok = rows != NULL && extractLoadCounts(rows, stream->result, err) &&
         dbExec(stream->control, "commit load", "COMMIT", err);
    dbResultFree(rows);
    if (!ok)
        dbExec(stream->control, "rollback", "ROLLBACK", &ignored);
    return ok;
}

/* Drops whatever pending table is left and lets the token go. After ^C no statement runs, and
 * the next load's sweep drops them instead. */
static void closeStream(Stream *stream)
{
    char token[16];
    const char *params[1] = {token};
    Error ignored;

    snprintf(token, sizeof token, "%d", stream->token);
    dbResultFree(dbQuery(stream->control, "close streamed load",
                         "SELECT misswitch.extract_pending_close($1)", 1, params, &ignored));
}

bool extractStreamLoad(Db *control, const char *conninfo, ExtractReader *reader, const char *role,
                       const char *sourceFile, ExtractWarn warn, void *warnContext,
                       ExtractLoadResult *result, Error *err)
{
    Stream *stream = calloc(1, sizeof *stream); /* seven 64 KiB buffers: not on the stack */
    const ExtractSink sink = {streamRecord, streamFinding, stream};
    struct timespec phase;
    char token[16];
    bool ok = false;

    memset(result, 0, sizeof *result);
    if (stream == NULL)
        return errorSet(err, EXIT_INTERNAL, "out of memory");
    stream->control = control;
    stream->warn = warn;
    stream->warnContext = warnContext;
    stream->file = extractReaderPath(reader);
    stream->result = result;

    if (!dbQueryValue(control, "open streamed load", "SELECT misswitch.extract_pending_open()", 0,
                      NULL, token, sizeof token, NULL, err))
        goto cleanup;
    stream->token = atoi(token);
    clock_gettime(CLOCK_MONOTONIC, &phase);
    ok = openTables(stream, conninfo, err) && extractReaderRun(reader, &sink, err);
    if (ok)
        testPauseAt("load extract", "finish");
    result->readSeconds = commandSecondsSince(&phase);
    clock_gettime(CLOCK_MONOTONIC, &phase);
    ok = ok && finishTables(stream, sourceFile, err);
    if (ok)
        testPauseAt("load extract", "publish");
    result->indexSeconds = commandSecondsSince(&phase);
    clock_gettime(CLOCK_MONOTONIC, &phase);
    ok = ok && publish(stream, role, sourceFile, err);
    result->publishSeconds = commandSecondsSince(&phase);

cleanup:
    for (int t = 0; t < TABLES; t++) {
        StreamTable *table = &stream->tables[t];
        Error ignored;
        /* The reader's error is the one to report: end a COPY with it (the table's transaction
         * then rolls back and its pending table never existed). */
        if (table->inCopy)
            dbCopyInEnd(table->db, err->message[0] ? err->message : "load failed", &ignored);
        dbClose(table->db);
    }
    if (stream->token != 0)
        closeStream(stream);
    if (!ok)
        extractLoadResultFree(result);
    free(stream->loadIds);
    free(stream);
    return ok;
}
