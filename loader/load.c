/* load.c — `misswitch load`: dispatches to the extract or the platform loader */
#include <stdio.h>
#include <string.h>

#include "load.h"

static void printHelp(void)
{
    printf("Usage: misswitch load extract FILE [--format auto|native|ctf|ims] [--as new|old]\n"
           "       misswitch load platform [--from CONNINFO]\n\n"
           "Loads into the staging schema of the working database (-d), atomically: a file that\n"
           "fails loads nothing and leaves the previous load intact.\n\n"
           "  extract FILE   an MIS XML extract; re-loading replaces the earlier load of the same\n"
           "                 school, role and format only\n"
           "  platform       the platform's schools, accounts, parent-child links, groups and\n"
           "                 content counts, read through the profile (--profile)\n\n"
           "Run 'misswitch load extract --help' or 'misswitch load platform --help' for options.\n");
}

ExitCode commandLoad(const Options *options, int argc, char **argv)
{
    if (argc < 2)
        return commandUsageError("load", "say what to load: 'extract FILE' or 'platform'");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printHelp();
        return EXIT_OK;
    }
    if (strcmp(argv[1], "extract") == 0)
        return loadExtract(options, argc - 1, argv + 1);
    if (strcmp(argv[1], "platform") == 0)
        return loadPlatform(options, argc - 1, argv + 1);
    return commandUsageError("load", "unknown source '%s': expected 'extract' or 'platform'",
                             argv[1]);
}
