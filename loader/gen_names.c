/* gen_names.c — frequency-weighted forenames and surnames, and ASCII folding for logins */
#include "gen_names.h"

#include <string.h>

typedef struct WeightedName {
    const char *name;
    unsigned weight;          /* relative frequency */
    const char *nickname;     /* the usual short form, or NULL */
} WeightedName;

/* Weights are rough relative frequencies (births in England and Wales, parents' generation
 * mixed in); the international names keep the lists honest about who is at school. */
static const WeightedName FEMALE[] = {
    {"Olivia", 60, "Liv"},     {"Amelia", 55, "Millie"},   {"Isla", 45, NULL},
    {"Ava", 40, NULL},         {"Emily", 40, "Em"},        {"Sophia", 35, "Sophie"},
    {"Grace", 35, NULL},       {"Mia", 32, NULL},          {"Poppy", 30, NULL},
    {"Ella", 30, NULL},        {"Lily", 30, NULL},         {"Evie", 28, NULL},
    {"Isabella", 28, "Bella"}, {"Charlotte", 27, "Lottie"}, {"Jessica", 26, "Jess"},
    {"Sophie", 25, NULL},      {"Freya", 24, NULL},        {"Daisy", 22, NULL},
    {"Florence", 20, "Flo"},   {"Alice", 20, NULL},        {"Ruby", 20, NULL},
    {"Elizabeth", 18, "Beth"}, {"Hannah", 18, NULL},       {"Chloe", 18, NULL},
    {"Chloë", 6, NULL},        {"Zoë", 8, NULL},           {"Zoe", 10, NULL},
    {"Katherine", 12, "Kate"}, {"Rebecca", 12, "Becky"},   {"Sarah", 20, NULL},
    {"Emma", 20, NULL},        {"Laura", 14, NULL},        {"Rachel", 12, NULL},
    {"Claire", 12, NULL},      {"Nicola", 10, "Nicky"},    {"Joanne", 10, "Jo"},
    {"Michelle", 10, NULL},    {"Siobhán", 6, NULL},       {"Niamh", 8, NULL},
    {"Aoife", 6, NULL},        {"Caoimhe", 4, NULL},       {"Renée", 3, NULL},
    {"Amélie", 6, NULL},       {"Noémie", 2, NULL},        {"Chloé", 3, NULL},
    {"Fatima", 14, NULL},      {"Aisha", 12, NULL},        {"Maryam", 12, NULL},
    {"Zainab", 8, NULL},       {"Khadija", 6, NULL},       {"Hafsa", 5, NULL},
    {"Priya", 8, NULL},        {"Ananya", 5, NULL},        {"Simran", 5, NULL},
    {"Harpreet", 4, NULL},     {"Zuzanna", 5, NULL},       {"Agnieszka", 4, "Aga"},
    {"Małgorzata", 3, "Gosia"}, {"Oluwaseun", 3, "Seun"},  {"Chiamaka", 3, NULL},
    {"Adaeze", 2, NULL},       {"Mei", 4, NULL},           {"Yasmin", 8, NULL},
    {"Ayşe", 2, NULL},         {"Inês", 3, NULL},          {"María", 3, NULL},
    {"Anne-Marie", 4, NULL},   {"Mary-Jane", 2, NULL},     {"Sinéad", 4, NULL},
};

static const WeightedName MALE[] = {
    {"Oliver", 55, "Ollie"},   {"George", 50, NULL},       {"Noah", 45, NULL},
    {"Arthur", 40, "Art"},     {"Harry", 40, NULL},        {"Leo", 38, NULL},
    {"Muhammad", 38, NULL},    {"Mohammed", 20, NULL},     {"Jack", 35, NULL},
    {"Charlie", 33, NULL},     {"Oscar", 32, NULL},        {"Jacob", 30, "Jake"},
    {"Henry", 28, "Harry"},    {"Thomas", 28, "Tom"},      {"William", 28, "Bill"},
    {"Alfie", 26, NULL},       {"Theo", 26, NULL},         {"Joshua", 24, "Josh"},
    {"James", 24, "Jamie"},    {"Samuel", 22, "Sam"},      {"Benjamin", 20, "Ben"},
    {"Alexander", 20, "Alex"}, {"Daniel", 20, "Dan"},      {"Matthew", 18, "Matt"},
    {"Joseph", 18, "Joe"},     {"Edward", 15, "Ed"},       {"Lucas", 18, NULL},
    {"Freddie", 18, NULL},     {"Archie", 18, NULL},       {"David", 20, "Dave"},
    {"Paul", 15, NULL},        {"Mark", 15, NULL},         {"Richard", 12, "Rich"},
    {"Christopher", 14, "Chris"}, {"Stephen", 10, "Steve"}, {"Andrew", 14, "Andy"},
    {"Michael", 16, "Mike"},   {"Robert", 12, "Rob"},      {"Seán", 6, NULL},
    {"Oisín", 4, NULL},        {"Ciarán", 4, NULL},        {"Padraig", 3, NULL},
    {"José", 4, NULL},         {"André", 3, NULL},         {"Jérôme", 2, NULL},
    {"Aarav", 8, NULL},        {"Arjun", 6, NULL},         {"Rohan", 6, NULL},
    {"Gurpreet", 3, NULL},     {"Ibrahim", 10, NULL},      {"Yusuf", 10, NULL},
    {"Ali", 8, NULL},          {"Omar", 8, NULL},          {"Hamza", 8, NULL},
    {"Ayaan", 6, NULL},        {"Łukasz", 4, NULL},        {"Mateusz", 4, NULL},
    {"Jakub", 5, NULL},        {"Wojciech", 2, "Wojtek"},  {"Chidi", 3, NULL},
    {"Oluwadamilare", 2, "Dami"}, {"Kwame", 3, NULL},      {"Emeka", 3, NULL},
    {"Wei", 3, NULL},          {"Minh", 2, NULL},          {"Mehmet", 3, NULL},
    {"Björn", 1, NULL},        {"Jean-Luc", 1, NULL},      {"Jean-Paul", 1, NULL},
};

static const WeightedName SURNAMES[] = {
    {"Smith", 120, NULL},      {"Jones", 90, NULL},        {"Williams", 70, NULL},
    {"Taylor", 60, NULL},      {"Brown", 60, NULL},        {"Davies", 50, NULL},
    {"Evans", 40, NULL},       {"Wilson", 40, NULL},       {"Thomas", 38, NULL},
    {"Johnson", 38, NULL},     {"Roberts", 36, NULL},      {"Robinson", 32, NULL},
    {"Thompson", 32, NULL},    {"Wright", 32, NULL},       {"Walker", 30, NULL},
    {"White", 30, NULL},       {"Edwards", 28, NULL},      {"Hughes", 28, NULL},
    {"Green", 28, NULL},       {"Hall", 27, NULL},         {"Lewis", 27, NULL},
    {"Harris", 26, NULL},      {"Clarke", 26, NULL},       {"Patel", 40, NULL},
    {"Jackson", 25, NULL},     {"Wood", 24, NULL},         {"Turner", 24, NULL},
    {"Martin", 24, NULL},      {"Cooper", 23, NULL},       {"Hill", 23, NULL},
    {"Ward", 22, NULL},        {"Morris", 22, NULL},       {"Moore", 22, NULL},
    {"Clark", 21, NULL},       {"Lee", 21, NULL},          {"King", 21, NULL},
    {"Baker", 20, NULL},       {"Harrison", 20, NULL},     {"Morgan", 20, NULL},
    {"Allen", 19, NULL},       {"James", 19, NULL},        {"Scott", 19, NULL},
    {"Phillips", 18, NULL},    {"Watson", 18, NULL},       {"Davis", 18, NULL},
    {"Parker", 17, NULL},      {"Price", 17, NULL},        {"Bennett", 17, NULL},
    {"Young", 16, NULL},       {"Griffiths", 16, NULL},    {"Mitchell", 16, NULL},
    {"Kelly", 16, NULL},       {"Cook", 15, NULL},         {"Carter", 15, NULL},
    {"Richardson", 15, NULL},  {"Bailey", 14, NULL},       {"Collins", 14, NULL},
    {"Bell", 14, NULL},        {"Shaw", 14, NULL},         {"Murphy", 14, NULL},
    {"Miller", 13, NULL},      {"Cox", 13, NULL},          {"Richards", 13, NULL},
    {"Khan", 30, NULL},        {"Marshall", 12, NULL},     {"Anderson", 12, NULL},
    {"Simpson", 12, NULL},     {"Ellis", 12, NULL},        {"Adams", 12, NULL},
    {"Singh", 25, NULL},       {"Begum", 20, NULL},        {"Ali", 20, NULL},
    {"Hussain", 18, NULL},     {"Ahmed", 18, NULL},        {"Rahman", 12, NULL},
    {"Kaur", 12, NULL},        {"Shah", 10, NULL},         {"Akhtar", 8, NULL},
    {"Nowak", 8, NULL},        {"Kowalski", 6, NULL},      {"Wiśniewska", 4, NULL},
    {"Wójcik", 4, NULL},       {"Lewandowski", 4, NULL},   {"O'Brien", 10, NULL},
    {"O'Connor", 9, NULL},     {"O'Neill", 8, NULL},       {"O'Sullivan", 6, NULL},
    {"McDonald", 9, NULL},     {"MacLeod", 5, NULL},       {"McCarthy", 6, NULL},
    {"Ó Súilleabháin", 1, NULL}, {"Nguyen", 6, NULL},      {"Chen", 6, NULL},
    {"Wang", 5, NULL},         {"Li", 5, NULL},            {"Okafor", 5, NULL},
    {"Adeyemi", 5, NULL},      {"Mensah", 5, NULL},        {"Osei", 4, NULL},
    {"Oyelaran", 3, NULL},     {"da Silva", 5, NULL},      {"Santos", 5, NULL},
    {"Pereira", 4, NULL},      {"Fernández", 3, NULL},     {"García", 3, NULL},
    {"Müller", 3, NULL},       {"Şahin", 2, NULL},         {"Yılmaz", 3, NULL},
    {"Öztürk", 2, NULL},       {"Dvořák", 1, NULL},        {"Novák", 2, NULL},
    {"Popescu", 4, NULL},      {"Ionescu", 3, NULL},       {"Papadopoulos", 2, NULL},
    {"Lloyd-Jones", 4, NULL},  {"Bowes-Lyon", 1, NULL},    {"Ashton-Davies", 2, NULL},
    {"Smith-Patel", 1, NULL},  {"Van der Berg", 2, NULL},  {"de la Cruz", 1, NULL},
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

typedef struct NameTable {
    const WeightedName *names;
    size_t count;
    unsigned cumulative[160]; /* cumulative[i] = sum of weights 0..i */
    bool ready;
} NameTable;

static NameTable femaleTable = {FEMALE, COUNT(FEMALE), {0}, false};
static NameTable maleTable = {MALE, COUNT(MALE), {0}, false};
static NameTable surnameTable = {SURNAMES, COUNT(SURNAMES), {0}, false};

_Static_assert(COUNT(FEMALE) <= 160 && COUNT(MALE) <= 160 && COUNT(SURNAMES) <= 160,
               "cumulative tables too small");

static const char *pick(NameTable *table, uint64_t draw)
{
    size_t low = 0, high;
    unsigned target;

    if (!table->ready) {
        unsigned sum = 0;
        for (size_t i = 0; i < table->count; i++) {
            sum += table->names[i].weight;
            table->cumulative[i] = sum;
        }
        table->ready = true;
    }
    target = (unsigned)(((draw >> 32) * table->cumulative[table->count - 1]) >> 32);
    high = table->count - 1;
    while (low < high) { /* first i with cumulative[i] > target */
        size_t middle = (low + high) / 2;
        if (table->cumulative[middle] > target)
            high = middle;
        else
            low = middle + 1;
    }
    return table->names[low].name;
}

void genNamesPrepare(void)
{
    (void)pick(&femaleTable, 0);
    (void)pick(&maleTable, 0);
    (void)pick(&surnameTable, 0);
}

const char *genNamesForename(bool female, uint64_t draw)
{
    return pick(female ? &femaleTable : &maleTable, draw);
}

const char *genNamesSurname(uint64_t draw)
{
    return pick(&surnameTable, draw);
}

const char *genNamesNickname(const char *forename)
{
    for (size_t i = 0; i < COUNT(FEMALE); i++)
        if (strcmp(FEMALE[i].name, forename) == 0)
            return FEMALE[i].nickname;
    for (size_t i = 0; i < COUNT(MALE); i++)
        if (strcmp(MALE[i].name, forename) == 0)
            return MALE[i].nickname;
    return NULL;
}

/* ASCII forms of U+00C0..U+00FF ("" for × and ÷). */
static const char *const LATIN1[64] = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", "",  "O", "U", "U", "U", "U", "Y", "TH", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Base letters of U+0100..U+017F (Latin Extended-A), one per code point. */
static const char LATIN_EXTENDED_A[] = "AaAaAa" "CcCcCcCc" "DdDd" "EeEeEeEeEe" "GgGgGgGg" "HhHh"
                                       "IiIiIiIiIi" "Ii" "Jj" "Kkk" "LlLlLlLlLl" "NnNnNnnNn"
                                       "OoOoOo" "Oo" "RrRrRr" "SsSsSsSs" "TtTtTt"
                                       "UuUuUuUuUuUu" "Ww" "YyY" "ZzZzZz" "s";
_Static_assert(sizeof LATIN_EXTENDED_A == 129, "one letter per code point U+0100..U+017F");

static void append(char *out, size_t size, size_t *length, char c, bool loginForm)
{
    if (loginForm) {
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return;
    }
    if (*length + 1 < size)
        out[(*length)++] = c;
}

size_t genNamesFold(const char *text, bool loginForm, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t length = 0;

    while (*p != '\0') {
        unsigned codePoint;
        if (*p < 0x80) {
            append(out, size, &length, (char)*p++, loginForm);
            continue;
        }
        if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            codePoint = ((unsigned)(*p & 0x1F) << 6) | (p[1] & 0x3F);
            p += 2;
            if (codePoint >= 0xC0 && codePoint <= 0xFF) {
                for (const char *s = LATIN1[codePoint - 0xC0]; *s != '\0'; s++)
                    append(out, size, &length, *s, loginForm);
            } else if (codePoint >= 0x100 && codePoint <= 0x17F) {
                append(out, size, &length, LATIN_EXTENDED_A[codePoint - 0x100], loginForm);
            }
            continue;
        }
        /* Anything else (longer sequences, stray bytes) is dropped, one byte at a time. */
        p++;
        while ((*p & 0xC0) == 0x80)
            p++;
    }
    out[length] = '\0';
    return length;
}

bool genNamesHasNonAscii(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
        if (*p >= 0x80)
            return true;
    return false;
}
