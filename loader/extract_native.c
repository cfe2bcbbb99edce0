/* extract_native.c — the native extract format v1 (docs/extract-format.md) as a mapping */
#include "extract_format.h"

#define COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])))

#define ADDRESS_FIELDS                                                                         \
    {"address_house", EXTRACT_FROM_ELEMENT, "address/house", false},                           \
        {"address_street", EXTRACT_FROM_ELEMENT, "address/street", false},                     \
        {"address_locality", EXTRACT_FROM_ELEMENT, "address/locality", false},                 \
        {"address_town", EXTRACT_FROM_ELEMENT, "address/town", false},                         \
        {"address_postcode", EXTRACT_FROM_ELEMENT, "address/postcode", false}

static const ExtractField SCHOOL_FIELDS[] = {
    {"lea_code", EXTRACT_FROM_ATTRIBUTE, "lea", true},
    {"dfe_number", EXTRACT_FROM_ATTRIBUTE, "dfe", true},
    {"urn", EXTRACT_FROM_ATTRIBUTE, "urn", false},
    {"school_name", EXTRACT_FROM_ATTRIBUTE, "name", false},
    {"mis_source", EXTRACT_FROM_ROOT_ATTRIBUTE, "mis", true},
};

static const ExtractField PUPIL_FIELDS[] = {
    {"mis_id", EXTRACT_FROM_ATTRIBUTE, "id", true},
    {"upn", EXTRACT_FROM_ELEMENT, "upn", false},
    {"former_upns", EXTRACT_FROM_ELEMENT, "former-upn", false},
    {"legal_forename", EXTRACT_FROM_ELEMENT, "legal-forename", false},
    {"legal_surname", EXTRACT_FROM_ELEMENT, "legal-surname", false},
    {"preferred_forename", EXTRACT_FROM_ELEMENT, "preferred-forename", false},
    {"preferred_surname", EXTRACT_FROM_ELEMENT, "preferred-surname", false},
    {"dob", EXTRACT_FROM_ELEMENT, "dob", false},
    {"sex", EXTRACT_FROM_ELEMENT, "sex", false},
    {"year_group", EXTRACT_FROM_ELEMENT, "year", false},
    {"reg_group", EXTRACT_FROM_ELEMENT, "reg-group", false},
    {"email", EXTRACT_FROM_ELEMENT, "email", false},
    ADDRESS_FIELDS,
};

static const ExtractField STAFF_FIELDS[] = {
    {"mis_id", EXTRACT_FROM_ATTRIBUTE, "id", true},
    {"staff_code", EXTRACT_FROM_ELEMENT, "staff-code", false},
    {"teacher_number", EXTRACT_FROM_ELEMENT, "teacher-number", false},
    {"ni_number", EXTRACT_FROM_ELEMENT, "ni-number", false},
    {"title", EXTRACT_FROM_ELEMENT, "title", false},
    {"legal_forename", EXTRACT_FROM_ELEMENT, "legal-forename", false},
    {"legal_surname", EXTRACT_FROM_ELEMENT, "legal-surname", false},
    {"preferred_forename", EXTRACT_FROM_ELEMENT, "preferred-forename", false},
    {"preferred_surname", EXTRACT_FROM_ELEMENT, "preferred-surname", false},
    {"dob", EXTRACT_FROM_ELEMENT, "dob", false},
    {"sex", EXTRACT_FROM_ELEMENT, "sex", false},
    {"email", EXTRACT_FROM_ELEMENT, "email", false},
    ADDRESS_FIELDS,
    {"roles", EXTRACT_FROM_ELEMENT, "role", false},
};

static const ExtractField CONTACT_FIELDS[] = {
    {"mis_id", EXTRACT_FROM_ATTRIBUTE, "id", true},
    {"title", EXTRACT_FROM_ELEMENT, "title", false},
    {"forename", EXTRACT_FROM_ELEMENT, "forename", false},
    {"surname", EXTRACT_FROM_ELEMENT, "surname", false},
    {"emails", EXTRACT_FROM_ELEMENT, "email", false},
    {"phones", EXTRACT_FROM_ELEMENT, "phone", false}, /* phone/@type is not staged yet */
    ADDRESS_FIELDS,
};

static const ExtractField RELATIONSHIP_FIELDS[] = {
    {"contact_mis_id", EXTRACT_FROM_PARENT, "mis_id", true},
    {"pupil_mis_id", EXTRACT_FROM_ATTRIBUTE, "pupil", true},
    {"relationship", EXTRACT_FROM_ATTRIBUTE, "type", false},
    {"parental_responsibility", EXTRACT_FROM_ATTRIBUTE, "parental-responsibility", false},
    {"priority", EXTRACT_FROM_ATTRIBUTE, "priority", false},
};

static const ExtractField GROUP_FIELDS[] = {
    {"mis_id", EXTRACT_FROM_ATTRIBUTE, "id", true},
    {"code", EXTRACT_FROM_ATTRIBUTE, "code", false},
    {"name", EXTRACT_FROM_ELEMENT, "name", false},
    {"kind", EXTRACT_FROM_ATTRIBUTE, "kind", false},
    {"academic_year", EXTRACT_FROM_ATTRIBUTE, "academic-year", false},
};

static const ExtractField MEMBERSHIP_FIELDS[] = {
    {"group_mis_id", EXTRACT_FROM_PARENT, "mis_id", true},
    {"member_mis_id", EXTRACT_FROM_ATTRIBUTE, "ref", true},
    {"member_role", EXTRACT_FROM_ATTRIBUTE, "role", false},
};

static const ExtractRecordMap RECORDS[] = {
    {&EXTRACT_KIND_SCHOOL, "school", "misswitch-extract", SCHOOL_FIELDS, COUNT(SCHOOL_FIELDS), NULL},
    {&EXTRACT_KIND_PUPIL, "pupil", "pupils", PUPIL_FIELDS, COUNT(PUPIL_FIELDS), extractCheckPupilUpns},
    {&EXTRACT_KIND_STAFF, "member", "staff", STAFF_FIELDS, COUNT(STAFF_FIELDS), NULL},
    {&EXTRACT_KIND_CONTACT, "contact", "contacts", CONTACT_FIELDS, COUNT(CONTACT_FIELDS), NULL},
    {&EXTRACT_KIND_RELATIONSHIP, "relationship", "contact", RELATIONSHIP_FIELDS,
     COUNT(RELATIONSHIP_FIELDS), NULL},
    {&EXTRACT_KIND_GROUP, "group", "groups", GROUP_FIELDS, COUNT(GROUP_FIELDS), NULL},
    {&EXTRACT_KIND_MEMBERSHIP, "member", "group", MEMBERSHIP_FIELDS, COUNT(MEMBERSHIP_FIELDS), NULL},
};

static const char *const VERSIONS[] = {"1", NULL};
static const char *const CONTAINERS[] = {"pupils", "staff", "contacts", "groups", NULL};

const ExtractFormat EXTRACT_FORMAT_NATIVE = {
    .name = "native",
    .title = "native extract",
    .rootElement = "misswitch-extract",
    .versionAttribute = "version",
    .versions = VERSIONS,
    .containers = CONTAINERS,
    .records = RECORDS,
    .recordCount = COUNT(RECORDS),
    .scopeKind = &EXTRACT_KIND_SCHOOL,
    .scopeEncloses = true,
};
