/* gen_person.c — a generated person's attributes, as the platform, old or new MIS shows them */
#include "gen_person.h"

#include <stdio.h>
#include <string.h>

#include "gen_date.h"
#include "gen_names.h"
#include "gen_noise.h"
#include "gen_places.h"
#include "gen_rng.h"

/* Hash fields: one per attribute, so attributes are independent of one another. Never
 * renumber (that would change every dataset); add new fields at the end. */
enum Field {
    F_SEX = 1, F_FORENAME, F_SURNAME_A, F_SURNAME_B, F_HYPHENATED, F_DOB, F_EMAIL, F_HOUSE,
    F_STREET, F_LOCALITY, F_POSTCODE, F_MOBILE, F_HOME_PHONE, F_TITLE, F_PATTERN, F_THIRD,
    F_MOTHER_SURNAME, F_NI, F_SURNAME, F_OWN_SURNAME,
};

typedef struct Relation {
    const char *type;
    char sex;            /* 'F', 'M', or 0 for either */
    bool responsibility;
    bool sameHome;       /* lives at the family's address */
    char surname;        /* 'A' family surname, 'B' the other family surname, 'O' own */
} Relation;

static const Relation RELATIONS[] = {
    {"Mother", 'F', true, true, 'A'},        {"Father", 'M', true, true, 'A'},
    {"Step-father", 'M', false, true, 'O'},  {"Carer", 0, true, true, 'O'},
    {"Grandmother", 'F', false, false, 'B'}, {"Grandfather", 'M', false, false, 'B'},
    {"Aunt", 'F', false, false, 'B'},        {"Uncle", 'M', false, false, 'A'},
    {"Family Friend", 0, false, false, 'O'},
};
enum { MOTHER, FATHER, STEP_FATHER, CARER, GRANDMOTHER, GRANDFATHER, AUNT, UNCLE, FRIEND };

static const char *const STAFF_ROLES[] = {
    "Teacher", "Teaching Assistant", "Administrator", "Site Manager", "Librarian",
    "Business Manager",
};

static const char *const HOUSE_NAMES[] = {
    "Rose Cottage", "The Old Rectory", "Ivy House", "Orchard View", "Flat 2, Mill Court",
};

const char *genPersonStaffRole(uint8_t role)
{
    return STAFF_ROLES[role % (sizeof STAFF_ROLES / sizeof STAFF_ROLES[0])];
}

/* Which relation a contact has: a pattern per family for the first two, then the extras. */
static const Relation *relationOf(const GenModel *model, const GenContact *contact)
{
    const GenFamily *family = &model->families[contact->family];
    uint32_t draw = genHashBelow(family->seed, F_PATTERN, 20);

    if (contact->priority >= 3)
        return &RELATIONS[GRANDMOTHER + genHashBelow(contact->seed, F_THIRD, 5)];
    if (family->contactsPerSchool == 1)
        return &RELATIONS[draw < 14 ? MOTHER : draw < 18 ? FATHER : CARER];
    if (draw < 15)
        return &RELATIONS[contact->priority == 1 ? MOTHER : FATHER];
    if (draw < 17)
        return &RELATIONS[contact->priority == 1 ? FATHER : MOTHER];
    if (draw < 19)
        return &RELATIONS[contact->priority == 1 ? MOTHER : STEP_FATHER];
    return &RELATIONS[contact->priority == 1 ? MOTHER : GRANDMOTHER];
}

GenRelation genPersonRelation(const GenModel *model, uint32_t contact)
{
    const Relation *relation = relationOf(model, &model->contacts[contact]);
    return (GenRelation){relation->type, relation->responsibility};
}

static void familySurname(const GenFamily *family, char which, char *out, size_t size)
{
    snprintf(out, size, "%s",
             genNamesSurname(genHash(family->seed, which == 'A' ? F_SURNAME_A : F_SURNAME_B)));
}

static void address(uint64_t seed, const GenPlace *place, GenAddress *out)
{
    if (genHashBelow(seed, F_HOUSE, 100) < 7)
        snprintf(out->house, sizeof out->house, "%s",
                 HOUSE_NAMES[genHashBelow(seed, F_HOUSE + 100, 5)]);
    else
        snprintf(out->house, sizeof out->house, "%u", 1 + genHashBelow(seed, F_HOUSE + 100, 180));
    snprintf(out->street, sizeof out->street, "%s", genPlacesStreet(genHash(seed, F_STREET)));
    snprintf(out->locality, sizeof out->locality, "%s", genPlacesLocality(genHash(seed, F_LOCALITY)));
    snprintf(out->town, sizeof out->town, "%s", place->town);
    genPlacesPostcode(place, genHash(seed, F_POSTCODE), out->postcode, sizeof out->postcode);
}

static void adultTitle(uint64_t seed, char sex, char *out, size_t size)
{
    uint32_t draw = genHashBelow(seed, F_TITLE, 100);
    const char *title = draw < 4 ? "Dr" : sex == 'M' ? "Mr" : draw < 55 ? "Mrs" : draw < 85 ? "Ms" : "Miss";
    snprintf(out, size, "%s", title);
}

/* Copies text into a field, truncating (at a byte; names are far shorter than the fields). */
static void copyText(char *out, size_t size, const char *text)
{
    size_t length = strlen(text);

    if (length >= size)
        length = size - 1;
    memcpy(out, text, length);
    out[length] = '\0';
}

static void login(const char *text, char *out, size_t size)
{
    if (genNamesFold(text, true, out, size) == 0)
        snprintf(out, size, "x");
}

/* Swaps two different adjacent lowercase ASCII letters; false when the name has none. */
static bool forenameTypo(char *name, uint64_t seed)
{
    size_t length = strlen(name), candidates = 0, chosen;

    for (size_t i = 1; i + 1 < length; i++)
        candidates += name[i] >= 'a' && name[i] <= 'z' && name[i + 1] >= 'a' &&
                      name[i + 1] <= 'z' && name[i] != name[i + 1];
    if (candidates == 0)
        return false;
    chosen = genHashBelow(seed, 2000, (uint32_t)candidates);
    for (size_t i = 1; i + 1 < length; i++) {
        if (name[i] >= 'a' && name[i] <= 'z' && name[i + 1] >= 'a' && name[i + 1] <= 'z' &&
            name[i] != name[i + 1] && chosen-- == 0) {
            char swap = name[i];
            name[i] = name[i + 1], name[i + 1] = swap;
            return true;
        }
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

/* Applies the drawn noise kinds to a NEW-side record; keeps the bits of those that changed it. */
static void applyNoise(GenPerson *person, unsigned drawn, GenRole role, uint64_t seed,
                       const char *emailDomain)
{
    unsigned applied = drawn & (1u << GEN_NOISE_TEMPORARY_UPN);
    char buffer[160];

    if (drawn & (1u << GEN_NOISE_PREFERRED_NAME)) {
        const char *nickname = genNamesNickname(person->forename);
        if (nickname != NULL) {
            snprintf(person->preferredForename, sizeof person->preferredForename, "%s", nickname);
            applied |= 1u << GEN_NOISE_PREFERRED_NAME;
        }
    }
    if (drawn & (1u << GEN_NOISE_SURNAME_CHANGE)) {
        const char *other = genNamesSurname(genHash(seed, F_SURNAME + 2000));
        if (strcmp(other, person->surname) != 0) {
            if (role == GEN_ROLE_PUPIL)
                snprintf(buffer, sizeof buffer, "%s-%s", person->surname, other);
            else
                snprintf(buffer, sizeof buffer, "%s", other);
            copyText(person->surname, sizeof person->surname, buffer);
            applied |= 1u << GEN_NOISE_SURNAME_CHANGE;
        }
    }
    if ((drawn & (1u << GEN_NOISE_FORENAME_TYPO)) && forenameTypo(person->forename, seed))
        applied |= 1u << GEN_NOISE_FORENAME_TYPO;
    if ((drawn & (1u << GEN_NOISE_DOB_ERROR)) && dobError(person->dob))
        applied |= 1u << GEN_NOISE_DOB_ERROR;
    if ((drawn & (1u << GEN_NOISE_DIACRITICS_LOST)) &&
        (genNamesHasNonAscii(person->forename) || genNamesHasNonAscii(person->surname) ||
         genNamesHasNonAscii(person->preferredForename))) {
        genNamesFold(person->forename, false, buffer, sizeof buffer);
        copyText(person->forename, sizeof person->forename, buffer);
        genNamesFold(person->surname, false, buffer, sizeof buffer);
        copyText(person->surname, sizeof person->surname, buffer);
        genNamesFold(person->preferredForename, false, buffer, sizeof buffer);
        copyText(person->preferredForename, sizeof person->preferredForename, buffer);
        applied |= 1u << GEN_NOISE_DIACRITICS_LOST;
    }
    if ((drawn & (1u << GEN_NOISE_EMAIL_CHANGE)) && person->email[0] != '\0') {
        char forename[64], surname[64];
        login(person->forename, forename, sizeof forename);
        login(person->surname, surname, sizeof surname);
        snprintf(person->email, sizeof person->email, "%s%s%u@%s", forename, surname,
                 genHashBelow(seed, F_EMAIL + 2000, 90) + 10, emailDomain);
        applied |= 1u << GEN_NOISE_EMAIL_CHANGE;
    }
    if (drawn & (1u << GEN_NOISE_SURNAME_CASE)) {
        bool changed = false;
        for (char *c = person->surname; *c != '\0'; c++) {
            if (*c >= 'a' && *c <= 'z') {
                *c = (char)(*c - 'a' + 'A');
                changed = true;
            }
        }
        if (changed)
            applied |= 1u << GEN_NOISE_SURNAME_CASE;
    }
    person->noise = applied;
}

void genPersonPupil(const GenModel *model, uint32_t index, GenSide side, GenPerson *out)
{
    const GenPupil *pupil = &model->pupils[index];
    const GenFamily *family = &model->families[pupil->family];
    const GenSchool *school = &model->schools[pupil->school];
    const GenPlace *place = genPlacesGet(model->schools[family->homeSchool].place);
    unsigned drawn = pupil->status == GEN_STATUS_MATCH
                         ? genNoiseDraw(model->config.noise, GEN_ROLE_PUPIL, pupil->seed)
                         : 0;
    bool temporary = (drawn & (1u << GEN_NOISE_TEMPORARY_UPN)) != 0;
    int64_t first = genDateDays(GEN_ACADEMIC_YEAR_START - 5 - pupil->year, 9, 1);
    int64_t last = genDateDays(GEN_ACADEMIC_YEAR_START - 4 - pupil->year, 9, 1);
    char forename[64], surname[64];

    memset(out, 0, sizeof *out);
    out->sex = genHashBelow(pupil->seed, F_SEX, 2) ? 'F' : 'M';
    snprintf(out->forename, sizeof out->forename, "%s",
             genNamesForename(out->sex == 'F', genHash(pupil->seed, F_FORENAME)));
    familySurname(family, 'A', out->surname, sizeof out->surname);
    if (genHashBelow(family->seed, F_HYPHENATED, 100) < 7) {
        char other[64];
        familySurname(family, 'B', other, sizeof other);
        if (strcmp(other, out->surname) != 0 && strchr(out->surname, '-') == NULL &&
            strchr(other, '-') == NULL) {
            size_t length = strlen(out->surname);
            snprintf(out->surname + length, sizeof out->surname - length, "-%s", other);
        }
    }
    genDateFormat(first + genHashBelow(pupil->seed, F_DOB, (uint32_t)(last - first)), out->dob,
                  sizeof out->dob);
    genModelUpn(model, pupil, side == GEN_SIDE_OLD && temporary, out->upn);
    if (side == GEN_SIDE_NEW && temporary)
        genModelUpn(model, pupil, true, out->formerUpn);
    login(out->forename, forename, sizeof forename);
    login(out->surname, surname, sizeof surname);
    snprintf(out->email, sizeof out->email, "%s.%s%02u@pupils.%s.example.org", forename, surname,
             genHashBelow(pupil->seed, F_EMAIL, 100), school->slug);
    address(family->seed, place, &out->address);
    if (side == GEN_SIDE_NEW)
        applyNoise(out, drawn, GEN_ROLE_PUPIL, pupil->seed, "pupils.example.org");
}

void genPersonStaff(const GenModel *model, uint32_t index, GenSide side, GenPerson *out)
{
    const GenStaff *member = &model->staff[index];
    const GenSchool *school = &model->schools[member->school];
    static const char NI_FIRST[] = "ABCEGHJKLMNOPRSTWXYZ", NI_SECOND[] = "ABCEGHJKLMNPRSTWXYZ";
    int64_t first = genDateDays(1962, 1, 1), last = genDateDays(2002, 1, 1);
    uint64_t ni = genHash(member->seed, F_NI);
    char forename[64], surname[64], domain[64];

    memset(out, 0, sizeof *out);
    out->sex = genHashBelow(member->seed, F_SEX, 100) < 70 ? 'F' : 'M';
    snprintf(out->forename, sizeof out->forename, "%s",
             genNamesForename(out->sex == 'F', genHash(member->seed, F_FORENAME)));
    snprintf(out->surname, sizeof out->surname, "%s",
             genNamesSurname(genHash(member->seed, F_SURNAME)));
    adultTitle(member->seed, out->sex, out->title, sizeof out->title);
    genDateFormat(first + genHashBelow(member->seed, F_DOB, (uint32_t)(last - first)), out->dob,
                  sizeof out->dob);
    snprintf(out->niNumber, sizeof out->niNumber, "%c%c%06u%c", NI_FIRST[ni % 20],
             NI_SECOND[(ni >> 8) % 19], (unsigned)((ni >> 16) % 1000000), "ABCD"[(ni >> 40) % 4]);
    login(out->forename, forename, sizeof forename);
    login(out->surname, surname, sizeof surname);
    snprintf(domain, sizeof domain, "%s.example.org", school->slug);
    snprintf(out->email, sizeof out->email, "%c.%s@%s", forename[0], surname, domain);
    address(member->seed, genPlacesGet(school->place), &out->address);
    if (side == GEN_SIDE_NEW && member->status == GEN_STATUS_MATCH)
        applyNoise(out, genNoiseDraw(model->config.noise, GEN_ROLE_STAFF, member->seed),
                   GEN_ROLE_STAFF, member->seed, domain);
}

void genPersonContact(const GenModel *model, uint32_t index, GenSide side, GenPerson *out)
{
    static const char *const DOMAINS[] = {"example.com", "example.net", "example.org"};
    const GenContact *contact = &model->contacts[index];
    const GenFamily *family = &model->families[contact->family];
    const GenPlace *place = genPlacesGet(model->schools[family->homeSchool].place);
    const Relation *relation = relationOf(model, contact);
    char surnameSource = relation->surname;
    char forename[64], surname[64];

    memset(out, 0, sizeof *out);
    out->sex = relation->sex ? relation->sex : genHashBelow(contact->seed, F_SEX, 2) ? 'F' : 'M';
    snprintf(out->forename, sizeof out->forename, "%s",
             genNamesForename(out->sex == 'F', genHash(contact->seed, F_FORENAME)));
    if (relation == &RELATIONS[MOTHER] && genHashBelow(family->seed, F_MOTHER_SURNAME, 100) < 30)
        surnameSource = 'B';
    if (surnameSource == 'O')
        snprintf(out->surname, sizeof out->surname, "%s",
                 genNamesSurname(genHash(contact->seed, F_OWN_SURNAME)));
    else
        familySurname(family, surnameSource, out->surname, sizeof out->surname);
    adultTitle(contact->seed, out->sex, out->title, sizeof out->title);
    login(out->forename, forename, sizeof forename);
    login(out->surname, surname, sizeof surname);
    if (genHashBelow(contact->seed, F_EMAIL, 100) < 88)
        snprintf(out->email, sizeof out->email, "%s.%s%u@%s", forename, surname,
                 genHashBelow(contact->seed, F_EMAIL + 100, 100),
                 DOMAINS[genHashBelow(contact->seed, F_EMAIL + 200, 3)]);
    snprintf(out->mobile, sizeof out->mobile, "07700 9%05u",
             genHashBelow(contact->seed, F_MOBILE, 100000));
    if (relation->sameHome && genHashBelow(family->seed, F_HOME_PHONE, 100) < 40)
        snprintf(out->homePhone, sizeof out->homePhone, "01632 960%03u",
                 genHashBelow(family->seed, F_HOME_PHONE + 100, 1000));
    address(relation->sameHome ? family->seed : contact->seed, place, &out->address);
    if (side == GEN_SIDE_NEW && contact->status == GEN_STATUS_MATCH)
        applyNoise(out, genNoiseDraw(model->config.noise, GEN_ROLE_PARENT, contact->seed),
                   GEN_ROLE_PARENT, contact->seed, DOMAINS[genHashBelow(contact->seed, F_EMAIL + 300, 3)]);
}

unsigned genPersonNoise(const GenModel *model, GenRole role, uint32_t index)
{
    GenPerson person;

    if (role == GEN_ROLE_PUPIL)
        genPersonPupil(model, index, GEN_SIDE_NEW, &person);
    else if (role == GEN_ROLE_STAFF)
        genPersonStaff(model, index, GEN_SIDE_NEW, &person);
    else
        genPersonContact(model, index, GEN_SIDE_NEW, &person);
    return person.noise;
}

void genPersonStaffInitials(const GenModel *model, uint32_t staff, char *out)
{
    GenPerson person;
    char forename[64], surname[64];

    genPersonStaff(model, staff, GEN_SIDE_OLD, &person);
    login(person.forename, forename, sizeof forename);
    login(person.surname, surname, sizeof surname);
    out[0] = forename[0];
    out[1] = surname[0];
    out[2] = surname[1] != '\0' ? surname[1] : 'x';
    out[3] = '\0';
    for (int i = 0; i < 3; i++)
        if (out[i] >= 'a' && out[i] <= 'z')
            out[i] = (char)(out[i] - 'a' + 'A');
}
