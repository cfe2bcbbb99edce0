/* gen_person_noise.c — applies a person's drawn noise kinds to their new MIS record */
#include "gen_person_noise.h"

#include <stdio.h>
#include <string.h>

#include "gen_names.h"
#include "gen_noise.h"
#include "gen_rng.h"

/* Hash fields of noise values: apart from gen_person.c's attribute fields (below 1000) and the
 * draws (1000 + kind). Never renumber. */
enum Field {
    F_OTHER_SURNAME = 2019, F_TYPO = 2000, F_SURNAME_TYPO = 2100, F_NEW_EMAIL = 2007,
    F_KNOWN_AS = 2200, F_NEW_MOBILE = 2300,
};

#define BIT(kind) (1u << (kind))

static void copyText(char *out, size_t size, const char *text)
{
    size_t length = strlen(text);

    if (length >= size)
        length = size - 1;
    memmove(out, text, length);
    out[length] = '\0';
}

static void login(const char *text, char *out, size_t size)
{
    if (genNamesFold(text, true, out, size) == 0)
        snprintf(out, size, "x");
}

static bool isLower(char c)
{
    return c >= 'a' && c <= 'z';
}

/* A keyboard slip in a name (size bytes of room): two different adjacent lowercase letters
 * swapped, a lowercase letter dropped, or one doubled; never the first letter. False when the
 * name has no lowercase run to change (short, all capitals, non-Latin). */
static bool typo(char *name, size_t size, uint64_t seed, uint64_t field)
{
    size_t length = strlen(name), candidates = 0, chosen;
    unsigned variant = genHashBelow(seed, field + 1, 3);

    for (size_t i = 1; i + 1 < length; i++)
        candidates += isLower(name[i]) && isLower(name[i + 1]) && name[i] != name[i + 1];
    if (candidates == 0 || length < 4)
        return false;
    chosen = genHashBelow(seed, field, (uint32_t)candidates);
    for (size_t i = 1; i + 1 < length; i++) {
        if (!(isLower(name[i]) && isLower(name[i + 1]) && name[i] != name[i + 1]) || chosen-- != 0)
            continue;
        if (variant == 0) {
            char swap = name[i];
            name[i] = name[i + 1], name[i + 1] = swap;
        } else if (variant == 1) {
            memmove(name + i, name + i + 1, length - i);
        } else if (length + 1 < size) {
            memmove(name + i + 1, name + i, length - i + 1);
        } else {
            return false;
        }
        return true;
    }
    return false;
}

static bool dobError(char *dob)
{
    int year;
    unsigned month, day;

    if (dob[0] == '\0' || sscanf(dob, "%4d-%2u-%2u", &year, &month, &day) != 3)
        return false;
    if (day <= 12 && day != month) {
        unsigned swap = day;
        day = month, month = swap;
    } else {
        day = day == 1 ? 2u : day - 1;
    }
    snprintf(dob, 11, "%04u-%02u-%02u", (unsigned)year % 10000u, month % 100u, day % 100u);
    return true;
}

static bool foldDiacritics(GenPerson *person)
{
    char buffer[160];

    if (!genNamesHasNonAscii(person->forename) && !genNamesHasNonAscii(person->surname) &&
        !genNamesHasNonAscii(person->preferredForename))
        return false;
    genNamesFold(person->forename, false, buffer, sizeof buffer);
    copyText(person->forename, sizeof person->forename, buffer);
    genNamesFold(person->surname, false, buffer, sizeof buffer);
    copyText(person->surname, sizeof person->surname, buffer);
    genNamesFold(person->preferredForename, false, buffer, sizeof buffer);
    copyText(person->preferredForename, sizeof person->preferredForename, buffer);
    return true;
}

/* The name someone goes by: the short form, else another forename (a middle name). */
static bool preferredName(GenPerson *person, uint64_t seed)
{
    const char *name = genNamesNickname(person->forename);

    if (name == NULL)
        name = genNamesForename(person->sex == 'F', genHash(seed, F_KNOWN_AS));
    if (strcmp(name, person->forename) == 0)
        return false;
    copyText(person->preferredForename, sizeof person->preferredForename, name);
    return true;
}

static bool changeSurname(GenPerson *person, GenRole role, uint64_t seed)
{
    const char *other = genNamesSurname(genHash(seed, F_OTHER_SURNAME));
    char buffer[192];

    if (strcmp(other, person->surname) == 0 || strstr(person->surname, other) != NULL)
        return false;
    if (role == GEN_ROLE_PUPIL)
        snprintf(buffer, sizeof buffer, "%s-%s", person->surname, other);
    else
        snprintf(buffer, sizeof buffer, "%s", other);
    copyText(person->surname, sizeof person->surname, buffer);
    return true;
}

static bool capitalise(char *surname)
{
    bool changed = false;

    for (char *c = surname; *c != '\0'; c++) {
        if (isLower(*c)) {
            *c = (char)(*c - 'a' + 'A');
            changed = true;
        }
    }
    return changed;
}

static bool swapNames(GenPerson *person)
{
    char forename[sizeof person->forename];

    if (strcmp(person->forename, person->surname) == 0)
        return false;
    copyText(forename, sizeof forename, person->forename);
    copyText(person->forename, sizeof person->forename, person->surname);
    copyText(person->surname, sizeof person->surname, forename);
    return true;
}

void genPersonNoiseApply(GenPerson *person, unsigned drawn, GenRole role, uint64_t seed,
                         const char *emailDomain, const GenAddress *movedTo)
{
    unsigned applied = drawn & BIT(GEN_NOISE_TEMPORARY_UPN);
    const char *nickname;

    if ((drawn & BIT(GEN_NOISE_PREFERRED_NAME)) && preferredName(person, seed))
        applied |= BIT(GEN_NOISE_PREFERRED_NAME);
    if ((drawn & BIT(GEN_NOISE_NICKNAME)) &&
        (nickname = genNamesNickname(person->forename)) != NULL) {
        copyText(person->forename, sizeof person->forename, nickname);
        applied |= BIT(GEN_NOISE_NICKNAME);
    }
    if ((drawn & BIT(GEN_NOISE_SURNAME_CHANGE)) && changeSurname(person, role, seed))
        applied |= BIT(GEN_NOISE_SURNAME_CHANGE);
    if ((drawn & BIT(GEN_NOISE_FORENAME_TYPO)) &&
        typo(person->forename, sizeof person->forename, seed, F_TYPO))
        applied |= BIT(GEN_NOISE_FORENAME_TYPO);
    if ((drawn & BIT(GEN_NOISE_SURNAME_TYPO)) &&
        typo(person->surname, sizeof person->surname, seed, F_SURNAME_TYPO))
        applied |= BIT(GEN_NOISE_SURNAME_TYPO);
    if ((drawn & BIT(GEN_NOISE_DOB_MISSING)) && person->dob[0] != '\0') {
        person->dob[0] = '\0';
        applied |= BIT(GEN_NOISE_DOB_MISSING);
    } else if ((drawn & BIT(GEN_NOISE_DOB_ERROR)) && dobError(person->dob)) {
        applied |= BIT(GEN_NOISE_DOB_ERROR);
    }
    if ((drawn & BIT(GEN_NOISE_DIACRITICS_LOST)) && foldDiacritics(person))
        applied |= BIT(GEN_NOISE_DIACRITICS_LOST);
    if ((drawn & BIT(GEN_NOISE_EMAIL_MISSING)) && person->email[0] != '\0') {
        person->email[0] = '\0';
        applied |= BIT(GEN_NOISE_EMAIL_MISSING);
    } else if ((drawn & BIT(GEN_NOISE_EMAIL_CHANGE)) && person->email[0] != '\0') {
        char forename[64], surname[64];
        login(person->forename, forename, sizeof forename);
        login(person->surname, surname, sizeof surname);
        snprintf(person->email, sizeof person->email, "%s%s%u@%s", forename, surname,
                 genHashBelow(seed, F_NEW_EMAIL, 90) + 10, emailDomain);
        applied |= BIT(GEN_NOISE_EMAIL_CHANGE);
    }
    if ((drawn & BIT(GEN_NOISE_PHONE_CHANGE)) && person->mobile[0] != '\0') {
        char mobile[sizeof person->mobile];
        snprintf(mobile, sizeof mobile, "07700 9%05u", genHashBelow(seed, F_NEW_MOBILE, 100000));
        if (strcmp(mobile, person->mobile) != 0) {
            copyText(person->mobile, sizeof person->mobile, mobile);
            applied |= BIT(GEN_NOISE_PHONE_CHANGE);
        }
    }
    if ((drawn & BIT(GEN_NOISE_MOVED_HOUSE)) && movedTo != NULL &&
        (strcmp(movedTo->street, person->address.street) != 0 ||
         strcmp(movedTo->house, person->address.house) != 0 ||
         strcmp(movedTo->postcode, person->address.postcode) != 0)) {
        person->address = *movedTo;
        applied |= BIT(GEN_NOISE_MOVED_HOUSE);
    }
    if ((drawn & BIT(GEN_NOISE_SURNAME_CASE)) && capitalise(person->surname))
        applied |= BIT(GEN_NOISE_SURNAME_CASE);
    if ((drawn & BIT(GEN_NOISE_NAMES_SWAPPED)) && swapNames(person))
        applied |= BIT(GEN_NOISE_NAMES_SWAPPED);
    person->noise = applied;
}
