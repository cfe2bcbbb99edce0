/* apply_run.h — runs a verified plan in one transaction: the run_begin line, every step (each
 * carries its own SAVEPOINT), the checks, COMMIT; reports rows changed per step and the checks */
#ifndef MISSWITCH_APPLY_RUN_H
#define MISSWITCH_APPLY_RUN_H

#include <stdbool.h>

#include "command.h"
#include "db.h"
#include "planfile.h"

typedef struct ApplyResult {
    char run[32];
    char checks[1024]; /* "name=ok name=FAILED ..." */
    bool allChecksOk;
} ApplyResult;

/*
 * Applies plan: BEGIN, run_begin, each step, then reads the journal and check results and
 * COMMITs. On any failure rolls back and fills err (the database is untouched).
 * MISSWITCH_TEST_PAUSE_AT=STEP (test-only, documented in docs/cli.md) stops the process with
 * SIGSTOP just before STEP, so tests can kill it there.
 */
bool applyRun(const Options *options, Db *db, const PlanFile *plan, bool skipConflicts,
              ApplyResult *result, Error *err);

/* The run that already applied the plan with this hash here, if any (run[0] == '\0' if none). */
bool applyFindRun(Db *db, const char *hash, char *run, size_t size, Error *err);

#endif
