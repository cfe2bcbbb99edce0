/* gen_noise.c — the noise model: how a person's record differs between the old and new MIS */
#include "gen_noise.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_rng.h"

#define ADULTS (GEN_ROLE_STAFF | GEN_ROLE_PARENT)
#define EVERYONE (GEN_ROLE_PUPIL | GEN_ROLE_STAFF | GEN_ROLE_PARENT)

/* The one table of noise kinds, in GenNoiseKind order. Rates are per eligible person at
 * --noise default; docs/generator.md lists them, and a test checks each shows at its rate. */
static const GenNoiseEntry NOISE[GEN_NOISE_KIND_COUNT] = {
    {"temporary-upn", 0.01, GEN_ROLE_PUPIL, false,
     "a temporary UPN on the platform and in the old extract; the new extract has a permanent "
     "UPN with the temporary one as former-upn"},
    {"preferred-name", 0.05, GEN_ROLE_PUPIL | GEN_ROLE_STAFF, false,
     "the new extract adds a preferred forename: the short form (William: Bill), else another "
     "forename the person goes by"},
    {"surname-change", 0.02, EVERYONE, false,
     "a new surname: another surname for adults (marriage), a double-barrelled one for pupils"},
    {"forename-typo", 0.025, EVERYONE, false,
     "a typo in the forename: two letters swapped, one dropped or one doubled"},
    {"dob-error", 0.01, GEN_ROLE_PUPIL | GEN_ROLE_STAFF, false,
     "date of birth with day and month swapped, or the day off by one"},
    {"diacritics-lost", 0.5, EVERYONE, false,
     "names lose their diacritics (Zoë: Zoe); only names that have them"},
    {"email-change", 0.08, ADULTS, false, "a different email address"},
    {"surname-case", 0.02, EVERYONE, false, "surname in capitals"},
    {"surname-typo", 0.01, EVERYONE, false,
     "a typo in the surname: two letters swapped, one dropped or one doubled"},
    {"nickname", 0.08, GEN_ROLE_PARENT, false,
     "a contact's forename recorded in its short form (William: Bill); only forenames that "
     "have one"},
    {"phone-change", 0.08, GEN_ROLE_PARENT, false, "a contact's mobile number changed"},
    {"moved-house", 0.04, EVERYONE, true,
     "a new address in the same town; a household (pupils and the contacts living with them) "
     "moves together"},
    {"dob-missing", 0.015, GEN_ROLE_PUPIL | GEN_ROLE_STAFF, false,
     "no date of birth in the new extract"},
    {"email-missing", 0.02, EVERYONE, false, "no email address in the new extract"},
    {"names-swapped", 0.005, EVERYONE, false,
     "forename and surname entered in each other's fields"},
};

static const char *const LEVEL_NAMES[] = {"none", "low", "default", "high"};
static const double LEVEL_SCALES[] = {0.0, 0.5, 1.0, 2.5};

const GenNoiseEntry *genNoiseEntry(GenNoiseKind kind)
{
    return &NOISE[kind];
}

bool genNoiseKindByName(const char *name, GenNoiseKind *kind)
{
    for (int i = 0; i < GEN_NOISE_KIND_COUNT; i++) {
        if (strcmp(name, NOISE[i].name) == 0) {
            *kind = (GenNoiseKind)i;
            return true;
        }
    }
    return false;
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

void genNoiseRatesForLevel(GenNoiseLevel level, double *rates)
{
    for (int kind = 0; kind < GEN_NOISE_KIND_COUNT; kind++) {
        double rate = NOISE[kind].rate * LEVEL_SCALES[level];
        rates[kind] = rate > 1.0 ? 1.0 : rate;
    }
}

/* "0.03" or "3%" into a fraction in [0, 1]. */
static bool parseRate(const char *text, double *rate)
{
    char *end;
    double value;

    if ((text[0] < '0' || text[0] > '9') && text[0] != '.')
        return false;
    errno = 0;
    value = strtod(text, &end);
    if (errno != 0 || end == text)
        return false;
    if (*end == '%') {
        value /= 100.0;
        end++;
    }
    if (*end != '\0' || !(value >= 0.0 && value <= 1.0))
        return false;
    *rate = value;
    return true;
}

static bool fileError(Error *err, const char *path, unsigned line, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static bool fileError(Error *err, const char *path, unsigned line, const char *format, ...)
{
    char message[512];
    va_list args;

    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    errorSet(err, EXIT_INPUT, "gen: noise file %s:%u: %s", path, line, message);
    errorHint(err, "lines are 'KIND RATE' (rate 0.03 or 3%%), 'level none|low|default|high' "
                   "first, or # comments; kinds are listed in docs/generator.md");
    return false;
}

bool genNoiseReadFile(const char *path, double *rates, GenNoiseLevel *level, Error *err)
{
    char text[512];
    bool seen[GEN_NOISE_KIND_COUNT] = {false}, anyKind = false;
    unsigned line = 0;
    FILE *file = fopen(path, "r");

    if (file == NULL) {
        errorSet(err, EXIT_INPUT, "gen: cannot read noise file %s: %s", path, strerror(errno));
        errorHint(err, "--noise takes none, low, default, high or a noise file");
        return false;
    }
    while (fgets(text, sizeof text, file) != NULL) {
        char word[128], value[128], extra[8];
        int fields;
        GenNoiseKind kind;
        line++;
        if (strchr(text, '\n') == NULL && !feof(file)) {
            fclose(file);
            return fileError(err, path, line, "line too long");
        }
        text[strcspn(text, "#")] = '\0';
        fields = sscanf(text, "%127s %127s %7s", word, value, extra);
        if (fields <= 0)
            continue;
        if (fields != 2) {
            fclose(file);
            return fileError(err, path, line, "expected 'KIND RATE', found '%s'", word);
        }
        if (strcmp(word, "level") == 0) {
            if (anyKind || !genNoiseParseLevel(value, level)) {
                fclose(file);
                return fileError(err, path, line,
                                 "'level %s' must be first and one of none, low, default, high",
                                 value);
            }
            genNoiseRatesForLevel(*level, rates);
            continue;
        }
        if (!genNoiseKindByName(word, &kind)) {
            fclose(file);
            return fileError(err, path, line, "unknown noise kind '%s'", word);
        }
        if (seen[kind]) {
            fclose(file);
            return fileError(err, path, line, "noise kind '%s' given twice", word);
        }
        if (!parseRate(value, &rates[kind])) {
            fclose(file);
            return fileError(err, path, line, "rate '%s' is not a fraction 0..1 or 0%%..100%%",
                             value);
        }
        seen[kind] = anyKind = true;
    }
    if (ferror(file)) {
        fclose(file);
        return errorSet(err, EXIT_INPUT, "gen: cannot read noise file %s", path);
    }
    fclose(file);
    return true;
}

void genNoiseDescribe(const double *rates, char *out, size_t size)
{
    size_t length = 0;

    out[0] = '\0';
    for (int kind = 0; kind < GEN_NOISE_KIND_COUNT; kind++) {
        int written = snprintf(out + length, size - length, "%s%s=%.6g", length ? " " : "",
                               NOISE[kind].name, rates[kind]);
        if (written < 0 || (size_t)written >= size - length)
            return;
        length += (size_t)written;
    }
}

unsigned genNoiseDraw(const double *rates, GenRole role, uint64_t personSeed,
                      uint64_t householdSeed)
{
    unsigned mask = 0;

    for (int kind = 0; kind < GEN_NOISE_KIND_COUNT; kind++) {
        uint64_t seed = NOISE[kind].household ? householdSeed : personSeed;
        if ((NOISE[kind].roles & (unsigned)role) == 0 || rates[kind] <= 0.0)
            continue;
        /* Field numbers 1000+kind keep noise draws apart from attribute draws. */
        if (genHashUnit(seed, 1000u + (unsigned)kind) < rates[kind])
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
