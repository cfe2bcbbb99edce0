/* snapshot_stream.h — the encrypted snapshot file format: encrypt a stream, verify, decrypt */
#ifndef MISSWITCH_SNAPSHOT_STREAM_H
#define MISSWITCH_SNAPSHOT_STREAM_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "snapshot_key.h"

/*
 * Authenticated encryption (libsodium secretstream, XChaCha20-Poly1305) of a byte stream, in the
 * format docs/snapshots.md describes:
 *
 *   "MISSWSNP" | version (1 byte) | secretstream header (24 bytes)
 *   then frames: ciphertext length (4 bytes, big-endian) | ciphertext
 *     frame 1: metadata (JSON text), tag PUSH
 *     frames 2..n: 64 KiB of plaintext each, tag MESSAGE; the last one (possibly empty) tag FINAL
 *
 * Each frame authenticates its own length bytes as additional data; the first frame also
 * authenticates the magic and version. The stream's state makes reordering, dropping or
 * repeating frames fail. This module never writes plaintext anywhere but the output it is given,
 * and snapshotDecrypt hands a frame's plaintext on only once the frame has authenticated.
 */
#define SNAPSHOT_MAGIC "MISSWSNP"
#define SNAPSHOT_FORMAT_VERSION 1
#define SNAPSHOT_CHUNK_BYTES 65536
#define SNAPSHOT_METADATA_MAX 4096

typedef struct SnapshotSummary {
    unsigned long long fileBytes;  /* bytes of the snapshot file */
    unsigned long long plainBytes; /* bytes of the plaintext stream (the pg_dump archive) */
    unsigned long long chunks;     /* data frames, FINAL included */
    char sha256[65];               /* SHA-256 of the snapshot file, lowercase hex */
    char metadata[SNAPSHOT_METADATA_MAX + 1]; /* the metadata JSON, NUL-terminated */
} SnapshotSummary;

/*
 * Reads input (a descriptor, e.g. pg_dump's stdout) to its end and writes the encrypted stream to
 * output. metadata is JSON text of at most SNAPSHOT_METADATA_MAX bytes. Write errors on output
 * are reported; the caller owns output (outputFile* makes it appear whole or not at all).
 */
bool snapshotEncrypt(const SnapshotKey *key, const char *metadata, int input, FILE *output,
                     SnapshotSummary *summary, Error *err);

/*
 * Authenticates the whole of input in one pass and writes nothing: every frame's tag verifies,
 * the metadata comes first, FINAL comes exactly at the end and nothing follows it. On failure
 * err's message is the reason alone (EXIT_INPUT), for the caller to prefix with the file name.
 */
bool snapshotVerify(const SnapshotKey *key, FILE *input, SnapshotSummary *summary, Error *err);

/* Like snapshotVerify, writing each authenticated frame's plaintext to output (a descriptor,
 * e.g. pg_restore's stdin). A failure may come after some frames were written: the consumer
 * must be told to discard them (the caller kills pg_restore before closing its stdin). */
bool snapshotDecrypt(const SnapshotKey *key, FILE *input, int output, SnapshotSummary *summary,
                     Error *err);

/* Copies the string value of name in a flat JSON object (the metadata) into out, decoding
 * escapes; false if absent, not a string or too long. */
bool snapshotMetadataString(const char *metadata, const char *name, char *out, size_t size);

#endif
