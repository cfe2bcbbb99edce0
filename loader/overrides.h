/* overrides.h — loads a file of manual match decisions (overrides CSV) into the work schema */
#ifndef MISSWITCH_OVERRIDES_H
#define MISSWITCH_OVERRIDES_H

#include <stdbool.h>

#include "db.h"
#include "error.h"

/*
 * Replaces misswitch_work.override with the rows of path (NULL: no overrides, the table is
 * emptied) inside the caller's transaction, then checks them with
 * misswitch_work.check_overrides(). The file is CSV with a header: account,target,decision,note,
 * optionally followed by review.csv's reason,score,runner_up (a reviewed review.csv can come
 * back as is; rows without a decision are ignored). Any problem is an EXIT_INPUT error naming
 * the file and line; the caller rolls back. Never writes anything but misswitch_work.override.
 */
bool overridesLoad(Db *db, const char *path, long *rows, Error *err);

#endif
