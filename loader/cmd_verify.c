/* cmd_verify.c — `misswitch verify`: the conversion checks of the last applied run, on the
 * target as it is now (the same functions apply runs before COMMIT and the pgTAP suite wraps),
 * reading the platform through the views the run recorded */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "json.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] verify\n\n"
           "Runs the conversion checks of the last applied run against the target as it is now,\n"
           "reading the platform through the profile queries the run recorded. Exit code 7 when\n"
           "any check fails. tests/pgtap/conversion/checks.sql runs the same checks with pg_prove.\n\n"
           "  -h, --help   show this help\n");
}

static bool runChecks(const Options *options, Db *db, bool *allOk, Error *err)
{
    char run[32];
    bool found;
    DbResult *checks;

    if (!dbQueryValue(db, "find the last run", "SELECT misswitch.last_plan_run()", 0, NULL, run,
                      sizeof run, &found, err))
        return false;
    if (!found) {
        errorSet(err, EXIT_REFUSED, "no plan has been applied to %s", dbName(db));
        errorHint(err, "apply a plan first: misswitch apply --plan DIR");
        return false;
    }
    const char *params[1] = {run};
    char views[16];
    if (!dbQueryValue(db, "recreate the run's views", "SELECT misswitch.create_check_views($1::bigint)",
                      1, params, views, sizeof views, NULL, err))
        return false;
    checks = dbQuery(db, "checks", "SELECT check_name, ok, detail FROM misswitch.checks($1::bigint)",
                     1, params, err);
    if (checks == NULL)
        return false;
    *allOk = dbResultRows(checks) > 0;
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

    db = commandOpenDatabase(options, &err);
    if (db == NULL || !runChecks(options, db, &allOk, &err)) {
        code = commandFail(&err);
    } else if (!allOk) {
        commandSay(options, "verify: conversion checks failed");
        code = EXIT_CHECK_FAILED;
    }
    dbClose(db);
    return code;
}
