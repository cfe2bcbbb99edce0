/* planfile.c — the plan.sql format: steps between markers, a hash over the body, and the
 * line that starts the run */
#include "planfile.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

#define BODY_MARKER "-- misswitch:body "
#define STEP_MARKER "-- misswitch:step "

static void hashText(const char *text, size_t length, char out[PLANFILE_HASH_HEX + 1])
{
    unsigned char hash[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(hash, (const unsigned char *)text, length);
    sodium_bin2hex(out, PLANFILE_HASH_HEX + 1, hash, sizeof hash);
}

bool planFileCompose(StrBuf *out, const char *header, const PlanStep *steps, size_t count,
                     char hash[PLANFILE_HASH_HEX + 1], Error *err)
{
    unsigned char random[PLANFILE_NONCE_HEX / 2];
    char nonce[PLANFILE_NONCE_HEX + 1];
    StrBuf body = {0};

    if (sodium_init() < 0)
        return errorSet(err, EXIT_INTERNAL, "cannot initialise libsodium");
    randombytes_buf(random, sizeof random);
    sodium_bin2hex(nonce, sizeof nonce, random, sizeof random);

    for (size_t i = 0; i < count; i++)
        strBufAppendFormat(&body, STEP_MARKER "%s %s\n%s\n\n", nonce, steps[i].name, steps[i].sql);
    if (body.failed) {
        strBufFree(&body);
        return errorSet(err, EXIT_INTERNAL, "out of memory composing the plan");
    }
    hashText(strBufText(&body), body.length, hash);

    strBufAppendFormat(out, "-- misswitch plan\n-- plan-hash: %s\n", hash);
    for (const char *line = header; *line;) {
        size_t length = strcspn(line, "\n");
        strBufAppend(out, "-- ");
        strBufAppendLength(out, line, length);
        strBufAppend(out, "\n");
        line += length + (line[length] == '\n');
    }
    strBufAppendFormat(out, "SELECT misswitch.run_begin('%s');\n" BODY_MARKER "%s\n", hash, nonce);
    strBufAppendLength(out, strBufText(&body), body.length);
    strBufFree(&body);
    if (out->failed)
        return errorSet(err, EXIT_INTERNAL, "out of memory composing the plan");
    return true;
}

static bool addStep(PlanFile *plan, const char *name, size_t nameLength, const char *sql,
                    size_t sqlLength)
{
    PlanStep *grown = realloc(plan->steps, (plan->stepCount + 1) * sizeof *grown);

    if (grown == NULL)
        return false;
    plan->steps = grown;
    grown[plan->stepCount].name = strndup(name, nameLength);
    grown[plan->stepCount].sql = strndup(sql, sqlLength);
    plan->stepCount++;
    return grown[plan->stepCount - 1].name && grown[plan->stepCount - 1].sql;
}

/* Splits the body at "-- misswitch:step <nonce> <name>" lines. */
static bool splitSteps(PlanFile *plan, const char *body, const char *nonce, Error *err)
{
    char marker[sizeof STEP_MARKER + PLANFILE_NONCE_HEX + 2];
    size_t markerLength;
    const char *at = body;

    snprintf(marker, sizeof marker, STEP_MARKER "%s ", nonce);
    markerLength = strlen(marker);
    if (strncmp(at, marker, markerLength) != 0)
        return errorSet(err, EXIT_INPUT, "plan body does not start with a step");
    while (at != NULL && *at) {
        const char *name = at + markerLength;
        size_t nameLength = strcspn(name, "\n");
        const char *sql = name + nameLength + (name[nameLength] == '\n');
        const char *next = sql;
        /* the next marker at the start of a line */
        while ((next = strstr(next, marker)) != NULL && next[-1] != '\n')
            next++;
        size_t sqlLength = next ? (size_t)(next - sql) : strlen(sql);
        /* the blank line planFileCompose puts after each step is not the step's */
        if (sqlLength >= 2 && sql[sqlLength - 1] == '\n' && sql[sqlLength - 2] == '\n')
            sqlLength -= 2;
        if (!addStep(plan, name, nameLength, sql, sqlLength))
            return errorSet(err, EXIT_INTERNAL, "out of memory reading the plan");
        at = next;
    }
    return true;
}

bool planFileRead(const char *path, PlanFile *out, Error *err)
{
    const char *hashLine, *bodyMarker, *body;
    char nonce[PLANFILE_NONCE_HEX + 1];
    char beginLine[128];
    char actual[PLANFILE_HASH_HEX + 1];

    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return errorSet(err, EXIT_INTERNAL, "cannot initialise libsodium");
    out->text = filesReadAll(path, NULL, err);
    if (out->text == NULL)
        return false;
    hashLine = strstr(out->text, "\n-- plan-hash: ");
    bodyMarker = strstr(out->text, "\n" BODY_MARKER);
    if (strncmp(out->text, "-- misswitch plan\n", 18) != 0 || hashLine == NULL ||
        bodyMarker == NULL || sscanf(hashLine, "\n-- plan-hash: %64[0-9a-f]", out->hash) != 1 ||
        sscanf(bodyMarker, "\n" BODY_MARKER "%32[0-9a-f]", nonce) != 1 ||
        strlen(nonce) != PLANFILE_NONCE_HEX) {
        errorSet(err, EXIT_INPUT, "%s is not a misswitch plan", path);
        errorHint(err, "make one with: misswitch plan --out DIR");
        return false;
    }
    body = strchr(bodyMarker + 1, '\n');
    body = body ? body + 1 : bodyMarker + strlen(bodyMarker);
    hashText(body, strlen(body), actual);
    snprintf(beginLine, sizeof beginLine, "\nSELECT misswitch.run_begin('%s');\n", out->hash);
    if (strcmp(actual, out->hash) != 0 || strstr(out->text, beginLine) == NULL ||
        strstr(out->text, beginLine) > bodyMarker) {
        errorSet(err, EXIT_REFUSED, "%s was changed after it was planned", path);
        errorDetail(err, "its header says %s, its body hashes to %s", out->hash, actual);
        errorHint(err, "make a new plan with: misswitch plan --out DIR");
        return false;
    }
    out->beginSql = strndup(beginLine + 1, strlen(beginLine) - 2);
    if (out->beginSql == NULL)
        return errorSet(err, EXIT_INTERNAL, "out of memory reading the plan");
    return splitSteps(out, body, nonce, err);
}

void planFileFree(PlanFile *plan)
{
    for (size_t i = 0; i < plan->stepCount; i++) {
        free(plan->steps[i].name);
        free(plan->steps[i].sql);
    }
    free(plan->steps);
    free(plan->beginSql);
    free(plan->text);
    memset(plan, 0, sizeof *plan);
}
