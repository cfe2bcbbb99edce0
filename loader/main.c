/* main.c — the command table, global options and dispatch of misswitch */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "paths.h"

typedef struct Command {
    const char *name;
    CommandHandler handler;
    const char *summary;
} Command;

/* The one command table. A command appears here only once it is built for real. */
static const Command COMMANDS[] = {
    {"init", commandInit, "install or upgrade the tool's schemas (--test-copy marks a test copy)"},
    {"gen", commandGen, "generate a synthetic school: platform, extracts and ground truth"},
    {"load", commandLoad, "load an MIS extract or the platform's users into staging"},
    {"match", commandMatch, "match platform accounts to new MIS records with the rules"},
    {"explain", commandExplain, "field-by-field reasons behind one account's match decision"},
    {"eval", commandEval, "measure the match decisions against a generated dataset's truth.csv"},
    {"plan", commandPlan, "write plan.sql, the report and the review queue"},
    {"apply", commandApply, "apply a plan to a test copy: one transaction, checks before COMMIT"},
    {"verify", commandVerify, "run the conversion checks on the target"},
    {"revert", commandRevert, "undo an applied run: its journal played backwards, guarded"},
    {"freeze", commandFreeze, "stop the platform's own MIS importer (journaled)"},
    {"thaw", commandThaw, "restore the importer exactly as freeze found it"},
    {"keygen", commandKeygen, "make a snapshot key file (mode 0600)"},
    {"snapshot", commandSnapshot, "encrypted snapshot of the target: pg_dump -Fc through libsodium"},
    {"restore", commandRestore, "authenticate a snapshot, then restore it as a test copy"},
};

static void printHelp(FILE *stream)
{
    fprintf(stream,
            "misswitch moves a school's learning platform onto a new MIS without duplicate\n"
            "accounts, lost work or downtime.\n\n"
            "Usage: misswitch [-d CONNINFO] [--profile FILE] [-q|-v] [--json] COMMAND [options]\n\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(stream, "  %-8s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(stream,
            "\nGlobal options:\n"
            "  -d, --dbname CONNINFO  database to work on (libpq conninfo or URI; default: PG* env)\n"
            "      --profile FILE     platform profile (default: lua/rules/profiles/reference.lua)\n"
            "  -q, --quiet            no progress or summaries on stderr\n"
            "  -v, --verbose          more detail on stderr\n"
            "      --json             machine-readable results on stdout\n"
            "  -h, --help             show this help and exit\n"
            "  -V, --version          show the version and exit\n\n"
            "Run 'misswitch COMMAND --help' for a command's options.\n"
            "Exit codes: 0 ok, 1 internal, 2 usage, 3 rule/config, 4 connection, 5 query,\n"
            "6 input file, 7 check failed, 8 conflicts, 9 refused by a gate.\n");
}

static int finish(int code)
{
    /* A full disk or closed pipe on stdout is an error, not a silent success. */
    if (fflush(stdout) != 0 || fclose(stdout) != 0) {
        perror("misswitch: cannot write standard output");
        return code == EXIT_OK ? EXIT_INTERNAL : code;
    }
    return code;
}

int main(int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {
        {"dbname", required_argument, NULL, 'd'}, {"profile", required_argument, NULL, 'P'},
        {"quiet", no_argument, NULL, 'q'},        {"verbose", no_argument, NULL, 'v'},
        {"json", no_argument, NULL, 'J'},         {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    Options options = {0};
    int opt;

    /* '+': stop at the command name; its options are the command's own. */
    while ((opt = getopt_long(argc, argv, "+d:qvhV", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'd':
            options.conninfo = optarg;
            options.conninfoGiven = true;
            break;
        case 'P':
            options.profilePath = optarg;
            break;
        case 'q':
            options.verbosity = VERBOSITY_QUIET;
            break;
        case 'v':
            options.verbosity = VERBOSITY_VERBOSE;
            break;
        case 'J':
            options.json = true;
            break;
        case 'h':
            printHelp(stdout);
            return finish(EXIT_OK);
        case 'V':
            printf("misswitch %s\n", MISSWITCH_VERSION);
            return finish(EXIT_OK);
        default:
            fprintf(stderr, "Try 'misswitch --help' for more information.\n");
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "misswitch: no command given\nTry 'misswitch --help' for more information.\n");
        return EXIT_USAGE;
    }
    pathsRulesDir(argv[0], options.rulesDir, sizeof options.rulesDir);

    int first = optind;
    const char *name = argv[first];
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        if (strcmp(name, COMMANDS[i].name) == 0) {
            optind = 0; /* glibc: re-initialise getopt for the command's own options */
            return finish(COMMANDS[i].handler(&options, argc - first, argv + first));
        }
    }
    fprintf(stderr, "misswitch: unknown command '%s'\nTry 'misswitch --help' for more information.\n",
            name);
    return EXIT_USAGE;
}
