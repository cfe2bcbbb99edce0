/* cmd_restore.c — `misswitch restore`: authenticate a snapshot whole, then restore a test copy */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child_process.h"
#include "command.h"
#include "db.h"
#include "json.h"
#include "migrate.h"
#include "snapshot_key.h"
#include "snapshot_stream.h"

static void printHelp(void)
{
    printf("Usage: misswitch restore --key-file FILE --in SNAPSHOT --into CONNINFO\n\n"
           "Makes a test copy from an encrypted snapshot. First the whole snapshot is\n"
           "authenticated in one pass, writing nothing: a wrong key, a damaged or truncated file\n"
           "restores nothing (exit 6). Then it is decrypted again straight into\n"
           "pg_restore --single-transaction --no-owner --no-privileges, the tool's schemas are\n"
           "brought up to date, and the database is marked as a test copy of the snapshot's\n"
           "source (source database and the snapshot's SHA-256, in misswitch.test_copy).\n\n"
           "  --key-file FILE  the snapshot key (default: $MISSWITCH_KEY_FILE)\n"
           "  --in FILE        the snapshot to restore\n"
           "  --into CONNINFO  the target database: it must exist and be empty\n"
           "                   (createdb NAME); a bare name or a libpq conninfo/URI\n"
           "  -h, --help       show this help\n");
}

/* libpq says `database "NAME" does not exist`: turn that into the command that fixes it. */
static void hintCreateDatabase(Error *err)
{
    const char *start = strstr(err->message, "database \"");
    const char *end = start != NULL ? strstr(start + 10, "\" does not exist") : NULL;

    if (start != NULL && end != NULL)
        errorHint(err, "the target database must exist: createdb %.*s", (int)(end - start - 10),
                  start + 10);
    else
        errorHint(err, "the target database must exist and be reachable with --into CONNINFO "
                       "(createdb NAME)");
}

/* pg_restore fails on objects that exist already; say so before it starts. */
static bool checkEmpty(Db *db, Error *err)
{
    char count[32];

    if (!dbQueryValue(db, "count relations in the target",
                      "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c "
                      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                      "AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'",
                      0, NULL, count, sizeof count, NULL, err))
        return false;
    if (strcmp(count, "0") == 0)
        return true;
    errorSet(err, EXIT_REFUSED, "database %s is not empty: it holds %s tables, views or sequences",
             dbName(db), count);
    errorHint(err, "restore into a new database: createdb NAME, then --into dbname=NAME");
    return false;
}

static bool markTestCopy(Db *db, const char *source, const char *hash, Error *err)
{
    const char *params[] = {source, hash};
    bool ok;
    MigrateResult migration;

    if (!migrateApply(db, true, &migration, err))
        return false;
    DbResult *result = dbQuery(db, "record the snapshot identity",
                               "UPDATE misswitch.test_copy SET source_database = $1, "
                               "snapshot_hash = $2, marked_by = 'restore', "
                               "marked_at = pg_catalog.now() RETURNING true",
                               2, params, err);
    if (result == NULL)
        return false;
    ok = dbResultRows(result) == 1;
    dbResultFree(result);
    if (!ok)
        return errorSet(err, EXIT_INTERNAL, "misswitch.test_copy has no row after marking");
    return true;
}

/* Streams the (already verified) snapshot into pg_restore. */
static bool runRestore(const SnapshotKey *key, FILE *input, const char *in, const char *into,
                       const SnapshotSummary *verified, Error *err)
{
    char *argv[] = {"pg_restore",    "--single-transaction", "--no-owner", "--no-privileges",
                    "--no-password", "--exit-on-error",      NULL,         NULL};
    char *dbnameArgument = malloc(strlen(into) + sizeof "--dbname=");
    SnapshotSummary decrypted;
    Child child;
    Error childErr;
    bool ok = false;

    errorClear(err);
    if (dbnameArgument == NULL)
        return errorSet(err, EXIT_INTERNAL, "out of memory");
    sprintf(dbnameArgument, "--dbname=%s", into);
    argv[6] = dbnameArgument;
    if (fseek(input, 0, SEEK_SET) != 0) {
        errorSet(err, EXIT_INPUT, "cannot rewind %s: %s", in, strerror(errno));
        goto cleanup;
    }
    if (!childStart(&child, argv, CHILD_PIPE_STDIN, err))
        goto cleanup;
    if (!snapshotDecrypt(key, input, child.fd, &decrypted, err) ||
        strcmp(decrypted.sha256, verified->sha256) != 0) {
        if (err->code == EXIT_QUERY) {
            /* pg_restore stopped reading: its own error says why */
            if (!childFinish(&child, NULL, 0, &childErr))
                *err = childErr;
            goto cleanup;
        }
        /* The file changed since it was verified: pg_restore must die before end of input, so
         * its single transaction never commits. */
        if (err->code == EXIT_OK)
            errorSet(err, EXIT_INPUT, "the file changed after it was verified");
        childKill(&child);
        childFinish(&child, NULL, 0, &childErr);
        errorPrefix(err, "snapshot %s failed authentication during restore: ", in);
        errorDetail(err, "pg_restore was stopped; nothing was restored");
        goto cleanup;
    }
    if (!childFinish(&child, NULL, 0, err))
        goto cleanup;
    ok = true;

cleanup:
    free(dbnameArgument);
    return ok;
}

static ExitCode restoreSnapshot(const Options *options, const char *keyPath, const char *in,
                                const char *into)
{
    char source[256];
    SnapshotSummary verified;
    SnapshotKey key = {{0}};
    FILE *input = NULL;
    Db *db = NULL;
    ExitCode code = EXIT_OK;
    struct stat st;
    Error err;
    int fd;

    errorClear(&err);
    if (!snapshotKeyLoad(keyPath, &key, &err))
        goto cleanup;
    fd = open(in, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || (input = fdopen(fd, "rb")) == NULL) {
        errorSet(&err, EXIT_INPUT, "cannot open snapshot %s: %s", in, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto cleanup;
    }
    /* two passes over the same bytes: a pipe or a device cannot be read twice */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        errorSet(&err, EXIT_INPUT, "snapshot %s is not a regular file", in);
        goto cleanup;
    }
    if (!snapshotVerify(&key, input, &verified, &err)) {
        errorPrefix(&err, "snapshot %s failed authentication: ", in);
        errorDetail(&err, "nothing was restored");
        goto cleanup;
    }
    if (!snapshotMetadataString(verified.metadata, "source_database", source, sizeof source)) {
        errorSet(&err, EXIT_INPUT, "snapshot %s names no source database in its metadata", in);
        goto cleanup;
    }
    commandSay(options, "restore: %s authenticated: %llu bytes, %llu chunks, from database %s",
               in, verified.fileBytes, verified.chunks, source);
    db = dbOpen(into, &err);
    if (db == NULL) {
        hintCreateDatabase(&err);
        goto cleanup;
    }
    if (!checkEmpty(db, &err))
        goto cleanup;
    if (!runRestore(&key, input, in, into, &verified, &err)) {
        if (err.code == EXIT_QUERY) {
            errorPrefix(&err, "restore into %s: ", dbName(db));
            errorHint(&err, "pg_restore ran in a single transaction: nothing was restored");
        }
        goto cleanup;
    }
    if (!markTestCopy(db, source, verified.sha256, &err)) {
        errorPrefix(&err, "restored into %s, but cannot mark it as a test copy: ", dbName(db));
        goto cleanup;
    }
    commandSay(options, "restore: %s is a test copy of %s (snapshot sha256 %s)", dbName(db),
               source, verified.sha256);
    if (options->json) {
        printf("{\"restored_into\": ");
        jsonWriteString(stdout, dbName(db));
        printf(", \"source_database\": ");
        jsonWriteString(stdout, source);
        printf(", \"snapshot_sha256\": \"%s\"}\n", verified.sha256);
    }

cleanup:
    if (err.code != EXIT_OK)
        code = commandFail(&err);
    dbClose(db);
    if (input != NULL)
        fclose(input);
    snapshotKeyForget(&key);
    return code;
}

ExitCode commandRestore(const Options *options, int argc, char **argv)
{
    /* "key" is not an option: without it getopt_long would take --key as --key-file */
    static const struct option LONG_OPTIONS[] = {
        {"key-file", required_argument, NULL, 'k'}, {"in", required_argument, NULL, 'i'},
        {"into", required_argument, NULL, 't'},     {"key", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    const char *keyOption = NULL;
    const char *keyPath;
    const char *in = NULL;
    const char *into = NULL;
    Error err;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'k':
            keyOption = optarg;
            break;
        case 'i':
            in = optarg;
            break;
        case 't':
            into = optarg;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        case 'K':
            return commandUsageError("restore", "keys are never taken from the command line: "
                                                "give --key-file FILE or set MISSWITCH_KEY_FILE");
        default:
            return commandUsageError("restore", "unknown option");
        }
    }
    if (optind < argc)
        return commandUsageError("restore", "unexpected argument '%s'", argv[optind]);
    if (in == NULL || in[0] == '\0')
        return commandUsageError("restore", "--in FILE is required");
    if (into == NULL || into[0] == '\0')
        return commandUsageError("restore", "--into CONNINFO is required");
    keyPath = snapshotKeyPath(keyOption, &err);
    if (keyPath == NULL)
        return commandUsageError("restore", "%s", err.message);
    return restoreSnapshot(options, keyPath, in, into);
}
