/* gen_truth.c — writes truth.csv: what every account and new record of a generated trust is */
#include "gen_truth.h"

#include <stdlib.h>

#include "gen_accounts.h"
#include "gen_noise.h"
#include "gen_out.h"
#include "gen_person.h"

static const char *const ROLE_NAMES[] = {"", "pupil", "staff", "", "parent"};

typedef struct Writer {
    const GenModel *model;
    GenOut *out;
} Writer;

static void writeAccount(void *context, const GenAccount *account)
{
    Writer *w = context;
    const GenModel *model = w->model;
    uint8_t status;
    uint32_t newIndex;
    GenIdKind kind;
    char newId[32] = "", noise[256];

    if (account->role == GEN_ROLE_PUPIL) {
        status = model->pupils[account->index].status;
        newIndex = model->pupils[account->index].newIndex;
        kind = GEN_ID_PUPIL;
    } else if (account->role == GEN_ROLE_STAFF) {
        status = model->staff[account->index].status;
        newIndex = model->staff[account->index].newIndex;
        kind = GEN_ID_STAFF;
    } else {
        status = model->contacts[account->index].status;
        newIndex = model->contacts[account->index].newIndex;
        kind = GEN_ID_CONTACT;
    }
    genNoiseFormat(genPersonNoise(model, account->role, account->index), noise, sizeof noise);
    genOutPrintf(w->out, "%s,%u,", ROLE_NAMES[account->role], account->account);
    if (account->use == GEN_USE_DUPLICATE) {
        genOutPrintf(w->out, ",duplicate-of:%u,%s\n", account->keptAccount, noise);
        return;
    }
    if (status == GEN_STATUS_MATCH)
        genModelNewId(model, kind, newIndex, newId, sizeof newId);
    genOutPrintf(w->out, "%s,%s,%s\n", newId, status == GEN_STATUS_MATCH ? "match" : "leaver", noise);
}

typedef struct Joiner {
    uint64_t number;
    uint32_t newIndex;
} Joiner;

static int compareJoiners(const void *a, const void *b)
{
    const Joiner *x = a, *y = b;
    return x->number < y->number ? -1 : x->number > y->number;
}

static uint32_t recordCount(const GenModel *model, GenIdKind kind)
{
    return kind == GEN_ID_PUPIL   ? model->pupilCount
           : kind == GEN_ID_STAFF ? model->staffCount
           : kind == GEN_ID_CONTACT ? model->contactCount
                                    : model->groupCount;
}

/* True when record i of this kind is a joiner; *newIndex gets its new ID number. */
static bool joinerAt(const GenModel *model, GenIdKind kind, uint32_t i, uint32_t *newIndex)
{
    uint8_t status;

    switch (kind) {
    case GEN_ID_PUPIL:
        status = model->pupils[i].status, *newIndex = model->pupils[i].newIndex;
        break;
    case GEN_ID_STAFF:
        status = model->staff[i].status, *newIndex = model->staff[i].newIndex;
        break;
    case GEN_ID_CONTACT:
        status = model->contacts[i].status, *newIndex = model->contacts[i].newIndex;
        break;
    default:
        status = model->groups[i].status, *newIndex = model->groups[i].newIndex;
        break;
    }
    return status == GEN_STATUS_JOINER;
}

/* The joiners of one kind, by new_id. */
static bool writeJoiners(Writer *w, const char *role, GenIdKind kind, Error *err)
{
    uint32_t count = recordCount(w->model, kind), found = 0, newIndex;
    Joiner *joiners = malloc(((size_t)count + 1) * sizeof *joiners);
    char newId[32];

    if (joiners == NULL)
        return errorSet(err, EXIT_INTERNAL, "gen: out of memory for joiners");
    for (uint32_t i = 0; i < count; i++) {
        if (!joinerAt(w->model, kind, i, &newIndex))
            continue;
        joiners[found].newIndex = newIndex;
        joiners[found++].number = genModelNewNumber(w->model, kind, newIndex);
    }
    qsort(joiners, found, sizeof *joiners, compareJoiners);
    for (uint32_t i = 0; i < found; i++) {
        genModelNewId(w->model, kind, joiners[i].newIndex, newId, sizeof newId);
        genOutPrintf(w->out, "%s,,%s,joiner,\n", role, newId);
    }
    free(joiners);
    return true;
}

static void writeGroups(Writer *w)
{
    char newId[32];

    for (uint32_t g = 0; g < w->model->groupCount; g++) {
        const GenGroup *group = &w->model->groups[g];
        if (group->groupId == 0)
            continue;
        genModelNewId(w->model, GEN_ID_GROUP, group->newIndex, newId, sizeof newId);
        genOutPrintf(w->out, "group,%u,%s,match,\n", group->groupId, newId);
    }
}

bool genTruthWrite(const GenModel *model, const char *dir, Error *err)
{
    GenOut out;
    Writer w = {model, &out};
    bool ok;

    if (!genOutOpen(&out, dir, "truth.csv", err))
        return false;
    genOutText(&out, "role,account,new_id,kind,noise\n");
    genAccountsEach(model, GEN_ROLE_PUPIL, writeAccount, &w);
    ok = writeJoiners(&w, "pupil", GEN_ID_PUPIL, err);
    genAccountsEach(model, GEN_ROLE_STAFF, writeAccount, &w);
    ok = ok && writeJoiners(&w, "staff", GEN_ID_STAFF, err);
    genAccountsEach(model, GEN_ROLE_PARENT, writeAccount, &w);
    ok = ok && writeJoiners(&w, "parent", GEN_ID_CONTACT, err);
    writeGroups(&w);
    ok = ok && writeJoiners(&w, "group", GEN_ID_GROUP, err);
    if (!ok) {
        Error ignored;
        genOutClose(&out, &ignored);
        return false;
    }
    return genOutClose(&out, err);
}
