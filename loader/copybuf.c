/* copybuf.c — rows in COPY text format, buffered into ~64 KiB writes */
#include "copybuf.h"

#include <string.h>

void copyBufInit(CopyBuf *buffer, CopyBufFlush flush, void *context)
{
    buffer->flush = flush;
    buffer->context = context;
    buffer->length = 0;
    buffer->rowHasField = false;
    buffer->rows = 0;
}

bool copyBufFlush(CopyBuf *buffer, Error *err)
{
    size_t length = buffer->length;

    if (length == 0)
        return true;
    buffer->length = 0;
    return buffer->flush(buffer->context, buffer->data, length, err);
}

static bool put(CopyBuf *buffer, const char *bytes, size_t length, Error *err)
{
    while (length > 0) {
        size_t room = COPYBUF_SIZE - buffer->length;
        size_t chunk = length < room ? length : room;

        memcpy(buffer->data + buffer->length, bytes, chunk);
        buffer->length += chunk;
        bytes += chunk;
        length -= chunk;
        if (buffer->length == COPYBUF_SIZE && !copyBufFlush(buffer, err))
            return false;
    }
    return true;
}

static bool separate(CopyBuf *buffer, Error *err)
{
    bool ok = !buffer->rowHasField || put(buffer, "\t", 1, err);

    buffer->rowHasField = true;
    return ok;
}

bool copyBufField(CopyBuf *buffer, const char *value, Error *err)
{
    if (!separate(buffer, err))
        return false;
    if (value == NULL)
        return put(buffer, "\\N", 2, err);
    /* Copy runs of ordinary bytes at once; escape the four that COPY text format reserves. */
    for (;;) {
        size_t run = strcspn(value, "\\\t\n\r");
        const char *escape;

        if (!put(buffer, value, run, err))
            return false;
        value += run;
        switch (*value) {
        case '\0': return true;
        case '\\': escape = "\\\\"; break;
        case '\t': escape = "\\t"; break;
        case '\n': escape = "\\n"; break;
        default: escape = "\\r"; break;
        }
        if (!put(buffer, escape, 2, err))
            return false;
        value++;
    }
}

bool copyBufInteger(CopyBuf *buffer, long value, Error *err)
{
    char text[24];
    char *digit = text + sizeof text;
    unsigned long magnitude = value < 0 ? 0UL - (unsigned long)value : (unsigned long)value;

    /* (by hand: two of these per row, and snprintf's machinery costs more than the row) */
    do {
        *--digit = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0)
        *--digit = '-';
    return separate(buffer, err) && put(buffer, digit, (size_t)(text + sizeof text - digit), err);
}

bool copyBufEndRow(CopyBuf *buffer, Error *err)
{
    buffer->rowHasField = false;
    buffer->rows++;
    return put(buffer, "\n", 1, err);
}
