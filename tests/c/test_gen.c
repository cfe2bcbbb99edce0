/* test_gen.c — `misswitch gen`: determinism, valid UPNs, truth consistent with platform and extracts */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "upn.h"

/* One generated dataset shared by the read-only tests: two schools, so cross-school families,
 * per-school sections and both phases' code paths are covered. */
#define ARGS "--pupils 400 --schools 2 --seed 7 --noise high"

static char baseDir[] = "/tmp/test_gen.XXXXXX";
static char fixtureDir[4200];

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

static char *readFile(const char *dir, const char *name, size_t *length)
{
    char path[4400];
    FILE *file;
    char *text;
    long size;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    file = fopen(path, "rb");
    assert_non_null(file);
    assert_int_equal(fseek(file, 0, SEEK_END), 0);
    size = ftell(file);
    rewind(file);
    text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, file), (size_t)size);
    text[size] = '\0';
    fclose(file);
    if (length)
        *length = (size_t)size;
    return text;
}

static int setupFixture(void **state)
{
    (void)state;
    if (mkdtemp(baseDir) == NULL)
        return -1;
    snprintf(fixtureDir, sizeof fixtureDir, "%s/a", baseDir);
    return run("%s -q gen " ARGS " --out %s", MISSWITCH_BINARY, fixtureDir) == 0 ? 0 : -1;
}

static int teardownFixture(void **state)
{
    (void)state;
    return run("rm -rf %s", baseDir);
}

static const char *const OUTPUTS[] = {"platform.sql",        "old-extract.xml",
                                      "new-extract.xml",     "new-extract.ctf.xml",
                                      "new-extract-2.ctf.xml", "new-extract.ims.xml",
                                      "truth.csv"};

static void test_same_arguments_give_the_same_bytes(void **state)
{
    char other[4300], seeded[4300];
    (void)state;

    snprintf(other, sizeof other, "%s/b", baseDir);
    snprintf(seeded, sizeof seeded, "%s/c", baseDir);
    assert_int_equal(run("%s -q gen " ARGS " --out %s", MISSWITCH_BINARY, other), 0);
    assert_int_equal(run("%s -q gen --pupils 400 --schools 2 --seed 8 --noise high --out %s",
                         MISSWITCH_BINARY, seeded), 0);
    for (size_t i = 0; i < sizeof OUTPUTS / sizeof OUTPUTS[0]; i++) {
        size_t lengthA, lengthB, lengthC;
        char *a = readFile(fixtureDir, OUTPUTS[i], &lengthA);
        char *b = readFile(other, OUTPUTS[i], &lengthB);
        char *c = readFile(seeded, OUTPUTS[i], &lengthC);
        assert_true(lengthA > 0);
        assert_int_equal(lengthA, lengthB);
        assert_memory_equal(a, b, lengthA);
        /* and another seed is another school */
        assert_true(lengthA != lengthC || memcmp(a, c, lengthA) != 0);
        free(a), free(b), free(c);
    }
}

/* Every text between <tag> and </tag> in xml; returns how many, calling check on each. */
static int eachElement(const char *xml, const char *tag, void (*check)(const char *value))
{
    char open[64], value[256];
    int count = 0;
    const char *p = xml;

    snprintf(open, sizeof open, "<%s>", tag);
    while ((p = strstr(p, open)) != NULL) {
        const char *end;
        p += strlen(open);
        end = strchr(p, '<');
        assert_non_null(end);
        assert_true((size_t)(end - p) < sizeof value);
        memcpy(value, p, (size_t)(end - p));
        value[end - p] = '\0';
        check(value);
        count++;
    }
    return count;
}

static void checkUpn(const char *upn)
{
    if (!upnIsValid(upn))
        fail_msg("invalid UPN %s", upn);
}

static void checkTemporaryUpn(const char *upn)
{
    if (!upnIsTemporary(upn))
        fail_msg("former UPN %s is not a valid temporary UPN", upn);
}

static int upnShaped;

static void checkUpnShaped(const char *value)
{
    if (strlen(value) == UPN_LENGTH && strspn(value + 1, "0123456789") >= 11) {
        checkUpn(value);
        upnShaped++;
    }
}

static int countOf(const char *text, const char *needle)
{
    int count = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        count++;
    return count;
}

static void test_every_upn_is_valid(void **state)
{
    char *oldXml = readFile(fixtureDir, "old-extract.xml", NULL);
    char *newXml = readFile(fixtureDir, "new-extract.xml", NULL);
    char *sql = readFile(fixtureDir, "platform.sql", NULL);
    char *ctf = readFile(fixtureDir, "new-extract.ctf.xml", NULL);
    char *ims = readFile(fixtureDir, "new-extract.ims.xml", NULL);
    int sqlUpns = 0, temporary = 0;
    (void)state;

    assert_int_equal(eachElement(ctf, "UPN", checkUpn), countOf(ctf, "<Pupil>"));
    assert_true(eachElement(ctf, "FormerUPN", checkTemporaryUpn) >= 0);
    /* IMS: a pupil's userid is the UPN; staff have codes, contacts emails */
    assert_true(eachElement(ims, "userid", checkUpnShaped) <= countOf(ims, "<person>"));
    assert_int_equal(upnShaped, countOf(newXml, "<pupil "));

    assert_int_equal(eachElement(oldXml, "upn", checkUpn), countOf(oldXml, "<pupil "));
    assert_int_equal(eachElement(newXml, "upn", checkUpn), countOf(newXml, "<pupil "));
    assert_true(eachElement(newXml, "former-upn", checkTemporaryUpn) > 0);
    /* platform.sql: every 13-character quoted value shaped like a UPN */
    for (const char *p = sql; (p = strchr(p, '\'')) != NULL; p++) {
        char value[UPN_LENGTH + 1];
        if (strlen(p) < UPN_LENGTH + 2 || p[UPN_LENGTH + 1] != '\'' || p[1] < 'A' || p[1] > 'Z' ||
            strspn(p + 2, "0123456789") < 11)
            continue;
        memcpy(value, p + 1, UPN_LENGTH);
        value[UPN_LENGTH] = '\0';
        checkUpn(value);
        temporary += upnIsTemporary(value);
        sqlUpns++;
        p += UPN_LENGTH + 1;
    }
    assert_int_equal(sqlUpns, 400);
    assert_true(temporary > 0); /* the temporary-upn noise shows on the platform */
    free(oldXml), free(newXml), free(sql), free(ctf), free(ims);
}

/* A set of strings: sorted array, looked up by bsearch. */
typedef struct Ids {
    char **items;
    size_t count, capacity;
} Ids;

static void idsAdd(Ids *ids, const char *value, size_t length)
{
    if (ids->count == ids->capacity) {
        ids->capacity = ids->capacity ? ids->capacity * 2 : 256;
        ids->items = realloc(ids->items, ids->capacity * sizeof *ids->items);
        assert_non_null(ids->items);
    }
    ids->items[ids->count] = strndup(value, length);
    ids->count++;
}

static int compareStrings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and removes duplicates (a contact is listed in each school of its children). */
static void idsSortUnique(Ids *ids)
{
    size_t kept = 0;
    qsort(ids->items, ids->count, sizeof *ids->items, compareStrings);
    for (size_t i = 0; i < ids->count; i++) {
        if (kept > 0 && strcmp(ids->items[kept - 1], ids->items[i]) == 0) {
            free(ids->items[i]);
            continue;
        }
        ids->items[kept++] = ids->items[i];
    }
    ids->count = kept;
}

static bool idsHas(const Ids *ids, const char *value)
{
    return bsearch(&value, ids->items, ids->count, sizeof *ids->items, compareStrings) != NULL;
}

static void idsFree(Ids *ids)
{
    for (size_t i = 0; i < ids->count; i++)
        free(ids->items[i]);
    free(ids->items);
}

/* The id="..." values of every `<element id="` in xml. */
static void collectIds(const char *xml, const char *element, Ids *ids)
{
    char open[64];
    snprintf(open, sizeof open, "<%s id=\"", element);
    for (const char *p = xml; (p = strstr(p, open)) != NULL;) {
        p += strlen(open);
        idsAdd(ids, p, strcspn(p, "\""));
    }
    idsSortUnique(ids);
}

#define MAX_ACCOUNTS 5000

static void test_truth_matches_platform_and_extracts(void **state)
{
    static char types[MAX_ACCOUNTS][8];
    static int seen[MAX_ACCOUNTS];
    static char kinds[MAX_ACCOUNTS][32];
    char *sql = readFile(fixtureDir, "platform.sql", NULL);
    char *newXml = readFile(fixtureDir, "new-extract.xml", NULL);
    char *truth = readFile(fixtureDir, "truth.csv", NULL);
    const char *data = strstr(sql, "\n-- data\n"); /* after the schema (its importer inserts too) */
    const char *users = data ? strstr(data, "INSERT INTO platform.users") : NULL;
    Ids newIds[4] = {{0}}, truthIds = {0};
    const char *elements[4] = {"pupil", "member", "contact", "group"};
    const char *roles[4] = {"pupil", "staff", "parent", "group"};
    unsigned accounts = 0, staff = 0, staffDuplicates = 0, parents = 0, parentDuplicates = 0;
    char *line, *save;
    (void)state;

    /* Platform users: "(id, school, 'type', ..." lines of the users INSERTs. */
    assert_non_null(users);
    for (const char *p = strchr(users, '\n') + 1; *p == '(' || strncmp(p, "INSERT INTO platform.users", 26) == 0;
         p = strchr(p, '\n') + 1) {
        unsigned id, school;
        char type[8];
        if (*p != '(')
            continue;
        assert_int_equal(sscanf(p, "(%u, %u, '%7[a-z]'", &id, &school, type), 3);
        assert_true(id > 0 && id < MAX_ACCOUNTS);
        assert_int_equal(types[id][0], '\0');
        snprintf(types[id], sizeof types[id], "%s", type);
        accounts = id > accounts ? id : accounts;
    }
    assert_true(accounts > 400);
    for (int k = 0; k < 4; k++)
        collectIds(newXml, elements[k], &newIds[k]);

    assert_non_null(strstr(truth, "role,account,new_id,kind,noise\n"));
    for (line = strtok_r(strchr(truth, '\n') + 1, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char role[16] = "", account[16] = "", newId[32] = "", kind[32] = "";
        int k;
        /* role,account,new_id,kind,noise with possibly empty fields */
        char *fields[5] = {role, account, newId, kind, NULL};
        size_t sizes[4] = {sizeof role, sizeof account, sizeof newId, sizeof kind};
        char *p = line;
        for (int f = 0; f < 4; f++) {
            size_t length = strcspn(p, ",");
            assert_true(p[length] == ',' && length < sizes[f]);
            memcpy(fields[f], p, length);
            fields[f][length] = '\0';
            p += length + 1;
        }
        for (k = 0; k < 4 && strcmp(role, roles[k]) != 0; k++)
            ;
        assert_true(k < 4);
        if (strcmp(kind, "joiner") == 0) {
            assert_string_equal(account, "");
        } else if (k < 3) {
            unsigned id = (unsigned)atoi(account);
            assert_true(id > 0 && id <= accounts);
            assert_string_equal(types[id], role);
            seen[id]++;
            snprintf(kinds[id], sizeof kinds[id], "%s", kind);
        }
        if (strcmp(kind, "match") == 0 || strcmp(kind, "joiner") == 0) {
            assert_true(idsHas(&newIds[k], newId));
            idsAdd(&truthIds, newId, strlen(newId));
        } else {
            assert_string_equal(newId, "");
            assert_true(strcmp(kind, "leaver") == 0 || strncmp(kind, "duplicate-of:", 13) == 0);
        }
        staff += k == 1 && strncmp(kind, "duplicate-of:", 13) != 0 && account[0] != '\0';
        staffDuplicates += k == 1 && strncmp(kind, "duplicate-of:", 13) == 0;
        parents += k == 2 && strncmp(kind, "duplicate-of:", 13) != 0 && account[0] != '\0';
        parentDuplicates += k == 2 && strncmp(kind, "duplicate-of:", 13) == 0;
    }
    /* Every platform user exactly once; a duplicate points at a kept account of its role. */
    for (unsigned id = 1; id <= accounts; id++) {
        assert_int_equal(seen[id], 1);
        if (strncmp(kinds[id], "duplicate-of:", 13) == 0) {
            unsigned kept = (unsigned)atoi(kinds[id] + 13);
            assert_string_equal(types[kept], types[id]);
            assert_true(strcmp(kinds[kept], "match") == 0 || strcmp(kinds[kept], "leaver") == 0);
        }
    }
    /* Every new record exactly once (truth IDs unique, and as many as in the extract). */
    {
        size_t listed = truthIds.count, expected = 0;
        idsSortUnique(&truthIds);
        assert_int_equal(truthIds.count, listed);
        for (int k = 0; k < 4; k++)
            expected += newIds[k].count;
        assert_int_equal(listed, expected);
    }
    /* The population the brief promises: >=10% staff with two accounts, >=5% parents. */
    assert_true(staffDuplicates * 10 >= staff);
    assert_true(parentDuplicates * 20 >= parents);
    for (int k = 0; k < 4; k++)
        idsFree(&newIds[k]);
    idsFree(&truthIds);
    free(sql), free(newXml), free(truth);
}

static void test_xml_is_well_formed_and_escaped(void **state)
{
    char *sql = readFile(fixtureDir, "platform.sql", NULL);
    char *oldXml = readFile(fixtureDir, "old-extract.xml", NULL);
    (void)state;

    assert_int_equal(run("xmllint --noout %s/*.xml", fixtureDir), 0);
    assert_non_null(strstr(oldXml, "&apos;"));       /* O'Brien, Queen's Road */
    assert_non_null(strstr(sql, "''"));              /* quote doubling */
    assert_null(strstr(sql, "\\copy"));              /* no psql meta-commands */
    assert_null(strstr(sql, "FROM stdin"));
    /* every data line of platform.sql has balanced quotes */
    for (const char *p = strstr(sql, "-- data\n"); p != NULL && *p != '\0';) {
        const char *end = strchr(p, '\n');
        int quotes = 0;
        for (const char *q = p; q < end; q++)
            quotes += *q == '\'';
        assert_int_equal(quotes % 2, 0);
        p = end + 1;
    }
    free(sql), free(oldXml);
}

static void test_command_line(void **state)
{
    (void)state;
    assert_int_equal(run("%s gen --help >/dev/null", MISSWITCH_BINARY), 0);
    assert_int_equal(run("%s gen --out %s/x 2>/dev/null", MISSWITCH_BINARY, baseDir), 2);
    assert_int_equal(run("%s gen --pupils 10 2>/dev/null", MISSWITCH_BINARY), 2);
    assert_int_equal(run("%s gen --pupils 0 --out %s/x 2>/dev/null", MISSWITCH_BINARY, baseDir), 2);
    /* not a level, so a noise file: and not a good one (an input error) */
    assert_int_equal(run("%s gen --pupils 10 --noise /etc/passwd --out %s/x 2>/dev/null",
                         MISSWITCH_BINARY, baseDir), 6);
    assert_int_equal(run("%s gen --pupils 10 --threads 0 --out %s/x 2>/dev/null",
                         MISSWITCH_BINARY, baseDir), 2);
    assert_int_equal(run("%s gen --pupils 2 --schools 3 --out %s/x 2>/dev/null", MISSWITCH_BINARY,
                         baseDir), 2);
    /* the smallest school still makes sense, in a directory made on the way */
    assert_int_equal(run("%s -q gen --pupils 1 --noise none --out %s/tiny/nested", MISSWITCH_BINARY,
                         baseDir), 0);
}

/* The files are written by worker threads; how many never changes a byte. */
static void test_threads_do_not_change_the_bytes(void **state)
{
    char single[4300];
    (void)state;

    snprintf(single, sizeof single, "%s/one-thread", baseDir);
    assert_int_equal(run("%s -q gen " ARGS " --threads 1 --out %s", MISSWITCH_BINARY, single), 0);
    for (size_t i = 0; i < sizeof OUTPUTS / sizeof OUTPUTS[0]; i++) {
        size_t lengthA, lengthB;
        char *a = readFile(fixtureDir, OUTPUTS[i], &lengthA);
        char *b = readFile(single, OUTPUTS[i], &lengthB);
        assert_int_equal(lengthA, lengthB);
        assert_memory_equal(a, b, lengthA);
        free(a), free(b);
    }
}

/* The native extracts follow the format's XSD (docs/extract-format.xsd), noise and all. */
static void test_native_extracts_follow_the_schema(void **state)
{
    char schema[4200];
    (void)state;

    snprintf(schema, sizeof schema, "%s/docs/extract-format.xsd", MISSWITCH_SOURCE_DIR);
    if (access(schema, R_OK) != 0)
        skip();
    assert_int_equal(run("xmllint --noout --schema %s %s/old-extract.xml %s/new-extract.xml "
                         "2>/dev/null", schema, fixtureDir, fixtureDir), 0);
}

static void test_full_disk_is_an_error(void **state)
{
    char dir[4300], link[4400];
    (void)state;

    if (access("/dev/full", W_OK) != 0)
        skip();
    snprintf(dir, sizeof dir, "%s/full", baseDir);
    snprintf(link, sizeof link, "%s/truth.csv", dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(symlink("/dev/full", link), 0);
    assert_int_equal(run("%s -q gen --pupils 50 --out %s 2>/dev/null", MISSWITCH_BINARY, dir), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_arguments_give_the_same_bytes),
        cmocka_unit_test(test_every_upn_is_valid),
        cmocka_unit_test(test_truth_matches_platform_and_extracts),
        cmocka_unit_test(test_xml_is_well_formed_and_escaped),
        cmocka_unit_test(test_command_line),
        cmocka_unit_test(test_threads_do_not_change_the_bytes),
        cmocka_unit_test(test_native_extracts_follow_the_schema),
        cmocka_unit_test(test_full_disk_is_an_error),
    };
    return cmocka_run_group_tests(tests, setupFixture, teardownFixture);
}
