/* migrate.c — the tool's schema version: applies the compiled-in migrations, refuses drift */
#include "migrate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedded.h"

/* Version number of a migration file name "NNNN_verb_object.sql". */
static int migrationVersion(const EmbeddedFile *file)
{
    return atoi(file->name);
}

static const EmbeddedFile *findMigration(int version)
{
    for (int i = 0; i < EMBEDDED_MIGRATION_COUNT; i++)
        if (migrationVersion(&EMBEDDED_MIGRATIONS[i]) == version)
            return &EMBEDDED_MIGRATIONS[i];
    return NULL;
}

int migrateBinaryVersion(void)
{
    return EMBEDDED_MIGRATION_COUNT > 0
               ? migrationVersion(&EMBEDDED_MIGRATIONS[EMBEDDED_MIGRATION_COUNT - 1])
               : 0;
}

void migrateChecksum(const char *text, size_t length, char *out)
{
    unsigned char hash[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(hash, (const unsigned char *)text, length);
    sodium_bin2hex(out, crypto_hash_sha256_BYTES * 2 + 1, hash, sizeof hash);
}

/*
 * Compares what the database recorded with what the binary carries. Sets *applied to the number
 * of recorded migrations (0 for a fresh database). Refuses unknown or changed migrations.
 */
static bool compareRecorded(Db *db, int *applied, Error *err)
{
    char exists[8];
    DbResult *result;
    bool ok = true;

    *applied = 0;
    if (!dbQueryValue(db, "look for the migration table",
                      "SELECT pg_catalog.to_regclass('misswitch.migration') IS NOT NULL", 0, NULL,
                      exists, sizeof exists, NULL, err))
        return false;
    if (strcmp(exists, "t") != 0)
        return true;

    result = dbQuery(db, "read recorded migrations",
                     "SELECT version, name, checksum FROM misswitch.migration ORDER BY version", 0,
                     NULL, err);
    if (result == NULL)
        return false;
    for (int row = 0; row < dbResultRows(result) && ok; row++) {
        int version = atoi(dbResultValue(result, row, 0));
        const char *name = dbResultValue(result, row, 1);
        const char *recorded = dbResultValue(result, row, 2);
        const EmbeddedFile *file = findMigration(version);
        char checksum[crypto_hash_sha256_BYTES * 2 + 1];

        if (file != NULL && file != &EMBEDDED_MIGRATIONS[row]) {
            /* later migrations without an earlier one: applying "the rest" would re-run them */
            ok = errorSet(err, EXIT_REFUSED,
                          "database has migration %s but lacks %s that comes before it",
                          file->name, EMBEDDED_MIGRATIONS[row].name);
            errorHint(err, "the migration record was edited by hand: restore it, or start from "
                      "a fresh database");
            break;
        }
        if (file == NULL) {
            ok = errorSet(err, EXIT_REFUSED,
                          "database has migration %04d (%s) that this misswitch does not know",
                          version, name);
            errorHint(err, "this misswitch carries migrations up to %04d: use the newer misswitch "
                      "that applied it", migrateBinaryVersion());
            break;
        }
        migrateChecksum(file->text, file->length, checksum);
        if (strcmp(checksum, recorded) != 0) {
            ok = errorSet(err, EXIT_REFUSED,
                          "migration %s differs from the one applied to this database", file->name);
            errorDetail(err, "recorded checksum %s, this misswitch carries %s", recorded, checksum);
            errorHint(err, "migrations are forward-only: never edit an applied migration, add "
                      "the next number instead");
            break;
        }
        (*applied)++;
    }
    dbResultFree(result);
    return ok;
}

static bool applyOne(Db *db, const EmbeddedFile *file, Error *err)
{
    char checksum[crypto_hash_sha256_BYTES * 2 + 1];
    char version[16];
    const char *params[3];

    if (!dbExec(db, file->name, file->text, err)) {
        errorPrefix(err, "migration %s: ", file->name);
        return false;
    }
    migrateChecksum(file->text, file->length, checksum);
    snprintf(version, sizeof version, "%d", migrationVersion(file));
    params[0] = version;
    params[1] = file->name;
    params[2] = checksum;
    DbResult *result = dbQuery(db, "record migration",
                               "INSERT INTO misswitch.migration (version, name, checksum) "
                               "VALUES ($1::integer, $2, $3)",
                               3, params, err);
    dbResultFree(result);
    return result != NULL;
}

bool migrateApply(Db *db, bool markTestCopy, MigrateResult *out, Error *err)
{
    int recorded = 0;

    if (sodium_init() < 0)
        return errorSet(err, EXIT_INTERNAL, "cannot initialise libsodium");
    memset(out, 0, sizeof *out);
    if (!dbExec(db, "begin", "BEGIN; SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('misswitch'))", err))
        return false;
    if (!compareRecorded(db, &recorded, err))
        goto rollback;
    for (int i = recorded; i < EMBEDDED_MIGRATION_COUNT; i++) {
        if (!applyOne(db, &EMBEDDED_MIGRATIONS[i], err))
            goto rollback;
        out->applied++;
    }
    if (markTestCopy &&
        !dbExec(db, "mark test copy",
                "INSERT INTO misswitch.test_copy (source_database, marked_by) "
                "VALUES (pg_catalog.current_database(), 'init --test-copy') "
                "ON CONFLICT (singleton) DO NOTHING",
                err))
        goto rollback;
    if (!dbExec(db, "commit", "COMMIT", err))
        goto rollback;
    out->version = migrateBinaryVersion();
    return true;

rollback:
    {
        Error ignored;
        dbExec(db, "rollback", "ROLLBACK", &ignored);
    }
    return false;
}

bool migrateCheck(Db *db, Error *err)
{
    int recorded = 0;

    if (sodium_init() < 0)
        return errorSet(err, EXIT_INTERNAL, "cannot initialise libsodium");
    if (!compareRecorded(db, &recorded, err))
        return false;
    if (recorded == 0) {
        errorSet(err, EXIT_REFUSED, "database %s is not initialised", dbName(db));
        errorHint(err, "run: misswitch init");
        return false;
    }
    if (recorded < EMBEDDED_MIGRATION_COUNT) {
        errorSet(err, EXIT_REFUSED, "database %s has %d of this misswitch's %d migrations",
                 dbName(db), recorded, EMBEDDED_MIGRATION_COUNT);
        errorHint(err, "run: misswitch init");
        return false;
    }
    return true;
}
