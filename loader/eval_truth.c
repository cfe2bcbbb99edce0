/* eval_truth.c — reads a generated dataset's truth.csv into the working database, line-checked */
#include "eval_truth.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define HEADER "role,account,new_id,kind,noise"
#define CHUNK_SIZE (64 * 1024)
#define FIELDS 5

typedef struct Reader {
    const char *path;
    unsigned long line;
    Error *err;
} Reader;

static bool lineError(Reader *reader, const char *format, ...) __attribute__((format(printf, 2, 3)));

static bool lineError(Reader *reader, const char *format, ...)
{
    char message[512];
    va_list args;

    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    errorSet(reader->err, EXIT_INPUT, "truth %s:%lu: %s", reader->path, reader->line, message);
    errorHint(reader->err, "truth.csv is written by misswitch gen: " HEADER ", kind match, "
                           "leaver, joiner or duplicate-of:ACCOUNT (docs/generator.md)");
    return false;
}

/* Characters COPY's text format would need escaped, or that no generated value has. */
static bool plainText(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
        if (*p < 0x20 || *p == '\\' || *p == 0x7f)
            return false;
    return true;
}

static void appendField(StrBuf *row, const char *value)
{
    strBufAppend(row, "\t");
    strBufAppend(row, value != NULL && value[0] != '\0' ? value : "\\N");
}

/* Checks one data line (NUL-terminated, no newline) and appends its COPY row. */
static bool convertLine(Reader *reader, char *text, StrBuf *row)
{
    static const char *const ROLES[] = {"pupil", "staff", "parent", "group"};
    char *fields[FIELDS];
    const char *kind, *keep = NULL;
    char number[32];
    int count = 0;
    bool roleOk = false;

    for (char *p = text;; p++) {
        fields[count++] = p;
        p += strcspn(p, ",");
        if (*p == '\0')
            break;
        if (count == FIELDS)
            return lineError(reader, "more than 5 fields");
        *p = '\0';
    }
    if (count != FIELDS)
        return lineError(reader, "expected 5 fields (%s)", HEADER);
    for (int i = 0; i < FIELDS; i++)
        if (!plainText(fields[i]))
            return lineError(reader, "field %s has a control character or backslash",
                             i == 0 ? "role" : i == 1 ? "account" : i == 2 ? "new_id"
                                             : i == 3 ? "kind" : "noise");
    for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
        roleOk |= strcmp(fields[0], ROLES[i]) == 0;
    if (!roleOk)
        return lineError(reader, "unknown role '%s' (pupil, staff, parent or group)", fields[0]);
    kind = fields[3];
    if (strncmp(kind, "duplicate-of:", 13) == 0) {
        keep = kind + 13;
        kind = "duplicate";
        if (keep[0] == '\0')
            return lineError(reader, "duplicate-of: names no account");
        if (strcmp(keep, fields[1]) == 0)
            return lineError(reader, "account %s is a duplicate of itself", fields[1]);
    } else if (strcmp(kind, "match") != 0 && strcmp(kind, "leaver") != 0 &&
               strcmp(kind, "joiner") != 0) {
        return lineError(reader, "unknown kind '%s' (match, leaver, joiner, duplicate-of:ACCOUNT)",
                         kind);
    }
    if ((strcmp(kind, "joiner") == 0) != (fields[1][0] == '\0'))
        return lineError(reader, "a %s %s", kind,
                         fields[1][0] == '\0' ? "needs an account" : "has no account");
    if ((strcmp(kind, "match") == 0 || strcmp(kind, "joiner") == 0) != (fields[2][0] != '\0'))
        return lineError(reader, "a %s %s", kind,
                         fields[2][0] == '\0' ? "needs a new_id" : "has no new_id");
    snprintf(number, sizeof number, "%lu", reader->line);
    strBufAppend(row, number);
    appendField(row, fields[0]);
    appendField(row, fields[1]);
    appendField(row, fields[2]);
    appendField(row, kind);
    appendField(row, keep);
    appendField(row, fields[4]);
    strBufAppend(row, "\n");
    return true;
}

static bool copyLines(Db *db, FILE *file, Reader *reader, long *rows, Error *err)
{
    StrBuf chunk = {0};
    char *text = NULL;
    size_t capacity = 0;
    ssize_t length;
    bool ok = true;

    while (ok && (length = getline(&text, &capacity, file)) >= 0) {
        reader->line++;
        while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == '\r'))
            text[--length] = '\0';
        if ((size_t)length != strlen(text)) {
            ok = lineError(reader, "a NUL byte");
        } else if (reader->line == 1) {
            if (strcmp(text, HEADER) != 0)
                ok = lineError(reader, "expected the header '%s'", HEADER);
        } else if (length == 0) {
            ok = lineError(reader, "an empty line");
        } else if ((ok = convertLine(reader, text, &chunk))) {
            (*rows)++;
            if (chunk.failed)
                ok = errorSet(err, EXIT_INTERNAL, "out of memory reading %s", reader->path);
            else if (chunk.length >= CHUNK_SIZE) {
                ok = dbCopyInPut(db, chunk.data, chunk.length, err);
                chunk.length = 0;
            }
        }
    }
    if (ok && ferror(file))
        ok = errorSet(err, EXIT_INPUT, "truth %s: cannot read: %s", reader->path,
                      strerror(errno));
    if (ok && reader->line == 0)
        ok = lineError(reader, "an empty file: expected the header '%s'", HEADER);
    if (ok && chunk.length > 0)
        ok = dbCopyInPut(db, chunk.data, chunk.length, err);
    free(text);
    strBufFree(&chunk);
    return ok;
}

bool evalTruthLoad(Db *db, const char *path, long *rows, Error *err)
{
    Reader reader = {path, 0, err};
    FILE *file;
    DbResult *problem;
    bool ok;

    *rows = 0;
    file = fopen(path, "r");
    if (file == NULL)
        return errorSet(err, EXIT_INPUT, "truth %s: cannot open: %s", path, strerror(errno));
    if (!dbExec(db, "clear eval truth", "TRUNCATE misswitch_work.eval_truth", err) ||
        !dbCopyInBegin(db, "load truth",
                       "COPY misswitch_work.eval_truth (line, role, account, new_id, kind, "
                       "keep_account, noise) FROM STDIN",
                       err)) {
        fclose(file);
        return false;
    }
    ok = copyLines(db, file, &reader, rows, err);
    fclose(file);
    if (!ok) {
        Error ignored; /* the first error is the one to report */
        dbCopyInEnd(db, "truth file rejected", &ignored);
        return false;
    }
    if (!dbCopyInEnd(db, NULL, err))
        return false;
    problem = dbQuery(db, "check truth", "SELECT line, problem FROM misswitch_work.eval_truth_problem()",
                      0, NULL, err);
    if (problem == NULL)
        return false;
    if (dbResultRows(problem) > 0) {
        reader.line = strtoul(dbResultValue(problem, 0, 0), NULL, 10);
        lineError(&reader, "%s", dbResultValue(problem, 0, 1));
        dbResultFree(problem);
        return false;
    }
    dbResultFree(problem);
    return true;
}
