/* snapshot_key.c — snapshot keys: make a key file, load one safely, forget it after use */
#include "snapshot_key.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(SNAPSHOT_KEY_BYTES == crypto_secretstream_xchacha20poly1305_KEYBYTES,
               "snapshot keys are secretstream keys");

/* 64 hex digits plus "\r\n" and a little slack: anything longer is not a key file. */
#define KEY_FILE_MAX 80

const char *snapshotKeyPath(const char *option, Error *err)
{
    const char *fromEnvironment = getenv(SNAPSHOT_KEY_FILE_ENV);

    if (option != NULL && option[0] != '\0')
        return option;
    if (fromEnvironment != NULL && fromEnvironment[0] != '\0')
        return fromEnvironment;
    errorSet(err, EXIT_USAGE, "no snapshot key: give --key-file FILE or set %s",
             SNAPSHOT_KEY_FILE_ENV);
    errorHint(err, "make a key with 'misswitch keygen --out FILE' and keep it off the database host");
    return NULL;
}

static bool writeAll(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        data += written;
        length -= (size_t)written;
    }
    return true;
}

bool snapshotKeyGenerate(const char *path, Error *err)
{
    SnapshotKey key;
    char hex[SNAPSHOT_KEY_BYTES * 2 + 2];
    bool ok = false;
    int fd = -1;

    if (sodium_init() < 0)
        return errorSet(err, EXIT_INTERNAL, "cannot initialise libsodium");
    /* O_EXCL: never replace a key; 0600 before the first byte is written. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        errorSet(err, EXIT_INPUT, "cannot create key file %s: %s", path, strerror(errno));
        if (errno == EEXIST)
            errorHint(err, "a key file is never overwritten: snapshots made with it need it; "
                           "choose another path");
        return false;
    }
    crypto_secretstream_xchacha20poly1305_keygen(key.bytes);
    sodium_bin2hex(hex, sizeof hex - 1, key.bytes, sizeof key.bytes);
    hex[SNAPSHOT_KEY_BYTES * 2] = '\n';
    if (fchmod(fd, 0600) != 0 || !writeAll(fd, hex, SNAPSHOT_KEY_BYTES * 2 + 1) || fsync(fd) != 0) {
        errorSet(err, EXIT_INPUT, "cannot write key file %s: %s", path, strerror(errno));
        goto cleanup;
    }
    ok = true;

cleanup:
    snapshotKeyForget(&key);
    sodium_memzero(hex, sizeof hex);
    if (close(fd) != 0 && ok) {
        errorSet(err, EXIT_INPUT, "cannot write key file %s: %s", path, strerror(errno));
        ok = false;
    }
    if (!ok)
        unlink(path);
    return ok;
}

/* Decodes the file's content: 32 raw bytes, or 64 hex digits and an optional line ending. */
static bool decodeKey(const unsigned char *content, size_t length, SnapshotKey *key)
{
    size_t decoded = 0;
    const char *end = NULL;

    if (length == SNAPSHOT_KEY_BYTES) {
        memcpy(key->bytes, content, SNAPSHOT_KEY_BYTES);
        return true;
    }
    while (length > SNAPSHOT_KEY_BYTES * 2 &&
           (content[length - 1] == '\n' || content[length - 1] == '\r'))
        length--;
    if (length != SNAPSHOT_KEY_BYTES * 2)
        return false;
    return sodium_hex2bin(key->bytes, sizeof key->bytes, (const char *)content, length, NULL,
                          &decoded, &end) == 0 &&
           decoded == SNAPSHOT_KEY_BYTES && end == (const char *)content + length;
}

bool snapshotKeyLoad(const char *path, SnapshotKey *key, Error *err)
{
    unsigned char content[KEY_FILE_MAX + 1];
    size_t length = 0;
    struct stat st;
    bool ok = false;
    int fd;

    if (sodium_init() < 0)
        return errorSet(err, EXIT_INTERNAL, "cannot initialise libsodium");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errorSet(err, EXIT_INPUT, "cannot open key file %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        errorSet(err, EXIT_INPUT, "key file %s is not a regular file", path);
        goto cleanup;
    }
    if ((st.st_mode & 077) != 0) {
        errorSet(err, EXIT_RULE, "key file %s is accessible by group or others (mode %04o)", path,
                 (unsigned)(st.st_mode & 07777));
        errorDetail(err, "a snapshot key must be readable only by its owner");
        errorHint(err, "chmod 600 %s", path);
        goto cleanup;
    }
    while (length < sizeof content) {
        ssize_t got = read(fd, content + length, sizeof content - length);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            errorSet(err, EXIT_INPUT, "cannot read key file %s: %s", path, strerror(errno));
            goto cleanup;
        }
        if (got == 0)
            break;
        length += (size_t)got;
    }
    if (length > KEY_FILE_MAX || !decodeKey(content, length, key)) {
        errorSet(err, EXIT_RULE, "key file %s does not hold a snapshot key", path);
        errorDetail(err, "expected 64 hexadecimal digits and a newline (or 32 raw bytes); "
                         "found %zu%s bytes", length, length > KEY_FILE_MAX ? "+" : "");
        errorHint(err, "make a key with 'misswitch keygen --out FILE'");
        snapshotKeyForget(key);
        goto cleanup;
    }
    ok = true;

cleanup:
    sodium_memzero(content, sizeof content);
    close(fd);
    return ok;
}

void snapshotKeyForget(SnapshotKey *key)
{
    sodium_memzero(key->bytes, sizeof key->bytes);
}
