/* report.c — the files a plan folder holds for people: CSV, HTML and text reports */
#include "report.h"

#include <string.h>

#include "files.h"

/* "-3" or "-2.5": a negative number a spreadsheet may keep as a number. */
static bool isNegativeNumber(const char *value)
{
    size_t digits = strspn(value + 1, "0123456789");
    const char *rest = value + 1 + digits;

    if (*rest == '.')
        rest += 1 + strspn(rest + 1, "0123456789");
    return value[0] == '-' && digits > 0 && *rest == '\0';
}

static void writeCsvCell(FILE *stream, const char *value)
{
    if (value == NULL)
        return;
    /* OWASP's list of formula leads; "-2+3+cmd|..." is a formula, so only a whole negative
     * number escapes the apostrophe */
    bool formula = value[0] != '\0' && strchr("=+@\t\r", value[0]) != NULL;
    formula |= value[0] == '-' && !isNegativeNumber(value);
    bool quote = formula || strpbrk(value, ",\"\r\n") != NULL;
    if (!quote) {
        fputs(value, stream);
        return;
    }
    fputc('"', stream);
    if (formula)
        fputc('\'', stream);
    /* a run of ordinary characters at a time; each quote doubled */
    for (const char *c = value;;) {
        size_t plain = strcspn(c, "\"");
        fwrite(c, 1, plain, stream);
        c += plain;
        if (*c == '\0')
            break;
        fputs("\"\"", stream);
        c++;
    }
    fputc('"', stream);
}

bool reportWriteCsv(const char *path, const DbResult *rows, Error *err)
{
    OutputFile file;

    if (!outputFileOpen(&file, path, err))
        return false;
    for (int column = 0; column < dbResultColumns(rows); column++) {
        if (column)
            fputc(',', file.stream);
        writeCsvCell(file.stream, dbResultColumnName(rows, column));
    }
    fputs("\r\n", file.stream);
    for (int row = 0; row < dbResultRows(rows); row++) {
        for (int column = 0; column < dbResultColumns(rows); column++) {
            if (column)
                fputc(',', file.stream);
            writeCsvCell(file.stream, dbResultValue(rows, row, column));
        }
        fputs("\r\n", file.stream);
    }
    return outputFileCommit(&file, err);
}

static void writeHtmlText(FILE *stream, const char *value)
{
    /* a run of characters that need no escaping at a time (report.html holds every account) */
    for (const char *c = value ? value : ""; *c; c++) {
        size_t plain = strcspn(c, "<>&\"'");
        fwrite(c, 1, plain, stream);
        c += plain;
        if (*c == '\0')
            break;
        switch (*c) {
        case '<':
            fputs("&lt;", stream);
            break;
        case '>':
            fputs("&gt;", stream);
            break;
        case '&':
            fputs("&amp;", stream);
            break;
        case '"':
            fputs("&quot;", stream);
            break;
        case '\'':
            fputs("&#39;", stream);
            break;
        default:
            fputc(*c, stream);
        }
    }
}

static void writeHtmlTable(FILE *stream, const DbResult *rows)
{
    fputs("<table>\n<thead><tr>", stream);
    for (int column = 0; column < dbResultColumns(rows); column++) {
        fputs("<th>", stream);
        writeHtmlText(stream, dbResultColumnName(rows, column));
        fputs("</th>", stream);
    }
    fputs("</tr></thead>\n<tbody>\n", stream);
    for (int row = 0; row < dbResultRows(rows); row++) {
        fputs("<tr>", stream);
        for (int column = 0; column < dbResultColumns(rows); column++) {
            fputs("<td>", stream);
            writeHtmlText(stream, dbResultValue(rows, row, column));
            fputs("</td>", stream);
        }
        fputs("</tr>\n", stream);
    }
    fputs("</tbody>\n</table>\n", stream);
}

bool reportWriteHtml(const char *path, const char *title, const DbResult *summary,
                     const DbResult *accounts, Error *err)
{
    OutputFile file;

    if (!outputFileOpen(&file, path, err))
        return false;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
          file.stream);
    writeHtmlText(file.stream, title);
    fputs("</title>\n<style>\nbody{font-family:sans-serif;margin:2em}"
          "table{border-collapse:collapse;margin-bottom:2em}"
          "th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left}"
          "th{background:#eee}\n</style>\n</head>\n<body>\n<h1>",
          file.stream);
    writeHtmlText(file.stream, title);
    fputs("</h1>\n<h2>Summary</h2>\n", file.stream);
    writeHtmlTable(file.stream, summary);
    fputs("<h2>Every account</h2>\n", file.stream);
    writeHtmlTable(file.stream, accounts);
    fputs("</body>\n</html>\n", file.stream);
    return outputFileCommit(&file, err);
}

bool reportWriteText(const char *path, const char *header, const DbResult *summary,
                     const DbResult *review, const DbResult *leavers, Error *err)
{
    OutputFile file;

    if (!outputFileOpen(&file, path, err))
        return false;
    fprintf(file.stream, "%s\n\n", header);
    fprintf(file.stream, "%-8s %9s %9s %9s %9s %9s\n", "role", "accounts", "relinked", "review",
            "unmatched", "new");
    for (int row = 0; row < dbResultRows(summary); row++)
        fprintf(file.stream, "%-8s %9s %9s %9s %9s %9s\n", dbResultValue(summary, row, 0),
                dbResultValue(summary, row, 1), dbResultValue(summary, row, 2),
                dbResultValue(summary, row, 3), dbResultValue(summary, row, 4),
                dbResultValue(summary, row, 5));
    fprintf(file.stream,
            "\nrelinked:  accounts that keep their login, now linked to the new MIS record\n"
            "review:    decisions a person must make (review.csv; hand back as overrides)\n"
            "unmatched: accounts with no new record (leavers, or a rule that does not cover them)\n"
            "new:       new records no account was matched to: the next import creates accounts\n"
            "           for them, with new credentials (new-accounts.csv)\n");
    fprintf(file.stream, "\nTo review (%d):\n", dbResultRows(review));
    for (int row = 0; row < dbResultRows(review); row++) {
        const char *target = dbResultValue(review, row, 1);
        fprintf(file.stream, "  account %s -> %s: %s\n", dbResultValue(review, row, 0),
                target ? target : "(no candidate)", dbResultValue(review, row, 4));
    }
    fprintf(file.stream, "\nLeavers: no new record found (%d); nothing changes on them:\n",
            dbResultRows(leavers));
    for (int row = 0; row < dbResultRows(leavers); row++)
        fprintf(file.stream, "  %-7s %-8s %-24s %s %s\n", dbResultValue(leavers, row, 1),
                dbResultValue(leavers, row, 0),
                dbResultValue(leavers, row, 2) ? dbResultValue(leavers, row, 2) : "",
                dbResultValue(leavers, row, 3) ? dbResultValue(leavers, row, 3) : "",
                dbResultValue(leavers, row, 4) ? dbResultValue(leavers, row, 4) : "");
    return outputFileCommit(&file, err);
}
