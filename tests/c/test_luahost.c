/* test_luahost.c — the rules host: compiling, error locations, the sandbox and its limits */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "luahost.h"

/* Each test gets a fresh temporary directory: <dir>/rules is the rules directory. */
typedef struct Fixture {
    char dir[64];
    char rules[96];
    char path[256]; /* scratch for the last path written */
    LuaHostLimits limits;
    LuaHost *host;
} Fixture;

static int setUp(void **state)
{
    Fixture *fixture = calloc(1, sizeof *fixture);

    assert_non_null(fixture);
    strcpy(fixture->dir, "/tmp/luahost-XXXXXX");
    assert_non_null(mkdtemp(fixture->dir));
    snprintf(fixture->rules, sizeof fixture->rules, "%s/rules", fixture->dir);
    assert_int_equal(mkdir(fixture->rules, 0700), 0);
    *state = fixture;
    return 0;
}

static int removeEntry(const char *path, const struct stat *info, int type, struct FTW *ftw)
{
    (void)info, (void)type, (void)ftw;
    return remove(path);
}

static int tearDown(void **state)
{
    Fixture *fixture = *state;

    luaHostFree(fixture->host);
    nftw(fixture->dir, removeEntry, 16, FTW_DEPTH | FTW_PHYS);
    free(fixture);
    return 0;
}

/* Writes text to <dir>/relative (creating one level of parent directory); returns the path. */
static const char *writeFile(Fixture *fixture, const char *relative, const char *text, size_t size)
{
    char parent[256];
    char *slash;
    FILE *file;

    snprintf(fixture->path, sizeof fixture->path, "%s/%s", fixture->dir, relative);
    for (slash = strchr(fixture->path + strlen(fixture->dir) + 1, '/'); slash != NULL;
         slash = strchr(slash + 1, '/')) {
        snprintf(parent, sizeof parent, "%.*s", (int)(slash - fixture->path), fixture->path);
        mkdir(parent, 0700);
    }
    file = fopen(fixture->path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(text, 1, size, file), size);
    assert_int_equal(fclose(file), 0);
    return fixture->path;
}

static const char *writeText(Fixture *fixture, const char *relative, const char *text)
{
    return writeFile(fixture, relative, text, strlen(text));
}

/* Replaces the fixture's host with a fresh one (modules are cached for a host's lifetime). */
static void newHost(Fixture *fixture)
{
    Error err;

    luaHostFree(fixture->host);
    errorClear(&err);
    fixture->host = luaHostNew(fixture->rules, &fixture->limits, &err);
    if (fixture->host == NULL)
        fail_msg("luaHostNew: %s", err.message);
}

static const char INPUT[] = "return {value = 42}\n";

/* Writes a ruleset module lib/rules.lua with body, then compiles input.lua with it on a new host. */
static bool compileWith(Fixture *fixture, const char *body, const char *argument,
                        SqlStatementList *out, Error *err)
{
    char input[256];

    writeText(fixture, "rules/lib/rules.lua", body);
    snprintf(input, sizeof input, "%s", writeText(fixture, "input.lua", INPUT));
    newHost(fixture);
    errorClear(err);
    return luaHostCompile(fixture->host, input, "lib.rules", "compile", argument, out, err);
}

/* Expects compiling body to fail with EXIT_RULE and a message containing each of the fragments. */
static void expectFailure(Fixture *fixture, const char *body, const char *argument,
                          const char *fragment, const char *another)
{
    SqlStatementList list;
    Error err;

    assert_false(compileWith(fixture, body, argument, &list, &err));
    assert_int_equal(err.code, EXIT_RULE);
    assert_int_equal(list.count, 0);
    assert_null(list.items);
    if (strstr(err.message, fragment) == NULL || (another && strstr(err.message, another) == NULL))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", err.message, fragment,
                 another ? another : "");
}

static const char GOOD_RULES[] =
    "local M = {}\n"
    "function M.compile(input, argument)\n"
    "  return {\n"
    "    {name = 'first', sql = 'SELECT ' .. input.value},\n"
    "    {name = 'second', sql = 'SELECT ' .. tostring(argument)},\n"
    "  }\n"
    "end\n"
    "return M\n";

/* Compiles input.lua with GOOD_RULES as lib.good on the host the last compileWith left. */
static bool compileAgain(Fixture *fixture, SqlStatementList *out, Error *err)
{
    char input[256];

    writeText(fixture, "rules/lib/good.lua", GOOD_RULES);
    snprintf(input, sizeof input, "%s/input.lua", fixture->dir);
    errorClear(err);
    return luaHostCompile(fixture->host, input, "lib.good", "compile", NULL, out, err);
}

static void test_good_compile_returns_statements(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;

    assert_true(compileWith(fixture, GOOD_RULES, "x", &list, &err));
    assert_int_equal(list.count, 2);
    assert_string_equal(list.items[0].name, "first");
    assert_string_equal(list.items[0].sql, "SELECT 42");
    assert_string_equal(sqlStatementListFind(&list, "second")->sql, "SELECT x");
    assert_null(sqlStatementListFind(&list, "third"));
    sqlStatementListFree(&list);
    assert_int_equal(list.count, 0);

    /* A missing argument is nil; an empty array is a valid answer. */
    assert_true(compileWith(fixture, GOOD_RULES, NULL, &list, &err));
    assert_string_equal(sqlStatementListFind(&list, "second")->sql, "SELECT nil");
    sqlStatementListFree(&list);
    assert_true(compileWith(fixture, "return {compile = function() return {} end}", NULL, &list,
                            &err));
    assert_int_equal(list.count, 0);
    sqlStatementListFree(&list);
}

static void test_syntax_errors_name_file_and_line(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;
    char input[256];

    expectFailure(fixture, "local M = {}\nfunction M.compile(\n  return {}\nend\nreturn M\n", NULL,
                  "rules/lib/rules.lua:3:", NULL);

    writeText(fixture, "rules/lib/rules.lua", GOOD_RULES);
    snprintf(input, sizeof input, "%s", writeText(fixture, "input.lua", "return {\n  value = = 1\n}\n"));
    errorClear(&err);
    assert_false(luaHostCompile(fixture->host, input, "lib.rules", "compile", NULL, &list, &err));
    assert_int_equal(err.code, EXIT_RULE);
    assert_non_null(strstr(err.message, "input.lua:2:"));
}

static void test_runtime_errors_name_file_and_line(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;
    char input[256];

    expectFailure(fixture, "return {compile = function(input)\n  local missing\n  return missing.field\nend}\n",
                  NULL, "rules/lib/rules.lua:3:", "missing");
    assert_false(compileWith(fixture, "return {compile = function()\n  error('plain', 0)\nend}\n",
                             NULL, &list, &err));
    assert_non_null(strstr(err.message, "rules/lib/rules.lua:2: plain"));
    assert_non_null(strstr(err.detail, "stack traceback"));
    expectFailure(fixture, "return {compile = function()\n\n  error({})\nend}\n", NULL,
                  "rules/lib/rules.lua:3:", "error object is a table value");
    /* An error in the input file names the input file's line. */
    writeText(fixture, "rules/lib/rules.lua", GOOD_RULES);
    snprintf(input, sizeof input, "%s", writeText(fixture, "input.lua", "local a = 1\nreturn {value = a + {}}\n"));
    errorClear(&err);
    assert_false(luaHostCompile(fixture->host, input, "lib.rules", "compile", NULL, &list, &err));
    assert_non_null(strstr(err.message, "input.lua:2: attempt to perform arithmetic"));
    /* An error raised in a module while it loads names the module's line. */
    writeText(fixture, "rules/lib/broken.lua", "local x = 1\nerror('broken module')\n");
    expectFailure(fixture, "local broken = require('lib.broken')\nreturn {}\n", NULL,
                  "rules/lib/broken.lua:2: broken module", NULL);
}

static const char PROBE_RULES[] =
    "return {compile = function()\n"
    "  local present = {}\n"
    "  for _, name in ipairs({'io', 'os', 'load', 'loadfile', 'dofile', 'package', 'debug',\n"
    "                         'coroutine', 'loadstring', 'module'}) do\n"
    "    if rawget(_G, name) ~= nil then present[#present + 1] = name end\n"
    "  end\n"
    "  if string.dump ~= nil then present[#present + 1] = 'string.dump' end\n"
    "  return {{name = 'present', sql = table.concat(present, ',')},\n"
    "          {name = 'lock', sql = tostring(getmetatable(_G))}}\n"
    "end}\n";

static void test_sandbox_withholds_dangerous_functions(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;
    char marker[128];

    assert_true(compileWith(fixture, PROBE_RULES, NULL, &list, &err));
    assert_string_equal(sqlStatementListFind(&list, "present")->sql, "");
    assert_string_equal(sqlStatementListFind(&list, "lock")->sql, "locked");
    sqlStatementListFree(&list);

    snprintf(marker, sizeof marker, "%s/escaped", fixture->dir);
    expectFailure(fixture, "return {compile = function(input, marker)\n"
                           "  os.execute('touch ' .. marker)\nend}\n",
                  marker, "rules/lib/rules.lua:2:", "undeclared global 'os'");
    assert_int_not_equal(access(marker, F_OK), 0);
    expectFailure(fixture, "return {compile = function() return load('return 1')() end}\n", NULL,
                  "undeclared global 'load'", NULL);
    expectFailure(fixture, "return {compile = function() return string.dump(print) end}\n", NULL,
                  "dump", NULL);
    expectFailure(fixture, "return {compile = function() setmetatable(_G, nil) end}\n", NULL,
                  "protected metatable", NULL);
}

static void test_pcall_and_xpcall_still_work(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;

    assert_true(compileWith(fixture,
        "return {compile = function()\n"
        "  local ok1, e1 = pcall(error, 'boom', 0)\n"
        "  local ok2, v2, w2 = pcall(function(a) return a * 2, 'w' end, 21)\n"
        "  local ok3, m3 = xpcall(function() error('x', 0) end, function(m) return 'handled ' .. m end)\n"
        "  local ok4, v4 = xpcall(function(a, b) return a + b end, print, 1, 2)\n"
        "  return {{name = 'r', sql = table.concat({tostring(ok1), e1, tostring(ok2), v2, w2,\n"
        "           tostring(ok3), m3, tostring(ok4), v4}, ' ')}}\n"
        "end}\n", NULL, &list, &err));
    assert_string_equal(list.items[0].sql, "false boom true 42 w false handled x true 3");
    sqlStatementListFree(&list);
}

static void test_globals_are_locked(void **state)
{
    Fixture *fixture = *state;

    expectFailure(fixture, "return {compile = function()\n  counter = 1\nend}\n", NULL,
                  "rules/lib/rules.lua:2:", "assignment to undeclared global 'counter'");
    expectFailure(fixture, "return {compile = function()\n  return {{name = nmae, sql = ''}}\nend}\n",
                  NULL, "rules/lib/rules.lua:2:", "undeclared global 'nmae'");
    /* A module cannot declare globals while it loads either. */
    writeText(fixture, "rules/lib/leaky.lua", "helper = function() end\n");
    expectFailure(fixture, "require('lib.leaky')\nreturn {}\n", NULL,
                  "rules/lib/leaky.lua:1:", "assignment to undeclared global 'helper'");
}

static const char REQUIRE_ARGUMENT[] =
    "return {compile = function(input, name)\n  require(name)\n  return {}\nend}\n";

static void test_require_refuses_paths_and_missing_modules(void **state)
{
    Fixture *fixture = *state;
    static const char *const INVALID[] = {"../x", "a/b", "", ".a", "a.", "a..b", "/etc/passwd",
                                          "a-b", "lib.x y", NULL};

    writeText(fixture, "x.lua", "return {}\n"); /* ../x would find this */
    for (const char *const *name = INVALID; *name != NULL; name++)
        expectFailure(fixture, REQUIRE_ARGUMENT, *name, "rules/lib/rules.lua:2:",
                      "invalid module name");
    expectFailure(fixture, REQUIRE_ARGUMENT, "lib.nope", "module 'lib.nope' not found",
                  "rules/lib/nope.lua");

    /* The module luaHostCompile itself requires is checked the same way. */
    {
        SqlStatementList list;
        Error err;
        char input[256];
        snprintf(input, sizeof input, "%s", writeText(fixture, "input.lua", INPUT));
        assert_false(luaHostCompile(fixture->host, input, "lib.absent", "compile", NULL, &list, &err));
        assert_non_null(strstr(err.message, "module 'lib.absent' not found"));
        assert_false(luaHostCompile(fixture->host, input, "../x", "compile", NULL, &list, &err));
        assert_non_null(strstr(err.message, "invalid module name"));
    }
}

static void test_require_loads_once_from_the_rules_dir(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;
    static const char RULES[] =
        "local state = require('lib.state')\n"
        "local a, b = require('lib.deep.shared'), require('lib.deep.shared')\n"
        "assert(a == b and a.value == 7)\n"
        "assert(require('lib.quiet') == true)\n"
        "return {compile = function()\n"
        "  return {{name = 'loads', sql = tostring(state.loads)}}\n"
        "end}\n";

    writeText(fixture, "rules/lib/state.lua", "return {loads = 0}\n");
    writeText(fixture, "rules/lib/deep/shared.lua",
              "local state = require('lib.state')\nstate.loads = state.loads + 1\n"
              "return {value = 7}\n");
    writeText(fixture, "rules/lib/quiet.lua", "local nothing = 1\n");
    assert_true(compileWith(fixture, RULES, NULL, &list, &err));
    assert_string_equal(sqlStatementListFind(&list, "loads")->sql, "1");
    sqlStatementListFree(&list);
    /* The cache lives as long as the host: a second compile loads nothing again. */
    assert_true(luaHostCompile(fixture->host, fixture->path, "lib.rules", "compile", NULL, &list,
                               &err));
    assert_string_equal(sqlStatementListFind(&list, "loads")->sql, "1");
    sqlStatementListFree(&list);

    writeText(fixture, "rules/lib/loop.lua", "require('lib.loop')\nreturn {}\n");
    expectFailure(fixture, REQUIRE_ARGUMENT, "lib.loop", "rules/lib/loop.lua:1:", "circular");
}

static void test_binary_chunks_are_refused(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;
    /* The header of a Lua 5.4 precompiled chunk (luac5.4 is not installed to make a real one). */
    static const char CHUNK[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08\x78\x56\0\0\0\0\0\0"
                                "\0\0\0\0\0\0\x28\x77\x40\x01";
    const char *input;

    writeFile(fixture, "rules/lib/compiled.lua", CHUNK, sizeof CHUNK - 1);
    expectFailure(fixture, REQUIRE_ARGUMENT, "lib.compiled", "rules/lib/compiled.lua", "binary");

    input = writeFile(fixture, "input.luac", CHUNK, sizeof CHUNK - 1);
    errorClear(&err);
    assert_false(luaHostCompile(fixture->host, input, "lib.rules", "compile", NULL, &list, &err));
    assert_int_equal(err.code, EXIT_RULE);
    assert_non_null(strstr(err.message, "input.luac"));
    assert_non_null(strstr(err.message, "binary"));
}

static void test_instruction_limit_stops_endless_loops(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;

    fixture->limits.instructionLimit = 100000;
    expectFailure(fixture, "return {compile = function()\n  while true do end\nend}\n", NULL,
                  "rules/lib/rules.lua:2:", "rule exceeded its instruction limit (100000)");
    /* pcall cannot swallow the limit. */
    expectFailure(fixture, "return {compile = function()\n"
                           "  while true do pcall(function() while true do end end) end\nend}\n",
                  NULL, "rule exceeded its instruction limit (100000)", NULL);
    expectFailure(fixture, "return {compile = function()\n"
                           "  while true do xpcall(function() while true do end end, tostring) end\nend}\n",
                  NULL, "rule exceeded its instruction limit (100000)", NULL);
    /* The limit is per compile: the same host stays usable. */
    assert_true(compileAgain(fixture, &list, &err));
    assert_int_equal(list.count, 2);
    sqlStatementListFree(&list);
}

static void test_memory_limit_stops_unbounded_allocation(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;

    fixture->limits.memoryLimit = 8 * 1024 * 1024;
    expectFailure(fixture, "return {compile = function()\n"
                           "  local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end\n"
                           "end}\n",
                  NULL, "rule exceeded its memory limit (8 MiB)", "rules/lib/rules.lua:2");
    expectFailure(fixture, "return {compile = function()\n"
                           "  local ok = pcall(string.rep, 'x', 1e9)\n"
                           "  return {{name = 'caught', sql = tostring(ok)}}\nend}\n",
                  NULL, "rule exceeded its memory limit (8 MiB)", NULL);
    assert_true(compileAgain(fixture, &list, &err));
    assert_int_equal(list.count, 2);
    sqlStatementListFree(&list);
}

static void test_wrong_shapes_are_reported(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;
    char input[256];

    expectFailure(fixture, "return {}\n", NULL, "module 'lib.rules' has no function 'compile'", NULL);
    expectFailure(fixture, "return 5\n", NULL, "module 'lib.rules' must return a table", NULL);
    expectFailure(fixture, "return {compile = function() return 'SELECT 1' end}\n", NULL,
                  "rules/lib/rules.lua:1: lib.rules.compile must return an array", "not a string");
    expectFailure(fixture, "return {compile = function() return {\n"
                           "  {name = 'a', sql = 'SELECT 1'}, {name = 'b', sql = 'SELECT 2'},\n"
                           "  {name = 'c', query = 'SELECT 3'}} end}\n",
                  NULL, "lib.rules.compile returned element 3 without a string 'sql'", NULL);
    expectFailure(fixture, "return {compile = function() return {'SELECT 1'} end}\n", NULL,
                  "returned element 1 that is not a table (a string)", NULL);
    expectFailure(fixture, "return {compile = function() return {{name = 1, sql = ''}} end}\n",
                  NULL, "returned element 1 without a string 'name'", NULL);
    expectFailure(fixture, "return {compile = function() return {{name = '', sql = ''}} end}\n",
                  NULL, "returned element 1 with an empty 'name'", NULL);
    expectFailure(fixture, "return {compile = function() return {{name = 'a', sql = 'x\\0y'}} end}\n",
                  NULL, "contains a NUL byte", NULL);
    expectFailure(fixture, "return {compile = function() return {\n"
                           "  {name = 'a', sql = '1'}, {name = 'b', sql = '2'}, {name = 'a', sql = '3'}} end}\n",
                  NULL, "two statements named 'a' (elements 1 and 3)", NULL);

    writeText(fixture, "rules/lib/rules.lua", GOOD_RULES);
    snprintf(input, sizeof input, "%s", writeText(fixture, "input.lua", "local profile = {}\n"));
    errorClear(&err);
    assert_false(luaHostCompile(fixture->host, input, "lib.rules", "compile", NULL, &list, &err));
    assert_non_null(strstr(err.message, "input.lua: must return a table"));
    snprintf(input, sizeof input, "%s/absent.lua", fixture->dir);
    assert_false(luaHostCompile(fixture->host, input, "lib.rules", "compile", NULL, &list, &err));
    assert_int_equal(err.code, EXIT_RULE);
    assert_non_null(strstr(err.message, "cannot read"));
    assert_non_null(strstr(err.message, "absent.lua"));
}

static void test_print_writes_to_stderr(void **state)
{
    Fixture *fixture = *state;
    SqlStatementList list;
    Error err;
    char captured[256] = "";
    char capturePath[128];
    int savedStderr;
    FILE *capture;
    bool ok;

    snprintf(capturePath, sizeof capturePath, "%s/stderr.txt", fixture->dir);
    capture = fopen(capturePath, "w+");
    assert_non_null(capture);
    fflush(stderr);
    savedStderr = dup(STDERR_FILENO);
    dup2(fileno(capture), STDERR_FILENO);
    ok = compileWith(fixture, "return {compile = function() print('hello', 1, nil) return {} end}\n",
                     NULL, &list, &err);
    fflush(stderr);
    dup2(savedStderr, STDERR_FILENO);
    close(savedStderr);
    rewind(capture);
    assert_non_null(fgets(captured, sizeof captured, capture));
    fclose(capture);
    assert_true(ok);
    assert_string_equal(captured, "hello\t1\tnil\n");
    sqlStatementListFree(&list);
}

/* Fault injection: every memory limit from tiny up either works or fails cleanly, without leaks
 * (under ASan) or crashes, wherever in creating the host or compiling the allocation fails. */
static void test_every_allocation_failure_is_clean(void **state)
{
    Fixture *fixture = *state;
    char input[256];
    int refused = 0, failed = 0, succeeded = 0;

    writeText(fixture, "rules/lib/good.lua", GOOD_RULES);
    snprintf(input, sizeof input, "%s", writeText(fixture, "input.lua", INPUT));
    for (size_t memory = 1024; memory <= 96 * 1024; memory += 256) {
        LuaHostLimits limits = {0, memory};
        SqlStatementList list;
        Error err;
        LuaHost *host;

        errorClear(&err);
        host = luaHostNew(fixture->rules, &limits, &err);
        if (host == NULL) {
            assert_int_equal(err.code, EXIT_RULE);
            refused++;
            continue;
        }
        if (luaHostCompile(host, input, "lib.good", "compile", "x", &list, &err)) {
            assert_int_equal(list.count, 2);
            succeeded++;
        } else {
            assert_int_equal(err.code, EXIT_RULE);
            assert_null(list.items);
            failed++;
        }
        sqlStatementListFree(&list);
        luaHostFree(host);
    }
    assert_true(refused > 0);
    assert_true(failed > 0);
    assert_true(succeeded > 0);
}

static void test_new_refuses_bad_settings(void **state)
{
    Fixture *fixture = *state;
    LuaHostLimits tiny = {0, 4096};
    char missing[128];
    Error err;

    snprintf(missing, sizeof missing, "%s/no-such-dir", fixture->dir);
    errorClear(&err);
    assert_null(luaHostNew(missing, NULL, &err));
    assert_int_equal(err.code, EXIT_RULE);
    assert_non_null(strstr(err.message, "no-such-dir"));
    errorClear(&err);
    assert_null(luaHostNew(fixture->rules, &tiny, &err));
    assert_int_equal(err.code, EXIT_RULE);
    luaHostFree(NULL);
    sqlStatementListFree(NULL);
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, setUp, tearDown)
    const struct CMUnitTest tests[] = {
        TEST(test_good_compile_returns_statements),
        TEST(test_syntax_errors_name_file_and_line),
        TEST(test_runtime_errors_name_file_and_line),
        TEST(test_sandbox_withholds_dangerous_functions),
        TEST(test_pcall_and_xpcall_still_work),
        TEST(test_globals_are_locked),
        TEST(test_require_refuses_paths_and_missing_modules),
        TEST(test_require_loads_once_from_the_rules_dir),
        TEST(test_binary_chunks_are_refused),
        TEST(test_instruction_limit_stops_endless_loops),
        TEST(test_memory_limit_stops_unbounded_allocation),
        TEST(test_wrong_shapes_are_reported),
        TEST(test_print_writes_to_stderr),
        TEST(test_new_refuses_bad_settings),
        TEST(test_every_allocation_failure_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
