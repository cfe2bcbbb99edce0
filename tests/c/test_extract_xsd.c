/* test_extract_xsd.c — the generator's native extracts validate against docs/extract-format.xsd
 * (xmllint --schema), as do the native fixtures the loader tests read */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#define XSD MISSWITCH_SOURCE_DIR "/docs/extract-format.xsd"

static int validate(const char *path)
{
    char command[1024];

    snprintf(command, sizeof command, "xmllint --noout --schema %s %s", XSD, path);
    return system(command);
}

static void test_generator_output_validates(void **state)
{
    char dir[] = "/tmp/test_extract_xsd_XXXXXX";
    char command[1024], path[512];
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(command, sizeof command, "%s gen --pupils 120 --schools 2 --out %s >/dev/null",
             MISSWITCH_BINARY, dir);
    assert_int_equal(system(command), 0);
    snprintf(path, sizeof path, "%s/new-extract.xml", dir);
    assert_int_equal(validate(path), 0);
    snprintf(path, sizeof path, "%s/old-extract.xml", dir);
    assert_int_equal(validate(path), 0);
    snprintf(command, sizeof command, "rm -rf %s", dir);
    assert_int_equal(system(command), 0);
}

static void test_fixtures_validate(void **state)
{
    (void)state;
    assert_int_equal(validate(MISSWITCH_SOURCE_DIR "/tests/fixtures/extract/trust.xml"), 0);
    assert_int_equal(validate(MISSWITCH_SOURCE_DIR "/tests/fixtures/extract/hilltop-reload.xml"), 0);
    /* and the schema is no rubber stamp: another root element is refused */
    assert_int_not_equal(validate(MISSWITCH_SOURCE_DIR "/tests/fixtures/extract/wrong-root.xml"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generator_output_validates),
        cmocka_unit_test(test_fixtures_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
