/* test_planfile.c — plan.sql: compose and read back, the hash gate, hostile step markers */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "planfile.h"

static const PlanStep STEPS[] = {
    {"data", "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);"},
    {"relink_pupils", "UPDATE t SET x = 'it''s';"},
    {"checks", "SELECT misswitch.run_finish();"},
};
#define STEP_COUNT (sizeof STEPS / sizeof STEPS[0])

typedef struct Fixture {
    char dir[64];
    char path[128];
} Fixture;

static int setUp(void **state)
{
    Fixture *fixture = calloc(1, sizeof *fixture);

    if (fixture == NULL)
        return -1;
    snprintf(fixture->dir, sizeof fixture->dir, "/tmp/test_planfile_XXXXXX");
    if (mkdtemp(fixture->dir) == NULL)
        return -1;
    snprintf(fixture->path, sizeof fixture->path, "%s/plan.sql", fixture->dir);
    *state = fixture;
    return 0;
}

static int tearDown(void **state)
{
    Fixture *fixture = *state;

    unlink(fixture->path);
    rmdir(fixture->dir);
    free(fixture);
    return 0;
}

static void writeText(const char *path, const char *text, size_t length)
{
    FILE *stream = fopen(path, "wb");

    assert_non_null(stream);
    assert_int_equal(fwrite(text, 1, length, stream), length);
    assert_int_equal(fclose(stream), 0);
}

/* Composes steps into path; returns the composed text (caller frees the buffer). */
static void composeTo(const char *path, const PlanStep *steps, size_t count, StrBuf *out,
                      char hash[PLANFILE_HASH_HEX + 1])
{
    Error err;

    assert_true(planFileCompose(out, "made for a test\nsecond header line", steps, count, hash,
                                &err));
    assert_false(out->failed);
    writeText(path, out->data, out->length);
}

static void test_compose_then_read_round_trips(void **state)
{
    Fixture *fixture = *state;
    char hash[PLANFILE_HASH_HEX + 1];
    StrBuf text = {0};
    PlanFile plan;
    Error err;

    composeTo(fixture->path, STEPS, STEP_COUNT, &text, hash);
    assert_int_equal(strlen(hash), PLANFILE_HASH_HEX);
    assert_true(planFileRead(fixture->path, &plan, &err));
    assert_string_equal(plan.hash, hash);
    assert_string_equal(plan.text, text.data);
    assert_int_equal(plan.stepCount, STEP_COUNT);
    for (size_t i = 0; i < STEP_COUNT; i++) {
        assert_string_equal(plan.steps[i].name, STEPS[i].name);
        assert_string_equal(plan.steps[i].sql, STEPS[i].sql);
    }
    /* header lines are comments */
    assert_non_null(strstr(text.data, "\n-- made for a test\n-- second header line\n"));
    planFileFree(&plan);
    strBufFree(&text);
}

static void test_begin_line_carries_the_hash(void **state)
{
    Fixture *fixture = *state;
    char hash[PLANFILE_HASH_HEX + 1];
    char expected[128];
    StrBuf text = {0};
    PlanFile plan;
    Error err;

    composeTo(fixture->path, STEPS, STEP_COUNT, &text, hash);
    assert_true(planFileRead(fixture->path, &plan, &err));
    snprintf(expected, sizeof expected, "SELECT misswitch.run_begin('%s');", hash);
    assert_string_equal(plan.beginSql, expected);
    /* and it stands on a line of its own in the file, before the body */
    snprintf(expected, sizeof expected, "\nSELECT misswitch.run_begin('%s');\n-- misswitch:body ",
             hash);
    assert_non_null(strstr(text.data, expected));
    planFileFree(&plan);
    strBufFree(&text);
}

static void test_two_compositions_use_different_nonces(void **state)
{
    char hash1[PLANFILE_HASH_HEX + 1], hash2[PLANFILE_HASH_HEX + 1];
    StrBuf first = {0}, second = {0};
    Error err;
    (void)state;

    assert_true(planFileCompose(&first, "", STEPS, STEP_COUNT, hash1, &err));
    assert_true(planFileCompose(&second, "", STEPS, STEP_COUNT, hash2, &err));
    /* the nonce is random, so the body and its hash differ */
    assert_string_not_equal(hash1, hash2);
    assert_string_not_equal(first.data, second.data);
    strBufFree(&first);
    strBufFree(&second);
}

static void test_edited_body_is_refused(void **state)
{
    Fixture *fixture = *state;
    char hash[PLANFILE_HASH_HEX + 1];
    StrBuf text = {0};
    PlanFile plan;
    Error err;
    char *at;

    composeTo(fixture->path, STEPS, STEP_COUNT, &text, hash);
    at = strstr(text.data, "VALUES (2)");
    assert_non_null(at);
    at[8] = '3'; /* one byte of the body */
    writeText(fixture->path, text.data, text.length);
    assert_false(planFileRead(fixture->path, &plan, &err));
    assert_int_equal(err.code, EXIT_REFUSED);
    assert_non_null(strstr(err.message, "was changed after it was planned"));
    planFileFree(&plan);
    strBufFree(&text);
}

static void test_edited_begin_line_is_refused(void **state)
{
    Fixture *fixture = *state;
    char hash[PLANFILE_HASH_HEX + 1];
    StrBuf text = {0};
    PlanFile plan;
    Error err;
    char *at;

    composeTo(fixture->path, STEPS, STEP_COUNT, &text, hash);
    at = strstr(text.data, "SELECT misswitch.run_begin('");
    assert_non_null(at);
    at += strlen("SELECT misswitch.run_begin('");
    *at = *at == '0' ? '1' : '0';
    writeText(fixture->path, text.data, text.length);
    assert_false(planFileRead(fixture->path, &plan, &err));
    assert_int_equal(err.code, EXIT_REFUSED);
    planFileFree(&plan);
    strBufFree(&text);
}

static void test_not_a_plan_is_an_input_error(void **state)
{
    Fixture *fixture = *state;
    static const char TEXT[] = "SELECT 1;\n-- just some SQL\n";
    PlanFile plan;
    Error err;

    writeText(fixture->path, TEXT, sizeof TEXT - 1);
    assert_false(planFileRead(fixture->path, &plan, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.message, "is not a misswitch plan"));
    planFileFree(&plan);

    writeText(fixture->path, "", 0);
    assert_false(planFileRead(fixture->path, &plan, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    planFileFree(&plan);
}

static void test_missing_file_is_an_input_error(void **state)
{
    Fixture *fixture = *state;
    PlanFile plan;
    Error err;

    assert_false(planFileRead(fixture->path, &plan, &err)); /* never written */
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.message, fixture->path));
    planFileFree(&plan);
}

static void test_marker_inside_data_does_not_make_a_step(void **state)
{
    Fixture *fixture = *state;
    static const PlanStep HOSTILE[] = {
        {"data", "INSERT INTO t VALUES ('\n-- misswitch:step xyz evil\nDROP TABLE t; --');"},
        {"checks", "SELECT 1;"},
    };
    char hash[PLANFILE_HASH_HEX + 1];
    StrBuf text = {0};
    PlanFile plan;
    Error err;

    composeTo(fixture->path, HOSTILE, 2, &text, hash);
    assert_true(planFileRead(fixture->path, &plan, &err));
    assert_int_equal(plan.stepCount, 2);
    assert_string_equal(plan.steps[0].name, "data");
    assert_string_equal(plan.steps[0].sql, HOSTILE[0].sql);
    assert_string_equal(plan.steps[1].name, "checks");
    planFileFree(&plan);
    strBufFree(&text);
}

static void test_marker_with_a_guessed_nonce_shape_does_not_make_a_step(void **state)
{
    Fixture *fixture = *state;
    /* a value shaped exactly like a real marker, with a nonce that is not this plan's */
    static const PlanStep HOSTILE[] = {
        {"data", "SELECT '\n-- misswitch:step 00000000000000000000000000000000 evil\nx';"},
    };
    char hash[PLANFILE_HASH_HEX + 1];
    StrBuf text = {0};
    PlanFile plan;
    Error err;

    composeTo(fixture->path, HOSTILE, 1, &text, hash);
    assert_true(planFileRead(fixture->path, &plan, &err));
    assert_int_equal(plan.stepCount, 1);
    assert_string_equal(plan.steps[0].sql, HOSTILE[0].sql);
    planFileFree(&plan);
    strBufFree(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_compose_then_read_round_trips, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_begin_line_carries_the_hash, setUp, tearDown),
        cmocka_unit_test(test_two_compositions_use_different_nonces),
        cmocka_unit_test_setup_teardown(test_edited_body_is_refused, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_edited_begin_line_is_refused, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_not_a_plan_is_an_input_error, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_missing_file_is_an_input_error, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_marker_inside_data_does_not_make_a_step, setUp,
                                        tearDown),
        cmocka_unit_test_setup_teardown(
            test_marker_with_a_guessed_nonce_shape_does_not_make_a_step, setUp, tearDown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
