/* attestation.c — the gate between a test copy and live: an authenticated record that a plan
 * passed its checks on a test copy */
#include "attestation.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "strbuf.h"

#define MAC_PREFIX "mac: "
#define SUBKEY_ID 1
static const char SUBKEY_CONTEXT[crypto_kdf_CONTEXTBYTES] = {'a', 't', 't', 'e', 's', 't', '0', '1'};

static void deriveKey(const SnapshotKey *key, unsigned char subkey[crypto_auth_KEYBYTES])
{
    crypto_kdf_derive_from_key(subkey, crypto_auth_KEYBYTES, SUBKEY_ID, SUBKEY_CONTEXT, key->bytes);
}

static void computeMac(const SnapshotKey *key, const char *body, size_t length,
                       char hex[crypto_auth_BYTES * 2 + 1])
{
    unsigned char subkey[crypto_auth_KEYBYTES];
    unsigned char mac[crypto_auth_BYTES];

    deriveKey(key, subkey);
    crypto_auth(mac, (const unsigned char *)body, length, subkey);
    sodium_memzero(subkey, sizeof subkey);
    sodium_bin2hex(hex, crypto_auth_BYTES * 2 + 1, mac, sizeof mac);
}

bool attestationWrite(const char *dir, const Attestation *attestation, const SnapshotKey *key,
                      Error *err)
{
    char path[4096 + 32];
    char mac[crypto_auth_BYTES * 2 + 1];
    StrBuf body = {0};
    OutputFile file;
    bool ok;

    if (sodium_init() < 0)
        return errorSet(err, EXIT_INTERNAL, "cannot initialise libsodium");
    strBufAppendFormat(&body,
                       "misswitch attestation 1\n"
                       "plan_hash: %s\nrun: %s\ntest_copy: %s\nsource_database: %s\n"
                       "snapshot_sha256: %s\napplied_at: %s\nchecks: %s\nall_checks_ok: %s\n",
                       attestation->planHash, attestation->run, attestation->database,
                       attestation->sourceDatabase, attestation->snapshotHash,
                       attestation->appliedAt, attestation->checks,
                       attestation->allChecksOk ? "true" : "false");
    if (body.failed)
        return errorSet(err, EXIT_INTERNAL, "out of memory");
    computeMac(key, strBufText(&body), body.length, mac);
    snprintf(path, sizeof path, "%s/%s", dir, ATTESTATION_FILE);
    ok = outputFileOpen(&file, path, err);
    if (ok) {
        fprintf(file.stream, "%s" MAC_PREFIX "%s\n", strBufText(&body), mac);
        ok = outputFileCommit(&file, err);
    }
    strBufFree(&body);
    return ok;
}

/* Copies the value of "name: value" in text into out ("" if absent). */
static void field(const char *text, const char *name, char *out, size_t size)
{
    char needle[64];
    const char *at;

    snprintf(needle, sizeof needle, "\n%s: ", name);
    at = strstr(text, needle);
    if (at == NULL) {
        out[0] = '\0';
        return;
    }
    at += strlen(needle);
    snprintf(out, size, "%.*s", (int)strcspn(at, "\n"), at);
}

bool attestationVerify(const char *dir, const char *planHash, const SnapshotKey *key,
                       Attestation *out, Error *err)
{
    char path[4096 + 32];
    char expected[crypto_auth_BYTES * 2 + 1];
    char *text;
    const char *macLine;
    char flag[8];
    bool ok = false;

    if (sodium_init() < 0)
        return errorSet(err, EXIT_INTERNAL, "cannot initialise libsodium");
    memset(out, 0, sizeof *out);
    snprintf(path, sizeof path, "%s/%s", dir, ATTESTATION_FILE);
    text = filesReadAll(path, NULL, err);
    if (text == NULL) {
        errorSet(err, EXIT_REFUSED, "plan %.12s has no attestation: it has not passed on a test copy",
                 planHash);
        errorHint(err, "apply it to a test copy first (misswitch apply --plan %s with the snapshot "
                  "key), then apply --live", dir);
        return false;
    }
    macLine = strstr(text, "\n" MAC_PREFIX);
    if (strncmp(text, "misswitch attestation 1\n", 24) != 0 || macLine == NULL) {
        errorSet(err, EXIT_REFUSED, "%s is not a misswitch attestation", path);
        goto cleanup;
    }
    computeMac(key, text, (size_t)(macLine + 1 - text), expected);
    if (strlen(macLine + 1 + strlen(MAC_PREFIX)) < sizeof expected - 1 ||
        sodium_memcmp(expected, macLine + 1 + strlen(MAC_PREFIX), sizeof expected - 1) != 0) {
        errorSet(err, EXIT_REFUSED, "%s does not authenticate with this key", path);
        errorHint(err, "it was written with another snapshot key, or edited");
        goto cleanup;
    }
    field(text, "plan_hash", out->planHash, sizeof out->planHash);
    field(text, "run", out->run, sizeof out->run);
    field(text, "test_copy", out->database, sizeof out->database);
    field(text, "source_database", out->sourceDatabase, sizeof out->sourceDatabase);
    field(text, "snapshot_sha256", out->snapshotHash, sizeof out->snapshotHash);
    field(text, "applied_at", out->appliedAt, sizeof out->appliedAt);
    field(text, "checks", out->checks, sizeof out->checks);
    field(text, "all_checks_ok", flag, sizeof flag);
    out->allChecksOk = strcmp(flag, "true") == 0;
    if (strcmp(out->planHash, planHash) != 0) {
        errorSet(err, EXIT_REFUSED, "the attestation in %s is for plan %.12s, not %.12s", dir,
                 out->planHash, planHash);
        goto cleanup;
    }
    if (!out->allChecksOk) {
        errorSet(err, EXIT_REFUSED, "plan %.12s did not pass its checks on test copy %s", planHash,
                 out->database);
        errorDetail(err, "checks: %s", out->checks);
        goto cleanup;
    }
    ok = true;
cleanup:
    free(text);
    return ok;
}
