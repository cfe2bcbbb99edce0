/* report.h — the files a plan folder holds for people: CSV, HTML and text reports */
#ifndef MISSWITCH_REPORT_H
#define MISSWITCH_REPORT_H

#include <stdbool.h>

#include "db.h"
#include "error.h"

/*
 * Writes a query result as CSV (RFC 4180, header from the column names, NULL as empty). Cells
 * that a spreadsheet would run as a formula (=, +, @, tab, CR, or - unless the whole cell is a
 * negative number) get a leading apostrophe: these files go to mail merges.
 */
bool reportWriteCsv(const char *path, const DbResult *rows, Error *err);

/* report.html: the summary per role, then every account and what will happen to it. */
bool reportWriteHtml(const char *path, const char *title, const DbResult *summary,
                     const DbResult *accounts, Error *err);

/* report.txt: the header lines, the summary per role, the review queue with reasons, and the
 * leavers (accounts no new record was found for) for the school to confirm. */
bool reportWriteText(const char *path, const char *header, const DbResult *summary,
                     const DbResult *review, const DbResult *leavers, Error *err);

#endif
