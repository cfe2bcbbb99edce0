/* extract_ims.c — IMS Enterprise 1.1 (<enterprise>) as a mapping (docs/extract-format.md) */
#include "extract_format.h"

#define COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])))

/*
 * IMS Enterprise says what a person is only through roles, and says it after the person:
 * <institutionrole institutionroletype> on the person, <role roletype> on its memberships. So
 * persons, groups and members are staged raw and misswitch.extract_rows_prepare_ims (0003) decides
 * in the load's transaction: a pupil, a staff member or a contact (docs/extract-format.md gives
 * the rules); records with recstatus 3 (delete) and inactive memberships are not staged.
 *
 * IMS has no school header. A school section is keyed by LEA/DfE from a person's
 * <extension><school lea= dfe=/></extension> or a group's <org><id>LEA/DfE</id></org>; a
 * contact's links to pupils come as <extension><relationship pupil= .../></extension> (the
 * native format's attributes). Anything else IMS carries is skipped.
 */

static const ExtractField PROPERTIES_FIELDS[] = {
    {"datasource", EXTRACT_FROM_ELEMENT, "datasource", false},
};

static const ExtractField PERSON_FIELDS[] = {
    {"mis_id", EXTRACT_FROM_ELEMENT, "sourcedid/id", true},
    {"source", EXTRACT_FROM_ELEMENT, "sourcedid/source", false},
    {"userid", EXTRACT_FROM_ELEMENT, "userid", false},
    {"institution_role", EXTRACT_FROM_ELEMENT, "institutionrole@institutionroletype", false},
    {"recstatus", EXTRACT_FROM_ATTRIBUTE, "recstatus", false},
    {"full_name", EXTRACT_FROM_ELEMENT, "name/fn", false},
    {"family", EXTRACT_FROM_ELEMENT, "name/n/family", false},
    {"given", EXTRACT_FROM_ELEMENT, "name/n/given", false},
    {"email", EXTRACT_FROM_ELEMENT, "email", false},
    {"phones", EXTRACT_FROM_ELEMENT, "tel", false},
    {"dob", EXTRACT_FROM_ELEMENT, "demographics/bday", false},
    {"gender", EXTRACT_FROM_ELEMENT, "demographics/gender", false},
    {"school_lea", EXTRACT_FROM_ELEMENT, "extension/school@lea", false},
    {"school_dfe", EXTRACT_FROM_ELEMENT, "extension/school@dfe", false},
    {"school_urn", EXTRACT_FROM_ELEMENT, "extension/school@urn", false},
    {"school_name", EXTRACT_FROM_ELEMENT, "extension/school@name", false},
};

static const ExtractField RELATIONSHIP_FIELDS[] = {
    {"contact_mis_id", EXTRACT_FROM_PARENT, "mis_id", true},
    {"pupil_mis_id", EXTRACT_FROM_ATTRIBUTE, "pupil", true},
    {"relationship", EXTRACT_FROM_ATTRIBUTE, "type", false},
    {"parental_responsibility", EXTRACT_FROM_ATTRIBUTE, "parental-responsibility", false},
    {"priority", EXTRACT_FROM_ATTRIBUTE, "priority", false},
};

static const ExtractField GROUP_FIELDS[] = {
    {"mis_id", EXTRACT_FROM_ELEMENT, "sourcedid/id", true},
    {"recstatus", EXTRACT_FROM_ATTRIBUTE, "recstatus", false},
    {"type", EXTRACT_FROM_ELEMENT, "grouptype/typevalue", false},
    {"short", EXTRACT_FROM_ELEMENT, "description/short", false},
    {"long", EXTRACT_FROM_ELEMENT, "description/long", false},
    {"org_id", EXTRACT_FROM_ELEMENT, "org/id", false},
    {"org_name", EXTRACT_FROM_ELEMENT, "org/orgname", false},
    {"begins", EXTRACT_FROM_ELEMENT, "timeframe/begin", false},
    {"ends", EXTRACT_FROM_ELEMENT, "timeframe/end", false},
};

static const ExtractField MEMBERSHIP_FIELDS[] = {
    {"group_mis_id", EXTRACT_FROM_ELEMENT, "sourcedid/id", true},
};

static const ExtractField MEMBER_FIELDS[] = {
    {"group_mis_id", EXTRACT_FROM_PARENT, "group_mis_id", true},
    {"member_mis_id", EXTRACT_FROM_ELEMENT, "sourcedid/id", true},
    {"idtype", EXTRACT_FROM_ELEMENT, "idtype", false},
    {"roletype", EXTRACT_FROM_ELEMENT, "role@roletype", false},
    {"recstatus", EXTRACT_FROM_ELEMENT, "role@recstatus", false},
    {"status", EXTRACT_FROM_ELEMENT, "role/status", false},
};

/* A <membership> only carries its group's ID to the members inside it. */
static bool keepOutOfStaging(ExtractRecord *record, const ExtractSink *sink, Error *err)
{
    (void)sink;
    (void)err;
    record->kind = NULL;
    return true;
}

static const ExtractRecordMap RECORDS[] = {
    {&EXTRACT_KIND_IMS_PROPERTIES, "properties", "enterprise", PROPERTIES_FIELDS,
     COUNT(PROPERTIES_FIELDS), NULL},
    {&EXTRACT_KIND_IMS_PERSON, "person", "enterprise", PERSON_FIELDS, COUNT(PERSON_FIELDS), NULL},
    {&EXTRACT_KIND_RELATIONSHIP, "relationship", "extension", RELATIONSHIP_FIELDS,
     COUNT(RELATIONSHIP_FIELDS), NULL},
    {&EXTRACT_KIND_IMS_GROUP, "group", "enterprise", GROUP_FIELDS, COUNT(GROUP_FIELDS), NULL},
    {&EXTRACT_KIND_IMS_MEMBERSHIP, "membership", "enterprise", MEMBERSHIP_FIELDS,
     COUNT(MEMBERSHIP_FIELDS), keepOutOfStaging},
    {&EXTRACT_KIND_IMS_MEMBER, "member", "membership", MEMBER_FIELDS, COUNT(MEMBER_FIELDS), NULL},
};

const ExtractFormat EXTRACT_FORMAT_IMS = {
    .name = "ims",
    .title = "IMS Enterprise extract",
    .rootElement = "enterprise",
    .skipUnknown = true,
    .records = RECORDS,
    .recordCount = COUNT(RECORDS),
};
