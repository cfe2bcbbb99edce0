/* extract_checks.c — data checks every format shares: UPN and former UPN check letters */
#include <stdio.h>
#include <string.h>

#include "extract_format.h"
#include "upn.h"

/* A finding (not a failure) for a UPN whose check letter is wrong: the MIS said so, and matching
 * by UPN simply will not find it. */
static bool checkUpn(const ExtractRecord *record, const ExtractSink *sink, const char *what,
                     const char *upn, Error *err)
{
    char message[512];
    char expected = strlen(upn) == UPN_LENGTH ? upnCheckLetter(upn + 1) : '\0';
    int idColumn = extractKindColumn(record->kind, "mis_id");
    const char *id = idColumn >= 0 && record->values[idColumn] ? record->values[idColumn] : "?";

    if (upnIsValid(upn))
        return true;
    if (expected != '\0')
        snprintf(message, sizeof message, "pupil %s: %s %s has a wrong check letter (expected %c)",
                 id, what, upn, expected);
    else
        snprintf(message, sizeof message, "pupil %s: %s %s is not a UPN", id, what, upn);
    return sink->finding(sink->context, record->school, record->line, EXTRACT_FINDING_UPN, message,
                         err);
}

/* Walks a text[] literal as extract_record.c writes it ({"a","b"}); UPNs hold no quotes or
 * backslashes, and one that does is reported as it stands. */
static bool checkFormerUpns(const ExtractRecord *record, const ExtractSink *sink,
                            const char *literal, Error *err)
{
    char upn[64];
    const char *c = literal + 1; /* past '{' */

    while (*c == '"') {
        const char *end = strchr(c + 1, '"');
        size_t length;
        if (end == NULL)
            break;
        length = (size_t)(end - c - 1);
        snprintf(upn, sizeof upn, "%.*s", (int)(length < sizeof upn ? length : sizeof upn - 1),
                 c + 1);
        if (!checkUpn(record, sink, "former UPN", upn, err))
            return false;
        c = end + 1;
        if (*c == ',')
            c++;
    }
    return true;
}

bool extractCheckPupilUpns(ExtractRecord *record, const ExtractSink *sink, Error *err)
{
    int upnColumn = extractKindColumn(record->kind, "upn");
    int formerColumn = extractKindColumn(record->kind, "former_upns");

    if (upnColumn >= 0 && record->values[upnColumn] != NULL &&
        !checkUpn(record, sink, "UPN", record->values[upnColumn], err))
        return false;
    if (formerColumn >= 0 && record->values[formerColumn] != NULL &&
        !checkFormerUpns(record, sink, record->values[formerColumn], err))
        return false;
    return true;
}
