/* summary.c — the headline figures (relinked / to review / new / leavers) commands print */
#include "summary.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

bool summaryRequirePlatformAndExtract(Db *db, Error *err)
{
    char state[64];

    if (!dbQueryValue(db, "look for staged data",
                      "SELECT (SELECT count(*) FROM misswitch_staging.platform_load) || ' ' || "
                      "(SELECT count(*) FROM misswitch_staging.extract_load WHERE role = 'new')",
                      0, NULL, state, sizeof state, NULL, err))
        return false;
    if (strncmp(state, "0 ", 2) == 0) {
        errorSet(err, EXIT_REFUSED, "the platform has not been loaded into %s", dbName(db));
        errorHint(err, "run: misswitch load platform");
        return false;
    }
    if (strcmp(strchr(state, ' ') + 1, "0") == 0) {
        errorSet(err, EXIT_REFUSED, "no new MIS extract has been loaded into %s", dbName(db));
        errorHint(err, "run: misswitch load extract FILE");
        return false;
    }
    return true;
}

DbResult *summaryQuery(Db *db, Error *err)
{
    return dbQuery(db, "summary",
                   "SELECT role, accounts, relinked, review, unmatched, new_accounts "
                   "FROM misswitch_work.summary()",
                   0, NULL, err);
}

void summaryShow(const Options *options, const DbResult *result, const char *command, bool json)
{
    commandSay(options, "%s: %-7s %9s %9s %9s %9s %9s", command, "role", "accounts", "relinked",
               "review", "unmatched", "new");
    for (int row = 0; row < dbResultRows(result); row++)
        commandSay(options, "%s: %-7s %9s %9s %9s %9s %9s", command, dbResultValue(result, row, 0),
                   dbResultValue(result, row, 1), dbResultValue(result, row, 2),
                   dbResultValue(result, row, 3), dbResultValue(result, row, 4),
                   dbResultValue(result, row, 5));
    if (json) {
        printf("\"roles\": [");
        for (int row = 0; row < dbResultRows(result); row++) {
            printf("%s{\"role\": ", row ? ", " : "");
            jsonWriteString(stdout, dbResultValue(result, row, 0));
            for (int column = 1; column < dbResultColumns(result); column++)
                printf(", \"%s\": %s", dbResultColumnName(result, column),
                       dbResultValue(result, row, column));
            printf("}");
        }
        printf("]");
    }
}

bool summaryPrint(const Options *options, Db *db, const char *command, bool json, Error *err)
{
    DbResult *result = summaryQuery(db, err);
    if (result == NULL)
        return false;
    summaryShow(options, result, command, json);
    dbResultFree(result);
    return true;
}
