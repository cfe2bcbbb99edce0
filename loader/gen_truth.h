/* gen_truth.h — writes truth.csv: what every account and new record of a generated trust is */
#ifndef MISSWITCH_GEN_TRUTH_H
#define MISSWITCH_GEN_TRUTH_H

#include <stdbool.h>

#include "error.h"
#include "gen_model.h"

/*
 * DIR/truth.csv, header `role,account,new_id,kind,noise`:
 *   a row per platform account (pupil, staff, parent) and per platform group: kind `match`
 *   (new_id = the new MIS record it must link to), `leaver` (no new record) or
 *   `duplicate-of:ACCOUNT` (the person's other, kept account gets the new ID);
 *   a row per new record without an account or group: kind `joiner`, account empty.
 * Order: by role (pupil, staff, parent, group); within a role the account rows by account,
 * then the joiners by new_id. noise: the noise kinds of that person, ";"-separated.
 */
bool genTruthWrite(const GenModel *model, const char *dir, Error *err);

#endif
