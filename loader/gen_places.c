/* gen_places.c — local authorities, towns, streets and school names for generated schools */
#include "gen_places.h"

#include <stdio.h>

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* Real LA codes (the UPN's first three digits), so generated UPNs look like a real county's. */
static const GenPlace PLACES[] = {
    {"801", "Bristol", "Bristol", "BS"},          {"873", "Cambridgeshire", "Cambridge", "CB"},
    {"330", "Birmingham", "Birmingham", "B"},     {"202", "Camden", "London", "NW"},
    {"383", "Leeds", "Leeds", "LS"},              {"352", "Manchester", "Manchester", "M"},
    {"341", "Liverpool", "Liverpool", "L"},       {"373", "Sheffield", "Sheffield", "S"},
    {"892", "Nottingham", "Nottingham", "NG"},    {"856", "Leicester", "Leicester", "LE"},
    {"926", "Norfolk", "Norwich", "NR"},          {"886", "Kent", "Maidstone", "ME"},
    {"936", "Surrey", "Guildford", "GU"},         {"390", "Gateshead", "Gateshead", "NE"},
    {"681", "Cardiff", "Cardiff", "CF"},          {"909", "Cumbria", "Carlisle", "CA"},
};

static const char *const STREETS[] = {
    "High Street",   "Station Road",  "Church Lane",    "Mill Lane",      "Park Avenue",
    "Victoria Road", "Green Lane",    "Manor Road",     "Queen's Road",   "King Street",
    "The Crescent",  "Orchard Close", "St John's Road", "Willow Way",     "Chapel Street",
    "Albert Road",   "New Road",      "School Lane",    "Springfield Road", "York Road",
    "Windsor Drive", "Meadow View",   "Beech Grove",    "Elm Tree Walk",  "Brook Street",
};

static const char *const LOCALITIES[] = {
    "", "", "", "", "", "Upper Hatton", "Westbury", "Northfield", "Southville", "Eastgate",
    "Kingsdown", "Ashley Vale", "St Anne's",
};

static const char *const SCHOOL_STEMS[] = {
    "Hilltop",      "Oakfield",        "Riverside",   "St Mary's C of E", "Kingsway",
    "Meadowbank",   "Brook Lane",      "Greenfields", "St Joseph's Catholic", "Ashwood",
    "Castle Hill",  "Elmhurst",        "Fairfield",   "Holy Trinity",   "Millbrook",
    "Northgate",    "Parkside",        "Queensbridge", "Rosewood",      "Southfield",
    "Thornbury",    "Westfield",       "Willowbank",  "Beacon",         "Cedars",
};

static const char *const SCHOOL_SLUGS[] = {
    "hilltop",     "oakfield",    "riverside",    "stmarys",   "kingsway",
    "meadowbank",  "brooklane",   "greenfields",  "stjosephs", "ashwood",
    "castlehill",  "elmhurst",    "fairfield",    "holytrinity", "millbrook",
    "northgate",   "parkside",    "queensbridge", "rosewood",  "southfield",
    "thornbury",   "westfield",   "willowbank",   "beacon",    "cedars",
};
_Static_assert(COUNT(SCHOOL_STEMS) == COUNT(SCHOOL_SLUGS), "a slug per school stem");

static uint32_t below(uint64_t draw, size_t n)
{
    return (uint32_t)(((draw >> 32) * (uint64_t)n) >> 32);
}

uint32_t genPlacesCount(void)
{
    return (uint32_t)COUNT(PLACES);
}

const GenPlace *genPlacesGet(uint32_t index)
{
    return &PLACES[index % COUNT(PLACES)];
}

const char *genPlacesStreet(uint64_t draw)
{
    return STREETS[below(draw, COUNT(STREETS))];
}

const char *genPlacesLocality(uint64_t draw)
{
    return LOCALITIES[below(draw, COUNT(LOCALITIES))];
}

void genPlacesPostcode(const GenPlace *place, uint64_t draw, char *out, size_t size)
{
    /* Inward codes never use C, I, K, M, O or V. */
    static const char INWARD[] = "ABDEFGHJLNPQRSTUWXYZ";
    unsigned district = (unsigned)(draw % 20) + 1;
    unsigned sector = (unsigned)((draw >> 8) % 10);
    char unit1 = INWARD[(draw >> 16) % 20];
    char unit2 = INWARD[(draw >> 24) % 20];

    snprintf(out, size, "%s%u %u%c%c", place->postcodeArea, district, sector, unit1, unit2);
}

const char *genPlacesSchoolStem(uint32_t index)
{
    return SCHOOL_STEMS[index % COUNT(SCHOOL_STEMS)];
}

const char *genPlacesSchoolSlug(uint32_t index)
{
    return SCHOOL_SLUGS[index % COUNT(SCHOOL_SLUGS)];
}

uint32_t genPlacesSchoolStemCount(void)
{
    return (uint32_t)COUNT(SCHOOL_STEMS);
}
