/* snapshot_key.h — snapshot keys: make a key file, load one safely, forget it after use */
#ifndef MISSWITCH_SNAPSHOT_KEY_H
#define MISSWITCH_SNAPSHOT_KEY_H

#include <stdbool.h>

#include "error.h"

/*
 * A key is 32 random bytes (libsodium secretstream XChaCha20-Poly1305). Key files hold it as 64
 * hexadecimal digits and a newline; 32 raw bytes are accepted too, so a key made with
 * `head -c 32 /dev/urandom` works. Keys come only from files: never from the command line or the
 * environment (only the file's *path* may come from MISSWITCH_KEY_FILE), and this module never
 * hands key bytes to a child process. Callers wipe keys with snapshotKeyForget.
 */
#define SNAPSHOT_KEY_BYTES 32

typedef struct SnapshotKey {
    unsigned char bytes[SNAPSHOT_KEY_BYTES];
} SnapshotKey;

/* The environment variable that may name the key file when --key-file is not given. */
#define SNAPSHOT_KEY_FILE_ENV "MISSWITCH_KEY_FILE"

/* The key file to use: option (from --key-file) if given, else $MISSWITCH_KEY_FILE, else NULL
 * with a usage error in err. */
const char *snapshotKeyPath(const char *option, Error *err);

/* Writes a new random key to path with mode 0600. Refuses (EXIT_INPUT) an existing path: a key
 * overwritten is every snapshot made with it lost. */
bool snapshotKeyGenerate(const char *path, Error *err);

/*
 * Reads the key in path. A missing or unreadable file is EXIT_INPUT; a file that group or others
 * may access (like ssh, any bit of 077), or whose content is not a key, is EXIT_RULE.
 */
bool snapshotKeyLoad(const char *path, SnapshotKey *key, Error *err);

/* Wipes key (sodium_memzero), so it does not linger in memory. */
void snapshotKeyForget(SnapshotKey *key);

#endif
