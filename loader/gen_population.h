/* gen_population.h — facts of a school changing MIS: leavers, duplicate accounts, staff who are
 * parents, a school whose code changes */
#ifndef MISSWITCH_GEN_POPULATION_H
#define MISSWITCH_GEN_POPULATION_H

#include <stdint.h>

#include "gen_model.h"
#include "gen_rng.h"

/*
 * Steps of genModelBuild that mark people of an already built model (gen_model.c builds the
 * families and staff, gen_layout.c numbers them afterwards). Each draws from the builder's one
 * random stream, in a fixed order, so the model stays a pure function of its arguments. None
 * allocates.
 */

/* Where a contact record is: in both MIS while any of its children in its school is, in the
 * old only when all of them left, in the new only when all of them joined. */
uint8_t genPopulationContactStatus(const GenModel *model, uint32_t familyIndex, uint16_t school);

/* Turns pupils in both MIS into leavers, in order (never a twin), until at least `minimum` of
 * the platform's pupils leave; contacts follow their children. */
void genPopulationTopUpLeavers(GenModel *model, double minimum);

/* Gives `rate` of the parents with two or more children on the platform one account per
 * child, topped up in order to at least `minimum` of all parents on the platform. */
void genPopulationParentDuplicates(GenModel *model, GenRng *rng, double rate, double minimum);

/* Makes `rate` of each school's staff a parent (or step-parent) of a pupil there: the same
 * person as that contact record (GenStaff.parentContact). */
void genPopulationStaffParents(GenModel *model, GenRng *rng, double rate);

/* Fills every school's newLea; in a trust the last school gets a neighbouring authority's
 * code in the new MIS (model->codeChanges = 1). */
void genPopulationSchoolCodeChange(GenModel *model);

#endif
