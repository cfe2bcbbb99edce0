/* gen_activity.c — a generated platform account's history: created, last login, owned content */
#include "gen_activity.h"

#include <stdbool.h>
#include <stdio.h>

#include "gen_date.h"
#include "gen_rng.h"

enum Field { F_CREATED = 3001, F_LOGGED_IN, F_LAST_LOGIN, F_CONTENT, F_CONTENT_KIND, F_TOPIC };

static const char *const TOPICS[] = {
    "Homework", "Science project", "My portfolio", "Reading log", "History timeline",
    "Maths practice", "Art gallery", "Lesson plan", "Class newsletter", "Trip photos",
    "Spelling list", "Geography fieldwork", "Music recording", "Design brief", "Café menu project",
};

static void timestamp(int64_t day, uint64_t draw, char *out, size_t size)
{
    char date[11];
    unsigned seconds = (unsigned)(draw % (14u * 3600u)) + 7u * 3600u; /* 07:00 to 21:00 */

    genDateFormat(day, date, sizeof date);
    snprintf(out, size, "%s %02u:%02u:%02u+00", date, seconds / 3600, seconds / 60 % 60,
             seconds % 60);
}

void genActivityOf(uint64_t personSeed, uint32_t account, GenRole role, GenAccountUse use,
                   int64_t joinedDay, GenActivity *out)
{
    uint64_t seed = genHash(personSeed, account);
    int64_t termStart = genDateDays(2026, 9, 1), today = genDateDays(2026, 11, 28);
    int64_t createdFirst = joinedDay != 0 ? joinedDay : genDateDays(2019, 9, 1);
    int64_t createdLast = joinedDay != 0 ? joinedDay + 21
                          : use == GEN_USE_DUPLICATE ? genDateDays(2022, 1, 1)
                                                     : termStart;
    unsigned loginChance = role == GEN_ROLE_STAFF ? 98 : role == GEN_ROLE_PUPIL ? 88 : 72;
    int64_t created, loginFirst;

    created = createdFirst + genHashBelow(seed, F_CREATED, (uint32_t)(createdLast - createdFirst));
    timestamp(created, genHash(seed, F_CREATED + 100), out->createdAt, sizeof out->createdAt);
    out->lastLogin[0] = '\0';
    out->contentItems = 0;
    if (use == GEN_USE_DUPLICATE) {
        /* Mostly never used; some were, years ago, before the person settled on the other. */
        int64_t last = genDateDays(2025, 1, 1);
        if (genHashBelow(seed, F_LOGGED_IN, 100) < 30 && created + 1 < last)
            timestamp(created + 1 + genHashBelow(seed, F_LAST_LOGIN, (uint32_t)(last - created - 1)),
                      genHash(seed, F_LAST_LOGIN + 100), out->lastLogin, sizeof out->lastLogin);
        return;
    }
    if (use != GEN_USE_KEPT && genHashBelow(seed, F_LOGGED_IN, 100) >= loginChance)
        return;
    /* Logged in this term, and never before the account existed. */
    loginFirst = created + 1 > termStart ? created + 1 : termStart;
    timestamp(loginFirst + genHashBelow(seed, F_LAST_LOGIN, (uint32_t)(today - loginFirst + 1)),
              genHash(seed, F_LAST_LOGIN + 100), out->lastLogin, sizeof out->lastLogin);
    if (role == GEN_ROLE_STAFF)
        out->contentItems = 1 + genHashBelow(seed, F_CONTENT, 8);
    else if (role == GEN_ROLE_PUPIL && genHashBelow(seed, F_CONTENT + 100, 100) < 60)
        out->contentItems = 1 + genHashBelow(seed, F_CONTENT, 5);
    else if (role == GEN_ROLE_PARENT && genHashBelow(seed, F_CONTENT + 100, 100) < 3)
        out->contentItems = 1;
}

void genActivityContent(uint64_t personSeed, uint32_t account, GenRole role, unsigned item,
                        const char **kind, char *title, size_t size)
{
    uint64_t seed = genHash(genHash(personSeed, account), F_TOPIC + item);
    uint32_t draw = (uint32_t)(seed % 100);
    const char *topic = TOPICS[(seed >> 8) % (sizeof TOPICS / sizeof TOPICS[0])];

    *kind = draw < 60 ? "page" : draw < 95 ? "file" : "site";
    if (role == GEN_ROLE_STAFF && draw % 2 == 0)
        snprintf(title, size, "%s: week %u", topic, (unsigned)((seed >> 20) % 39) + 1);
    else
        snprintf(title, size, "%s %u", topic, item + 1);
}
