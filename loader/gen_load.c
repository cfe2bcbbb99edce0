/* gen_load.c — runs a written platform.sql in a database, for `gen -d CONNINFO` */
#include "gen_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "embedded.h"

#define CHUNK_SIZE (8u << 20)

/* Runs the data part of the file: chunks that end just after a line ending in ";", which in
 * platform.sql's data part is always the end of a statement (values never hold line breaks). */
static bool runData(Db *db, FILE *file, const char *path, Error *err)
{
    char *buffer = malloc(CHUNK_SIZE + 1);
    size_t held = 0;
    bool ok = true;

    if (buffer == NULL)
        return errorSet(err, EXIT_INTERNAL, "gen: out of memory");
    for (;;) {
        size_t got = fread(buffer + held, 1, CHUNK_SIZE - held, file), end;
        bool atEnd;
        held += got;
        if (ferror(file)) {
            ok = errorSet(err, EXIT_INPUT, "gen: cannot read %s: %s", path, strerror(errno));
            break;
        }
        atEnd = got == 0 || feof(file);
        end = held;
        if (!atEnd) {
            while (end >= 2 && !(buffer[end - 1] == '\n' && buffer[end - 2] == ';'))
                end--;
            if (end < 2) {
                ok = errorSet(err, EXIT_INTERNAL, "gen: a statement in %s is longer than %u bytes",
                              path, CHUNK_SIZE);
                break;
            }
        }
        if (end > 0) {
            char saved = buffer[end];
            buffer[end] = '\0';
            ok = dbExec(db, "load generated platform data", buffer, err);
            buffer[end] = saved;
            if (!ok)
                break;
        }
        memmove(buffer, buffer + end, held - end);
        held -= end;
        if (atEnd)
            break;
    }
    free(buffer);
    return ok;
}

bool genLoadPlatform(const char *conninfo, const char *path, long dataOffset, char *database,
                     size_t databaseSize, Error *err)
{
    Db *db = dbOpen(conninfo, err);
    FILE *file = NULL;
    bool ok;

    if (db == NULL)
        return false;
    snprintf(database, databaseSize, "%s", dbName(db));
    ok = dbExec(db, "begin", "BEGIN; SET LOCAL standard_conforming_strings = on", err);
    if (ok && !dbExec(db, "create the reference platform schema", EMBEDDED_PLATFORM_SCHEMA.text, err)) {
        if (strcmp(dbLastSqlstate(db), "42P06") == 0 || strcmp(dbLastSqlstate(db), "42P07") == 0)
            errorHint(err, "gen -d loads into a database without a platform schema: use a fresh "
                           "database or DROP SCHEMA platform CASCADE");
        ok = false;
    }
    if (ok) {
        file = fopen(path, "r");
        if (file == NULL || fseek(file, dataOffset, SEEK_SET) != 0)
            ok = errorSet(err, EXIT_INPUT, "gen: cannot read %s: %s", path, strerror(errno));
    }
    ok = ok && runData(db, file, path, err) && dbExec(db, "commit", "COMMIT", err);
    if (file != NULL)
        fclose(file);
    dbClose(db); /* without COMMIT, closing rolls everything back */
    return ok;
}
