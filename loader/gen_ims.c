/* gen_ims.c — writes the new MIS's data as an IMS Enterprise 1.1 document */
#include "gen_ims.h"

#include <stdio.h>

#include "gen_out.h"
#include "gen_person.h"

static void sourcedid(GenOut *out, const char *indent, const char *id)
{
    genOutPrintf(out, "%s<sourcedid><source>%s</source><id>%s</id></sourcedid>\n", indent,
                 GEN_NEW_MIS, id);
}

/* The parts every person has: sourcedid, userid, name, demographics, email. */
static void personHead(GenOut *out, const char *id, const char *userid, const GenPerson *person)
{
    char full[256];

    snprintf(full, sizeof full, "%s %s",
             person->preferredForename[0] ? person->preferredForename : person->forename,
             person->surname);
    genOutText(out, "  <person>\n");
    sourcedid(out, "    ", id);
    genOutElement(out, "    ", "userid", userid);
    genOutText(out, "    <name>");
    genOutElement(out, NULL, "fn", full);
    genOutText(out, "<n>");
    genOutElement(out, NULL, "family", person->surname);
    genOutElement(out, NULL, "given", person->forename);
    genOutText(out, "</n></name>\n");
    /* IMS gender: 1 female, 2 male */
    genOutPrintf(out, "    <demographics><gender>%c</gender>", person->sex == 'F' ? '1' : '2');
    genOutElement(out, NULL, "bday", person->dob);
    genOutText(out, "</demographics>\n");
    genOutElement(out, "    ", "email", person->email);
}

static void schoolExtension(GenOut *out, const GenSchool *school, const char *roleType)
{
    genOutPrintf(out, "    <institutionrole primaryrole=\"Yes\" institutionroletype=\"%s\"/>\n"
                      "    <extension><school lea=\"%s\" dfe=\"%s\"/></extension>\n  </person>\n",
                 roleType, school->newLea, school->dfe);
}

static void writePersons(GenOut *out, const GenModel *model)
{
    char id[32], pupilId[32];
    GenPerson person;

    for (uint32_t i = 0; i < model->pupilCount; i++) {
        const GenPupil *pupil = &model->pupils[model->schoolOrder[i]];
        if (pupil->status == GEN_STATUS_LEAVER)
            continue;
        genPersonPupil(model, model->schoolOrder[i], GEN_SIDE_NEW, &person);
        genModelNewId(model, GEN_ID_PUPIL, pupil->newIndex, id, sizeof id);
        personHead(out, id, person.upn, &person);
        schoolExtension(out, &model->schools[pupil->school], "Student");
    }
    for (uint32_t i = 0; i < model->staffCount; i++) {
        const GenStaff *member = &model->staff[i];
        if (member->status == GEN_STATUS_LEAVER)
            continue;
        genPersonStaff(model, i, GEN_SIDE_NEW, &person);
        genModelNewId(model, GEN_ID_STAFF, member->newIndex, id, sizeof id);
        personHead(out, id, member->code, &person);
        schoolExtension(out, &model->schools[member->school], member->role == 0 ? "Faculty" : "Staff");
    }
    for (uint32_t c = 0; c < model->contactCount; c++) {
        const GenContact *contact = &model->contacts[c];
        const GenFamily *family = &model->families[contact->family];
        GenRelation relation = genPersonRelation(model, c);
        if (contact->status == GEN_STATUS_LEAVER)
            continue;
        genPersonContact(model, c, GEN_SIDE_NEW, &person);
        genModelNewId(model, GEN_ID_CONTACT, contact->newIndex, id, sizeof id);
        personHead(out, id, person.email, &person);
        genOutPrintf(out, "    <tel teltype=\"3\">%s</tel>\n", person.mobile);
        genOutPrintf(out, "    <institutionrole primaryrole=\"Yes\" institutionroletype=\"Other\"/>\n"
                          "    <extension>\n      <school lea=\"%s\" dfe=\"%s\"/>\n",
                     model->schools[contact->school].newLea, model->schools[contact->school].dfe);
        for (uint32_t p = family->firstPupil; p < family->firstPupil + family->pupilCount; p++) {
            const GenPupil *pupil = &model->pupils[p];
            if (pupil->status == GEN_STATUS_LEAVER || pupil->school != contact->school)
                continue;
            genModelNewId(model, GEN_ID_PUPIL, pupil->newIndex, pupilId, sizeof pupilId);
            genOutPrintf(out, "      <relationship pupil=\"%s\" type=\"%s\" "
                              "parental-responsibility=\"%s\" priority=\"%u\"/>\n",
                         pupilId, relation.type, relation.responsibility ? "true" : "false",
                         contact->priority);
        }
        genOutText(out, "    </extension>\n  </person>\n");
    }
}

static void member(GenOut *out, const char *id, const char *roleType)
{
    genOutText(out, "    <member>\n");
    sourcedid(out, "      ", id);
    genOutPrintf(out, "      <idtype>1</idtype>\n      <role roletype=\"%s\"><status>1</status></role>\n"
                      "    </member>\n", roleType);
}

static void writeGroups(GenOut *out, const GenModel *model)
{
    char id[32], memberId[32], code[32], name[64], key[16];

    for (uint32_t g = 0; g < model->groupCount; g++) {
        const GenGroup *group = &model->groups[g];
        const GenSchool *school = &model->schools[group->school];
        genModelNewId(model, GEN_ID_GROUP, group->newIndex, id, sizeof id);
        genModelGroupNames(group, code, sizeof code, name, sizeof name);
        snprintf(key, sizeof key, "%s/%s", school->newLea, school->dfe);
        genOutText(out, "  <group>\n");
        sourcedid(out, "    ", id);
        genOutPrintf(out, "    <grouptype><typevalue level=\"1\">%s</typevalue></grouptype>\n",
                     group->kind == GEN_GROUP_YEAR ? "Year" : "Registration");
        genOutPrintf(out, "    <description><short>%s</short><long>%s</long></description>\n", code, name);
        genOutText(out, "    <org>");
        genOutElement(out, NULL, "orgname", school->name);
        genOutPrintf(out, "<id>%s</id></org>\n    <timeframe><begin restrict=\"0\">%d-09-01</begin>"
                          "<end restrict=\"0\">%d-08-31</end></timeframe>\n  </group>\n",
                     key, GEN_ACADEMIC_YEAR_START, GEN_ACADEMIC_YEAR_START + 1);
        genOutText(out, "  <membership>\n");
        sourcedid(out, "    ", id);
        for (uint32_t i = group->memberBegin; i < group->memberEnd; i++) {
            const GenPupil *pupil = &model->pupils[model->schoolOrder[i]];
            if (pupil->status == GEN_STATUS_LEAVER)
                continue;
            genModelNewId(model, GEN_ID_PUPIL, pupil->newIndex, memberId, sizeof memberId);
            member(out, memberId, "01");
        }
        if (group->tutor != GEN_NONE && model->staff[group->tutor].status != GEN_STATUS_LEAVER) {
            genModelNewId(model, GEN_ID_STAFF, model->staff[group->tutor].newIndex, memberId,
                          sizeof memberId);
            member(out, memberId, "02");
        }
        genOutText(out, "  </membership>\n");
    }
}

bool genImsWrite(const GenModel *model, const char *dir, Error *err)
{
    GenOut out;

    if (!genOutOpen(&out, dir, "new-extract.ims.xml", err))
        return false;
    genOutPrintf(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<enterprise>\n"
                       "  <properties><datasource>%s</datasource>"
                       "<datetime>%sT00:00:00</datetime></properties>\n",
                 GEN_NEW_MIS, GEN_TODAY);
    writePersons(&out, model);
    writeGroups(&out, model);
    genOutText(&out, "</enterprise>\n");
    return genOutClose(&out, err);
}
