/* label: db */
/* test_report.c — report files: exact CSV bytes (RFC 4180, formula cells), HTML escaping, modes */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "files.h"
#include "report.h"

typedef struct Fixture {
    Db *db;
    char dir[64];
    char path[128];
} Fixture;

static int setUp(void **state)
{
    Fixture *fixture = calloc(1, sizeof *fixture);
    Error err;

    if (fixture == NULL)
        return -1;
    fixture->db = dbOpen(NULL, &err);
    if (fixture->db == NULL) {
        errorPrint(&err, stderr);
        free(fixture);
        return -1;
    }
    snprintf(fixture->dir, sizeof fixture->dir, "/tmp/test_report_XXXXXX");
    if (mkdtemp(fixture->dir) == NULL)
        return -1;
    *state = fixture;
    return 0;
}

static int tearDown(void **state)
{
    Fixture *fixture = *state;
    char tmp[160];

    if (fixture->path[0]) {
        snprintf(tmp, sizeof tmp, "%s.tmp", fixture->path);
        unlink(fixture->path);
        unlink(tmp);
    }
    rmdir(fixture->dir);
    dbClose(fixture->db);
    free(fixture);
    return 0;
}

static DbResult *query(Fixture *fixture, const char *sql)
{
    Error err;
    DbResult *result = dbQuery(fixture->db, "test query", sql, 0, NULL, &err);

    if (result == NULL)
        errorPrint(&err, stderr);
    assert_non_null(result);
    return result;
}

/* The file's bytes; checks it is mode 0600 and that no .tmp file is left beside it. */
static char *readOutput(const char *path)
{
    char tmp[160];
    struct stat st;
    char *text;
    Error err;

    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_not_equal(stat(tmp, &st), 0);
    text = filesReadAll(path, NULL, &err);
    assert_non_null(text);
    return text;
}

static void test_csv_quoting_nulls_and_formulas(void **state)
{
    Fixture *fixture = *state;
    DbResult *rows;
    char *text;
    Error err;

    rows = query(fixture, "SELECT * FROM (VALUES ('a,b', 'say \"hi\"', NULL, '=1+2', '-3', '-x', "
                          "E'line\\nbreak')) v(c1,c2,c3,c4,c5,c6,c7)");
    snprintf(fixture->path, sizeof fixture->path, "%s/report.csv", fixture->dir);
    assert_true(reportWriteCsv(fixture->path, rows, &err));
    text = readOutput(fixture->path);
    assert_string_equal(text, "c1,c2,c3,c4,c5,c6,c7\r\n"
                              "\"a,b\",\"say \"\"hi\"\"\",,\"'=1+2\",-3,\"'-x\",\"line\nbreak\"\r\n");
    free(text);
    dbResultFree(rows);
}

static void test_csv_every_formula_lead_is_defused(void **state)
{
    Fixture *fixture = *state;
    DbResult *rows;
    char *text;
    Error err;

    /* plain values, an empty string (not NULL: also empty), numbers, and formula leads */
    rows = query(fixture,
                 "SELECT * FROM (VALUES ('plain', '', '+44', '@SUM(A1)', '-2.5', "
                 "'-2+3+cmd|''/C calc''!A0', E'\\tx', E'\\r=1', '-', 'a=b', '\"')) "
                 "v(a,b,c,d,e,f,g,h,i,j,k)");
    snprintf(fixture->path, sizeof fixture->path, "%s/formulas.csv", fixture->dir);
    assert_true(reportWriteCsv(fixture->path, rows, &err));
    text = readOutput(fixture->path);
    assert_string_equal(text, "a,b,c,d,e,f,g,h,i,j,k\r\n"
                              "plain,,\"'+44\",\"'@SUM(A1)\",-2.5,"
                              "\"'-2+3+cmd|'/C calc'!A0\",\"'\tx\",\"'\r=1\",\"'-\",a=b,\"\"\"\"\r\n");
    free(text);
    dbResultFree(rows);
}

static void test_csv_of_no_rows_has_the_header_only(void **state)
{
    Fixture *fixture = *state;
    DbResult *rows;
    char *text;
    Error err;

    rows = query(fixture, "SELECT 1 AS \"account id\", 2 AS \"=name\" WHERE false");
    snprintf(fixture->path, sizeof fixture->path, "%s/empty.csv", fixture->dir);
    assert_true(reportWriteCsv(fixture->path, rows, &err));
    text = readOutput(fixture->path);
    assert_string_equal(text, "account id,\"'=name\"\r\n");
    free(text);
    dbResultFree(rows);
}

static void test_csv_into_a_missing_directory_fails(void **state)
{
    Fixture *fixture = *state;
    DbResult *rows = query(fixture, "SELECT 1 AS a");
    Error err;

    assert_false(reportWriteCsv("/nonexistent/dir/report.csv", rows, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    dbResultFree(rows);
}

static void test_html_escapes_markup(void **state)
{
    Fixture *fixture = *state;
    DbResult *summary, *accounts;
    char *text;
    Error err;

    summary = query(fixture, "SELECT 'pupil' AS role, 3 AS \"<n>\"");
    accounts = query(fixture,
                     "SELECT * FROM (VALUES ('<script>alert(1)</script>', 'Tom & \"Jerry\"', "
                     "'O''Brien', NULL)) v(name, note, surname, missing)");
    snprintf(fixture->path, sizeof fixture->path, "%s/report.html", fixture->dir);
    assert_true(reportWriteHtml(fixture->path, "plan <a&b> \"x\" 'y'", summary, accounts, &err));
    text = readOutput(fixture->path);
    assert_non_null(strstr(text, "<title>plan &lt;a&amp;b&gt; &quot;x&quot; &#39;y&#39;</title>"));
    assert_non_null(strstr(text, "<th>&lt;n&gt;</th>"));
    assert_non_null(strstr(text, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    assert_non_null(strstr(text, "<td>Tom &amp; &quot;Jerry&quot;</td>"));
    assert_non_null(strstr(text, "<td>O&#39;Brien</td>"));
    assert_non_null(strstr(text, "<td></td>")); /* NULL */
    assert_null(strstr(text, "<script>"));
    assert_null(strstr(text, "<a&b>"));
    free(text);
    dbResultFree(summary);
    dbResultFree(accounts);
}

static void test_text_report_names_reviews(void **state)
{
    Fixture *fixture = *state;
    DbResult *summary, *review, *leavers;
    char *text;
    Error err;

    summary = query(fixture, "SELECT 'pupil', '10', '8', '1', '1', '2'");
    leavers = query(fixture, "SELECT '43', 'pupil', 'jdoe43', 'Jane', 'Doe', 'no new record found'");
    review = query(fixture, "SELECT * FROM (VALUES ('41', '7', 'x', 'y', 'two candidates'), "
                            "('42', NULL, 'x', 'y', 'no match')) v(a, b, c, d, e)");
    snprintf(fixture->path, sizeof fixture->path, "%s/report.txt", fixture->dir);
    assert_true(reportWriteText(fixture->path, "misswitch plan abc", summary, review, leavers, &err));
    text = readOutput(fixture->path);
    assert_true(strncmp(text, "misswitch plan abc\n\n", 20) == 0);
    assert_non_null(strstr(text, "pupil           10         8         1         1         2\n"));
    assert_non_null(strstr(text, "To review (2):\n"));
    assert_non_null(strstr(text, "  account 41 -> 7: two candidates\n"));
    assert_non_null(strstr(text, "  account 42 -> (no candidate): no match\n"));
    assert_non_null(strstr(text, "Leavers: no new record found (1)"));
    assert_non_null(strstr(text, "  pupil   43       jdoe43                   Jane Doe\n"));
    free(text);
    dbResultFree(summary);
    dbResultFree(review);
    dbResultFree(leavers);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_quoting_nulls_and_formulas, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_csv_every_formula_lead_is_defused, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_csv_of_no_rows_has_the_header_only, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_csv_into_a_missing_directory_fails, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_html_escapes_markup, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_text_report_names_reviews, setUp, tearDown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
