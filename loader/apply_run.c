/* apply_run.c — runs a verified plan in one transaction and reports what it changed */
#include "apply_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "testhook.h"

bool applyFindRun(Db *db, const char *hash, char *run, size_t size, Error *err)
{
    const char *params[1] = {hash};

    return dbQueryValue(db, "look for an earlier run",
                        "SELECT run_id FROM misswitch.run WHERE plan_hash = $1 AND status = 'applied'",
                        1, params, run, size, NULL, err);
}

/* Prints the rows changed per step and the checks, before COMMIT. */
static bool report(const Options *options, Db *db, ApplyResult *result, Error *err)
{
    const char *params[1] = {result->run};
    DbResult *steps = dbQuery(db, "journal summary",
                              "SELECT step, count(*) FROM misswitch.journal WHERE run_id = $1 "
                              "GROUP BY step ORDER BY min(journal_id)",
                              1, params, err);
    DbResult *checks = steps ? dbQuery(db, "checks",
                                       "SELECT check_name, ok, detail FROM misswitch.run_check "
                                       "WHERE run_id = $1 ORDER BY check_name",
                                       1, params, err)
                             : NULL;
    size_t used = 0;

    if (checks == NULL) {
        dbResultFree(steps);
        return false;
    }
    result->allChecksOk = dbResultRows(checks) > 0;
    for (int row = 0; row < dbResultRows(steps); row++)
        commandSay(options, "apply: %-16s %8s row(s) changed", dbResultValue(steps, row, 0),
                   dbResultValue(steps, row, 1));
    for (int row = 0; row < dbResultRows(checks); row++) {
        bool ok = strcmp(dbResultValue(checks, row, 1), "t") == 0;
        result->allChecksOk &= ok;
        commandSay(options, "apply: check %-16s %s  %s", dbResultValue(checks, row, 0),
                   ok ? "ok    " : "FAILED", dbResultValue(checks, row, 2));
        used += (size_t)snprintf(result->checks + used, sizeof result->checks - used, "%s%s=%s",
                                 used ? " " : "", dbResultValue(checks, row, 0), ok ? "ok" : "FAILED");
        if (used >= sizeof result->checks)
            used = sizeof result->checks - 1;
    }
    if (options->json) {
        printf("{\"run\": %s, \"steps\": {", result->run);
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

bool applyRun(const Options *options, Db *db, const PlanFile *plan, bool skipConflicts,
              ApplyResult *result, Error *err)
{
    memset(result, 0, sizeof *result);
    if (!dbExec(db, "begin", "BEGIN", err))
        return false;
    if (skipConflicts &&
        !dbExec(db, "skip conflicts", "SET LOCAL misswitch.skip_conflicts = on", err))
        goto rollback;
    testPauseAt("apply", "begin");
    if (!dbQueryValue(db, "start the run", plan->beginSql, 0, NULL, result->run,
                      sizeof result->run, NULL, err))
        goto rollback;
    for (size_t i = 0; i < plan->stepCount; i++) {
        testPauseAt("apply", plan->steps[i].name);
        if (!dbExec(db, plan->steps[i].name, plan->steps[i].sql, err)) {
            errorPrefix(err, "step %s: ", plan->steps[i].name);
            goto rollback;
        }
        if (options->verbosity >= VERBOSITY_VERBOSE)
            commandSay(options, "apply: step %s done", plan->steps[i].name);
    }
    if (!report(options, db, result, err))
        goto rollback;
    testPauseAt("apply", "commit");
    if (!dbExec(db, "commit", "COMMIT", err))
        goto rollback;
    return true;

rollback:
    {
        Error ignored;
        dbExec(db, "rollback", "ROLLBACK", &ignored);
    }
    return false;
}
