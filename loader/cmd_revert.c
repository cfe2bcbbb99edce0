/* cmd_revert.c — `misswitch revert RUN`: play an applied run's journal backwards, in one
 * transaction, under the same guards (a row changed since the run is a conflict) */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "command.h"
#include "db.h"
#include "json.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] revert RUN\n\n"
           "Undoes applied run RUN (as `apply` printed it): every journaled row goes back to what\n"
           "it was, newest step first, in one transaction. Each row must still be as the run left\n"
           "it; otherwise nothing is changed and the rows are listed (exit code 8).\n\n"
           "  -h, --help   show this help\n");
}

ExitCode commandRevert(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {{"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    DbResult *steps = NULL;
    char *end;
    Db *db = NULL;
    Error err;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        if (opt == 'h') {
            printHelp();
            return EXIT_OK;
        }
        return commandUsageError("revert", "unknown option");
    }
    if (optind + 1 != argc)
        return commandUsageError("revert", "give exactly one RUN (the number apply printed)");
    const char *run = argv[optind];
    if (strtol(run, &end, 10) <= 0 || *end != '\0')
        return commandUsageError("revert", "RUN must be a run number, not '%s'", run);

    db = commandOpenDatabase(options, &err);
    if (db == NULL || !dbExec(db, "begin", "BEGIN", &err))
        goto fail;
    const char *params[1] = {run};
    steps = dbQuery(db, "revert", "SELECT step, table_name, operation, rows "
                    "FROM misswitch.revert_run($1::bigint)", 1, params, &err);
    if (steps == NULL || !dbExec(db, "commit", "COMMIT", &err))
        goto fail;
    long total = 0;
    for (int row = 0; row < dbResultRows(steps); row++) {
        commandSay(options, "revert: %-16s %-8s %-24s %8s row(s)", dbResultValue(steps, row, 0),
                   dbResultValue(steps, row, 2), dbResultValue(steps, row, 1),
                   dbResultValue(steps, row, 3));
        total += atol(dbResultValue(steps, row, 3));
    }
    commandSay(options, "revert: run %s reverted in %s, %ld row(s) restored", run, dbName(db), total);
    if (options->json)
        printf("{\"run\": %s, \"reverted\": true, \"rows\": %ld}\n", run, total);
    dbResultFree(steps);
    dbClose(db);
    return EXIT_OK;
fail:
    if (db != NULL) {
        Error ignored;
        dbExec(db, "rollback", "ROLLBACK", &ignored);
    }
    dbResultFree(steps);
    dbClose(db);
    return commandFail(&err);
}
