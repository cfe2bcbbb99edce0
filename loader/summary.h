/* summary.h — the headline figures (relinked / to review / new / leavers) commands print */
#ifndef MISSWITCH_SUMMARY_H
#define MISSWITCH_SUMMARY_H

#include <stdbool.h>

#include "command.h"
#include "db.h"

/* Refuses (EXIT_REFUSED) to go on before `load platform` and `load extract --as new`. */
bool summaryRequirePlatformAndExtract(Db *db, Error *err);

/* misswitch_work.summary(): a row per role (role, accounts, relinked, review, unmatched,
 * new_accounts); NULL on error. */
DbResult *summaryQuery(Db *db, Error *err);

/* Prints the rows of summaryQuery() on stderr for people (unless -q), `command` labelling the
 * lines; with json, also writes the member `"roles": [...]` of the caller's JSON object. */
void summaryShow(const Options *options, const DbResult *result, const char *command, bool json);

/* summaryQuery() then summaryShow(). */
bool summaryPrint(const Options *options, Db *db, const char *command, bool json, Error *err);

#endif
