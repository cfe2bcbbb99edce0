/* gen_extract.h — writes a generated trust as a native XML extract (old or new MIS) */
#ifndef MISSWITCH_GEN_EXTRACT_H
#define MISSWITCH_GEN_EXTRACT_H

#include <stdbool.h>

#include "error.h"
#include "gen_model.h"
#include "gen_person.h"

/*
 * DIR/old-extract.xml (GEN_SIDE_OLD: old MIS IDs, everyone on the platform) or
 * DIR/new-extract.xml (GEN_SIDE_NEW: new MIS IDs, leavers gone, joiners added, noise applied),
 * in docs/extract-format.md's version 1. One <school> section per school; a contact with
 * children in two schools has a record (and ID) in each, related to that school's children.
 */
bool genExtractWrite(const GenModel *model, const char *dir, GenSide side, Error *err);

#endif
