/* gen_model.c — builds a generated trust: schools, families with pupils and contacts, staff */
#include "gen_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_places.h"
#include "gen_population.h"
#include "gen_rng.h"

/*
 * Population rates. These are facts about a school changing MIS, not noise: every dataset has
 * leavers, joiners and duplicate accounts, whatever --noise says.
 */
#define LEAVER_RATE 0.035         /* pupils and staff on the platform who are gone from the new MIS */
#define JOINER_RATE 0.035         /* new records without an account */
#define TWIN_RATE 0.03            /* a younger sibling is the twin of the one before: about 1.5%
                                   * of pupils are twins */
#define STAFF_PARENT_RATE 0.03
#define LEAVER_MIN 0.03           /* topped up in order, so small datasets have them too */
#define JOINER_MIN 0.03    /* staff who are also a parent of a pupil at their school */
#define CROSS_SCHOOL_RATE 0.12    /* a younger sibling at the trust's next school */
#define STAFF_PER_PUPIL (1.0 / 12.0)
#define TEACHER_RATE 0.62
#define STAFF_DUPLICATE_RATE 0.15 /* teacher + staff account pairs (at least 10% guaranteed) */
#define STAFF_DUPLICATE_MIN 0.10
#define PARENT_DUPLICATE_RATE 0.30 /* of parents with 2+ children on the platform */
#define PARENT_DUPLICATE_MIN 0.05  /* of all parents on the platform */
#define FIRST_OLD_ID 1001u
#define STAFF_ROLE_COUNT 6        /* genPersonStaffRole: 0 Teacher, then support roles */

typedef struct Builder {
    GenModel *model;
    GenRng rng;
    uint32_t nextOldId;
    uint32_t pupilCapacity, familyCapacity, contactCapacity;
    uint32_t *filled; /* platform pupils placed per school */
} Builder;

static bool grow(void **array, uint32_t *capacity, uint32_t needed, size_t size)
{
    uint32_t newCapacity;
    void *bigger;

    if (needed <= *capacity)
        return true;
    newCapacity = *capacity < 1024 ? 1024 : *capacity + *capacity / 2;
    if (newCapacity < needed)
        newCapacity = needed;
    bigger = realloc(*array, (size_t)newCapacity * size);
    if (bigger == NULL)
        return false;
    *array = bigger;
    *capacity = newCapacity;
    return true;
}

static bool buildSchools(Builder *b, Error *err)
{
    GenModel *model = b->model;
    uint32_t count = model->config.schools;
    uint32_t stemOffset = genRngBelow(&b->rng, genPlacesSchoolStemCount());
    uint32_t placeOffset = genRngBelow(&b->rng, genPlacesCount());

    model->schools = calloc(count, sizeof *model->schools);
    b->filled = calloc(count, sizeof *b->filled);
    if (model->schools == NULL || b->filled == NULL)
        return errorSet(err, EXIT_INTERNAL, "gen: out of memory for %u schools", count);
    model->schoolCount = count;
    for (uint32_t s = 0; s < count; s++) {
        GenSchool *school = &model->schools[s];
        uint32_t stem = (stemOffset + s) % genPlacesSchoolStemCount();
        const char *phase;

        school->schoolId = s + 1;
        school->quota = model->config.pupils / count + (s < model->config.pupils % count);
        if (school->quota <= 700) {
            school->firstYear = 0, school->lastYear = 6, phase = "Primary School";
            school->dfeNumber = (uint16_t)(2001 + s);
        } else {
            school->firstYear = 7, school->lastYear = school->quota > 1300 ? 13 : 11;
            phase = "Academy";
            school->dfeNumber = (uint16_t)(4001 + s);
        }
        /* Schools of a trust sit in one or two neighbouring authorities. */
        school->place = (placeOffset + (s % 3 == 2 ? 1 : 0)) % genPlacesCount();
        snprintf(school->lea, sizeof school->lea, "%s", genPlacesGet(school->place)->lea);
        snprintf(school->dfe, sizeof school->dfe, "%04u", school->dfeNumber);
        snprintf(school->urn, sizeof school->urn, "%u", 100000u + s * 97u + genRngBelow(&b->rng, 97));
        if (s < genPlacesSchoolStemCount())
            snprintf(school->name, sizeof school->name, "%s %s", genPlacesSchoolStem(stem), phase);
        else
            snprintf(school->name, sizeof school->name, "%s %s %u", genPlacesSchoolStem(stem),
                     phase, s / genPlacesSchoolStemCount() + 1);
        school->slug = genPlacesSchoolSlug(stem);
    }
    return true;
}

/* The next school with room for a platform pupil, starting at *cursor; GEN_NONE when full. */
static uint32_t schoolWithRoom(Builder *b, uint32_t *cursor)
{
    while (*cursor < b->model->schoolCount &&
           b->filled[*cursor] >= b->model->schools[*cursor].quota)
        (*cursor)++;
    return *cursor < b->model->schoolCount ? *cursor : GEN_NONE;
}

static uint8_t drawCount(Builder *b, const double *cumulative, uint8_t count)
{
    double draw = genRngUnit(&b->rng);
    for (uint8_t i = 0; i < count; i++)
        if (draw < cumulative[i])
            return (uint8_t)(i + 1);
    return count;
}

/* Adds one pupil to the family being built; false when every school is full. A twin shares the
 * previous child's school, year, date of birth and whether they join or leave. */
static bool addPupil(Builder *b, uint32_t familyIndex, uint32_t home, bool firstChild,
                     uint32_t *cursor)
{
    GenModel *model = b->model;
    bool joiner = genRngUnit(&b->rng) < JOINER_RATE;
    bool twin = !firstChild && genRngUnit(&b->rng) < TWIN_RATE;
    const GenPupil *previous = firstChild ? NULL : &model->pupils[model->pupilCount - 1];
    uint32_t school = home;
    GenPupil *pupil;

    if (twin) {
        school = previous->school;
        joiner = previous->status == GEN_STATUS_JOINER;
    } else if (!firstChild && model->schoolCount > 1 && genRngUnit(&b->rng) < CROSS_SCHOOL_RATE) {
        school = (home + 1) % model->schoolCount;
    }
    if (!joiner && b->filled[school] >= model->schools[school].quota) {
        school = schoolWithRoom(b, cursor);
        if (school == GEN_NONE)
            return false;
        twin = false;
    }
    pupil = &model->pupils[model->pupilCount++];
    memset(pupil, 0, sizeof *pupil);
    pupil->seed = genRngNext(&b->rng);
    pupil->family = familyIndex;
    pupil->school = (uint16_t)school;
    pupil->year = (uint8_t)(model->schools[school].firstYear +
                            genRngBelow(&b->rng, model->schools[school].lastYear -
                                                     model->schools[school].firstYear + 1u));
    pupil->newIndex = GEN_NONE;
    if (twin) {
        pupil->year = pupil[-1].year;
        pupil->twin = 1;
    }
    if (joiner) {
        pupil->status = GEN_STATUS_JOINER;
    } else {
        b->filled[school]++;
        pupil->oldId = b->nextOldId++;
        pupil->status = genRngUnit(&b->rng) < LEAVER_RATE ? GEN_STATUS_LEAVER : GEN_STATUS_MATCH;
        if (twin)
            pupil->status = pupil[-1].status;
    }
    return true;
}

/* One school's records of a family's contacts. The same people (same seeds) get a record
 * in each school their children attend: each school's MIS has its own, as does its platform
 * (accounts are per school), so each record has its own IDs and account. */
static void addContacts(Builder *b, uint32_t familyIndex, uint16_t school, const uint64_t *seeds,
                        uint8_t contacts)
{
    GenModel *model = b->model;
    uint8_t status = genPopulationContactStatus(model, familyIndex, school);

    for (uint8_t c = 0; c < contacts; c++) {
        GenContact *contact = &model->contacts[model->contactCount++];
        memset(contact, 0, sizeof *contact);
        contact->seed = seeds[c];
        contact->family = familyIndex;
        contact->school = school;
        contact->priority = (uint8_t)(c + 1);
        contact->accountCount = 1;
        contact->newIndex = GEN_NONE;
        contact->status = status;
        if (status != GEN_STATUS_JOINER)
            contact->oldId = b->nextOldId++;
    }
}

/* Families until every school has its quota of platform pupils: 1–4 children, 1–3 contacts. */
static bool buildFamilies(Builder *b, Error *err)
{
    /* About 1.33 children and 2.1 contacts per family: 1.6 contacts per pupil. */
    static const double CHILDREN[] = {0.74, 0.94, 0.99, 1.0};
    static const double CONTACTS[] = {0.08, 0.80, 1.0};
    GenModel *model = b->model;
    uint32_t cursor = 0;

    while (schoolWithRoom(b, &cursor) != GEN_NONE) {
        uint32_t familyIndex = model->familyCount;
        uint8_t children = drawCount(b, CHILDREN, 4), contacts = drawCount(b, CONTACTS, 3);
        uint32_t home = cursor;
        uint64_t seeds[3];
        GenFamily *family;

        if (!grow((void **)&model->families, &b->familyCapacity, familyIndex + 1,
                  sizeof *model->families) ||
            !grow((void **)&model->pupils, &b->pupilCapacity, model->pupilCount + children,
                  sizeof *model->pupils) ||
            !grow((void **)&model->contacts, &b->contactCapacity,
                  model->contactCount + (uint32_t)contacts * children, sizeof *model->contacts))
            return errorSet(err, EXIT_INTERNAL, "gen: out of memory for families");
        family = &model->families[familyIndex];
        family->seed = genRngNext(&b->rng);
        family->firstPupil = model->pupilCount;
        family->pupilCount = 0;
        for (uint8_t c = 0; c < children; c++) {
            if (!addPupil(b, familyIndex, home, c == 0, &cursor))
                break;
            family->pupilCount++;
        }
        if (family->pupilCount == 0)
            break;
        family->homeSchool = model->pupils[family->firstPupil].school;
        family->firstContact = model->contactCount;
        family->contactsPerSchool = contacts;
        for (uint8_t c = 0; c < contacts; c++)
            seeds[c] = genRngNext(&b->rng);
        /* A contact set per school the children attend, in the order the children come. */
        for (uint32_t p = family->firstPupil; p < model->pupilCount; p++) {
            uint16_t school = model->pupils[p].school;
            bool done = false;
            for (uint32_t q = family->firstPupil; q < p; q++)
                done |= model->pupils[q].school == school;
            if (!done)
                addContacts(b, familyIndex, school, seeds, contacts);
        }
        family->contactCount = (uint8_t)(model->contactCount - family->firstContact);
        model->familyCount++;
    }
    return true;
}

/* Staff per school: about one per twelve pupils, teachers first among roles. Teacher + staff
 * account pairs are marked by duplicateAccount = 1 until gen_layout.c numbers accounts. */
static bool buildStaff(Builder *b, Error *err)
{
    GenModel *model = b->model;
    uint32_t capacity = 0, platformStaff = 0, duplicated = 0, needed, joiners = 0, leavers = 0;

    for (uint32_t s = 0; s < model->schoolCount; s++) {
        GenSchool *school = &model->schools[s];
        uint32_t target = (uint32_t)(school->quota * STAFF_PER_PUPIL + 0.5), placed = 0;
        if (target < 2)
            target = 2;
        school->staffBegin = model->staffCount;
        while (placed < target) {
            GenStaff *member;
            if (!grow((void **)&model->staff, &capacity, model->staffCount + 1, sizeof *model->staff))
                return errorSet(err, EXIT_INTERNAL, "gen: out of memory for staff");
            member = &model->staff[model->staffCount];
            memset(member, 0, sizeof *member);
            member->seed = genRngNext(&b->rng);
            member->school = (uint16_t)s;
            member->newIndex = GEN_NONE;
            member->parentContact = GEN_NONE;
            member->role = genRngUnit(&b->rng) < TEACHER_RATE
                               ? 0
                               : (uint8_t)(1 + genRngBelow(&b->rng, STAFF_ROLE_COUNT - 1));
            /* Unique seven-digit teacher reference numbers: a stride with a random offset. */
            if (member->role == 0)
                member->teacherNumber = 1000000u + (model->staffCount * 37u +
                                                    genRngBelow(&b->rng, 37)) % 8999999u;
            /* Joiners are drawn, and topped up so that every school boundary has seen at
             * least JOINER_MIN of them. */
            if (genRngUnit(&b->rng) < JOINER_RATE ||
                (placed == target - 1 &&
                 joiners < (uint32_t)((platformStaff + 1 + joiners) * JOINER_MIN + 0.999))) {
                member->status = GEN_STATUS_JOINER;
                joiners++;
            } else {
                member->oldId = b->nextOldId++;
                member->status =
                    genRngUnit(&b->rng) < LEAVER_RATE ? GEN_STATUS_LEAVER : GEN_STATUS_MATCH;
                member->keptIsTeacher = member->role == 0;
                if (genRngUnit(&b->rng) < STAFF_DUPLICATE_RATE) {
                    member->duplicateAccount = 1;
                    member->keptIsTeacher = genRngUnit(&b->rng) < 0.5;
                    duplicated++;
                }
                placed++;
                platformStaff++;
            }
            model->staffCount++;
        }
        school->staffEnd = model->staffCount;
    }
    for (uint32_t i = 0; i < model->staffCount; i++)
        leavers += model->staff[i].status == GEN_STATUS_LEAVER;
    needed = (uint32_t)(platformStaff * LEAVER_MIN + 0.999);
    for (uint32_t i = 0; i < model->staffCount && leavers < needed; i++) {
        if (model->staff[i].status == GEN_STATUS_MATCH) {
            model->staff[i].status = GEN_STATUS_LEAVER;
            leavers++;
        }
    }
    needed = (uint32_t)(platformStaff * STAFF_DUPLICATE_MIN + 0.999);
    for (uint32_t i = 0; i < model->staffCount && duplicated < needed; i++) {
        GenStaff *member = &model->staff[i];
        if (member->status != GEN_STATUS_JOINER && member->duplicateAccount == 0) {
            member->duplicateAccount = 1;
            duplicated++;
        }
    }
    return true;
}

bool genModelBuild(const GenConfig *config, GenModel *model, Error *err)
{
    Builder builder = {0};
    bool ok;

    memset(model, 0, sizeof *model);
    model->config = *config;
    builder.model = model;
    builder.nextOldId = FIRST_OLD_ID;
    genRngSeed(&builder.rng, config->seed);
    ok = buildSchools(&builder, err) && buildFamilies(&builder, err);
    if (ok) {
        genPopulationTopUpLeavers(model, LEAVER_MIN);
        genPopulationParentDuplicates(model, &builder.rng, PARENT_DUPLICATE_RATE,
                                      PARENT_DUPLICATE_MIN);
        ok = buildStaff(&builder, err);
    }
    if (ok) {
        genPopulationStaffParents(model, &builder.rng, STAFF_PARENT_RATE);
        genPopulationSchoolCodeChange(model);
    }
    /* Group IDs of the old MIS follow its people's, as they would in one SIMS database. */
    model->nextOldId = builder.nextOldId;
    ok = ok && genLayoutBuild(model, err);
    free(builder.filled);
    if (!ok)
        genModelFree(model);
    return ok;
}

void genModelFree(GenModel *model)
{
    free(model->schools);
    free(model->families);
    free(model->pupils);
    free(model->schoolOrder);
    free(model->contacts);
    free(model->staff);
    free(model->groups);
    memset(model, 0, sizeof *model);
}
