/* overrides.c — loads a file of manual match decisions (overrides CSV) into the work schema */
#include "overrides.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 65536

static const char COPY_FOUR[] =
    "COPY misswitch_work.override (account, target, decision, note) "
    "FROM STDIN (FORMAT csv, HEADER true)";
static const char COPY_SEVEN[] =
    "COPY misswitch_work.override (account, target, decision, note, reason, score, runner_up) "
    "FROM STDIN (FORMAT csv, HEADER true)";

/* Counts the fields of a CSV header line (commas outside quotes, plus one). */
static int headerFields(const char *line)
{
    bool quoted = false;
    int fields = 1;

    for (const char *c = line; *c != '\0' && *c != '\n' && *c != '\r'; c++) {
        if (*c == '"')
            quoted = !quoted;
        else if (*c == ',' && !quoted)
            fields++;
    }
    return fields;
}

static bool inputError(Error *err, const char *path, const char *what)
{
    errorSet(err, EXIT_INPUT, "overrides %s: %s", path, what);
    errorHint(err, "the header is account,target,decision,note (review.csv's reason,score,runner_up "
                   "may follow)");
    return false;
}

static bool copyFile(Db *db, FILE *file, const char *path, Error *err)
{
    char header[4096];
    char *chunk = NULL;
    size_t length;
    int fields;

    if (fgets(header, sizeof header, file) == NULL)
        return inputError(err, path, "empty file: expected a header line");
    if (strncmp(header, "account,target,decision,note", 28) != 0)
        return inputError(err, path, "line 1: not an overrides header");
    fields = headerFields(header);
    if (fields != 4 && fields != 7)
        return inputError(err, path, "line 1: expected 4 or 7 columns");
    if (!dbCopyInBegin(db, "load overrides", fields == 4 ? COPY_FOUR : COPY_SEVEN, err))
        return false;
    chunk = malloc(CHUNK_SIZE);
    if (chunk == NULL) {
        dbCopyInEnd(db, "out of memory", err);
        return errorSet(err, EXIT_INTERNAL, "out of memory");
    }
    /* COPY skips the header itself: send it again. */
    if (!dbCopyInPut(db, header, strlen(header), err))
        goto fail;
    while ((length = fread(chunk, 1, CHUNK_SIZE, file)) > 0)
        if (!dbCopyInPut(db, chunk, length, err))
            goto fail;
    if (ferror(file)) {
        dbCopyInEnd(db, "read error", err);
        free(chunk);
        return errorSet(err, EXIT_INPUT, "overrides %s: cannot read: %s", path, strerror(errno));
    }
    free(chunk);
    if (!dbCopyInEnd(db, NULL, err)) {
        err->code = EXIT_INPUT;
        errorPrefix(err, "overrides %s: ", path);
        return false;
    }
    return true;

fail:
    free(chunk);
    {
        Error ignored; /* the first error is the one to report */
        dbCopyInEnd(db, "overrides load failed", &ignored);
    }
    return false;
}

bool overridesLoad(Db *db, const char *path, long *rows, Error *err)
{
    char count[32];
    FILE *file = NULL;
    bool ok;

    *rows = 0;
    if (!dbExec(db, "clear overrides", "TRUNCATE misswitch_work.override RESTART IDENTITY", err))
        return false;
    if (path == NULL)
        return true;
    file = fopen(path, "r");
    if (file == NULL)
        return errorSet(err, EXIT_INPUT, "overrides %s: cannot open: %s", path, strerror(errno));
    ok = copyFile(db, file, path, err);
    fclose(file);
    if (!ok)
        return false;
    if (!dbQueryValue(db, "check overrides", "SELECT misswitch_work.check_overrides()", 0, NULL,
                      count, sizeof count, NULL, err)) {
        if (strcmp(dbLastSqlstate(db), "MSINP") == 0) {
            err->code = EXIT_INPUT;
            errorPrefix(err, "%s: ", path);
        }
        return false;
    }
    *rows = atol(count);
    return true;
}
