/* extract_command.c — `misswitch load extract FILE`: options, the load, the summary */
#define _XOPEN_SOURCE 700 /* realpath */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "command.h"
#include "db.h"
#include "extract_load.h"
#include "extract_reader.h"
#include "json.h"
#include "load.h"
#include "migrate.h"

/* Past this many, findings are only counted: the summary and load_finding have them all. */
#define MAX_PRINTED_WARNINGS 100

typedef struct WarningPrinter {
    long printed;
    bool quiet; /* -q: findings are counted and staged, not printed */
} WarningPrinter;

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] load extract FILE [--format auto|native|ctf|ims]\n"
           "                                             [--as new|old]\n\n"
           "Streams an MIS XML extract into misswitch_staging, atomically: a file that fails\n"
           "loads nothing and leaves the previous load intact. Re-loading replaces the earlier\n"
           "load of the same school (LEA/DfE), role and format only.\n\n"
           "  --format FORMAT  auto (default: from the root element <misswitch-extract>,\n"
           "                   <CTfile> or <enterprise>), native, ctf (DfE Common Transfer File\n"
           "                   19-25) or ims (IMS Enterprise 1.1)\n"
           "  --as ROLE        new (default): the new MIS's extract; old: the old MIS's last one\n"
           "  -h, --help       show this help\n\n"
           "Findings (a wrong UPN check letter, a date that is not a date) are recorded in\n"
           "misswitch_staging.load_finding and shown on stderr with file:line (not with -q);\n"
           "the record loads with the value unknown. A duplicate MIS ID, a link to an unknown\n"
           "pupil or member, or a malformed file fails the load and loads nothing (exit 6).\n");
}

static void printWarning(void *context, const char *file, long line, const char *message)
{
    WarningPrinter *printer = context;

    if (!printer->quiet && printer->printed++ < MAX_PRINTED_WARNINGS)
        fprintf(stderr, "misswitch: %s:%ld: warning: %s\n", file, line, message);
}

/* What a format's records are keyed by, when it is not the MIS's own IDs. */
static const char *formatNote(const ExtractFormat *format)
{
    if (strcmp(format->name, "ctf") == 0)
        return "CTF carries no MIS IDs: pupils are keyed by UPN and contacts by (pupil UPN, "
               "contact order), so plan can match them but relink nothing to them; no staff in CTF";
    if (strcmp(format->name, "ims") == 0)
        return "IMS persons are pupils, staff or contacts by their institution and membership "
               "roles; records with recstatus 3 (delete) are not staged";
    return NULL;
}

static void printSummary(const Options *options, const char *file, const ExtractFormat *format,
                         const char *role, const ExtractLoadResult *result, double seconds)
{
    commandSay(options, "load extract: %s (%s, as %s): %d school%s, %ld records in %.2f s "
               "(read and streamed %.2f s, indexes %.2f s, published %.2f s)",
               file, format->title, role, result->schoolCount,
               result->schoolCount == 1 ? "" : "s", result->records, seconds,
               result->readSeconds, result->indexSeconds, result->publishSeconds);
    for (int i = 0; i < result->schoolCount; i++) {
        const ExtractSchoolCount *s = &result->schools[i];
        commandSay(options,
                   "  %s %s: %ld pupils, %ld staff, %ld contacts, %ld relationships, %ld groups, "
                   "%ld memberships, %ld findings",
                   s->schoolKey, s->schoolName, s->pupils, s->staff, s->contacts,
                   s->relationships, s->groups, s->memberships, s->findings);
    }
    if (formatNote(format) != NULL)
        commandSay(options, "  note: %s", formatNote(format));
    if (result->findings > 0)
        commandSay(options, "load extract: %ld finding%s recorded in misswitch_staging.load_finding"
                   "%s", result->findings, result->findings == 1 ? "" : "s",
                   result->findings > MAX_PRINTED_WARNINGS ? " (only the first 100 shown)" : "");
    if (!options->json)
        return;
    printf("{\"file\": ");
    jsonWriteString(stdout, file);
    printf(", \"format\": ");
    jsonWriteString(stdout, format->name);
    printf(", \"role\": ");
    jsonWriteString(stdout, role);
    printf(", \"records\": %ld, \"findings\": %ld, \"elapsed_seconds\": %.3f, "
           "\"read_seconds\": %.3f, \"index_seconds\": %.3f, \"publish_seconds\": %.3f, "
           "\"note\": ",
           result->records, result->findings, seconds, result->readSeconds, result->indexSeconds,
           result->publishSeconds);
    if (formatNote(format) != NULL)
        jsonWriteString(stdout, formatNote(format));
    else
        printf("null");
    printf(", \"schools\": [");
    for (int i = 0; i < result->schoolCount; i++) {
        const ExtractSchoolCount *s = &result->schools[i];
        printf("%s{\"school\": ", i ? ", " : "");
        jsonWriteString(stdout, s->schoolKey);
        printf(", \"name\": ");
        jsonWriteString(stdout, s->schoolName);
        printf(", \"load_id\": %ld, \"pupils\": %ld, \"staff\": %ld, \"contacts\": %ld, "
               "\"relationships\": %ld, \"groups\": %ld, \"memberships\": %ld, "
               "\"findings\": %ld}",
               s->loadId, s->pupils, s->staff, s->contacts, s->relationships, s->groups,
               s->memberships, s->findings);
    }
    printf("]}\n");
}

ExitCode loadExtract(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {{"format", required_argument, NULL, 'f'},
                                                 {"as", required_argument, NULL, 'a'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    const char *formatName = "auto";
    const char *role = "new";
    const ExtractFormat *format = NULL;
    ExtractReader *reader = NULL;
    ExtractLoadResult result = {0};
    WarningPrinter printer = {0};
    char sourceFile[PATH_MAX];
    struct timespec start;
    ExitCode code = EXIT_OK;
    Db *db = NULL;
    Error err;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'f':
            formatName = optarg;
            break;
        case 'a':
            role = optarg;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        default:
            return commandUsageError("load extract", "unknown option");
        }
    }
    if (optind >= argc)
        return commandUsageError("load extract", "say which file to load");
    if (argc - optind > 1)
        return commandUsageError("load extract", "unexpected argument '%s'", argv[optind + 1]);
    if (strcmp(role, "new") != 0 && strcmp(role, "old") != 0)
        return commandUsageError("load extract", "--as takes new or old, not '%s'", role);
    if (strcmp(formatName, "auto") != 0 && (format = extractFormatByName(formatName)) == NULL)
        return commandUsageError("load extract", "--format takes auto, native, ctf or ims, not '%s'",
                                 formatName);

    printer.quiet = options->verbosity == VERBOSITY_QUIET;
    clock_gettime(CLOCK_MONOTONIC, &start);
    /* The file first: a missing or malformed file fails before any database work. */
    reader = extractReaderOpen(argv[optind], format, &err);
    if (reader == NULL)
        return commandFail(&err);
    if (realpath(argv[optind], sourceFile) == NULL)
        snprintf(sourceFile, sizeof sourceFile, "%s", argv[optind]);
    if ((db = dbOpen(options->conninfo, &err)) == NULL || !migrateCheck(db, &err) ||
        !extractLoad(db, options->conninfo, reader, role, sourceFile, printWarning, &printer,
                     &result, &err)) {
        code = commandFail(&err);
        goto cleanup;
    }
    printSummary(options, argv[optind], extractReaderFormat(reader), role, &result,
                 commandSecondsSince(&start));

cleanup:
    extractLoadResultFree(&result);
    dbClose(db);
    extractReaderFree(reader);
    return code;
}
