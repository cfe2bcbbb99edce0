/* extract_format.c — the staging kinds, the format registry and value checks */
#include "extract_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])))

/*
 * The kinds mirror misswitch_staging.extract_* (0002) column for column, without load_id and
 * source_line; misswitch.extract_rows_finish (0003) reads c1..cN in exactly this order.
 */
static const ExtractColumn SCHOOL_COLUMNS[] = {
    {"lea_code", EXTRACT_TEXT}, {"dfe_number", EXTRACT_TEXT}, {"urn", EXTRACT_TEXT},
    {"school_name", EXTRACT_TEXT}, {"mis_source", EXTRACT_TEXT},
};

static const ExtractColumn PUPIL_COLUMNS[] = {
    {"mis_id", EXTRACT_TEXT},           {"upn", EXTRACT_TEXT},
    {"former_upns", EXTRACT_ARRAY},     {"legal_forename", EXTRACT_TEXT},
    {"legal_surname", EXTRACT_TEXT},    {"preferred_forename", EXTRACT_TEXT},
    {"preferred_surname", EXTRACT_TEXT}, {"dob", EXTRACT_DATE},
    {"sex", EXTRACT_TEXT},              {"year_group", EXTRACT_TEXT},
    {"reg_group", EXTRACT_TEXT},        {"email", EXTRACT_TEXT},
    {"address_house", EXTRACT_TEXT},    {"address_street", EXTRACT_TEXT},
    {"address_locality", EXTRACT_TEXT}, {"address_town", EXTRACT_TEXT},
    {"address_postcode", EXTRACT_TEXT},
};

static const ExtractColumn STAFF_COLUMNS[] = {
    {"mis_id", EXTRACT_TEXT},           {"staff_code", EXTRACT_TEXT},
    {"teacher_number", EXTRACT_TEXT},   {"ni_number", EXTRACT_TEXT},
    {"title", EXTRACT_TEXT},            {"legal_forename", EXTRACT_TEXT},
    {"legal_surname", EXTRACT_TEXT},    {"preferred_forename", EXTRACT_TEXT},
    {"preferred_surname", EXTRACT_TEXT}, {"dob", EXTRACT_DATE},
    {"sex", EXTRACT_TEXT},              {"email", EXTRACT_TEXT},
    {"address_house", EXTRACT_TEXT},    {"address_street", EXTRACT_TEXT},
    {"address_locality", EXTRACT_TEXT}, {"address_town", EXTRACT_TEXT},
    {"address_postcode", EXTRACT_TEXT}, {"roles", EXTRACT_ARRAY},
};

static const ExtractColumn CONTACT_COLUMNS[] = {
    {"mis_id", EXTRACT_TEXT},          {"title", EXTRACT_TEXT},
    {"forename", EXTRACT_TEXT},        {"surname", EXTRACT_TEXT},
    {"emails", EXTRACT_ARRAY},         {"phones", EXTRACT_ARRAY},
    {"address_house", EXTRACT_TEXT},   {"address_street", EXTRACT_TEXT},
    {"address_locality", EXTRACT_TEXT}, {"address_town", EXTRACT_TEXT},
    {"address_postcode", EXTRACT_TEXT},
};

static const ExtractColumn RELATIONSHIP_COLUMNS[] = {
    {"contact_mis_id", EXTRACT_TEXT}, {"pupil_mis_id", EXTRACT_TEXT},
    {"relationship", EXTRACT_TEXT},   {"parental_responsibility", EXTRACT_BOOLEAN},
    {"priority", EXTRACT_INTEGER},
};

static const ExtractColumn GROUP_COLUMNS[] = {
    {"mis_id", EXTRACT_TEXT}, {"code", EXTRACT_TEXT},          {"name", EXTRACT_TEXT},
    {"kind", EXTRACT_TEXT},   {"academic_year", EXTRACT_TEXT},
};

static const ExtractColumn MEMBERSHIP_COLUMNS[] = {
    {"group_mis_id", EXTRACT_TEXT}, {"member_mis_id", EXTRACT_TEXT}, {"member_role", EXTRACT_TEXT},
};

/* Raw kinds (see extract_format.h); 0003's extract_rows_prepare_* read c1..cN in this order. */
static const ExtractColumn CTF_HEADER_COLUMNS[] = {{"version", EXTRACT_TEXT},
                                                   {"supplier", EXTRACT_TEXT}};

static const ExtractColumn CTF_CONTACT_COLUMNS[] = {
    {"pupil_upn", EXTRACT_TEXT},        {"contact_order", EXTRACT_INTEGER},
    {"title", EXTRACT_TEXT},            {"forename", EXTRACT_TEXT},
    {"surname", EXTRACT_TEXT},          {"relationship", EXTRACT_TEXT},
    {"parental_responsibility", EXTRACT_BOOLEAN}, {"address_as_pupil", EXTRACT_BOOLEAN},
    {"emails", EXTRACT_ARRAY},          {"phones", EXTRACT_ARRAY},
    {"address_house", EXTRACT_TEXT},    {"address_street", EXTRACT_TEXT},
    {"address_locality", EXTRACT_TEXT}, {"address_town", EXTRACT_TEXT},
    {"address_postcode", EXTRACT_TEXT},
};

static const ExtractColumn IMS_PROPERTIES_COLUMNS[] = {{"datasource", EXTRACT_TEXT}};

static const ExtractColumn IMS_PERSON_COLUMNS[] = {
    {"mis_id", EXTRACT_TEXT},      {"source", EXTRACT_TEXT},      {"userid", EXTRACT_TEXT},
    {"institution_role", EXTRACT_TEXT}, {"recstatus", EXTRACT_TEXT}, {"full_name", EXTRACT_TEXT},
    {"family", EXTRACT_TEXT},      {"given", EXTRACT_TEXT},       {"email", EXTRACT_TEXT},
    {"phones", EXTRACT_ARRAY},     {"dob", EXTRACT_DATE},         {"gender", EXTRACT_TEXT},
    {"school_lea", EXTRACT_TEXT},  {"school_dfe", EXTRACT_TEXT},  {"school_urn", EXTRACT_TEXT},
    {"school_name", EXTRACT_TEXT},
};

static const ExtractColumn IMS_GROUP_COLUMNS[] = {
    {"mis_id", EXTRACT_TEXT},   {"recstatus", EXTRACT_TEXT}, {"type", EXTRACT_TEXT},
    {"short", EXTRACT_TEXT},    {"long", EXTRACT_TEXT},      {"org_id", EXTRACT_TEXT},
    {"org_name", EXTRACT_TEXT}, {"begins", EXTRACT_DATE},    {"ends", EXTRACT_DATE},
};

static const ExtractColumn IMS_MEMBERSHIP_COLUMNS[] = {{"group_mis_id", EXTRACT_TEXT}};

static const ExtractColumn IMS_MEMBER_COLUMNS[] = {
    {"group_mis_id", EXTRACT_TEXT}, {"member_mis_id", EXTRACT_TEXT}, {"idtype", EXTRACT_TEXT},
    {"roletype", EXTRACT_TEXT},     {"recstatus", EXTRACT_TEXT},     {"status", EXTRACT_TEXT},
};

const ExtractKind EXTRACT_KIND_CTF_HEADER = {"ctf_header", CTF_HEADER_COLUMNS,
                                             COUNT(CTF_HEADER_COLUMNS)};
const ExtractKind EXTRACT_KIND_CTF_CONTACT = {"ctf_contact", CTF_CONTACT_COLUMNS,
                                              COUNT(CTF_CONTACT_COLUMNS)};
const ExtractKind EXTRACT_KIND_IMS_PROPERTIES = {"ims_properties", IMS_PROPERTIES_COLUMNS,
                                                 COUNT(IMS_PROPERTIES_COLUMNS)};
const ExtractKind EXTRACT_KIND_IMS_PERSON = {"ims_person", IMS_PERSON_COLUMNS,
                                             COUNT(IMS_PERSON_COLUMNS)};
const ExtractKind EXTRACT_KIND_IMS_GROUP = {"ims_group", IMS_GROUP_COLUMNS,
                                            COUNT(IMS_GROUP_COLUMNS)};
const ExtractKind EXTRACT_KIND_IMS_MEMBERSHIP = {"ims_membership", IMS_MEMBERSHIP_COLUMNS,
                                                 COUNT(IMS_MEMBERSHIP_COLUMNS)};
const ExtractKind EXTRACT_KIND_IMS_MEMBER = {"ims_member", IMS_MEMBER_COLUMNS,
                                             COUNT(IMS_MEMBER_COLUMNS)};

const ExtractKind EXTRACT_KIND_SCHOOL = {"school", SCHOOL_COLUMNS, COUNT(SCHOOL_COLUMNS)};
const ExtractKind EXTRACT_KIND_PUPIL = {"pupil", PUPIL_COLUMNS, COUNT(PUPIL_COLUMNS)};
const ExtractKind EXTRACT_KIND_STAFF = {"staff", STAFF_COLUMNS, COUNT(STAFF_COLUMNS)};
const ExtractKind EXTRACT_KIND_CONTACT = {"contact", CONTACT_COLUMNS, COUNT(CONTACT_COLUMNS)};
const ExtractKind EXTRACT_KIND_RELATIONSHIP = {"relationship", RELATIONSHIP_COLUMNS,
                                               COUNT(RELATIONSHIP_COLUMNS)};
const ExtractKind EXTRACT_KIND_GROUP = {"group", GROUP_COLUMNS, COUNT(GROUP_COLUMNS)};
const ExtractKind EXTRACT_KIND_MEMBERSHIP = {"membership", MEMBERSHIP_COLUMNS,
                                             COUNT(MEMBERSHIP_COLUMNS)};

static const ExtractFormat *const FORMATS[] = {&EXTRACT_FORMAT_NATIVE, &EXTRACT_FORMAT_CTF,
                                               &EXTRACT_FORMAT_IMS};

const ExtractFormat *extractFormatByName(const char *name)
{
    for (int i = 0; i < COUNT(FORMATS); i++)
        if (strcmp(FORMATS[i]->name, name) == 0)
            return FORMATS[i];
    return NULL;
}

const ExtractFormat *extractFormatByRoot(const char *rootElement)
{
    for (int i = 0; i < COUNT(FORMATS); i++)
        if (strcmp(FORMATS[i]->rootElement, rootElement) == 0)
            return FORMATS[i];
    return NULL;
}

int extractKindColumn(const ExtractKind *kind, const char *column)
{
    for (int i = 0; i < kind->columnCount; i++)
        if (strcmp(kind->columns[i].name, column) == 0)
            return i;
    return -1;
}

static bool isDigits(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (text[i] < '0' || text[i] > '9')
            return false;
    return true;
}

static bool dateIsValid(const char *value, char *reason, size_t reasonSize)
{
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year, month, day, last;

    if (strlen(value) != 10 || value[4] != '-' || value[7] != '-' || !isDigits(value, 4) ||
        !isDigits(value + 5, 2) || !isDigits(value + 8, 2)) {
        snprintf(reason, reasonSize, "expected YYYY-MM-DD");
        return false;
    }
    year = atoi(value);
    month = atoi(value + 5);
    day = atoi(value + 8);
    if (year < 1800 || month < 1 || month > 12) {
        snprintf(reason, reasonSize, "no such month or year");
        return false;
    }
    last = DAYS[month - 1];
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        last = 29;
    if (day < 1 || day > last) {
        snprintf(reason, reasonSize, "no such day");
        return false;
    }
    return true;
}

bool extractValueIsValid(ExtractColumnType type, const char *value, char *reason,
                         size_t reasonSize)
{
    size_t length = strlen(value);

    switch (type) {
    case EXTRACT_DATE:
        return dateIsValid(value, reason, reasonSize);
    case EXTRACT_BOOLEAN:
        if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0 ||
            strcmp(value, "1") == 0 || strcmp(value, "0") == 0)
            return true;
        snprintf(reason, reasonSize, "expected true or false");
        return false;
    case EXTRACT_INTEGER:
        if (length > 0 && length <= 9 && isDigits(value, length))
            return true;
        snprintf(reason, reasonSize, "expected a whole number");
        return false;
    case EXTRACT_TEXT:
    case EXTRACT_ARRAY:
        break;
    }
    return true;
}

bool extractFormatValidate(const ExtractFormat *format, Error *err)
{
    for (int r = 0; r < format->recordCount; r++) {
        const ExtractRecordMap *map = &format->records[r];
        for (int f = 0; f < map->fieldCount; f++) {
            const ExtractField *field = &map->fields[f];
            if (extractKindColumn(map->kind, field->column) < 0)
                return errorSet(err, EXIT_INTERNAL, "%s mapping: <%s> maps to %s.%s, no such column",
                                format->name, map->element, map->kind->name, field->column);
            if (field->source == EXTRACT_FROM_PARENT) {
                /* The enclosing record is known only while reading; at least some other record
                 * must have the column. */
                bool found = false;
                for (int p = 0; p < format->recordCount && !found; p++)
                    found = p != r && extractKindColumn(format->records[p].kind, field->name) >= 0;
                if (!found)
                    return errorSet(err, EXIT_INTERNAL,
                                    "%s mapping: <%s> takes %s from its enclosing record, which "
                                    "no record has",
                                    format->name, map->element, field->name);
            }
        }
    }
    return true;
}
