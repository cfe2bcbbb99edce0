/* gen_noise.c — the noise model: how a person's record differs between the old and new MIS */
#include "gen_noise.h"

#include <stdio.h>
#include <string.h>

#include "gen_rng.h"

#define ADULTS (GEN_ROLE_STAFF | GEN_ROLE_PARENT)
#define EVERYONE (GEN_ROLE_PUPIL | GEN_ROLE_STAFF | GEN_ROLE_PARENT)

/* The one table of noise kinds, in GenNoiseKind order. */
static const GenNoiseEntry NOISE[GEN_NOISE_KIND_COUNT] = {
    {"temporary-upn", 0.01, GEN_ROLE_PUPIL,
     "a temporary UPN on the platform and in the old extract; the new extract has a permanent "
     "UPN with the temporary one as former-upn"},
    {"preferred-name", 0.06, GEN_ROLE_PUPIL | GEN_ROLE_STAFF,
     "the new extract adds a preferred forename (William: Bill)"},
    {"surname-change", 0.02, EVERYONE,
     "a new surname: another surname for adults, a double-barrelled one for pupils"},
    {"forename-typo", 0.01, EVERYONE, "two adjacent letters of the forename swapped"},
    {"dob-error", 0.01, GEN_ROLE_PUPIL | GEN_ROLE_STAFF,
     "date of birth with day and month swapped, or the day off by one"},
    {"diacritics-lost", 0.5, EVERYONE,
     "names lose their diacritics (Zoë: Zoe); only names that have them"},
    {"email-change", 0.08, ADULTS, "a different email address"},
    {"surname-case", 0.02, EVERYONE, "surname in capitals"},
};

static const char *const LEVEL_NAMES[] = {"none", "low", "default", "high"};
static const double LEVEL_SCALES[] = {0.0, 0.5, 1.0, 2.5};

const GenNoiseEntry *genNoiseEntry(GenNoiseKind kind)
{
    return &NOISE[kind];
}

bool genNoiseParseLevel(const char *text, GenNoiseLevel *level)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(text, LEVEL_NAMES[i]) == 0) {
            *level = (GenNoiseLevel)i;
            return true;
        }
    }
    return false;
}

const char *genNoiseLevelName(GenNoiseLevel level)
{
    return LEVEL_NAMES[level];
}

unsigned genNoiseDraw(GenNoiseLevel level, GenRole role, uint64_t personSeed)
{
    double scale = LEVEL_SCALES[level];
    unsigned mask = 0;

    if (scale == 0.0)
        return 0;
    for (int kind = 0; kind < GEN_NOISE_KIND_COUNT; kind++) {
        double rate = NOISE[kind].rate * scale;
        if ((NOISE[kind].roles & (unsigned)role) == 0)
            continue;
        /* Field numbers 1000+kind keep noise draws apart from attribute draws. */
        if (genHashUnit(personSeed, 1000u + (unsigned)kind) < (rate > 1.0 ? 1.0 : rate))
            mask |= 1u << kind;
    }
    return mask;
}

void genNoiseFormat(unsigned mask, char *out, size_t size)
{
    size_t length = 0;

    out[0] = '\0';
    for (int kind = 0; kind < GEN_NOISE_KIND_COUNT; kind++) {
        if ((mask & (1u << kind)) == 0)
            continue;
        int written = snprintf(out + length, size - length, "%s%s", length ? ";" : "",
                               NOISE[kind].name);
        if (written < 0 || (size_t)written >= size - length)
            return;
        length += (size_t)written;
    }
}
