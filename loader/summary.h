/* summary.h — the headline figures (relinked / to review / new / leavers) commands print */
#ifndef MISSWITCH_SUMMARY_H
#define MISSWITCH_SUMMARY_H

#include <stdbool.h>

#include "command.h"
#include "db.h"

/* Refuses (EXIT_REFUSED) to go on before `load platform` and `load extract --as new`. */
bool summaryRequirePlatformAndExtract(Db *db, Error *err);

/* Prints misswitch_work.summary() per role on stderr for people (unless -q), `command` labelling
 * the lines; with json, also writes the member `"roles": [...]` of the caller's JSON object. */
bool summaryPrint(const Options *options, Db *db, const char *command, bool json, Error *err);

#endif
