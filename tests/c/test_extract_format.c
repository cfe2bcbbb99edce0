/* test_extract_format.c — value checks, format lookup, and the native mapping's consistency */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "extract_format.h"

static bool valid(ExtractColumnType type, const char *value)
{
    char reason[128];
    return extractValueIsValid(type, value, reason, sizeof reason);
}

static void test_dates_are_real_calendar_dates(void **state)
{
    (void)state;
    assert_true(valid(EXTRACT_DATE, "2015-04-01"));
    assert_true(valid(EXTRACT_DATE, "2016-02-29")); /* leap year */
    assert_true(valid(EXTRACT_DATE, "2000-02-29")); /* divisible by 400 */
    assert_false(valid(EXTRACT_DATE, "1900-02-29")); /* divisible by 100 */
    assert_false(valid(EXTRACT_DATE, "2015-02-29"));
    assert_false(valid(EXTRACT_DATE, "2015-04-31"));
    assert_false(valid(EXTRACT_DATE, "2015-13-01"));
    assert_false(valid(EXTRACT_DATE, "01/04/2015"));
    assert_false(valid(EXTRACT_DATE, "2015-4-1"));
    assert_false(valid(EXTRACT_DATE, "2015-04-01T00:00"));
}

static void test_booleans_and_integers(void **state)
{
    (void)state;
    assert_true(valid(EXTRACT_BOOLEAN, "true"));
    assert_true(valid(EXTRACT_BOOLEAN, "0"));
    assert_false(valid(EXTRACT_BOOLEAN, "yes"));
    assert_true(valid(EXTRACT_INTEGER, "1"));
    assert_false(valid(EXTRACT_INTEGER, "-1"));
    assert_false(valid(EXTRACT_INTEGER, "1234567890")); /* would overflow integer */
    assert_false(valid(EXTRACT_INTEGER, "first"));
    assert_true(valid(EXTRACT_TEXT, "anything"));
}

static void test_formats_by_name_and_root(void **state)
{
    Error err;
    (void)state;
    assert_ptr_equal(extractFormatByName("native"), &EXTRACT_FORMAT_NATIVE);
    assert_ptr_equal(extractFormatByRoot("misswitch-extract"), &EXTRACT_FORMAT_NATIVE);
    assert_ptr_equal(extractFormatByRoot("CTfile"), &EXTRACT_FORMAT_CTF);
    assert_ptr_equal(extractFormatByName("ims"), &EXTRACT_FORMAT_IMS);
    assert_ptr_equal(extractFormatByRoot("enterprise"), &EXTRACT_FORMAT_IMS);
    assert_null(extractFormatByName("csv"));
    assert_null(extractFormatByRoot("extract"));
    assert_true(extractFormatValidate(&EXTRACT_FORMAT_NATIVE, &err));
    assert_true(extractFormatValidate(&EXTRACT_FORMAT_CTF, &err));
    assert_true(extractFormatValidate(&EXTRACT_FORMAT_IMS, &err));
}

/* The wide temp table has EXTRACT_MAX_COLUMNS value columns: every kind must fit. */
static void test_kinds_fit_the_wide_table(void **state)
{
    const ExtractKind *kinds[] = {&EXTRACT_KIND_SCHOOL, &EXTRACT_KIND_PUPIL,
                                  &EXTRACT_KIND_STAFF, &EXTRACT_KIND_CONTACT,
                                  &EXTRACT_KIND_RELATIONSHIP, &EXTRACT_KIND_GROUP,
                                  &EXTRACT_KIND_MEMBERSHIP,  &EXTRACT_KIND_CTF_HEADER,
                                  &EXTRACT_KIND_CTF_CONTACT, &EXTRACT_KIND_IMS_PROPERTIES,
                                  &EXTRACT_KIND_IMS_PERSON,  &EXTRACT_KIND_IMS_GROUP,
                                  &EXTRACT_KIND_IMS_MEMBERSHIP, &EXTRACT_KIND_IMS_MEMBER};
    (void)state;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        assert_true(kinds[i]->columnCount <= EXTRACT_MAX_COLUMNS);
    assert_int_equal(EXTRACT_KIND_STAFF.columnCount, EXTRACT_MAX_COLUMNS);
    assert_int_equal(extractKindColumn(&EXTRACT_KIND_PUPIL, "dob"), 7);
    assert_int_equal(extractKindColumn(&EXTRACT_KIND_PUPIL, "nope"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_are_real_calendar_dates),
        cmocka_unit_test(test_booleans_and_integers),
        cmocka_unit_test(test_formats_by_name_and_root),
        cmocka_unit_test(test_kinds_fit_the_wide_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
