/* snapshot_take.h — takes an encrypted snapshot: pg_dump -Fc of a database streamed through
 * the snapshot stream into a file that appears whole (mode 0600) or not at all */
#ifndef MISSWITCH_SNAPSHOT_TAKE_H
#define MISSWITCH_SNAPSHOT_TAKE_H

#include <stdbool.h>

#include "error.h"
#include "snapshot_stream.h"

typedef struct SnapshotTaken {
    char database[256];      /* the database pg_dump read */
    SnapshotSummary summary; /* bytes, chunks, SHA-256 of the file */
} SnapshotTaken;

/*
 * Runs pg_dump --format=custom on conninfo (NULL: libpq's environment) and encrypts its output
 * with the key in keyPath into out. pg_dump failing, killed or writing nothing leaves no file.
 * taken may be NULL.
 */
bool snapshotTake(const char *conninfo, const char *keyPath, const char *out, SnapshotTaken *taken,
                  Error *err);

#endif
