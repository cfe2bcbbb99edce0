/* json.h — the little JSON --json output needs: strings escaped per RFC 8259 */
#ifndef MISSWITCH_JSON_H
#define MISSWITCH_JSON_H

#include <stdio.h>

/* Writes value as a JSON string literal (with quotes); NULL writes null. */
void jsonWriteString(FILE *stream, const char *value);

#endif
