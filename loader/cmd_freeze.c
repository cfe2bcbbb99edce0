/* cmd_freeze.c — `misswitch freeze` and `thaw`: stop the platform's own MIS importer for the
 * change (a journaled run), and restore exactly what freeze recorded (that run's revert) */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "luahost.h"

static void printHelp(const char *command)
{
    if (strcmp(command, "freeze") == 0)
        printf("Usage: misswitch [-d CONNINFO] [--profile FILE] freeze\n\n"
               "Stops the platform's own MIS importer (through the profile's write.importer), so\n"
               "nothing imports mid-change. The rows it changes are journaled as a run; `thaw`\n"
               "restores exactly what they were. Plans refuse to run while the importer is live.\n\n"
               "  -h, --help   show this help\n");
    else
        printf("Usage: misswitch [-d CONNINFO] thaw\n\n"
               "Restores the importer schedule exactly as `freeze` found it (the freeze run played\n"
               "backwards, guarded: a schedule changed since the freeze is a conflict, reported,\n"
               "and nothing is changed). The next routine import finds every account linked.\n\n"
               "  -h, --help   show this help\n");
}

static int parseNoOptions(const char *command, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {{"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        if (opt == 'h') {
            printHelp(command);
            return -1;
        }
        return commandUsageError(command, "unknown option");
    }
    if (optind < argc)
        return commandUsageError(command, "unexpected argument '%s'", argv[optind]);
    return 0;
}

static bool freeze(const Options *options, Db *db, const SqlStatementList *steps, Error *err)
{
    const SqlStatement *step = sqlStatementListFind(steps, "step:freeze");
    const SqlStatement *check = sqlStatementListFind(steps, "freeze:check");
    char run[32], rows[32];

    if (step == NULL || check == NULL)
        return errorSet(err, EXIT_RULE, "lib.profile.freeze_steps returned an unexpected list");
    if (!dbExec(db, "begin", "BEGIN", err) ||
        !dbQueryValue(db, "start the freeze", "SELECT misswitch.freeze_begin()", 0, NULL, run,
                      sizeof run, NULL, err) ||
        !dbExec(db, "freeze", step->sql, err) || !dbExec(db, "check the freeze", check->sql, err) ||
        !dbQueryValue(db, "finish the freeze",
                      "SELECT count(*) FROM misswitch.journal "
                      "WHERE run_id = misswitch.freeze_finish()",
                      0, NULL, rows, sizeof rows, NULL, err) ||
        !dbExec(db, "commit", "COMMIT", err))
        return false;
    commandSay(options, "freeze: %s importer schedule(s) stopped in %s (run %s); thaw restores them",
               rows, dbName(db), run);
    if (options->json)
        printf("{\"run\": %s, \"stopped\": %s}\n", run, rows);
    return true;
}

ExitCode commandFreeze(const Options *options, int argc, char **argv)
{
    char profilePath[4096];
    SqlStatementList steps = {0};
    LuaHost *host = NULL;
    Db *db = NULL;
    Error err;
    ExitCode code = EXIT_OK;
    int parsed = parseNoOptions("freeze", argc, argv);

    if (parsed != 0)
        return parsed < 0 ? EXIT_OK : (ExitCode)parsed;
    commandProfilePath(options, profilePath, sizeof profilePath);
    host = luaHostNew(options->rulesDir, NULL, &err);
    if (host == NULL ||
        !luaHostCompile(host, profilePath, "lib.profile", "freeze_steps", NULL, &steps, &err))
        goto fail;
    db = commandOpenDatabase(options, &err);
    if (db == NULL || !freeze(options, db, &steps, &err))
        goto fail;
    goto cleanup;
fail:
    if (db != NULL) {
        Error ignored;
        dbExec(db, "rollback", "ROLLBACK", &ignored);
    }
    code = commandFail(&err);
cleanup:
    dbClose(db);
    sqlStatementListFree(&steps);
    luaHostFree(host);
    return code;
}

ExitCode commandThaw(const Options *options, int argc, char **argv)
{
    char run[32], rows[32];
    bool found;
    Db *db = NULL;
    Error err;
    int parsed = parseNoOptions("thaw", argc, argv);

    if (parsed != 0)
        return parsed < 0 ? EXIT_OK : (ExitCode)parsed;
    db = commandOpenDatabase(options, &err);
    if (db == NULL || !dbExec(db, "begin", "BEGIN", &err) ||
        !dbQueryValue(db, "find the freeze", "SELECT misswitch.active_freeze()", 0, NULL, run,
                      sizeof run, &found, &err))
        goto fail;
    if (!found) {
        errorSet(&err, EXIT_REFUSED, "the importer of %s is not frozen by misswitch", dbName(db));
        goto fail;
    }
    const char *params[1] = {run};
    if (!dbQueryValue(db, "thaw", "SELECT coalesce(sum(rows), 0) FROM misswitch.revert_run($1::bigint)",
                      1, params, rows, sizeof rows, NULL, &err) ||
        !dbExec(db, "commit", "COMMIT", &err))
        goto fail;
    commandSay(options, "thaw: %s importer schedule(s) restored in %s (freeze run %s reverted)",
               rows, dbName(db), run);
    if (options->json)
        printf("{\"run\": %s, \"restored\": %s}\n", run, rows);
    dbClose(db);
    return EXIT_OK;
fail:
    if (db != NULL) {
        Error ignored;
        dbExec(db, "rollback", "ROLLBACK", &ignored);
    }
    dbClose(db);
    return commandFail(&err);
}
