/* cmd_verify.c — `misswitch verify`: the conversion checks of the last applied run, on the
 * target as it is now (the same functions apply runs before COMMIT and pgTAP wraps) */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "json.h"
#include "luahost.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] [--profile FILE] verify\n\n"
           "Runs the conversion checks of the last applied run against the target as it is now,\n"
           "reading the platform through the profile. Exit code 7 when any check fails.\n\n"
           "  -h, --help   show this help\n");
}

static bool runChecks(const Options *options, Db *db, const SqlStatementList *views,
                      bool *allOk, Error *err)
{
    char run[32];
    bool found;
    DbResult *checks;

    if (!dbQueryValue(db, "find the last run",
                      "SELECT max(run_id) FROM misswitch.run WHERE status = 'applied'", 0, NULL,
                      run, sizeof run, &found, err))
        return false;
    if (!found) {
        errorSet(err, EXIT_REFUSED, "no run has been applied to %s", dbName(db));
        errorHint(err, "apply a plan first: misswitch apply --plan DIR");
        return false;
    }
    for (size_t i = 0; i < views->count; i++)
        if (!dbExec(db, views->items[i].name, views->items[i].sql, err))
            return false;
    const char *params[1] = {run};
    checks = dbQuery(db, "checks", "SELECT check_name, ok, detail FROM misswitch.checks($1::bigint)",
                     1, params, err);
    if (checks == NULL)
        return false;
    *allOk = true;
    if (options->json)
        printf("{\"run\": %s, \"checks\": [", run);
    for (int row = 0; row < dbResultRows(checks); row++) {
        bool ok = strcmp(dbResultValue(checks, row, 1), "t") == 0;
        *allOk &= ok;
        commandSay(options, "verify: run %s check %-16s %s  %s", run, dbResultValue(checks, row, 0),
                   ok ? "ok    " : "FAILED", dbResultValue(checks, row, 2));
        if (options->json) {
            printf("%s{\"check\": ", row ? ", " : "");
            jsonWriteString(stdout, dbResultValue(checks, row, 0));
            printf(", \"ok\": %s, \"detail\": ", ok ? "true" : "false");
            jsonWriteString(stdout, dbResultValue(checks, row, 2));
            printf("}");
        }
    }
    if (options->json)
        printf("]}\n");
    dbResultFree(checks);
    return true;
}

ExitCode commandVerify(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {{"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    char profilePath[4096];
    SqlStatementList views = {0};
    LuaHost *host = NULL;
    Db *db = NULL;
    Error err;
    ExitCode code = EXIT_OK;
    bool allOk = false;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        if (opt == 'h') {
            printHelp();
            return EXIT_OK;
        }
        return commandUsageError("verify", "unknown option");
    }
    if (optind < argc)
        return commandUsageError("verify", "unexpected argument '%s'", argv[optind]);

    commandProfilePath(options, profilePath, sizeof profilePath);
    host = luaHostNew(options->rulesDir, NULL, &err);
    if (host == NULL ||
        !luaHostCompile(host, profilePath, "lib.profile", "check_views", NULL, &views, &err))
        goto fail;
    db = commandOpenDatabase(options, &err);
    if (db == NULL || !runChecks(options, db, &views, &allOk, &err))
        goto fail;
    if (!allOk) {
        commandSay(options, "verify: conversion checks failed");
        code = EXIT_CHECK_FAILED;
    }
    goto cleanup;

fail:
    code = commandFail(&err);
cleanup:
    dbClose(db);
    sqlStatementListFree(&views);
    luaHostFree(host);
    return code;
}
