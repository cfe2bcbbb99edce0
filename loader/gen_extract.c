/* gen_extract.c — writes a generated trust as a native XML extract (old or new MIS) */
#include "gen_extract.h"

#include <stdlib.h>
#include <string.h>

#include "gen_out.h"

typedef struct Writer {
    const GenModel *model;
    GenOut *out;
    GenSide side;
    uint32_t *familyMark; /* school index + 1 where the family's contacts were last written */
} Writer;

/* Whether a record of this status is in the extract being written. */
static bool present(const Writer *w, uint8_t status)
{
    return w->side == GEN_SIDE_OLD ? status != GEN_STATUS_JOINER : status != GEN_STATUS_LEAVER;
}

static void recordId(const Writer *w, GenIdKind kind, uint32_t oldId, uint32_t newIndex,
                     char *out, size_t size)
{
    if (w->side == GEN_SIDE_OLD)
        genModelOldId(oldId, out, size);
    else
        genModelNewId(w->model, kind, newIndex, out, size);
}

static void address(GenOut *out, const char *indent, const GenAddress *address)
{
    genOutPrintf(out, "%s<address>", indent);
    genOutElement(out, NULL, "house", address->house);
    genOutElement(out, NULL, "street", address->street);
    genOutElement(out, NULL, "locality", address->locality);
    genOutElement(out, NULL, "town", address->town);
    genOutElement(out, NULL, "postcode", address->postcode);
    genOutText(out, "</address>\n");
}

static void writePupils(Writer *w, const GenSchool *school)
{
    const GenModel *model = w->model;
    char id[32], year[4], code[32], name[64];
    GenPerson person;

    genOutText(w->out, "    <pupils>\n");
    for (uint32_t i = school->orderBegin; i < school->orderEnd; i++) {
        const GenPupil *pupil = &model->pupils[model->schoolOrder[i]];
        if (!present(w, pupil->status))
            continue;
        genPersonPupil(model, model->schoolOrder[i], w->side, &person);
        recordId(w, GEN_ID_PUPIL, pupil->oldId, pupil->newIndex, id, sizeof id);
        genModelYearName(pupil->year, year, sizeof year);
        genModelGroupNames(&model->groups[pupil->group], code, sizeof code, name, sizeof name);
        genOutPrintf(w->out, "      <pupil id=\"%s\">\n", id);
        genOutElement(w->out, "        ", "upn", person.upn);
        genOutElement(w->out, "        ", "former-upn", person.formerUpn);
        genOutElement(w->out, "        ", "legal-forename", person.forename);
        genOutElement(w->out, "        ", "legal-surname", person.surname);
        genOutElement(w->out, "        ", "preferred-forename", person.preferredForename);
        genOutElement(w->out, "        ", "dob", person.dob);
        genOutPrintf(w->out, "        <sex>%c</sex>\n", person.sex);
        genOutElement(w->out, "        ", "year", year);
        genOutElement(w->out, "        ", "reg-group", code);
        genOutElement(w->out, "        ", "email", person.email);
        address(w->out, "        ", &person.address);
        genOutText(w->out, "      </pupil>\n");
    }
    genOutText(w->out, "    </pupils>\n");
}

static void writeStaff(Writer *w, const GenSchool *school)
{
    char id[32], number[16];
    GenPerson person;

    genOutText(w->out, "    <staff>\n");
    for (uint32_t i = school->staffBegin; i < school->staffEnd; i++) {
        const GenStaff *member = &w->model->staff[i];
        if (!present(w, member->status))
            continue;
        genPersonStaff(w->model, i, w->side, &person);
        recordId(w, GEN_ID_STAFF, member->oldId, member->newIndex, id, sizeof id);
        genOutPrintf(w->out, "      <member id=\"%s\">\n", id);
        genOutElement(w->out, "        ", "staff-code", member->code);
        if (member->teacherNumber != 0) {
            snprintf(number, sizeof number, "%07u", member->teacherNumber);
            genOutElement(w->out, "        ", "teacher-number", number);
        }
        genOutElement(w->out, "        ", "ni-number", person.niNumber);
        genOutElement(w->out, "        ", "title", person.title);
        genOutElement(w->out, "        ", "legal-forename", person.forename);
        genOutElement(w->out, "        ", "legal-surname", person.surname);
        genOutElement(w->out, "        ", "preferred-forename", person.preferredForename);
        genOutElement(w->out, "        ", "dob", person.dob);
        genOutPrintf(w->out, "        <sex>%c</sex>\n", person.sex);
        genOutElement(w->out, "        ", "email", person.email);
        address(w->out, "        ", &person.address);
        genOutElement(w->out, "        ", "role", genPersonStaffRole(member->role));
        genOutText(w->out, "      </member>\n");
    }
    genOutText(w->out, "    </staff>\n");
}

static void writeContact(Writer *w, uint32_t index, uint32_t school)
{
    const GenModel *model = w->model;
    const GenContact *contact = &model->contacts[index];
    const GenFamily *family = &model->families[contact->family];
    GenRelation relation = genPersonRelation(model, index);
    char id[32], pupilId[32];
    GenPerson person;

    genPersonContact(model, index, w->side, &person);
    recordId(w, GEN_ID_CONTACT, contact->oldId, contact->newIndex, id, sizeof id);
    genOutPrintf(w->out, "      <contact id=\"%s\">\n", id);
    genOutElement(w->out, "        ", "title", person.title);
    genOutElement(w->out, "        ", "forename", person.forename);
    genOutElement(w->out, "        ", "surname", person.surname);
    genOutElement(w->out, "        ", "email", person.email);
    genOutPrintf(w->out, "        <phone type=\"mobile\">%s</phone>\n", person.mobile);
    if (person.homePhone[0] != '\0')
        genOutPrintf(w->out, "        <phone type=\"home\">%s</phone>\n", person.homePhone);
    address(w->out, "        ", &person.address);
    for (uint32_t p = family->firstPupil; p < family->firstPupil + family->pupilCount; p++) {
        const GenPupil *pupil = &model->pupils[p];
        if (pupil->school != school || !present(w, pupil->status))
            continue;
        recordId(w, GEN_ID_PUPIL, pupil->oldId, pupil->newIndex, pupilId, sizeof pupilId);
        genOutPrintf(w->out,
                     "        <relationship pupil=\"%s\" type=\"%s\" "
                     "parental-responsibility=\"%s\" priority=\"%u\"/>\n",
                     pupilId, relation.type, relation.responsibility ? "true" : "false",
                     contact->priority);
    }
    genOutText(w->out, "      </contact>\n");
}

/* Contacts in the order their children come in the school; each family's once per school. */
static void writeContacts(Writer *w, uint32_t schoolIndex)
{
    const GenModel *model = w->model;
    const GenSchool *school = &model->schools[schoolIndex];

    genOutText(w->out, "    <contacts>\n");
    for (uint32_t i = school->orderBegin; i < school->orderEnd; i++) {
        const GenPupil *pupil = &model->pupils[model->schoolOrder[i]];
        const GenFamily *family = &model->families[pupil->family];
        if (!present(w, pupil->status) || w->familyMark[pupil->family] == schoolIndex + 1)
            continue;
        w->familyMark[pupil->family] = schoolIndex + 1;
        for (uint32_t c = family->firstContact; c < family->firstContact + family->contactCount; c++)
            if (model->contacts[c].school == schoolIndex && present(w, model->contacts[c].status))
                writeContact(w, c, schoolIndex);
    }
    genOutText(w->out, "    </contacts>\n");
}

static void writeGroups(Writer *w, const GenSchool *school)
{
    const GenModel *model = w->model;
    char id[32], code[32], name[64];

    genOutText(w->out, "    <groups>\n");
    for (uint32_t g = school->groupBegin; g < school->groupEnd; g++) {
        const GenGroup *group = &model->groups[g];
        if (!present(w, group->status))
            continue;
        recordId(w, GEN_ID_GROUP, group->oldId, group->newIndex, id, sizeof id);
        genModelGroupNames(group, code, sizeof code, name, sizeof name);
        genOutPrintf(w->out, "      <group id=\"%s\" code=\"%s\" kind=\"%s\" academic-year=\"%s\">\n",
                     id, code, group->kind == GEN_GROUP_YEAR ? "year" : "registration",
                     GEN_ACADEMIC_YEAR);
        genOutElement(w->out, "        ", "name", name);
        for (uint32_t i = group->memberBegin; i < group->memberEnd; i++) {
            const GenPupil *pupil = &model->pupils[model->schoolOrder[i]];
            if (!present(w, pupil->status))
                continue;
            recordId(w, GEN_ID_PUPIL, pupil->oldId, pupil->newIndex, id, sizeof id);
            genOutPrintf(w->out, "        <member ref=\"%s\" role=\"pupil\"/>\n", id);
        }
        if (group->tutor != GEN_NONE && present(w, model->staff[group->tutor].status)) {
            const GenStaff *tutor = &model->staff[group->tutor];
            recordId(w, GEN_ID_STAFF, tutor->oldId, tutor->newIndex, id, sizeof id);
            genOutPrintf(w->out, "        <member ref=\"%s\" role=\"staff\"/>\n", id);
        }
        genOutText(w->out, "      </group>\n");
    }
    genOutText(w->out, "    </groups>\n");
}

bool genExtractWrite(const GenModel *model, const char *dir, GenSide side, Error *err)
{
    GenOut out;
    Writer w = {model, &out, side, NULL};

    w.familyMark = calloc((size_t)model->familyCount + 1, sizeof *w.familyMark);
    if (w.familyMark == NULL)
        return errorSet(err, EXIT_INTERNAL, "gen: out of memory");
    if (!genOutOpen(&out, dir, side == GEN_SIDE_OLD ? "old-extract.xml" : "new-extract.xml", err)) {
        free(w.familyMark);
        return false;
    }
    genOutPrintf(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<misswitch-extract version=\"1\" mis=\"%s\" generated=\"%s\">\n",
                 side == GEN_SIDE_OLD ? GEN_OLD_MIS : GEN_NEW_MIS, GEN_TODAY);
    for (uint32_t s = 0; s < model->schoolCount; s++) {
        const GenSchool *school = &model->schools[s];
        genOutPrintf(&out, "  <school lea=\"%s\" dfe=\"%s\" urn=\"%s\" name=\"",
                     side == GEN_SIDE_OLD ? school->lea : school->newLea,
                     school->dfe, school->urn);
        genOutXml(&out, school->name);
        genOutText(&out, "\">\n");
        writePupils(&w, school);
        writeStaff(&w, school);
        writeContacts(&w, s);
        writeGroups(&w, school);
        genOutText(&out, "  </school>\n");
    }
    genOutText(&out, "</misswitch-extract>\n");
    free(w.familyMark);
    return genOutClose(&out, err);
}
