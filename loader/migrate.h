/* migrate.h — the tool's schema version: applies the compiled-in migrations, refuses drift */
#ifndef MISSWITCH_MIGRATE_H
#define MISSWITCH_MIGRATE_H

#include <stdbool.h>

#include "db.h"
#include "error.h"

/* What migrateApply did. */
typedef struct MigrateResult {
    int applied;       /* migrations applied by this call */
    int version;       /* the schema version now (the highest migration) */
} MigrateResult;

/*
 * Applies every migration the database lacks, in order, in one transaction under the advisory
 * lock, recording each with its SHA-256. Refuses (EXIT_REFUSED, nothing changed) a database
 * whose recorded migrations differ from the binary's: an unknown version or a changed checksum.
 * With markTestCopy, also records this database as a test copy.
 */
bool migrateApply(Db *db, bool markTestCopy, MigrateResult *result, Error *err);

/*
 * The version handshake every other command makes: succeeds only when the database holds exactly
 * the binary's migrations. Otherwise EXIT_REFUSED with a hint to run `misswitch init`.
 */
bool migrateCheck(Db *db, Error *err);

/* SHA-256 of text as 64 lowercase hex digits (out must hold 65 bytes). */
void migrateChecksum(const char *text, size_t length, char *out);

/* The highest migration the binary carries. */
int migrateBinaryVersion(void);

#endif
