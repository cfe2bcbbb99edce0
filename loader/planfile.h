/* planfile.h — the plan.sql format: steps between markers, a hash over the body, and the
 * line that starts the run. `plan` writes it; `apply` reads and verifies it. */
#ifndef MISSWITCH_PLANFILE_H
#define MISSWITCH_PLANFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "strbuf.h"

#define PLANFILE_HASH_HEX 64
#define PLANFILE_NONCE_HEX 32

typedef struct PlanStep {
    char *name; /* plain identifier: data, conflicts, relink_pupils, checks, ... */
    char *sql;  /* one or more statements */
} PlanStep;

typedef struct PlanFile {
    char hash[PLANFILE_HASH_HEX + 1];
    char *text;     /* the whole file */
    char *beginSql; /* "SELECT misswitch.run_begin('<hash>');" */
    PlanStep *steps;
    size_t stepCount;
} PlanFile;

/*
 * Composes plan.sql: header comments (free text, each line is prefixed with "-- "), the
 * run_begin line, then the body: each step under a marker line carrying a random nonce, so no
 * value inside the data can fake a step boundary. The hash is SHA-256 of the body.
 */
bool planFileCompose(StrBuf *out, const char *header, const PlanStep *steps, size_t count,
                     char hash[PLANFILE_HASH_HEX + 1], Error *err);

/* Reads and verifies plan.sql: EXIT_INPUT when it is not a plan, EXIT_REFUSED when its body no
 * longer matches its hash (edited after `plan` wrote it). */
bool planFileRead(const char *path, PlanFile *out, Error *err);
void planFileFree(PlanFile *plan);

#endif
