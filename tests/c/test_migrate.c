/* label: db */
/* test_migrate.c — migrations: fresh apply, idempotence, the version handshake, drift refused */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "embedded.h"
#include "migrate.h"

#define RESET_SQL                                                                          \
    "SET client_min_messages = warning; "                                                  \
    "DROP SCHEMA IF EXISTS misswitch, misswitch_staging, misswitch_work CASCADE"
#define FINGERPRINT_SQL                                                                            \
    "SELECT pg_catalog.md5(pg_catalog.string_agg(version || ':' || name || ':' || checksum || ':' " \
    "|| applied_at, ',' ORDER BY version)) FROM misswitch.migration"

static int setUp(void **state)
{
    Error err;
    Db *db = dbOpen(NULL, &err);

    if (db == NULL) {
        errorPrint(&err, stderr);
        return -1;
    }
    if (!dbExec(db, "reset", RESET_SQL, &err)) {
        errorPrint(&err, stderr);
        dbClose(db);
        return -1;
    }
    *state = db;
    return 0;
}

static int tearDown(void **state)
{
    Error err;

    dbExec(*state, "reset", RESET_SQL, &err);
    dbClose(*state);
    return 0;
}

static void value(Db *db, const char *sql, char *out, size_t size)
{
    Error err;
    bool ok = dbQueryValue(db, "test query", sql, 0, NULL, out, size, NULL, &err);

    if (!ok)
        errorPrint(&err, stderr);
    assert_true(ok);
}

static void run(Db *db, const char *sql)
{
    Error err;
    bool ok = dbExec(db, "test statement", sql, &err);

    if (!ok)
        errorPrint(&err, stderr);
    assert_true(ok);
}

static void applyAll(Db *db)
{
    MigrateResult result;
    Error err;
    bool ok = migrateApply(db, false, &result, &err);

    if (!ok)
        errorPrint(&err, stderr);
    assert_true(ok);
    assert_int_equal(result.applied, EMBEDDED_MIGRATION_COUNT);
}

static void test_fresh_database_gets_every_migration(void **state)
{
    Db *db = *state;
    MigrateResult result;
    char text[128];
    Error err;

    assert_true(EMBEDDED_MIGRATION_COUNT > 0);
    assert_true(migrateApply(db, false, &result, &err));
    assert_int_equal(result.applied, EMBEDDED_MIGRATION_COUNT);
    assert_int_equal(result.version, migrateBinaryVersion());
    value(db, "SELECT count(*) FROM misswitch.migration", text, sizeof text);
    assert_int_equal(atoi(text), EMBEDDED_MIGRATION_COUNT);
    value(db, "SELECT max(version) FROM misswitch.migration", text, sizeof text);
    assert_int_equal(atoi(text), migrateBinaryVersion());
    /* every recorded checksum is that of the file the binary carries */
    for (int i = 0; i < EMBEDDED_MIGRATION_COUNT; i++) {
        char checksum[65], sql[256], recorded[128];

        migrateChecksum(EMBEDDED_MIGRATIONS[i].text, EMBEDDED_MIGRATIONS[i].length, checksum);
        snprintf(sql, sizeof sql, "SELECT checksum FROM misswitch.migration WHERE version = %d",
                 atoi(EMBEDDED_MIGRATIONS[i].name));
        value(db, sql, recorded, sizeof recorded);
        assert_string_equal(recorded, checksum);
    }
    /* not a test copy unless asked */
    value(db, "SELECT count(*) FROM misswitch.test_copy", text, sizeof text);
    assert_string_equal(text, "0");
    assert_true(migrateCheck(db, &err));
}

static void test_second_apply_changes_nothing(void **state)
{
    Db *db = *state;
    char before[64], after[64];
    MigrateResult result;
    Error err;

    applyAll(db);
    value(db, FINGERPRINT_SQL, before, sizeof before);
    assert_true(migrateApply(db, false, &result, &err));
    assert_int_equal(result.applied, 0);
    assert_int_equal(result.version, migrateBinaryVersion());
    value(db, FINGERPRINT_SQL, after, sizeof after);
    assert_string_equal(before, after);
    assert_true(migrateCheck(db, &err));
}

static void test_test_copy_mark_is_recorded_once(void **state)
{
    Db *db = *state;
    MigrateResult result;
    char text[64];
    Error err;

    assert_true(migrateApply(db, true, &result, &err));
    assert_true(migrateApply(db, true, &result, &err));
    assert_int_equal(result.applied, 0);
    value(db, "SELECT count(*) FROM misswitch.test_copy", text, sizeof text);
    assert_string_equal(text, "1");
}

static void test_changed_checksum_is_refused(void **state)
{
    Db *db = *state;
    char before[64], after[64], text[16];
    MigrateResult result;
    Error err;

    applyAll(db);
    run(db, "UPDATE misswitch.migration SET checksum = 'x' WHERE version = 2");
    value(db, FINGERPRINT_SQL, before, sizeof before);
    assert_false(migrateApply(db, false, &result, &err));
    assert_int_equal(err.code, EXIT_REFUSED);
    assert_non_null(strstr(err.message, "differs"));
    assert_int_equal(result.applied, 0);
    value(db, FINGERPRINT_SQL, after, sizeof after);
    assert_string_equal(before, after);
    /* the refusal rolled back: the connection is usable, outside any transaction */
    value(db, "SELECT pg_catalog.current_setting('transaction_isolation') IS NOT NULL", text,
          sizeof text);
    run(db, "BEGIN; COMMIT");

    assert_false(migrateCheck(db, &err));
    assert_int_equal(err.code, EXIT_REFUSED);
    assert_non_null(strstr(err.message, "differs"));
}

static void test_unknown_migration_is_refused(void **state)
{
    Db *db = *state;
    char before[64], after[64];
    MigrateResult result;
    Error err;

    applyAll(db);
    run(db, "INSERT INTO misswitch.migration (version, name, checksum) "
            "VALUES (9999, '9999_from_the_future.sql', 'abc')");
    value(db, FINGERPRINT_SQL, before, sizeof before);
    assert_false(migrateApply(db, false, &result, &err));
    assert_int_equal(err.code, EXIT_REFUSED);
    assert_non_null(strstr(err.message, "does not know"));
    assert_non_null(strstr(err.message, "9999"));
    assert_int_equal(result.applied, 0);
    value(db, FINGERPRINT_SQL, after, sizeof after);
    assert_string_equal(before, after);

    assert_false(migrateCheck(db, &err));
    assert_int_equal(err.code, EXIT_REFUSED);
    assert_non_null(strstr(err.message, "does not know"));
}

static void test_missing_middle_migration_is_refused(void **state)
{
    Db *db = *state;
    char before[64], after[64];
    MigrateResult result;
    Error err;

    if (EMBEDDED_MIGRATION_COUNT < 3)
        skip();
    applyAll(db);
    run(db, "DELETE FROM misswitch.migration WHERE version = 2");
    value(db, FINGERPRINT_SQL, before, sizeof before);
    /* a gap is drift, not "behind": refuse rather than re-run later migrations */
    assert_false(migrateApply(db, false, &result, &err));
    assert_int_equal(err.code, EXIT_REFUSED);
    assert_int_equal(result.applied, 0);
    value(db, FINGERPRINT_SQL, after, sizeof after);
    assert_string_equal(before, after);
    assert_false(migrateCheck(db, &err));
    assert_int_equal(err.code, EXIT_REFUSED);
}

static void test_check_on_a_database_behind_the_binary(void **state)
{
    Db *db = *state;
    char sql[128];
    Error err;

    applyAll(db);
    snprintf(sql, sizeof sql, "DELETE FROM misswitch.migration WHERE version = %d",
             migrateBinaryVersion());
    run(db, sql);
    assert_false(migrateCheck(db, &err));
    assert_int_equal(err.code, EXIT_REFUSED);
    assert_non_null(strstr(err.hint, "misswitch init"));
}

static void test_check_without_the_schema_says_not_initialised(void **state)
{
    Db *db = *state;
    Error err;

    assert_false(migrateCheck(db, &err));
    assert_int_equal(err.code, EXIT_REFUSED);
    assert_non_null(strstr(err.message, "not initialised"));
    assert_non_null(strstr(err.hint, "misswitch init"));
}

static void test_checksum_is_sha256_hex(void **state)
{
    char checksum[65];
    (void)state;

    migrateChecksum("abc", 3, checksum);
    assert_string_equal(checksum,
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_database_gets_every_migration, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_second_apply_changes_nothing, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_test_copy_mark_is_recorded_once, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_changed_checksum_is_refused, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_unknown_migration_is_refused, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_missing_middle_migration_is_refused, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_check_on_a_database_behind_the_binary, setUp,
                                        tearDown),
        cmocka_unit_test_setup_teardown(test_check_without_the_schema_says_not_initialised, setUp,
                                        tearDown),
        cmocka_unit_test(test_checksum_is_sha256_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
