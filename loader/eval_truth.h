/* eval_truth.h — reads a generated dataset's truth.csv into the working database, line-checked */
#ifndef MISSWITCH_EVAL_TRUTH_H
#define MISSWITCH_EVAL_TRUTH_H

#include <stdbool.h>

#include "db.h"
#include "error.h"

/*
 * Checks every line of path (the format is DESIGN.md's: `role,account,new_id,kind,noise`, kind
 * match | leaver | joiner | duplicate-of:ACCOUNT) and COPYs it into misswitch_work.eval_truth,
 * which it empties first; then asks the database for what no single line shows (an account
 * twice, a duplicate-of naming nobody). Must run inside the caller's transaction. A bad file
 * fails with EXIT_INPUT naming file:line; *rows gets the lines loaded.
 */
bool evalTruthLoad(Db *db, const char *path, long *rows, Error *err);

#endif
