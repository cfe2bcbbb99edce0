/* gen_ims.h — writes the new MIS's data as an IMS Enterprise 1.1 document */
#ifndef MISSWITCH_GEN_IMS_H
#define MISSWITCH_GEN_IMS_H

#include <stdbool.h>

#include "error.h"
#include "gen_model.h"

/*
 * DIR/new-extract.ims.xml: one <enterprise> for the whole trust with the new MIS's persons
 * (pupils, staff and contacts, keyed by sourcedid = new MIS ID), groups (registration and
 * year, with the school as <org>) and memberships (roletype 01 learner, 02 instructor).
 * IMS has no place for a contact's children, so each contact carries them in <extension>
 * as <relationship pupil="ID" type="..." parental-responsibility="..." priority="..."/>;
 * everyone carries <extension><school lea="..." dfe="..."/></extension>: a contact with
 * children in two schools has a record in each, as in the native extract.
 */
bool genImsWrite(const GenModel *model, const char *dir, Error *err);

#endif
