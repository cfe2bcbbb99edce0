/* gen_noise.h — the noise model: how a person's record differs between the old and new MIS */
#ifndef MISSWITCH_GEN_NOISE_H
#define MISSWITCH_GEN_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen.h"

/*
 * One entry per kind of difference. The table in gen_noise.c is the single place a kind is
 * declared (name, default rate, roles it applies to); gen_person.c applies it. A person's draw is
 * a keyed hash of their seed, so adding a kind at the end leaves earlier kinds' draws unchanged.
 */
typedef enum GenNoiseKind {
    GEN_NOISE_TEMPORARY_UPN,   /* platform and old extract hold a temporary UPN, new a permanent */
    GEN_NOISE_PREFERRED_NAME,  /* new extract adds a preferred forename (William → Bill) */
    GEN_NOISE_SURNAME_CHANGE,  /* new surname: marriage (adults) or double-barrelled (pupils) */
    GEN_NOISE_FORENAME_TYPO,   /* two adjacent letters of the forename swapped */
    GEN_NOISE_DOB_ERROR,       /* day and month swapped, or the day off by one */
    GEN_NOISE_DIACRITICS_LOST, /* Zoë → Zoe, Siobhán → Siobhan (only names that have them) */
    GEN_NOISE_EMAIL_CHANGE,    /* a different email address */
    GEN_NOISE_SURNAME_CASE,    /* surname in capitals (O'BRIEN) */
    GEN_NOISE_KIND_COUNT
} GenNoiseKind;

typedef struct GenNoiseEntry {
    const char *name;        /* as written in truth.csv's noise column */
    double rate;             /* at --noise default: chance that an eligible person gets it */
    unsigned roles;          /* GenRole flags it applies to */
    const char *description; /* for docs and --help */
} GenNoiseEntry;

const GenNoiseEntry *genNoiseEntry(GenNoiseKind kind);

/* Parses none|low|default|high; false for anything else. */
bool genNoiseParseLevel(const char *text, GenNoiseLevel *level);
const char *genNoiseLevelName(GenNoiseLevel level);

/* The kinds drawn for a person of this role (bit 1<<kind). A drawn kind may still not apply
 * (a forename without a nickname, a name without diacritics): gen_person.c decides that. */
unsigned genNoiseDraw(GenNoiseLevel level, GenRole role, uint64_t personSeed);

/* "kind;kind" in table order ("" for none). */
void genNoiseFormat(unsigned mask, char *out, size_t size);

#endif
