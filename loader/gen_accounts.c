/* gen_accounts.c — the platform accounts of a generated model, walked in user_id order */
#include "gen_accounts.h"

#include <stdio.h>
#include <string.h>

#include "gen_names.h"
#include "gen_rng.h"

static void visitPupils(const GenModel *model, GenAccountVisitor visit, void *context)
{
    for (uint32_t i = 0; i < model->pupilCount; i++) {
        uint32_t index = model->schoolOrder[i];
        const GenPupil *pupil = &model->pupils[index];
        GenAccount account = {0};
        if (pupil->account == 0)
            continue;
        account.account = account.keptAccount = pupil->account;
        account.role = GEN_ROLE_PUPIL;
        account.index = index;
        account.seed = pupil->seed;
        account.schoolId = model->schools[pupil->school].schoolId;
        account.use = GEN_USE_ONLY;
        account.child = GEN_NONE;
        visit(context, &account);
    }
}

static void visitStaff(const GenModel *model, GenAccountVisitor visit, void *context)
{
    for (uint32_t i = 0; i < model->staffCount; i++) {
        const GenStaff *member = &model->staff[i];
        GenAccount account = {0};
        uint32_t first, second;
        if (member->account == 0)
            continue;
        account.role = GEN_ROLE_STAFF;
        account.index = i;
        account.seed = member->seed;
        account.schoolId = model->schools[member->school].schoolId;
        account.keptAccount = member->account;
        account.child = GEN_NONE;
        if (member->duplicateAccount == 0) {
            account.account = member->account;
            account.staffRole = member->keptIsTeacher ? "teacher" : "staff";
            account.use = GEN_USE_ONLY;
            visit(context, &account);
            continue;
        }
        /* The teacher account has the lower id; either one may be the kept one. */
        first = member->account < member->duplicateAccount ? member->account : member->duplicateAccount;
        second = first == member->account ? member->duplicateAccount : member->account;
        account.account = first;
        account.staffRole = "teacher";
        account.use = first == member->account ? GEN_USE_KEPT : GEN_USE_DUPLICATE;
        visit(context, &account);
        account.account = second;
        account.staffRole = "staff";
        account.use = second == member->account ? GEN_USE_KEPT : GEN_USE_DUPLICATE;
        visit(context, &account);
    }
}

static void visitParents(const GenModel *model, GenAccountVisitor visit, void *context)
{
    for (uint32_t i = 0; i < model->contactCount; i++) {
        const GenContact *contact = &model->contacts[i];
        const GenFamily *family = &model->families[contact->family];
        GenAccount account = {0};
        uint32_t nth = 0;
        if (contact->account == 0)
            continue;
        account.role = GEN_ROLE_PARENT;
        account.index = i;
        account.seed = contact->seed;
        account.schoolId = model->schools[contact->school].schoolId;
        account.keptAccount = contact->account;
        if (contact->accountCount == 1) {
            account.account = contact->account;
            account.use = GEN_USE_ONLY;
            account.child = GEN_NONE;
            visit(context, &account);
            continue;
        }
        /* One account per child on the platform (in the contact's school), in family order; the
         * first is the kept one. */
        for (uint32_t p = family->firstPupil; p < family->firstPupil + family->pupilCount; p++) {
            if (model->pupils[p].status == GEN_STATUS_JOINER || model->pupils[p].school != contact->school)
                continue;
            account.account = contact->account + nth;
            account.use = nth == 0 ? GEN_USE_KEPT : GEN_USE_DUPLICATE;
            account.child = p;
            visit(context, &account);
            nth++;
        }
    }
}

void genAccountsEach(const GenModel *model, unsigned roles, GenAccountVisitor visit, void *context)
{
    if (roles & GEN_ROLE_PUPIL)
        visitPupils(model, visit, context);
    if (roles & GEN_ROLE_STAFF)
        visitStaff(model, visit, context);
    if (roles & GEN_ROLE_PARENT)
        visitParents(model, visit, context);
}

void genAccountsUsername(const char *forename, const char *surname, uint32_t account, char *out,
                         size_t size)
{
    char first[64], last[64];

    genNamesFold(forename, true, first, sizeof first);
    genNamesFold(surname, true, last, sizeof last);
    last[12] = '\0';
    snprintf(out, size, "%c%s%u", first[0] ? first[0] : 'x', last, account);
}

void genAccountsPasswordHash(uint64_t seed, uint32_t account, char *out, size_t size)
{
    static const char ALPHABET[] =
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char salted[64];
    uint64_t state = genHash(seed, 0x5A17u + account);

    for (int i = 0; i < 53; i++) {
        if (i % 10 == 0)
            state = genHash(state, (uint64_t)i);
        salted[i] = ALPHABET[state & 63];
        state >>= 6;
    }
    salted[53] = '\0';
    snprintf(out, size, "$2b$10$%s", salted);
}
