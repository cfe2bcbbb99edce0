/* gen_platform.c — writes platform.sql: the reference platform schema and a generated school */
#include "gen_platform.h"

#include <stdio.h>
#include <string.h>

#include "embedded.h"
#include "gen_accounts.h"
#include "gen_date.h"
#include "gen_out.h"
#include "gen_person.h"

#define BATCH_ROWS 1000

/* One multi-row INSERT in the making: the head before the first row, ";" after the last. */
typedef struct Batch {
    GenOut *out;
    const char *head;
    unsigned rows;
} Batch;

static void batchRow(Batch *batch)
{
    genOutText(batch->out, batch->rows == 0 ? batch->head : ",\n");
}

static void batchRowDone(Batch *batch)
{
    if (++batch->rows == BATCH_ROWS) {
        genOutText(batch->out, ";\n");
        batch->rows = 0;
    }
}

static void batchEnd(Batch *batch)
{
    if (batch->rows > 0)
        genOutText(batch->out, ";\n");
    batch->rows = 0;
}

typedef struct Writer {
    const GenModel *model;
    GenOut *out;
    Batch batch;
    uint32_t nextContentId;
} Writer;

static void writeSchools(Writer *w)
{
    Batch batch = {w->out, "INSERT INTO platform.school (school_id, name, lea_code, dfe_number, urn) VALUES\n", 0};

    for (uint32_t s = 0; s < w->model->schoolCount; s++) {
        const GenSchool *school = &w->model->schools[s];
        batchRow(&batch);
        genOutPrintf(w->out, "(%u, ", school->schoolId);
        genOutSqlLiteral(w->out, school->name);
        genOutPrintf(w->out, ", '%s', '%s', '%s')", school->lea, school->dfe, school->urn);
        batchRowDone(&batch);
    }
    batchEnd(&batch);
}

static void personOf(const GenModel *model, const GenAccount *account, GenPerson *person)
{
    if (account->role == GEN_ROLE_PUPIL)
        genPersonPupil(model, account->index, GEN_SIDE_OLD, person);
    else if (account->role == GEN_ROLE_STAFF)
        genPersonStaff(model, account->index, GEN_SIDE_OLD, person);
    else
        genPersonContact(model, account->index, GEN_SIDE_OLD, person);
}

static uint32_t oldIdOf(const GenModel *model, const GenAccount *account)
{
    if (account->role == GEN_ROLE_PUPIL)
        return model->pupils[account->index].oldId;
    if (account->role == GEN_ROLE_STAFF)
        return model->staff[account->index].oldId;
    return model->contacts[account->index].oldId;
}

/* The day a pupil joined the school: the start of the school's first year, as many years ago
 * as they have been there; 0 for adults. */
static int64_t joinedDay(const GenModel *model, const GenAccount *account)
{
    const GenPupil *pupil;

    if (account->role != GEN_ROLE_PUPIL)
        return 0;
    pupil = &model->pupils[account->index];
    return genDateDays(GEN_ACADEMIC_YEAR_START - (pupil->year -
                                                   model->schools[pupil->school].firstYear), 9, 1);
}

static void writeUser(void *context, const GenAccount *account)
{
    static const char *const TYPES[] = {"", "pupil", "staff", "", "parent"};
    Writer *w = context;
    GenPerson person;
    GenActivity activity;
    char username[96], password[80], oldId[16];

    personOf(w->model, account, &person);
    genActivityOf(account->seed, account->account, account->role, account->use,
                  joinedDay(w->model, account), &activity);
    genAccountsUsername(person.forename, person.surname, account->account, username, sizeof username);
    genAccountsPasswordHash(account->seed, account->account, password, sizeof password);
    genModelOldId(oldIdOf(w->model, account), oldId, sizeof oldId);
    batchRow(&w->batch);
    genOutPrintf(w->out, "(%u, %u, '%s', ", account->account, account->schoolId,
                 TYPES[account->role]);
    genOutSqlLiteral(w->out, account->staffRole);
    genOutText(w->out, ", ");
    genOutSqlLiteral(w->out, username);
    genOutPrintf(w->out, ", '%s', ", password);
    genOutSqlLiteral(w->out, person.forename);
    genOutText(w->out, ", ");
    genOutSqlLiteral(w->out, person.surname);
    genOutText(w->out, ", ");
    genOutSqlLiteral(w->out, account->role == GEN_ROLE_PARENT ? NULL : person.dob);
    genOutText(w->out, ", ");
    genOutSqlLiteral(w->out, person.email);
    genOutText(w->out, ", ");
    genOutSqlLiteral(w->out, account->role == GEN_ROLE_PUPIL ? person.upn : NULL);
    genOutPrintf(w->out, ", '%s', '%s', '%s', ", GEN_OLD_MIS, oldId, activity.createdAt);
    genOutSqlLiteral(w->out, activity.lastLogin);
    genOutText(w->out, ", false)");
    batchRowDone(&w->batch);
}

static void writeParentLink(Writer *w, uint32_t parent, uint32_t child, const char *relationship)
{
    batchRow(&w->batch);
    genOutPrintf(w->out, "(%u, %u, ", parent, child);
    genOutSqlLiteral(w->out, relationship);
    genOutText(w->out, ")");
    batchRowDone(&w->batch);
}

static void writeParentLinks(void *context, const GenAccount *account)
{
    Writer *w = context;
    const GenModel *model = w->model;
    const GenContact *contact = &model->contacts[account->index];
    const GenFamily *family = &model->families[contact->family];
    GenRelation relation = genPersonRelation(model, account->index);

    if (account->child != GEN_NONE) {
        writeParentLink(w, account->account, model->pupils[account->child].account, relation.type);
        return;
    }
    for (uint32_t p = family->firstPupil; p < family->firstPupil + family->pupilCount; p++)
        if (model->pupils[p].account != 0 && model->pupils[p].school == contact->school)
            writeParentLink(w, account->account, model->pupils[p].account, relation.type);
}

static void writeGroups(Writer *w)
{
    Batch batch = {w->out, "INSERT INTO platform.groups (group_id, school_id, code, name, kind, "
                           "academic_year, mis_source, mis_id) VALUES\n", 0};
    Batch members = {w->out, "INSERT INTO platform.group_members (group_id, user_id) VALUES\n", 0};
    const GenModel *model = w->model;
    char code[32], name[64];

    for (uint32_t g = 0; g < model->groupCount; g++) {
        const GenGroup *group = &model->groups[g];
        if (group->groupId == 0)
            continue;
        genModelGroupNames(group, code, sizeof code, name, sizeof name);
        batchRow(&batch);
        genOutPrintf(w->out, "(%u, %u, '%s', '%s', 'registration', '%s', '%s', '%u')",
                     group->groupId, model->schools[group->school].schoolId, code, name,
                     GEN_ACADEMIC_YEAR, GEN_OLD_MIS, group->oldId);
        batchRowDone(&batch);
    }
    batchEnd(&batch);
    for (uint32_t g = 0; g < model->groupCount; g++) {
        const GenGroup *group = &model->groups[g];
        if (group->groupId == 0)
            continue;
        for (uint32_t i = group->memberBegin; i < group->memberEnd; i++) {
            const GenPupil *pupil = &model->pupils[model->schoolOrder[i]];
            if (pupil->account == 0)
                continue;
            batchRow(&members);
            genOutPrintf(w->out, "(%u, %u)", group->groupId, pupil->account);
            batchRowDone(&members);
        }
        /* The tutor is a member through the teacher account, kept or not: a merge must move it. */
        if (group->tutor != GEN_NONE) {
            const GenStaff *tutor = &model->staff[group->tutor];
            uint32_t teacherAccount = tutor->duplicateAccount != 0 && !tutor->keptIsTeacher
                                          ? tutor->duplicateAccount
                                          : tutor->account;
            batchRow(&members);
            genOutPrintf(w->out, "(%u, %u)", group->groupId, teacherAccount);
            batchRowDone(&members);
        }
    }
    batchEnd(&members);
}

static void writeContent(void *context, const GenAccount *account)
{
    Writer *w = context;
    GenActivity activity;
    char title[96];
    const char *kind;

    genActivityOf(account->seed, account->account, account->role, account->use,
                  joinedDay(w->model, account), &activity);
    for (unsigned item = 0; item < activity.contentItems; item++) {
        genActivityContent(account->seed, account->account, account->role, item, &kind, title,
                           sizeof title);
        batchRow(&w->batch);
        genOutPrintf(w->out, "(%u, %u, '%s', ", ++w->nextContentId, account->account, kind);
        genOutSqlLiteral(w->out, title);
        genOutPrintf(w->out, ", '%s')", activity.lastLogin);
        batchRowDone(&w->batch);
    }
}

static void writeSchedules(Writer *w)
{
    Batch batch = {w->out, "INSERT INTO platform.importer_schedule (school_id, days, run_at, "
                           "enabled) VALUES\n", 0};

    for (uint32_t s = 0; s < w->model->schoolCount; s++) {
        batchRow(&batch);
        genOutPrintf(w->out, "(%u, '{mon,tue,wed,thu,fri}', '%02u:%02u', true)",
                     w->model->schools[s].schoolId, 1 + s / 6 % 4, s % 6 * 10);
        batchRowDone(&batch);
    }
    batchEnd(&batch);
}

static void setSequence(GenOut *out, const char *table, const char *column)
{
    genOutPrintf(out,
                 "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('platform.%s', '%s'), "
                 "COALESCE(pg_catalog.max(%s), 0) + 1, false) FROM platform.%s;\n",
                 table, column, column, table);
}

bool genPlatformWrite(const GenModel *model, const char *dir, const char *header,
                      long *dataOffset, Error *err)
{
    GenOut out;
    Writer w = {model, &out, {&out, NULL, 0}, 0};

    if (!genOutOpen(&out, dir, "platform.sql", err))
        return false;
    genOutPrintf(&out, "-- %s\n-- The reference platform with a generated school; run it in an "
                       "empty database.\n", header);
    genOutText(&out, "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n");
    genOutBytes(&out, EMBEDDED_PLATFORM_SCHEMA.text, EMBEDDED_PLATFORM_SCHEMA.length);
    genOutText(&out, "\n");
    *dataOffset = genOutOffset(&out);
    genOutText(&out, "-- data\n");
    writeSchools(&w);
    w.batch.head = "INSERT INTO platform.users (user_id, school_id, user_type, staff_role, "
                   "username, password_hash, forename, surname, dob, email, upn, mis_source, "
                   "mis_id, created_at, last_login, disabled) VALUES\n";
    genAccountsEach(model, GEN_ROLE_PUPIL | GEN_ROLE_STAFF | GEN_ROLE_PARENT, writeUser, &w);
    batchEnd(&w.batch);
    w.batch.head = "INSERT INTO platform.parent_child (parent_id, child_id, relationship) VALUES\n";
    genAccountsEach(model, GEN_ROLE_PARENT, writeParentLinks, &w);
    batchEnd(&w.batch);
    writeGroups(&w);
    w.batch.head = "INSERT INTO platform.content (content_id, owner_id, kind, title, created_at) "
                   "VALUES\n";
    genAccountsEach(model, GEN_ROLE_PUPIL | GEN_ROLE_STAFF | GEN_ROLE_PARENT, writeContent, &w);
    batchEnd(&w.batch);
    writeSchedules(&w);
    setSequence(&out, "school", "school_id");
    setSequence(&out, "users", "user_id");
    setSequence(&out, "groups", "group_id");
    setSequence(&out, "content", "content_id");
    return genOutClose(&out, err);
}
