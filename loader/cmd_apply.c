/* cmd_apply.c — `misswitch apply`: run a plan on a test copy in one transaction, a savepoint
 * per step, the journal written by the plan itself, the checks before COMMIT */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "json.h"
#include "planfile.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] apply --plan DIR [--skip-conflicts]\n\n"
           "Applies DIR/plan.sql to the target database, which must be a test copy (made by\n"
           "`restore`, or marked by `init --test-copy`): one transaction, a SAVEPOINT per step,\n"
           "every changed row journaled whole, the conversion checks before COMMIT. Any conflict\n"
           "or failed check rolls everything back. Prints the run it recorded (`run N`), which\n"
           "`revert` takes. A plan already applied here reports its run and changes nothing.\n\n"
           "  -p, --plan DIR      the plan folder written by `misswitch plan`\n"
           "  --skip-conflicts    apply the rows that still match the snapshot, record the others\n"
           "                      as skipped (default: any conflict stops the run)\n"
           "  -h, --help          show this help\n");
}

/* `apply` without --live runs only where `restore` or `init --test-copy` left the mark. */
static bool requireTestCopy(Db *db, Error *err)
{
    char marked[8];

    if (!dbQueryValue(db, "look for the test-copy mark",
                      "SELECT EXISTS (SELECT 1 FROM misswitch.test_copy)", 0, NULL, marked,
                      sizeof marked, NULL, err))
        return false;
    if (strcmp(marked, "t") == 0)
        return true;
    errorSet(err, EXIT_REFUSED, "database %s is not marked as a test copy", dbName(db));
    errorHint(err, "apply a plan to a test copy first: restore one with `misswitch restore`, or "
              "mark a copy made by other means with `misswitch init --test-copy`");
    return false;
}

/* The run that already applied this plan, if any ("" otherwise). */
static bool findAppliedRun(Db *db, const char *hash, char *run, size_t size, Error *err)
{
    const char *params[1] = {hash};

    return dbQueryValue(db, "look for an earlier run",
                        "SELECT run_id FROM misswitch.run WHERE plan_hash = $1 AND status = 'applied'",
                        1, params, run, size, NULL, err);
}

static bool runSteps(const Options *options, Db *db, const PlanFile *plan, bool skipConflicts,
                     char *run, size_t runSize, Error *err)
{
    if (!dbExec(db, "begin", "BEGIN", err))
        return false;
    if (skipConflicts &&
        !dbExec(db, "skip conflicts", "SET LOCAL misswitch.skip_conflicts = on", err))
        return false;
    if (!dbQueryValue(db, "start the run", plan->beginSql, 0, NULL, run, runSize, NULL, err))
        return false;
    for (size_t i = 0; i < plan->stepCount; i++) {
        if (!dbExec(db, plan->steps[i].name, plan->steps[i].sql, err)) {
            errorPrefix(err, "step %s: ", plan->steps[i].name);
            return false;
        }
        if (options->verbosity >= VERBOSITY_VERBOSE)
            commandSay(options, "apply: step %s done", plan->steps[i].name);
    }
    return true;
}

/* Prints the rows changed per step and the checks, before COMMIT. */
static bool reportRun(const Options *options, Db *db, const char *run, Error *err)
{
    const char *params[1] = {run};
    DbResult *steps = dbQuery(db, "journal summary",
                              "SELECT step, count(*) FROM misswitch.journal WHERE run_id = $1 "
                              "GROUP BY step ORDER BY min(journal_id)",
                              1, params, err);
    DbResult *checks = steps ? dbQuery(db, "checks",
                                       "SELECT check_name, ok, detail FROM misswitch.run_check "
                                       "WHERE run_id = $1 ORDER BY check_name",
                                       1, params, err)
                             : NULL;
    if (checks == NULL) {
        dbResultFree(steps);
        return false;
    }
    for (int row = 0; row < dbResultRows(steps); row++)
        commandSay(options, "apply: %-16s %8s row(s) changed", dbResultValue(steps, row, 0),
                   dbResultValue(steps, row, 1));
    for (int row = 0; row < dbResultRows(checks); row++)
        commandSay(options, "apply: check %-16s %s  %s", dbResultValue(checks, row, 0),
                   strcmp(dbResultValue(checks, row, 1), "t") == 0 ? "ok    " : "FAILED",
                   dbResultValue(checks, row, 2));
    if (options->json) {
        printf("{\"run\": %s, \"steps\": {", run);
        for (int row = 0; row < dbResultRows(steps); row++) {
            printf("%s", row ? ", " : "");
            jsonWriteString(stdout, dbResultValue(steps, row, 0));
            printf(": %s", dbResultValue(steps, row, 1));
        }
        printf("}, \"checks\": {");
        for (int row = 0; row < dbResultRows(checks); row++) {
            printf("%s", row ? ", " : "");
            jsonWriteString(stdout, dbResultValue(checks, row, 0));
            printf(": %s", strcmp(dbResultValue(checks, row, 1), "t") == 0 ? "true" : "false");
        }
        printf("}}\n");
    }
    dbResultFree(steps);
    dbResultFree(checks);
    return true;
}

ExitCode commandApply(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {{"plan", required_argument, NULL, 'p'},
                                                 {"skip-conflicts", no_argument, NULL, 's'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    bool skipConflicts = false;
    char path[4096 + 16];
    char run[32] = "";
    PlanFile plan = {0};
    Db *db = NULL;
    Error err;
    ExitCode code = EXIT_OK;
    int opt;

    while ((opt = getopt_long(argc, argv, "p:h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'p':
            dir = optarg;
            break;
        case 's':
            skipConflicts = true;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        default:
            return commandUsageError("apply", "unknown option");
        }
    }
    if (optind < argc)
        return commandUsageError("apply", "unexpected argument '%s'", argv[optind]);
    if (dir == NULL)
        return commandUsageError("apply", "--plan DIR is required");

    snprintf(path, sizeof path, "%s/plan.sql", dir);
    if (!planFileRead(path, &plan, &err))
        goto fail;
    db = commandOpenDatabase(options, &err);
    if (db == NULL || !requireTestCopy(db, &err) ||
        !findAppliedRun(db, plan.hash, run, sizeof run, &err))
        goto fail;
    if (run[0] != '\0') {
        commandSay(options, "apply: plan %.12s was already applied to %s as run %s; nothing changed",
                   plan.hash, dbName(db), run);
        if (options->json)
            printf("{\"run\": %s, \"already_applied\": true}\n", run);
        commandSay(options, "run %s", run);
        goto cleanup;
    }
    if (!runSteps(options, db, &plan, skipConflicts, run, sizeof run, &err) ||
        !reportRun(options, db, run, &err) || !dbExec(db, "commit", "COMMIT", &err))
        goto rollback;
    commandSay(options, "apply: plan %.12s applied to %s", plan.hash, dbName(db));
    commandSay(options, "run %s", run);
    goto cleanup;

rollback:
    {
        Error ignored;
        dbExec(db, "rollback", "ROLLBACK", &ignored);
    }
fail:
    code = commandFail(&err);
cleanup:
    dbClose(db);
    planFileFree(&plan);
    return code;
}
