/* upn.c — DfE Unique Pupil Numbers: check letter and validity */
#include "upn.h"

#include <string.h>

static const char CHECK_LETTERS[] = "ABCDEFGHJKLMNPQRTUVWXYZ";

/* Value of one character of the body: a digit's value, or a check-table letter's index. */
static int characterValue(char c, bool lastPosition)
{
    const char *found;

    if (c >= '0' && c <= '9')
        return c - '0';
    if (!lastPosition || c == '\0')
        return -1;
    found = strchr(CHECK_LETTERS, c);
    return found ? (int)(found - CHECK_LETTERS) : -1;
}

char upnCheckLetter(const char *body)
{
    int sum = 0;

    if (body == NULL || strlen(body) != UPN_LENGTH - 1)
        return '\0';
    for (int i = 0; i < UPN_LENGTH - 1; i++) {
        int value = characterValue(body[i], i == UPN_LENGTH - 2);
        if (value < 0)
            return '\0';
        sum += (i + 2) * value;
    }
    return CHECK_LETTERS[sum % 23];
}

bool upnIsValid(const char *upn)
{
    char letter;

    if (upn == NULL || strlen(upn) != UPN_LENGTH)
        return false;
    letter = upnCheckLetter(upn + 1);
    return letter != '\0' && letter == upn[0];
}

bool upnIsTemporary(const char *upn)
{
    return upnIsValid(upn) && !(upn[UPN_LENGTH - 1] >= '0' && upn[UPN_LENGTH - 1] <= '9');
}
