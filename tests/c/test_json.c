/* test_json.c — JSON string literals: quotes, backslashes, control characters, NULL, UTF-8 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* What jsonWriteString writes for value, as a string the caller frees. */
static char *written(const char *value)
{
    char *text = NULL;
    size_t length = 0;
    FILE *stream = open_memstream(&text, &length);

    assert_non_null(stream);
    jsonWriteString(stream, value);
    assert_int_equal(fclose(stream), 0);
    return text;
}

static void assertWritten(const char *value, const char *expected)
{
    char *text = written(value);

    assert_string_equal(text, expected);
    free(text);
}

static void test_plain_text_is_quoted(void **state)
{
    (void)state;
    assertWritten("", "\"\"");
    assertWritten("abc 123", "\"abc 123\"");
}

static void test_null_writes_null(void **state)
{
    (void)state;
    assertWritten(NULL, "null");
}

static void test_quotes_and_backslashes_are_escaped(void **state)
{
    (void)state;
    assertWritten("say \"hi\"", "\"say \\\"hi\\\"\"");
    assertWritten("C:\\path\\", "\"C:\\\\path\\\\\"");
    assertWritten("\\\"", "\"\\\\\\\"\"");
    /* '/' needs no escape */
    assertWritten("a/b", "\"a/b\"");
}

static void test_control_characters_are_escaped(void **state)
{
    (void)state;
    assertWritten("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    assertWritten("\x01", "\"\\u0001\"");
    assertWritten("\x1f", "\"\\u001f\"");
    assertWritten("\b\f", "\"\\u0008\\u000c\"");
    assertWritten("x\x1by", "\"x\\u001by\"");
    /* DEL (0x7f) is not a control character in JSON */
    assertWritten("\x7f", "\"\x7f\"");
}

static void test_every_control_character_is_escaped(void **state)
{
    (void)state;
    for (int c = 1; c < 0x20; c++) {
        char value[2] = {(char)c, '\0'};
        char *text = written(value);
        /* no raw control character may reach the output */
        for (const char *at = text; *at; at++)
            assert_true((unsigned char)*at >= 0x20);
        assert_int_equal(text[0], '"');
        assert_int_equal(text[1], '\\');
        free(text);
    }
}

static void test_utf8_passes_through(void **state)
{
    (void)state;
    assertWritten("Zoë Ó Súilleabháin", "\"Zoë Ó Súilleabháin\"");
    assertWritten("\xe2\x80\xa8", "\"\xe2\x80\xa8\""); /* U+2028 is valid JSON */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_is_quoted),
        cmocka_unit_test(test_null_writes_null),
        cmocka_unit_test(test_quotes_and_backslashes_are_escaped),
        cmocka_unit_test(test_control_characters_are_escaped),
        cmocka_unit_test(test_every_control_character_is_escaped),
        cmocka_unit_test(test_utf8_passes_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
