/* cmd_plan.c — `misswitch plan`: write plan.sql, the reports, the review queue and the list
 * of new accounts from the current decisions */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "files.h"
#include "json.h"
#include "luahost.h"
#include "planfile.h"
#include "report.h"
#include "strbuf.h"
#include "summary.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] [--profile FILE] plan --out DIR\n\n"
           "Writes the change as a plan folder (mode 0700; files 0600, they hold names):\n"
           "  plan.sql          self-contained, set-based, guarded steps; runs the same on a test\n"
           "                    copy and on live, through `misswitch apply` or by hand with\n"
           "                    psql -1 -v ON_ERROR_STOP=1 -f plan.sql\n"
           "  report.txt/.csv/.html   what happens to every account, for the school to check\n"
           "  review.csv        decisions a person must make (columns of an overrides file)\n"
           "  new-accounts.csv  everyone the next import gives a new account and credentials\n\n"
           "  -o, --out DIR     the plan folder (created if missing)\n"
           "  -h, --help        show this help\n");
}

/*
 * Every query of a plan reads whole work tables (hundreds of thousands of rows at 100 k pupils)
 * and sorts them for the reports: sorts in memory rather than on disk, bulk hash joins rather
 * than an index probe per row (nested loops chosen on estimates that are off by 100x), and no
 * JIT compilation, which cost more than running the queries. The files are the same: every
 * ORDER BY of the plan and its reports ends with the rows' IDs, whatever the plan's shape.
 */
#define PLAN_SETTINGS                                                                            \
    "SET LOCAL work_mem = '128MB'; SET LOCAL enable_nestloop = off; SET LOCAL jit = off"

typedef struct PlanInputs {
    SqlStatementList platform; /* the profile's write steps */
    char *relinkData;          /* INSERT of the relinks, quoted by the server; NULL if none */
    char *otherData;           /* INSERTs of merges, relationships, review list ("" if none) */
    char database[256];
    char madeAt[64];
    char relinks[32];
} PlanInputs;

static bool readInputs(Db *db, PlanInputs *inputs, Error *err)
{
    /* The relinks' statement and their number from one pass over the decisions. */
    DbResult *result = dbQuery(db, "plan data",
                               "SELECT r.statement, pg_catalog.current_database(), "
                               "pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', "
                               "'YYYY-MM-DD HH24:MI:SS \"UTC\"'), r.relinks "
                               "FROM misswitch_work.plan_relink_data() r",
                               0, NULL, err);
    if (result == NULL)
        return false;
    const char *data = dbResultValue(result, 0, 0);
    inputs->relinkData = data ? strdup(data) : NULL;
    snprintf(inputs->database, sizeof inputs->database, "%s", dbResultValue(result, 0, 1));
    snprintf(inputs->madeAt, sizeof inputs->madeAt, "%s", dbResultValue(result, 0, 2));
    snprintf(inputs->relinks, sizeof inputs->relinks, "%s", dbResultValue(result, 0, 3));
    dbResultFree(result);
    if (data != NULL && inputs->relinkData == NULL)
        return errorSet(err, EXIT_INTERNAL, "out of memory");

    StrBuf other = {0};
    result = dbQuery(db, "plan data",
                     "SELECT * FROM misswitch_work.plan_data_statements() "
                     "UNION ALL SELECT * FROM misswitch_work.plan_school_statements() "
                     "UNION ALL SELECT * FROM misswitch_work.plan_group_statements()",
                     0, NULL, err);
    if (result == NULL)
        return false;
    for (int row = 0; row < dbResultRows(result); row++)
        strBufAppendFormat(&other, "%s\n", dbResultValue(result, row, 0));
    dbResultFree(result);
    if (other.failed) {
        strBufFree(&other);
        return errorSet(err, EXIT_INTERNAL, "out of memory");
    }
    inputs->otherData = strdup(strBufText(&other));
    strBufFree(&other);
    return inputs->otherData ? true : errorSet(err, EXIT_INTERNAL, "out of memory");
}

/* Appends every platform statement whose name starts with prefix, separated by blank lines. */
static void appendStatements(StrBuf *out, const SqlStatementList *list, const char *prefix)
{
    for (size_t i = 0; i < list->count; i++)
        if (strncmp(list->items[i].name, prefix, strlen(prefix)) == 0)
            strBufAppendFormat(out, "%s%s\n", out->length ? "\n" : "", list->items[i].sql);
}

/*
 * The steps, in order: data (the rows the plan carries and the view the checks read), conflicts
 * (compare every guarded row before changing any), one savepointed step per kind of change,
 * then the checks that end the run.
 */
static bool writePlan(const char *dir, const PlanInputs *inputs, char *hash, Error *err)
{
    const SqlStatementList *platform = &inputs->platform;
    StrBuf data = {0}, conflicts = {0}, plan = {0}, header = {0};
    PlanStep steps[16];
    StrBuf stepText[16] = {{0}};
    size_t count = 0;
    char path[4096 + 16];
    OutputFile file = {0};
    bool ok = false;

    strBufAppend(&data, inputs->relinkData ? inputs->relinkData
                                           : "-- this plan relinks no accounts");
    strBufAppend(&data, "\n");
    strBufAppend(&data, inputs->otherData);
    appendStatements(&data, platform, "view:");
    appendStatements(&conflicts, platform, "freeze:");
    appendStatements(&conflicts, platform, "conflicts:");
    appendStatements(&conflicts, platform, "facts:");
    steps[count++] = (PlanStep){"data", (char *)strBufText(&data)};
    steps[count++] = (PlanStep){"conflicts", (char *)strBufText(&conflicts)};
    for (size_t i = 0; i < platform->count && count < 15; i++) {
        const char *name = platform->items[i].name;
        if (strncmp(name, "step:", 5) != 0)
            continue;
        strBufAppendFormat(&stepText[count], "SAVEPOINT %s;\n%s\nRELEASE SAVEPOINT %s;", name + 5,
                           platform->items[i].sql, name + 5);
        steps[count] = (PlanStep){(char *)name + 5, (char *)strBufText(&stepText[count])};
        count++;
    }
    steps[count++] = (PlanStep){"checks", "SELECT misswitch.run_finish();"};

    strBufAppendFormat(&header,
                       "made %s from database %s\n"
                       "relinks: %s account(s)\n"
                       "Apply with `misswitch apply --plan DIR` (a test copy first), or by hand:\n"
                       "  psql -1 -v ON_ERROR_STOP=1 -f plan.sql\n"
                       "Nothing below may be edited: apply refuses a plan whose body no longer\n"
                       "matches its hash.",
                       inputs->madeAt, inputs->database, inputs->relinks);
    if (!planFileCompose(&plan, strBufText(&header), steps, count, hash, err))
        goto cleanup;
    snprintf(path, sizeof path, "%s/plan.sql", dir);
    if (!outputFileOpen(&file, path, err))
        goto cleanup;
    fwrite(strBufText(&plan), 1, plan.length, file.stream);
    ok = outputFileCommit(&file, err);

cleanup:
    outputFileAbandon(&file);
    for (size_t i = 0; i < sizeof stepText / sizeof stepText[0]; i++)
        strBufFree(&stepText[i]);
    strBufFree(&data);
    strBufFree(&conflicts);
    strBufFree(&plan);
    strBufFree(&header);
    return ok;
}

/* Starts a read-only transaction on db in the snapshot another connection exported, with the
 * plan's settings. */
static bool beginInSnapshot(Db *db, const char *snapshot, Error *err)
{
    const char *params[1] = {snapshot};
    char sql[160];

    /* SET TRANSACTION SNAPSHOT takes a literal, not a parameter, and must come before any query
     * of its transaction: the server quotes the ID first. */
    if (!dbQueryValue(db, "import snapshot",
                      "SELECT 'SET TRANSACTION SNAPSHOT ' || pg_catalog.quote_literal($1)", 1,
                      params, sql, sizeof sql, NULL, err))
        return false;
    return dbExec(db, "begin", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err) &&
           dbExec(db, "import snapshot", sql, err) && dbExec(db, "plan settings", PLAN_SETTINGS, err);
}

/* Runs a report query and writes it with writer into dir/name. */
static bool writeCsvReport(Db *db, const char *dir, const char *name, const char *sql, Error *err)
{
    char path[4096 + 64];
    DbResult *rows = dbQuery(db, name, sql, 0, NULL, err);
    bool ok;

    if (rows == NULL)
        return false;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ok = reportWriteCsv(path, rows, err);
    dbResultFree(rows);
    return ok;
}

/* The reports, from the plan's snapshot; summary is misswitch_work.summary() (summaryQuery),
 * accounts misswitch_work.report_accounts(). */
static bool writeReports(Db *db, const char *dir, const PlanInputs *inputs, const char *hash,
                         const DbResult *summary, const DbResult *accounts, Error *err)
{
    DbResult *review = NULL, *leavers = NULL;
    char path[4096 + 64];
    char header[1024];
    bool ok = false;

    review = dbQuery(db, "review", "SELECT * FROM misswitch_work.review_queue()", 0, NULL, err);
    leavers = review ? dbQuery(db, "leavers", "SELECT * FROM misswitch_work.leavers()", 0, NULL, err)
                     : NULL;
    if (leavers == NULL)
        goto cleanup;
    snprintf(header, sizeof header, "misswitch plan %s\nmade %s from database %s", hash,
             inputs->madeAt, inputs->database);
    snprintf(path, sizeof path, "%s/report.txt", dir);
    if (!reportWriteText(path, header, summary, review, leavers, err))
        goto cleanup;
    snprintf(path, sizeof path, "%s/report.csv", dir);
    if (!reportWriteCsv(path, accounts, err))
        goto cleanup;
    snprintf(path, sizeof path, "%s/report.html", dir);
    if (!reportWriteHtml(path, "misswitch plan report", summary, accounts, err))
        goto cleanup;
    snprintf(path, sizeof path, "%s/review.csv", dir);
    if (!reportWriteCsv(path, review, err))
        goto cleanup;
    ok = writeCsvReport(db, dir, "new-accounts.csv",
                        "SELECT * FROM misswitch_work.new_accounts()", err);
cleanup:
    dbResultFree(review);
    dbResultFree(leavers);
    return ok;
}

ExitCode commandPlan(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {
        {"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    char profilePath[4096];
    char hash[PLANFILE_HASH_HEX + 1];
    PlanInputs inputs = {0};
    LuaHost *host = NULL;
    Db *db = NULL;
    Db *reportDb = NULL;
    DbResult *summary = NULL, *accounts = NULL;
    char snapshot[64];
    Error err;
    ExitCode code = EXIT_OK;
    int opt;

    while ((opt = getopt_long(argc, argv, "o:h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'o':
            dir = optarg;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        default:
            return commandUsageError("plan", "unknown option");
        }
    }
    if (optind < argc)
        return commandUsageError("plan", "unexpected argument '%s'", argv[optind]);
    if (dir == NULL)
        return commandUsageError("plan", "--out DIR is required");

    commandProfilePath(options, profilePath, sizeof profilePath);
    host = luaHostNew(options->rulesDir, NULL, &err);
    if (host == NULL || !luaHostCompile(host, profilePath, "lib.profile", "write_steps", NULL,
                                        &inputs.platform, &err))
        goto fail;
    db = commandOpenDatabase(options, &err);
    if (db == NULL || !summaryRequirePlatformAndExtract(db, &err))
        goto fail;
    char matched[8];
    if (!dbQueryValue(db, "look for decisions",
                      "SELECT count(*) FROM misswitch_work.match_run", 0, NULL, matched,
                      sizeof matched, NULL, &err))
        goto fail;
    if (strcmp(matched, "0") == 0) {
        errorSet(&err, EXIT_REFUSED, "nothing has been matched in %s yet", dbName(db));
        errorHint(&err, "run: misswitch match");
        goto fail;
    }
    /* One snapshot for the plan, its reports and the summary printed last (the same rows). The
     * report of every account is read on a second connection, in the same snapshot, while this
     * one reads the plan's data: the two largest queries of a plan run on two cores at once. */
    if (!dbExec(db, "begin", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &err) ||
        !dbExec(db, "plan settings", PLAN_SETTINGS, &err) ||
        !dbQueryValue(db, "export snapshot", "SELECT pg_catalog.pg_export_snapshot()", 0, NULL,
                      snapshot, sizeof snapshot, NULL, &err))
        goto fail;
    reportDb = commandOpenDatabase(options, &err);
    if (reportDb == NULL || !beginInSnapshot(reportDb, snapshot, &err) ||
        !dbSend(reportDb, "accounts", "SELECT * FROM misswitch_work.report_accounts()", &err))
        goto fail;
    if (!readInputs(db, &inputs, &err) || !filesMakeDirectory(dir, &err) ||
        !writePlan(dir, &inputs, hash, &err) || (summary = summaryQuery(db, &err)) == NULL ||
        (accounts = dbWaitQuery(reportDb, "accounts", &err)) == NULL ||
        !dbExec(reportDb, "commit", "COMMIT", &err) ||
        !writeReports(db, dir, &inputs, hash, summary, accounts, &err))
        goto fail;

    commandSay(options, "plan: %s relink(s); plan %.12s written to %s/plan.sql", inputs.relinks,
               hash, dir);
    if (options->json) {
        printf("{\"plan\": ");
        jsonWriteString(stdout, dir);
        printf(", \"hash\": \"%s\", \"relinks\": %s, ", hash, inputs.relinks);
    }
    summaryShow(options, summary, "plan", options->json);
    if (!dbExec(db, "commit", "COMMIT", &err))
        goto fail;
    if (options->json)
        printf("}\n");
    goto cleanup;

fail:
    code = commandFail(&err);
    dbCancel(reportDb); /* its report query may still be running */
cleanup:
    dbResultFree(summary);
    dbResultFree(accounts);
    dbClose(reportDb);
    dbClose(db);
    free(inputs.relinkData);
    free(inputs.otherData);
    sqlStatementListFree(&inputs.platform);
    luaHostFree(host);
    return code;
}
