/* extract_load.h — loads an extract into staging, atomically */
#ifndef MISSWITCH_EXTRACT_LOAD_H
#define MISSWITCH_EXTRACT_LOAD_H

#include "db.h"
#include "error.h"
#include "extract_reader.h"

/* What one school section of the file staged. */
typedef struct ExtractSchoolCount {
    char schoolKey[64];   /* "LEA/DfE" */
    char schoolName[256];
    long loadId;
    long pupils, staff, contacts, relationships, groups, memberships;
    long findings; /* rows of misswitch_staging.load_finding for this school's load */
} ExtractSchoolCount;

typedef struct ExtractLoadResult {
    ExtractSchoolCount *schools;
    int schoolCount;
    long records;  /* records read from the file */
    long findings; /* findings: data problems recorded, not fatal (misswitch_staging.load_finding) */
    /* Where the time went: reading the file while its rows stream to the server; the pending
     * tables' index builds (native files); the checks, split and attach in one transaction. */
    double readSeconds, indexSeconds, publishSeconds;
} ExtractLoadResult;

/* Receives each finding as it is found (for stderr); the load counts and stages them. */
typedef void (*ExtractWarn)(void *context, const char *file, long line, const char *message);

/*
 * Reads the rest of reader's file into the staging tables, atomically, replacing the earlier load
 * of each school for this role and format. Any error — the file's, a data problem (EXIT_INPUT),
 * the database's — loads nothing, so the previous load stays. sourceFile is what staging records
 * as the file. Must never leave the connection in a transaction or in COPY.
 *
 * Native files stream over one connection per staging table (extract_stream.h; conninfo opens
 * them). CTF and IMS files are reshaped server-side from the whole file, so they take one
 * connection and one transaction: COPY every record into a temp table as the file is read, then
 * misswitch.extract_rows_finish (0003) reshapes, checks and splits them, COMMIT.
 */
bool extractLoad(Db *db, const char *conninfo, ExtractReader *reader, const char *role,
                 const char *sourceFile, ExtractWarn warn, void *warnContext,
                 ExtractLoadResult *result, Error *err);

/* For both paths: reads the rows extract_rows_finish / extract_pending_publish return. */
bool extractLoadCounts(const DbResult *rows, ExtractLoadResult *result, Error *err);

/* For both paths: a data problem the SQL side raised (SQLSTATE MSINP) becomes EXIT_INPUT, naming
 * the file as the user gave it (givenPath) instead of the stored sourceFile. */
void extractLoadInputError(Db *db, const char *what, const char *sourceFile,
                           const char *givenPath, Error *err);

void extractLoadResultFree(ExtractLoadResult *result);

#endif
