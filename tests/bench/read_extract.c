/* read_extract.c — the loader's client half alone: an extract read into COPY rows, no database */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "copybuf.h"
#include "extract_reader.h"

/*
 * Reads FILE with the loader's reader and encodes every record as the wide-table COPY row that
 * `load extract` sends (extract_load.c), writing the stream to stdout (or nowhere with -n).
 * Prints records and CPU seconds on stderr. It measures the client's share of a load — the
 * parse ceiling the server must keep up with — and makes the COPY stream for server-side
 * experiments (tests/bench/run-all.sh uses it for the "parse only" row).
 * Usage: read_extract [-n] FILE
 * Build: cc -O2 -Iloader tests/bench/read_extract.c BUILD/libmisswitch_core.a $(pkg-config
 *        --libs libxml-2.0 libpq lua5.4 libsodium) -lm
 */

typedef struct Output {
    CopyBuf copy;
    bool discard;
    long records;
} Output;

static bool writeOut(void *context, const char *data, size_t length, Error *err)
{
    Output *output = context;

    if (output->discard || fwrite(data, 1, length, stdout) == length)
        return true;
    return errorSet(err, EXIT_INTERNAL, "write failed");
}

static bool copyRecord(void *context, const ExtractRecord *record, Error *err)
{
    Output *output = context;
    bool ok = copyBufField(&output->copy, record->kind->name, err) &&
              copyBufInteger(&output->copy, record->school, err) &&
              copyBufInteger(&output->copy, record->line, err);

    for (int c = 0; ok && c < EXTRACT_MAX_COLUMNS; c++)
        ok = copyBufField(&output->copy, c < record->kind->columnCount ? record->values[c] : NULL,
                          err);
    output->records++;
    return ok && copyBufEndRow(&output->copy, err);
}

static bool copyFinding(void *context, int school, long line, const char *kind,
                        const char *detail, Error *err)
{
    Output *output = context;
    bool ok = copyBufField(&output->copy, "finding", err) &&
              copyBufInteger(&output->copy, school, err) &&
              copyBufInteger(&output->copy, line, err) && copyBufField(&output->copy, kind, err) &&
              copyBufField(&output->copy, detail, err);

    for (int c = 2; ok && c < EXTRACT_MAX_COLUMNS; c++)
        ok = copyBufField(&output->copy, NULL, err);
    return ok && copyBufEndRow(&output->copy, err);
}

int main(int argc, char **argv)
{
    Output *output = calloc(1, sizeof *output);
    const ExtractSink sink = {copyRecord, copyFinding, output};
    ExtractReader *reader;
    Error err;
    bool ok;

    if (argc > 1 && strcmp(argv[1], "-n") == 0) {
        output->discard = true;
        argc--;
        argv++;
    }
    if (argc != 2 || output == NULL) {
        fprintf(stderr, "usage: read_extract [-n] FILE\n");
        return 2;
    }
    copyBufInit(&output->copy, writeOut, output);
    if ((reader = extractReaderOpen(argv[1], NULL, &err)) == NULL) {
        errorPrint(&err, stderr);
        return 6;
    }
    ok = extractReaderRun(reader, &sink, &err) && copyBufFlush(&output->copy, &err);
    extractReaderFree(reader);
    if (!ok) {
        errorPrint(&err, stderr);
        return err.code;
    }
    fprintf(stderr, "read_extract: %ld records, %.2f s CPU\n", output->records,
            (double)clock() / CLOCKS_PER_SEC);
    free(output);
    return fflush(stdout) == 0 ? 0 : 1;
}
