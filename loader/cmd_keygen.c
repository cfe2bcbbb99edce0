/* cmd_keygen.c — `misswitch keygen`: make a snapshot key file (mode 0600, never overwritten) */
#include <getopt.h>
#include <stdio.h>

#include "command.h"
#include "json.h"
#include "snapshot_key.h"

static void printHelp(void)
{
    printf("Usage: misswitch keygen --out FILE\n\n"
           "Writes a new random snapshot key to FILE (64 hexadecimal digits and a newline),\n"
           "with mode 0600. An existing FILE is never overwritten: every snapshot made with a\n"
           "key needs that key to be restored. Keep the key off the database host; give it to\n"
           "snapshot and restore with --key-file FILE or the MISSWITCH_KEY_FILE environment\n"
           "variable (keys are never taken from the command line).\n\n"
           "  --out FILE    where to write the key (must not exist)\n"
           "  -h, --help    show this help\n");
}

ExitCode commandKeygen(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {
        {"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *out = NULL;
    Error err;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'o':
            out = optarg;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        default:
            return commandUsageError("keygen", "unknown option");
        }
    }
    if (optind < argc)
        return commandUsageError("keygen", "unexpected argument '%s'", argv[optind]);
    if (out == NULL || out[0] == '\0')
        return commandUsageError("keygen", "--out FILE is required");
    if (!snapshotKeyGenerate(out, &err))
        return commandFail(&err);
    commandSay(options, "keygen: wrote a new snapshot key to %s (mode 0600)", out);
    if (options->json) {
        printf("{\"key_file\": ");
        jsonWriteString(stdout, out);
        printf("}\n");
    }
    return EXIT_OK;
}
