/* cmd_apply.c — `misswitch apply`: the gates around a plan run. On a test copy: the plan runs
 * and, with the snapshot key, its success is attested in the plan folder. On live (--live):
 * only an attested plan, only with the importer frozen and no other run, only after a fresh
 * encrypted snapshot into the plan folder */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply_run.h"
#include "attestation.h"
#include "command.h"
#include "db.h"
#include "planfile.h"
#include "snapshot_key.h"
#include "snapshot_take.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] apply --plan DIR [--key-file FILE] [--skip-conflicts]\n"
           "       misswitch [-d CONNINFO] apply --plan DIR --live --key-file FILE\n\n"
           "Applies DIR/plan.sql in one transaction: a SAVEPOINT per step, every changed row\n"
           "journaled whole, the conversion checks before COMMIT. Any conflict or failed check\n"
           "rolls everything back. Prints the run it recorded (`run N`), which `revert` takes.\n"
           "A plan already applied here reports its run and changes nothing.\n\n"
           "Without --live the target must be a test copy (made by `restore`, or marked by\n"
           "`init --test-copy`); with the snapshot key, a passing run writes DIR/attestation.txt.\n"
           "With --live: refuses without that attestation, while the importer is not frozen, or\n"
           "while another run holds the database; takes a fresh encrypted snapshot into DIR first.\n\n"
           "  -p, --plan DIR        the plan folder written by `misswitch plan`\n"
           "  --live                apply to the live platform (see above)\n"
           "  --key-file FILE       the snapshot key (default: $MISSWITCH_KEY_FILE)\n"
           "  --skip-conflicts      apply the rows that still match the snapshot, record the\n"
           "                        others as skipped (default: any conflict stops the run)\n"
           "  -h, --help            show this help\n");
}

typedef struct ApplyOptions {
    const char *dir;
    const char *keyFile;
    bool live;
    bool skipConflicts;
} ApplyOptions;

/* The test copy's identity, for the attestation; refuses a database not marked as one. */
static bool readTestCopy(Db *db, Attestation *attestation, Error *err)
{
    DbResult *result = dbQuery(db, "read the test-copy mark",
                               "SELECT source_database, coalesce(snapshot_hash, ''), "
                               "pg_catalog.current_database(), "
                               "pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', "
                               "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM misswitch.test_copy",
                               0, NULL, err);
    if (result == NULL)
        return false;
    bool marked = dbResultRows(result) == 1;
    if (marked) {
        snprintf(attestation->sourceDatabase, sizeof attestation->sourceDatabase, "%s",
                 dbResultValue(result, 0, 0));
        snprintf(attestation->snapshotHash, sizeof attestation->snapshotHash, "%s",
                 dbResultValue(result, 0, 1));
        snprintf(attestation->database, sizeof attestation->database, "%s",
                 dbResultValue(result, 0, 2));
        snprintf(attestation->appliedAt, sizeof attestation->appliedAt, "%s",
                 dbResultValue(result, 0, 3));
    }
    dbResultFree(result);
    if (marked)
        return true;
    errorSet(err, EXIT_REFUSED, "database %s is not marked as a test copy", dbName(db));
    errorHint(err, "apply a plan to a test copy first: restore one with `misswitch restore`, or "
              "mark a copy made by other means with `misswitch init --test-copy`; the live "
              "platform takes only `apply --live`");
    return false;
}

/* Live gates: not a test copy, importer frozen, no other run (session lock kept until exit). */
static bool checkLiveGates(Db *db, Error *err)
{
    char state[64];

    if (!dbQueryValue(db, "live gates",
                      "SELECT (SELECT count(*) FROM misswitch.test_copy) || ' ' || "
                      "(misswitch.active_freeze() IS NOT NULL) || ' ' || "
                      "pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('misswitch'))",
                      0, NULL, state, sizeof state, NULL, err))
        return false;
    if (strncmp(state, "0 ", 2) != 0) {
        errorSet(err, EXIT_REFUSED, "database %s is a test copy, not live", dbName(db));
        errorHint(err, "apply to a test copy without --live");
        return false;
    }
    if (strncmp(state + 2, "true", 4) != 0) {
        errorSet(err, EXIT_REFUSED, "the importer of %s is not frozen", dbName(db));
        errorHint(err, "run: misswitch freeze (before the snapshot the plan was made from)");
        return false;
    }
    if (strcmp(strrchr(state, ' ') + 1, "true") != 0) {
        errorSet(err, EXIT_REFUSED, "another misswitch run holds database %s", dbName(db));
        errorHint(err, "wait for it to finish, then run again");
        return false;
    }
    return true;
}

static ExitCode applyTestCopy(const Options *options, const ApplyOptions *apply, Db *db,
                              const PlanFile *plan)
{
    Attestation attestation = {0};
    ApplyResult result;
    SnapshotKey key;
    const char *keyPath = apply->keyFile ? apply->keyFile : getenv(SNAPSHOT_KEY_FILE_ENV);
    Error err;

    if (!readTestCopy(db, &attestation, &err) ||
        !applyRun(options, db, plan, apply->skipConflicts, &result, &err))
        return commandFail(&err);
    commandSay(options, "apply: plan %.12s applied to test copy %s", plan->hash, dbName(db));
    if (keyPath == NULL) {
        commandSay(options, "apply: no snapshot key given: no attestation written, so "
                   "`apply --live` will refuse this plan");
    } else {
        snprintf(attestation.planHash, sizeof attestation.planHash, "%s", plan->hash);
        snprintf(attestation.run, sizeof attestation.run, "%s", result.run);
        snprintf(attestation.checks, sizeof attestation.checks, "%s", result.checks);
        attestation.allChecksOk = result.allChecksOk;
        bool written = snapshotKeyLoad(keyPath, &key, &err) &&
                       attestationWrite(apply->dir, &attestation, &key, &err);
        snapshotKeyForget(&key);
        if (!written) {
            commandSay(options, "run %s", result.run);
            errorPrefix(&err, "the run is applied, but its attestation was not written: ");
            return commandFail(&err);
        }
        commandSay(options, "apply: attested in %s/%s", apply->dir, ATTESTATION_FILE);
    }
    commandSay(options, "run %s", result.run);
    return EXIT_OK;
}

static ExitCode applyLive(const Options *options, const ApplyOptions *apply, Db *db,
                          const PlanFile *plan)
{
    Attestation attestation;
    ApplyResult result;
    SnapshotKey key;
    char snapshotPath[4096 + 64];
    char stamp[32];
    time_t now = time(NULL);
    struct tm utc;
    Error err;

    if (!snapshotKeyLoad(apply->keyFile, &key, &err))
        return commandFail(&err);
    bool attested = attestationVerify(apply->dir, plan->hash, &key, &attestation, &err);
    snapshotKeyForget(&key);
    if (!attested || !checkLiveGates(db, &err))
        return commandFail(&err);
    gmtime_r(&now, &utc);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    snprintf(snapshotPath, sizeof snapshotPath, "%s/live-before-%s.snapshot", apply->dir, stamp);
    commandSay(options, "apply: plan %.12s passed on test copy %s (run %s); snapshot of %s first",
               plan->hash, attestation.database, attestation.run, dbName(db));
    if (!snapshotTake(options->conninfo, apply->keyFile, snapshotPath, NULL, &err) ||
        !applyRun(options, db, plan, apply->skipConflicts, &result, &err))
        return commandFail(&err);
    commandSay(options, "apply: plan %.12s applied to live %s; snapshot before it: %s", plan->hash,
               dbName(db), snapshotPath);
    commandSay(options, "run %s", result.run);
    return EXIT_OK;
}

ExitCode commandApply(const Options *options, int argc, char **argv)
{
    /* "key" is listed only to be refused: getopt_long would take --key as --key-file */
    static const struct option LONG_OPTIONS[] = {{"plan", required_argument, NULL, 'p'},
                                                 {"live", no_argument, NULL, 'l'},
                                                 {"key-file", required_argument, NULL, 'k'},
                                                 {"key", required_argument, NULL, 'K'},
                                                 {"skip-conflicts", no_argument, NULL, 's'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    ApplyOptions apply = {0};
    char path[4096 + 16];
    char run[32] = "";
    PlanFile plan = {0};
    Db *db = NULL;
    Error err;
    ExitCode code;
    int opt;

    while ((opt = getopt_long(argc, argv, "p:h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'p':
            apply.dir = optarg;
            break;
        case 'l':
            apply.live = true;
            break;
        case 'k':
            apply.keyFile = optarg;
            break;
        case 's':
            apply.skipConflicts = true;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        case 'K':
            return commandUsageError("apply", "keys are never taken from the command line: "
                                              "give --key-file FILE or set MISSWITCH_KEY_FILE");
        default:
            return commandUsageError("apply", "unknown option");
        }
    }
    if (optind < argc)
        return commandUsageError("apply", "unexpected argument '%s'", argv[optind]);
    if (apply.dir == NULL)
        return commandUsageError("apply", "--plan DIR is required");
    if (apply.live && (apply.keyFile = snapshotKeyPath(apply.keyFile, &err)) == NULL)
        return commandUsageError("apply", "--live needs the snapshot key: --key-file FILE or "
                                 "MISSWITCH_KEY_FILE");

    snprintf(path, sizeof path, "%s/plan.sql", apply.dir);
    if (!planFileRead(path, &plan, &err) || (db = commandOpenDatabase(options, &err)) == NULL ||
        !applyFindRun(db, plan.hash, run, sizeof run, &err)) {
        code = commandFail(&err);
        goto cleanup;
    }
    if (run[0] != '\0') {
        commandSay(options, "apply: plan %.12s was already applied to %s as run %s; nothing changed",
                   plan.hash, dbName(db), run);
        if (options->json)
            printf("{\"run\": %s, \"already_applied\": true}\n", run);
        commandSay(options, "run %s", run);
        code = EXIT_OK;
        goto cleanup;
    }
    code = apply.live ? applyLive(options, &apply, db, &plan)
                      : applyTestCopy(options, &apply, db, &plan);
cleanup:
    dbClose(db);
    planFileFree(&plan);
    return code;
}
