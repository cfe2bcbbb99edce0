/* test_gen_noise.c — `misswitch gen`'s noise model: every kind at its rate, noise files, and a
 * population at least as messy as the brief asks for */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "gen_noise.h"

/* A trust big enough for rates, at the default level: a fixed seed, so the figures are fixed. */
#define ARGS "--pupils 6000 --schools 3 --seed 11"

enum { PUPIL, STAFF, PARENT, ROLES };

static char baseDir[] = "/tmp/test_gen_noise.XXXXXX";
static char dataDir[4200];

/* truth.csv tallied: match rows and noise kinds per role, duplicates, leavers, joiners. */
typedef struct Tally {
    unsigned match[ROLES], kinds[ROLES][GEN_NOISE_KIND_COUNT];
    unsigned leavers[ROLES], joiners[ROLES], accounts[ROLES], duplicates[ROLES];
    unsigned duplicatedPeople[ROLES]; /* distinct kept accounts of duplicate-of rows */
} Tally;

static Tally tally;
static char *json;

static int run(const char *format, ...)
{
    char command[8192];
    va_list args;
    int status;

    va_start(args, format);
    vsnprintf(command, sizeof command, format, args);
    va_end(args);
    status = system(command);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *readFile(const char *dir, const char *name)
{
    char path[4400];
    FILE *file;
    char *text;
    long size;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    fseek(file, 0, SEEK_END);
    size = ftell(file);
    rewind(file);
    text = malloc((size_t)size + 1);
    if (text != NULL && fread(text, 1, (size_t)size, file) != (size_t)size) {
        free(text);
        text = NULL;
    }
    if (text != NULL)
        text[size] = '\0';
    fclose(file);
    return text;
}

static int roleIndex(const char *role)
{
    return strcmp(role, "pupil") == 0 ? PUPIL : strcmp(role, "staff") == 0 ? STAFF
           : strcmp(role, "parent") == 0 ? PARENT : -1;
}

/* Adds one truth.csv line (role,account,new_id,kind,noise) to tally. */
static void tallyLine(Tally *t, char *line, unsigned *lastKept)
{
    char *fields[5];
    int count = 0, role;

    for (char *p = line; count < 5; p++) {
        fields[count++] = p;
        p += strcspn(p, ",");
        if (*p == '\0')
            break;
        *p = '\0';
    }
    if (count != 5 || (role = roleIndex(fields[0])) < 0)
        return;
    t->accounts[role] += fields[1][0] != '\0';
    if (strcmp(fields[3], "leaver") == 0)
        t->leavers[role]++;
    else if (strcmp(fields[3], "joiner") == 0)
        t->joiners[role]++;
    else if (strncmp(fields[3], "duplicate-of:", 13) == 0) {
        unsigned kept = (unsigned)atoi(fields[3] + 13);
        t->duplicates[role]++;
        /* a person's accounts are listed together: count each kept account once */
        t->duplicatedPeople[role] += kept != lastKept[role];
        lastKept[role] = kept;
    }
    if (strcmp(fields[3], "match") != 0)
        return;
    t->match[role]++;
    for (char *kind = strtok(fields[4], ";"); kind != NULL; kind = strtok(NULL, ";")) {
        GenNoiseKind k;
        if (!genNoiseKindByName(kind, &k))
            fail_msg("truth.csv names an unknown noise kind '%s'", kind);
        t->kinds[role][k]++;
    }
}

static int setUp(void **state)
{
    char *truth;
    unsigned lastKept[ROLES] = {0};

    (void)state;
    if (mkdtemp(baseDir) == NULL)
        return -1;
    snprintf(dataDir, sizeof dataDir, "%s/data", baseDir);
    if (run("%s -q --json gen " ARGS " --out %s > %s/gen.json", MISSWITCH_BINARY, dataDir,
            baseDir) != 0)
        return -1;
    json = readFile(baseDir, "gen.json");
    truth = readFile(dataDir, "truth.csv");
    if (json == NULL || truth == NULL)
        return -1;
    for (char *save = NULL, *line = strtok_r(truth, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save))
        tallyLine(&tally, line, lastKept);
    free(truth);
    return 0;
}

static int tearDown(void **state)
{
    (void)state;
    free(json);
    return run("rm -rf %s", baseDir);
}

/* A number from gen --json: the first `"key": N` after `after` (NULL: the start). */
static double jsonNumber(const char *after, const char *key)
{
    char needle[128];
    const char *p = after ? strstr(json, after) : json;

    assert_non_null(p);
    snprintf(needle, sizeof needle, "\"%s\": ", key);
    p = strstr(p, needle);
    assert_non_null(p);
    return atof(p + strlen(needle));
}

/*
 * Each kind, over the roles it applies to, against its default rate. The tolerance is five
 * binomial standard deviations plus a tenth; kinds that apply only where they can (a name with
 * diacritics, a forename with a short form) must show and stay below their rate, and the few
 * that some draws cannot change (typos in short names, email for contacts without one) may
 * fall a little short.
 */
static void test_every_noise_kind_at_its_rate(void **state)
{
    (void)state;

    for (int k = 0; k < GEN_NOISE_KIND_COUNT; k++) {
        const GenNoiseEntry *entry = genNoiseEntry((GenNoiseKind)k);
        unsigned people = 0, observed = 0;
        double expected, slack, low = 0.9;
        for (int role = 0; role < ROLES; role++) {
            if ((entry->roles & (1u << role)) == 0)
                continue;
            people += tally.match[role];
            observed += tally.kinds[role][k];
        }
        expected = entry->rate * people;
        slack = 5.0 * sqrt(expected) + 0.1 * expected;
        if (strstr(entry->name, "typo") != NULL || strncmp(entry->name, "email", 5) == 0)
            low = 0.75;
        if (strcmp(entry->name, "diacritics-lost") == 0 || strcmp(entry->name, "nickname") == 0)
            low = 0.0;
        print_message("%-16s %6u of %6u (%.2f%%), default rate %.2f%%\n", entry->name, observed,
                      people, 100.0 * observed / people, 100.0 * entry->rate);
        if (observed == 0 || observed > expected + slack || observed < low * expected - slack)
            fail_msg("noise kind %s: %u of %u people, expected about %.0f", entry->name,
                     observed, people, expected);
    }
}

static unsigned kindCount(int role, const char *name)
{
    GenNoiseKind kind;

    assert_true(genNoiseKindByName(name, &kind));
    return tally.kinds[role][kind];
}

static double share(unsigned part, unsigned whole)
{
    return whole ? (double)part / whole : 0.0;
}

/* The figures the issue sets as a floor for the default level. */
static void test_the_population_is_as_messy_as_the_brief(void **state)
{
    unsigned everyone = tally.match[PUPIL] + tally.match[STAFF] + tally.match[PARENT];
    unsigned adults = tally.match[STAFF] + tally.match[PARENT];
    unsigned typos = 0, preferred = 0, moved = 0, missing = 0;
    double pupils = jsonNumber(NULL, "pupils");
    (void)state;

    for (int role = 0; role < ROLES; role++) {
        typos += kindCount(role, "forename-typo") + kindCount(role, "surname-typo");
        preferred += kindCount(role, "preferred-name") + kindCount(role, "nickname");
        moved += kindCount(role, "moved-house");
        missing += kindCount(role, "dob-missing") + kindCount(role, "email-missing");
    }
    assert_true(share(typos, everyone) >= 0.02);
    assert_true(share(preferred, everyone) >= 0.03);
    assert_true(share(kindCount(STAFF, "surname-change") + kindCount(PARENT, "surname-change"),
                      adults) >= 0.01);
    assert_true(share(kindCount(STAFF, "email-change") + kindCount(PARENT, "email-change"),
                      adults) >= 0.05);
    assert_true(share(kindCount(PARENT, "phone-change"), tally.match[PARENT]) >= 0.05);
    assert_true(share(moved, everyone) >= 0.03);
    assert_true(share(missing, everyone) >= 0.02);
    /* twins: about 1.5% of pupils */
    assert_true(jsonNumber(NULL, "twin_pupils") / pupils >= 0.01);
    assert_true(jsonNumber(NULL, "twin_pupils") / pupils <= 0.02);
    /* duplicates: >= 10% of staff, >= 5% of parents */
    assert_true(share(tally.duplicatedPeople[STAFF],
                      tally.accounts[STAFF] - tally.duplicates[STAFF]) >= 0.10);
    assert_true(share(tally.duplicatedPeople[PARENT],
                      tally.accounts[PARENT] - tally.duplicates[PARENT]) >= 0.05);
    /* leavers and joiners: >= 3% of pupils and of staff (leavers of the platform's accounts,
     * joiners of the new MIS's records) */
    for (int role = PUPIL; role <= STAFF; role++) {
        unsigned platform = tally.accounts[role] - tally.duplicates[role];
        assert_true(share(tally.leavers[role], platform) >= 0.03);
        assert_true(share(tally.joiners[role], tally.match[role] + tally.joiners[role]) >= 0.03);
    }
    assert_true(jsonNumber(NULL, "staff_parents") > 0);
    assert_int_equal((int)jsonNumber(NULL, "school_code_changes"), 1);
}

/* Names and families: the kinds of people and households the brief lists. */
static void test_names_and_households(void **state)
{
    char *oldXml = readFile(dataDir, "old-extract.xml");
    char *newXml = readFile(dataDir, "new-extract.xml");
    const char *oldSchool, *newSchool;
    (void)state;

    assert_non_null(oldXml);
    assert_non_null(newXml);
    assert_true(strstr(oldXml, "Zo\xc3\xab") || strstr(oldXml, "Siobh\xc3\xa1n")); /* Zoë, Siobhán */
    assert_non_null(strstr(oldXml, "O&apos;"));            /* O'Brien, O'Connor ... */
    assert_non_null(strstr(oldXml, "-"));                  /* Lloyd-Jones, a double-barrel */
    assert_non_null(strstr(oldXml, "type=\"Step-father\""));
    assert_non_null(strstr(oldXml, "type=\"Step-mother\""));
    assert_non_null(strstr(newXml, "<former-upn>"));       /* temporary UPNs made permanent */
    /* The trust's last school is exported under another LEA code by the new MIS. */
    for (oldSchool = oldXml; strstr(oldSchool + 1, "<school lea=") != NULL;)
        oldSchool = strstr(oldSchool + 1, "<school lea=");
    for (newSchool = newXml; strstr(newSchool + 1, "<school lea=") != NULL;)
        newSchool = strstr(newSchool + 1, "<school lea=");
    assert_true(strncmp(oldSchool, newSchool, 17) != 0); /* <school lea="NNN" */
    assert_memory_equal(strstr(oldSchool, "dfe="), strstr(newSchool, "dfe="), 10);
    free(oldXml);
    free(newXml);
}

/* A pupil record of a native extract: the fields noise can change, as one comparable string. */
typedef struct Record {
    char id[32];
    char fields[1024];
} Record;

/* The pupil records of a native extract in file order; returns how many. */
static size_t pupilRecords(const char *xml, Record *records, size_t capacity)
{
    static const char *const TAGS[] = {"upn", "former-upn", "legal-forename", "legal-surname",
                                       "preferred-forename", "dob", "email", "address"};
    size_t count = 0;

    for (const char *p = xml; (p = strstr(p, "<pupil id=\"")) != NULL && count < capacity;) {
        const char *end = strstr(p, "</pupil>");
        Record *record = &records[count++];
        size_t length = 0;
        /* search within this record only: a tag it lacks must not send strstr through the rest
         * of the file (quadratic, and minutes under AddressSanitizer) */
        char *text;
        assert_non_null(end);
        text = strndup(p, (size_t)(end - p));
        assert_non_null(text);
        p += 11;
        snprintf(record->id, sizeof record->id, "%.*s", (int)strcspn(p, "\""), p);
        for (size_t t = 0; t < sizeof TAGS / sizeof TAGS[0]; t++) {
            char open[32];
            const char *value;
            snprintf(open, sizeof open, "<%s>", TAGS[t]);
            value = strstr(text, open);
            if (value == NULL)
                value = "";
            else
                value += strlen(open);
            /* the value runs to the next tag (an address: through its own elements) */
            length += (size_t)snprintf(record->fields + length, sizeof record->fields - length,
                                       "%s=%.*s|", TAGS[t],
                                       (int)(value[0] ? strcspn(value, "\n") : 0), value);
        }
        free(text);
        p = end;
    }
    return count;
}

/* truth.csv says what changed: a pupil in both MIS whose noise column is empty has the same
 * record in both extracts, and one with noise has a different one. (Pupils' platform accounts,
 * truth's pupil rows and the old extract's pupils all come in the same school order.) */
static void test_truth_noise_is_what_changed(void **state)
{
    enum { MAX = 8000 };
    static Record oldRecords[MAX], newRecords[MAX];
    char *oldXml = readFile(dataDir, "old-extract.xml");
    char *newXml = readFile(dataDir, "new-extract.xml");
    char *truth = readFile(dataDir, "truth.csv");
    size_t oldCount, newCount, k = 0, noisy = 0, quiet = 0;
    (void)state;

    assert_non_null(oldXml);
    assert_non_null(newXml);
    assert_non_null(truth);
    oldCount = pupilRecords(oldXml, oldRecords, MAX);
    newCount = pupilRecords(newXml, newRecords, MAX);
    for (char *save = NULL, *line = strtok_r(truth, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char account[16], newId[32], kind[32];
        const char *noise;
        const Record *now = NULL;
        if (strncmp(line, "pupil,", 6) != 0 || strncmp(line, "pupil,,", 7) == 0)
            continue;
        if (sscanf(line, "pupil,%15[0-9],,%31[^,],", account, kind) == 2) {
            k++; /* a leaver: in the old extract only */
            continue;
        }
        assert_int_equal(sscanf(line, "pupil,%15[0-9],%31[^,],%31[^,],", account, newId, kind), 3);
        assert_true(k < oldCount);
        noise = strrchr(line, ',') + 1;
        for (size_t i = 0; i < newCount && now == NULL; i++)
            if (strcmp(newRecords[i].id, newId) == 0)
                now = &newRecords[i];
        assert_non_null(now);
        if (noise[0] == '\0' && strcmp(oldRecords[k].fields, now->fields) != 0)
            fail_msg("pupil %s: no noise in truth.csv, but\n%s\n%s", account,
                     oldRecords[k].fields, now->fields);
        if (noise[0] != '\0' && strcmp(oldRecords[k].fields, now->fields) == 0)
            fail_msg("pupil %s: truth.csv says %s, but nothing changed", account, noise);
        noisy += noise[0] != '\0';
        quiet += noise[0] == '\0';
        k++;
    }
    assert_int_equal(k, oldCount);
    assert_true(noisy > 100 && quiet > 1000);
    free(oldXml), free(newXml), free(truth);
}

static void test_noise_file_sets_the_rates(void **state)
{
    char dir[4300], file[4300];
    char *truth, *sql;
    unsigned typos = 0, matches = 0, others = 0;
    FILE *out;
    (void)state;

    snprintf(file, sizeof file, "%s/noise.txt", baseDir);
    snprintf(dir, sizeof dir, "%s/typos", baseDir);
    out = fopen(file, "w");
    assert_non_null(out);
    fputs("# only typos\nlevel none\nforename-typo 100%\n\nmoved-house 0  # none of these\n", out);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(run("%s -q gen --pupils 300 --seed 4 --noise %s --out %s", MISSWITCH_BINARY,
                         file, dir), 0);
    truth = readFile(dir, "truth.csv");
    sql = readFile(dir, "platform.sql");
    assert_non_null(truth);
    assert_non_null(sql);
    for (char *save = NULL, *line = strtok_r(truth, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (strstr(line, ",match,") == NULL || strncmp(line, "group,", 6) == 0)
            continue;
        const char *noise = strstr(line, ",match,") + 7;
        matches++;
        typos += strcmp(noise, "forename-typo") == 0;
        others += noise[0] != '\0' && strcmp(noise, "forename-typo") != 0;
    }
    assert_int_equal(others, 0);
    assert_true(typos * 10 >= matches * 8); /* every forename long enough gets one */
    /* the head of platform.sql says how to get the same bytes again */
    assert_non_null(strstr(sql, "--noise "));
    assert_non_null(strstr(sql, "forename-typo=1 "));
    assert_non_null(strstr(sql, "moved-house=0 "));
    free(truth);
    free(sql);

    /* bad files: input errors (6) naming the line */
    out = fopen(file, "w");
    assert_non_null(out);
    fputs("forename-typo 2%\ntwins 0.5\n", out);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(run("%s gen --pupils 10 --noise %s --out %s 2>%s/err.txt", MISSWITCH_BINARY,
                         file, dir, baseDir), 6);
    truth = readFile(baseDir, "err.txt");
    assert_non_null(strstr(truth, "noise.txt:2: unknown noise kind 'twins'"));
    free(truth);
    out = fopen(file, "w");
    assert_non_null(out);
    fputs("forename-typo 150%\n", out);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(run("%s gen --pupils 10 --noise %s --out %s 2>/dev/null", MISSWITCH_BINARY,
                         file, dir), 6);
}

static void test_no_noise_means_no_noise(void **state)
{
    char dir[4300];
    char *truth;
    (void)state;

    snprintf(dir, sizeof dir, "%s/quiet", baseDir);
    assert_int_equal(run("%s -q gen --pupils 300 --schools 2 --seed 4 --noise none --out %s",
                         MISSWITCH_BINARY, dir), 0);
    truth = readFile(dir, "truth.csv");
    assert_non_null(truth);
    /* every line ends in an empty noise column */
    for (char *save = NULL, *line = strtok_r(truth, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save))
        if (strcmp(line, "role,account,new_id,kind,noise") != 0 && line[strlen(line) - 1] != ',')
            fail_msg("noise at --noise none: %s", line);
    free(truth);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_noise_kind_at_its_rate),
        cmocka_unit_test(test_the_population_is_as_messy_as_the_brief),
        cmocka_unit_test(test_names_and_households),
        cmocka_unit_test(test_truth_noise_is_what_changed),
        cmocka_unit_test(test_noise_file_sets_the_rates),
        cmocka_unit_test(test_no_noise_means_no_noise),
    };
    return cmocka_run_group_tests(tests, setUp, tearDown);
}
