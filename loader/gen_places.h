/* gen_places.h — local authorities, towns, streets and school names for generated schools */
#ifndef MISSWITCH_GEN_PLACES_H
#define MISSWITCH_GEN_PLACES_H

#include <stddef.h>
#include <stdint.h>

typedef struct GenPlace {
    const char *lea;          /* 3-digit local authority code, e.g. "801" */
    const char *authority;    /* e.g. "Bristol" */
    const char *town;         /* postal town of its schools and families */
    const char *postcodeArea; /* e.g. "BS" */
} GenPlace;

uint32_t genPlacesCount(void);
const GenPlace *genPlacesGet(uint32_t index);

/* A street name, a locality (may be "" for none) — any 64-bit draw. */
const char *genPlacesStreet(uint64_t draw);
const char *genPlacesLocality(uint64_t draw);

/* A plausible, fictional postcode in the place's area ("BS7 4QD"). */
void genPlacesPostcode(const GenPlace *place, uint64_t draw, char *out, size_t size);

/* The distinctive part of a school's name ("Hilltop", "St Mary's C of E") and a login-safe
 * form of it for email domains ("hilltop"). */
const char *genPlacesSchoolStem(uint32_t index);
const char *genPlacesSchoolSlug(uint32_t index);
uint32_t genPlacesSchoolStemCount(void);

#endif
