/* test_extract_paths.c — the compiled path tree: children, fields, attribute fields, columns */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "extract_paths.h"

/* The native format's pupil (records[1]) and relationship (records[4]) mappings. */
static void test_native_pupil_paths(void **state)
{
    Error err;
    ExtractPaths *paths = extractPathsNew(&EXTRACT_FORMAT_NATIVE, &err);
    int address, town;
    const ExtractPathNode *node;
    (void)state;

    assert_non_null(paths);
    assert_string_equal(EXTRACT_FORMAT_NATIVE.records[1].element, "pupil");
    address = extractPathsChild(paths, 1, 0, "address");
    assert_true(address > 0);
    node = extractPathsNode(paths, 1, address);
    assert_false(node->isField); /* a step towards address/town etc. */
    assert_int_equal(extractPathsChild(paths, 1, 0, "town"), -1); /* only below address */
    town = extractPathsChild(paths, 1, address, "town");
    node = extractPathsNode(paths, 1, town);
    assert_true(node->isField);
    assert_string_equal(node->path, "address/town");
    assert_int_equal(node->parent, address);
    assert_int_equal(node->fieldCount, 1);
    assert_int_equal(extractPathsColumn(paths, 1, node->fields[0]),
                     extractKindColumn(&EXTRACT_KIND_PUPIL, "address_town"));
    assert_int_equal(extractPathsChild(paths, 1, 0, "no-such-element"), -1);
    extractPathsFree(paths);
}

/* CTF's <UPN> fills two columns; IMS's <role roletype="..."> is a step with an attribute field. */
static void test_shared_paths_and_attribute_fields(void **state)
{
    Error err;
    ExtractPaths *ctf = extractPathsNew(&EXTRACT_FORMAT_CTF, &err);
    ExtractPaths *ims = extractPathsNew(&EXTRACT_FORMAT_IMS, &err);
    bool sawTwoFields = false, sawAttribute = false;
    (void)state;

    assert_non_null(ctf);
    assert_non_null(ims);
    for (int r = 0; r < EXTRACT_FORMAT_CTF.recordCount; r++) {
        int upn = extractPathsChild(ctf, r, 0, "UPN");
        if (upn > 0 && extractPathsNode(ctf, r, upn)->fieldCount == 2)
            sawTwoFields = true;
    }
    for (int r = 0; r < EXTRACT_FORMAT_IMS.recordCount; r++) {
        int role = extractPathsChild(ims, r, 0, "role");
        if (role > 0 && extractPathsNode(ims, r, role)->attributeCount > 0)
            sawAttribute = true;
    }
    assert_true(sawTwoFields);
    assert_true(sawAttribute);
    extractPathsFree(ctf);
    extractPathsFree(ims);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_pupil_paths),
        cmocka_unit_test(test_shared_paths_and_attribute_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
