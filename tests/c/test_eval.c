/* label: db */
/* test_eval.c — `misswitch eval`: hand-made truth and decisions whose right answers are known */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "migrate.h"

/*
 * A tiny school, by hand. Pupils 1-3 match P1-P3, pupil 4 left, P9 joined. Staff 20 matches S1,
 * 21 is 20's second account, 22 matches S2. Parent 10 (children 1, 2) matches contact C1, 11
 * (child 3) matches C2, 12 is 10's account for child 2. Group 30 matches G1.
 * The decisions: pupil 1 right, 2 none (missed), 3 right, 4 (a leaver) linked to the joiner P9
 * (wrong person); staff 20 right, 22 in review with the right candidate; parent 10 linked to
 * C2, whose child is 3, not 1 and 2 (wrong parent-child), 12 linked to C1, its own person's
 * record (duplicate linked), 11 none (missed); no group decisions.
 * Duplicates found: 21 -> 20 (right), 11 -> 10 (different people), 10 -> 12 (one person, the
 * wrong way round); 12 -> 10 is expected and missed.
 */
static const char *const TRUTH = "role,account,new_id,kind,noise\n"
                                 "pupil,1,P1,match,\n"
                                 "pupil,2,P2,match,\n"
                                 "pupil,3,P3,match,forename-typo\n"
                                 "pupil,4,,leaver,\n"
                                 "pupil,,P9,joiner,\n"
                                 "staff,20,S1,match,\n"
                                 "staff,21,,duplicate-of:20,\n"
                                 "staff,22,S2,match,email-change\n"
                                 "parent,10,C1,match,\n"
                                 "parent,11,C2,match,\n"
                                 "parent,12,,duplicate-of:10,\n"
                                 "group,30,G1,match,\n";

static const char *const FIXTURE_SQL =
    "TRUNCATE misswitch_work.decision, misswitch_work.duplicate, "
    "misswitch_staging.platform_parent_link;"
    "DELETE FROM misswitch_staging.extract_load;"
    "INSERT INTO misswitch_staging.extract_load (load_id, role, format, school_key, mis_source, "
    "source_file) VALUES (7, 'new', 'native', '801/2001', 'Arbor', 'hand.xml');"
    "INSERT INTO misswitch_staging.extract_relationship (load_id, contact_mis_id, pupil_mis_id) "
    "VALUES (7, 'C1', 'P1'), (7, 'C1', 'P2'), (7, 'C2', 'P3'), (7, 'C3', 'P9');"
    "INSERT INTO misswitch_staging.platform_parent_link (parent_account, child_account) VALUES "
    "('10', '1'), ('10', '2'), ('11', '3'), ('12', '2');"
    "INSERT INTO misswitch_work.decision (account_id, account_type, tier, new_load_id, "
    "new_mis_id, pass, score, reason) VALUES "
    "('1', 'pupil', 'exact', 7, 'P1', 'upn', NULL, 'upn'),"
    "('2', 'pupil', 'none', NULL, NULL, 'unmatched', NULL, 'no candidate'),"
    "('3', 'pupil', 'likely', 7, 'P3', 'scored', 20, 'name+dob'),"
    "('4', 'pupil', 'likely', 7, 'P9', 'scored', 15, 'name+dob'),"
    "('20', 'staff', 'exact', 7, 'S1', 'code', NULL, 'staff code'),"
    "('22', 'staff', 'possible', 7, 'S2', 'scored', 8, 'name only'),"
    "('10', 'parent', 'likely', 7, 'C2', 'parents', 12, 'through children'),"
    "('12', 'parent', 'likely', 7, 'C1', 'parents', 12, 'through children'),"
    "('11', 'parent', 'none', NULL, NULL, 'unmatched', NULL, 'no candidate');"
    "INSERT INTO misswitch_work.duplicate (account_id, keep_account_id, pass, reason) VALUES "
    "('21', '20', 'staff_duplicates', 'same MIS ID'), ('11', '10', 'parent_duplicates', 'x'),"
    "('10', '12', 'parent_duplicates', 'y');";

static char dir[] = "/tmp/test_eval.XXXXXX";

static void writeFile(const char *name, const char *text)
{
    char path[256];
    FILE *file;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(fputs(text, file) >= 0, 1);
    assert_int_equal(fclose(file), 0);
}

/* Runs misswitch with args; stdout into out (may be NULL), stderr into err (may be NULL). */
static int runMisswitch(const char *args, char *out, size_t outSize, char *errText, size_t errSize)
{
    char command[2048], errPath[256];
    FILE *pipe;
    size_t length = 0;
    int status;

    snprintf(errPath, sizeof errPath, "%s/stderr.txt", dir);
    snprintf(command, sizeof command, "%s %s 2>%s", MISSWITCH_BINARY, args, errPath);
    pipe = popen(command, "r");
    assert_non_null(pipe);
    if (out != NULL) {
        length = fread(out, 1, outSize - 1, pipe);
        out[length] = '\0';
    } else {
        char sink[4096];
        while (fread(sink, 1, sizeof sink, pipe) > 0)
            ;
    }
    status = pclose(pipe);
    if (errText != NULL) {
        FILE *file = fopen(errPath, "r");
        assert_non_null(file);
        length = fread(errText, 1, errSize - 1, file);
        errText[length] = '\0';
        fclose(file);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void value(const char *sql, char *out, size_t size)
{
    Error err;
    Db *db = dbOpen(NULL, &err);

    assert_non_null(db);
    assert_true(dbQueryValue(db, "value", sql, 0, NULL, out, size, NULL, &err));
    dbClose(db);
}

static int setUpAll(void **state)
{
    Error err;
    Db *db;
    MigrateResult migrated;

    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    db = dbOpen(NULL, &err);
    if (db == NULL || !migrateApply(db, false, &migrated, &err) ||
        !dbExec(db, "fixture", FIXTURE_SQL, &err)) {
        errorPrint(&err, stderr);
        dbClose(db);
        return -1;
    }
    dbClose(db);
    writeFile("truth.csv", TRUTH);
    return 0;
}

static int tearDownAll(void **state)
{
    char command[300];

    (void)state;
    snprintf(command, sizeof command, "rm -rf %s", dir);
    return system(command) == 0 ? 0 : -1;
}

static void assertHas(const char *text, const char *needle)
{
    if (strstr(text, needle) == NULL)
        fail_msg("expected '%s' in:\n%s", needle, text);
}

static void test_figures_are_the_known_answers(void **state)
{
    static char out[65536];
    char args[512];
    (void)state;

    snprintf(args, sizeof args, "--json eval --truth %s/truth.csv", dir);
    assert_int_equal(runMisswitch(args, out, sizeof out, NULL, 0), 0);
    /* Wrong links first, and worst first. */
    assertHas(out, "{\"wrong_links\": {\"total\": 3, \"parent_child\": 1, \"wrong_person\": 1, "
                   "\"duplicate_linked\": 1,");
    {
        const char *parentChild = strstr(out, "\"outcome\": \"wrong_parent_child\"");
        const char *person = strstr(out, "\"outcome\": \"wrong_person\"");
        const char *duplicate = strstr(out, "\"outcome\": \"duplicate_linked\"");
        assert_non_null(parentChild);
        assert_non_null(person);
        assert_non_null(duplicate);
        assert_true(parentChild < person && person < duplicate);
    }
    assertHas(out, "\"role\": \"parent\", \"account\": \"10\", \"decided_new_id\": \"C2\"");
    assertHas(out, "\"account\": \"4\", \"decided_new_id\": \"P9\", \"tier\": \"likely\", "
                   "\"truth_kind\": \"leaver\"");
    assertHas(out, "\"review_queue\": 1,");
    assertHas(out, "\"pupil\": {\"accounts\": 4, \"truth_links\": 3, \"decisions\": 4, "
                   "\"links\": 3, \"correct\": 2, \"wrong\": 1, \"wrong_parent_child\": 0, "
                   "\"wrong_person\": 1, \"duplicate_linked\": 0, \"missed\": 1, \"review\": 0, "
                   "\"review_right\": 0, \"leavers\": 1, \"leavers_linked\": 1, \"joiners\": 1, "
                   "\"joiners_linked\": 1, \"untracked_decisions\": 0, "
                   "\"precision\": 0.6666666666666666, \"recall\": 0.6666666666666666, "
                   "\"f1\": 0.6666666666666666}");
    assertHas(out, "\"staff\": {\"accounts\": 3, \"truth_links\": 2, \"decisions\": 2, "
                   "\"links\": 1, \"correct\": 1, \"wrong\": 0");
    assertHas(out, "\"review\": 1, \"review_right\": 1, \"leavers\": 0");
    assertHas(out, "\"precision\": 1, \"recall\": 0.5,");
    assertHas(out, "\"parent\": {\"accounts\": 3, \"truth_links\": 2, \"decisions\": 3, "
                   "\"links\": 2, \"correct\": 0, \"wrong\": 2, \"wrong_parent_child\": 1, "
                   "\"wrong_person\": 0, \"duplicate_linked\": 1, \"missed\": 1");
    /* Groups have no decisions: honestly not matched. */
    assertHas(out, "\"group\": {\"accounts\": 1, \"truth_links\": 1, \"decisions\": 0, "
                   "\"links\": 0, \"correct\": 0, \"wrong\": 0, \"wrong_parent_child\": 0, "
                   "\"wrong_person\": 0, \"duplicate_linked\": 0, \"missed\": 1");
    assertHas(out, "\"all\": {\"accounts\": 11, \"truth_links\": 8, \"decisions\": 9, "
                   "\"links\": 6, \"correct\": 3, \"wrong\": 3,");
    assertHas(out, "\"precision\": 0.5, \"recall\": 0.375, \"f1\": 0.42857142857142855}");
    /* Duplicates found against expected. */
    assertHas(out, "\"staff\": {\"expected\": 1, \"found\": 1, \"correct\": 1, \"other_keep\": 0, "
                   "\"wrong_person\": 0, \"missed\": 0}");
    assertHas(out, "\"parent\": {\"expected\": 1, \"found\": 2, \"correct\": 0, \"other_keep\": 1, "
                   "\"wrong_person\": 1, \"missed\": 1}");
    assertHas(out, "\"truth_rows\": 12, \"decisions\": 9}");
}

static void test_text_report_puts_wrong_links_first(void **state)
{
    static char errText[65536];
    char args[512];
    const char *wrong, *table;
    (void)state;

    snprintf(args, sizeof args, "eval --truth %s/truth.csv --limit 1", dir);
    assert_int_equal(runMisswitch(args, NULL, 0, errText, sizeof errText), 0);
    wrong = strstr(errText, "WRONG LINKS 3: 1 parent-child, 1 wrong person, 1 duplicate linked");
    table = strstr(errText, "precision");
    assert_non_null(wrong);
    assert_non_null(table);
    assert_true(wrong < table);
    assertHas(errText, "parent-child     parent 10 -> C2 (likely); truth: match C1");
    assertHas(errText, "... 2 more");
    assertHas(errText, "group: no decisions at all");
}

static void test_eval_changes_nothing(void **state)
{
    char before[64], after[64], args[512];
    const char *const SQL = "SELECT (SELECT count(*) FROM misswitch_work.decision) || '/' || "
                            "(SELECT count(*) FROM misswitch_work.duplicate) || '/' || "
                            "(SELECT count(*) FROM misswitch_work.eval_truth)";
    (void)state;

    value(SQL, before, sizeof before);
    snprintf(args, sizeof args, "-q eval --truth %s/truth.csv", dir);
    assert_int_equal(runMisswitch(args, NULL, 0, NULL, 0), 0);
    value(SQL, after, sizeof after);
    assert_string_equal(before, "9/3/0");
    assert_string_equal(after, before);
}

/* A bad truth file is an input error (6) naming the line. */
static void expectBadTruth(const char *text, const char *message)
{
    static char errText[8192];
    char args[512];

    writeFile("bad.csv", text);
    snprintf(args, sizeof args, "eval --truth %s/bad.csv", dir);
    assert_int_equal(runMisswitch(args, NULL, 0, errText, sizeof errText), 6);
    assertHas(errText, message);
}

static void test_bad_truth_files_name_the_line(void **state)
{
    char errText[4096], args[512];
    (void)state;

    expectBadTruth("", "bad.csv:0: an empty file");
    expectBadTruth("account,role\n", "bad.csv:1: expected the header");
    expectBadTruth("role,account,new_id,kind,noise\npupil,1,P1,match,\npupil,2,P2,twin,\n",
                   "bad.csv:3: unknown kind 'twin'");
    expectBadTruth("role,account,new_id,kind,noise\nteacher,1,P1,match,\n",
                   "bad.csv:2: unknown role 'teacher'");
    expectBadTruth("role,account,new_id,kind,noise\npupil,1,P1,match\n",
                   "bad.csv:2: expected 5 fields");
    expectBadTruth("role,account,new_id,kind,noise\npupil,1,,match,\n",
                   "bad.csv:2: a match needs a new_id");
    expectBadTruth("role,account,new_id,kind,noise\npupil,1,P1,match,\n\n",
                   "bad.csv:3: an empty line");
    expectBadTruth("role,account,new_id,kind,noise\npupil,1,P1,match,\npupil,2,P2,match,\n"
                   "pupil,1,P3,match,\n",
                   "bad.csv:4: pupil account 1 is listed twice (first on line 2)");
    expectBadTruth("role,account,new_id,kind,noise\nstaff,5,,duplicate-of:6,\n",
                   "bad.csv:2: duplicate-of:6 names no staff account");
    snprintf(args, sizeof args, "eval --truth %s/missing.csv", dir);
    assert_int_equal(runMisswitch(args, NULL, 0, errText, sizeof errText), 6);
    assert_int_equal(runMisswitch("eval", NULL, 0, NULL, 0), 2);
    assert_int_equal(runMisswitch("eval --help", NULL, 0, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_are_the_known_answers),
        cmocka_unit_test(test_text_report_puts_wrong_links_first),
        cmocka_unit_test(test_eval_changes_nothing),
        cmocka_unit_test(test_bad_truth_files_name_the_line),
    };
    return cmocka_run_group_tests(tests, setUpAll, tearDownAll);
}
