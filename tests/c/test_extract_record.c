/* test_extract_record.c — record assembly: trimming, types, arrays, repeats, required fields */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "extract_record.h"

static const ExtractField FIELDS[] = {
    {"mis_id", EXTRACT_FROM_ATTRIBUTE, "id", true},
    {"upn", EXTRACT_FROM_ELEMENT, "upn", false},
    {"former_upns", EXTRACT_FROM_ELEMENT, "former-upn", false},
    {"dob", EXTRACT_FROM_ELEMENT, "dob", false},
};
static const ExtractRecordMap PUPIL = {&EXTRACT_KIND_PUPIL, "pupil", "pupils", FIELDS, 4, NULL};

static void test_values_are_trimmed_checked_and_collected(void **state)
{
    ExtractRecordBuilder builder = {0};
    ExtractRecord record;
    Error err;
    (void)state;

    extractRecordBegin(&builder, &PUPIL, 2, 40, 5);
    assert_int_equal(extractRecordStore(&builder, 0, "id", "  ARB-1\n", &err), EXTRACT_STORED);
    assert_int_equal(extractRecordStore(&builder, 1, "upn", "\n   ", &err), EXTRACT_STORED); /* empty: unknown */
    assert_int_equal(extractRecordStore(&builder, 2, "former-upn", "A\"1", &err), EXTRACT_STORED);
    assert_int_equal(extractRecordStore(&builder, 2, "former-upn", "B\\2", &err), EXTRACT_STORED);
    assert_int_equal(extractRecordStore(&builder, 7, "dob", "2015-04-01", &err), EXTRACT_STORED);
    assert_string_equal(extractRecordValue(&builder, "mis_id"), "ARB-1");
    assert_null(extractRecordValue(&builder, "former_upns")); /* arrays are not parent values */
    assert_true(extractRecordFinish(&builder, "f.xml", &record, &err));
    assert_ptr_equal(record.kind, &EXTRACT_KIND_PUPIL);
    assert_int_equal(record.school, 2);
    assert_int_equal(record.line, 40);
    assert_string_equal(record.values[0], "ARB-1");
    assert_null(record.values[1]);
    assert_string_equal(record.values[2], "{\"A\\\"1\",\"B\\\\2\"}");
    assert_string_equal(record.values[7], "2015-04-01");
    extractRecordFree(&builder);
}

static void test_bad_values_repeats_and_missing_ids_fail(void **state)
{
    ExtractRecordBuilder builder = {0};
    ExtractRecord record;
    Error err;
    (void)state;

    extractRecordBegin(&builder, &PUPIL, 1, 7, 5);
    assert_int_equal(extractRecordStore(&builder, 7, "dob", "2015-02-30", &err), EXTRACT_REJECTED);
    assert_int_equal(err.code, EXIT_INPUT);
    assert_string_equal(err.message, "<dob> \"2015-02-30\" in <pupil> is not a date: no such day");
    assert_int_equal(extractRecordStore(&builder, 1, "upn", "B801200005001", &err), EXTRACT_STORED);
    assert_int_equal(extractRecordStore(&builder, 1, "upn", "B801200005001", &err),
                     EXTRACT_STORE_FAILED);
    assert_string_equal(err.message, "<upn> given twice in <pupil>");
    assert_false(extractRecordFinish(&builder, "f.xml", &record, &err));
    assert_string_equal(err.message, "<pupil> has no id attribute");
    extractRecordFree(&builder);
}

/* A builder is reused record after record (no allocation per value): nothing of the previous
 * record shows through, however long its values were. */
static void test_builder_reuse_starts_clean(void **state)
{
    ExtractRecordBuilder builder = {0};
    ExtractRecord record;
    Error err;
    (void)state;

    extractRecordBegin(&builder, &PUPIL, 1, 7, 5);
    assert_int_equal(extractRecordStore(&builder, 0, "id", "A-LONGER-IDENTIFIER", &err), EXTRACT_STORED);
    assert_int_equal(extractRecordStore(&builder, 2, "former-upn", "X1", &err), EXTRACT_STORED);
    assert_int_equal(extractRecordStore(&builder, 12, "house", "The Old Rectory", &err),
                     EXTRACT_STORED);
    assert_true(extractRecordFinish(&builder, "f.xml", &record, &err));
    extractRecordClear(&builder);
    extractRecordBegin(&builder, &PUPIL, 1, 9, 5);
    assert_int_equal(extractRecordStore(&builder, 0, "id", "B", &err), EXTRACT_STORED);
    assert_int_equal(extractRecordStore(&builder, 2, "former-upn", "Y2", &err), EXTRACT_STORED);
    assert_true(extractRecordFinish(&builder, "f.xml", &record, &err));
    assert_string_equal(record.values[0], "B");
    assert_string_equal(record.values[2], "{\"Y2\"}");
    assert_null(record.values[12]);
    assert_int_equal(record.line, 9);
    extractRecordFree(&builder);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_are_trimmed_checked_and_collected),
        cmocka_unit_test(test_bad_values_repeats_and_missing_ids_fail),
        cmocka_unit_test(test_builder_reuse_starts_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
