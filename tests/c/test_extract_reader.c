/* test_extract_reader.c — the XML reader: records from the native fixture, and every refusal */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "extract_reader.h"

#define FIXTURES MISSWITCH_SOURCE_DIR "/tests/fixtures/extract/"
#define MAX_SEEN 64

/* What a test saw: each record as "kind|school|line|c1|c2|..." and each warning. */
typedef struct Seen {
    char records[MAX_SEEN][1024];
    int recordCount;
    char warnings[8][512];
    int warningCount;
} Seen;

static bool keepRecord(void *context, const ExtractRecord *record, Error *err)
{
    Seen *seen = context;
    char *out = seen->records[seen->recordCount++];
    size_t used;

    (void)err;
    assert_true(seen->recordCount <= MAX_SEEN);
    used = (size_t)snprintf(out, 1024, "%s|%d|%ld", record->kind->name, record->school, record->line);
    for (int c = 0; c < record->kind->columnCount; c++)
        used += (size_t)snprintf(out + used, 1024 - used, "|%s",
                                 record->values[c] ? record->values[c] : "NULL");
    return true;
}

static bool keepWarning(void *context, int school, long line, const char *kind,
                        const char *message, Error *err)
{
    Seen *seen = context;
    (void)school;
    (void)err;
    if (seen->warningCount < 8)
        snprintf(seen->warnings[seen->warningCount++], 512, "%ld: %s: %s", line, kind, message);
    return true;
}

/* Reads a whole file; returns false with err filled on failure. */
static bool readAll(const char *path, const ExtractFormat *format, Seen *seen, Error *err)
{
    ExtractSink sink = {keepRecord, keepWarning, seen};
    ExtractReader *reader = extractReaderOpen(path, format, err);
    bool ok;

    if (reader == NULL)
        return false;
    ok = extractReaderRun(reader, &sink, err);
    extractReaderFree(reader);
    return ok;
}

static const char *findRecord(const Seen *seen, const char *prefix)
{
    for (int i = 0; i < seen->recordCount; i++)
        if (strncmp(seen->records[i], prefix, strlen(prefix)) == 0)
            return seen->records[i];
    return NULL;
}

static void test_native_fixture_yields_every_field(void **state)
{
    Seen *seen = calloc(1, sizeof *seen);
    Error err;
    (void)state;

    assert_true(readAll(FIXTURES "trust.xml", NULL, seen, &err));
    /* 2 schools, 4 pupils, 3 staff, 3 contacts, 4 relationships, 3 groups, 6 memberships */
    assert_int_equal(seen->recordCount, 25);
    assert_string_equal(findRecord(seen, "pupil|1|6|"),
                        "pupil|1|6|ARB-P-000001|B801200005001|{\"A80120000500A\",\"R674123101121\"}|"
                        "William|Smith|Bill|Smith-Jones|2015-04-01|M|5|5B|"
                        "bill.smith@pupils.example.org|12|Mill Lane|Upper Hatton|Leeds|LS1 4AB");
    /* Entities decoded, empty elements unknown, UTF-8 kept. */
    assert_non_null(strstr(findRecord(seen, "pupil|1|24|"), "|Zoë|O'Brien & Co|NULL|NULL|2016-02-29|"));
    /* CDATA is text. */
    assert_non_null(strstr(findRecord(seen, "pupil|1|34|"), "|Amélie|Dupont|"));
    /* Array literals quote and escape. */
    assert_non_null(strstr(findRecord(seen, "staff|1|45|"),
                           "|{\"Teacher\",\"Head of \\\"Maths\\\" \\\\ Science\"}"));
    assert_non_null(findRecord(seen, "contact|1|70|ARB-C-000001|Mr|John|Smith|"
                                     "{\"john.smith@example.com\",\"js@work.example.com\"}|"
                                     "{\"07700 900123\",\"0113 496 0000\"}|12|"));
    assert_non_null(findRecord(seen, "relationship|1|80|ARB-C-000001|ARB-P-000001|Father|true|1"));
    assert_non_null(findRecord(seen, "membership|1|91|ARB-G-000001|ARB-P-000001|pupil"));
    assert_non_null(findRecord(seen, "group|1|89|ARB-G-000001|5B|Year 5 B|registration|2026/2027"));
    assert_non_null(findRecord(seen, "school|1|4|801|2001|100001|Hilltop Primary School|Arbor"));
    assert_non_null(findRecord(seen, "school|2|101|801|2002|100002|Valley Academy|Arbor"));
    assert_non_null(findRecord(seen, "pupil|2|103|ARB-P-100001|"));
    /* A UPN and a former UPN with wrong check letters: findings with their lines, not failures. */
    assert_int_equal(seen->warningCount, 2);
    assert_string_equal(seen->warnings[0],
                        "6: invalid-upn: pupil ARB-P-000001: former UPN A80120000500A has a wrong "
                        "check letter (expected M)");
    assert_string_equal(seen->warnings[1],
                        "24: invalid-upn: pupil ARB-P-000002: UPN C801200005002 has a wrong check "
                        "letter (expected Q)");
    free(seen);
}

/* err must be an input error whose message starts "path:line:column: " and contains text. */
static void assertInputError(const Error *err, const char *path, const char *text)
{
    const char *rest = err->message + strlen(path);
    long line = 0, column = 0;
    int used = 0;

    assert_int_equal(err->code, EXIT_INPUT);
    assert_int_equal(strncmp(err->message, path, strlen(path)), 0);
    if (sscanf(rest, ":%ld:%ld: %n", &line, &column, &used) != 2 || used == 0)
        fail_msg("no file:line:column in '%s'", err->message);
    assert_true(line > 0 && column > 0);
    if (strstr(err->message, text) == NULL)
        fail_msg("'%s' not in '%s'", text, err->message);
}

static void test_refuses_doctype_and_external_entities(void **state)
{
    Seen *seen = calloc(1, sizeof *seen);
    Error err;
    (void)state;

    assert_false(readAll(FIXTURES "doctype-xxe.xml", NULL, seen, &err));
    assertInputError(&err, FIXTURES "doctype-xxe.xml", "DOCTYPE is not allowed");
    assert_int_equal(seen->recordCount, 0);
    free(seen);
}

static void test_refuses_wrong_root(void **state)
{
    Seen seen = {0};
    Error err;
    (void)state;

    assert_false(readAll(FIXTURES "wrong-root.xml", NULL, &seen, &err));
    assertInputError(&err, FIXTURES "wrong-root.xml", "root element <extract>");
    assert_false(readAll(FIXTURES "trust.xml", extractFormatByName("ctf"), &seen, &err));
    assertInputError(&err, FIXTURES "trust.xml", "is not a Common Transfer File");
}

/* Every hostile or broken file fails with file:line:column and its reason, yielding nothing. */
static void test_refuses_hostile_files(void **state)
{
    static const struct {
        const char *file;
        const char *reason;
    } CASES[] = {
        {"doctype.xml", "2:1: a DOCTYPE is not allowed"},
        {"doctype-xxe.xml", "2:1: a DOCTYPE is not allowed"},
        {"billion-laughs.xml", "2:1: a DOCTYPE is not allowed"},
        {"xxe-network.xml", "2:1: a DOCTYPE is not allowed"},
        {"stylesheet-network.xml", "2:1: processing instruction <?xml-stylesheet?> is not allowed"},
        {"xinclude-network.xml", "4:1: unexpected element <xi:include> in <school>"},
        {"invalid-utf8.xml", "3:42: Input is not proper UTF-8"},
        {"truncated.xml", "the file ends before its root element does"},
        {"wrong-root.xml", "2:1: root element <extract> is not an extract misswitch knows"},
        {"ctf-old-version.xml", "CTF version \"17.0\" is not supported (this misswitch reads CTF 19 to 25)"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        Seen *seen = calloc(1, sizeof *seen);
        char path[512];
        Error err;
        snprintf(path, sizeof path, FIXTURES "%s", CASES[i].file);
        if (readAll(path, NULL, seen, &err))
            fail_msg("%s: read without error", CASES[i].file);
        assertInputError(&err, path, CASES[i].reason);
        if (strcmp(CASES[i].file, "ctf-old-version.xml") != 0 && strcmp(CASES[i].file, "truncated.xml") != 0)
            assert_int_equal(seen->recordCount, 0);
        free(seen);
    }
}

/* 100 000 nested elements: refused at our own depth limit, long before libxml2's 256. */
static void test_refuses_absurd_nesting(void **state)
{
    char path[] = "/tmp/test_extract_nesting_XXXXXX";
    int fd = mkstemp(path);
    FILE *file = fdopen(fd, "w");
    Seen *seen = calloc(1, sizeof *seen);
    Error err;
    (void)state;

    fputs("<?xml version=\"1.0\"?>\n<CTfile>\n", file);
    for (int i = 0; i < 100000; i++)
        fputs("<a>", file);
    for (int i = 0; i < 100000; i++)
        fputs("</a>", file);
    fputs("\n</CTfile>\n", file);
    fclose(file);
    assert_false(readAll(path, NULL, seen, &err));
    assertInputError(&err, path, "elements nested more than 32 deep at <a>");
    unlink(path);
    free(seen);
}

/* A path that cannot be opened. (Root reads a chmod 000 file regardless, so the permission case
 * runs only for other users; a path under a missing directory fails for everyone.) */
static void test_refuses_unreadable_paths(void **state)
{
    char path[] = "/tmp/test_extract_unreadable_XXXXXX";
    int fd = mkstemp(path);
    Seen seen = {0};
    Error err;
    (void)state;

    assert_false(readAll("/nonexistent-directory/extract.xml", NULL, &seen, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.message, "/nonexistent-directory/extract.xml: cannot open extract: "
                                        "No such file or directory"));
    assert_int_equal(write(fd, "<misswitch-extract version=\"1\"/>", 32), 32);
    close(fd);
    chmod(path, 0);
    if (geteuid() != 0) {
        assert_false(readAll(path, NULL, &seen, &err));
        assert_non_null(strstr(err.message, "cannot open extract: Permission denied"));
    }
    unlink(path);
}

static void test_refuses_empty_missing_and_directory(void **state)
{
    Seen seen = {0};
    Error err;
    (void)state;

    assert_false(readAll(FIXTURES "empty.xml", NULL, &seen, &err));
    assertInputError(&err, FIXTURES "empty.xml", "empty");
    assert_false(readAll(FIXTURES "no-such-file.xml", NULL, &seen, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.message, "no-such-file.xml: cannot open extract: No such file"));
    assert_false(readAll(FIXTURES, NULL, &seen, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.message, "is a directory"));
}

static void test_truncated_file_fails_with_position(void **state)
{
    Seen *seen = calloc(1, sizeof *seen);
    Error err;
    (void)state;

    assert_false(readAll(FIXTURES "truncated.xml", NULL, seen, &err));
    assertInputError(&err, FIXTURES "truncated.xml", "");
    free(seen);
}

/* A malformed value of an optional field is a finding with its line; the value stays unknown. */
static void test_bad_values_are_findings(void **state)
{
    Seen *seen = calloc(1, sizeof *seen);
    Error err;
    (void)state;

    assert_true(readAll(FIXTURES "bad-date.xml", NULL, seen, &err));
    assert_int_equal(seen->warningCount, 1);
    assert_string_equal(seen->warnings[0], "6: invalid-value: <dob> \"2015-02-30\" in <pupil> is "
                                           "not a date: no such day");
    assert_non_null(strstr(findRecord(seen, "pupil|"), "|NULL|"));
    free(seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_fixture_yields_every_field),
        cmocka_unit_test(test_refuses_doctype_and_external_entities),
        cmocka_unit_test(test_refuses_wrong_root),
        cmocka_unit_test(test_refuses_hostile_files),
        cmocka_unit_test(test_refuses_absurd_nesting),
        cmocka_unit_test(test_refuses_unreadable_paths),
        cmocka_unit_test(test_refuses_empty_missing_and_directory),
        cmocka_unit_test(test_truncated_file_fails_with_position),
        cmocka_unit_test(test_bad_values_are_findings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
