/* cmd_snapshot.c — `misswitch snapshot`: pg_dump -Fc of the target, encrypted into one file */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "command.h"
#include "json.h"
#include "snapshot_key.h"
#include "snapshot_take.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] snapshot --key-file FILE --out FILE\n\n"
           "Takes an encrypted snapshot of the database: pg_dump --format=custom, streamed\n"
           "through libsodium's secretstream (XChaCha20-Poly1305) into FILE (mode 0600; it\n"
           "appears only once complete). Nothing unencrypted touches the disk. The format is\n"
           "described in docs/snapshots.md; 'misswitch restore' makes a test copy from it.\n\n"
           "  --key-file FILE  the snapshot key (default: $MISSWITCH_KEY_FILE); make one with\n"
           "                   'misswitch keygen'. Keys are never taken from the command line.\n"
           "  --out FILE       the snapshot to write\n"
           "  -h, --help       show this help\n\n"
           "pg_dump must be on PATH and able to connect without a password prompt\n"
           "(~/.pgpass, PGPASSWORD or a conninfo), like misswitch itself.\n");
}

static ExitCode takeSnapshot(const Options *options, const char *keyPath, const char *out)
{
    struct timespec start;
    SnapshotTaken taken;
    Error err;

    clock_gettime(CLOCK_MONOTONIC, &start);
    if (!snapshotTake(options->conninfo, keyPath, out, &taken, &err))
        return commandFail(&err);
    commandSay(options, "snapshot: wrote %s: %llu bytes (pg_dump archive %llu bytes) of database %s "
               "in %.1f s", out, taken.summary.fileBytes, taken.summary.plainBytes, taken.database,
               commandSecondsSince(&start));
    if (options->json) {
        printf("{\"snapshot\": ");
        jsonWriteString(stdout, out);
        printf(", \"bytes\": %llu, \"sha256\": \"%s\", \"source_database\": ",
               taken.summary.fileBytes, taken.summary.sha256);
        jsonWriteString(stdout, taken.database);
        printf("}\n");
    }
    return EXIT_OK;
}

ExitCode commandSnapshot(const Options *options, int argc, char **argv)
{
    /* "key" is not an option: without it getopt_long would take --key as --key-file */
    static const struct option LONG_OPTIONS[] = {
        {"key-file", required_argument, NULL, 'k'}, {"out", required_argument, NULL, 'o'},
        {"key", required_argument, NULL, 'K'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *keyOption = NULL;
    const char *keyPath;
    const char *out = NULL;
    Error err;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'k':
            keyOption = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        case 'K':
            return commandUsageError("snapshot", "keys are never taken from the command line: "
                                                 "give --key-file FILE or set MISSWITCH_KEY_FILE");
        default:
            return commandUsageError("snapshot", "unknown option");
        }
    }
    if (optind < argc)
        return commandUsageError("snapshot", "unexpected argument '%s'", argv[optind]);
    if (out == NULL || out[0] == '\0')
        return commandUsageError("snapshot", "--out FILE is required");
    keyPath = snapshotKeyPath(keyOption, &err);
    if (keyPath == NULL)
        return commandUsageError("snapshot", "%s", err.message);
    return takeSnapshot(options, keyPath, out);
}
