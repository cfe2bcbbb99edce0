/* gen.c — `misswitch gen`: a synthetic school or trust: platform, old and new extracts, truth */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "command.h"
#include "gen.h"
#include "gen_load.h"
#include "gen_model.h"
#include "gen_noise.h"
#include "gen_write.h"

static void printHelp(void)
{
    printf("Usage: misswitch [-d CONNINFO] gen --pupils N [--schools K] [--seed S]\n"
           "                     [--noise LEVEL|FILE] [--threads T] --out DIR\n\n"
           "Generates a synthetic school (or a trust of K schools) that is changing MIS, and\n"
           "writes into DIR (created if missing):\n"
           "  platform.sql      the reference platform with its accounts, linked to the old MIS\n"
           "  old-extract.xml   the old MIS (" GEN_OLD_MIS ") in the native format\n"
           "  new-extract.xml   the new MIS (" GEN_NEW_MIS "): every ID changed, leavers gone,\n"
           "                    joiners added, the noise applied\n"
           "  new-extract.ctf.xml  the new MIS as a DfE Common Transfer File (a trust: one\n"
           "                    file per school, new-extract-N.ctf.xml for school N > 1)\n"
           "  new-extract.ims.xml  the new MIS as IMS Enterprise 1.1\n"
           "  truth.csv         what every account and new record really is\n"
           "With an explicit -d CONNINFO it also loads the platform into that database (which\n"
           "must not have a platform schema yet).\n\n"
           "  --pupils N       pupils on the platform, across all schools (1..%u)\n"
           "  --schools K      schools in the trust (default 1, at most %u)\n"
           "  --seed S         random seed (default 1): the same arguments give the same bytes\n"
           "  --noise LEVEL    how much records differ between the MIS: none, low, default or\n"
           "                   high (scales every kind's rate; see docs/generator.md)\n"
           "  --noise FILE     rates per noise kind: 'KIND RATE' lines (rate 0.03 or 3%%),\n"
           "                   optionally 'level LEVEL' first; kinds not named keep their default\n"
           "  --threads T      files written by T threads (default: CPUs, at most 4); the output\n"
           "                   is the same for any T\n"
           "  --out DIR        output directory\n"
           "  -h, --help       show this help and exit\n",
           GEN_MAX_PUPILS, GEN_MAX_SCHOOLS);
}

/* A whole decimal number in [min, max]. */
static bool parseNumber(const char *text, unsigned long long min, unsigned long long max,
                        unsigned long long *out)
{
    char *end;

    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    *out = strtoull(text, &end, 10);
    return errno == 0 && *end == '\0' && *out >= min && *out <= max;
}

/* mkdir -p */
static bool makeDirectory(const char *path, Error *err)
{
    char partial[4096];
    size_t length = strlen(path);

    if (length == 0 || length >= sizeof partial)
        return errorSet(err, EXIT_USAGE, "gen: bad output directory '%s'", path);
    memcpy(partial, path, length + 1);
    for (size_t i = 1; i <= length; i++) {
        if (partial[i] != '/' && partial[i] != '\0')
            continue;
        char saved = partial[i];
        partial[i] = '\0';
        if (mkdir(partial, 0777) != 0 && errno != EEXIST) {
            errorSet(err, EXIT_INPUT, "gen: cannot create directory %s: %s", partial,
                     strerror(errno));
            return false;
        }
        partial[i] = saved;
    }
    struct stat status;
    if (stat(path, &status) != 0 || !S_ISDIR(status.st_mode))
        return errorSet(err, EXIT_INPUT, "gen: %s is not a directory", path);
    return true;
}

static void printJsonString(const char *text)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void printJson(const GenModel *model, const char *dir, const char *database,
                      double seconds, unsigned threads)
{
    const GenTally *p = &model->pupilTally, *s = &model->staffTally, *c = &model->contactTally;

    printf("{\"schools\": %u, \"pupils\": %u, \"staff\": %u, \"contacts\": %u, "
           "\"accounts\": %u, \"groups\": %u, \"seed\": %llu, \"noise\": \"%s\",\n"
           " \"leavers\": {\"pupils\": %u, \"staff\": %u, \"contacts\": %u},\n"
           " \"joiners\": {\"pupils\": %u, \"staff\": %u, \"contacts\": %u},\n"
           " \"duplicate_accounts\": {\"staff\": %u, \"parents\": %u},\n"
           " \"twin_pupils\": %u, \"staff_parents\": %u, \"school_code_changes\": %u,\n"
           " \"seconds\": %.2f, \"threads\": %u,\n \"out\": ",
           model->schoolCount, p->match + p->leavers, s->match + s->leavers,
           c->match + c->leavers, model->accountCount, model->platformGroupCount,
           (unsigned long long)model->config.seed,
           model->config.noiseFile ? "file" : genNoiseLevelName(model->config.noise),
           p->leavers, s->leavers, c->leavers, p->joiners, s->joiners, c->joiners,
           s->duplicates, c->duplicates, model->twinPupils, model->staffParents,
           model->codeChanges, seconds, threads);
    printJsonString(dir);
    printf(", \"loaded_into\": ");
    if (database != NULL)
        printJsonString(database);
    else
        printf("null");
    printf("}\n");
}

static double secondsSince(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The arguments that reproduce the dataset, and the rates in force, for platform.sql's head. */
static void describe(const GenConfig *config, char *out, size_t size)
{
    char rates[1024];

    genNoiseDescribe(config->noiseRates, rates, sizeof rates);
    snprintf(out, size,
             "generated by misswitch %s: gen --pupils %u --schools %u --seed %llu --noise %s\n"
             "-- noise rates: %s",
             MISSWITCH_VERSION, config->pupils, config->schools,
             (unsigned long long)config->seed,
             config->noiseFile ? config->noiseFile : genNoiseLevelName(config->noise), rates);
}

static ExitCode generate(const Options *options, const GenConfig *config, const char *dir,
                         unsigned threads)
{
    GenModel model;
    Error err;
    char header[2048], path[4200], database[256];
    long dataOffset = 0;
    struct timespec start;
    double seconds;
    bool ok;

    errorClear(&err);
    /* The clock times the run for the summary only; no output depends on it. */
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (!makeDirectory(dir, &err) || !genModelBuild(config, &model, &err))
        return commandFail(&err);
    describe(config, header, sizeof header);
    ok = genWriteAll(&model, dir, header, threads, &dataOffset, &err);
    seconds = secondsSince(&start);
    if (ok && options->conninfoGiven) {
        snprintf(path, sizeof path, "%s/platform.sql", dir);
        ok = genLoadPlatform(options->conninfo, path, dataOffset, database, sizeof database, &err);
    }
    if (!ok) {
        genModelFree(&model);
        return commandFail(&err);
    }
    commandSay(options, "gen: %u school%s, %u pupils, %u contacts, %u staff, %u accounts → %s%s%s "
               "(%.1f s, %u thread%s)",
               model.schoolCount, model.schoolCount == 1 ? "" : "s",
               model.pupilTally.match + model.pupilTally.leavers,
               model.contactTally.match + model.contactTally.leavers,
               model.staffTally.match + model.staffTally.leavers, model.accountCount, dir,
               options->conninfoGiven ? ", loaded into " : "",
               options->conninfoGiven ? database : "", seconds, threads, threads == 1 ? "" : "s");
    if (options->json)
        printJson(&model, dir, options->conninfoGiven ? database : NULL, seconds, threads);
    genModelFree(&model);
    return EXIT_OK;
}

ExitCode commandGen(const Options *options, int argc, char **argv)
{
    static const struct option LONG_OPTIONS[] = {
        {"pupils", required_argument, NULL, 'p'}, {"schools", required_argument, NULL, 's'},
        {"seed", required_argument, NULL, 'S'},   {"noise", required_argument, NULL, 'n'},
        {"out", required_argument, NULL, 'o'},    {"help", no_argument, NULL, 'h'},
        {"threads", required_argument, NULL, 't'}, {NULL, 0, NULL, 0},
    };
    GenConfig config = {.pupils = 0, .schools = 1, .seed = 1, .noise = GEN_NOISE_DEFAULT};
    unsigned threads = genWriteDefaultThreads();
    Error err;
    const char *dir = NULL;
    unsigned long long number;
    int opt;

    opterr = 0; /* our own message names the command */
    while ((opt = getopt_long(argc, argv, ":h", LONG_OPTIONS, NULL)) != -1) {
        switch (opt) {
        case 'p':
            if (!parseNumber(optarg, 1, GEN_MAX_PUPILS, &number))
                return commandUsageError("gen", "--pupils wants a number from 1 to %u, not '%s'",
                                         GEN_MAX_PUPILS, optarg);
            config.pupils = (uint32_t)number;
            break;
        case 's':
            if (!parseNumber(optarg, 1, GEN_MAX_SCHOOLS, &number))
                return commandUsageError("gen", "--schools wants a number from 1 to %u, not '%s'",
                                         GEN_MAX_SCHOOLS, optarg);
            config.schools = (uint32_t)number;
            break;
        case 'S':
            if (!parseNumber(optarg, 0, UINT64_MAX, &number))
                return commandUsageError("gen", "--seed wants a non-negative whole number, not '%s'",
                                         optarg);
            config.seed = number;
            break;
        case 'n':
            config.noiseFile = NULL;
            if (genNoiseParseLevel(optarg, &config.noise))
                break;
            /* Not a level: a noise file over the default rates. */
            config.noise = GEN_NOISE_DEFAULT;
            config.noiseFile = optarg;
            break;
        case 't':
            if (!parseNumber(optarg, 1, 64, &number))
                return commandUsageError("gen", "--threads wants a number from 1 to 64, not '%s'",
                                         optarg);
            threads = (unsigned)number;
            break;
        case 'o':
            dir = optarg;
            break;
        case 'h':
            printHelp();
            return EXIT_OK;
        case ':':
            return commandUsageError("gen", "option '%s' needs a value", argv[optind - 1]);
        default:
            return commandUsageError("gen", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return commandUsageError("gen", "unexpected argument '%s'", argv[optind]);
    if (config.pupils == 0)
        return commandUsageError("gen", "--pupils N is required");
    if (dir == NULL)
        return commandUsageError("gen", "--out DIR is required");
    if (config.schools > config.pupils)
        return commandUsageError("gen", "--schools %u is more than --pupils %u", config.schools,
                                 config.pupils);
    genNoiseRatesForLevel(config.noise, config.noiseRates);
    errorClear(&err);
    if (config.noiseFile != NULL &&
        !genNoiseReadFile(config.noiseFile, config.noiseRates, &config.noise, &err))
        return commandFail(&err);
    return generate(options, &config, dir, threads);
}
