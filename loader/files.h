/* files.h — output files that appear whole or not at all, readable only by their owner */
#ifndef MISSWITCH_FILES_H
#define MISSWITCH_FILES_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

typedef struct OutputFile {
    FILE *stream;
    char path[4096];
    char temporary[4096 + 16];
} OutputFile;

/* Opens path.tmp with mode 0600 (plans and reports hold pupils' names). */
bool outputFileOpen(OutputFile *file, const char *path, Error *err);

/* Flushes, fsyncs and renames path.tmp to path; on any write error removes it and fails. */
bool outputFileCommit(OutputFile *file, Error *err);

/* Closes and removes path.tmp (after a failure). Safe on a file never opened. */
void outputFileAbandon(OutputFile *file);

/* Creates dir (mode 0700) if missing. */
bool filesMakeDirectory(const char *dir, Error *err);

/* Reads a whole file into a malloc'd NUL-terminated buffer. */
char *filesReadAll(const char *path, size_t *length, Error *err);

#endif
