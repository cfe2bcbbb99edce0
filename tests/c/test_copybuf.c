/* test_copybuf.c — COPY text encoding and buffering, without a database */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "copybuf.h"

/* Collects everything flushed, and how often. */
typedef struct Sink {
    char *data;
    size_t length;
    int flushes;
    size_t largest;
    bool failNext;
} Sink;

static bool collect(void *context, const char *data, size_t length, Error *err)
{
    Sink *sink = context;

    if (sink->failNext)
        return errorSet(err, EXIT_CONNECTION, "copy failed: gone");
    sink->data = realloc(sink->data, sink->length + length + 1);
    memcpy(sink->data + sink->length, data, length);
    sink->length += length;
    sink->data[sink->length] = '\0';
    sink->flushes++;
    if (length > sink->largest)
        sink->largest = length;
    return true;
}

static void test_encodes_fields_nulls_and_escapes(void **state)
{
    CopyBuf *buffer = malloc(sizeof *buffer);
    Sink sink = {0};
    Error err;
    (void)state;

    copyBufInit(buffer, collect, &sink);
    assert_true(copyBufField(buffer, "pupil", &err));
    assert_true(copyBufInteger(buffer, 42, &err));
    assert_true(copyBufField(buffer, NULL, &err));
    assert_true(copyBufField(buffer, "", &err));
    assert_true(copyBufField(buffer, "a\\b\tc\nd\re", &err));
    assert_true(copyBufField(buffer, "Zoë \"N\" O'Brien", &err));
    assert_true(copyBufEndRow(buffer, &err));
    assert_true(copyBufField(buffer, "\\N", &err)); /* the text, not NULL */
    assert_true(copyBufEndRow(buffer, &err));
    assert_int_equal(sink.flushes, 0); /* nothing leaves before a flush or a full buffer */
    assert_true(copyBufFlush(buffer, &err));
    assert_string_equal(sink.data, "pupil\t42\t\\N\t\ta\\\\b\\tc\\nd\\re\tZoë \"N\" O'Brien\n"
                                   "\\\\N\n");
    assert_int_equal(buffer->rows, 2);
    assert_true(copyBufFlush(buffer, &err)); /* empty: no call */
    assert_int_equal(sink.flushes, 1);
    free(sink.data);
    free(buffer);
}

static void test_flushes_in_buffer_sized_pieces(void **state)
{
    CopyBuf *buffer = malloc(sizeof *buffer);
    Sink sink = {0};
    char *big = malloc(3 * COPYBUF_SIZE);
    Error err;
    (void)state;

    memset(big, 'x', 3 * COPYBUF_SIZE - 1);
    big[3 * COPYBUF_SIZE - 1] = '\0';
    copyBufInit(buffer, collect, &sink);
    for (int i = 0; i < 10000; i++) {
        assert_true(copyBufField(buffer, "a row of some length", &err));
        assert_true(copyBufEndRow(buffer, &err));
    }
    /* A field larger than the buffer goes through in pieces. */
    assert_true(copyBufField(buffer, big, &err));
    assert_true(copyBufEndRow(buffer, &err));
    assert_true(copyBufFlush(buffer, &err));
    assert_int_equal(sink.length, 10000 * 21 + 3 * COPYBUF_SIZE);
    assert_int_equal(sink.largest, COPYBUF_SIZE);
    assert_true(sink.flushes >= 6);
    assert_memory_equal(sink.data + 20, "\n", 1);
    free(big);
    free(sink.data);
    free(buffer);
}

static void test_flush_failure_stops_the_copy(void **state)
{
    CopyBuf *buffer = malloc(sizeof *buffer);
    Sink sink = {.failNext = true};
    Error err;
    (void)state;

    copyBufInit(buffer, collect, &sink);
    assert_true(copyBufField(buffer, "x", &err));
    assert_false(copyBufFlush(buffer, &err));
    assert_int_equal(err.code, EXIT_CONNECTION);
    free(buffer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encodes_fields_nulls_and_escapes),
        cmocka_unit_test(test_flushes_in_buffer_sized_pieces),
        cmocka_unit_test(test_flush_failure_stops_the_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
