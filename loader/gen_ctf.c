/* gen_ctf.c — writes the new MIS's data as DfE Common Transfer Files, one per school */
#include "gen_ctf.h"

#include <stdio.h>
#include <string.h>

#include "gen_out.h"
#include "gen_person.h"

/* CBDS-style relationship codes for GenRelation types. */
static const char *relationshipCode(const char *type)
{
    if (strcmp(type, "Mother") == 0 || strcmp(type, "Father") == 0)
        return "PAR";
    if (strcmp(type, "Step-father") == 0)
        return "STP";
    if (strcmp(type, "Carer") == 0)
        return "CAR";
    if (strcmp(type, "Family Friend") == 0)
        return "OTH";
    return "FAM";
}

static void address(GenOut *out, const char *indent, const GenAddress *address)
{
    genOutPrintf(out, "%s<Address><BS7666Address>", indent);
    genOutElement(out, NULL, "PAON", address->house);
    genOutElement(out, NULL, "Street", address->street);
    genOutElement(out, NULL, "Locality", address->locality);
    genOutElement(out, NULL, "Town", address->town);
    genOutElement(out, NULL, "PostCode", address->postcode);
    genOutText(out, "</BS7666Address></Address>\n");
}

static void writeContacts(GenOut *out, const GenModel *model, const GenPupil *pupil)
{
    const GenFamily *family = &model->families[pupil->family];
    GenPerson person;
    char order[8];

    genOutText(out, "      <Contacts>\n");
    for (uint32_t c = family->firstContact; c < family->firstContact + family->contactCount; c++) {
        const GenContact *contact = &model->contacts[c];
        GenRelation relation = genPersonRelation(model, c);
        if (contact->status == GEN_STATUS_LEAVER || contact->school != pupil->school)
            continue;
        genPersonContact(model, c, GEN_SIDE_NEW, &person);
        snprintf(order, sizeof order, "%u", contact->priority);
        genOutText(out, "        <Contact>\n");
        genOutElement(out, "          ", "Order", order);
        genOutElement(out, "          ", "Title", person.title);
        genOutElement(out, "          ", "Surname", person.surname);
        genOutElement(out, "          ", "Forename", person.forename);
        genOutPrintf(out, "          <Gender>%c</Gender>\n", person.sex);
        genOutElement(out, "          ", "Relationship", relationshipCode(relation.type));
        genOutElement(out, "          ", "Responsibility", relation.responsibility ? "true" : "false");
        genOutElement(out, "          ", "Email", person.email);
        genOutText(out, "          <Phones>\n");
        genOutPrintf(out, "            <Phone><TelephoneType>M</TelephoneType><PhoneNo>%s</PhoneNo></Phone>\n",
                     person.mobile);
        if (person.homePhone[0] != '\0')
            genOutPrintf(out, "            <Phone><TelephoneType>H</TelephoneType><PhoneNo>%s</PhoneNo></Phone>\n",
                         person.homePhone);
        genOutText(out, "          </Phones>\n");
        address(out, "          ", &person.address);
        genOutText(out, "        </Contact>\n");
    }
    genOutText(out, "      </Contacts>\n");
}

bool genCtfWriteSchool(const GenModel *model, const char *dir, uint32_t s, Error *err)
{
    const GenSchool *school = &model->schools[s];
    char name[64], year[4];
    GenPerson person;
    GenOut out;

    if (s == 0)
        snprintf(name, sizeof name, "new-extract.ctf.xml");
    else
        snprintf(name, sizeof name, "new-extract-%u.ctf.xml", s + 1);
    if (!genOutOpen(&out, dir, name, err))
        return false;
    genOutPrintf(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CTfile>\n  <Header>\n"
                       "    <Document>Common Transfer File</Document>\n    <Version>25.0</Version>\n"
                       "    <DateTime>%sT00:00:00</DateTime>\n"
                       "    <DocumentQualifier>full</DocumentQualifier>\n"
                       "    <SupplierID>%s</SupplierID>\n    <SourceSchool>\n"
                       "      <LEA>%s</LEA>\n      <Estab>%s</Estab>\n      <URN>%s</URN>\n",
                 GEN_TODAY, GEN_NEW_MIS, school->newLea, school->dfe, school->urn);
    genOutElement(&out, "      ", "SchoolName", school->name);
    genOutPrintf(&out, "      <AcademicYear>%u</AcademicYear>\n    </SourceSchool>\n"
                       "    <DestSchool>\n      <LEA>%s</LEA>\n      <Estab>%s</Estab>\n"
                       "    </DestSchool>\n  </Header>\n  <CTFpupilData>\n",
                 GEN_ACADEMIC_YEAR_START, school->newLea, school->dfe);
    for (uint32_t i = school->orderBegin; i < school->orderEnd; i++) {
        const GenPupil *pupil = &model->pupils[model->schoolOrder[i]];
        if (pupil->status == GEN_STATUS_LEAVER)
            continue;
        genPersonPupil(model, model->schoolOrder[i], GEN_SIDE_NEW, &person);
        genModelYearName(pupil->year, year, sizeof year);
        genOutText(&out, "    <Pupil>\n");
        genOutElement(&out, "      ", "UPN", person.upn);
        genOutElement(&out, "      ", "Surname", person.surname);
        genOutElement(&out, "      ", "Forename", person.forename);
        genOutElement(&out, "      ", "DOB", person.dob);
        genOutPrintf(&out, "      <Sex>%c</Sex>\n      <BasicDetails>\n", person.sex);
        genOutElement(&out, "        ", "FormerUPN", person.formerUpn);
        genOutElement(&out, "        ", "PreferredForename", person.preferredForename);
        genOutElement(&out, "        ", "NCyearActual", year);
        genOutText(&out, "      </BasicDetails>\n");
        address(&out, "      ", &person.address);
        genOutElement(&out, "      ", "Email", person.email);
        writeContacts(&out, model, pupil);
        genOutText(&out, "    </Pupil>\n");
    }
    genOutText(&out, "  </CTFpupilData>\n</CTfile>\n");
    return genOutClose(&out, err);
}

bool genCtfWrite(const GenModel *model, const char *dir, Error *err)
{
    for (uint32_t s = 0; s < model->schoolCount; s++)
        if (!genCtfWriteSchool(model, dir, s, err))
            return false;
    return true;
}
