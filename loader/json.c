/* json.c — the little JSON --json output needs: strings escaped per RFC 8259 */
#include "json.h"

void jsonWriteString(FILE *stream, const char *value)
{
    if (value == NULL) {
        fputs("null", stream);
        return;
    }
    fputc('"', stream);
    for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
        switch (*c) {
        case '"':
            fputs("\\\"", stream);
            break;
        case '\\':
            fputs("\\\\", stream);
            break;
        case '\n':
            fputs("\\n", stream);
            break;
        case '\r':
            fputs("\\r", stream);
            break;
        case '\t':
            fputs("\\t", stream);
            break;
        default:
            if (*c < 0x20)
                fprintf(stream, "\\u%04x", *c);
            else
                fputc(*c, stream);
        }
    }
    fputc('"', stream);
}
