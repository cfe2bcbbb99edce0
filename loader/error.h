/* error.h — errors as values: an exit-code class plus message, detail and hint */
#ifndef MISSWITCH_ERROR_H
#define MISSWITCH_ERROR_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Exit codes, one per class of failure. Documented in docs/cli.md; scripts rely on them.
 */
typedef enum ExitCode {
    EXIT_OK = 0,
    EXIT_INTERNAL = 1,     /* a bug or an unexpected state of the tool itself */
    EXIT_USAGE = 2,        /* bad command line */
    EXIT_RULE = 3,         /* rule, profile or configuration error */
    EXIT_CONNECTION = 4,   /* cannot reach the database */
    EXIT_QUERY = 5,        /* a statement failed */
    EXIT_INPUT = 6,        /* an input file is missing, unreadable or malformed */
    EXIT_CHECK_FAILED = 7, /* a conversion check failed (nothing was committed) */
    EXIT_CONFLICTS = 8,    /* the target changed since the snapshot (nothing was committed) */
    EXIT_REFUSED = 9,      /* refused by a gate: not a test copy, not frozen, locked, drift */
} ExitCode;

typedef struct Error {
    ExitCode code;
    char message[1024]; /* lowercase, no final period: "query failed: ..." */
    char detail[4096];  /* optional: what exactly went wrong (statement, rows) */
    char hint[1024];    /* optional: what the user can do about it */
} Error;

/* Clears err to "no error". */
void errorClear(Error *err);

/* Sets code and message; clears detail and hint. Always returns false so callers can write
 * `return errorSet(err, EXIT_INPUT, "...")`. */
bool errorSet(Error *err, ExitCode code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

void errorDetail(Error *err, const char *format, ...) __attribute__((format(printf, 2, 3)));
void errorHint(Error *err, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes the message with context, e.g. "load extract: ". */
void errorPrefix(Error *err, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Prints "misswitch: message" plus DETAIL/HINT lines to stream. */
void errorPrint(const Error *err, FILE *stream);

#endif
