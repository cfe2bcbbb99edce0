/* test_strbuf.c — the growing buffer: appends, formats, growth past the first block, reuse */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "strbuf.h"

static void test_empty_buffer_reads_as_empty_string(void **state)
{
    StrBuf buffer = {0};
    (void)state;

    assert_string_equal(strBufText(&buffer), "");
    assert_int_equal(buffer.length, 0);
    assert_null(buffer.data);
    strBufFree(&buffer); /* safe on a buffer never appended to */
    assert_null(buffer.data);
}

static void test_appends_concatenate(void **state)
{
    StrBuf buffer = {0};
    (void)state;

    strBufAppend(&buffer, "hello");
    strBufAppend(&buffer, ", ");
    strBufAppendLength(&buffer, "world!!!", 5);
    strBufAppend(&buffer, "");
    assert_string_equal(strBufText(&buffer), "hello, world");
    assert_int_equal(buffer.length, 12);
    assert_false(buffer.failed);
    strBufFree(&buffer);
}

static void test_append_length_keeps_embedded_nul_bytes(void **state)
{
    StrBuf buffer = {0};
    (void)state;

    strBufAppendLength(&buffer, "a\0b", 3);
    assert_int_equal(buffer.length, 3);
    assert_memory_equal(buffer.data, "a\0b", 4); /* and still NUL-terminated */
    strBufFree(&buffer);
}

static void test_format_appends(void **state)
{
    StrBuf buffer = {0};
    (void)state;

    strBufAppend(&buffer, "n=");
    strBufAppendFormat(&buffer, "%d %s %04x", 42, "x", 255);
    strBufAppendFormat(&buffer, "%s", "");
    assert_string_equal(strBufText(&buffer), "n=42 x 00ff");
    assert_int_equal(buffer.length, strlen("n=42 x 00ff"));
    strBufFree(&buffer);
}

static void test_grows_past_the_first_block(void **state)
{
    StrBuf buffer = {0};
    char expected[10001];
    (void)state;

    for (int i = 0; i < 1000; i++)
        strBufAppend(&buffer, "0123456789");
    memset(expected, 0, sizeof expected);
    for (int i = 0; i < 10000; i++)
        expected[i] = (char)('0' + i % 10);
    assert_int_equal(buffer.length, 10000);
    assert_true(buffer.capacity > buffer.length);
    assert_string_equal(buffer.data, expected);

    /* a formatted append far larger than the capacity */
    strBufFree(&buffer);
    strBufAppendFormat(&buffer, "%s|%s", expected, expected);
    assert_int_equal(buffer.length, 20001);
    assert_int_equal(buffer.data[10000], '|');
    assert_int_equal(buffer.data[20001], '\0');
    strBufFree(&buffer);
}

static void test_free_resets_for_reuse(void **state)
{
    StrBuf buffer = {0};
    (void)state;

    strBufAppend(&buffer, "first");
    strBufFree(&buffer);
    assert_null(buffer.data);
    assert_int_equal(buffer.length, 0);
    assert_int_equal(buffer.capacity, 0);
    strBufAppend(&buffer, "second");
    assert_string_equal(strBufText(&buffer), "second");
    strBufFree(&buffer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_buffer_reads_as_empty_string),
        cmocka_unit_test(test_appends_concatenate),
        cmocka_unit_test(test_append_length_keeps_embedded_nul_bytes),
        cmocka_unit_test(test_format_appends),
        cmocka_unit_test(test_grows_past_the_first_block),
        cmocka_unit_test(test_free_resets_for_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
