/* gen_accounts.h — the platform accounts of a generated model, walked in user_id order */
#ifndef MISSWITCH_GEN_ACCOUNTS_H
#define MISSWITCH_GEN_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "gen_activity.h"
#include "gen_model.h"

typedef struct GenAccount {
    uint32_t account;      /* platform user_id */
    GenRole role;
    uint32_t index;        /* the person: index into pupils, staff or contacts */
    uint64_t seed;         /* the person's seed */
    uint32_t schoolId;
    const char *staffRole; /* "teacher" or "staff" for staff accounts, else NULL */
    GenAccountUse use;
    uint32_t keptAccount;  /* the account the person uses (== account unless a duplicate) */
    uint32_t child;        /* a per-child parent account: that pupil; GEN_NONE: every child */
} GenAccount;

typedef void (*GenAccountVisitor)(void *context, const GenAccount *account);

/* Calls visit for every platform account whose role is in `roles` (GenRole flags), in
 * ascending user_id: pupils in school order, staff (a pair's teacher account first), parents
 * (a duplicated parent's per-child accounts together, the kept one first). */
void genAccountsEach(const GenModel *model, unsigned roles, GenAccountVisitor visit, void *context);

/* Username: initial, surname and user_id, lowercase ASCII ("wsmith1042"). */
void genAccountsUsername(const char *forename, const char *surname, uint32_t account, char *out,
                         size_t size);

/* A fake but deterministic bcrypt-shaped password hash. */
void genAccountsPasswordHash(uint64_t seed, uint32_t account, char *out, size_t size);

#endif
