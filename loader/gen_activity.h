/* gen_activity.h — a generated platform account's history: created, last login, owned content */
#ifndef MISSWITCH_GEN_ACTIVITY_H
#define MISSWITCH_GEN_ACTIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "gen.h"

/* How an account is used: its person's only account, the kept one of a duplicate set (always
 * logged in; a staff member's always owns content), or an unused duplicate (never logged in
 * or not for years, no content). The kept/duplicate split is what truth.csv's duplicate-of
 * records: the account with the logins and content is the one the person really uses. */
typedef enum GenAccountUse { GEN_USE_ONLY = 0, GEN_USE_KEPT, GEN_USE_DUPLICATE } GenAccountUse;

typedef struct GenActivity {
    char createdAt[32];    /* timestamptz literal text */
    char lastLogin[32];    /* "" when the account never logged in */
    unsigned contentItems; /* owned pages, files and sites */
} GenActivity;

/* joinedDay: the day the person joined the school (days since 1970-01-01; a pupil's account
 * is created then), or 0 for an adult, whose account may be anything up to seven years old. */
void genActivityOf(uint64_t personSeed, uint32_t account, GenRole role, GenAccountUse use,
                   int64_t joinedDay, GenActivity *out);

/* Kind ("page", "file", "site") and title of an account's n-th content item. */
void genActivityContent(uint64_t personSeed, uint32_t account, GenRole role, unsigned item,
                        const char **kind, char *title, size_t size);

#endif
