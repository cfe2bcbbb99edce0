/* cmd_eval.c — `misswitch eval --truth FILE`: the match decisions measured against ground truth */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "eval_truth.h"
#include "json.h"

/*
 * Wrong links come first in every output: a wrong parent↔child link is a safeguarding incident,
 * so it is the number that matters most. Everything runs in one transaction that is rolled
 * back: eval reads the decisions and never changes them (the truth it loads goes with it).
 */

#define DEFAULT_LIMIT 20

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] [--json] eval --truth FILE [--limit N]\n\n"
           "After match, compares the decisions with a generated dataset's ground truth\n"
           "(truth.csv from misswitch gen) and reports, per role (pupil, staff, parent, group)\n"
           "and overall: wrong links first (worst first: parent-child, wrong person, duplicate\n"
           "linked), precision, recall, F1, missed links, the review queue, and duplicates found\n"
           "against those expected. A link is a decision of tier exact or likely; possible is\n"
           "the review queue; none is no link. Changes nothing; exit 0 whatever the figures.\n\n"
           "  --truth FILE   truth.csv (role,account,new_id,kind,noise)\n"
           "  --limit N      wrong links listed one by one, worst first (default %d; 0: none)\n"
           "  -h, --help     show this help and exit\n",
           DEFAULT_LIMIT);
}

typedef struct Results {
    DbResult *summary;    /* misswitch_work.eval_summary(): pupil, staff, parent, group, all */
    DbResult *duplicates; /* misswitch_work.eval_duplicates(), same rows */
    DbResult *wrong;      /* misswitch_work.eval_wrong_links(limit) */
    long truthRows;
} Results;

/* The value of a named column (NULL for SQL NULL); columns are looked up by name so the SQL
 * functions can grow columns without breaking this file. */
static const char *field(const DbResult *result, int row, const char *name)
{
    for (int column = 0; column < dbResultColumns(result); column++)
        if (strcmp(dbResultColumnName(result, column), name) == 0)
            return dbResultValue(result, row, column);
    return NULL;
}

static long number(const DbResult *result, int row, const char *name)
{
    const char *value = field(result, row, name);
    return value != NULL ? strtol(value, NULL, 10) : 0;
}

/* "0.9876", or "-" when undefined (no links, or nothing to find). */
static const char *ratio(const DbResult *result, int row, const char *name, char *out, size_t size)
{
    const char *value = field(result, row, name);

    if (value == NULL)
        return "-";
    snprintf(out, size, "%.4f", strtod(value, NULL));
    return out;
}

static int allRow(const DbResult *summary)
{
    return dbResultRows(summary) - 1; /* eval_summary orders 'all' last */
}

static const char *outcomeLabel(const char *outcome)
{
    if (strcmp(outcome, "wrong_parent_child") == 0)
        return "parent-child";
    if (strcmp(outcome, "wrong_person") == 0)
        return "wrong person";
    return "duplicate linked";
}

static void sayText(const Options *options, const Results *r, const char *truthPath)
{
    const DbResult *s = r->summary, *d = r->duplicates, *w = r->wrong;
    int all = allRow(s);
    char p[16], rc[16], f[16];

    commandSay(options, "eval: %ld truth rows from %s", r->truthRows, truthPath);
    commandSay(options, "eval: WRONG LINKS %ld: %ld parent-child, %ld wrong person, "
               "%ld duplicate linked instead of merged",
               number(s, all, "wrong"), number(s, all, "wrong_parent_child"),
               number(s, all, "wrong_person"), number(s, all, "duplicate_linked"));
    for (int row = 0; row < dbResultRows(w); row++) {
        const char *truthNew = field(w, row, "truth_new_id");
        const char *noise = field(w, row, "noise");
        commandSay(options, "eval:   %-16s %-6s %s -> %s (%s); truth: %s%s%s%s%s",
                   outcomeLabel(field(w, row, "outcome")), field(w, row, "role"),
                   field(w, row, "account"), field(w, row, "decided_new_id"),
                   field(w, row, "tier"), field(w, row, "truth_kind"),
                   truthNew ? " " : "", truthNew ? truthNew : "",
                   noise && noise[0] ? "; noise: " : "", noise && noise[0] ? noise : "");
    }
    if (dbResultRows(w) < number(s, all, "wrong"))
        commandSay(options, "eval:   ... %ld more (--limit N lists more)",
                   number(s, all, "wrong") - dbResultRows(w));
    commandSay(options, "eval: %-7s %8s %8s %8s %6s %6s %8s %8s %8s %9s %7s %7s", "role",
               "truth", "links", "correct", "wrong", "p-c", "missed", "review", "(right)",
               "precision", "recall", "F1");
    for (int row = 0; row < dbResultRows(s); row++) {
        commandSay(options, "eval: %-7s %8ld %8ld %8ld %6ld %6ld %8ld %8ld %8ld %9s %7s %7s",
                   field(s, row, "role"), number(s, row, "truth_links"), number(s, row, "links"),
                   number(s, row, "correct"), number(s, row, "wrong"),
                   number(s, row, "wrong_parent_child"), number(s, row, "missed"),
                   number(s, row, "review"), number(s, row, "review_right"),
                   ratio(s, row, "precision", p, sizeof p), ratio(s, row, "recall", rc, sizeof rc),
                   ratio(s, row, "f1", f, sizeof f));
        if (number(s, row, "accounts") > 0 && number(s, row, "decisions") == 0)
            commandSay(options, "eval:   %s: no decisions at all (not matched): every truth "
                       "link counts as missed", field(s, row, "role"));
    }
    commandSay(options, "eval: review queue %ld; leavers linked %ld of %ld; joiner records "
               "linked %ld of %ld; decisions for accounts not in the truth %ld",
               number(s, all, "review"), number(s, all, "leavers_linked"),
               number(s, all, "leavers"), number(s, all, "joiners_linked"),
               number(s, all, "joiners"), number(s, all, "untracked_decisions"));
    commandSay(options, "eval: duplicates %-7s %8s %8s %8s %10s %12s %8s", "role", "expected",
               "found", "correct", "other-keep", "wrong-person", "missed");
    for (int row = 0; row < dbResultRows(d); row++)
        commandSay(options, "eval: duplicates %-7s %8ld %8ld %8ld %10ld %12ld %8ld",
                   field(d, row, "role"), number(d, row, "expected"), number(d, row, "found"),
                   number(d, row, "correct"), number(d, row, "other_keep"),
                   number(d, row, "wrong_person"), number(d, row, "missed"));
    if (number(s, all, "decisions") == 0)
        commandSay(options, "eval: there are no decisions: run misswitch match first");
}

/* One row as a JSON object; text columns as strings, the rest as numbers (NULL: null). */
static void jsonRow(const DbResult *result, int row, const char *const *textColumns)
{
    printf("{");
    for (int column = 0, written = 0; column < dbResultColumns(result); column++) {
        const char *name = dbResultColumnName(result, column);
        const char *value = dbResultValue(result, row, column);
        bool text = false;
        for (const char *const *t = textColumns; *t != NULL; t++)
            text |= strcmp(*t, name) == 0;
        if (strcmp(name, "role") == 0 && textColumns[0] == NULL)
            continue; /* the key already names the role */
        printf("%s\"%s\": ", written++ ? ", " : "", name);
        if (value == NULL)
            printf("null");
        else if (text)
            jsonWriteString(stdout, value);
        else if (strcmp(value, "t") == 0 || strcmp(value, "f") == 0)
            printf("%s", value[0] == 't' ? "true" : "false");
        else
            printf("%s", value);
    }
    printf("}");
}

/* {"pupil": {...}, ..., "all": {...}} keyed by the role column. */
static void jsonByRole(const DbResult *result)
{
    static const char *const NONE[] = {NULL};

    printf("{");
    for (int row = 0; row < dbResultRows(result); row++) {
        printf("%s\n    ", row ? "," : "");
        jsonWriteString(stdout, field(result, row, "role"));
        printf(": ");
        jsonRow(result, row, NONE);
    }
    printf("}");
}

static void printJson(const Results *r, const char *truthPath)
{
    static const char *const WRONG_TEXT[] = {"outcome", "role", "account", "decided_new_id",
                                             "tier", "truth_kind", "truth_new_id", "noise",
                                             NULL};
    const DbResult *s = r->summary;
    int all = allRow(s);

    printf("{\"wrong_links\": {\"total\": %ld, \"parent_child\": %ld, \"wrong_person\": %ld, "
           "\"duplicate_linked\": %ld,\n  \"worst\": [",
           number(s, all, "wrong"), number(s, all, "wrong_parent_child"),
           number(s, all, "wrong_person"), number(s, all, "duplicate_linked"));
    for (int row = 0; row < dbResultRows(r->wrong); row++) {
        printf("%s\n    ", row ? "," : "");
        jsonRow(r->wrong, row, WRONG_TEXT);
    }
    printf("]},\n \"review_queue\": %ld,\n \"roles\": ", number(s, all, "review"));
    jsonByRole(s);
    printf(",\n \"duplicates\": ");
    jsonByRole(r->duplicates);
    printf(",\n \"truth\": ");
    jsonWriteString(stdout, truthPath);
    printf(", \"truth_rows\": %ld, \"decisions\": %ld}\n", r->truthRows,
           number(s, all, "decisions"));
}

static bool measure(Db *db, const char *truthPath, int limit, Results *r, Error *err)
{
    char limitText[16];
    const char *params[1] = {limitText};

    snprintf(limitText, sizeof limitText, "%d", limit);
    if (!dbExec(db, "begin", "BEGIN", err) || !evalTruthLoad(db, truthPath, &r->truthRows, err))
        return false;
    r->summary = dbQuery(db, "eval summary", "SELECT * FROM misswitch_work.eval_summary()", 0,
                         NULL, err);
    if (r->summary == NULL)
        return false;
    r->duplicates = dbQuery(db, "eval duplicates",
                            "SELECT * FROM misswitch_work.eval_duplicates()", 0, NULL, err);
    if (r->duplicates == NULL)
        return false;
    r->wrong = dbQuery(db, "eval wrong links",
                       "SELECT * FROM misswitch_work.eval_wrong_links($1::integer)", 1, params, err);
    if (r->wrong == NULL)
        return false;
    if (dbResultRows(r->summary) < 1)
        return errorSet(err, EXIT_INTERNAL, "eval: the summary returned no rows");
    /* Measured: leave nothing behind, not even the truth. */
    return dbExec(db, "rollback", "ROLLBACK", err);
}

ExitCode commandEval(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {
        {"truth", required_argument, NULL, 't'}, {"limit", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    const char *truthPath = NULL;
    Results results = {0};
    int limit = DEFAULT_LIMIT, opt;
    Db *db = NULL;
    Error err;
    ExitCode code = EXIT_OK;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", LONG_OPTIONS, NULL)) != -1) {
        char *end;
        switch (opt) {
        case 't':
            truthPath = optarg;
            break;
        case 'l':
            limit = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || limit < 0 || limit > 1000000)
                return commandUsageError("eval", "--limit wants a number from 0 to 1000000, "
                                         "not '%s'", optarg);
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        case ':':
            return commandUsageError("eval", "option '%s' needs a value", argv[optind - 1]);
        default:
            return commandUsageError("eval", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return commandUsageError("eval", "unexpected argument '%s'", argv[optind]);
    if (truthPath == NULL)
        return commandUsageError("eval", "--truth FILE is required");

    errorClear(&err);
    db = commandOpenDatabase(options, &err);
    if (db == NULL || !measure(db, truthPath, limit, &results, &err)) {
        code = commandFail(&err);
        goto cleanup;
    }
    sayText(options, &results, truthPath);
    if (options->json)
        printJson(&results, truthPath);

cleanup:
    dbResultFree(results.wrong);
    dbResultFree(results.duplicates);
    dbResultFree(results.summary);
    dbClose(db);
    return code;
}
