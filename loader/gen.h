/* gen.h — the synthetic school generator's configuration, shared by the gen_* modules */
#ifndef MISSWITCH_GEN_H
#define MISSWITCH_GEN_H

#include <stdint.h>

/* Noise levels scale every noise kind's default rate (see gen_noise.h). */
typedef enum GenNoiseLevel {
    GEN_NOISE_NONE = 0,
    GEN_NOISE_LOW,
    GEN_NOISE_DEFAULT,
    GEN_NOISE_HIGH,
} GenNoiseLevel;

/* The kinds of person, as bit flags so a table can say which kinds something applies to. */
typedef enum GenRole {
    GEN_ROLE_PUPIL = 1,
    GEN_ROLE_STAFF = 2,
    GEN_ROLE_PARENT = 4,
} GenRole;

/* Room for the noise table's kinds (gen_noise.h has the real count). */
#define GEN_NOISE_MAX_KINDS 32

/* Everything an output depends on: the same GenConfig always yields byte-identical files. */
typedef struct GenConfig {
    uint32_t pupils;  /* pupils on the platform (and in the old extract), across all schools */
    uint32_t schools; /* schools in the trust */
    uint64_t seed;
    GenNoiseLevel noise;                  /* the level the rates were scaled from */
    const char *noiseFile;                /* NULL, or the --noise FILE the rates were read from */
    double noiseRates[GEN_NOISE_MAX_KINDS]; /* per GenNoiseKind: the rates in force */
} GenConfig;

#define GEN_MAX_PUPILS 5000000u
#define GEN_MAX_SCHOOLS 900u

/* The fixed "today" of every generated dataset: extracts' generated attribute, last logins. */
#define GEN_TODAY "2026-11-28"
#define GEN_ACADEMIC_YEAR "2026/2027"
#define GEN_ACADEMIC_YEAR_START 2026

/* MIS names the generated IDs belong to. */
#define GEN_OLD_MIS "SIMS"
#define GEN_NEW_MIS "Arbor"

#endif
