/* test_snapshot_stream.c — snapshot format: roundtrips, and every kind of damage is refused */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot_key.h"
#include "snapshot_stream.h"

#define CHUNK SNAPSHOT_CHUNK_BYTES
#define ABYTES 17
#define PREFIX_AND_HEADER (9 + 24)
#define METADATA "{\"format\": \"misswitch-snapshot\", \"source_database\": \"live \\\"db\\\"\"}"
#define METADATA_FRAME (4 + sizeof METADATA - 1 + ABYTES)
#define DATA_FRAME (4 + CHUNK + ABYTES)

typedef struct Blob {
    unsigned char *bytes;
    size_t length;
} Blob;

static SnapshotKey testKey(unsigned char seed)
{
    SnapshotKey key;
    for (size_t i = 0; i < sizeof key.bytes; i++)
        key.bytes[i] = (unsigned char)(seed + i * 7);
    return key;
}

/* A temporary file holding bytes, rewound (the caller closes it). */
static FILE *fileWith(const unsigned char *bytes, size_t length)
{
    FILE *file = tmpfile();
    assert_non_null(file);
    if (length > 0)
        assert_int_equal(fwrite(bytes, 1, length, file), length);
    assert_int_equal(fflush(file), 0);
    rewind(file);
    return file;
}

static Blob readBack(FILE *file)
{
    Blob blob = {NULL, 0};
    long size;

    assert_int_equal(fseek(file, 0, SEEK_END), 0);
    size = ftell(file);
    rewind(file);
    blob.length = (size_t)size;
    blob.bytes = malloc(blob.length + 1);
    assert_non_null(blob.bytes);
    assert_int_equal(fread(blob.bytes, 1, blob.length, file), blob.length);
    return blob;
}

static Blob plaintext(size_t length)
{
    Blob blob = {malloc(length + 1), length};
    assert_non_null(blob.bytes);
    for (size_t i = 0; i < length; i++)
        blob.bytes[i] = (unsigned char)(i * 31 + i / 977);
    return blob;
}

static Blob encrypt(const SnapshotKey *key, const Blob *plain, SnapshotSummary *summary)
{
    FILE *input = fileWith(plain->bytes, plain->length);
    FILE *output = tmpfile();
    Error err;
    Blob cipher;

    assert_non_null(output);
    assert_true(snapshotEncrypt(key, METADATA, fileno(input), output, summary, &err));
    assert_int_equal(fflush(output), 0);
    cipher = readBack(output);
    fclose(input);
    fclose(output);
    return cipher;
}

/* Verifies cipher; on failure returns false with err filled. */
static bool verify(const SnapshotKey *key, const unsigned char *bytes, size_t length,
                   SnapshotSummary *summary, Error *err)
{
    FILE *input = fileWith(bytes, length);
    bool ok = snapshotVerify(key, input, summary, err);
    fclose(input);
    return ok;
}

static bool decrypt(const SnapshotKey *key, const Blob *cipher, Blob *plain, Error *err)
{
    SnapshotSummary summary;
    FILE *input = fileWith(cipher->bytes, cipher->length);
    FILE *output = tmpfile();
    bool ok;

    assert_non_null(output);
    ok = snapshotDecrypt(key, input, fileno(output), &summary, err);
    *plain = readBack(output);
    fclose(input);
    fclose(output);
    return ok;
}

static void assertRoundtrip(size_t length)
{
    SnapshotKey key = testKey(1);
    Blob plain = plaintext(length), cipher, back;
    SnapshotSummary written, verified;
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[65];
    Error err;

    cipher = encrypt(&key, &plain, &written);
    assert_int_equal(written.plainBytes, length);
    assert_int_equal(written.fileBytes, cipher.length);
    assert_int_equal(written.chunks, length / CHUNK + 1);
    assert_int_equal(cipher.length, PREFIX_AND_HEADER + METADATA_FRAME +
                                        (length / CHUNK) * DATA_FRAME + 4 + length % CHUNK + ABYTES);
    crypto_hash_sha256(digest, cipher.bytes, cipher.length);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    assert_string_equal(written.sha256, hex);

    assert_true(verify(&key, cipher.bytes, cipher.length, &verified, &err));
    assert_string_equal(verified.sha256, hex);
    assert_string_equal(verified.metadata, METADATA);
    assert_int_equal(verified.plainBytes, length);
    assert_int_equal(verified.chunks, written.chunks);

    assert_true(decrypt(&key, &cipher, &back, &err));
    assert_int_equal(back.length, length);
    assert_memory_equal(back.bytes, plain.bytes, length);
    free(plain.bytes);
    free(cipher.bytes);
    free(back.bytes);
}

static void test_roundtrip_at_chunk_sizes(void **state)
{
    (void)state;
    assertRoundtrip(1);
    assertRoundtrip(1000);
    assertRoundtrip(CHUNK - 1);
    assertRoundtrip(CHUNK);
    assertRoundtrip(CHUNK + 1);
    assertRoundtrip(3 * CHUNK + 5);
}

static void test_empty_plaintext_roundtrips(void **state)
{
    (void)state;
    assertRoundtrip(0);
}

/* Encrypts 3 chunks and a bit; the result must fail verify and decrypt once damaged by edit. */
static void assertRefused(void (*damage)(Blob *cipher, size_t at), size_t at, const char *reason)
{
    SnapshotKey key = testKey(1);
    Blob plain = plaintext(3 * CHUNK + 100), cipher, back;
    SnapshotSummary summary;
    Error err;

    cipher = encrypt(&key, &plain, &summary);
    damage(&cipher, at);
    assert_false(verify(&key, cipher.bytes, cipher.length, &summary, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    if (strstr(err.message, reason) == NULL)
        fail_msg("damage at %zu: expected '%s' in '%s'", at, reason, err.message);
    assert_false(decrypt(&key, &cipher, &back, &err));
    /* decrypt hands on only authenticated chunks, a prefix of the plaintext */
    assert_true(back.length <= plain.length);
    assert_memory_equal(back.bytes, plain.bytes, back.length);
    free(plain.bytes);
    free(cipher.bytes);
    free(back.bytes);
}

static void flipByte(Blob *cipher, size_t at)
{
    assert_true(at < cipher->length);
    cipher->bytes[at] ^= 0x01;
}

static void truncateAt(Blob *cipher, size_t at)
{
    assert_true(at < cipher->length);
    cipher->length = at;
}

static void test_one_flipped_byte_anywhere_is_refused(void **state)
{
    size_t metadataAt = PREFIX_AND_HEADER, chunk1 = metadataAt + METADATA_FRAME;
    size_t last = chunk1 + 3 * DATA_FRAME;

    (void)state;
    assertRefused(flipByte, 0, "not a misswitch snapshot");
    assertRefused(flipByte, 8, "unsupported snapshot format version");
    assertRefused(flipByte, 9, "metadata does not authenticate");  /* the stream header */
    assertRefused(flipByte, 32, "metadata does not authenticate"); /* its last byte */
    assertRefused(flipByte, metadataAt + 3, "metadata does not authenticate"); /* its length */
    assertRefused(flipByte, metadataAt + 10, "metadata does not authenticate");
    assertRefused(flipByte, chunk1 - 1, "metadata does not authenticate"); /* its MAC */
    assertRefused(flipByte, chunk1 + 3, "chunk 1 does not authenticate"); /* length - 1 */
    assertRefused(flipByte, chunk1 + 2, "impossible length");
    assertRefused(flipByte, chunk1 + 4, "chunk 1 does not authenticate");
    assertRefused(flipByte, chunk1 + DATA_FRAME + CHUNK / 2, "chunk 2 does not authenticate");
    assertRefused(flipByte, last + 4, "chunk 4 does not authenticate");
    assertRefused(flipByte, last + 4 + 100 + ABYTES - 1, "chunk 4 does not authenticate");
}

static void test_truncation_is_refused(void **state)
{
    size_t metadataAt = PREFIX_AND_HEADER, chunk1 = metadataAt + METADATA_FRAME;

    (void)state;
    assertRefused(truncateAt, 0, "the file is empty");
    assertRefused(truncateAt, 5, "not a misswitch snapshot");
    assertRefused(truncateAt, 8, "truncated inside the header");
    assertRefused(truncateAt, 20, "truncated inside the header");
    assertRefused(truncateAt, metadataAt, "ends before its metadata");
    assertRefused(truncateAt, metadataAt + 2, "truncated inside frame 0");
    assertRefused(truncateAt, metadataAt + 30, "truncated inside the metadata");
    assertRefused(truncateAt, chunk1, "ends after its metadata");
    assertRefused(truncateAt, chunk1 + DATA_FRAME, "ends after chunk 1, before the final chunk");
    assertRefused(truncateAt, chunk1 + 3 * DATA_FRAME, "ends after chunk 3, before the final");
    assertRefused(truncateAt, chunk1 + DATA_FRAME + 1000, "truncated inside chunk 2");
    assertRefused(truncateAt, chunk1 + 3 * DATA_FRAME + 4 + 100 + ABYTES - 1,
                  "truncated inside chunk 4");
}

static void appendGarbage(Blob *cipher, size_t count)
{
    unsigned char *grown = realloc(cipher->bytes, cipher->length + count);
    assert_non_null(grown);
    memset(grown + cipher->length, 0, count);
    cipher->bytes = grown;
    cipher->length += count;
}

/* The file twice over: a whole valid stream after FINAL is still data after the end. */
static void appendItself(Blob *cipher, size_t unused)
{
    size_t length = cipher->length;
    (void)unused;
    appendGarbage(cipher, length);
    memcpy(cipher->bytes + length, cipher->bytes, length);
}

static void test_data_after_the_final_chunk_is_refused(void **state)
{
    (void)state;
    assertRefused(appendGarbage, 1, "after the final chunk");
    assertRefused(appendGarbage, 5000, "after the final chunk");
    assertRefused(appendItself, 0, "after the final chunk");
}

/* Swaps data frames 1 and 2 (same length): the stream's state catches the reordering. */
static void swapChunks(Blob *cipher, size_t unused)
{
    size_t chunk1 = PREFIX_AND_HEADER + METADATA_FRAME;
    unsigned char *copy = malloc(DATA_FRAME);
    (void)unused;
    assert_non_null(copy);
    memcpy(copy, cipher->bytes + chunk1, DATA_FRAME);
    memmove(cipher->bytes + chunk1, cipher->bytes + chunk1 + DATA_FRAME, DATA_FRAME);
    memcpy(cipher->bytes + chunk1 + DATA_FRAME, copy, DATA_FRAME);
    free(copy);
}

static void test_reordered_chunks_are_refused(void **state)
{
    (void)state;
    assertRefused(swapChunks, 0, "chunk 1 does not authenticate");
}

/* Exhaustively, on a small snapshot: every byte flipped, every shorter length, is refused. */
static void test_every_flip_and_every_truncation_is_refused(void **state)
{
    SnapshotKey key = testKey(3);
    Blob plain = plaintext(200), cipher;
    SnapshotSummary summary;
    Error err;

    (void)state;
    cipher = encrypt(&key, &plain, &summary);
    for (size_t at = 0; at < cipher.length; at++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            cipher.bytes[at] ^= (unsigned char)(1u << bit);
            if (verify(&key, cipher.bytes, cipher.length, &summary, &err))
                fail_msg("flipping bit %u of byte %zu was not noticed", bit, at);
            cipher.bytes[at] ^= (unsigned char)(1u << bit);
        }
    }
    for (size_t length = 0; length < cipher.length; length++)
        if (verify(&key, cipher.bytes, length, &summary, &err))
            fail_msg("truncating to %zu bytes was not noticed", length);
    assert_true(verify(&key, cipher.bytes, cipher.length, &summary, &err));
    free(plain.bytes);
    free(cipher.bytes);
}

static void test_wrong_key_is_refused(void **state)
{
    SnapshotKey key = testKey(1), other = testKey(2);
    Blob plain = plaintext(100), cipher;
    SnapshotSummary summary;
    Error err;

    (void)state;
    cipher = encrypt(&key, &plain, &summary);
    assert_false(verify(&other, cipher.bytes, cipher.length, &summary, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.message, "wrong key"));
    free(plain.bytes);
    free(cipher.bytes);
}

static void test_metadata_strings_are_decoded(void **state)
{
    char out[64];

    (void)state;
    assert_true(snapshotMetadataString(METADATA, "source_database", out, sizeof out));
    assert_string_equal(out, "live \"db\"");
    assert_true(snapshotMetadataString("{\"a\":\"x\\u00e9\\n\\\\\"}", "a", out, sizeof out));
    assert_string_equal(out, "x\xc3\xa9\n\\");
    assert_false(snapshotMetadataString(METADATA, "missing", out, sizeof out));
    assert_false(snapshotMetadataString("{\"a\": 1}", "a", out, sizeof out));
    assert_false(snapshotMetadataString("{\"a\": \"\\u12\"}", "a", out, sizeof out));
    assert_false(snapshotMetadataString("{\"a\": \"unterminated", "a", out, sizeof out));
    assert_false(snapshotMetadataString("{\"a\": \"too long\"}", "a", out, 4));
}

/* Key files: made 0600, never overwritten, refused when others may read them or malformed. */
static void test_key_files(void **state)
{
    char dir[] = "/tmp/test_snapshot_key_XXXXXX";
    char path[128], other[128];
    SnapshotKey key, again;
    struct stat st;
    Error err;
    FILE *file;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/key", dir);
    snprintf(other, sizeof other, "%s/other", dir);

    assert_true(snapshotKeyGenerate(path, &err));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 65);
    assert_false(snapshotKeyGenerate(path, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    assert_non_null(strstr(err.hint, "never overwritten"));
    assert_true(snapshotKeyLoad(path, &key, &err));
    assert_true(snapshotKeyLoad(path, &again, &err));
    assert_memory_equal(key.bytes, again.bytes, sizeof key.bytes);

    assert_int_equal(chmod(path, 0640), 0);
    assert_false(snapshotKeyLoad(path, &key, &err));
    assert_int_equal(err.code, EXIT_RULE);
    assert_non_null(strstr(err.message, "accessible by group or others"));
    assert_non_null(strstr(err.hint, "chmod 600"));
    assert_int_equal(chmod(path, 0604), 0);
    assert_false(snapshotKeyLoad(path, &key, &err));
    assert_int_equal(err.code, EXIT_RULE);
    assert_int_equal(chmod(path, 0400), 0);
    assert_true(snapshotKeyLoad(path, &key, &err));

    assert_false(snapshotKeyLoad(other, &key, &err));
    assert_int_equal(err.code, EXIT_INPUT);
    /* 32 raw bytes are a key; 63 hex digits, or hex with junk, are not */
    file = fopen(other, "w");
    assert_non_null(file);
    assert_int_equal(fwrite(again.bytes, 1, sizeof again.bytes, file), sizeof again.bytes);
    assert_int_equal(fclose(file), 0);
    assert_int_equal(chmod(other, 0600), 0);
    assert_true(snapshotKeyLoad(other, &key, &err));
    assert_memory_equal(key.bytes, again.bytes, sizeof key.bytes);
    file = fopen(other, "w");
    assert_non_null(file);
    fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", file);
    assert_int_equal(fclose(file), 0);
    assert_false(snapshotKeyLoad(other, &key, &err));
    assert_int_equal(err.code, EXIT_RULE);
    assert_non_null(strstr(err.message, "does not hold a snapshot key"));
    file = fopen(other, "w");
    assert_non_null(file);
    fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeX\r\n", file);
    assert_int_equal(fclose(file), 0);
    assert_false(snapshotKeyLoad(other, &key, &err));
    file = fopen(other, "w");
    assert_non_null(file);
    fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n", file);
    assert_int_equal(fclose(file), 0);
    assert_true(snapshotKeyLoad(other, &key, &err));
    assert_int_equal(key.bytes[0], 0x01);
    assert_int_equal(key.bytes[31], 0xef);

    snapshotKeyForget(&key);
    for (size_t i = 0; i < sizeof key.bytes; i++)
        assert_int_equal(key.bytes[i], 0);
    unlink(path);
    unlink(other);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_at_chunk_sizes),
        cmocka_unit_test(test_empty_plaintext_roundtrips),
        cmocka_unit_test(test_one_flipped_byte_anywhere_is_refused),
        cmocka_unit_test(test_truncation_is_refused),
        cmocka_unit_test(test_data_after_the_final_chunk_is_refused),
        cmocka_unit_test(test_reordered_chunks_are_refused),
        cmocka_unit_test(test_every_flip_and_every_truncation_is_refused),
        cmocka_unit_test(test_wrong_key_is_refused),
        cmocka_unit_test(test_metadata_strings_are_decoded),
        cmocka_unit_test(test_key_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
