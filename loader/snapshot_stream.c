/* snapshot_stream.c — the encrypted snapshot file format: encrypt a stream, verify, decrypt */
#include "snapshot_stream.h"

#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define HEADER_BYTES crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define MAGIC_BYTES 8
#define PREFIX_BYTES (MAGIC_BYTES + 1)
#define LENGTH_BYTES 4
#define TAG_METADATA crypto_secretstream_xchacha20poly1305_TAG_PUSH
#define TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL

_Static_assert(sizeof SNAPSHOT_MAGIC - 1 == MAGIC_BYTES, "the magic is 8 bytes");

/* The bytes one pass reads or writes, hashed and counted as they go. */
typedef struct Pass {
    crypto_hash_sha256_state hash;
    crypto_secretstream_xchacha20poly1305_state stream;
    SnapshotSummary *summary;
    unsigned char *plain;  /* SNAPSHOT_CHUNK_BYTES */
    unsigned char *cipher; /* SNAPSHOT_CHUNK_BYTES + ABYTES */
} Pass;

static bool passBegin(Pass *pass, SnapshotSummary *summary, Error *err)
{
    memset(summary, 0, sizeof *summary);
    pass->summary = summary;
    pass->plain = malloc(SNAPSHOT_CHUNK_BYTES);
    pass->cipher = malloc(SNAPSHOT_CHUNK_BYTES + ABYTES);
    if (sodium_init() < 0 || pass->plain == NULL || pass->cipher == NULL)
        return errorSet(err, EXIT_INTERNAL, "cannot initialise libsodium or allocate buffers");
    crypto_hash_sha256_init(&pass->hash);
    return true;
}

static void passEnd(Pass *pass, bool ok)
{
    unsigned char digest[crypto_hash_sha256_BYTES];

    if (ok) {
        crypto_hash_sha256_final(&pass->hash, digest);
        sodium_bin2hex(pass->summary->sha256, sizeof pass->summary->sha256, digest, sizeof digest);
    }
    sodium_memzero(&pass->stream, sizeof pass->stream);
    free(pass->plain);
    free(pass->cipher);
}

static void putLength(unsigned char out[LENGTH_BYTES], uint32_t value)
{
    out[0] = (unsigned char)(value >> 24);
    out[1] = (unsigned char)(value >> 16);
    out[2] = (unsigned char)(value >> 8);
    out[3] = (unsigned char)value;
}

static uint32_t getLength(const unsigned char in[LENGTH_BYTES])
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | (uint32_t)in[3];
}

static bool writeOut(Pass *pass, FILE *output, const unsigned char *data, size_t length,
                     Error *err)
{
    if (fwrite(data, 1, length, output) != length)
        return errorSet(err, EXIT_INPUT, "cannot write the snapshot: %s", strerror(errno));
    crypto_hash_sha256_update(&pass->hash, data, length);
    pass->summary->fileBytes += length;
    return true;
}

/* Encrypts one frame (ad: what else it authenticates besides its length) and writes it. */
static bool writeFrame(Pass *pass, FILE *output, const unsigned char *prefix, size_t prefixLength,
                       const unsigned char *plain, size_t length, unsigned char tag, Error *err)
{
    unsigned char ad[PREFIX_BYTES + LENGTH_BYTES];

    if (prefixLength > 0)
        memcpy(ad, prefix, prefixLength);
    putLength(ad + prefixLength, (uint32_t)(length + ABYTES));
    crypto_secretstream_xchacha20poly1305_push(&pass->stream, pass->cipher, NULL, plain, length,
                                               ad, prefixLength + LENGTH_BYTES, tag);
    return writeOut(pass, output, ad + prefixLength, LENGTH_BYTES, err) &&
           writeOut(pass, output, pass->cipher, length + ABYTES, err);
}

/* Reads up to size bytes from fd, short only at its end. */
static bool readFull(int fd, unsigned char *buffer, size_t size, size_t *got, Error *err)
{
    *got = 0;
    while (*got < size) {
        ssize_t n = read(fd, buffer + *got, size - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errorSet(err, EXIT_INPUT, "cannot read the stream to encrypt: %s",
                            strerror(errno));
        if (n == 0)
            break;
        *got += (size_t)n;
    }
    return true;
}

bool snapshotEncrypt(const SnapshotKey *key, const char *metadata, int input, FILE *output,
                     SnapshotSummary *summary, Error *err)
{
    unsigned char prefix[PREFIX_BYTES];
    unsigned char header[HEADER_BYTES];
    size_t metadataLength = strlen(metadata);
    bool ok = false;
    Pass pass = {0};

    if (!passBegin(&pass, summary, err))
        goto cleanup;
    if (metadataLength > SNAPSHOT_METADATA_MAX) {
        errorSet(err, EXIT_INTERNAL, "snapshot metadata too long (%zu bytes)", metadataLength);
        goto cleanup;
    }
    memcpy(prefix, SNAPSHOT_MAGIC, MAGIC_BYTES);
    prefix[MAGIC_BYTES] = SNAPSHOT_FORMAT_VERSION;
    crypto_secretstream_xchacha20poly1305_init_push(&pass.stream, header, key->bytes);
    if (!writeOut(&pass, output, prefix, sizeof prefix, err) ||
        !writeOut(&pass, output, header, sizeof header, err) ||
        !writeFrame(&pass, output, prefix, sizeof prefix, (const unsigned char *)metadata,
                    metadataLength, TAG_METADATA, err))
        goto cleanup;
    for (;;) {
        size_t got;
        if (!readFull(input, pass.plain, SNAPSHOT_CHUNK_BYTES, &got, err))
            goto cleanup;
        /* A short chunk is the last; a stream of whole chunks ends with an empty FINAL one. */
        bool final = got < SNAPSHOT_CHUNK_BYTES;
        if (!writeFrame(&pass, output, NULL, 0, pass.plain, got, final ? TAG_FINAL : TAG_MESSAGE,
                        err))
            goto cleanup;
        summary->plainBytes += got;
        summary->chunks++;
        if (final)
            break;
    }
    ok = true;

cleanup:
    passEnd(&pass, ok);
    return ok;
}

/* Reads exactly size bytes unless the file ends first; *got says how many came. */
static bool readIn(Pass *pass, FILE *input, unsigned char *buffer, size_t size, size_t *got,
                   Error *err)
{
    *got = fread(buffer, 1, size, input);
    if (*got < size && ferror(input))
        return errorSet(err, EXIT_INPUT, "cannot read: %s", strerror(errno));
    crypto_hash_sha256_update(&pass->hash, buffer, *got);
    pass->summary->fileBytes += *got;
    return true;
}

static bool writeAll(int fd, const unsigned char *data, size_t length, Error *err)
{
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return errorSet(err, EXIT_QUERY, "cannot write the decrypted stream: %s",
                            strerror(errno));
        data += written;
        length -= (size_t)written;
    }
    return true;
}

/* Checks the magic, version and header and starts the pull stream. */
static bool readHeader(Pass *pass, FILE *input, const SnapshotKey *key,
                       unsigned char prefix[PREFIX_BYTES], Error *err)
{
    unsigned char header[HEADER_BYTES];
    size_t got;

    if (!readIn(pass, input, prefix, PREFIX_BYTES, &got, err))
        return false;
    if (got == 0)
        return errorSet(err, EXIT_INPUT, "the file is empty");
    if (got < MAGIC_BYTES || memcmp(prefix, SNAPSHOT_MAGIC, MAGIC_BYTES) != 0)
        return errorSet(err, EXIT_INPUT, "not a misswitch snapshot (no %s signature)",
                        SNAPSHOT_MAGIC);
    if (got < PREFIX_BYTES)
        return errorSet(err, EXIT_INPUT, "truncated inside the header");
    if (prefix[MAGIC_BYTES] != SNAPSHOT_FORMAT_VERSION)
        return errorSet(err, EXIT_INPUT,
                        "unsupported snapshot format version %d (this misswitch reads version %d)",
                        prefix[MAGIC_BYTES], SNAPSHOT_FORMAT_VERSION);
    if (!readIn(pass, input, header, sizeof header, &got, err))
        return false;
    if (got < sizeof header)
        return errorSet(err, EXIT_INPUT, "truncated inside the header");
    if (crypto_secretstream_xchacha20poly1305_init_pull(&pass->stream, header, key->bytes) != 0)
        return errorSet(err, EXIT_INPUT, "invalid stream header");
    return true;
}

/* Reads and authenticates frame number index (0: the metadata); *length gets its plaintext's. */
static bool readFrame(Pass *pass, FILE *input, const unsigned char *prefix, unsigned long long index,
                      size_t *length, unsigned char *tag, Error *err)
{
    unsigned char ad[PREFIX_BYTES + LENGTH_BYTES];
    size_t prefixLength = index == 0 ? PREFIX_BYTES : 0;
    size_t limit = (index == 0 ? SNAPSHOT_METADATA_MAX : SNAPSHOT_CHUNK_BYTES) + ABYTES;
    unsigned long long plainLength;
    size_t got;

    if (prefixLength > 0)
        memcpy(ad, prefix, prefixLength);
    if (!readIn(pass, input, ad + prefixLength, LENGTH_BYTES, &got, err))
        return false;
    if (got == 0 && index == 0)
        return errorSet(err, EXIT_INPUT, "truncated: the file ends before its metadata");
    if (got == 0 && index == 1)
        return errorSet(err, EXIT_INPUT,
                        "truncated: the file ends after its metadata, before any chunk");
    if (got == 0)
        return errorSet(err, EXIT_INPUT,
                        "truncated: the file ends after chunk %llu, before the final chunk",
                        index - 1);
    if (got < LENGTH_BYTES)
        return errorSet(err, EXIT_INPUT, "truncated inside frame %llu", index);
    uint32_t cipherLength = getLength(ad + prefixLength);
    if (cipherLength < ABYTES || cipherLength > limit)
        return errorSet(err, EXIT_INPUT, "frame %llu has an impossible length %u (damaged file)",
                        index, (unsigned)cipherLength);
    if (!readIn(pass, input, pass->cipher, cipherLength, &got, err))
        return false;
    if (got < cipherLength)
        return errorSet(err, EXIT_INPUT, "truncated inside %s %llu",
                        index == 0 ? "the metadata, frame" : "chunk", index);
    if (crypto_secretstream_xchacha20poly1305_pull(&pass->stream, pass->plain, &plainLength, tag,
                                                   pass->cipher, cipherLength, ad,
                                                   prefixLength + LENGTH_BYTES) != 0) {
        if (index == 0)
            return errorSet(err, EXIT_INPUT,
                            "the metadata does not authenticate (wrong key, or a damaged file)");
        return errorSet(err, EXIT_INPUT, "chunk %llu does not authenticate (damaged file)", index);
    }
    *length = (size_t)plainLength;
    return true;
}

static bool readStream(const SnapshotKey *key, FILE *input, int output, SnapshotSummary *summary,
                       Error *err)
{
    unsigned char prefix[PREFIX_BYTES];
    unsigned long long index = 0;
    bool ok = false;
    Pass pass = {0};

    if (!passBegin(&pass, summary, err) || !readHeader(&pass, input, key, prefix, err))
        goto cleanup;
    for (;; index++) {
        unsigned char tag = 0;
        size_t length = 0;
        if (!readFrame(&pass, input, prefix, index, &length, &tag, err))
            goto cleanup;
        if (index == 0) {
            if (tag != TAG_METADATA || memchr(pass.plain, '\0', length) != NULL || length == 0 ||
                pass.plain[0] != '{') {
                errorSet(err, EXIT_INPUT, "the first frame is not the snapshot's metadata");
                goto cleanup;
            }
            memcpy(summary->metadata, pass.plain, length);
            summary->metadata[length] = '\0';
            continue;
        }
        if (tag != TAG_MESSAGE && tag != TAG_FINAL) {
            errorSet(err, EXIT_INPUT, "chunk %llu has an unexpected tag %u", index, (unsigned)tag);
            goto cleanup;
        }
        summary->chunks++;
        summary->plainBytes += length;
        if (output >= 0 && !writeAll(output, pass.plain, length, err))
            goto cleanup;
        if (tag == TAG_FINAL)
            break;
    }
    if (fgetc(input) != EOF) {
        errorSet(err, EXIT_INPUT, "unexpected data after the final chunk");
        goto cleanup;
    }
    if (ferror(input)) {
        errorSet(err, EXIT_INPUT, "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    ok = true;

cleanup:
    passEnd(&pass, ok);
    return ok;
}

bool snapshotVerify(const SnapshotKey *key, FILE *input, SnapshotSummary *summary, Error *err)
{
    return readStream(key, input, -1, summary, err);
}

bool snapshotDecrypt(const SnapshotKey *key, FILE *input, int output, SnapshotSummary *summary,
                     Error *err)
{
    return readStream(key, input, output, summary, err);
}

/* Appends code point to out as UTF-8; false if it does not fit or is a surrogate. */
static bool putUtf8(char *out, size_t size, size_t *used, unsigned long code)
{
    unsigned char bytes[3];
    size_t count;

    if (code >= 0xD800 && code <= 0xDFFF)
        return false;
    if (code < 0x80) {
        bytes[0] = (unsigned char)code;
        count = 1;
    } else if (code < 0x800) {
        bytes[0] = (unsigned char)(0xC0 | code >> 6);
        bytes[1] = (unsigned char)(0x80 | (code & 0x3F));
        count = 2;
    } else {
        bytes[0] = (unsigned char)(0xE0 | code >> 12);
        bytes[1] = (unsigned char)(0x80 | (code >> 6 & 0x3F));
        bytes[2] = (unsigned char)(0x80 | (code & 0x3F));
        count = 3;
    }
    if (*used + count >= size)
        return false;
    memcpy(out + *used, bytes, count);
    *used += count;
    return true;
}

bool snapshotMetadataString(const char *metadata, const char *name, char *out, size_t size)
{
    char key[128];
    size_t used = 0;
    const char *at;

    /* Our writer escapes every '"' inside values, so a quoted name is a key, never a value. */
    snprintf(key, sizeof key, "\"%s\"", name);
    at = strstr(metadata, key);
    if (at == NULL || size == 0)
        return false;
    at += strlen(key);
    at += strspn(at, " \t\r\n");
    if (*at++ != ':')
        return false;
    at += strspn(at, " \t\r\n");
    if (*at++ != '"')
        return false;
    for (; *at != '"'; at++) {
        char c = *at;
        if (c == '\0')
            return false;
        if (c == '\\') {
            const char *simple = "\"\\/bfnrt", *decoded = "\"\\/\b\f\n\r\t";
            const char *which = *++at ? strchr(simple, *at) : NULL;
            if (which != NULL) {
                c = decoded[which - simple];
            } else if (*at == 'u') {
                char hex[5] = {0};
                char *end;
                if (strnlen(at + 1, 4) < 4)
                    return false;
                memcpy(hex, at + 1, 4);
                unsigned long code = strtoul(hex, &end, 16);
                if (end != hex + 4 || !putUtf8(out, size, &used, code))
                    return false;
                at += 4;
                continue;
            } else {
                return false;
            }
        }
        if (used + 1 >= size)
            return false;
        out[used++] = c;
    }
    out[used] = '\0';
    return true;
}
