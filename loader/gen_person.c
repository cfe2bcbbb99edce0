/* gen_person.c — a generated person's attributes, as the platform, old or new MIS shows them */
#include "gen_person.h"

#include <stdio.h>
#include <string.h>

#include "gen_date.h"
#include "gen_names.h"
#include "gen_noise.h"
#include "gen_person_noise.h"
#include "gen_places.h"
#include "gen_rng.h"

/* Hash fields: one per attribute, so attributes are independent of one another. Never
 * renumber (that would change every dataset); add new fields at the end. */
enum Field {
    F_SEX = 1, F_FORENAME, F_SURNAME_A, F_SURNAME_B, F_HYPHENATED, F_DOB, F_EMAIL, F_HOUSE,
    F_STREET, F_LOCALITY, F_POSTCODE, F_MOBILE, F_HOME_PHONE, F_TITLE, F_PATTERN, F_THIRD,
    F_MOTHER_SURNAME, F_NI, F_SURNAME, F_OWN_SURNAME, F_MOVED, F_SEPARATED,
};

/* Separated parents: the second contact of this share of two-contact families lives at an
 * address of their own. */
#define SEPARATED_PERCENT 12

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
    {"Family Friend", 0, false, false, 'O'}, {"Step-mother", 'F', false, true, 'O'},
};
enum { MOTHER, FATHER, STEP_FATHER, CARER, GRANDMOTHER, GRANDFATHER, AUNT, UNCLE, FRIEND, STEP_MOTHER };

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
    if (draw < 14)
        return &RELATIONS[contact->priority == 1 ? MOTHER : FATHER];
    if (draw < 16)
        return &RELATIONS[contact->priority == 1 ? FATHER : MOTHER];
    if (draw < 18)
        return &RELATIONS[contact->priority == 1 ? MOTHER : STEP_FATHER];
    if (draw < 19)
        return &RELATIONS[contact->priority == 1 ? FATHER : STEP_MOTHER];
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

static void login(const char *text, char *out, size_t size)
{
    if (genNamesFold(text, true, out, size) == 0)
        snprintf(out, size, "x");
}

/* The household's address after a move (moved-house): same town, another street and house. */
static void movedAddress(uint64_t householdSeed, const GenPlace *place, GenAddress *out)
{
    address(genHash(householdSeed, F_MOVED), place, out);
}

/* A twin takes the date of birth of the sibling before it (twins are next to each other). */
static uint64_t dobSeed(const GenModel *model, uint32_t index)
{
    while (index > 0 && model->pupils[index].twin)
        index--;
    return model->pupils[index].seed;
}

void genPersonPupil(const GenModel *model, uint32_t index, GenSide side, GenPerson *out)
{
    const GenPupil *pupil = &model->pupils[index];
    const GenFamily *family = &model->families[pupil->family];
    const GenSchool *school = &model->schools[pupil->school];
    const GenPlace *place = genPlacesGet(model->schools[family->homeSchool].place);
    unsigned drawn = pupil->status == GEN_STATUS_MATCH
                         ? genNoiseDraw(model->config.noiseRates, GEN_ROLE_PUPIL, pupil->seed,
                                        family->seed)
                         : 0;
    bool temporary = (drawn & (1u << GEN_NOISE_TEMPORARY_UPN)) != 0;
    int64_t first = genDateDays(GEN_ACADEMIC_YEAR_START - 5 - pupil->year, 9, 1);
    int64_t last = genDateDays(GEN_ACADEMIC_YEAR_START - 4 - pupil->year, 9, 1);
    char forename[64], surname[64];
    GenAddress moved;

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
    genDateFormat(first + genHashBelow(dobSeed(model, index), F_DOB, (uint32_t)(last - first)),
                  out->dob, sizeof out->dob);
    genModelUpn(model, pupil, side == GEN_SIDE_OLD && temporary, out->upn);
    if (side == GEN_SIDE_NEW && temporary)
        genModelUpn(model, pupil, true, out->formerUpn);
    login(out->forename, forename, sizeof forename);
    login(out->surname, surname, sizeof surname);
    snprintf(out->email, sizeof out->email, "%s.%s%02u@pupils.%s.example.org", forename, surname,
             genHashBelow(pupil->seed, F_EMAIL, 100), school->slug);
    address(family->seed, place, &out->address);
    if (side == GEN_SIDE_NEW) {
        movedAddress(family->seed, place, &moved);
        genPersonNoiseApply(out, drawn, GEN_ROLE_PUPIL, pupil->seed, "pupils.example.org", &moved);
    }
}

void genPersonStaff(const GenModel *model, uint32_t index, GenSide side, GenPerson *out)
{
    const GenStaff *member = &model->staff[index];
    const GenSchool *school = &model->schools[member->school];
    static const char NI_FIRST[] = "ABCEGHJKLMNOPRSTWXYZ", NI_SECOND[] = "ABCEGHJKLMNPRSTWXYZ";
    int64_t first = genDateDays(1962, 1, 1), last = genDateDays(2002, 1, 1);
    uint64_t ni = genHash(member->seed, F_NI), household = member->seed;
    const GenPlace *place = genPlacesGet(school->place);
    char forename[64], surname[64], domain[64];
    GenAddress moved;

    memset(out, 0, sizeof *out);
    if (member->parentContact != GEN_NONE) {
        /* A parent who also works at the school: the same person as the contact record (name,
         * sex, title, home), with a work email of their own. */
        const GenContact *contact = &model->contacts[member->parentContact];
        GenPerson parent;
        genPersonContact(model, member->parentContact, GEN_SIDE_OLD, &parent);
        snprintf(out->forename, sizeof out->forename, "%s", parent.forename);
        snprintf(out->surname, sizeof out->surname, "%s", parent.surname);
        snprintf(out->title, sizeof out->title, "%s", parent.title);
        out->sex = parent.sex;
        out->address = parent.address;
        household = genPersonLivesAtHome(model, member->parentContact)
                        ? model->families[contact->family].seed
                        : contact->seed;
        place = genPlacesGet(model->schools[model->families[contact->family].homeSchool].place);
    } else {
        out->sex = genHashBelow(member->seed, F_SEX, 100) < 70 ? 'F' : 'M';
        snprintf(out->forename, sizeof out->forename, "%s",
                 genNamesForename(out->sex == 'F', genHash(member->seed, F_FORENAME)));
        snprintf(out->surname, sizeof out->surname, "%s",
                 genNamesSurname(genHash(member->seed, F_SURNAME)));
        adultTitle(member->seed, out->sex, out->title, sizeof out->title);
        address(member->seed, place, &out->address);
    }
    genDateFormat(first + genHashBelow(member->seed, F_DOB, (uint32_t)(last - first)), out->dob,
                  sizeof out->dob);
    snprintf(out->niNumber, sizeof out->niNumber, "%c%c%06u%c", NI_FIRST[ni % 20],
             NI_SECOND[(ni >> 8) % 19], (unsigned)((ni >> 16) % 1000000), "ABCD"[(ni >> 40) % 4]);
    login(out->forename, forename, sizeof forename);
    login(out->surname, surname, sizeof surname);
    snprintf(domain, sizeof domain, "%s.example.org", school->slug);
    /* A school's mailboxes are unique: the second W. Allen (staff code WAL2) is w.allen2@. */
    snprintf(out->email, sizeof out->email, "%c.%s%s@%s", forename[0], surname,
             member->code + strcspn(member->code, "0123456789"), domain);
    if (side == GEN_SIDE_NEW && member->status == GEN_STATUS_MATCH) {
        movedAddress(household, place, &moved);
        genPersonNoiseApply(out, genNoiseDraw(model->config.noiseRates, GEN_ROLE_STAFF,
                                              member->seed, household),
                            GEN_ROLE_STAFF, member->seed, domain, &moved);
    }
}

bool genPersonLivesAtHome(const GenModel *model, uint32_t index)
{
    const GenContact *contact = &model->contacts[index];
    const GenFamily *family = &model->families[contact->family];

    if (!relationOf(model, contact)->sameHome)
        return false;
    /* Separated parents: the second of two lives elsewhere. */
    return !(family->contactsPerSchool == 2 && contact->priority == 2 &&
             genHashBelow(family->seed, F_SEPARATED, 100) < SEPARATED_PERCENT);
}

void genPersonContact(const GenModel *model, uint32_t index, GenSide side, GenPerson *out)
{
    static const char *const DOMAINS[] = {"example.com", "example.net", "example.org"};
    const GenContact *contact = &model->contacts[index];
    const GenFamily *family = &model->families[contact->family];
    const GenPlace *place = genPlacesGet(model->schools[family->homeSchool].place);
    const Relation *relation = relationOf(model, contact);
    bool atHome = genPersonLivesAtHome(model, index);
    uint64_t household = atHome ? family->seed : contact->seed;
    char surnameSource = relation->surname;
    char forename[64], surname[64];
    GenAddress moved;

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
    if (atHome && genHashBelow(family->seed, F_HOME_PHONE, 100) < 40)
        snprintf(out->homePhone, sizeof out->homePhone, "01632 960%03u",
                 genHashBelow(family->seed, F_HOME_PHONE + 100, 1000));
    address(household, place, &out->address);
    if (side == GEN_SIDE_NEW && contact->status == GEN_STATUS_MATCH) {
        movedAddress(household, place, &moved);
        genPersonNoiseApply(out, genNoiseDraw(model->config.noiseRates, GEN_ROLE_PARENT,
                                              contact->seed, household),
                            GEN_ROLE_PARENT, contact->seed,
                            DOMAINS[genHashBelow(contact->seed, F_EMAIL + 300, 3)], &moved);
    }
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
