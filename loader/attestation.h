/* attestation.h — the gate between a test copy and live: a passing apply on a test copy
 * writes DIR/attestation.txt (plan hash, test-copy identity, check results), authenticated
 * with a key derived from the snapshot key; `apply --live` refuses a plan without a valid one */
#ifndef MISSWITCH_ATTESTATION_H
#define MISSWITCH_ATTESTATION_H

#include <stdbool.h>

#include "error.h"
#include "snapshot_key.h"

#define ATTESTATION_FILE "attestation.txt"

typedef struct Attestation {
    char planHash[65];
    char run[32];
    char database[256];       /* the test copy it passed on */
    char sourceDatabase[256]; /* the database the test copy was restored from */
    char snapshotHash[65];    /* the snapshot it was restored from ("" when marked by init) */
    char appliedAt[64];
    char checks[1024];        /* "name=ok name=ok ..." */
    bool allChecksOk;
} Attestation;

/* Writes dir/attestation.txt: "key: value" lines, then "mac: <hex>" over every byte before it
 * (crypto_auth with a subkey of the snapshot key, context "attest"). Mode 0600. */
bool attestationWrite(const char *dir, const Attestation *attestation, const SnapshotKey *key,
                      Error *err);

/* Reads and authenticates dir/attestation.txt for the plan with planHash: EXIT_REFUSED when it
 * is missing, forged, for another plan, or records a failed check. */
bool attestationVerify(const char *dir, const char *planHash, const SnapshotKey *key,
                       Attestation *out, Error *err);

#endif
