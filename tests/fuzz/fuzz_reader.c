/* fuzz_reader.c — libFuzzer harness for one format reader (FUZZ_FORMAT: native, ctf or ims) */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "extract_reader.h"
#include "extract_record.h" /* EXTRACT_MAX_VALUE_BYTES */

/*
 * Feeds each input to the reader as a file (a memfd, reopened through /proc/self/fd so the
 * reader's own open/fstat/pread paths run) with the format forced, and hands the records to a
 * counting sink: no database. Besides AddressSanitizer, UBSan and LeakSanitizer it checks the
 * reader's contract and aborts when it is broken:
 *   - every record has a kind and at most EXTRACT_MAX_COLUMNS NUL-terminated values, and no
 *     value longer than the reader's limit;
 *   - every failure is an input error (EXIT_INPUT) whose message names the file first
 *     ("PATH:line:column: reason" or "PATH: reason").
 * Built by tests/fuzz/run.sh; the crash inputs it finds become fixtures of tests/c/.
 */

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT=\"native\" (or ctf, ims)"
#endif

typedef struct Counts {
    long records;
    long findings;
    size_t bytes;
} Counts;

static int inputFd = -1;
static char inputPath[64];

static bool countRecord(void *context, const ExtractRecord *record, Error *err)
{
    Counts *counts = context;

    (void)err;
    if (record->kind == NULL || record->kind->columnCount > EXTRACT_MAX_COLUMNS)
        abort();
    for (int c = 0; c < record->kind->columnCount; c++) {
        size_t length = record->values[c] ? strlen(record->values[c]) : 0;
        /* (an array literal adds quotes and escapes around its elements: allow for them) */
        if (length > 3 * (size_t)EXTRACT_MAX_VALUE_BYTES + 3)
            abort();
        counts->bytes += length;
    }
    counts->records++;
    return true;
}

static bool countFinding(void *context, int school, long line, const char *kind,
                         const char *detail, Error *err)
{
    Counts *counts = context;

    (void)school;
    (void)line;
    (void)err;
    if (kind == NULL || detail == NULL || detail[0] == '\0')
        abort();
    counts->findings++;
    return true;
}

/* A failure must be an input error naming the file: anything else is a bug of the reader. */
static void checkFailure(const Error *err)
{
    size_t length = strlen(inputPath);

    if (err->code != EXIT_INPUT || strncmp(err->message, inputPath, length) != 0 ||
        err->message[length] != ':') {
        fprintf(stderr, "fuzz_reader: unexpected failure (code %d): %s\n", err->code,
                err->message);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ExtractFormat *format = extractFormatByName(FUZZ_FORMAT);
    Counts counts = {0};
    const ExtractSink sink = {countRecord, countFinding, &counts};
    ExtractReader *reader;
    Error err = {0};

    if (inputFd < 0) {
        if ((inputFd = memfd_create("fuzz-extract", MFD_CLOEXEC)) < 0)
            abort();
        snprintf(inputPath, sizeof inputPath, "/proc/self/fd/%d", inputFd);
    }
    if (ftruncate(inputFd, 0) != 0 || (size > 0 && pwrite(inputFd, data, size, 0) != (ssize_t)size))
        abort();
    reader = extractReaderOpen(inputPath, format, &err);
    if (reader == NULL) {
        checkFailure(&err);
        return 0;
    }
    if (!extractReaderRun(reader, &sink, &err))
        checkFailure(&err);
    extractReaderFree(reader);
    return 0;
}
