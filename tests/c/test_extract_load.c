/* label: db */
/* test_extract_load.c — `load extract` against a real database: staging rows, replacement by
 * school/role/format, atomic failure, and the refusals */
#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "db.h"
#include "load.h"
#include "migrate.h"

#define FIXTURES MISSWITCH_SOURCE_DIR "/tests/fixtures/extract/"

static Db *db;
static char output[16384]; /* stdout and stderr of the last runLoad */

/* Runs `misswitch load extract ARGS...` in-process, capturing what it prints. */
static ExitCode runLoad(const char *first, ...)
{
    char *argv[16] = {"extract", (char *)first};
    int argc = 2;
    Options options = {0};
    char path[] = "/tmp/test_extract_load_XXXXXX";
    int capture = mkstemp(path);
    int savedOut = dup(1), savedErr = dup(2);
    va_list args;
    ExitCode code;
    ssize_t length;

    va_start(args, first);
    while ((argv[argc] = va_arg(args, char *)) != NULL)
        argc++;
    va_end(args);
    options.json = true;
    fflush(stdout);
    fflush(stderr);
    dup2(capture, 1);
    dup2(capture, 2);
    optind = 0;
    code = loadExtract(&options, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(savedOut, 1);
    dup2(savedErr, 2);
    close(savedOut);
    close(savedErr);
    length = pread(capture, output, sizeof output - 1, 0);
    output[length > 0 ? length : 0] = '\0';
    close(capture);
    unlink(path);
    return code;
}

static void assertOutputHas(const char *text)
{
    if (strstr(output, text) == NULL)
        fail_msg("'%s' not in output:\n%s", text, output);
}

/* The one value a query returns, as text ("" for NULL). */
static const char *value(const char *sql)
{
    static char out[4096];
    Error err;

    if (!dbQueryValue(db, "test", sql, 0, NULL, out, sizeof out, NULL, &err))
        fail_msg("%s: %s", sql, err.message);
    return out;
}

/* Everything staged, as one comparable string. */
static const char *stagedFingerprint(void)
{
    return value("SELECT pg_catalog.md5(pg_catalog.string_agg(x, ';' ORDER BY x)) FROM ("
                 " SELECT l.role || l.format || l.school_key || l.load_id AS x"
                 "   FROM misswitch_staging.extract_load l"
                 " UNION ALL SELECT p::text FROM misswitch_staging.extract_pupil p"
                 " UNION ALL SELECT s::text FROM misswitch_staging.extract_staff s"
                 " UNION ALL SELECT c::text FROM misswitch_staging.extract_contact c"
                 " UNION ALL SELECT r::text FROM misswitch_staging.extract_relationship r"
                 " UNION ALL SELECT g::text FROM misswitch_staging.extract_group g"
                 " UNION ALL SELECT m::text FROM misswitch_staging.extract_membership m) t");
}

static int setup(void **state)
{
    Error err;
    (void)state;
    db = dbOpen(NULL, &err);
    if (db == NULL) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dbClose(db);
    return 0;
}

static void test_refuses_uninitialised_database(void **state)
{
    (void)state;
    assert_int_equal(runLoad(FIXTURES "trust.xml", NULL), EXIT_REFUSED);
    assertOutputHas("is not initialised");
    assertOutputHas("HINT: run: misswitch init");
}

static void test_loads_every_field(void **state)
{
    MigrateResult migrated;
    Error err;
    (void)state;

    if (!migrateApply(db, false, &migrated, &err))
        fail_msg("migrate: %s", err.message);
    assert_int_equal(runLoad(FIXTURES "trust.xml", NULL), EXIT_OK);
    assertOutputHas("801/2001 Hilltop Primary School: 3 pupils, 2 staff, 2 contacts, "
                    "3 relationships, 2 groups, 4 memberships");
    assertOutputHas("801/2002 Valley Academy: 1 pupils, 1 staff, 1 contacts, 1 relationships, "
                    "1 groups, 2 memberships");
    assertOutputHas("trust.xml:24: warning: pupil ARB-P-000002: UPN C801200005002");
    assertOutputHas("\"format\": \"native\", \"role\": \"new\", \"records\": 25, \"findings\": 2");

    assert_string_equal(value("SELECT pg_catalog.string_agg(school_key || ' ' || lea_code || ' ' "
                              "|| dfe_number || ' ' || urn || ' ' || school_name || ' ' || "
                              "mis_source || ' ' || role || ' ' || format, ', ' ORDER BY school_key)"
                              " FROM misswitch_staging.extract_load"),
                        "801/2001 801 2001 100001 Hilltop Primary School Arbor new native, "
                        "801/2002 801 2002 100002 Valley Academy Arbor new native");
    assert_string_equal(value("SELECT source_file FROM misswitch_staging.extract_load LIMIT 1"),
                        MISSWITCH_SOURCE_DIR "/tests/fixtures/extract/trust.xml");
    assert_string_equal(
        value("SELECT (p.source_line, p.mis_id, p.upn, p.former_upns, p.legal_forename, "
              "p.legal_surname, p.preferred_forename, p.preferred_surname, p.dob, p.sex, "
              "p.year_group, p.reg_group, p.email, p.address_house, p.address_street, "
              "p.address_locality, p.address_town, p.address_postcode)::text"
              " FROM misswitch_staging.extract_pupil p WHERE mis_id = 'ARB-P-000001'"),
        "(6,ARB-P-000001,B801200005001,\"{A80120000500A,R674123101121}\",William,Smith,Bill,"
        "Smith-Jones,2015-04-01,M,5,5B,bill.smith@pupils.example.org,12,\"Mill Lane\","
        "\"Upper Hatton\",Leeds,\"LS1 4AB\")");
    assert_string_equal(value("SELECT legal_surname || '|' || COALESCE(preferred_forename, 'NULL') "
                              "|| '|' || pg_catalog.cardinality(former_upns) || '|' || dob "
                              "FROM misswitch_staging.extract_pupil WHERE mis_id = 'ARB-P-000002'"),
                        "O'Brien & Co|NULL|0|2016-02-29");
    assert_string_equal(
        value("SELECT (s.staff_code, s.teacher_number, s.ni_number, s.title, s.legal_forename, "
              "s.legal_surname, s.preferred_forename, s.preferred_surname, s.dob, s.sex, s.email, "
              "s.address_house, s.address_postcode)::text || s.roles[2]"
              " FROM misswitch_staging.extract_staff s WHERE mis_id = 'ARB-S-000001'"),
        "(JSM,1234567,QQ123456C,Mrs,Jane,Smith,Jan,Smyth,1980-02-03,F,j.smith@school.example.org,"
        "\"Rose Cottage\",\"LS2 9ZZ\")Head of \"Maths\" \\ Science");
    assert_string_equal(value("SELECT (c.title, c.forename, c.surname, c.emails, c.phones, c.address_town)::text"
                              " FROM misswitch_staging.extract_contact c WHERE mis_id = 'ARB-C-000001'"),
                        "(Mr,John,Smith,\"{john.smith@example.com,js@work.example.com}\","
                        "\"{\"\"07700 900123\"\",\"\"0113 496 0000\"\"}\",Leeds)");
    assert_string_equal(value("SELECT pg_catalog.string_agg(contact_mis_id || '>' || pupil_mis_id || ' ' "
                              "|| COALESCE(relationship, '?') || ' ' || "
                              "COALESCE(parental_responsibility::text, '?') || ' ' || "
                              "COALESCE(priority::text, '?'), ', ' ORDER BY source_line)"
                              " FROM misswitch_staging.extract_relationship"),
                        "ARB-C-000001>ARB-P-000001 Father true 1, "
                        "ARB-C-000001>ARB-P-000002 Step-father false 2, "
                        "ARB-C-000002>ARB-P-000002 Mother true 1, ARB-C-100001>ARB-P-100001 Mother ? ?");
    assert_string_equal(value("SELECT (g.code, g.name, g.kind, g.academic_year)::text "
                              "FROM misswitch_staging.extract_group g WHERE mis_id = 'ARB-G-100001'"),
                        "(8L/Ma1,\"Year 8 Maths set 1\",teaching,2026/2027)");
    assert_string_equal(value("SELECT pg_catalog.string_agg(member_mis_id || ':' || member_role, ' ' "
                              "ORDER BY source_line) FROM misswitch_staging.extract_membership "
                              "WHERE group_mis_id = 'ARB-G-000001'"),
                        "ARB-P-000001:pupil ARB-P-000003:pupil ARB-S-000001:staff");
}

static void test_reload_replaces_only_that_school_and_role(void **state)
{
    char oldLoad[64];
    (void)state;

    assert_int_equal(runLoad(FIXTURES "trust.xml", "--as", "old", NULL), EXIT_OK);
    snprintf(oldLoad, sizeof oldLoad, "%s",
             value("SELECT load_id FROM misswitch_staging.extract_load "
                   "WHERE school_key = '801/2001' AND role = 'old'"));
    assert_int_equal(runLoad("--format", "native", FIXTURES "hilltop-reload.xml", NULL), EXIT_OK);
    /* 801/2001 as new now holds the reload's one pupil, and nothing of the trust file. */
    assert_string_equal(value("SELECT pg_catalog.string_agg(p.mis_id, ',') FROM misswitch_staging.extract_pupil p "
                              "JOIN misswitch_staging.extract_load l USING (load_id) "
                              "WHERE l.school_key = '801/2001' AND l.role = 'new'"),
                        "ARB-P-000009");
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM misswitch_staging.extract_contact c "
                              "JOIN misswitch_staging.extract_load l USING (load_id) "
                              "WHERE l.school_key = '801/2001' AND l.role = 'new'"),
                        "0");
    /* The other school, and the old role, are untouched. */
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM misswitch_staging.extract_pupil p "
                              "JOIN misswitch_staging.extract_load l USING (load_id) "
                              "WHERE l.school_key = '801/2002' AND l.role = 'new'"),
                        "1");
    assert_string_equal(value("SELECT load_id FROM misswitch_staging.extract_load "
                              "WHERE school_key = '801/2001' AND role = 'old'"),
                        oldLoad);
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM misswitch_staging.extract_load"), "4");
}

/* Each file's rows are one partition per staging table (0002): a reload that replaces every
 * school of an earlier file drops that file's partitions, one that replaces some deletes their
 * rows, and deleting loads cascades. Nothing is left behind under a temporary name. */
static void test_partitions_follow_the_loads(void **state)
{
    static const char *PARTITIONS =
        "SELECT pg_catalog.count(*) FROM pg_catalog.pg_inherits i "
        "WHERE i.inhparent = 'misswitch_staging.extract_pupil'::regclass "
        "AND i.inhrelid <> 'misswitch_staging.extract_pupil_default'::regclass";
    (void)state;

    value("DELETE FROM misswitch_staging.extract_load");
    assert_string_equal(value(PARTITIONS), "0");
    assert_int_equal(runLoad(FIXTURES "trust.xml", NULL), EXIT_OK);          /* 2 schools */
    assert_string_equal(value(PARTITIONS), "1");
    assert_int_equal(runLoad(FIXTURES "hilltop-reload.xml", NULL), EXIT_OK); /* 1 of them */
    assert_string_equal(value(PARTITIONS), "2");
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM misswitch_staging.extract_pupil"), "2");
    assert_int_equal(runLoad(FIXTURES "trust.xml", NULL), EXIT_OK);          /* both again */
    assert_string_equal(value(PARTITIONS), "1");
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM misswitch_staging.extract_pupil"), "4");
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM misswitch_staging.extract_partition"),
                        "2");
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c "
                              "WHERE c.relnamespace = 'misswitch_staging'::regnamespace "
                              "AND c.relname LIKE '%\\_loading'"),
                        "0");
    /* A row written by hand lands in the DEFAULT partition and cascades like the loader's. */
    value("INSERT INTO misswitch_staging.extract_pupil (load_id, mis_id) "
          "SELECT pg_catalog.min(load_id), 'BY-HAND' FROM misswitch_staging.extract_load");
    value("DELETE FROM misswitch_staging.extract_load");
    assert_string_equal(value(PARTITIONS), "0");
    assert_string_equal(value("SELECT (SELECT pg_catalog.count(*) FROM misswitch_staging.extract_pupil)"
                              " + (SELECT pg_catalog.count(*) FROM misswitch_staging.extract_membership)"
                              " + (SELECT pg_catalog.count(*) FROM misswitch_staging.load_finding)"),
                        "0");
}

/* Each bad file fails with the input exit code and changes nothing. */
static void test_bad_files_load_nothing(void **state)
{
    static const struct {
        const char *file;
        const char *message;
    } CASES[] = {
        {"truncated.xml", "truncated.xml:77:20: the file ends before its root element does"},
        {"duplicate-id.xml", "duplicate-id.xml:6: duplicate pupil MIS ID ARB-P-000001 (first at line 5)"},
        {"duplicate-link.xml", "duplicate-link.xml:10: duplicate membership of ARB-G-000001 to ARB-P-000001 (first at line 9)"},
        {"duplicate-school.xml", "duplicate-school.xml:4: school 801/2001 appears twice (first at line 3)"},
        {"unknown-pupil.xml", "unknown-pupil.xml:9: contact ARB-C-000001 is related to unknown pupil ARB-P-999999"},
        {"doctype-xxe.xml", "doctype-xxe.xml:2:1: a DOCTYPE is not allowed"},
        {"doctype.xml", "doctype.xml:2:1: a DOCTYPE is not allowed"},
        {"billion-laughs.xml", "billion-laughs.xml:2:1: a DOCTYPE is not allowed"},
        {"xxe-network.xml", "xxe-network.xml:2:1: a DOCTYPE is not allowed"},
        {"stylesheet-network.xml", "stylesheet-network.xml:2:1: processing instruction <?xml-stylesheet?>"},
        {"xinclude-network.xml", "xinclude-network.xml:4:1: unexpected element <xi:include> in <school>"},
        {"invalid-utf8.xml", "invalid-utf8.xml:3:42: Input is not proper UTF-8"},
        {"wrong-root.xml", "wrong-root.xml:2:1: root element <extract>"},
        {"empty.xml", "empty.xml:1:1: the file is empty"},
        {"ctf.xml", "ctf.xml: the extract has no school section"},
        {"no-school.xml", "no-school.xml: the extract has no school section"},
        {"outside-school.xml", "outside-school.xml:5:1: <pupil> outside any school section"},
        {"ctf-old-version.xml", "ctf-old-version.xml:3:1: CTF version \"17.0\" is not supported"},
        {"no-such-file.xml", "no-such-file.xml: cannot open extract: No such file or directory"},
        {"", "tests/fixtures/extract/: is a directory, not an extract file"},
        {"../../../nonexistent-directory/x.xml", "x.xml: cannot open extract: No such file or directory"},
    };
    char before[64];
    (void)state;

    snprintf(before, sizeof before, "%s", stagedFingerprint());
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, FIXTURES "%s", CASES[i].file);
        if (runLoad(path, NULL) != EXIT_INPUT)
            fail_msg("%s: expected exit %d:\n%s", CASES[i].file, EXIT_INPUT, output);
        assertOutputHas(CASES[i].message);
        assert_string_equal(stagedFingerprint(), before);
    }
    /* The connection is usable afterwards: no transaction or COPY left open. */
    assert_string_equal(value("SELECT pg_catalog.pg_current_xact_id_if_assigned() IS NULL"), "t");
    /* A native file that failed after its pending tables committed (a duplicate, a dangling
     * link, a school twice) dropped them again. */
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c "
                              "WHERE c.relnamespace = 'misswitch_staging'::regnamespace "
                              "AND c.relkind = 'r' AND c.relname LIKE '%\\_pending\\_%'"),
                        "0");
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM misswitch_staging.extract_pending"),
                        "0");
}

static void test_command_line(void **state)
{
    (void)state;
    assert_int_equal(runLoad("--help", NULL), EXIT_OK);
    assertOutputHas("Usage: misswitch [-d CONNINFO] load extract FILE");
    assert_int_equal(runLoad(FIXTURES "trust.xml", "--as", "newest", NULL), EXIT_USAGE);
    assertOutputHas("--as takes new or old");
    assert_int_equal(runLoad(FIXTURES "trust.xml", "--format", "csv", NULL), EXIT_USAGE);
    assert_int_equal(runLoad(FIXTURES "trust.xml", "extra.xml", NULL), EXIT_USAGE);
    assert_int_equal(runLoad(FIXTURES "trust.xml", "--format", "ims", NULL), EXIT_INPUT);
    assertOutputHas("trust.xml:3:1: root element <misswitch-extract> is not a IMS Enterprise extract");
    assert_int_equal(runLoad(FIXTURES "trust.xml", "--format", "ctf", NULL), EXIT_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refuses_uninitialised_database),
        cmocka_unit_test(test_loads_every_field),
        cmocka_unit_test(test_reload_replaces_only_that_school_and_role),
        cmocka_unit_test(test_partitions_follow_the_loads),
        cmocka_unit_test(test_bad_files_load_nothing),
        cmocka_unit_test(test_command_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
