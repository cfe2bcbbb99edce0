/* cmd_match.c — `misswitch match`: prepare the persons, then run the rules' passes in one
 * transaction, timed per pass */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "command.h"
#include "db.h"
#include "json.h"
#include "luahost.h"
#include "overrides.h"
#include "summary.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] match [--rules FILE] [--overrides FILE] [--show-sql]\n\n"
           "Matches every staged platform account to its new MIS record with the rules: Lua\n"
           "passes compiled to SQL and run in one transaction in the working database (after the\n"
           "persons they compare are prepared from staging, on two connections at once). Decisions\n"
           "land in misswitch_work.decision, replacing the previous match.\n\n"
           "  --rules FILE  ruleset to use (default: lua/rules/default.lua); a school's override\n"
           "                file requires the default and changes only what differs\n"
           "  --overrides FILE  manual decisions, applied before every rule: CSV with the header\n"
           "                account,target,decision,note (a reviewed review.csv as is); decision\n"
           "                force or forbid (target: a new MIS ID) or separate (target: another\n"
           "                platform account, never merged as a duplicate)\n"
           "  --show-sql    print the SQL the rules compile to, exactly as it would run (each\n"
           "                statement through misswitch_work.run_rules, as role misswitch_rules),\n"
           "                and run nothing\n"
           "  -h, --help    show this help\n");
}

/* Every pass runs through misswitch_work.run_rules: SECURITY DEFINER, owned by the NOLOGIN role
 * misswitch_rules, which reads staging and writes only misswitch_work. */
static const char RUN_RULES[] = "SELECT misswitch_work.run_rules($1)";

/* The statements that fill the prepared persons (misswitch_work.name_form, account_person,
 * record_person) from staging: they read nothing else and no pass writes what they fill, so
 * they run outside the passes' transaction, each committed on its own, while that transaction
 * holds the lock that keeps loads out. The names first; then the accounts and the records at
 * the same time, on two connections (the largest two statements of a match: two cores). */
static const char *const PREPARE_NAMES = "prepare names";
static const char *const PREPARE_PARALLEL[2] = {"prepare accounts", "prepare records"};

static bool isPrepareStatement(const char *name)
{
    return strcmp(name, PREPARE_NAMES) == 0 || strcmp(name, PREPARE_PARALLEL[0]) == 0 ||
           strcmp(name, PREPARE_PARALLEL[1]) == 0;
}

static void sayTime(const Options *options, const char *name, const struct timespec *started)
{
    if (options->verbosity >= VERBOSITY_NORMAL)
        commandSay(options, "match: %-24s %8.3f s", name, commandSecondsSince(started));
}

/* Runs the prepare statements on two connections of their own (see PREPARE_NAMES). */
static bool runPrepare(const Options *options, const SqlStatementList *passes, Error *err)
{
    const SqlStatement *names = sqlStatementListFind(passes, PREPARE_NAMES);
    const SqlStatement *parallel[2] = {sqlStatementListFind(passes, PREPARE_PARALLEL[0]),
                                       sqlStatementListFind(passes, PREPARE_PARALLEL[1])};
    Db *dbs[2] = {NULL, NULL};
    struct timespec started;
    bool ok = false;

    if (names == NULL || parallel[0] == NULL || parallel[1] == NULL)
        return errorSet(err, EXIT_RULE, "the rules compiled without their prepare statements");
    clock_gettime(CLOCK_MONOTONIC, &started);
    for (int i = 0; i < 2; i++)
        if ((dbs[i] = commandOpenDatabase(options, err)) == NULL)
            goto done;
    const char *params[1] = {names->sql};
    DbResult *result = dbQuery(dbs[0], names->name, RUN_RULES, 1, params, err);
    if (result == NULL)
        goto done;
    dbResultFree(result);
    sayTime(options, names->name, &started);

    clock_gettime(CLOCK_MONOTONIC, &started);
    int sent = 0;
    for (; sent < 2; sent++) {
        DbResult *rows;
        const char *sql = parallel[sent]->sql;
        /* dbSend has no parameters: the statement goes as a literal the server quotes. */
        rows = dbQuery(dbs[sent], parallel[sent]->name,
                       "SELECT 'SELECT misswitch_work.run_rules(' || pg_catalog.quote_literal($1) || ')'",
                       1, &sql, err);
        if (rows == NULL)
            break;
        bool sentOk = dbSend(dbs[sent], parallel[sent]->name, dbResultValue(rows, 0, 0), err);
        dbResultFree(rows);
        if (!sentOk)
            break;
    }
    ok = sent == 2;
    for (int i = 0; i < sent; i++) {
        Error statementErr;
        if (!dbWait(dbs[i], parallel[i]->name, &statementErr) && ok) {
            *err = statementErr;
            ok = false;
        }
    }
    if (ok)
        sayTime(options, "prepare accounts, records", &started);
done:
    dbClose(dbs[0]);
    dbClose(dbs[1]);
    return ok;
}

static bool runPasses(const Options *options, Db *db, const char *overrides,
                      const SqlStatementList *passes, Error *err)
{
    long overrideRows;

    /* READ COMMITTED whatever the database's default: each pass must see what the prepare
     * connections commit after this transaction began (a REPEATABLE READ snapshot taken by the
     * lock would show the prepared tables empty, TRUNCATE not being MVCC-safe). */
    if (!dbExec(db, "begin",
                "BEGIN ISOLATION LEVEL READ COMMITTED; "
                "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('misswitch'))",
                err))
        return false;
    if (!overridesLoad(db, overrides, &overrideRows, err))
        return false;
    if (overrides != NULL)
        commandSay(options, "match: %ld override(s) from %s", overrideRows, overrides);
    /* Nothing before this may touch the prepared tables: their TRUNCATE on the other
     * connections would wait for this transaction, which waits for them. */
    if (!runPrepare(options, passes, err))
        return false;
    for (size_t i = 0; i < passes->count; i++) {
        struct timespec started;
        const char *params[1] = {passes->items[i].sql};
        DbResult *result;

        if (isPrepareStatement(passes->items[i].name))
            continue;
        clock_gettime(CLOCK_MONOTONIC, &started);
        result = dbQuery(db, passes->items[i].name, RUN_RULES, 1, params, err);
        if (result == NULL) {
            errorPrefix(err, "pass %s: ", passes->items[i].name);
            return false;
        }
        dbResultFree(result);
        sayTime(options, passes->items[i].name, &started);
    }
    return dbExec(db, "commit", "COMMIT", err);
}

ExitCode commandMatch(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {{"rules", required_argument, NULL, 'r'},
                                                 {"show-sql", no_argument, NULL, 's'},
                                                 {"overrides", required_argument, NULL, 'o'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    char rulesPath[4096 + 32];
    const char *rules = NULL;
    const char *overrides = NULL;
    bool showSql = false;
    SqlStatementList passes = {0};
    LuaHost *host = NULL;
    Db *db = NULL;
    Error err;
    ExitCode code = EXIT_OK;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'r':
            rules = optarg;
            break;
        case 's':
            showSql = true;
            break;
        case 'o':
            overrides = optarg;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        default:
            return commandUsageError("match", "unknown option");
        }
    }
    if (optind < argc)
        return commandUsageError("match", "unexpected argument '%s'", argv[optind]);
    if (rules != NULL)
        snprintf(rulesPath, sizeof rulesPath, "%s", rules);
    else
        snprintf(rulesPath, sizeof rulesPath, "%s/default.lua", options->rulesDir);

    /* Compile first: a rule error runs nothing. */
    host = luaHostNew(options->rulesDir, NULL, &err);
    if (host == NULL ||
        !luaHostCompile(host, rulesPath, "lib.rules", "compile", rulesPath, &passes, &err))
        goto fail;
    if (showSql) {
        for (size_t i = 0; i < passes.count; i++)
            printf("-- %s\n%s\n\n", passes.items[i].name, passes.items[i].sql);
        goto cleanup;
    }
    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    db = commandOpenDatabase(options, &err);
    if (db == NULL || !summaryRequirePlatformAndExtract(db, &err) ||
        !runPasses(options, db, overrides, &passes, &err))
        goto fail;
    commandSay(options, "match: %zu passes in %.2f s with %s", passes.count,
               commandSecondsSince(&started), rulesPath);
    if (options->json)
        printf("{\"passes\": %zu, \"seconds\": %.3f, ", passes.count, commandSecondsSince(&started));
    if (!summaryPrint(options, db, "match", options->json, &err))
        goto fail;
    if (options->json)
        printf("}\n");
    goto cleanup;

fail:
    code = commandFail(&err);
cleanup:
    dbClose(db);
    sqlStatementListFree(&passes);
    luaHostFree(host);
    return code;
}
