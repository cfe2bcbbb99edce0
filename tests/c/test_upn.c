/* test_upn.c — UPN check letters: the DfE's examples, temporary UPNs, bad input */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "upn.h"

static void test_known_valid_upns(void **state)
{
    (void)state;
    assert_true(upnIsValid("B801200005001"));
    assert_true(upnIsValid("R674123101121"));
    assert_true(upnIsValid("H801200001001"));
    assert_int_equal(upnCheckLetter("801200005001"), 'B');
}

static void test_wrong_check_letter_is_invalid(void **state)
{
    (void)state;
    assert_false(upnIsValid("A801200005001"));
    assert_false(upnIsValid("C801200005001"));
}

static void test_malformed_input_is_invalid(void **state)
{
    (void)state;
    assert_false(upnIsValid(NULL));
    assert_false(upnIsValid(""));
    assert_false(upnIsValid("B80120000500"));   /* too short */
    assert_false(upnIsValid("B8012000050011")); /* too long */
    assert_false(upnIsValid("B80120000X001"));  /* a letter before the last place */
    assert_int_equal(upnCheckLetter("80120000500I"), '\0'); /* I is not in the table */
}

static void test_temporary_upn_counts_letter_as_table_index(void **state)
{
    char upn[UPN_LENGTH + 1] = "?80120000500A";
    (void)state;
    /* 'A' is index 0 in the table, so the check letter equals that of a trailing 0. */
    upn[0] = upnCheckLetter(upn + 1);
    assert_int_equal(upn[0], upnCheckLetter("801200005000"));
    assert_true(upnIsValid(upn));
    assert_true(upnIsTemporary(upn));
    assert_false(upnIsTemporary("B801200005001"));
    /* 'Z' is index 22: weight 13 × 22 */
    assert_int_not_equal(upnCheckLetter("80120000500Z"), '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_valid_upns),
        cmocka_unit_test(test_wrong_check_letter_is_invalid),
        cmocka_unit_test(test_malformed_input_is_invalid),
        cmocka_unit_test(test_temporary_upn_counts_letter_as_table_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
