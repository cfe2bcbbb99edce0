/* extract_load.h — streams an extract's records into staging in one transaction */
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
} ExtractLoadResult;

/* Receives each finding as it is found (for stderr); the load counts and stages them. */
typedef void (*ExtractWarn)(void *context, const char *file, long line, const char *message);

/*
 * Reads the rest of reader's file into the staging tables, atomically: BEGIN, COPY every record
 * into a temp table as the file is read, misswitch.extract_rows_finish (0003) checks and splits
 * them, replacing the earlier load of each school for this role and format, COMMIT. Any error —
 * the file's, a data problem (EXIT_INPUT), the database's — rolls everything back, so the
 * previous load stays. sourceFile is what staging records as the file. Must never leave the
 * connection in a transaction or in COPY.
 */
bool extractLoad(Db *db, ExtractReader *reader, const char *role, const char *sourceFile,
                 ExtractWarn warn, void *warnContext, ExtractLoadResult *result, Error *err);

void extractLoadResultFree(ExtractLoadResult *result);

#endif
