/* label: db */
/* test_cmd_snapshot.c — keygen, snapshot and restore end to end, through the built binary */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"

typedef struct Fixture {
    char dir[64];
    char key[128];
    char snapshot[128];
    char source[128]; /* PGDATABASE, given by tests/with-database.sh */
    char copy[160];   /* the database restore writes into */
    char sha256[65];  /* from snapshot --json */
} Fixture;

static Fixture fixture;

/* Runs a shell command line (the binary is `$M`), stdout and stderr into DIR/out and DIR/err;
 * returns the exit status. */
static int run(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *format, ...)
{
    char command[2048], line[4096];
    va_list args;
    int status;

    va_start(args, format);
    vsnprintf(command, sizeof command, format, args);
    va_end(args);
    snprintf(line, sizeof line, "cd %s && M=%s && { %s ; } >out 2>err", fixture.dir,
             MISSWITCH_BINARY, command);
    status = system(line);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* The content of DIR/name, as a static string. */
static const char *output(const char *name)
{
    static char text[16384];
    char path[160];
    size_t length;
    FILE *file;

    snprintf(path, sizeof path, "%s/%s", fixture.dir, name);
    file = fopen(path, "r");
    assert_non_null(file);
    length = fread(text, 1, sizeof text - 1, file);
    text[length] = '\0';
    fclose(file);
    return text;
}

static void assertStderrHas(const char *needle)
{
    const char *text = output("err");
    if (strstr(text, needle) == NULL)
        fail_msg("expected '%s' on stderr, got: %s", needle, text);
}

static void execIn(const char *database, const char *sql)
{
    char conninfo[200];
    Error err;
    Db *db;

    snprintf(conninfo, sizeof conninfo, "dbname=%s", database);
    db = dbOpen(conninfo, &err);
    if (db == NULL || !dbExec(db, sql, sql, &err))
        fail_msg("%s: %s", sql, err.message);
    dbClose(db);
}

static void valueIn(const char *database, const char *sql, char *out, size_t size)
{
    char conninfo[200];
    Error err;
    Db *db;

    snprintf(conninfo, sizeof conninfo, "dbname=%s", database);
    db = dbOpen(conninfo, &err);
    if (db == NULL || !dbQueryValue(db, sql, sql, 0, NULL, out, size, NULL, &err))
        fail_msg("%s: %s", sql, err.message);
    dbClose(db);
}

static void assertCopyHasNoTable(void)
{
    char value[16];
    valueIn(fixture.copy, "SELECT pg_catalog.to_regclass('public.pupil') IS NULL", value,
            sizeof value);
    assert_string_equal(value, "t");
}

static bool fileExists(const char *name)
{
    char path[200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", fixture.dir, name);
    return stat(path, &st) == 0;
}

static int setUp(void **state)
{
    char sql[300];
    const char *database = getenv("PGDATABASE");

    (void)state;
    if (database == NULL || database[0] == '\0')
        return -1;
    snprintf(fixture.source, sizeof fixture.source, "%s", database);
    snprintf(fixture.copy, sizeof fixture.copy, "%s_copy", database);
    snprintf(fixture.dir, sizeof fixture.dir, "/tmp/test_cmd_snapshot_XXXXXX");
    if (mkdtemp(fixture.dir) == NULL)
        return -1;
    snprintf(fixture.key, sizeof fixture.key, "%s/snapshot.key", fixture.dir);
    snprintf(fixture.snapshot, sizeof fixture.snapshot, "%s/live.snapshot", fixture.dir);
    execIn(fixture.source, "CREATE TABLE public.pupil (id integer PRIMARY KEY, name text NOT NULL);"
                           "INSERT INTO public.pupil SELECT g, 'Pupil-Zebedee-' || g "
                           "FROM pg_catalog.generate_series(1, 5000) g");
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", fixture.copy);
    execIn("postgres", sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", fixture.copy);
    execIn("postgres", sql);
    return 0;
}

static int tearDown(void **state)
{
    char sql[300], command[200];

    (void)state;
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", fixture.copy);
    execIn("postgres", sql);
    snprintf(command, sizeof command, "rm -rf %s", fixture.dir);
    return system(command) == 0 ? 0 : -1;
}

static void test_keygen_writes_a_private_key_once(void **state)
{
    struct stat st;

    (void)state;
    assert_int_equal(run("$M keygen --out snapshot.key"), 0);
    assert_int_equal(stat(fixture.key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(run("$M keygen --out snapshot.key"), 6);
    assertStderrHas("never overwritten");
}

static void test_snapshot_writes_an_encrypted_file(void **state)
{
    const char *json, *at;
    struct stat st;

    (void)state;
    assert_int_equal(run("$M init"), 0);
    assert_int_equal(run("$M --json snapshot --key-file snapshot.key --out live.snapshot"), 0);
    json = output("out");
    at = strstr(json, "\"sha256\": \"");
    assert_non_null(at);
    memcpy(fixture.sha256, at + 11, 64);
    fixture.sha256[64] = '\0';
    assert_int_equal(strspn(fixture.sha256, "0123456789abcdef"), 64);
    assert_non_null(strstr(json, "\"snapshot\": \"live.snapshot\""));
    assert_non_null(strstr(json, "\"bytes\": "));
    assertStderrHas("snapshot: wrote live.snapshot");

    assert_int_equal(stat(fixture.snapshot, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_false(fileExists("live.snapshot.tmp"));
    assert_int_equal(strncmp(output("live.snapshot"), "MISSWSNP", 8), 0);
    /* nothing readable inside: the pupils' names are encrypted */
    assert_int_equal(run("grep -q Pupil-Zebedee live.snapshot"), 1);
    assert_int_equal(run("sha256sum live.snapshot | grep -q %s", fixture.sha256), 0);
}

static void test_key_is_never_taken_from_the_command_line(void **state)
{
    (void)state;
    assert_int_equal(run("$M snapshot --key 00112233 --out x.snapshot"), 2);
    assert_int_equal(run("$M restore --key 00112233 --in live.snapshot --into dbname=%s",
                         fixture.copy), 2);
    assertStderrHas("keys are never taken from the command line");
    assert_int_equal(run("$M snapshot --key=00112233 --out x.snapshot"), 2);
    assert_int_equal(run("$M snapshot --ke 00112233 --out x.snapshot"), 2);
    assert_int_equal(run("$M snapshot --out x.snapshot"), 2);
    assertStderrHas("MISSWITCH_KEY_FILE");
    assert_false(fileExists("x.snapshot"));
}

static void test_key_file_others_can_read_is_refused(void **state)
{
    (void)state;
    assert_int_equal(run("cp snapshot.key open.key && chmod 644 open.key"), 0);
    assert_int_equal(run("$M snapshot --key-file open.key --out x.snapshot"), 3);
    assertStderrHas("HINT: chmod 600");
    assert_false(fileExists("x.snapshot"));
    assert_int_equal(run("$M restore --key-file open.key --in live.snapshot --into dbname=%s",
                         fixture.copy), 3);
}

static void test_failing_pg_dump_leaves_no_file(void **state)
{
    (void)state;
    assert_int_equal(run("mkdir -p bin && printf '%%s\\n' '#!/bin/sh' 'printf partial-archive' "
                         "'echo \"pg_dump: error: boom from the fake pg_dump\" >&2' 'exit 1' "
                         ">bin/pg_dump && chmod +x bin/pg_dump"),
                     0);
    int code = run("PATH=$PWD/bin:$PATH $M snapshot --key-file snapshot.key --out x.snapshot");
    if (code != 5)
        fail_msg("exit %d: %s", code, output("err"));
    assertStderrHas("pg_dump failed (exit 1)");
    assertStderrHas("DETAIL: pg_dump: error: boom from the fake pg_dump");
    assert_false(fileExists("x.snapshot"));
    assert_false(fileExists("x.snapshot.tmp"));

    assert_int_equal(run("printf '%%s\\n' '#!/bin/sh' 'printf partial-archive' 'kill -9 $$' "
                         ">bin/pg_dump"),
                     0);
    assert_int_equal(run("PATH=$PWD/bin:$PATH $M snapshot --key-file snapshot.key --out x.snapshot"),
                     5);
    assertStderrHas("pg_dump was killed by signal 9");
    assert_false(fileExists("x.snapshot"));
    assert_false(fileExists("x.snapshot.tmp"));

    /* exit 0 with no output is not a dump either */
    assert_int_equal(run("printf '%%s\\n' '#!/bin/sh' 'exit 0' >bin/pg_dump"), 0);
    assert_int_equal(run("PATH=$PWD/bin:$PATH $M snapshot --key-file snapshot.key --out x.snapshot"),
                     5);
    assertStderrHas("pg_dump succeeded but wrote nothing");
    assert_false(fileExists("x.snapshot"));
}

static void test_restore_with_a_wrong_key_restores_nothing(void **state)
{
    (void)state;
    assert_int_equal(run("$M keygen --out other.key"), 0);
    assert_int_equal(run("$M restore --key-file other.key --in live.snapshot --into dbname=%s",
                         fixture.copy), 6);
    assertStderrHas("snapshot live.snapshot failed authentication: ");
    assertStderrHas("wrong key");
    assertCopyHasNoTable();
}

static void test_restore_of_a_tampered_file_restores_nothing(void **state)
{
    (void)state;
    /* one byte flipped in the middle of the file */
    assert_int_equal(run("cp live.snapshot tampered.snapshot && size=$(stat -c %%s live.snapshot) "
                         "&& printf '\\377' | dd of=tampered.snapshot bs=1 seek=$((size / 2)) "
                         "conv=notrunc status=none && ! cmp -s live.snapshot tampered.snapshot"),
                     0);
    assert_int_equal(run("$M restore --key-file snapshot.key --in tampered.snapshot --into "
                         "dbname=%s", fixture.copy), 6);
    assertStderrHas("snapshot tampered.snapshot failed authentication: chunk");
    assertCopyHasNoTable();
}

static void test_restore_of_a_truncated_file_restores_nothing(void **state)
{
    (void)state;
    assert_int_equal(run("head -c $(( $(stat -c %%s live.snapshot) - 1 )) live.snapshot "
                         ">truncated.snapshot"),
                     0);
    assert_int_equal(run("$M restore --key-file snapshot.key --in truncated.snapshot --into "
                         "dbname=%s", fixture.copy), 6);
    assertStderrHas("failed authentication: truncated");
    assertCopyHasNoTable();
}

static void test_restore_into_a_missing_database_says_createdb(void **state)
{
    (void)state;
    assert_int_equal(run("$M restore --key-file snapshot.key --in live.snapshot --into "
                         "dbname=%s_missing", fixture.source), 4);
    assertStderrHas("HINT: the target database must exist: createdb ");
}

/* pg_restore's own failure (here: a schema in the way) is reported, and rolls back whole. */
static void test_failing_pg_restore_restores_nothing(void **state)
{
    (void)state;
    execIn(fixture.copy, "CREATE SCHEMA misswitch");
    assert_int_equal(run("$M restore --key-file snapshot.key --in live.snapshot --into dbname=%s",
                         fixture.copy), 5);
    assertStderrHas("pg_restore failed (exit 1)");
    assertStderrHas("already exists");
    assertStderrHas("HINT: pg_restore ran in a single transaction: nothing was restored");
    assertCopyHasNoTable();
    execIn(fixture.copy, "DROP SCHEMA misswitch");
}

static void test_restore_makes_a_test_copy(void **state)
{
    char value[256], expected[600];

    (void)state;
    /* the key's path from the environment this time */
    assert_int_equal(run("MISSWITCH_KEY_FILE=snapshot.key $M --json restore --in live.snapshot "
                         "--into dbname=%s", fixture.copy), 0);
    snprintf(expected, sizeof expected,
             "{\"restored_into\": \"%s\", \"source_database\": \"%s\", \"snapshot_sha256\": \"%s\"}\n",
             fixture.copy, fixture.source, fixture.sha256);
    assert_string_equal(output("out"), expected);

    valueIn(fixture.copy, "SELECT pg_catalog.count(*) || ':' || pg_catalog.sum(id) || ':' || "
                          "pg_catalog.max(name) FROM public.pupil", value, sizeof value);
    assert_string_equal(value, "5000:12502500:Pupil-Zebedee-999");
    valueIn(fixture.copy, "SELECT source_database FROM misswitch.test_copy", value, sizeof value);
    assert_string_equal(value, fixture.source);
    valueIn(fixture.copy, "SELECT snapshot_hash FROM misswitch.test_copy WHERE snapshot_hash ~ "
                          "'^[0-9a-f]{64}$' AND marked_by = 'restore'", value, sizeof value);
    assert_string_equal(value, fixture.sha256);
    valueIn(fixture.copy, "SELECT pg_catalog.count(*) FROM misswitch.test_copy", value,
            sizeof value);
    assert_string_equal(value, "1");
    /* the source itself was not marked */
    valueIn(fixture.source, "SELECT pg_catalog.count(*) FROM misswitch.test_copy", value,
            sizeof value);
    assert_string_equal(value, "0");
}

static void test_restore_into_a_non_empty_database_is_refused(void **state)
{
    (void)state;
    assert_int_equal(run("$M restore --key-file snapshot.key --in live.snapshot --into dbname=%s",
                         fixture.copy), 9);
    assertStderrHas("is not empty");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* in order: each step uses what the one before made */
        cmocka_unit_test(test_keygen_writes_a_private_key_once),
        cmocka_unit_test(test_snapshot_writes_an_encrypted_file),
        cmocka_unit_test(test_key_is_never_taken_from_the_command_line),
        cmocka_unit_test(test_key_file_others_can_read_is_refused),
        cmocka_unit_test(test_failing_pg_dump_leaves_no_file),
        cmocka_unit_test(test_restore_with_a_wrong_key_restores_nothing),
        cmocka_unit_test(test_restore_of_a_tampered_file_restores_nothing),
        cmocka_unit_test(test_restore_of_a_truncated_file_restores_nothing),
        cmocka_unit_test(test_restore_into_a_missing_database_says_createdb),
        cmocka_unit_test(test_failing_pg_restore_restores_nothing),
        cmocka_unit_test(test_restore_makes_a_test_copy),
        cmocka_unit_test(test_restore_into_a_non_empty_database_is_refused),
    };
    return cmocka_run_group_tests(tests, setUp, tearDown);
}
