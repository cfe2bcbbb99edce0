/* gen_noise.h — the noise model: how a person's record differs between the old and new MIS */
#ifndef MISSWITCH_GEN_NOISE_H
#define MISSWITCH_GEN_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "gen.h"

/*
 * One entry per kind of difference. The table in gen_noise.c is the single place a kind is
 * declared (name, default rate, roles it applies to); gen_person.c applies it. A person's draw is
 * a keyed hash of their seed (or their household's, for kinds a household shares), so adding a
 * kind at the end leaves earlier kinds' draws unchanged. Never reorder: the index is the key.
 */
typedef enum GenNoiseKind {
    GEN_NOISE_TEMPORARY_UPN,   /* platform and old extract hold a temporary UPN, new a permanent */
    GEN_NOISE_PREFERRED_NAME,  /* new extract adds a preferred forename (William → Bill) */
    GEN_NOISE_SURNAME_CHANGE,  /* new surname: marriage (adults) or double-barrelled (pupils) */
    GEN_NOISE_FORENAME_TYPO,   /* a typo in the forename: letters swapped, dropped or doubled */
    GEN_NOISE_DOB_ERROR,       /* day and month swapped, or the day off by one */
    GEN_NOISE_DIACRITICS_LOST, /* Zoë → Zoe, Siobhán → Siobhan (only names that have them) */
    GEN_NOISE_EMAIL_CHANGE,    /* a different email address */
    GEN_NOISE_SURNAME_CASE,    /* surname in capitals (O'BRIEN) */
    GEN_NOISE_SURNAME_TYPO,    /* a typo in the surname */
    GEN_NOISE_NICKNAME,        /* a contact's forename written in its short form (Bill) */
    GEN_NOISE_PHONE_CHANGE,    /* a contact's mobile number changed */
    GEN_NOISE_MOVED_HOUSE,     /* a new address (a household moves together) */
    GEN_NOISE_DOB_MISSING,     /* no date of birth in the new extract */
    GEN_NOISE_EMAIL_MISSING,   /* no email address in the new extract */
    GEN_NOISE_NAMES_SWAPPED,   /* forename and surname in each other's fields */
    GEN_NOISE_KIND_COUNT
} GenNoiseKind;

_Static_assert(GEN_NOISE_KIND_COUNT <= GEN_NOISE_MAX_KINDS, "GenConfig.noiseRates too small");

typedef struct GenNoiseEntry {
    const char *name;        /* as written in truth.csv's noise column and in noise files */
    double rate;             /* at --noise default: chance that an eligible person gets it */
    unsigned roles;          /* GenRole flags it applies to */
    bool household;          /* drawn once per household (pupils and the contacts living with
                              * them), not per person */
    const char *description; /* for docs and --help */
} GenNoiseEntry;

const GenNoiseEntry *genNoiseEntry(GenNoiseKind kind);

/* The kind called name; false when there is none. */
bool genNoiseKindByName(const char *name, GenNoiseKind *kind);

/* Parses none|low|default|high; false for anything else. */
bool genNoiseParseLevel(const char *text, GenNoiseLevel *level);
const char *genNoiseLevelName(GenNoiseLevel level);

/* Every kind's default rate scaled by the level (capped at 1). */
void genNoiseRatesForLevel(GenNoiseLevel level, double *rates);

/*
 * Reads a noise file over rates (see docs/generator.md): lines `KIND RATE`, RATE a fraction
 * (0.03) or a percentage (3%), `level LEVEL` (first) to start from another level, blank lines
 * and # comments. Kinds not named keep their rate. Fails with EXIT_INPUT naming file:line.
 */
bool genNoiseReadFile(const char *path, double *rates, GenNoiseLevel *level, Error *err);

/* "kind=rate kind=rate ..." for every kind, for the platform.sql header. */
void genNoiseDescribe(const double *rates, char *out, size_t size);

/* The kinds drawn for a person of this role (bit 1<<kind). householdSeed keys the household
 * kinds (pass personSeed for someone living alone or for staff). A drawn kind may still not
 * apply (a forename without a nickname, a name without diacritics): gen_person.c decides. */
unsigned genNoiseDraw(const double *rates, GenRole role, uint64_t personSeed,
                      uint64_t householdSeed);

/* "kind;kind" in table order ("" for none). */
void genNoiseFormat(unsigned mask, char *out, size_t size);

#endif
