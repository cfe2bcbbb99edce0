/* upn.h — DfE Unique Pupil Numbers: check letter and validity */
#ifndef MISSWITCH_UPN_H
#define MISSWITCH_UPN_H

#include <stdbool.h>

#define UPN_LENGTH 13

/*
 * Check letter of the 12 characters after it (characters 2..13 of a UPN): the sum of
 * weight (2..13) × value mod 23, mapped onto ABCDEFGHJKLMNPQRTUVWXYZ. Digits count as their
 * value; a letter (the last character of a temporary UPN) counts as its index in that table.
 * Returns '\0' when body is not 12 characters or holds a character a UPN cannot hold.
 */
char upnCheckLetter(const char *body);

/* True when upn is 13 characters whose first is the right check letter for the rest. */
bool upnIsValid(const char *upn);

/* True for a temporary UPN (valid, serial ending in a letter). */
bool upnIsTemporary(const char *upn);

#endif
