/* gen_person_noise.h — applies a person's drawn noise kinds to their new MIS record */
#ifndef MISSWITCH_GEN_PERSON_NOISE_H
#define MISSWITCH_GEN_PERSON_NOISE_H

#include <stdint.h>

#include "gen.h"
#include "gen_person.h"

/*
 * Turns the NEW side of a person (still equal to the OLD side) into what the new MIS holds:
 * every drawn kind that can apply changes the record, and person->noise keeps the bits of the
 * kinds that changed something (what truth.csv lists). Pure: the same inputs always give the
 * same record. movedTo is the new address when moved-house was drawn (the caller knows the
 * household), else NULL. Never touches the UPN (gen_person.c owns temporary UPNs).
 */
void genPersonNoiseApply(GenPerson *person, unsigned drawn, GenRole role, uint64_t seed,
                         const char *emailDomain, const GenAddress *movedTo);

#endif
