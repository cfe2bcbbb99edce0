/* platform_load.c — `misswitch load platform`: the platform's facts into staging, through the
 * profile's read queries, streamed COPY to COPY in one snapshot and one transaction */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "json.h"
#include "load.h"
#include "luahost.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] [--profile FILE] load platform [--from CONNINFO]\n\n"
           "Reads the platform's schools, accounts, parent-child links, groups, memberships and\n"
           "content counts through the profile's read queries, from one consistent snapshot, and\n"
           "replaces misswitch_staging.platform_* in the working database in one transaction.\n"
           "These staged rows are the values every planned change is guarded by.\n\n"
           "  --from CONNINFO  read the platform from another database (default: the working\n"
           "                   database, where a test copy holds both)\n"
           "  -h, --help       show this help\n");
}

/* Rows copied for one kind of fact: COPY text ends every row with a newline. */
typedef struct Relay {
    Db *target;
    long rows;
} Relay;

static bool relayRows(void *context, const char *data, size_t length, Error *err)
{
    Relay *relay = context;

    for (size_t i = 0; i < length; i++)
        relay->rows += data[i] == '\n';
    return dbCopyInPut(relay->target, data, length, err);
}

/* Copies one kind of fact: COPY out of the platform straight into COPY in of staging. */
static bool copyKind(Db *source, Db *target, const SqlStatement *out, const SqlStatement *in,
                     long *rows, Error *err)
{
    Relay relay = {target, 0};

    if (!dbCopyInBegin(target, in->name, in->sql, err))
        return false;
    if (!dbCopyOut(source, out->name, out->sql, relayRows, &relay, err)) {
        Error ignored;
        dbCopyInEnd(target, "reading the platform failed", &ignored);
        errorHint(err, "check the profile's read.%.*s query", (int)strcspn(out->name, "."),
                  out->name);
        return false;
    }
    if (!dbCopyInEnd(target, NULL, err))
        return false;
    *rows = relay.rows;
    return true;
}

/* Rows staged per kind of fact, for the summary. */
#define MAX_KINDS 16
typedef struct LoadCounts {
    char kind[MAX_KINDS][32];
    long rows[MAX_KINDS];
    int count;
} LoadCounts;

static bool loadAll(const Options *options, Db *source, Db *target,
                    const SqlStatementList *statements, const char *sourceName,
                    const char *profilePath, LoadCounts *counts, Error *err)
{
    const char *params[2] = {sourceName, profilePath};

    if (statements->count < 3 || strcmp(statements->items[0].name, "truncate") != 0)
        return errorSet(err, EXIT_RULE, "lib.profile.read_statements returned an unexpected list");
    /* One snapshot of the platform for every kind of fact. */
    if (!dbExec(source, "begin snapshot", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err))
        return false;
    if (!dbExec(target, "begin", "BEGIN; SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('misswitch'))", err) ||
        !dbExec(target, "truncate staging", statements->items[0].sql, err))
        return false;
    for (size_t i = 1; i + 1 < statements->count; i += 2) {
        const SqlStatement *out = &statements->items[i];
        const SqlStatement *in = &statements->items[i + 1];
        long rows = 0;

        if (!copyKind(source, target, out, in, &rows, err))
            return false;
        commandSay(options, "load platform: %-13.*s %8ld rows", (int)strcspn(out->name, "."),
                   out->name, rows);
        if (counts->count < MAX_KINDS) {
            snprintf(counts->kind[counts->count], sizeof counts->kind[0], "%.*s",
                     (int)strcspn(out->name, "."), out->name);
            counts->rows[counts->count++] = rows;
        }
    }
    DbResult *result = dbQuery(target, "record platform load",
                               "INSERT INTO misswitch_staging.platform_load (source, profile) "
                               "VALUES ($1, $2) ON CONFLICT (singleton) DO UPDATE "
                               "SET source = excluded.source, profile = excluded.profile, "
                               "loaded_at = excluded.loaded_at",
                               2, params, err);
    if (result == NULL)
        return false;
    dbResultFree(result);
    return dbExec(target, "commit", "COMMIT", err) && dbExec(source, "end snapshot", "COMMIT", err);
}

ExitCode loadPlatform(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {
        {"from", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *from = NULL;
    char profilePath[4096];
    SqlStatementList statements = {0};
    LoadCounts counts = {0};
    LuaHost *host = NULL;
    Db *target = NULL;
    Db *source = NULL;
    Error err;
    ExitCode code = EXIT_OK;
    struct timespec started;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'f':
            from = optarg;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        default:
            return commandUsageError("load platform", "unknown option");
        }
    }
    if (optind < argc)
        return commandUsageError("load platform", "unexpected argument '%s'", argv[optind]);

    clock_gettime(CLOCK_MONOTONIC, &started);
    commandProfilePath(options, profilePath, sizeof profilePath);
    host = luaHostNew(options->rulesDir, NULL, &err);
    if (host == NULL || !luaHostCompile(host, profilePath, "lib.profile", "read_statements", NULL,
                                        &statements, &err))
        goto fail;
    target = commandOpenDatabase(options, &err);
    if (target == NULL)
        goto fail;
    /* A second connection even for the same database: COPY out and COPY in run at once. */
    source = dbOpen(from ? from : options->conninfo, &err);
    if (source == NULL)
        goto fail;
    if (!loadAll(options, source, target, &statements, dbName(source), profilePath, &counts, &err))
        goto fail;
    double seconds = commandSecondsSince(&started);
    if (options->json) {
        printf("{\"source\": ");
        jsonWriteString(stdout, dbName(source));
        printf(", \"rows\": {");
        for (int i = 0; i < counts.count; i++)
            printf("%s\"%s\": %ld", i ? ", " : "", counts.kind[i], counts.rows[i]);
        printf("}, \"seconds\": %.3f}\n", seconds);
    }
    commandSay(options, "load platform: staged from %s in %.2f s", dbName(source), seconds);
    goto cleanup;

fail:
    code = commandFail(&err);
cleanup:
    dbClose(source);
    dbClose(target);
    sqlStatementListFree(&statements);
    luaHostFree(host);
    return code;
}
