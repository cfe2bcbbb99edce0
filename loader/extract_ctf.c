/* extract_ctf.c — the DfE Common Transfer File (CTF 19–25) as a mapping (docs/extract-format.md) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract_format.h"

#define COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])))

/* CTF versions this reader knows: <CTFversion>19.0</CTFversion> .. 25.x. */
#define CTF_OLDEST 19
#define CTF_NEWEST 25

/*
 * CTF carries no MIS record IDs. Pupils are keyed by UPN (the mapping stores <UPN> as both the
 * key and the UPN); contacts by pupil UPN and contact order, which misswitch.extract_rows_prepare_ctf
 * (0003) composes server-side, where it also copies the pupil's address to a contact marked
 * <AddressAsPupil>. CTF has no staff and no groups.
 *
 * Layouts: CTF 19-21 files say <Gender>, current ones <Sex>; addresses come as BS7666 parts
 * (<PAON>, <Street>, ...) or as <AddressLines>, with <PostCode> inside <BS7666Address> or beside
 * it. Everything CTF carries that staging does not hold (attendance, assessments, SEN, ...) is
 * skipped with its content.
 */

/* Checks the version and keeps the header itself out of staging. */
static bool checkHeader(ExtractRecord *record, const ExtractSink *sink, Error *err)
{
    const char *version = record->values[0];
    char *end = NULL;
    long major = version ? strtol(version, &end, 10) : 0;

    (void)sink;
    if (version == NULL)
        return errorSet(err, EXIT_INPUT, "the CTF <Header> has no <CTFversion>");
    if (end == version || (*end != '\0' && *end != '.') || major < CTF_OLDEST || major > CTF_NEWEST)
        return errorSet(err, EXIT_INPUT,
                        "CTF version \"%.32s\" is not supported (this misswitch reads CTF %d to %d)",
                        version, CTF_OLDEST, CTF_NEWEST);
    record->kind = NULL;
    return true;
}

/* The address parts of a pupil or contact, in either layout. */
#define CTF_ADDRESS_FIELDS                                                                     \
    {"address_house", EXTRACT_FROM_ELEMENT, "Address/BS7666Address/PAON", false},              \
        {"address_street", EXTRACT_FROM_ELEMENT, "Address/BS7666Address/Street", false},       \
        {"address_locality", EXTRACT_FROM_ELEMENT, "Address/BS7666Address/Locality", false},   \
        {"address_town", EXTRACT_FROM_ELEMENT, "Address/BS7666Address/Town", false},           \
        {"address_postcode", EXTRACT_FROM_ELEMENT, "Address/BS7666Address/PostCode", false},   \
        {"address_street", EXTRACT_FROM_ELEMENT, "Address/AddressLines/AddressLine1", false},  \
        {"address_locality", EXTRACT_FROM_ELEMENT, "Address/AddressLines/AddressLine2", false},\
        {"address_town", EXTRACT_FROM_ELEMENT, "Address/AddressLines/AddressLine3", false},    \
        {"address_postcode", EXTRACT_FROM_ELEMENT, "Address/PostCode", false}

static const ExtractField HEADER_FIELDS[] = {
    {"version", EXTRACT_FROM_ELEMENT, "CTFversion", false},
    {"version", EXTRACT_FROM_ELEMENT, "Version", false}, /* (seen in some suppliers' files) */
    {"supplier", EXTRACT_FROM_ELEMENT, "SupplierID", false},
};

static const ExtractField SCHOOL_FIELDS[] = {
    {"lea_code", EXTRACT_FROM_ELEMENT, "LEA", true},
    {"dfe_number", EXTRACT_FROM_ELEMENT, "Estab", true},
    {"urn", EXTRACT_FROM_ELEMENT, "URN", false},
    {"school_name", EXTRACT_FROM_ELEMENT, "SchoolName", false},
    {"mis_source", EXTRACT_FROM_PARENT, "supplier", false},
};

static const ExtractField PUPIL_FIELDS[] = {
    {"mis_id", EXTRACT_FROM_ELEMENT, "UPN", true},
    {"upn", EXTRACT_FROM_ELEMENT, "UPN", false},
    {"former_upns", EXTRACT_FROM_ELEMENT, "BasicDetails/FormerUPN", false},
    {"legal_forename", EXTRACT_FROM_ELEMENT, "Forename", false},
    {"legal_surname", EXTRACT_FROM_ELEMENT, "Surname", false},
    {"preferred_forename", EXTRACT_FROM_ELEMENT, "BasicDetails/PreferredForename", false},
    {"preferred_surname", EXTRACT_FROM_ELEMENT, "BasicDetails/PreferredSurname", false},
    {"dob", EXTRACT_FROM_ELEMENT, "DOB", false},
    {"sex", EXTRACT_FROM_ELEMENT, "Sex", false},
    {"sex", EXTRACT_FROM_ELEMENT, "Gender", false},
    {"year_group", EXTRACT_FROM_ELEMENT, "BasicDetails/NCyearActual", false},
    {"email", EXTRACT_FROM_ELEMENT, "Email", false},
    CTF_ADDRESS_FIELDS,
};

static const ExtractField CONTACT_FIELDS[] = {
    {"pupil_upn", EXTRACT_FROM_PARENT, "mis_id", true},
    {"contact_order", EXTRACT_FROM_ELEMENT, "Order", true},
    {"title", EXTRACT_FROM_ELEMENT, "Title", false},
    {"forename", EXTRACT_FROM_ELEMENT, "Forename", false},
    {"surname", EXTRACT_FROM_ELEMENT, "Surname", false},
    {"relationship", EXTRACT_FROM_ELEMENT, "Relationship", false},
    {"parental_responsibility", EXTRACT_FROM_ELEMENT, "Responsibility", false},
    {"address_as_pupil", EXTRACT_FROM_ELEMENT, "AddressAsPupil", false},
    {"emails", EXTRACT_FROM_ELEMENT, "Email", false},
    {"phones", EXTRACT_FROM_ELEMENT, "Phones/Phone/PhoneNo", false},
    CTF_ADDRESS_FIELDS,
};

static const ExtractRecordMap RECORDS[] = {
    {&EXTRACT_KIND_CTF_HEADER, "Header", "CTfile", HEADER_FIELDS, COUNT(HEADER_FIELDS),
     checkHeader},
    {&EXTRACT_KIND_SCHOOL, "SourceSchool", "Header", SCHOOL_FIELDS, COUNT(SCHOOL_FIELDS), NULL},
    {&EXTRACT_KIND_PUPIL, "Pupil", "CTFpupilData", PUPIL_FIELDS, COUNT(PUPIL_FIELDS),
     extractCheckPupilUpns},
    {&EXTRACT_KIND_CTF_CONTACT, "Contact", "Contacts", CONTACT_FIELDS, COUNT(CONTACT_FIELDS), NULL},
};

static const char *const CONTAINERS[] = {"CTFpupilData", "Contacts", NULL};

const ExtractFormat EXTRACT_FORMAT_CTF = {
    .name = "ctf",
    .title = "Common Transfer File (CTF)",
    .rootElement = "CTfile",
    .containers = CONTAINERS,
    .skipUnknown = true,
    .records = RECORDS,
    .recordCount = COUNT(RECORDS),
    .scopeKind = &EXTRACT_KIND_SCHOOL,
};
