/* test_files.c — output files appear whole with mode 0600 or not at all; directories; reads */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

typedef struct Fixture {
    char dir[64];
    char path[128];
    char temporary[160];
} Fixture;

static int setUp(void **state)
{
    Fixture *fixture = calloc(1, sizeof *fixture);

    if (fixture == NULL)
        return -1;
    snprintf(fixture->dir, sizeof fixture->dir, "/tmp/test_files_XXXXXX");
    if (mkdtemp(fixture->dir) == NULL)
        return -1;
    snprintf(fixture->path, sizeof fixture->path, "%s/out.csv", fixture->dir);
    snprintf(fixture->temporary, sizeof fixture->temporary, "%s.tmp", fixture->path);
    *state = fixture;
    return 0;
}

static int tearDown(void **state)
{
    Fixture *fixture = *state;
    char sub[160];

    snprintf(sub, sizeof sub, "%s/sub", fixture->dir);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/victim", fixture->dir);
    unlink(sub);
    unlink(fixture->path);
    unlink(fixture->temporary);
    rmdir(fixture->dir);
    free(fixture);
    return 0;
}

static bool exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

static void test_commit_renames_with_mode_0600(void **state)
{
    Fixture *fixture = *state;
    OutputFile file;
    struct stat st;
    size_t length;
    char *text;
    Error err;
    mode_t old = umask(0); /* even with a permissive umask the file is owner-only */

    assert_true(outputFileOpen(&file, fixture->path, &err));
    umask(old);
    fputs("hello\n", file.stream);
    /* until committed, only the temporary exists */
    assert_true(exists(fixture->temporary));
    assert_false(exists(fixture->path));
    assert_true(outputFileCommit(&file, &err));
    assert_null(file.stream);
    assert_false(exists(fixture->temporary));
    assert_int_equal(stat(fixture->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    text = filesReadAll(fixture->path, &length, &err);
    assert_non_null(text);
    assert_int_equal(length, 6);
    assert_string_equal(text, "hello\n");
    free(text);
}

static void test_commit_replaces_an_existing_file_whole(void **state)
{
    Fixture *fixture = *state;
    OutputFile file;
    char *text;
    Error err;

    assert_true(outputFileOpen(&file, fixture->path, &err));
    fputs("old contents that are longer", file.stream);
    assert_true(outputFileCommit(&file, &err));

    assert_true(outputFileOpen(&file, fixture->path, &err));
    fputs("new", file.stream);
    /* the old file is intact while the new one is being written */
    text = filesReadAll(fixture->path, NULL, &err);
    assert_non_null(text);
    assert_string_equal(text, "old contents that are longer");
    free(text);
    assert_true(outputFileCommit(&file, &err));
    text = filesReadAll(fixture->path, NULL, &err);
    assert_non_null(text);
    assert_string_equal(text, "new");
    free(text);
}

static void test_abandon_leaves_nothing(void **state)
{
    Fixture *fixture = *state;
    OutputFile file;
    Error err;

    assert_true(outputFileOpen(&file, fixture->path, &err));
    fputs("half a report", file.stream);
    outputFileAbandon(&file);
    assert_null(file.stream);
    assert_false(exists(fixture->temporary));
    assert_false(exists(fixture->path));
    outputFileAbandon(&file); /* twice is harmless */
}

static void test_abandon_is_safe_on_a_file_never_opened(void **state)
{
    OutputFile file;
    (void)state;

    memset(&file, 0, sizeof file);
    outputFileAbandon(&file);
    assert_null(file.stream);
}

static void test_open_in_a_missing_directory_fails(void **state)
{
    Fixture *fixture = *state;
    char path[192];
    OutputFile file;
    Error err;

    snprintf(path, sizeof path, "%s/missing/out.csv", fixture->dir);
    assert_false(outputFileOpen(&file, path, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.message, "cannot create"));
}

static void test_make_directory_creates_0700_and_accepts_existing(void **state)
{
    Fixture *fixture = *state;
    char sub[160];
    struct stat st;
    Error err;
    mode_t old = umask(0);

    snprintf(sub, sizeof sub, "%s/sub", fixture->dir);
    assert_true(filesMakeDirectory(sub, &err));
    umask(old);
    assert_int_equal(stat(sub, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0700);
    assert_true(filesMakeDirectory(sub, &err)); /* already there: fine */
}

static void test_make_directory_over_a_file_fails(void **state)
{
    Fixture *fixture = *state;
    OutputFile file;
    Error err;

    assert_true(outputFileOpen(&file, fixture->path, &err));
    assert_true(outputFileCommit(&file, &err));
    assert_false(filesMakeDirectory(fixture->path, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.message, "a file of that name exists"));
}

static void test_read_all_of_a_directory_fails(void **state)
{
    Fixture *fixture = *state;
    Error err;

    assert_null(filesReadAll(fixture->dir, NULL, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.message, "is not a regular file"));
}

static void test_read_all_of_a_missing_file_fails(void **state)
{
    Fixture *fixture = *state;
    Error err;

    assert_null(filesReadAll(fixture->path, NULL, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.message, fixture->path));
}

static void test_read_all_of_an_empty_file(void **state)
{
    Fixture *fixture = *state;
    OutputFile file;
    size_t length = 99;
    char *text;
    Error err;

    assert_true(outputFileOpen(&file, fixture->path, &err));
    assert_true(outputFileCommit(&file, &err));
    text = filesReadAll(fixture->path, &length, &err);
    assert_non_null(text);
    assert_int_equal(length, 0);
    assert_string_equal(text, "");
    free(text);
}

static void test_stale_temporary_does_not_keep_its_mode(void **state)
{
    Fixture *fixture = *state;
    OutputFile file;
    struct stat st;
    FILE *stale;
    char *text;
    Error err;

    /* a .tmp left behind (a crash, or someone else) that anyone may read */
    stale = fopen(fixture->temporary, "w");
    assert_non_null(stale);
    fputs("stale contents, longer than the new ones", stale);
    assert_int_equal(fclose(stale), 0);
    assert_int_equal(chmod(fixture->temporary, 0644), 0);

    assert_true(outputFileOpen(&file, fixture->path, &err));
    fputs("fresh", file.stream);
    assert_true(outputFileCommit(&file, &err));
    assert_int_equal(stat(fixture->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    text = filesReadAll(fixture->path, NULL, &err);
    assert_non_null(text);
    assert_string_equal(text, "fresh");
    free(text);
}

static void test_symlink_at_the_temporary_is_not_followed(void **state)
{
    Fixture *fixture = *state;
    char victim[160];
    OutputFile file;
    struct stat st;
    FILE *stream;
    char *text;
    Error err;

    snprintf(victim, sizeof victim, "%s/victim", fixture->dir);
    stream = fopen(victim, "w");
    assert_non_null(stream);
    fputs("keep me", stream);
    assert_int_equal(fclose(stream), 0);
    assert_int_equal(symlink(victim, fixture->temporary), 0);

    assert_true(outputFileOpen(&file, fixture->path, &err));
    fputs("report", file.stream);
    assert_true(outputFileCommit(&file, &err));
    text = filesReadAll(victim, NULL, &err);
    assert_non_null(text);
    assert_string_equal(text, "keep me");
    free(text);
    assert_int_equal(lstat(fixture->path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_renames_with_mode_0600, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_commit_replaces_an_existing_file_whole, setUp,
                                        tearDown),
        cmocka_unit_test_setup_teardown(test_abandon_leaves_nothing, setUp, tearDown),
        cmocka_unit_test(test_abandon_is_safe_on_a_file_never_opened),
        cmocka_unit_test_setup_teardown(test_open_in_a_missing_directory_fails, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_make_directory_creates_0700_and_accepts_existing,
                                        setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_make_directory_over_a_file_fails, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_read_all_of_a_directory_fails, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_read_all_of_a_missing_file_fails, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_read_all_of_an_empty_file, setUp, tearDown),
        cmocka_unit_test_setup_teardown(test_stale_temporary_does_not_keep_its_mode, setUp,
                                        tearDown),
        cmocka_unit_test_setup_teardown(test_symlink_at_the_temporary_is_not_followed, setUp,
                                        tearDown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
