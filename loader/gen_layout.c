/* gen_layout.c — lays out a built model: registration groups, UPNs, staff codes, accounts, IDs */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_model.h"
#include "gen_person.h"
#include "gen_places.h"
#include "gen_rng.h"
#include "upn.h"

#define FORM_SIZE 30
#define OVERFLOW_ESTAB_FIRST 9000u /* establishment numbers of other, ungenerated schools */
#define OVERFLOW_ESTAB_LAST 9999u

/* Registration groups of FORM_SIZE per year and school, then a year group per year that only
 * the new MIS exports (the old extract was set up without them, so they are joiners). */
static bool buildGroups(GenModel *model, uint32_t *perYear, Error *err)
{
    uint32_t total = 0, index = 0, platformId = 0;

    for (uint32_t p = 0; p < model->pupilCount; p++)
        perYear[model->pupils[p].school * GEN_YEARS + model->pupils[p].year]++;
    for (uint32_t i = 0; i < model->schoolCount * GEN_YEARS; i++)
        total += perYear[i] ? (perYear[i] + FORM_SIZE - 1) / FORM_SIZE + 1 : 0;
    model->groups = calloc(total ? total : 1, sizeof *model->groups);
    if (model->groups == NULL)
        return errorSet(err, EXIT_INTERNAL, "gen: out of memory for %u groups", total);
    for (uint32_t s = 0; s < model->schoolCount; s++) {
        GenSchool *school = &model->schools[s];
        school->groupBegin = index;
        for (uint32_t y = 0; y < GEN_YEARS; y++) {
            uint32_t forms = (perYear[s * GEN_YEARS + y] + FORM_SIZE - 1) / FORM_SIZE;
            school->formStart[y] = index;
            school->formCount[y] = forms;
            for (uint32_t f = 0; f < forms; f++, index++) {
                GenGroup *group = &model->groups[index];
                group->school = (uint16_t)s, group->year = (uint8_t)y, group->form = (uint16_t)f;
                group->kind = GEN_GROUP_REGISTRATION;
                group->status = GEN_STATUS_MATCH;
                group->groupId = ++platformId;
                group->oldId = model->nextOldId++;
                group->tutor = GEN_NONE;
            }
        }
        for (uint32_t y = 0; y < GEN_YEARS; y++) {
            if (school->formCount[y] == 0)
                continue;
            GenGroup *group = &model->groups[index++];
            group->school = (uint16_t)s, group->year = (uint8_t)y;
            group->kind = GEN_GROUP_YEAR;
            group->status = GEN_STATUS_JOINER;
            group->tutor = GEN_NONE;
        }
        school->groupEnd = index;
    }
    model->groupCount = index;
    model->platformGroupCount = platformId;
    return true;
}

/* Pupils go round their year's forms in turn; then a counting sort by registration group gives
 * the school order (school, year, form) and every group's members as one range. */
static bool orderPupils(GenModel *model, uint32_t *perYear, Error *err)
{
    uint32_t *start = calloc(model->groupCount + 1, sizeof *start);

    model->schoolOrder = malloc(((size_t)model->pupilCount + 1) * sizeof *model->schoolOrder);
    if (start == NULL || model->schoolOrder == NULL) {
        free(start);
        return errorSet(err, EXIT_INTERNAL, "gen: out of memory for the school order");
    }
    memset(perYear, 0, (size_t)model->schoolCount * GEN_YEARS * sizeof *perYear);
    for (uint32_t p = 0; p < model->pupilCount; p++) {
        GenPupil *pupil = &model->pupils[p];
        const GenSchool *school = &model->schools[pupil->school];
        uint32_t seen = perYear[pupil->school * GEN_YEARS + pupil->year]++;
        pupil->group = school->formStart[pupil->year] + seen % school->formCount[pupil->year];
        start[pupil->group + 1]++;
    }
    for (uint32_t g = 0; g < model->groupCount; g++)
        start[g + 1] += start[g];
    for (uint32_t g = 0; g < model->groupCount; g++) {
        model->groups[g].memberBegin = start[g];
        model->groups[g].memberEnd = start[g + 1];
    }
    for (uint32_t p = 0; p < model->pupilCount; p++)
        model->schoolOrder[start[model->pupils[p].group]++] = p;
    free(start);
    for (uint32_t s = 0; s < model->schoolCount; s++) {
        GenSchool *school = &model->schools[s];
        uint32_t firstForm = school->groupBegin, lastForm = firstForm;
        for (uint32_t g = school->groupBegin; g < school->groupEnd; g++)
            if (model->groups[g].kind == GEN_GROUP_REGISTRATION)
                lastForm = g + 1;
        school->orderBegin = firstForm < lastForm ? model->groups[firstForm].memberBegin : 0;
        school->orderEnd = firstForm < lastForm ? model->groups[lastForm - 1].memberEnd : 0;
        for (uint32_t g = school->groupBegin; g < school->groupEnd; g++) {
            GenGroup *group = &model->groups[g];
            if (group->kind != GEN_GROUP_YEAR)
                continue;
            uint32_t first = school->formStart[group->year];
            uint32_t last = first + school->formCount[group->year] - 1;
            group->memberBegin = model->groups[first].memberBegin;
            group->memberEnd = model->groups[last].memberEnd;
        }
    }
    return true;
}

/* Serials 1..999 per school and year of entry; bigger years borrow establishment numbers
 * 9000–9999 of the same authority, so every UPN stays unique. */
static bool assignUpns(GenModel *model, uint32_t *perYear, Error *err)
{
    uint32_t overflow[64][GEN_YEARS];

    memset(perYear, 0, (size_t)model->schoolCount * GEN_YEARS * sizeof *perYear);
    for (uint32_t p = 0; p < genPlacesCount() && p < 64; p++)
        for (uint32_t y = 0; y < GEN_YEARS; y++)
            overflow[p][y] = OVERFLOW_ESTAB_FIRST;
    for (uint32_t i = 0; i < model->pupilCount; i++) {
        GenPupil *pupil = &model->pupils[model->schoolOrder[i]];
        const GenSchool *school = &model->schools[pupil->school];
        uint32_t seen = perYear[pupil->school * GEN_YEARS + pupil->year]++;
        if (seen < 999) {
            pupil->upnEstab = school->dfeNumber;
        } else if (seen % 999 == 0) {
            uint32_t *next = &overflow[school->place][pupil->year];
            if (*next > OVERFLOW_ESTAB_LAST)
                return errorSet(err, EXIT_USAGE, "gen: too many pupils per year in one authority");
            pupil->upnEstab = (uint16_t)(*next)++;
        } else {
            pupil->upnEstab = model->pupils[model->schoolOrder[i - 1]].upnEstab;
        }
        pupil->upnSerial = (uint16_t)(seen % 999 + 1);
    }
    return true;
}

static uint64_t codeKey(uint32_t school, const char *code)
{
    uint64_t key = (uint64_t)(school + 1) << 48;
    for (int i = 0; i < 6 && code[i] != '\0'; i++)
        key |= (uint64_t)(unsigned char)code[i] << (8 * i);
    return key;
}

/* Staff codes unique per school ("JSM", "JSM2", …), through an open-addressing set. */
static bool assignStaffCodes(GenModel *model, Error *err)
{
    size_t size = 64;
    uint64_t *set;

    while (size < (size_t)model->staffCount * 3)
        size *= 2;
    set = calloc(size, sizeof *set);
    if (set == NULL)
        return errorSet(err, EXIT_INTERNAL, "gen: out of memory for staff codes");
    for (uint32_t i = 0; i < model->staffCount; i++) {
        GenStaff *member = &model->staff[i];
        char base[4];
        genPersonStaffInitials(model, i, base);
        for (uint32_t attempt = 0;; attempt++) {
            uint64_t key;
            size_t slot;
            if (attempt == 0)
                snprintf(member->code, sizeof member->code, "%s", base);
            else if (attempt < 99)
                snprintf(member->code, sizeof member->code, "%s%u", base, attempt + 1);
            else
                snprintf(member->code, sizeof member->code, "Z%05u", (i + attempt) % 100000);
            key = codeKey(member->school, member->code);
            for (slot = genMix(key) & (size - 1); set[slot] != 0 && set[slot] != key;
                 slot = (slot + 1) & (size - 1))
                ;
            if (set[slot] == 0) {
                set[slot] = key;
                break;
            }
        }
    }
    free(set);
    return true;
}

/* Each registration group's tutor: the school's teachers on the platform, in turn. */
static void assignTutors(GenModel *model)
{
    for (uint32_t s = 0; s < model->schoolCount; s++) {
        const GenSchool *school = &model->schools[s];
        uint32_t teachers = 0, form = 0;
        for (uint32_t i = school->staffBegin; i < school->staffEnd; i++)
            teachers += model->staff[i].role == 0 && model->staff[i].status != GEN_STATUS_JOINER;
        for (uint32_t g = school->groupBegin; g < school->groupEnd && teachers > 0; g++) {
            uint32_t wanted;
            if (model->groups[g].kind != GEN_GROUP_REGISTRATION)
                continue;
            wanted = form++ % teachers;
            for (uint32_t i = school->staffBegin; i < school->staffEnd; i++) {
                if (model->staff[i].role != 0 || model->staff[i].status == GEN_STATUS_JOINER)
                    continue;
                if (wanted-- == 0) {
                    model->groups[g].tutor = i;
                    break;
                }
            }
        }
    }
}

static void tally(GenTally *tally, uint8_t status, uint32_t extraAccounts)
{
    tally->match += status == GEN_STATUS_MATCH;
    tally->leavers += status == GEN_STATUS_LEAVER;
    tally->joiners += status == GEN_STATUS_JOINER;
    tally->duplicates += extraAccounts;
}

/* Platform user_ids: pupils in school order, then staff (the teacher account of a pair first),
 * then parents (a duplicated parent's accounts together). New-extract numbers likewise. */
static void assignAccounts(GenModel *model)
{
    uint32_t next = 0;

    for (uint32_t p = 0; p < model->pupilCount; p++)
        model->twinPupils += model->pupils[p].twin ||
                             (p + 1 < model->pupilCount && model->pupils[p + 1].twin);
    for (uint32_t i = 0; i < model->pupilCount; i++) {
        GenPupil *pupil = &model->pupils[model->schoolOrder[i]];
        if (pupil->status != GEN_STATUS_JOINER)
            pupil->account = ++next;
        if (pupil->status != GEN_STATUS_LEAVER)
            pupil->newIndex = model->newCount[GEN_ID_PUPIL]++;
        tally(&model->pupilTally, pupil->status, 0);
    }
    for (uint32_t i = 0; i < model->staffCount; i++) {
        GenStaff *member = &model->staff[i];
        bool pair = member->duplicateAccount != 0;
        if (member->status != GEN_STATUS_JOINER) {
            uint32_t teacherAccount = ++next, staffAccount = pair ? ++next : 0;
            member->account = !pair || member->keptIsTeacher ? teacherAccount : staffAccount;
            member->duplicateAccount = !pair ? 0 : member->keptIsTeacher ? staffAccount : teacherAccount;
        }
        if (member->status != GEN_STATUS_LEAVER)
            member->newIndex = model->newCount[GEN_ID_STAFF]++;
        tally(&model->staffTally, member->status, pair);
    }
    for (uint32_t i = 0; i < model->contactCount; i++) {
        GenContact *contact = &model->contacts[i];
        if (contact->status != GEN_STATUS_JOINER) {
            contact->account = next + 1;
            next += contact->accountCount;
        }
        if (contact->status != GEN_STATUS_LEAVER)
            contact->newIndex = model->newCount[GEN_ID_CONTACT]++;
        tally(&model->contactTally, contact->status, contact->accountCount - 1u);
    }
    for (uint32_t g = 0; g < model->groupCount; g++) {
        model->groups[g].newIndex = model->newCount[GEN_ID_GROUP]++;
        tally(&model->groupTally, model->groups[g].status, 0);
    }
    model->accountCount = next;
}

bool genLayoutBuild(GenModel *model, Error *err)
{
    uint32_t *perYear = calloc((size_t)model->schoolCount * GEN_YEARS, sizeof *perYear);
    bool ok;

    if (perYear == NULL)
        return errorSet(err, EXIT_INTERNAL, "gen: out of memory");
    ok = buildGroups(model, perYear, err) && orderPupils(model, perYear, err) &&
         assignUpns(model, perYear, err) && assignStaffCodes(model, err);
    free(perYear);
    if (!ok)
        return false;
    assignTutors(model);
    assignAccounts(model);
    return true;
}

void genModelOldId(uint32_t oldId, char *out, size_t size)
{
    snprintf(out, size, "%u", oldId);
}

static uint64_t newIdModulus(const GenModel *model, GenIdKind kind, unsigned *width)
{
    uint64_t modulus = 1000000;

    *width = 6;
    while (modulus < model->newCount[kind]) {
        modulus *= 10;
        (*width)++;
    }
    return modulus;
}

uint64_t genModelNewNumber(const GenModel *model, GenIdKind kind, uint32_t newIndex)
{
    unsigned width, bits = 1;
    uint64_t modulus = newIdModulus(model, kind, &width);
    uint64_t key = genHash(model->config.seed, 77u + (unsigned)kind), mask, x = newIndex;

    while ((UINT64_C(1) << bits) < modulus)
        bits++;
    mask = (UINT64_C(1) << bits) - 1;
    /* Each round is a bijection of 0..2^bits-1 (odd multiplications, xor-shifts, an added key);
     * walking the cycle until the value is below the modulus keeps it a bijection of
     * 0..modulus-1 (the modulus is more than half of 2^bits, so a walk is short). */
    do {
        x = (x * UINT64_C(0x9E3779B1) + key) & mask;
        x ^= x >> (bits / 2);
        x = (x * UINT64_C(0x85EBCA77) + (key >> 32)) & mask;
        x ^= x >> (bits / 3 + 1);
    } while (x >= modulus);
    return x;
}

void genModelNewId(const GenModel *model, GenIdKind kind, uint32_t newIndex, char *out,
                   size_t size)
{
    static const char *const PREFIXES[] = {"ARB-P-", "ARB-S-", "ARB-C-", "ARB-G-"};
    unsigned width;

    newIdModulus(model, kind, &width);
    snprintf(out, size, "%s%0*llu", PREFIXES[kind], (int)width,
             (unsigned long long)genModelNewNumber(model, kind, newIndex));
}

void genModelYearName(uint8_t year, char *out, size_t size)
{
    if (year == 0)
        snprintf(out, size, "R");
    else
        snprintf(out, size, "%u", year);
}

void genModelGroupNames(const GenGroup *group, char *code, size_t codeSize, char *name,
                        size_t nameSize)
{
    static const char LETTERS[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
    char year[4], letter[12];

    genModelYearName(group->year, year, sizeof year);
    if (group->kind == GEN_GROUP_YEAR) {
        snprintf(code, codeSize, "Y%s", year);
        if (group->year == 0)
            snprintf(name, nameSize, "Reception");
        else
            snprintf(name, nameSize, "Year %s", year);
        return;
    }
    if (group->form < sizeof LETTERS - 1)
        snprintf(letter, sizeof letter, "%c", LETTERS[group->form]);
    else
        snprintf(letter, sizeof letter, "%c%u", LETTERS[group->form % (sizeof LETTERS - 1)],
                 group->form / (unsigned)(sizeof LETTERS - 1));
    snprintf(code, codeSize, "%s%s", year, letter);
    if (group->year == 0)
        snprintf(name, nameSize, "Reception %s", letter);
    else
        snprintf(name, nameSize, "Year %s %s", year, letter);
}

void genModelUpn(const GenModel *model, const GenPupil *pupil, bool temporary, char *out)
{
    static const char TEMPORARY_LETTERS[] = "ABCDEFGHJK"; /* all in the check-letter table */
    const GenSchool *school = &model->schools[pupil->school];
    unsigned entry = (GEN_ACADEMIC_YEAR_START - pupil->year) % 100u;
    char body[32]; /* 12 characters; room to spare keeps the compiler sure of it */

    /* A temporary serial is a bijection of the permanent one (so temporary UPNs are unique too)
     * that shares nothing visible with it. */
    unsigned scrambled = (pupil->upnSerial * 337u + 191u) % 1000u;
    if (temporary)
        snprintf(body, sizeof body, "%s%04u%02u%02u%c", school->lea, pupil->upnEstab, entry,
                 scrambled / 10u, TEMPORARY_LETTERS[scrambled % 10u]);
    else
        snprintf(body, sizeof body, "%s%04u%02u%03u", school->lea, pupil->upnEstab, entry,
                 pupil->upnSerial);
    body[UPN_LENGTH - 1] = '\0';
    out[0] = upnCheckLetter(body);
    memcpy(out + 1, body, UPN_LENGTH);
}
