/* gen_ctf.h — writes the new MIS's data as DfE Common Transfer Files, one per school */
#ifndef MISSWITCH_GEN_CTF_H
#define MISSWITCH_GEN_CTF_H

#include <stdbool.h>

#include "error.h"
#include "gen_model.h"

/*
 * DIR/new-extract.ctf.xml: the first school's pupils (not leavers; joiners included) with their
 * contacts, as the new MIS would send them in a CTF (<CTfile>, version 25 shape, <Sex>). A CTF
 * holds one source school, so in a trust school N > 1 goes to DIR/new-extract-N.ctf.xml.
 * CTF carries no MIS record IDs: pupils are keyed by UPN, contacts by (UPN, order).
 */
bool genCtfWrite(const GenModel *model, const char *dir, Error *err);

/* One school's file (school index s: new-extract.ctf.xml for 0, new-extract-N.ctf.xml for N-1). */
bool genCtfWriteSchool(const GenModel *model, const char *dir, uint32_t s, Error *err);

#endif
