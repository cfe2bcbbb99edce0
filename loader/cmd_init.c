/* cmd_init.c — `misswitch init`: install or upgrade the tool's schemas */
#include <getopt.h>
#include <stdio.h>

#include "command.h"
#include "db.h"
#include "json.h"
#include "migrate.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] init [--test-copy]\n\n"
           "Installs or upgrades misswitch's schemas (misswitch, misswitch_staging,\n"
           "misswitch_work) in the database: applies the migrations this binary carries, in one\n"
           "transaction, recording each with its checksum. Running it again changes nothing.\n"
           "Refuses a database whose recorded migrations differ from this binary's.\n\n"
           "  --test-copy   also mark this database as a test copy (a copy made with the\n"
           "                provider's own backup tools or CREATE DATABASE ... TEMPLATE);\n"
           "                `apply` without --live runs only on a test copy\n"
           "  -h, --help    show this help\n");
}

ExitCode commandInit(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {
        {"test-copy", no_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool testCopy = false;
    MigrateResult result;
    Error err;
    Db *db;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 't':
            testCopy = true;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        default:
            return commandUsageError("init", "unknown option");
        }
    }
    if (optind < argc)
        return commandUsageError("init", "unexpected argument '%s'", argv[optind]);

    db = dbOpen(options->conninfo, &err);
    if (db == NULL)
        return commandFail(&err);
    if (!migrateApply(db, testCopy, &result, &err)) {
        dbClose(db);
        return commandFail(&err);
    }
    if (result.applied > 0)
        commandSay(options, "init: applied %d migration%s to %s; schema version %04d",
                   result.applied, result.applied == 1 ? "" : "s", dbName(db), result.version);
    else
        commandSay(options, "init: %s is up to date at schema version %04d", dbName(db),
                   result.version);
    if (testCopy)
        commandSay(options, "init: %s is marked as a test copy", dbName(db));
    if (options->json) {
        printf("{\"database\": ");
        jsonWriteString(stdout, dbName(db));
        printf(", \"applied\": %d, \"version\": %d, \"test_copy\": %s}\n", result.applied,
               result.version, testCopy ? "true" : "false");
    }
    dbClose(db);
    return EXIT_OK;
}
