/* snapshot_take.c — takes an encrypted snapshot: pg_dump -Fc streamed through the snapshot
 * stream into a file that appears whole or not at all */
#include "snapshot_take.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "child_process.h"
#include "db.h"
#include "files.h"
#include "json.h"
#include "snapshot_key.h"

/* The authenticated metadata frame: where the snapshot came from, when, and by which binary. */
static bool buildMetadata(const char *database, char **metadata, Error *err)
{
    char createdAt[32];
    size_t length = 0;
    time_t now = time(NULL);
    struct tm utc;
    FILE *stream;

    *metadata = NULL;
    if (gmtime_r(&now, &utc) == NULL ||
        strftime(createdAt, sizeof createdAt, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        return errorSet(err, EXIT_INTERNAL, "cannot format the current time");
    stream = open_memstream(metadata, &length);
    if (stream == NULL)
        return errorSet(err, EXIT_INTERNAL, "out of memory");
    fputs("{\"format\": \"misswitch-snapshot\", \"source_database\": ", stream);
    jsonWriteString(stream, database);
    fprintf(stream, ", \"created_at\": \"%s\", \"misswitch_version\": ", createdAt);
    jsonWriteString(stream, MISSWITCH_VERSION);
    fputs(", \"dump_format\": \"pg_dump-custom\"}", stream);
    if (fclose(stream) != 0 || *metadata == NULL) {
        free(*metadata);
        *metadata = NULL;
        return errorSet(err, EXIT_INTERNAL, "out of memory");
    }
    return true;
}

bool snapshotTake(const char *conninfo, const char *keyPath, const char *out, SnapshotTaken *taken,
                  Error *err)
{
    char *argv[5] = {"pg_dump", "--format=custom", "--no-password", NULL, NULL};
    char database[256];
    char *metadata = NULL;
    char *dbnameArgument = NULL;
    SnapshotSummary summary;
    SnapshotKey key = {{0}};
    OutputFile file = {0};
    Child child = {0};
    bool ok = false;
    Db *db;

    errorClear(err);
    if (!snapshotKeyLoad(keyPath, &key, err))
        goto cleanup;
    /* Connecting first gives libpq's clear error before pg_dump's, and the name for metadata. */
    db = dbOpen(conninfo, err);
    if (db == NULL)
        goto cleanup;
    snprintf(database, sizeof database, "%s", dbName(db));
    dbClose(db);
    if (!buildMetadata(database, &metadata, err))
        goto cleanup;
    if (conninfo != NULL && conninfo[0] != '\0') {
        dbnameArgument = malloc(strlen(conninfo) + sizeof "--dbname=");
        if (dbnameArgument == NULL) {
            errorSet(err, EXIT_INTERNAL, "out of memory");
            goto cleanup;
        }
        sprintf(dbnameArgument, "--dbname=%s", conninfo);
        argv[3] = dbnameArgument;
    }
    if (!outputFileOpen(&file, out, err))
        goto cleanup;
    if (!childStart(&child, argv, CHILD_PIPE_STDOUT, err))
        goto cleanup;
    if (!snapshotEncrypt(&key, metadata, child.fd, file.stream, &summary, err))
        goto cleanup;
    /* pg_dump failing or killed half way still ends its stdout: only its status tells. */
    if (!childFinish(&child, NULL, 0, err))
        goto cleanup;
    if (summary.plainBytes == 0) {
        errorSet(err, EXIT_QUERY, "pg_dump succeeded but wrote nothing");
        goto cleanup;
    }
    if (!outputFileCommit(&file, err))
        goto cleanup;
    if (taken != NULL) {
        snprintf(taken->database, sizeof taken->database, "%s", database);
        taken->summary = summary;
    }
    ok = true;

cleanup:
    if (!ok) {
        outputFileAbandon(&file);
        if (child.pid > 0) {
            Error ignored;
            childKill(&child);
            childFinish(&child, NULL, 0, &ignored);
        }
        errorPrefix(err, "snapshot: ");
        if (err->hint[0] == '\0' && strstr(err->message, "pg_dump") != NULL)
            errorHint(err, "no snapshot was written; pg_dump must be on PATH, match the "
                           "server's major version and connect without a password prompt");
    }
    snapshotKeyForget(&key);
    free(dbnameArgument);
    free(metadata);
    return ok;
}
