/* cmd_explain.c — `misswitch explain ACCOUNT`: the field-by-field weights behind a decision */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "db.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] explain ACCOUNT\n\n"
           "Shows why the last match decided what it did for one platform account (its id or\n"
           "username): the decision and its reason, the record chosen and the runner-up, and for\n"
           "each compared field its agreement level, weight (log2 m/u), m and u and where m came\n"
           "from. Accounts decided by an exact key or an override show the decision only.\n\n"
           "  -h, --help  show this help\n");
}

static const char EXPLAIN[] =
    "SELECT line, section, field, level, weight, m, u, detail "
    "FROM misswitch_work.explain_account($1)";

static void printText(const DbResult *result)
{
    const char *section = "";

    for (int row = 0; row < dbResultRows(result); row++) {
        const char *rowSection = dbResultValue(result, row, 1);
        const char *field = dbResultValue(result, row, 2);
        const char *detail = dbResultValue(result, row, 7);

        if (field == NULL) {
            if (strcmp(rowSection, section) != 0 && row > 0)
                printf("\n");
            printf("%-15s %s\n", rowSection, detail ? detail : "");
            section = rowSection;
            continue;
        }
        printf("  %-13s %-10s %8.6s   m=%-8.6s u=%-8.6s %s\n", field,
               dbResultValue(result, row, 3) ? dbResultValue(result, row, 3) : "-",
               dbResultValue(result, row, 4) ? dbResultValue(result, row, 4) : "-",
               dbResultValue(result, row, 5) ? dbResultValue(result, row, 5) : "-",
               dbResultValue(result, row, 6) ? dbResultValue(result, row, 6) : "-",
               detail ? detail : "");
    }
}

static void printJsonString(const char *value)
{
    if (value == NULL) {
        printf("null");
        return;
    }
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c < 0x20)
            printf("\\u%04x", *c);
        else
            putchar(*c);
    }
    putchar('"');
}

static void printJson(const DbResult *result)
{
    printf("[");
    for (int row = 0; row < dbResultRows(result); row++) {
        printf(row ? ",\n {" : "{");
        for (int column = 1; column < dbResultColumns(result); column++) {
            printf(column > 1 ? ", " : "");
            printJsonString(dbResultColumnName(result, column));
            printf(": ");
            printJsonString(dbResultValue(result, row, column));
        }
        printf("}");
    }
    printf("]\n");
}

ExitCode commandExplain(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {{"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    DbResult *result = NULL;
    Db *db = NULL;
    Error err;
    ExitCode code = EXIT_OK;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", LONG_OPTIONS, NULL)) != -1) {
        if (opt == 'h') {
            printHelp();
            return EXIT_OK;
        }
        return commandUsageError("explain", "unknown option");
    }
    if (optind + 1 != argc)
        return commandUsageError("explain", "expected one ACCOUNT (platform account id or username)");

    db = commandOpenDatabase(options, &err);
    if (db == NULL)
        goto fail;
    const char *params[1] = {argv[optind]};
    result = dbQuery(db, "explain", EXPLAIN, 1, params, &err);
    if (result == NULL)
        goto fail;
    if (dbResultRows(result) == 0) {
        errorSet(&err, EXIT_INPUT, "explain: no platform account has id or username '%s'",
                 argv[optind]);
        errorHint(&err, "run 'misswitch load platform' and 'misswitch match' first");
        goto fail;
    }
    if (options->json)
        printJson(result);
    else
        printText(result);
    goto cleanup;

fail:
    code = commandFail(&err);
cleanup:
    dbResultFree(result);
    dbClose(db);
    return code;
}
