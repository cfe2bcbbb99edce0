/* gen_population.c — facts of a school changing MIS: leavers, duplicate accounts, staff who are
 * parents, a school whose code changes */
#include "gen_population.h"

#include <stdio.h>
#include <string.h>

#include "gen_places.h"

/* Where a contact record is: in both MIS while any of its children in its school is, in the
 * old only when all of them left, in the new only when all of them joined. */
uint8_t genPopulationContactStatus(const GenModel *model, uint32_t familyIndex, uint16_t school)
{
    const GenFamily *family = &model->families[familyIndex];
    bool anyOld = false, anyNew = false;

    for (uint32_t p = family->firstPupil; p < family->firstPupil + family->pupilCount; p++) {
        if (model->pupils[p].school != school)
            continue;
        anyOld |= model->pupils[p].status != GEN_STATUS_JOINER;
        anyNew |= model->pupils[p].status != GEN_STATUS_LEAVER;
    }
    return !anyOld ? GEN_STATUS_JOINER : anyNew ? GEN_STATUS_MATCH : GEN_STATUS_LEAVER;
}

/* At least `minimum` of the platform's pupils leave: drawn, then topped up in order (never a
 * twin, who leaves with the other); contacts follow their children. */
void genPopulationTopUpLeavers(GenModel *model, double minimum)
{
    uint32_t platform = 0, leavers = 0, needed;

    for (uint32_t p = 0; p < model->pupilCount; p++) {
        platform += model->pupils[p].status != GEN_STATUS_JOINER;
        leavers += model->pupils[p].status == GEN_STATUS_LEAVER;
    }
    needed = (uint32_t)(platform * minimum + 0.999);
    if (leavers >= needed)
        return;
    for (uint32_t p = 0; p < model->pupilCount && leavers < needed; p++) {
        bool twin = model->pupils[p].twin || (p + 1 < model->pupilCount && model->pupils[p + 1].twin);
        if (model->pupils[p].status == GEN_STATUS_MATCH && !twin) {
            model->pupils[p].status = GEN_STATUS_LEAVER;
            leavers++;
        }
    }
    for (uint32_t c = 0; c < model->contactCount; c++)
        model->contacts[c].status = genPopulationContactStatus(model, model->contacts[c].family,
                                                  model->contacts[c].school);
}

/* A contact's children on the platform: those in its school. */
static uint32_t platformChildren(const GenModel *model, const GenContact *contact)
{
    const GenFamily *family = &model->families[contact->family];
    uint32_t count = 0;
    for (uint32_t p = family->firstPupil; p < family->firstPupil + family->pupilCount; p++)
        count += model->pupils[p].status != GEN_STATUS_JOINER && model->pupils[p].school == contact->school;
    return count;
}

/* Parents with an account per child: a share of those with 2+ children on the platform, topped
 * up in order so small datasets still have at least `minimum` of them. */
void genPopulationParentDuplicates(GenModel *model, GenRng *rng, double rate, double minimum)
{
    uint32_t parents = 0, duplicated = 0, needed;

    for (uint32_t c = 0; c < model->contactCount; c++) {
        GenContact *contact = &model->contacts[c];
        uint32_t children = platformChildren(model, contact);
        if (contact->status == GEN_STATUS_JOINER)
            continue;
        parents++;
        if (children >= 2 && genRngUnit(rng) < rate) {
            contact->accountCount = (uint8_t)children;
            duplicated++;
        }
    }
    needed = (uint32_t)(parents * minimum + 0.999);
    for (uint32_t c = 0; c < model->contactCount && duplicated < needed; c++) {
        GenContact *contact = &model->contacts[c];
        uint32_t children = platformChildren(model, contact);
        if (contact->status != GEN_STATUS_JOINER && children >= 2 && contact->accountCount == 1) {
            contact->accountCount = (uint8_t)children;
            duplicated++;
        }
    }
}

/* A few staff are also a parent (or step-parent) of a pupil at their school: a contact record
 * of that school, with an account of its own. Contacts of a school are nearly contiguous
 * (families fill schools in turn), so a few random tries inside its range find one. */
void genPopulationStaffParents(GenModel *model, GenRng *rng, double rate)
{

    for (uint32_t s = 0; s < model->schoolCount; s++) {
        const GenSchool *school = &model->schools[s];
        uint32_t first = GEN_NONE, last = 0;
        for (uint32_t c = 0; c < model->contactCount; c++) {
            if (model->contacts[c].school != s)
                continue;
            first = first == GEN_NONE ? c : first;
            last = c;
        }
        if (first == GEN_NONE)
            continue;
        for (uint32_t i = school->staffBegin; i < school->staffEnd; i++) {
            GenStaff *member = &model->staff[i];
            if (member->status == GEN_STATUS_JOINER || genRngUnit(rng) >= rate)
                continue;
            for (int attempt = 0; attempt < 32; attempt++) {
                uint32_t c = first + genRngBelow(rng, last - first + 1);
                const GenContact *contact = &model->contacts[c];
                bool taken = false;
                if (contact->school != s || contact->status != GEN_STATUS_MATCH ||
                    contact->priority > 2)
                    continue;
                for (uint32_t j = school->staffBegin; j < i; j++)
                    taken |= model->staff[j].parentContact == c;
                if (taken)
                    continue;
                member->parentContact = c;
                model->staffParents++;
                break;
            }
        }
    }
}

/* In a trust, the last school moved to a neighbouring authority (a boundary change or a
 * council reorganisation): the new MIS exports it under another LEA code. Its DfE number, URN
 * and pupils' UPNs (issued before the move) stay as they were. */
void genPopulationSchoolCodeChange(GenModel *model)
{
    GenSchool *school = &model->schools[model->schoolCount - 1];

    for (uint32_t s = 0; s < model->schoolCount; s++)
        memcpy(model->schools[s].newLea, model->schools[s].lea, sizeof model->schools[s].newLea);
    if (model->schoolCount < 2)
        return;
    for (uint32_t step = 1; step < genPlacesCount(); step++) {
        const GenPlace *other = genPlacesGet(school->place + step);
        if (strcmp(other->lea, school->lea) != 0) {
            snprintf(school->newLea, sizeof school->newLea, "%s", other->lea);
            model->codeChanges = 1;
            return;
        }
    }
}

