/* label: db */
/* test_extract_formats.c — CTF (19 and 25) and IMS Enterprise samples staged row by row, findings,
 * -q, and the generator's output in every format it writes */
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
static char output[32768]; /* stdout and stderr of the last runLoad */

/* Runs `misswitch [-q] --json load extract FILE` in-process, capturing what it prints. */
static ExitCode runLoad(Verbosity verbosity, const char *file)
{
    char *argv[] = {"extract", (char *)file, NULL};
    Options options = {.json = true, .verbosity = verbosity};
    char path[] = "/tmp/test_extract_formats_XXXXXX";
    int capture = mkstemp(path);
    int savedOut = dup(1), savedErr = dup(2);
    ExitCode code;
    ssize_t length;

    fflush(stdout);
    fflush(stderr);
    dup2(capture, 1);
    dup2(capture, 2);
    optind = 0;
    code = loadExtract(&options, 2, argv);
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
    static char out[8192];
    Error err;

    if (!dbQueryValue(db, "test", sql, 0, NULL, out, sizeof out, NULL, &err))
        fail_msg("%s: %s", sql, err.message);
    return out;
}

static int setup(void **state)
{
    MigrateResult migrated;
    Error err;
    (void)state;

    if ((db = dbOpen(NULL, &err)) == NULL || !migrateApply(db, false, &migrated, &err)) {
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

#define PUPIL_ROW(where)                                                                        \
    "SELECT (p.source_line, p.mis_id, p.upn, p.former_upns, p.legal_forename, p.legal_surname, " \
    "p.preferred_forename, p.preferred_surname, p.dob, p.sex, p.year_group, p.reg_group, p.email, " \
    "p.address_house, p.address_street, p.address_locality, p.address_town, " \
    "p.address_postcode)::text FROM misswitch_staging.extract_pupil p " where
#define CONTACT_ROW(where)                                                                      \
    "SELECT (c.source_line, c.mis_id, c.title, c.forename, c.surname, c.emails, c.phones, "      \
    "c.address_house, c.address_street, c.address_locality, c.address_town, "                   \
    "c.address_postcode)::text FROM misswitch_staging.extract_contact c " where

static void test_ctf_current(void **state)
{
    (void)state;
    assert_int_equal(runLoad(VERBOSITY_NORMAL, FIXTURES "ctf25-sample.xml"), EXIT_OK);
    assertOutputHas("909/3002 Riverside Academy: 22 pupils, 0 staff, 36 contacts, 36 relationships, "
                    "0 groups, 0 memberships, 2 findings");
    assertOutputHas("pupils are keyed by UPN and contacts by (pupil UPN, contact order)");
    assertOutputHas("no staff in CTF");
    assertOutputHas("ctf25-sample.xml:200: warning: pupil A909300219004: UPN A909300219004 has a "
                    "wrong check letter (expected G)");
    assert_string_equal(value("SELECT (format, school_key, lea_code, dfe_number, urn, school_name, "
                              "mis_source)::text FROM misswitch_staging.extract_load"),
                        "(ctf,909/3002,909,3002,103002,\"Riverside Academy\",Bromcom)");
    /* Every pupil field, BS7666 address with the postcode inside it. */
    assert_string_equal(value(PUPIL_ROW("WHERE p.mis_id = 'P909300219001'")),
                        "(20,P909300219001,P909300219001,{K909300219500},Oliver,Smith,Oliie,,"
                        "2015-01-01,M,1,,oliver.0@pupils.example.org,10,\"Mill Lane\","
                        "\"Upper Hatton\",Carlisle,\"LS1 1AB\")");
    assert_string_equal(value(PUPIL_ROW("WHERE p.mis_id = 'D909300219002'")),
                        "(67,D909300219002,D909300219002,{},Amelia,Jones,,Jones-Hall,2015-02-02,F,2,,"
                        "amelia.1@pupils.example.org,11,\"Church Road\",,Leeds,\"LS2 2AB\")");
    /* Contact 1 lives "as pupil" (the pupil's address), contact 2 has its own. */
    assert_string_equal(value(CONTACT_ROW("WHERE c.mis_id = 'D909300219002#1'")),
                        "(93,D909300219002#1,Mrs,Sarah,Jones,{sarah1@example.com},"
                        "\"{\"\"07700 900011\"\",\"\"0113 496 1001\"\"}\",11,\"Church Road\",,Leeds,"
                        "\"LS2 2AB\")");
    assert_string_equal(value(CONTACT_ROW("WHERE c.mis_id = 'D909300219002#2'")),
                        "(108,D909300219002#2,Mr,David,Jones,{david1@example.com},"
                        "\"{\"\"07700 900012\"\"}\",18,\"Station Road\",\"Upper Hatton\",Carlisle,"
                        "\"LS9 2AB\")");
    assert_string_equal(value("SELECT pg_catalog.string_agg(contact_mis_id || '>' || pupil_mis_id || ' '"
                              " || relationship || ' ' || parental_responsibility || ' ' || priority, "
                              "', ' ORDER BY source_line) FROM misswitch_staging.extract_relationship "
                              "WHERE pupil_mis_id = 'D909300219002'"),
                        "D909300219002#1>D909300219002 PAR true 1, D909300219002#2>D909300219002 STP false 2");
    /* The findings: the wrong check letter keeps the UPN; the impossible date leaves DOB unknown. */
    assert_string_equal(value("SELECT pg_catalog.string_agg(line || ' ' || kind || ' ' || detail, '; ' "
                              "ORDER BY line) FROM misswitch_staging.load_finding"),
                        "200 invalid-upn pupil A909300219004: UPN A909300219004 has a wrong check "
                        "letter (expected G); 316 invalid-value <DOB> \"2015-02-30\" in <Pupil> is not a "
                        "date: no such day");
    assert_string_equal(value("SELECT COALESCE(dob::text, 'NULL') FROM misswitch_staging.extract_pupil "
                              "WHERE mis_id LIKE '_909300219006'"), "NULL");
    assertOutputHas("\"findings\": 2");
}

static void test_ctf_older_layout(void **state)
{
    (void)state;
    assert_int_equal(runLoad(VERBOSITY_NORMAL, FIXTURES "ctf19-sample.xml"), EXIT_OK);
    assertOutputHas("801/2001 Hilltop Primary School: 22 pupils, 0 staff, 36 contacts, "
                    "36 relationships, 0 groups, 0 memberships, 0 findings");
    /* <Gender>, BS7666 parts with <PostCode> beside them. */
    assert_string_equal(value(PUPIL_ROW("WHERE p.mis_id = 'N801200119001'")),
                        "(20,N801200119001,N801200119001,{J801200119500},Oliver,Smith,Oliie,,"
                        "2015-01-01,M,1,,oliver.0@pupils.example.org,10,\"Mill Lane\","
                        "\"Upper Hatton\",Carlisle,\"LS1 1AB\")");
    /* <AddressLines>: line 1 is the street (with the number), 2 the locality, 3 the town. */
    assert_string_equal(value(PUPIL_ROW("WHERE p.mis_id = 'C801200119002'")),
                        "(67,C801200119002,C801200119002,{},Amelia,Jones,,Jones-Hall,2015-02-02,F,2,,"
                        "amelia.1@pupils.example.org,,\"11 Church Road\",\"Upper Hatton\",Leeds,"
                        "\"LS2 2AB\")");
    assert_string_equal(value("SELECT pg_catalog.count(DISTINCT sex) || ' ' || pg_catalog.count(*) "
                              "FILTER (WHERE dob IS NULL) FROM misswitch_staging.extract_pupil p "
                              "JOIN misswitch_staging.extract_load l USING (load_id) "
                              "WHERE l.school_key = '801/2001'"),
                        "2 0");
    assert_string_equal(value("SELECT mis_source FROM misswitch_staging.extract_load "
                              "WHERE school_key = '801/2001'"), "SIMS");
}

static void test_ims(void **state)
{
    (void)state;
    assert_int_equal(runLoad(VERBOSITY_NORMAL, FIXTURES "ims-sample.xml"), EXIT_OK);
    assertOutputHas("801/2003 Brookside School: 19 pupils, 3 staff, 4 contacts, 6 relationships, "
                    "3 groups, 30 memberships, 1 findings");
    assert_string_equal(value("SELECT (format, urn, school_name, mis_source)::text FROM "
                              "misswitch_staging.extract_load WHERE school_key = '801/2003'"),
                        "(ims,102003,\"Brookside School\",Integris)");
    /* A Student; its userid is a UPN; <fn> gives a preferred forename. */
    assert_string_equal(value(PUPIL_ROW("WHERE p.mis_id = 'INT-P-0003'")),
                        "(24,INT-P-0003,J801200319003,{},George,Taylor,Geoie,,2015-03-03,M,,,"
                        "george.int-p-0003@school.example.org,,,,,)");
    /* No institution role: a pupil by its learner memberships; recstatus 3: not staged. */
    assert_string_equal(value("SELECT pg_catalog.string_agg(mis_id, ',' ORDER BY mis_id) FROM "
                              "misswitch_staging.extract_pupil WHERE mis_id IN "
                              "('INT-P-0001', 'INT-P-0006', 'INT-P-0020')"),
                        "INT-P-0001,INT-P-0006");
    assert_string_equal(value("SELECT COALESCE(dob::text, 'NULL') FROM misswitch_staging.extract_pupil "
                              "WHERE mis_id = 'INT-P-0007'"), "NULL");
    assert_string_equal(value("SELECT line || ' ' || detail FROM misswitch_staging.load_finding f "
                              "JOIN misswitch_staging.extract_load l USING (load_id) WHERE l.format = 'ims'"),
                        "69 <demographics/bday> \"2014-13-01\" in <person> is not a date: no such month or year");
    /* Faculty, or an instructor by membership role; with neither, a contact. */
    assert_string_equal(value("SELECT pg_catalog.string_agg((s.mis_id, s.staff_code, s.legal_forename, "
                              "s.legal_surname, s.preferred_forename, s.dob, s.sex, s.email, s.roles)::text,"
                              " ' ' ORDER BY s.mis_id) FROM misswitch_staging.extract_staff s"),
                        "(INT-S-0001,T01,Jane,Wilson,Janie,1980-01-10,F,jane.int-s-0001@school.example.org,{Faculty}) "
                        "(INT-S-0002,T02,Ahmed,Johnson,,1981-02-11,M,ahmed.int-s-0002@school.example.org,{Faculty}) "
                        "(INT-S-0003,T03,Chloé,Davies,,1982-03-12,F,chloe.int-s-0003@school.example.org,{})");
    assert_string_equal(value(CONTACT_ROW("WHERE c.mis_id = 'INT-C-0001'")),
                        "(250,INT-C-0001,,Sarah,Smith,{sarah.int-c-0001@school.example.org},"
                        "\"{\"\"07700 900024\"\",\"\"0113 496 0024\"\"}\",,,,,)");
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM misswitch_staging.extract_contact "
                              "WHERE mis_id = 'INT-S-0004'"), "1");
    assert_string_equal(value("SELECT pg_catalog.string_agg((r.contact_mis_id, r.pupil_mis_id, "
                              "r.relationship, r.parental_responsibility, r.priority)::text, ' ' "
                              "ORDER BY r.source_line) FROM misswitch_staging.extract_relationship r "
                              "WHERE r.contact_mis_id = 'INT-C-0003'"),
                        "(INT-C-0003,INT-P-0005,Carer,f,1) (INT-C-0003,INT-P-0006,Carer,f,1)");
    assert_string_equal(value("SELECT pg_catalog.string_agg((g.mis_id, g.code, g.name, g.kind, "
                              "g.academic_year)::text, ' ' ORDER BY g.mis_id) FROM misswitch_staging.extract_group g "
                              "JOIN misswitch_staging.extract_load l USING (load_id) WHERE l.format = 'ims'"),
                        "(INT-G-MA-1,MA1,\"Maths set 1\",teaching,2025/2026) "
                        "(INT-G-REG-1,1A,\"Class 1A\",registration,2025/2026) "
                        "(INT-G-REG-2,2B,\"Class 2B\",registration,2025/2026)");
    /* Inactive (status 0) and deleted (recstatus 3) members are not staged. */
    assert_string_equal(value("SELECT pg_catalog.string_agg(member_mis_id || ':' || member_role, ' ' "
                              "ORDER BY member_mis_id) FROM misswitch_staging.extract_membership "
                              "WHERE group_mis_id = 'INT-G-MA-1' AND member_mis_id >= 'INT-P-0013'"),
                        "INT-P-0013:pupil INT-P-0015:pupil INT-S-0003:staff");
}

static void test_quiet_keeps_findings_off_stderr(void **state)
{
    (void)state;
    assert_int_equal(runLoad(VERBOSITY_QUIET, FIXTURES "ctf25-sample.xml"), EXIT_OK);
    if (strstr(output, "warning:") != NULL)
        fail_msg("-q printed findings:\n%s", output);
    assertOutputHas("\"findings\": 2"); /* (--json still reports them) */
}

/* Whatever the generator writes loads, and every format stages the same pupils per school. */
static void test_generator_outputs(void **state)
{
    char dir[] = "/tmp/test_extract_gen_XXXXXX";
    char command[512], path[256];
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(command, sizeof command, "%s gen --pupils 60 --schools 2 --seed 7 --out %s >/dev/null 2>&1",
             MISSWITCH_BINARY, dir);
    assert_int_equal(system(command), 0);
    /* (the old extract first: as the same school, role and format, the new one replaces it) */
    snprintf(path, sizeof path, "%s/old-extract.xml", dir);
    assert_int_equal(runLoad(VERBOSITY_NORMAL, path), EXIT_OK);
    static const char *const FILES[] = {"new-extract.xml", "new-extract.ctf.xml",
                                        "new-extract-2.ctf.xml", "new-extract.ims.xml"};
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, FILES[i]);
        if (runLoad(VERBOSITY_NORMAL, path) != EXIT_OK)
            fail_msg("%s:\n%s", FILES[i], output);
    }
    assert_string_equal(value("SELECT pg_catalog.count(*) FROM (SELECT l.school_key FROM "
                              "misswitch_staging.extract_pupil p JOIN misswitch_staging.extract_load l "
                              "USING (load_id) GROUP BY l.school_key "
                              "HAVING pg_catalog.count(DISTINCT l.format) = 3 AND pg_catalog.count(*) = "
                              "3 * pg_catalog.count(*) FILTER (WHERE l.format = 'native')) t"),
                        "2");
    snprintf(command, sizeof command, "rm -rf %s", dir);
    assert_int_equal(system(command), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctf_current),
        cmocka_unit_test(test_ctf_older_layout),
        cmocka_unit_test(test_ims),
        cmocka_unit_test(test_quiet_keeps_findings_off_stderr),
        cmocka_unit_test(test_generator_outputs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
