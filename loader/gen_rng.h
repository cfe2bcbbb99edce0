/* gen_rng.h — the generator's own randomness: a splitmix64 stream and keyed hashes */
#ifndef MISSWITCH_GEN_RNG_H
#define MISSWITCH_GEN_RNG_H

#include <stdint.h>

/*
 * No rand(), no time(): every value comes from the seed, so the same arguments give the same
 * bytes on every machine. The model is built from one sequential stream; a person's attributes
 * (names, dates, noise) are keyed hashes of the person's own seed, so a writer can recompute
 * them in any order without storing them.
 */
typedef struct GenRng {
    uint64_t state;
} GenRng;

static inline uint64_t genMix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static inline void genRngSeed(GenRng *rng, uint64_t seed)
{
    rng->state = genMix(seed + UINT64_C(0x9E3779B97F4A7C15));
}

static inline uint64_t genRngNext(GenRng *rng)
{
    rng->state += UINT64_C(0x9E3779B97F4A7C15);
    return genMix(rng->state);
}

/* Uniform in [0, n) (n > 0); Lemire's multiply-shift, bias negligible for these sizes. */
static inline uint32_t genRngBelow(GenRng *rng, uint32_t n)
{
    return (uint32_t)(((genRngNext(rng) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1). */
static inline double genRngUnit(GenRng *rng)
{
    return (double)(genRngNext(rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* A value keyed by (seed, field): the same pair always gives the same value. */
static inline uint64_t genHash(uint64_t seed, uint64_t field)
{
    return genMix(seed ^ genMix(field + UINT64_C(0x632BE59BD9B4E019)));
}

static inline uint32_t genHashBelow(uint64_t seed, uint64_t field, uint32_t n)
{
    return (uint32_t)(((genHash(seed, field) >> 32) * (uint64_t)n) >> 32);
}

static inline double genHashUnit(uint64_t seed, uint64_t field)
{
    return (double)(genHash(seed, field) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
